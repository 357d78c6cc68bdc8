//! What an application gets when the peer breaks a rule: everything completed before the
//! bad frame, then an error that names the rule and the value, carries the close code, and
//! leaves the endpoint able to send its close frame.
#![cfg(feature = "deflate")]

mod support {
    pub mod frames;
}

use support::frames::{from_client, from_server};
use wsproto::deflate::{Negotiated, PerMessageDeflate};
use wsproto::ext::ExtensionList;
use wsproto::{
    Client, CloseReason, FrameProtocol, Limits, Opcode, ParseFailed, Payload, Role, Server,
};

fn deflate() -> (PerMessageDeflate,) {
    (PerMessageDeflate::negotiated(Negotiated::default()),)
}

/// A frame as `R`'s peer sends it.
fn to<R: Role>(first: u8, payload: &[u8]) -> Vec<u8> {
    if R::IS_CLIENT {
        from_server(first, payload)
    } else {
        from_client(first, payload)
    }
}

/// Everything delivered for `wire` received in one piece, as (opcode, bytes) per frame,
/// then the error.
fn receive<R: Role, E: ExtensionList>(
    proto: &mut FrameProtocol<R, E>,
    wire: &[u8],
) -> (Vec<(Opcode, Vec<u8>)>, ParseFailed) {
    proto.receive_bytes(wire);
    let mut frames = Vec::new();
    for frame in proto.received_frames() {
        match frame {
            Ok(frame) => frames.push((frame.opcode, frame.payload.as_bytes().to_vec())),
            Err(error) => return (frames, error),
        }
    }
    panic!("no error for {wire:02x?}; frames {frames:?}");
}

/// After `error`, the endpoint still encodes its close frame, and the peer reads it back
/// with the error's code and (the start of) its message as the reason.
fn close_after<R: Role, E: ExtensionList>(proto: &mut FrameProtocol<R, E>, error: &ParseFailed) {
    let wire = proto
        .close(Some(error.code()), Some(error.message()))
        .expect("a close frame after the failure");
    let frame = if R::IS_CLIENT {
        let mut server = FrameProtocol::<Server>::new(());
        server.receive_bytes(&wire);
        server.next_frame()
    } else {
        let mut client = FrameProtocol::<Client>::new(());
        client.receive_bytes(&wire);
        client.next_frame()
    };
    match frame.unwrap().unwrap().payload {
        Payload::Close(code, reason) => {
            assert_eq!(code, error.code());
            assert!(!reason.is_empty() && error.message().starts_with(reason.as_str()));
        }
        other => panic!("not a close frame: {other:?}"),
    }
}

/// What comes before every bad frame below: a whole message, a fragmented one with a ping
/// inside, and a pong.
fn good_start<R: Role>() -> (Vec<u8>, Vec<(Opcode, Vec<u8>)>) {
    let wire = [
        to::<R>(0x81, b"one"),
        to::<R>(0x02, b"tw"),
        to::<R>(0x89, b"ping"),
        to::<R>(0x80, b"o"),
        to::<R>(0x8a, b""),
    ]
    .concat();
    let frames = vec![
        (Opcode::Text, b"one".to_vec()),
        (Opcode::Binary, b"tw".to_vec()),
        (Opcode::Ping, b"ping".to_vec()),
        (Opcode::Binary, b"o".to_vec()),
        (Opcode::Pong, b"".to_vec()),
    ];
    (wire, frames)
}

/// Each bad frame, the code it must give, and words its message must contain.
fn bad_frames<R: Role>() -> Vec<(Vec<u8>, CloseReason, &'static [&'static str])> {
    let mut masked_wrong = vec![0x81, if R::IS_CLIENT { 0x81 } else { 0x01 }];
    masked_wrong.extend_from_slice(if R::IS_CLIENT {
        &[1, 2, 3, 4, b'x']
    } else {
        b"x"
    });
    vec![
        (
            to::<R>(0x83, b""),
            CloseReason::PROTOCOL_ERROR,
            &["opcode 0x3", "reserved"],
        ),
        (
            to::<R>(0x09, b""),
            CloseReason::PROTOCOL_ERROR,
            &["PING", "fragmented"],
        ),
        (
            to::<R>(0x80, b"x"),
            CloseReason::PROTOCOL_ERROR,
            &["CONTINUATION", "§5.4"],
        ),
        (
            to::<R>(0xc1, b"x"),
            CloseReason::PROTOCOL_ERROR,
            &["RSV bits 0x40"],
        ),
        (
            masked_wrong,
            CloseReason::PROTOCOL_ERROR,
            &["masked", "§5.1"],
        ),
        (
            to::<R>(0x81, b"ok \xc3\x28"),
            CloseReason::INVALID_FRAME_PAYLOAD_DATA,
            &["not valid UTF-8 at byte 3"],
        ),
        (
            to::<R>(0x88, b"\x03\xed"),
            CloseReason::PROTOCOL_ERROR,
            &["code 1005", "local use"],
        ),
        (
            to::<R>(0x82, &[0; 17]),
            CloseReason::MESSAGE_TOO_BIG,
            &["frame of 17 bytes", "limit of 16", "Limits::max_frame_size"],
        ),
    ]
}

