#!/usr/bin/env python3
"""Differential-test oracle: drives wsproto 1.3.2's ``wsproto.frame_protocol``.

Protocol: one JSON case per stdin line, one JSON result per stdout line (flushed),
until EOF. Blank lines are skipped.

Receive case  {"id": N, "kind": "receive", "client": bool, "chunks": ["hex", ...]}
  -> {"id": N, "frames": [frame, ...], "error": null | {"code": int, "msg": str}}
  frame = {"opcode": int, "kind": "bytes"|"text"|"close", "payload": ...,
           "frame_finished": bool, "message_finished": bool}
  payload: hex bytes ("bytes"), hex of UTF-8 ("text"), [code, "hex utf-8 reason"] ("close").
  Processing stops at the first ParseFailed (frames seen before it are kept).

Send case  {"id": N, "kind": "send", "client": bool, "calls": [call, ...]}
  call = ["send_data", "text"|"bytes", "hex", fin] | ["ping", "hex"] | ["pong", "hex"]
       | ["close", code|null, "hex utf-8 reason"|null]
       | ["close", code|null, reason|null, true]   # 4th element: pass code as CloseReason
  -> {"id": N, "results": [{"ok": "hex"} | {"err": "ExceptionTypeName"}, ...]}
  Client masking keys are always 01 02 03 04 (see _FixedKeyOs).

Malformed case or unexpected failure: {"id": N, "exception": "TypeName: message"}.

Behaviour worth knowing (wsproto 1.3.2 frame_protocol.py):
- close(code) tests ``code is CloseReason.NO_STATUS_RCVD`` by identity, so a plain int
  1005 is NOT turned into an empty close: it matches LOCAL_ONLY_CLOSE_REASONS by value
  and becomes 1000 (reason kept). Only the enum member gives an empty close (and with a
  reason raises TypeError). The optional 4th call element selects the enum form.
- close() does not validate codes: 999 or 1004 are sent as-is; >65535 or <0 gives
  {"err": "struct.error"} (non-builtin exception types are module-qualified).
- received_frames() drains one generator per FrameProtocol: after a CLOSE frame or a
  ParseFailed that generator is finished and every later call yields nothing.
"""
from __future__ import annotations

import importlib.metadata
import json
import os
import sys
import types

import wsproto.frame_protocol as fp

EXPECTED_VERSION = "1.3.2"
MASK_KEY = b"\x01\x02\x03\x04"


