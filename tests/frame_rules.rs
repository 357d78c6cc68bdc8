//! Every receive rule of RFC 6455 §5 and of the seed, each with the close code it must
//! produce, and the send-side rules.

mod support {
    pub mod frames;
}

use support::frames::{from_client, from_server};
use wsproto::{
    Client, CloseReason, Frame, FrameProtocol, Limits, Opcode, ParseFailed, Payload, SendError,
    Server,
};

/// Feeds `wire` to a server and returns the frames delivered and the error, if any.
fn server_receives(wire: &[u8]) -> (Vec<Frame>, Option<ParseFailed>) {
    receive(&mut FrameProtocol::<Server>::new(()), wire)
}

fn receive<R: wsproto::Role>(
    proto: &mut FrameProtocol<R>,
    wire: &[u8],
) -> (Vec<Frame>, Option<ParseFailed>) {
    proto.receive_bytes(wire);
    let mut frames = Vec::new();
    for result in proto.received_frames() {
        match result {
            Ok(frame) => frames.push(frame),
            Err(e) => return (frames, Some(e)),
        }
    }
    (frames, None)
}

fn server_error(wire: &[u8]) -> CloseReason {
    let (_, error) = server_receives(wire);
    error.expect("the stream must be rejected").code()
}

fn concat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn reserved_opcodes_are_protocol_errors() {
    for opcode in [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf] {
        assert_eq!(
            server_error(&from_client(0x80 | opcode, b"")),
            CloseReason::PROTOCOL_ERROR,
            "{opcode:#x}"
        );
    }
}

#[test]
fn fragmented_control_frames_are_protocol_errors() {
    for opcode in [0x8, 0x9, 0xa] {
        assert_eq!(
            server_error(&from_client(opcode, b"")),
            CloseReason::PROTOCOL_ERROR
        );
    }
}

#[test]
fn control_payloads_over_125_bytes_are_protocol_errors() {
    assert_eq!(
        server_error(&from_client(0x89, &[0; 126])),
        CloseReason::PROTOCOL_ERROR
    );
    let (frames, error) = server_receives(&from_client(0x89, &[7; 125]));
    assert!(error.is_none());
    assert_eq!(frames[0].payload.as_bytes(), &[7; 125][..]);
}

#[test]
fn non_minimal_lengths_are_protocol_errors() {
    let two_byte_for_5 = [0x82, 0xfe, 0x00, 0x05, 1, 2, 3, 4, 0, 0, 0, 0, 0];
    assert_eq!(server_error(&two_byte_for_5), CloseReason::PROTOCOL_ERROR);
    let mut eight_byte_for_300 = vec![0x82, 0xff];
    eight_byte_for_300.extend_from_slice(&300u64.to_be_bytes());
    assert_eq!(
        server_error(&eight_byte_for_300),
        CloseReason::PROTOCOL_ERROR
    );
}

#[test]
fn length_with_the_most_significant_bit_is_a_protocol_error() {
    let mut wire = vec![0x82, 0xff];
    wire.extend_from_slice(&(1u64 << 63).to_be_bytes());
    assert_eq!(server_error(&wire), CloseReason::PROTOCOL_ERROR);
}

#[test]
fn masking_must_follow_the_role() {
    assert_eq!(
        server_error(&from_server(0x81, b"hi")),
        CloseReason::PROTOCOL_ERROR
    );
    let (_, error) = receive(
        &mut FrameProtocol::<Client>::new(()),
        &from_client(0x81, b"hi"),
    );
    assert_eq!(error.unwrap().code(), CloseReason::PROTOCOL_ERROR);
    let (frames, error) = receive(
        &mut FrameProtocol::<Client>::new(()),
        &from_server(0x81, b"hi"),
    );
    assert!(error.is_none());
    assert_eq!(frames[0].payload.as_text(), Some("hi"));
}

#[test]
fn rsv_bits_without_an_extension_are_protocol_errors() {
    for rsv in [0x40, 0x20, 0x10] {
        assert_eq!(
            server_error(&from_client(0x81 | rsv, b"x")),
            CloseReason::PROTOCOL_ERROR
        );
    }
}

#[test]
fn continuation_without_a_message_is_a_protocol_error() {
    assert_eq!(
        server_error(&from_client(0x80, b"x")),
        CloseReason::PROTOCOL_ERROR
    );
}

#[test]
fn a_new_message_inside_an_open_one_is_a_protocol_error() {
    let wire = concat(&[from_client(0x01, b"a"), from_client(0x82, b"b")]);
    let (frames, error) = server_receives(&wire);
    assert_eq!(
        frames.len(),
        1,
        "the first fragment was delivered before the error"
    );
    assert_eq!(error.unwrap().code(), CloseReason::PROTOCOL_ERROR);
}

