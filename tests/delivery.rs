//! The delivery policies at the end of the receive pipeline against each other: pieces,
//! whole messages, owned and borrowed, must hand out the same messages and control frames,
//! in the same order, and fail with the same first error (code and words), for any stream
//! in any chunking, in either role, with and without permessage-deflate.
#![cfg(feature = "deflate")]

mod support {
    pub mod frames;
    pub mod wire_gen;
}

use proptest::prelude::*;
use support::wire_gen::{Rng, chunks, mutate, valid_stream};
use wsproto::deflate::{Negotiated, PerMessageDeflate};
use wsproto::ext::ExtensionList;
use wsproto::{Client, FrameProtocol, FrameRef, Opcode, PayloadRef, Role, Server};

/// What an application makes of the frames: control frames and whole messages (pieces
/// joined), in order, and the first error.
#[derive(Debug, Default, PartialEq, Eq)]
struct Received {
    events: Vec<(Opcode, Vec<u8>)>,
    error: Option<(u16, String)>,
}

/// How the application takes frames.
#[derive(Clone, Copy, Debug)]
enum Policy {
    PiecesOwned,
    PiecesBorrowed,
    WholeOwned,
    WholeBorrowed,
}

const POLICIES: [Policy; 4] = [
    Policy::PiecesOwned,
    Policy::PiecesBorrowed,
    Policy::WholeOwned,
    Policy::WholeBorrowed,
];

fn record(received: &mut Received, partial: &mut Vec<u8>, frame: FrameRef<'_>) {
    match frame.payload {
        PayloadRef::Close(code, reason) => {
            let mut bytes = code.code().to_be_bytes().to_vec();
            bytes.extend_from_slice(reason.as_bytes());
            received.events.push((Opcode::Close, bytes));
        }
        payload if frame.opcode.is_control() => received
            .events
            .push((frame.opcode, payload.as_bytes().to_vec())),
        payload => {
            partial.extend_from_slice(payload.as_bytes());
            if frame.message_finished {
                received
                    .events
                    .push((frame.opcode, std::mem::take(partial)));
            }
        }
    }
}

fn receive<R: Role, E: ExtensionList>(
    mut proto: FrameProtocol<R, E>,
    reads: &[Vec<u8>],
    policy: Policy,
) -> Received {
    let whole = matches!(policy, Policy::WholeOwned | Policy::WholeBorrowed);
    proto.set_whole_messages(whole);
    let mut received = Received::default();
    let mut partial = Vec::new();
    for read in reads {
        proto.receive_bytes(read);
        loop {
            let next = match policy {
                Policy::PiecesOwned | Policy::WholeOwned => proto.next_frame().map(|frame| {
                    frame.map(|frame| record(&mut received, &mut partial, frame.as_ref()))
                }),
                Policy::PiecesBorrowed | Policy::WholeBorrowed => proto
                    .next_frame_ref()
                    .map(|frame| frame.map(|frame| record(&mut received, &mut partial, frame))),
            };
            match next {
                Ok(Some(())) => {}
                Ok(None) => break,
                Err(error) => {
                    received.error = Some((error.code().code(), error.message().to_owned()));
                    return received;
                }
            }
        }
    }
    received
}

/// Every policy, in this chunking, at once and byte by byte, agrees with pieces taken
/// owned. With an extension that transforms payloads, only the errors' codes are compared:
/// a corrupt DEFLATE stream can inflate to invalid text before the inflater sees the
/// corruption, and how far it gets depends on where the input was cut.
fn agree<R: Role, E: ExtensionList>(
    make: impl Fn() -> FrameProtocol<R, E>,
    wire: &[u8],
    reads: &[Vec<u8>],
    words: bool,
) -> Result<(), TestCaseError> {
    let shape = |mut received: Received| {
        if !words {
            received.error = received.error.map(|(code, _)| (code, String::new()));
        }
        received
    };
    let reference = shape(receive(make(), reads, Policy::PiecesOwned));
    for policy in POLICIES {
        prop_assert_eq!(
            &shape(receive(make(), reads, policy)),
            &reference,
            "{:?}",
            policy
        );
    }
    let at_once = vec![wire.to_vec()];
    prop_assert_eq!(
        &shape(receive(make(), &at_once, Policy::WholeBorrowed)),
        &reference
    );
    let byte_by_byte: Vec<Vec<u8>> = wire.iter().map(|&b| vec![b]).collect();
    prop_assert_eq!(
        &shape(receive(make(), &byte_by_byte, Policy::WholeOwned)),
        &reference
    );
    Ok(())
}

fn deflate() -> (PerMessageDeflate,) {
    (PerMessageDeflate::negotiated(Negotiated::default()),)
}

/// Compressed messages, some in two fragments with a ping between, as `R`'s peer sends
/// them.
fn compressed<R: Role>(texts: &[String]) -> Vec<u8> {
    let mut wire = Vec::new();
    if R::IS_CLIENT {
        let mut server = FrameProtocol::<Server, _>::new(deflate());
        for text in texts {
            server
                .send_data_into(text.as_str(), true, &mut wire)
                .unwrap();
        }
    } else {
        let mut client = FrameProtocol::<Client, _>::new(deflate());
        for (i, text) in texts.iter().enumerate() {
            let mid = text.len() / 2;
            if i % 2 == 1 && text.is_char_boundary(mid) {
                client
                    .send_data_into(&text[..mid], false, &mut wire)
                    .unwrap();
                client.ping_into(b"between", &mut wire).unwrap();
                client
                    .send_data_into(&text[mid..], true, &mut wire)
                    .unwrap();
            } else {
                client
                    .send_data_into(text.as_str(), true, &mut wire)
                    .unwrap();
            }
        }
    }
    wire
}

fn both_roles(
    seed: u64,
    mutations: usize,
    check: impl Fn(bool, &[u8], &[Vec<u8>]) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError> {
    for client_sends in [true, false] {
        let mut rng = Rng(seed | 1);
        let mut wire = valid_stream(&mut rng, client_sends);
        for _ in 0..mutations {
            mutate(&mut rng, &mut wire);
        }
        let reads = chunks(&mut rng, &wire, 8);
        check(client_sends, &wire, &reads)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_delivery_policy_gives_the_same_messages_and_error(seed: u64, mutations in 0usize..3) {
        both_roles(seed, mutations, |client_sends, wire, reads| {
            if client_sends {
                agree(|| FrameProtocol::<Server>::new(()), wire, reads, true)
            } else {
                agree(|| FrameProtocol::<Client>::new(()), wire, reads, true)
            }
        })?;
    }

    #[test]
    fn every_delivery_policy_agrees_with_permessage_deflate(
        texts in proptest::collection::vec("\\PC{0,80}", 1..5),
        seed: u64,
        mutate_once: bool,
    ) {
        for client in [false, true] {
            let mut wire = if client { compressed::<Client>(&texts) } else { compressed::<Server>(&texts) };
            let mut rng = Rng(seed | 1);
            if mutate_once {
                mutate(&mut rng, &mut wire);
            }
            let reads = chunks(&mut rng, &wire, 8);
            if client {
                agree(|| FrameProtocol::<Client, _>::new(deflate()), &wire, &reads, false)?;
            } else {
                agree(|| FrameProtocol::<Server, _>::new(deflate()), &wire, &reads, false)?;
            }
        }
    }
}