class _FixedKeyOs(types.ModuleType):
    """Stand-in for the ``os`` module seen by wsproto.frame_protocol.

    _serialize_frame draws client masking keys with ``os.urandom(4)`` through the
    module-global ``os``; swapping that global (not the real os.urandom) makes the key
    deterministic without affecting anything else in the process.
    """

    def __init__(self) -> None:
        super().__init__("os")

    def __getattr__(self, name: str):
        return getattr(os, name)

    @staticmethod
    def urandom(n: int) -> bytes:
        return (MASK_KEY * (n // 4 + 1))[:n]


fp.os = _FixedKeyOs()


def _self_check() -> None:
    version = importlib.metadata.version("wsproto")
    if version != EXPECTED_VERSION:
        sys.exit(f"wsproto_oracle: need wsproto=={EXPECTED_VERSION}, found {version}")
    # Masked empty PING must carry exactly our key, proving the patch took effect.
    got = bytes(fp.FrameProtocol(client=True, extensions=[]).ping(b""))
    if got != b"\x89\x80" + MASK_KEY:
        sys.exit(f"wsproto_oracle: masking-key patch ineffective, ping gave {got.hex()}")


def _frame_json(frame: fp.Frame) -> dict:
    payload = frame.payload
    if isinstance(payload, tuple):
        kind = "close"
        code, reason = payload
        out = [int(code), reason.encode("utf-8").hex()]
    elif isinstance(payload, str):
        kind = "text"
        out = payload.encode("utf-8").hex()
    else:
        kind = "bytes"
        out = bytes(payload).hex()
    return {
        "opcode": int(frame.opcode),
        "kind": kind,
        "payload": out,
        "frame_finished": bool(frame.frame_finished),
        "message_finished": bool(frame.message_finished),
    }


def _receive(case: dict) -> dict:
    chunks = [bytes.fromhex(c) for c in case["chunks"]]
    proto = fp.FrameProtocol(client=bool(case["client"]), extensions=[])
    frames: list[dict] = []
    error = None
    try:
        for chunk in chunks:
            proto.receive_bytes(chunk)
            for frame in proto.received_frames():
                frames.append(_frame_json(frame))
    except fp.ParseFailed as exc:
        error = {"code": int(exc.code), "msg": str(exc)}
    return {"id": case.get("id"), "frames": frames, "error": error}


def _text(hex_str: str) -> str:
    return bytes.fromhex(hex_str).decode("utf-8")


def _prepare(proto: fp.FrameProtocol, call: list):
    """Decode one call's arguments (harness errors propagate) into a thunk."""
    name = call[0]
    if name == "send_data":
        _, kind, data, fin = call
        if kind == "text":
            payload = _text(data)
        elif kind == "bytes":
            payload = bytes.fromhex(data)
        else:
            raise ValueError(f"send_data kind must be text or bytes, got {kind!r}")
        if not isinstance(fin, bool):
            raise ValueError(f"send_data fin must be a bool, got {fin!r}")
        return lambda: proto.send_data(payload, fin)
    if name in ("ping", "pong"):
        _, data = call
        payload = bytes.fromhex(data)
        return lambda: getattr(proto, name)(payload)
    if name == "close":
        if len(call) not in (3, 4):
            raise ValueError(f"close takes code, reason[, as_enum]: {call!r}")
        code, reason = call[1], call[2]
        if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
            raise ValueError(f"close code must be int or null, got {code!r}")
        if len(call) == 4 and call[3] is True and code is not None:
            try:
                code = fp.CloseReason(code)
            except ValueError:
                pass
        reason = None if reason is None else _text(reason)
        return lambda: proto.close(code, reason)
    raise ValueError(f"unknown call {name!r}")


def _type_name(exc: BaseException) -> str:
    """Builtin exceptions by bare name (TypeError), others qualified (struct.error)."""
    cls = type(exc)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__name__}"


def _send(case: dict) -> dict:
    proto = fp.FrameProtocol(client=bool(case["client"]), extensions=[])
    results = []
    for call in case["calls"]:
        thunk = _prepare(proto, call)
        try:
            results.append({"ok": bytes(thunk()).hex()})
        except Exception as exc:  # noqa: BLE001 - every wsproto error is a result
            results.append({"err": _type_name(exc)})
    return {"id": case.get("id"), "results": results}


# permessage-deflate sessions: a negotiated PerMessageDeflate and its FrameProtocol,
# kept across cases so that compression contexts carry over between messages.
_DEFLATE_SESSIONS: dict = {}


def _deflate(case: dict) -> dict:
    """Deflate case  {"id", "kind": "deflate", "session": S, "action": ...}

    open      {"client": bool, "params": {PerMessageDeflate kwargs}, "offer": str (server)}
              -> {"offer": str} (client) | {"answer": str | null} (server; null = declined)
    finalize  {"answer": str} -> {}  (client)
    io        {"chunks": [hex...], "calls": [call...]} -> {"frames", "error", "results"}
    """
    from wsproto.extensions import PerMessageDeflate

    session, action = case["session"], case["action"]
    if action == "open":
        ext = PerMessageDeflate(**case.get("params", {}))
        client = bool(case["client"])
        _DEFLATE_SESSIONS[session] = (client, ext, None)
        if client:
            return {"id": case.get("id"), "offer": f"{ext.name}; {ext.offer()}"}
        params = ext.accept(case["offer"])
        if params is None:
            return {"id": case.get("id"), "answer": None}
        answer = ext.name if params in ("", True) else f"{ext.name}; {params}"
        return {"id": case.get("id"), "answer": answer}
    client, ext, proto = _DEFLATE_SESSIONS[session]
    if action == "finalize":
        ext.finalize(case["answer"])
        return {"id": case.get("id")}
    if proto is None:
        proto = fp.FrameProtocol(client=client, extensions=[ext])
        _DEFLATE_SESSIONS[session] = (client, ext, proto)
    frames: list[dict] = []
    error = None
    try:
        for chunk in case.get("chunks", []):
            proto.receive_bytes(bytes.fromhex(chunk))
            for frame in proto.received_frames():
                frames.append(_frame_json(frame))
    except fp.ParseFailed as exc:
        error = {"code": int(exc.code), "msg": str(exc)}
    results = [{"ok": bytes(_prepare(proto, call)()).hex()} for call in case.get("calls", [])]
    return {"id": case.get("id"), "frames": frames, "error": error, "results": results}


def _handle(line: str) -> dict:
    case_id = None
    try:
        case = json.loads(line)
        case_id = case.get("id")
        kind = case["kind"]
        if kind == "receive":
            return _receive(case)
        if kind == "send":
            return _send(case)
        if kind == "deflate":
            return _deflate(case)
        raise ValueError(f"unknown case kind {kind!r}")
    except Exception as exc:  # noqa: BLE001 - report, keep serving
        return {"id": case_id, "exception": f"{_type_name(exc)}: {exc}"}


def main() -> None:
    sys.stdin.reconfigure(encoding="utf-8")
    sys.stdout.reconfigure(encoding="utf-8")
    _self_check()
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        sys.stdout.write(json.dumps(_handle(line)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
