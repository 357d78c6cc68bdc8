//! The server's side of the opening handshake fed arbitrary bytes: no panic, bounded
//! buffering, and the same events and error whether the bytes come whole or in two pieces
//! (the first input byte chooses the split).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsproto::events::AcceptConnection;
use wsproto::{Event, Server, WSConnection};
use wsproto_fuzz::EventLog;

/// Events (normalised) and the error, after feeding `pieces` and accepting any request.
fn run(pieces: &[&[u8]]) -> (Vec<String>, Option<String>) {
    let mut ws = WSConnection::<Server>::new(());
    let mut seen = EventLog::default();
    for piece in pieces {
        if let Err(error) = ws.receive_data(Some(piece)) {
            // Events queued before the error are still there: nothing received is lost.
            while let Some(event) = ws.next_event() {
                seen.push(&event);
            }
            return (seen.entries, Some(error.to_string()));
        }
        while let Some(event) = ws.next_event() {
            let request = matches!(event, Event::Request(_));
            seen.push(&event);
            if request {
                let response = ws
                    .send(AcceptConnection::default())
                    .expect("a parsed request can be accepted");
                assert!(response.starts_with(b"HTTP/1.1 101 "));
            }
        }
    }
    (seen.entries, None)
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let at = usize::from(split) * rest.len() / 255;
    assert_eq!(
        run(&[rest]),
        run(&[&rest[..at], &rest[at..]]),
        "split at {at}"
    );
});
