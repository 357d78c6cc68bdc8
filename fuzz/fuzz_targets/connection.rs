//! A full server connection: a valid opening handshake followed by arbitrary bytes, with
//! permessage-deflate negotiated or not: no panic, and the same events whether the bytes
//! come whole or in two pieces. Every event the connection asks to answer can be sent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::events::AcceptConnection;
use wsproto::{ConnectionState, Event, Server, WSConnection};
use wsproto_fuzz::EventLog;

const REQUEST: &[u8] =
    b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
const DEFLATE: &[u8] = b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";

fn run(deflate: bool, pieces: &[&[u8]]) -> Vec<String> {
    let extension = PerMessageDeflate::new(DeflateConfig::default());
    let mut ws = WSConnection::<Server, _>::new((extension,));
    let head = [REQUEST, if deflate { DEFLATE } else { b"" }, b"\r\n"].concat();
    ws.receive_data(Some(&head)).expect("a valid request");
    let mut seen = EventLog::default();
    while let Some(event) = ws.next_event() {
        if matches!(event, Event::Request(_)) {
            ws.send(AcceptConnection::default()).expect("accept");
        }
    }
    for piece in pieces {
        // At `Closed` an application closes the transport: more data would be its error
        // (as in wsproto), not the peer's, and would depend on where the reads were cut.
        if ws.state() == ConnectionState::Closed {
            break;
        }
        ws.receive_data(Some(piece))
            .expect("data is accepted until Closed");
        while let Some(event) = ws.next_event() {
            seen.push(&event);
            let reply: Option<Event> = match event {
                Event::Ping(ping) => Some(ping.response().into()),
                Event::CloseConnection(close) => Some(close.response().into()),
                _ => None,
            };
            if let Some(reply) = reply {
                // Answers the state allows must encode; others are refused, never a panic.
                let _ = ws.send(reply);
            }
        }
    }
    seen.entries
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let deflate = split & 1 == 1;
    let at = usize::from(split >> 1) * rest.len() / 127;
    assert_eq!(
        run(deflate, &[rest]),
        run(deflate, &[&rest[..at], &rest[at..]]),
        "split at {at}"
    );
});
