//! What fuzzing found (scripts/fuzz), each kept as the smallest input that showed it. The
//! rule all of them broke: the same bytes give the same close code whatever the chunking,
//! because a fault is reported in the order it occurs in the stream.
#![cfg(feature = "deflate")]

mod support {
    pub mod frames;
}

use support::frames::from_client;
use wsproto::deflate::{CodecError, MessageDecompressor, Negotiated, PerMessageDeflate};
use wsproto::{CloseReason, FrameProtocol, Limits, Server};

/// The close code a server reports for `wire` fed in two pieces cut at `at`.
fn server_error(wire: &[u8], at: usize, limits: Limits) -> Option<CloseReason> {
    let deflate = (PerMessageDeflate::negotiated(Negotiated::default()),);
    let mut server = FrameProtocol::<Server, _>::with_limits(deflate, limits);
    for piece in [&wire[..at], &wire[at..]] {
        server.receive_bytes(piece);
        for frame in server.received_frames() {
            if let Err(error) = frame {
                return Some(error.code());
            }
        }
    }
    None
}

/// Every cut gives `code`.
fn every_cut_gives(wire: &[u8], limits: Limits, code: CloseReason) {
    for at in 0..=wire.len() {
        assert_eq!(server_error(wire, at, limits), Some(code), "cut at {at}");
    }
}

/// A compressed message as a client sends it, `first` its first header byte.
fn compressed(text: &[u8], first: u8) -> Vec<u8> {
    let mut compress = flate2::Compress::new(flate2::Compression::default(), false);
    let mut payload = Vec::with_capacity(text.len() + 64);
    compress
        .compress_vec(text, &mut payload, flate2::FlushCompress::Sync)
        .unwrap();
    payload.truncate(payload.len() - 4);
    from_client(first, &payload)
}

/// inflate: output past the limit was reported as corruption when the same call went on to
/// find a bad block further on, but as too big when the bytes came in two calls.
#[test]
fn inflate_reports_the_limit_before_later_corruption() {
    // A literal, then a stored block whose LEN and NLEN disagree.
    let message = [0x02, 0x28, 0x0b, 0x10, 0xff, 0x02, 0x0b, 0x40];
    for at in 0..=message.len() {
        let mut decompressor = MessageDecompressor::new(9, false).unwrap();
        let mut out = Vec::new();
        let result = decompressor
            .decompress(&message[..at], &mut out, 0)
            .and_then(|()| decompressor.decompress(&message[at..], &mut out, 0));
        assert_eq!(
            result,
            Err(CodecError::MessageTooBig { limit: 0 }),
            "cut at {at}"
        );
    }
}

/// protocol_deflate: a TEXT frame inside an open message, its payload corrupt, gave 1007
/// when it arrived whole (inflated before the message decoder saw its opcode) and 1002
/// when its first byte arrived alone.
#[test]
fn fragment_order_is_checked_before_inflating() {
    let mut wire = compressed(b"open", 0x41); // TEXT, RSV1, FIN clear
    wire.extend(from_client(0xc1, &[0xff; 8])); // TEXT, RSV1, FIN: not a continuation
    every_cut_gives(&wire, Limits::default(), CloseReason::PROTOCOL_ERROR);
    // A CONTINUATION without a message, too.
    let wire = from_client(0x80, &[0xff; 8]);
    every_cut_gives(&wire, Limits::default(), CloseReason::PROTOCOL_ERROR);
}

/// protocol: a CONTINUATION after a finished message, under a limit of one fragment per
/// message, was a protocol error (1002) when the message had been taken in one step but
/// "too many fragments" (1009) when its header came alone, because the finished message's
/// fragment count carried over. A CONTINUATION outside a message starts no count of its
/// own: message order (RFC 6455 §5.4) refuses it, in every read and every delivery.
#[test]
fn a_continuation_after_a_finished_message_is_an_order_error() {
    // A message of one fragment (BINARY with FIN), and one of two (BINARY, CONTINUATION),
    // each under a limit it just meets; then a CONTINUATION with no message open.
    for (message, fragments) in [(vec![0x82], 1), (vec![0x02, 0x80], 2)] {
        let mut wire: Vec<u8> = message.iter().flat_map(|&b| from_client(b, b"")).collect();
        wire.extend(from_client(0x00, b""));
        let limits = Limits::default()
            .with_max_message_size(1)
            .with_max_fragments_per_message(fragments);
        for whole in [false, true] {
            for at in 0..=wire.len() {
                let mut server =
                    FrameProtocol::<Server>::with_limits((), limits).with_whole_messages(whole);
                let mut error = None;
                for piece in [&wire[..at], &wire[at..]] {
                    server.receive_bytes(piece);
                    for frame in server.received_frames() {
                        if let Err(e) = frame {
                            error = Some(e.code());
                        }
                    }
                }
                assert_eq!(
                    error,
                    Some(CloseReason::PROTOCOL_ERROR),
                    "{fragments} fragments, whole {whole}, cut at {at}"
                );
            }
        }
    }
}