fn errors_after_good_frames<R: Role>() {
    let limits = Limits::default().with_max_frame_size(16);
    for (bad, code, words) in bad_frames::<R>() {
        let (good, expected) = good_start::<R>();
        let mut proto = FrameProtocol::<R>::with_limits((), limits);
        let (frames, error) = receive(&mut proto, &[good, bad.clone()].concat());
        assert_eq!(
            frames, expected,
            "everything before {bad:02x?} is delivered"
        );
        assert_eq!(error.code(), code, "{error}");
        for word in words {
            assert!(error.message().contains(word), "{error:?} lacks {word:?}");
        }
        assert_eq!(proto.next_frame(), Ok(None), "nothing after the error");
        close_after(&mut proto, &error);
    }
}

#[test]
fn a_server_delivers_what_came_before_an_error_then_can_close() {
    errors_after_good_frames::<Server>();
}

#[test]
fn a_client_delivers_what_came_before_an_error_then_can_close() {
    errors_after_good_frames::<Client>();
}

/// With permessage-deflate: compressed messages before the bad frame are delivered whole.
fn deflate_errors<R: Role>() {
    let mut sender_wire = Vec::new();
    let good = if R::IS_CLIENT {
        let mut server = FrameProtocol::<Server, _>::new(deflate());
        server
            .send_data_into("first", true, &mut sender_wire)
            .unwrap();
        server
            .send_data_into("second", true, &mut sender_wire)
            .unwrap();
        sender_wire
    } else {
        let mut client = FrameProtocol::<Client, _>::new(deflate());
        client
            .send_data_into("first", true, &mut sender_wire)
            .unwrap();
        client
            .send_data_into("second", true, &mut sender_wire)
            .unwrap();
        sender_wire
    };
    let cases: [(Vec<u8>, CloseReason, &str); 3] = [
        (
            to::<R>(0xc2, &[0xff; 8]),
            CloseReason::INVALID_FRAME_PAYLOAD_DATA,
            "not a valid DEFLATE stream (RFC 7692 §7.2.2)",
        ),
        (
            to::<R>(0xc9, b""),
            CloseReason::PROTOCOL_ERROR,
            "RSV1 on a control",
        ),
        (
            to::<R>(0x80, b"x"),
            CloseReason::PROTOCOL_ERROR,
            "without a message",
        ),
    ];
    for (bad, code, words) in cases {
        let mut proto = FrameProtocol::<R, _>::new(deflate());
        let (frames, error) = receive(&mut proto, &[good.clone(), bad].concat());
        assert_eq!(
            frames,
            [
                (Opcode::Text, b"first".to_vec()),
                (Opcode::Text, b"second".to_vec())
            ]
        );
        assert_eq!(error.code(), code, "{error}");
        assert!(error.message().contains(words), "{error:?} lacks {words:?}");
        close_after(&mut proto, &error);
    }
}

#[test]
fn a_deflate_server_delivers_what_came_before_an_error_then_can_close() {
    deflate_errors::<Server>();
}

#[test]
fn a_deflate_client_delivers_what_came_before_an_error_then_can_close() {
    deflate_errors::<Client>();
}

#[test]
fn a_close_frame_can_be_sent_after_receiving_one() {
    let mut server = FrameProtocol::<Server, _>::new(deflate());
    server.receive_bytes(&from_client(0x88, b"\x03\xe8bye"));
    let close = server.next_frame().unwrap().unwrap();
    assert!(
        matches!(close.payload, Payload::Close(code, _) if code == CloseReason::NORMAL_CLOSURE)
    );
    let reply = server
        .close(Some(CloseReason::NORMAL_CLOSURE), None)
        .unwrap();
    assert_eq!(reply, b"\x88\x02\x03\xe8");
}