#[test]
fn close_payload_rules() {
    let cases: [(&[u8], CloseReason); 9] = [
        (b"\x03", CloseReason::PROTOCOL_ERROR),
        (b"\x00\x00", CloseReason::PROTOCOL_ERROR),
        (b"\x03\xe7", CloseReason::PROTOCOL_ERROR),
        (b"\x13\x88", CloseReason::PROTOCOL_ERROR),
        (b"\x03\xed", CloseReason::PROTOCOL_ERROR),
        (b"\x03\xee", CloseReason::PROTOCOL_ERROR),
        (b"\x03\xf7", CloseReason::PROTOCOL_ERROR),
        (b"\x03\xec", CloseReason::PROTOCOL_ERROR),
        (b"\x03\xe8\xce", CloseReason::INVALID_FRAME_PAYLOAD_DATA),
    ];
    for (payload, code) in cases {
        assert_eq!(
            server_error(&from_client(0x88, payload)),
            code,
            "{payload:02x?}"
        );
    }
    for (payload, code, reason) in [
        (&b""[..], CloseReason::NO_STATUS_RCVD, ""),
        (b"\x03\xe8", CloseReason::NORMAL_CLOSURE, ""),
        (b"\x0b\xb8ok", CloseReason::new(3000), "ok"),
        (b"\x03\xf5\xc3\xa9", CloseReason::TRY_AGAIN_LATER, "é"),
    ] {
        let (frames, error) = server_receives(&from_client(0x88, payload));
        assert!(error.is_none(), "{error:?}");
        assert_eq!(
            frames[0].payload,
            Payload::Close(code, wsproto::Utf8Bytes::from(reason))
        );
    }
}

#[test]
fn invalid_utf8_fails_before_the_frame_ends() {
    // A 100-byte text frame whose third byte is invalid, of which only 10 bytes arrived.
    let mut payload = b"ok\xff".to_vec();
    payload.resize(100, b'a');
    let wire = from_client(0x81, &payload);
    let (_, error) = server_receives(&wire[..6 + 10]);
    assert_eq!(
        error.unwrap().code(),
        CloseReason::INVALID_FRAME_PAYLOAD_DATA
    );
}

#[test]
fn invalid_utf8_across_fragments_is_detected() {
    let wire = concat(&[from_client(0x01, b"ok\xe2\x82"), from_client(0x80, b"x")]);
    let (frames, error) = server_receives(&wire);
    assert_eq!(frames[0].payload.as_text(), Some("ok"));
    assert_eq!(
        error.unwrap().code(),
        CloseReason::INVALID_FRAME_PAYLOAD_DATA
    );
}

#[test]
fn a_text_message_ending_inside_a_character_is_invalid() {
    assert_eq!(
        server_error(&from_client(0x81, b"ok\xe2\x82")),
        CloseReason::INVALID_FRAME_PAYLOAD_DATA
    );
}

#[test]
fn binary_messages_are_not_utf8_checked() {
    let (frames, error) = server_receives(&from_client(0x82, b"\xff\xfe"));
    assert!(error.is_none());
    assert_eq!(frames[0].payload.as_bytes(), b"\xff\xfe");
}

#[test]
fn partial_frames_are_delivered_as_they_arrive() {
    let wire = from_client(0x82, b"abcdef");
    let mut server = FrameProtocol::<Server>::new(());
    let (first, _) = receive(&mut server, &wire[..6 + 2]);
    let (second, _) = receive(&mut server, &wire[6 + 2..]);
    assert_eq!(first.len(), 1);
    assert_eq!(
        (
            first[0].payload.as_bytes(),
            first[0].frame_finished,
            first[0].message_finished
        ),
        (&b"ab"[..], false, false)
    );
    assert_eq!(
        (
            second[0].opcode,
            second[0].payload.as_bytes(),
            second[0].frame_finished
        ),
        (Opcode::Binary, &b"cdef"[..], true)
    );
    assert!(second[0].message_finished);
}

#[test]
fn a_split_character_is_held_back_inside_a_frame() {
    let wire = from_client(0x81, "é!".as_bytes());
    let mut server = FrameProtocol::<Server>::new(());
    let (first, _) = receive(&mut server, &wire[..6 + 1]);
    let (second, _) = receive(&mut server, &wire[6 + 1..]);
    assert_eq!(first[0].payload.as_text(), Some(""));
    assert_eq!(second[0].payload.as_text(), Some("é!"));
}

