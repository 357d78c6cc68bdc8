//! The blocking WebSocket end to end over real sockets on 127.0.0.1: messages both ways,
//! deflate negotiated, the closing handshake and the transport shut down after it,
//! protocol errors, deadlines on the handshake and on the peer's close, ping floods.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use wsproto::deflate::PerMessageDeflate;
use wsproto::events::Request;
use wsproto::io::blocking::{WebSocket, accept, connect};
use wsproto::io::{Config, Error, Message};
use wsproto::{CloseReason, ConnectionState, Server};

/// A request head a raw client sends (RFC 6455 §1.3's example key).
const REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Sec-WebSocket-Version: 13\r\n\r\n";

/// A server thread running `serve` on the first connection, and its address.
fn server<T: Send + 'static>(
    serve: impl FnOnce(TcpStream) -> T + Send + 'static,
) -> (std::net::SocketAddr, thread::JoinHandle<T>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || serve(listener.accept().unwrap().0));
    (addr, handle)
}

/// An echo server: whole messages back until the connection ends.
fn echo<E: wsproto::ext::ExtensionList>(ws: &mut WebSocket<TcpStream, Server, E>) {
    while let Some(message) = ws.recv() {
        if let message @ (Message::Text(_) | Message::Binary(_)) = message.unwrap() {
            ws.send(message).unwrap();
        }
    }
}

/// A raw client that has sent the request and read the 101.
fn raw_client(addr: std::net::SocketAddr) -> TcpStream {
    let mut raw = TcpStream::connect(addr).unwrap();
    raw.write_all(REQUEST).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        raw.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"));
    raw
}

fn read_to_end(raw: &mut TcpStream) -> Vec<u8> {
    raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut all = Vec::new();
    raw.read_to_end(&mut all).unwrap();
    all
}

#[test]
fn messages_go_both_ways_and_the_close_ends_both_sides() {
    let (addr, server) = server(|io| {
        let mut ws = accept(io, (), Config::default()).unwrap();
        echo(&mut ws);
        ws.state()
    });
    let io = TcpStream::connect(addr).unwrap();
    let (mut ws, _) = connect(io, Request::new("localhost", "/"), (), Config::default()).unwrap();
    for message in [
        Message::text("héllo 🦀"),
        Message::binary((0..=255).collect::<Vec<u8>>()),
        Message::text(""),
    ] {
        ws.send(message.clone()).unwrap();
        assert_eq!(ws.recv().unwrap().unwrap(), message);
    }
    ws.send(Message::Ping("p".into())).unwrap();
    assert_eq!(ws.recv().unwrap().unwrap(), Message::Pong("p".into()));
    ws.close().unwrap();
    assert_eq!(ws.state(), ConnectionState::Closed);
    assert_eq!(server.join().unwrap(), ConnectionState::Closed);
}

#[test]
fn deflate_is_negotiated_and_a_large_message_comes_back_whole() {
    let (addr, server) = server(|io| {
        let mut ws = accept(io, (PerMessageDeflate::default(),), Config::default()).unwrap();
        assert_eq!(
            ws.connection().protocol().enabled_extensions(),
            ["permessage-deflate"]
        );
        echo(&mut ws);
    });
    let io = TcpStream::connect(addr).unwrap();
    let extensions = (PerMessageDeflate::default(),);
    let (mut ws, accepted) = connect(
        io,
        Request::new("localhost", "/"),
        extensions,
        Config::default(),
    )
    .unwrap();
    assert_eq!(accepted.extensions.len(), 1);
    let binary: Vec<u8> = (0..1 << 20).map(|i| (i * 7 % 251) as u8).collect();
    ws.send(Message::binary(binary.clone())).unwrap();
    assert_eq!(ws.recv().unwrap().unwrap(), Message::binary(binary));
    ws.close().unwrap();
    server.join().unwrap();
}

