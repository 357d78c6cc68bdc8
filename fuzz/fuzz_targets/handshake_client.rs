//! The client's side of the opening handshake fed an arbitrary answer (a 101 with any
//! headers, a rejection with any body framing): no panic, and the same events and error
//! whether the answer comes whole or in two pieces.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsproto::events::Request;
use wsproto::{Client, WSConnection};
use wsproto_fuzz::EventLog;

fn run(pieces: &[&[u8]], end_of_stream: bool) -> (Vec<String>, Option<String>) {
    let mut ws = WSConnection::<Client>::new(());
    let request = Request {
        subprotocols: vec!["chat".into()],
        ..Request::new("example.com", "/")
    };
    ws.send(request).expect("a valid request");
    let mut seen = EventLog::default();
    let feeds = pieces
        .iter()
        .map(|p| Some(*p))
        .chain(end_of_stream.then_some(None));
    for feed in feeds {
        if let Err(error) = ws.receive_data(feed) {
            // Events queued before the error are still there: nothing received is lost.
            while let Some(event) = ws.next_event() {
                seen.push(&event);
            }
            return (seen.entries, Some(error.to_string()));
        }
        while let Some(event) = ws.next_event() {
            seen.push(&event);
        }
    }
    (seen.entries, None)
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let at = usize::from(split >> 1) * rest.len() / 127;
    let end_of_stream = split & 1 == 1;
    assert_eq!(
        run(&[rest], end_of_stream),
        run(&[&rest[..at], &rest[at..]], end_of_stream),
        "split at {at}"
    );
});