#[test]
fn control_frames_interleave_with_fragments_and_arrive_whole() {
    let wire = concat(&[
        from_client(0x01, b"He"),
        from_client(0x89, b"ping"),
        from_client(0x80, b"llo"),
    ]);
    let mut server = FrameProtocol::<Server>::new(());
    // Cut inside the ping: nothing of it may come out until it is whole.
    let cut = 6 + 2 + 6 + 2;
    let (first, _) = receive(&mut server, &wire[..cut]);
    assert_eq!(first.len(), 1);
    let (rest, error) = receive(&mut server, &wire[cut..]);
    assert!(error.is_none());
    assert_eq!(
        (rest[0].opcode, rest[0].payload.as_bytes()),
        (Opcode::Ping, &b"ping"[..])
    );
    assert_eq!(
        (rest[1].opcode, rest[1].payload.as_text()),
        (Opcode::Text, Some("llo"))
    );
}

#[test]
fn nothing_is_delivered_after_an_error_or_a_close() {
    let mut server = FrameProtocol::<Server>::new(());
    let (_, error) = receive(
        &mut server,
        &concat(&[from_client(0x83, b""), from_client(0x81, b"x")]),
    );
    assert!(error.is_some());
    let (frames, error) = receive(&mut server, &from_client(0x81, b"y"));
    assert!(frames.is_empty() && error.is_none());

    let mut server = FrameProtocol::<Server>::new(());
    let wire = concat(&[from_client(0x88, b"\x03\xe8"), from_client(0x81, b"after")]);
    let (frames, error) = receive(&mut server, &wire);
    assert_eq!(frames.len(), 1);
    assert!(error.is_none());
}

#[test]
fn frame_and_message_limits_give_message_too_big() {
    let limits = Limits::default()
        .with_max_frame_size(10)
        .with_max_message_size(15);
    let mut server = FrameProtocol::<Server>::with_limits((), limits);
    let (_, error) = receive(&mut server, &from_client(0x82, &[0; 11]));
    assert_eq!(error.unwrap().code(), CloseReason::MESSAGE_TOO_BIG);

    let mut server = FrameProtocol::<Server>::with_limits((), limits);
    let wire = concat(&[from_client(0x02, &[0; 10]), from_client(0x80, &[0; 6])]);
    let (frames, error) = receive(&mut server, &wire);
    assert_eq!(frames.len(), 1, "the first fragment is not lost");
    assert_eq!(error.unwrap().code(), CloseReason::MESSAGE_TOO_BIG);
}

#[test]
fn a_huge_announced_length_is_refused_at_the_header() {
    let mut wire = vec![0x82, 0xff];
    wire.extend_from_slice(&(1u64 << 62).to_be_bytes());
    wire.extend_from_slice(&[1, 2, 3, 4]);
    assert_eq!(server_error(&wire), CloseReason::MESSAGE_TOO_BIG);
}

#[test]
fn a_huge_announced_length_streams_without_allocating_it() {
    let mut server = FrameProtocol::<Server>::with_limits((), Limits::unlimited());
    let mut wire = vec![0x82, 0xff];
    wire.extend_from_slice(&(1u64 << 62).to_be_bytes());
    wire.extend_from_slice(&[0, 0, 0, 0]);
    wire.extend_from_slice(&[9; 1000]);
    let (frames, error) = receive(&mut server, &wire);
    assert!(error.is_none());
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].payload.len(), 1000);
    assert!(!frames[0].frame_finished);
}

// --- Sending ---