/// A server in pieces mode echoes each piece as it arrives: a message streams through
/// without being held whole (RFC 6455 §5.4: pieces are fragments), to a whole-message client.
#[test]
fn pieces_stream_through_a_server_that_never_holds_a_whole_message() {
    let (addr, server) = server(|io| {
        let config = Config::default().with_message_pieces(true);
        let mut ws = accept(io, (), config).unwrap();
        let mut pieces = 0;
        while let Some(message) = ws.recv() {
            let message = message.unwrap();
            if let Message::TextPiece { .. } | Message::BinaryPiece { .. } = message {
                pieces += 1;
                ws.send(message).unwrap();
            }
        }
        pieces
    });
    let io = TcpStream::connect(addr).unwrap();
    let (mut ws, _) = connect(io, Request::new("localhost", "/"), (), Config::default()).unwrap();
    let binary: Vec<u8> = (0..4 << 20).map(|i| (i * 7 % 251) as u8).collect();
    ws.send(Message::binary(binary.clone())).unwrap();
    assert_eq!(ws.recv().unwrap().unwrap(), Message::binary(binary));
    ws.send(Message::text("small")).unwrap();
    assert_eq!(ws.recv().unwrap().unwrap(), Message::text("small"));
    ws.close().unwrap();
    let pieces = server.join().unwrap();
    assert!(pieces > 2, "4 MiB came in {pieces} pieces: not streamed");
}

#[test]
fn a_protocol_error_sends_its_close_and_shuts_the_transport() {
    let (addr, server) = server(|io| {
        let mut ws = accept(io, (), Config::default()).unwrap();
        let first = ws.recv();
        (
            matches!(first, Some(Err(Error::Protocol(c))) if c.code == CloseReason::PROTOCOL_ERROR),
            ws.recv().is_none(),
        )
    });
    let mut raw = raw_client(addr);
    // An unmasked frame from a client (RFC 6455 §5.1): 1002.
    raw.write_all(b"\x81\x02hi").unwrap();
    let rest = read_to_end(&mut raw);
    assert_eq!((rest[0], &rest[2..4]), (0x88, &b"\x03\xea"[..]));
    assert_eq!(
        rest.len(),
        2 + usize::from(rest[1]),
        "the close frame, then the end"
    );
    // The server reads until we close too, so that its close is not lost to a reset.
    drop(raw);
    assert_eq!(server.join().unwrap(), (true, true));
}

