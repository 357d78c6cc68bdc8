//! `PerMessageDeflate` inside `FrameProtocol`: every parameter combination round-trips in
//! both directions, and each RFC 7692 rule a receiver enforces has its close code.

use proptest::prelude::*;
use wsproto::deflate::{DeflateConfig, MessageCompressor, Negotiated, PerMessageDeflate};
use wsproto::ext::{Extension, ExtensionList};
use wsproto::{Client, CloseReason, FrameProtocol, Limits, Opcode, Payload, Role, Server};

type Deflate = (PerMessageDeflate,);

fn pair(
    agreed: Negotiated,
    limits: Limits,
) -> (
    FrameProtocol<Client, Deflate>,
    FrameProtocol<Server, Deflate>,
) {
    (
        FrameProtocol::with_limits((PerMessageDeflate::negotiated(agreed),), limits),
        FrameProtocol::with_limits((PerMessageDeflate::negotiated(agreed),), limits),
    )
}

/// Whole messages and control frames a receiver saw, or the close code it failed with.
pub fn receive<R: Role, E: ExtensionList>(
    proto: &mut FrameProtocol<R, E>,
    pieces: &[&[u8]],
) -> Result<Vec<(Opcode, Vec<u8>)>, CloseReason> {
    let mut events = Vec::new();
    let mut message = Vec::new();
    for piece in pieces {
        proto.receive_bytes(piece);
        for frame in proto.received_frames() {
            let frame = frame.map_err(|e| e.code())?;
            if frame.opcode.is_control() {
                events.push((frame.opcode, frame.payload.as_bytes().to_vec()));
                continue;
            }
            message.extend_from_slice(frame.payload.as_bytes());
            if frame.message_finished {
                events.push((frame.opcode, std::mem::take(&mut message)));
            }
        }
    }
    Ok(events)
}

fn masked(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![first, 0x80 | payload.len() as u8, 0, 0, 0, 0];
    out.extend_from_slice(payload);
    out
}

pub fn agreed() -> impl Strategy<Value = Negotiated> {
    (any::<bool>(), any::<bool>(), 8u8..=15, 8u8..=15).prop_map(|(c, s, cb, sb)| Negotiated {
        client_no_context_takeover: c,
        server_no_context_takeover: s,
        client_max_window_bits: cb,
        server_max_window_bits: sb,
    })
}

/// Compressible payloads: a random pattern repeated, so windows and contexts matter.
fn payload() -> impl Strategy<Value = (bool, Vec<u8>)> {
    prop_oneof![
        ("\\PC{0,12}", 0usize..40).prop_map(|(s, n)| (true, s.repeat(n).into_bytes())),
        (proptest::collection::vec(any::<u8>(), 0..30), 0usize..60)
            .prop_map(|(b, n)| (false, b.repeat(n))),
    ]
}

/// Sends each message split at its fraction, a ping after the first fragment.
fn send<R: Role>(
    proto: &mut FrameProtocol<R, Deflate>,
    messages: &[((bool, Vec<u8>), f64)],
) -> (Vec<u8>, Vec<(Opcode, Vec<u8>)>) {
    let mut wire = Vec::new();
    let mut expected = Vec::new();
    for ((is_text, bytes), split) in messages {
        let mut cut = (split * bytes.len() as f64) as usize;
        if *is_text {
            let text = std::str::from_utf8(bytes).unwrap();
            while !text.is_char_boundary(cut) {
                cut += 1;
            }
            proto
                .send_data_into(&text[..cut], false, &mut wire)
                .unwrap();
            proto.ping_into(b"p", &mut wire).unwrap();
            proto.send_data_into(&text[cut..], true, &mut wire).unwrap();
            expected.push((Opcode::Ping, b"p".to_vec()));
            expected.push((Opcode::Text, bytes.clone()));
        } else {
            proto
                .send_data_into(&bytes[..cut], false, &mut wire)
                .unwrap();
            proto.ping_into(b"p", &mut wire).unwrap();
            proto
                .send_data_into(&bytes[cut..], true, &mut wire)
                .unwrap();
            expected.push((Opcode::Ping, b"p".to_vec()));
            expected.push((Opcode::Binary, bytes.clone()));
        }
    }
    (wire, expected)
}

