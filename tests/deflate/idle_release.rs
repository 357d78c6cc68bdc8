//! Releasing zlib's state while a connection is quiet changes nothing on the wire's
//! meaning: context takeover (RFC 7692 §7.1.1) survives it, in both directions, wherever
//! the release falls, even between the pieces of a frame.

use proptest::prelude::*;

use crate::protocol::agreed;
use wsproto::deflate::{Negotiated, PerMessageDeflate};
use wsproto::{Client, FrameProtocol, Opcode, Role, Server};

type Deflate = (PerMessageDeflate,);

/// Messages built from one shared pattern, so that later ones refer back into earlier ones.
fn messages() -> impl Strategy<Value = Vec<Vec<u8>>> {
    proptest::collection::vec(any::<u8>(), 4..24).prop_flat_map(|shared| {
        proptest::collection::vec(
            (1usize..60, proptest::collection::vec(any::<u8>(), 0..8)),
            1..6,
        )
        .prop_map(move |parts| {
            parts
                .into_iter()
                .map(|(times, own)| [shared.repeat(times), own].concat())
                .collect()
        })
    })
}

/// Sends each message in two fragments, releasing after a call where `release` says so.
fn send<R: Role>(
    proto: &mut FrameProtocol<R, Deflate>,
    messages: &[Vec<u8>],
    release: &[bool],
) -> Vec<u8> {
    let mut wire = Vec::new();
    let mut turn = release.iter().cycle();
    for message in messages {
        let (first, last) = message.split_at(message.len() / 2);
        proto.send_data_into(first, false, &mut wire).unwrap();
        if *turn.next().unwrap_or(&false) {
            proto.release_idle_memory();
        }
        proto.send_data_into(last, true, &mut wire).unwrap();
        if *turn.next().unwrap_or(&false) {
            proto.release_idle_memory();
        }
    }
    wire
}

/// Receives the wire in pieces of `step` bytes, releasing after a piece where `release`
/// says so; the whole messages seen.
fn receive<R: Role>(
    proto: &mut FrameProtocol<R, Deflate>,
    wire: &[u8],
    step: usize,
    release: &[bool],
) -> Vec<Vec<u8>> {
    let mut turn = release.iter().cycle();
    let (mut messages, mut message) = (Vec::new(), Vec::new());
    for piece in wire.chunks(step) {
        proto.receive_bytes(piece);
        for frame in proto.received_frames() {
            let frame = frame.unwrap();
            assert_eq!(frame.opcode, Opcode::Binary);
            message.extend_from_slice(frame.payload.as_bytes());
            if frame.message_finished {
                messages.push(std::mem::take(&mut message));
            }
        }
        if *turn.next().unwrap_or(&false) {
            proto.release_idle_memory();
        }
    }
    messages
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn releasing_anywhere_changes_nothing_received(
        agreed in agreed(),
        messages in messages(),
        step in 1usize..64,
        sender_releases in proptest::collection::vec(any::<bool>(), 1..8),
        receiver_releases in proptest::collection::vec(any::<bool>(), 1..8),
    ) {
        let mut client = FrameProtocol::<Client, _>::new((PerMessageDeflate::negotiated(agreed),));
        let mut server = FrameProtocol::<Server, _>::new((PerMessageDeflate::negotiated(agreed),));
        let wire = send(&mut client, &messages, &sender_releases);
        prop_assert_eq!(receive(&mut server, &wire, step, &receiver_releases), messages.clone());
        let wire = send(&mut server, &messages, &sender_releases);
        prop_assert_eq!(receive(&mut client, &wire, step, &receiver_releases), messages);
    }
}

#[test]
fn a_released_codec_is_rebuilt_with_its_window() {
    let agreed = Negotiated::default();
    let mut client = FrameProtocol::<Client, _>::new((PerMessageDeflate::negotiated(agreed),));
    let mut server = FrameProtocol::<Server, _>::new((PerMessageDeflate::negotiated(agreed),));
    assert!(
        !client.extensions().0.compressor_allocated(),
        "made on first use"
    );
    let text = "a message that is long enough to be worth referring back to";
    let first = client.send_data(text, true).unwrap();
    server.receive_bytes(&first);
    assert_eq!(
        server.next_frame().unwrap().unwrap().payload.as_text(),
        Some(text)
    );
    assert!(client.extensions().0.compressor_allocated());
    assert!(server.extensions().0.inflater_allocated());

    client.release_idle_memory();
    server.release_idle_memory();
    assert!(
        !client.extensions().0.compressor_allocated(),
        "a compressor is always freed"
    );
    assert!(
        server.extensions().0.inflater_allocated(),
        "an inflater between sync-flushed messages under context takeover is kept"
    );

    // The compressor's window survived: the repeat is a back-reference, and it inflates.
    let second = client.send_data(text, true).unwrap();
    assert!(
        second.len() < 16,
        "{} bytes: the window was lost",
        second.len()
    );
    server.receive_bytes(&second);
    assert_eq!(
        server.next_frame().unwrap().unwrap().payload.as_text(),
        Some(text)
    );
}

#[test]
fn without_context_takeover_both_directions_are_freed() {
    let agreed = Negotiated {
        client_no_context_takeover: true,
        server_no_context_takeover: true,
        ..Negotiated::default()
    };
    let mut client = FrameProtocol::<Client, _>::new((PerMessageDeflate::negotiated(agreed),));
    let mut server = FrameProtocol::<Server, _>::new((PerMessageDeflate::negotiated(agreed),));
    for text in ["one message", "and the next"] {
        server.receive_bytes(&client.send_data(text, true).unwrap());
        assert_eq!(
            server.next_frame().unwrap().unwrap().payload.as_text(),
            Some(text)
        );
        client.receive_bytes(&server.send_data(text, true).unwrap());
        assert_eq!(
            client.next_frame().unwrap().unwrap().payload.as_text(),
            Some(text)
        );
        for side in [&client.extensions().0, &server.extensions().0] {
            assert!(
                side.compressor_allocated() && side.inflater_allocated(),
                "in use"
            );
        }
        client.release_idle_memory();
        server.release_idle_memory();
        for side in [&client.extensions().0, &server.extensions().0] {
            assert!(
                !side.compressor_allocated() && !side.inflater_allocated(),
                "freed"
            );
        }
    }
}

#[test]
fn an_inflater_inside_a_block_is_kept() {
    let agreed = Negotiated::default();
    let mut client = FrameProtocol::<Client, _>::new((PerMessageDeflate::negotiated(agreed),));
    let mut server = FrameProtocol::<Server, _>::new((PerMessageDeflate::negotiated(agreed),));
    let text: String = (0..2000)
        .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
        .collect();
    let wire = client.send_data(text.as_str(), true).unwrap();
    let (head, rest) = wire.split_at(wire.len() / 2);
    server.receive_bytes(head);
    let partial = server.next_frame().unwrap();
    server.release_idle_memory();
    assert!(
        server.extensions().0.inflater_allocated(),
        "only zlib knows where it is in the block"
    );
    server.receive_bytes(rest);
    let mut received = partial
        .map(|f| f.payload.as_bytes().to_vec())
        .unwrap_or_default();
    while let Some(frame) = server.next_frame().unwrap() {
        received.extend_from_slice(frame.payload.as_bytes());
    }
    assert_eq!(received, text.as_bytes());
}