#[test]
fn a_trickled_handshake_is_cut_at_the_deadline() {
    let config = Config::default().with_handshake_timeout(Duration::from_millis(500));
    let (addr, server) = server(move |io| accept(io, (), config).map(drop));
    let mut raw = TcpStream::connect(addr).unwrap();
    let started = Instant::now();
    // One byte every 50 ms: each read is quick, the whole is not.
    for &byte in &REQUEST[..60] {
        if raw.write_all(&[byte]).is_err() {
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    assert!(matches!(
        server.join().unwrap(),
        Err(Error::HandshakeTimeout)
    ));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(read_to_end(&mut raw).is_empty(), "closed without an answer");
}

#[test]
fn an_oversized_head_is_answered_with_431_and_closed() {
    let (addr, server) = server(|io| accept(io, (), Config::default()).map(drop));
    let mut raw = TcpStream::connect(addr).unwrap();
    raw.write_all(b"GET / HTTP/1.1\r\nX-Long: ").unwrap();
    raw.write_all(&[b'a'; 20 << 10]).unwrap();
    let answer = read_to_end(&mut raw);
    assert!(
        answer.starts_with(b"HTTP/1.1 431"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(matches!(server.join().unwrap(), Err(Error::Handshake(_))));
}

#[test]
fn an_unanswered_close_ends_at_the_close_timeout() {
    let config = Config::default().with_close_timeout(Duration::from_millis(300));
    let (addr, server) = server(move |io| {
        let mut ws = accept(io, (), config).unwrap();
        let started = Instant::now();
        ws.close().unwrap();
        (started.elapsed(), ws.state())
    });
    let mut raw = raw_client(addr);
    let mut close = [0u8; 4];
    raw.read_exact(&mut close).unwrap();
    assert_eq!(close, *b"\x88\x02\x03\xe8");
    // The raw client never answers; the server gives up after the timeout.
    let (waited, state) = server.join().unwrap();
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert_eq!(state, ConnectionState::LocalClosing);
}

#[test]
fn a_ping_flood_holds_one_pong() {
    let (addr, server) = server(|io| {
        let mut ws = accept(io, (), Config::default()).unwrap();
        let mut pings = 0;
        let mut most_queued = 0;
        while let Some(message) = ws.recv() {
            match message.unwrap() {
                Message::Ping(_) => pings += 1,
                _ => break,
            }
            most_queued = most_queued.max(ws.queued());
        }
        (pings, most_queued)
    });
    let mut raw = raw_client(addr);
    let mut flood = Vec::new();
    for i in 0..10_000u32 {
        flood.extend_from_slice(&[0x89, 0x84, 0, 0, 0, 0]);
        flood.extend_from_slice(&i.to_be_bytes());
    }
    flood.extend_from_slice(&[0x81, 0x83, 0, 0, 0, 0, b'e', b'n', b'd']);
    raw.write_all(&flood).unwrap();
    let (pings, most_queued) = server.join().unwrap();
    assert_eq!(pings, 10_000);
    assert!(most_queued <= 2 + 125, "{most_queued} bytes queued");
}

#[test]
fn a_fragmented_message_in_the_same_read_as_the_101_comes_whole() {
    // A server that writes its 101 and a message in two fragments at once, as Autobahn's
    // fuzzing server does: the client must not see the fragments as two messages.
    let (addr, server) = server(|mut io| {
        let mut request = [0u8; 4096];
        let n = io.read(&mut request).unwrap();
        let request = String::from_utf8_lossy(&request[..n]).into_owned();
        let key = request
            .lines()
            .find_map(|line| line.strip_prefix("Sec-WebSocket-Key: "))
            .unwrap();
        let accept = wsproto::handshake::accept_token(key);
        let answer = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {accept}\r\n\r\n"
        );
        let wire = [answer.as_bytes(), b"\x01\x09fragment1\x80\x09fragment2"].concat();
        io.write_all(&wire).unwrap();
        io
    });
    let io = TcpStream::connect(addr).unwrap();
    let (mut ws, _) = connect(io, Request::new("h", "/"), (), Config::default()).unwrap();
    assert_eq!(
        ws.recv().unwrap().unwrap(),
        Message::text("fragment1fragment2")
    );
    drop(server.join().unwrap());
}

#[test]
fn every_ping_is_answered_while_the_peer_reads() {
    // Autobahn 2.10: ten pings in one write, ten pongs with their payloads.
    let (addr, server) = server(|io| {
        let mut ws = accept(io, (), Config::default()).unwrap();
        (0..10)
            .map(|_| ws.recv().unwrap().unwrap())
            .collect::<Vec<_>>()
    });
    let mut raw = raw_client(addr);
    let pings: Vec<u8> = (0..10u8)
        .flat_map(|i| [0x89, 0x81, 0, 0, 0, 0, i])
        .collect();
    raw.write_all(&pings).unwrap();
    let mut pongs = [0u8; 30];
    raw.read_exact(&mut pongs).unwrap();
    let expected: Vec<u8> = (0..10u8).flat_map(|i| [0x8a, 0x01, i]).collect();
    assert_eq!(pongs[..], expected[..]);
    let seen = server.join().unwrap();
    assert_eq!(
        seen,
        (0..10u8)
            .map(|i| Message::Ping(vec![i].into()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_peer_that_does_not_answer_keepalive_pings_is_given_up() {
    let config = Config::default().with_keepalive(Duration::from_millis(200));
    let (addr, server) = server(move |io| {
        let mut ws = accept(io, (), config).unwrap();
        let started = Instant::now();
        let result = ws.recv();
        (
            matches!(result, Some(Err(Error::KeepaliveTimeout))),
            started.elapsed(),
        )
    });
    let mut raw = raw_client(addr);
    let wire = read_to_end(&mut raw);
    drop(raw);
    let (given_up, waited) = server.join().unwrap();
    assert!(given_up);
    // One ping at 200 ms, unanswered at 400 ms.
    assert!(waited >= Duration::from_millis(400), "{waited:?}");
    assert_eq!(&wire[..11], b"\x89\x09keepalive");
    assert_eq!((wire[11], &wire[13..15]), (0x88, &b"\x03\xf3"[..]));
}