fn pieces(wire: &[u8], step: usize) -> Vec<&[u8]> {
    wire.chunks(step.max(1)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn every_parameter_combination_round_trips_both_ways(
        agreed in agreed(),
        messages in proptest::collection::vec((payload(), 0.0f64..1.0), 1..5),
        step in 1usize..200,
    ) {
        let (mut client, mut server) = pair(agreed, Limits::default());
        let (wire, expected) = send(&mut client, &messages);
        prop_assert_eq!(receive(&mut server, &pieces(&wire, step)), Ok(expected));
        let (wire, expected) = send(&mut server, &messages);
        prop_assert_eq!(receive(&mut client, &pieces(&wire, step)), Ok(expected));
    }
}

#[test]
fn empty_messages_round_trip_in_both_context_modes() {
    for no_context_takeover in [false, true] {
        let agreed = Negotiated {
            client_no_context_takeover: no_context_takeover,
            server_no_context_takeover: no_context_takeover,
            ..Negotiated::default()
        };
        let (mut client, mut server) = pair(agreed, Limits::default());
        let mut wire = Vec::new();
        for text in ["", "x", "", "", "xyz"] {
            client.send_data_into(text, true, &mut wire).unwrap();
        }
        let texts: Vec<Vec<u8>> = receive(&mut server, &[&wire])
            .unwrap()
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        assert_eq!(texts, [&b""[..], b"x", b"", b"", b"xyz"]);
    }
}

#[test]
fn context_takeover_shrinks_repeated_messages_and_no_context_takeover_does_not() {
    let message = "the same JSON-like message {\"id\": 1, \"name\": \"wsproto\"} ".repeat(3);
    for (no_context_takeover, should_shrink) in [(false, true), (true, false)] {
        let agreed = Negotiated {
            client_no_context_takeover: no_context_takeover,
            ..Negotiated::default()
        };
        let (mut client, mut server) = pair(agreed, Limits::default());
        let first = client.send_data(message.as_str(), true).unwrap();
        let second = client.send_data(message.as_str(), true).unwrap();
        assert_eq!(
            second.len() < first.len() / 2,
            should_shrink,
            "{} then {}",
            first.len(),
            second.len()
        );
        let all = [first, second].concat();
        assert_eq!(receive(&mut server, &[&all]).unwrap().len(), 2);
    }
}

#[test]
fn rsv1_on_a_continuation_or_control_frame_is_a_protocol_error() {
    let (_, mut server) = pair(Negotiated::default(), Limits::default());
    let wire = [masked(0x01, b"a"), masked(0xc0, b"b")].concat();
    assert_eq!(
        receive(&mut server, &[&wire]),
        Err(CloseReason::PROTOCOL_ERROR)
    );
    let (_, mut server) = pair(Negotiated::default(), Limits::default());
    assert_eq!(
        receive(&mut server, &[&masked(0xc9, b"")]),
        Err(CloseReason::PROTOCOL_ERROR)
    );
}

#[test]
fn an_uncompressed_message_passes_through_while_deflate_is_enabled() {
    let (_, mut server) = pair(Negotiated::default(), Limits::default());
    let wire = [masked(0x81, b"plain"), masked(0x82, b"\xff")].concat();
    assert_eq!(
        receive(&mut server, &[&wire]),
        Ok(vec![
            (Opcode::Text, b"plain".to_vec()),
            (Opcode::Binary, vec![0xff])
        ])
    );
}

#[test]
fn corrupt_compressed_data_is_invalid_payload_data() {
    let (_, mut server) = pair(Negotiated::default(), Limits::default());
    // Block type 3 is reserved in DEFLATE (RFC 1951 §3.2.3).
    assert_eq!(
        receive(&mut server, &[&masked(0xc2, b"\xff\xff\xff")]),
        Err(CloseReason::INVALID_FRAME_PAYLOAD_DATA)
    );
}

#[test]
fn compressed_invalid_utf8_is_invalid_payload_data() {
    let mut compressor = MessageCompressor::new(15, false).unwrap();
    let mut payload = Vec::new();
    compressor
        .compress(b"ok \xc3\x28", true, &mut payload)
        .unwrap();
    let (_, mut server) = pair(Negotiated::default(), Limits::default());
    assert_eq!(
        receive(&mut server, &[&masked(0xc1, &payload)]),
        Err(CloseReason::INVALID_FRAME_PAYLOAD_DATA)
    );
}

#[test]
fn an_inflate_bomb_stops_at_the_message_limit() {
    // 16 MiB of zeros compress to about 16 KB.
    let mut compressor = MessageCompressor::new(15, false).unwrap();
    let mut bomb = Vec::new();
    compressor
        .compress(&vec![0; 16 << 20], true, &mut bomb)
        .unwrap();
    assert!(bomb.len() < 20_000, "{}", bomb.len());
    let limits = Limits::default().with_max_message_size(1 << 20);
    let mut server = FrameProtocol::<Server, Deflate>::with_limits(
        (PerMessageDeflate::negotiated(Negotiated::default()),),
        limits,
    );
    let mut frame = vec![0xc2, 0xfe];
    frame.extend_from_slice(&(bomb.len() as u16).to_be_bytes());
    frame.extend_from_slice(&[0; 4]);
    frame.extend_from_slice(&bomb);
    let mut delivered = 0;
    let mut error = None;
    for chunk in frame.chunks(4096) {
        server.receive_bytes(chunk);
        for result in server.received_frames() {
            match result {
                Ok(piece) => delivered += piece.payload.len(),
                Err(e) => error = Some(e.code()),
            }
        }
    }
    assert_eq!(error, Some(CloseReason::MESSAGE_TOO_BIG));
    assert!(
        delivered <= 1 << 20,
        "{delivered} bytes delivered before the error"
    );
}

#[test]
fn negotiation_through_the_extension_hooks_enables_both_ends() {
    let mut client_side = PerMessageDeflate::new(DeflateConfig {
        server_max_window_bits: Some(10),
        client_no_context_takeover: true,
        ..Default::default()
    });
    let mut offer = String::from(PerMessageDeflate::NAME);
    assert!(client_side.offer(&mut offer));
    let mut server_side = PerMessageDeflate::new(DeflateConfig::default());
    let mut answer = String::from(PerMessageDeflate::NAME);
    assert!(server_side.accept(&offer, &mut answer), "{offer}");
    client_side.finalize(&answer).unwrap();
    assert_eq!(client_side.agreed(), server_side.agreed());
    let agreed = client_side.agreed().unwrap();
    assert_eq!(
        (
            agreed.server_max_window_bits,
            agreed.client_no_context_takeover
        ),
        (10, true)
    );

    let mut client = FrameProtocol::<Client, Deflate>::new((client_side,));
    let mut server = FrameProtocol::<Server, Deflate>::new((server_side,));
    let wire = client.send_data("negotiated", true).unwrap();
    assert_eq!(wire[0] & 0x40, 0x40);
    server.receive_bytes(&wire);
    assert_eq!(
        server.received_frames().next().unwrap().unwrap().payload,
        Payload::Text("negotiated".into())
    );

    let mut refused = PerMessageDeflate::new(DeflateConfig::default());
    let mut offer = String::from(PerMessageDeflate::NAME);
    refused.offer(&mut offer);
    assert!(
        refused
            .finalize("permessage-deflate; server_max_window_bits=7")
            .is_err()
    );
    assert!(!refused.enabled());
}

#[test]
fn a_disabled_deflate_leaves_frames_untouched() {
    let mut server =
        FrameProtocol::<Server, Deflate>::new((PerMessageDeflate::new(DeflateConfig::default()),));
    assert_eq!(server.send_data("hi", true).unwrap(), b"\x81\x02hi");
    server.receive_bytes(&masked(0xc1, b"x"));
    assert_eq!(
        server.received_frames().next().unwrap().unwrap_err().code(),
        CloseReason::PROTOCOL_ERROR
    );
}

/// `PerMessageDeflate::default()` without a handshake is in the list but not in force: it
/// says so, sends uncompressed, and refuses RSV1 (not negotiated, RFC 6455 §5.2).
#[test]
fn an_unnegotiated_deflate_is_visibly_off() {
    let mut server = FrameProtocol::<Server, _>::new((PerMessageDeflate::default(),));
    assert!(server.enabled_extensions().is_empty());
    assert_eq!(format!("{server:?}"), "FrameProtocol<Server, []>");
    assert_eq!(server.send_data("plain", true).unwrap(), b"\x81\x05plain");
    let mut client =
        FrameProtocol::<Client, _>::new((PerMessageDeflate::negotiated(Negotiated::default()),));
    assert_eq!(client.enabled_extensions(), ["permessage-deflate"]);
    server.receive_bytes(&client.send_data("compressed", true).unwrap());
    let error = server.next_frame().unwrap_err();
    assert_eq!(error.code(), CloseReason::PROTOCOL_ERROR, "{error}");
}
