//! The fuzzers' invariants at small scale, in every `cargo test`: the same harness
//! (tests/support/harness.rs) over generated valid and mutated streams, with and without
//! permessage-deflate, for both roles.
#![cfg(feature = "deflate")]

mod support {
    pub mod frames;
    pub mod harness;
    pub mod wire_gen;
}

use proptest::prelude::*;
use support::harness::{Input, Seen, deflate, frame_decoder_case, protocol_case, receive};
use support::wire_gen::{Rng, mutate, valid_stream};
use wsproto::{Client, FrameProtocol, Role, Server};

/// `[split_lo, split_hi, config, stream...]`, the fuzzers' layout.
fn input(split: u16, config: u8, stream: &[u8]) -> Vec<u8> {
    let mut data = split.to_le_bytes().to_vec();
    data.push(config);
    data.extend_from_slice(stream);
    data
}

/// A stream towards a client (`config` bit 7) or a server, valid or broken `mutations` times.
fn stream(seed: u64, config: u8, mutations: usize) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let mut stream = valid_stream(&mut rng, config & 0x80 == 0);
    for _ in 0..mutations {
        mutate(&mut rng, &mut stream);
    }
    stream
}

/// Compressed messages towards a client (`config` bit 7) or a server, with the window bits
/// and context takeover `config` picks, broken `mutations` times.
fn deflate_stream(seed: u64, config: u8, texts: &[String], mutations: usize) -> Vec<u8> {
    let mut wire = Vec::new();
    if config & 0x80 != 0 {
        let mut server = FrameProtocol::<Server, _>::new(deflate(config));
        for text in texts {
            server
                .send_data_into(text.as_str(), true, &mut wire)
                .unwrap();
        }
    } else {
        let mut client = FrameProtocol::<Client, _>::new(deflate(config));
        for (i, text) in texts.iter().enumerate() {
            let mid = text.len() / 2 * (i % 2);
            if mid == 0 || !text.is_char_boundary(mid) {
                client
                    .send_data_into(text.as_str(), true, &mut wire)
                    .unwrap();
            } else {
                let (a, b) = text.split_at(mid);
                client.send_data_into(a, false, &mut wire).unwrap();
                client.ping_into(b"between", &mut wire).unwrap();
                client.send_data_into(b, true, &mut wire).unwrap();
            }
        }
    }
    let mut rng = Rng(seed | 1);
    for _ in 0..mutations {
        mutate(&mut rng, &mut wire);
    }
    wire
}

fn both_chunkings<R: Role, E: wsproto::ext::ExtensionList>(
    data: &[u8],
    make: impl Fn(u8) -> FrameProtocol<R, E>,
) -> [Seen; 2] {
    let input = Input::parse(data).unwrap();
    input
        .chunkings()
        .map(|pieces| receive(&mut make(input.config), &pieces))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn protocol_streams_agree_in_any_chunking(seed: u64, config: u8, split: u16, mutations in 0usize..4) {
        let data = input(split, config, &stream(seed, config, mutations));
        protocol_case(&data, false);
        frame_decoder_case::<Server>(&data);
        frame_decoder_case::<Client>(&data);
    }

    #[test]
    fn arbitrary_bytes_agree_in_any_chunking(data in proptest::collection::vec(any::<u8>(), 3..300)) {
        protocol_case(&data, false);
        protocol_case(&data, true);
        frame_decoder_case::<Server>(&data);
        frame_decoder_case::<Client>(&data);
    }

    #[test]
    fn compressed_streams_agree_in_any_chunking(
        seed: u64,
        config: u8,
        split: u16,
        texts in proptest::collection::vec("\\PC{0,60}", 1..4),
        mutations in 0usize..3,
    ) {
        let data = input(split, config, &deflate_stream(seed, config, &texts, mutations));
        protocol_case(&data, true);
    }

    #[test]
    fn compressed_messages_round_trip(
        config: u8,
        split: u16,
        texts in proptest::collection::vec("\\PC{0,60}", 1..4),
    ) {
        // Default limits: nothing here comes near them.
        let config = config & !0b11;
        let data = input(split, config, &deflate_stream(0, config, &texts, 0));
        let [whole, cut] = if config & 0x80 != 0 {
            both_chunkings(&data, |c| FrameProtocol::<Client, _>::new(deflate(c)))
        } else {
            both_chunkings(&data, |c| FrameProtocol::<Server, _>::new(deflate(c)))
        };
        for seen in [whole, cut] {
            prop_assert!(seen.error.is_none(), "{:?}", seen.error);
            let got: Vec<&[u8]> = seen
                .events
                .iter()
                .filter(|(opcode, _)| !opcode.is_control())
                .map(|(_, bytes)| &bytes[..])
                .collect();
            let sent: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
            prop_assert_eq!(got, sent);
        }
    }
}

/// Found by fuzzing `protocol_deflate`: a compressed message whose bytes do not end on a
/// DEFLATE block boundary (a conforming peer's always do, RFC 7692 §7.2.1), under context
/// takeover. An inflater dropped between messages and rebuilt from the window read the
/// next message as a new stream and accepted what the kept inflater refuses with 1007:
/// such an inflater is now kept (`MessageDecompressor::release`).
#[test]
fn an_inflater_between_messages_of_a_stream_is_not_released() {
    protocol_case(
        &[
            0x1f, 0x00, 0x00, 0xc1, 0x98, 0x09, 0x08, 0x07, 0x06, 0x43, 0xc6, 0xc8, 0x2b, 0x21,
            0x42, 0x2a, 0x28, 0xc7, 0x44, 0xcd, 0x4f, 0x5c, 0x20, 0x4e, 0xab, 0x21, 0xd9, 0x56,
            0x4e, 0xcf, 0x1c, 0x05, 0x2d, 0x42, 0x8c, 0xc0, 0x09, 0x7a, 0x07, 0x98, 0x09,
        ],
        true,
    );
}
