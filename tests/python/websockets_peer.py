"""A peer built on the Python `websockets` library, for interop tests over loopback.

    websockets_peer.py server          echo server with permessage-deflate on 127.0.0.1;
                                       prints its port, serves until killed
    websockets_peer.py client URL      talks to URL, checks every echo, closes with 1000;
                                       prints one JSON line with what it saw
"""

import json
import sys

from websockets.sync.client import connect
from websockets.sync.server import serve


def run_server() -> None:
    def echo(ws):
        for message in ws:
            ws.send(message)

    with serve(echo, "127.0.0.1", 0, compression="deflate", max_size=2**24) as server:
        print(server.socket.getsockname()[1], flush=True)
        server.serve_forever()


def run_client(url: str) -> None:
    seen = []
    with connect(url, compression="deflate", max_size=2**24, open_timeout=10) as ws:
        extensions = [type(e).__name__ for e in ws.protocol.extensions]
        messages = [
            "Hello",
            b"\x00\x01\x02\xff",
            "é€𝄞" * 30000,
            bytes(range(256)) * 1000,
            "",
        ]
        for message in messages:
            ws.send(message)
            echoed = ws.recv(timeout=10)
            seen.append(echoed == message and type(echoed) is type(message))
        ws.send(["frag", "men", "ted"])  # one message in three frames
        seen.append(ws.recv(timeout=10) == "fragmented")
        seen.append(ws.ping(b"are you there").wait(10))
        ws.close(1000, "bye")
        code = ws.protocol.close_rcvd.code if ws.protocol.close_rcvd else None
    print(json.dumps({"checks": seen, "extensions": extensions, "close_code": code}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        run_server()
    else:
        run_client(sys.argv[2])