/// protocol_deflate: a compressed text message, invalid UTF-8 from its first byte and
/// inflating past the limit, gave 1009 when it arrived whole and 1007 when in pieces.
#[test]
fn invalid_text_before_the_limit_is_reported_first() {
    let mut text = b"\xff".to_vec();
    text.extend_from_slice(&[b'a'; 100]);
    let wire = compressed(&text, 0xc1); // TEXT, RSV1, FIN
    let limits = Limits::default().with_max_message_size(16);
    every_cut_gives(&wire, limits, CloseReason::INVALID_FRAME_PAYLOAD_DATA);
    // Valid text past the limit: 1009, with the first 16 bytes delivered.
    let wire = compressed(&[b'a'; 100], 0xc1);
    every_cut_gives(&wire, limits, CloseReason::MESSAGE_TOO_BIG);
    let deflate = (PerMessageDeflate::negotiated(Negotiated::default()),);
    let mut server = FrameProtocol::<Server, _>::with_limits(deflate, limits);
    server.receive_bytes(&wire);
    let first = server.next_frame().unwrap().unwrap();
    assert_eq!(first.payload.as_text(), Some("aaaaaaaaaaaaaaaa"));
    assert!(!first.message_finished);
    assert_eq!(
        server.next_frame().unwrap_err().code(),
        CloseReason::MESSAGE_TOO_BIG
    );
}

/// Found by the `handshake_client` target: after a rejection without a body (a 304), the
/// bytes behind it in the same read made the end of the stream an error, while the same
/// bytes in a later read were refused as "already closed". A finished rejection now ends
/// the exchange: what follows is dropped, in any read, and the end of the stream is fine.
#[test]
fn bytes_after_a_finished_rejection_are_dropped_in_any_read() {
    use wsproto::events::Request;
    use wsproto::{Client, ConnectionState, Event, WSConnection};
    let response = b"HTTP/1.1 304 Not Modified\r\n\r\ntrailing junk";
    for cut in 0..=response.len() {
        let mut client = WSConnection::<Client>::new(());
        client.send(Request::new("h", "/")).unwrap();
        client.receive_data(Some(&response[..cut])).unwrap();
        client.receive_data(Some(&response[cut..])).unwrap();
        client.receive_data(None).unwrap();
        let events: Vec<Event> = client.events().collect();
        assert!(
            matches!(&events[..], [Event::RejectConnection(r)] if r.status_code == 304),
            "cut {cut}: {events:?}"
        );
        assert_eq!(client.state(), ConnectionState::Closed);
    }
}

/// From the `handshake_client` target: a rejection's head and a malformed chunked body in
/// one read give the body's error, and the `RejectConnection` that came before it is still
/// delivered, as when they arrive in two reads.
#[test]
fn the_rejection_before_a_malformed_body_is_not_lost() {
    use wsproto::events::Request;
    use wsproto::{Client, Event, WSConnection};
    let response = b"HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnopeXX";
    for cut in [0, 20, response.len() - 3] {
        let mut client = WSConnection::<Client>::new(());
        client.send(Request::new("h", "/")).unwrap();
        let first = client.receive_data(Some(&response[..cut]));
        let mut events: Vec<Event> = client.events().collect();
        let second = client.receive_data(Some(&response[cut..]));
        events.extend(client.events());
        let error = first.and(second).unwrap_err();
        assert!(error.to_string().contains("CRLF"), "{error}");
        assert!(
            matches!(&events[0], Event::RejectConnection(r) if r.status_code == 403),
            "cut {cut}: {events:?}"
        );
    }
}

/// protocol (whole-message delivery): a character split across two frames, then a byte
/// that cannot continue it at the start of the next frame's first piece. Whole-message
/// delivery failed at once; piece delivery held the byte back as the start of a character
/// and failed only when the frame ended.
#[test]
fn a_character_broken_across_frames_fails_at_once() {
    use wsproto::{Client, Opcode};
    // TEXT "\xe2" (FIN clear), two empty CONTINUATIONs, a CONTINUATION announcing 9 bytes
    // of which only "\xc8" has arrived.
    let wire = [0x01, 0x01, 0xe2, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0xc8];
    for whole in [false, true] {
        for at in 0..=wire.len() {
            let mut client = FrameProtocol::<Client>::new(()).with_whole_messages(whole);
            let mut error = None;
            for piece in [&wire[..at], &wire[at..]] {
                client.receive_bytes(piece);
                for frame in client.received_frames() {
                    match frame {
                        Ok(frame) => assert_eq!(frame.opcode, Opcode::Text),
                        Err(e) => error = Some(e.code()),
                    }
                }
            }
            let want = Some(CloseReason::INVALID_FRAME_PAYLOAD_DATA);
            assert_eq!(error, want, "whole {whole}, cut at {at}");
        }
    }
}