#[test]
fn rfc_examples_encode_exactly() {
    // RFC 6455 §5.7.
    let mut server = FrameProtocol::<Server>::new(());
    assert_eq!(server.send_data("Hello", true).unwrap(), b"\x81\x05Hello");
    assert_eq!(server.send_data("Hel", false).unwrap(), b"\x01\x03Hel");
    assert_eq!(server.send_data("lo", true).unwrap(), b"\x80\x02lo");
    assert_eq!(server.ping(b"Hello").unwrap(), b"\x89\x05Hello");
    let mut client =
        FrameProtocol::<Client>::new(()).with_mask_key_source(|| [0x37, 0xfa, 0x21, 0x3d]);
    assert_eq!(
        client.send_data("Hello", true).unwrap(),
        [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58
        ]
    );
    assert_eq!(client.pong(b"Hello").unwrap()[..2], [0x8a, 0x85]);
    let big = server.send_data(&vec![0u8; 256], true).unwrap();
    assert_eq!(big[..4], [0x82, 0x7e, 0x01, 0x00]);
    let huge = server.send_data(&vec![0u8; 65_536], true).unwrap();
    assert_eq!(huge[..10], [0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
}

#[test]
fn client_keys_are_fresh_per_frame() {
    let mut client = FrameProtocol::<Client>::new(());
    let keys: std::collections::HashSet<Vec<u8>> = (0..50)
        .map(|_| client.send_data(b"x", true).unwrap()[2..6].to_vec())
        .collect();
    assert!(keys.len() >= 49);
}

#[test]
fn changing_type_inside_a_message_is_refused_and_changes_nothing() {
    let mut server = FrameProtocol::<Server>::new(());
    server.send_data(b"a", false).unwrap();
    let mut out = b"kept".to_vec();
    let err = server.send_data_into("b", true, &mut out).unwrap_err();
    assert_eq!(
        err,
        SendError::DataTypeMismatch {
            open: Opcode::Binary,
            got: Opcode::Text
        }
    );
    assert_eq!(out, b"kept");
    assert_eq!(server.send_data(b"c", true).unwrap(), b"\x80\x01c");
}

#[test]
fn control_payloads_over_125_bytes_are_refused() {
    let mut server = FrameProtocol::<Server>::new(());
    assert!(matches!(
        server.ping(&[0; 126]),
        Err(SendError::ControlPayloadTooLong { len: 126, .. })
    ));
    assert!(matches!(
        server.pong(&[0; 126]),
        Err(SendError::ControlPayloadTooLong { .. })
    ));
    assert_eq!(server.ping(&[0; 125]).unwrap().len(), 127);
}

/// Each close on a fresh protocol: a protocol sends one close (`tests/send_rules.rs`).
#[test]
fn close_follows_the_seed() {
    let close = |code, reason| FrameProtocol::<Server>::new(()).close(code, reason);
    assert_eq!(close(None, None).unwrap(), b"\x88\x00");
    assert_eq!(
        close(Some(CloseReason::NO_STATUS_RCVD), None).unwrap(),
        b"\x88\x00"
    );
    assert_eq!(
        close(Some(CloseReason::TLS_HANDSHAKE_FAILED), None).unwrap(),
        b"\x88\x02\x03\xe8"
    );
    assert_eq!(close(None, Some("why")), Err(SendError::ReasonWithoutCode));
    let long = "€".repeat(60);
    let frame = close(Some(CloseReason::GOING_AWAY), Some(&long)).unwrap();
    assert_eq!(frame[1] as usize, 2 + 123);
    assert!(std::str::from_utf8(&frame[4..]).is_ok());
}

#[test]
fn builders_refuse_to_start_inside_an_open_message() {
    let mut server = FrameProtocol::<Server>::new(());
    server.send_data("open", false).unwrap();
    assert_eq!(
        server.binary_message().err(),
        Some(SendError::MessageInProgress { open: Opcode::Text })
    );
    let mut out = Vec::new();
    server.send_data_into("done", true, &mut out).unwrap();
    let mut message = server.binary_message().unwrap();
    message.fragment(b"ab", &mut out).unwrap();
    message.finish(b"c", &mut out).unwrap();
    assert_eq!(server.outgoing_message(), None);
}

#[test]
fn debug_names_role_and_extensions() {
    assert_eq!(
        format!("{:?}", FrameProtocol::<Client>::new(())),
        "FrameProtocol<Client, []>"
    );
}

/// `FrameDecoder` delivers frames as on the wire (Python wsproto's `FrameDecoder`): the
/// frame's own opcode and raw payload, no text decoding and no close payload parsing. Where
/// it differs from Python's, deliberately: it checks fragment order (RFC 6455 §5.4) and
/// stops at a close frame.
#[test]
fn the_frame_decoder_delivers_frames_as_on_the_wire() {
    use wsproto::receive::FrameDecoder;
    let frames = |wire: &[u8]| {
        let mut decoder = FrameDecoder::<Server>::new(());
        decoder.receive_bytes(wire);
        let mut out = Vec::new();
        loop {
            match decoder.process_buffer() {
                Ok(Some(frame)) => out.push(Ok(frame)),
                Ok(None) => return out,
                Err(error) => {
                    // Every later call repeats the error.
                    assert_eq!(decoder.process_buffer(), Err(error.clone()));
                    out.push(Err(error.code()));
                    return out;
                }
            }
        }
    };
    // Invalid UTF-8 and a close payload with a bad code are bytes at this layer.
    let wire = concat(&[
        from_client(0x01, b"\xff"),
        from_client(0x80, b"ok"),
        from_client(0x88, &[0x03, 0xe7]),
        from_client(0x82, b"after the close"),
    ]);
    let got = frames(&wire);
    assert_eq!(got.len(), 3, "{got:?}");
    let expect = [
        (Opcode::Text, &b"\xff"[..], false),
        (Opcode::Continuation, &b"ok"[..], true),
        (Opcode::Close, &[0x03, 0xe7][..], true),
    ];
    for (frame, (opcode, payload, fin)) in got.iter().zip(expect) {
        let frame = frame.as_ref().unwrap();
        assert_eq!(
            (
                frame.opcode,
                frame.payload.as_bytes(),
                frame.message_finished
            ),
            (opcode, payload, fin)
        );
        assert!(matches!(frame.payload, Payload::Bytes(_)));
    }
    // A CONTINUATION without a message fails here, not only in a message decoder.
    assert_eq!(
        frames(&from_client(0x80, b"x")),
        [Err(CloseReason::PROTOCOL_ERROR)]
    );
}
