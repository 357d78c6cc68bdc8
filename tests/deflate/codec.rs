//! RFC 7692 §7.2 compression round trips, RFC examples and interop with plain raw DEFLATE.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use proptest::prelude::*;
use wsproto::CloseReason;
use wsproto::deflate::{CodecError, MessageCompressor, MessageDecompressor};

const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Compresses one message split into `fragments` and returns the concatenated frame payloads.
fn compress_fragments(comp: &mut MessageCompressor, fragments: &[&[u8]]) -> Vec<u8> {
    let mut payload = Vec::new();
    for (index, fragment) in fragments.iter().enumerate() {
        comp.compress(fragment, index + 1 == fragments.len(), &mut payload)
            .unwrap();
    }
    payload
}

/// Feeds `payload` in chunks cycling through `chunks`, then ends the message.
fn inflate_chunked(
    dec: &mut MessageDecompressor,
    payload: &[u8],
    chunks: &[usize],
    limit: usize,
) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    let mut rest = payload;
    for &size in chunks.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at(size.clamp(1, rest.len()));
        dec.decompress(chunk, &mut out, limit)?;
        rest = tail;
    }
    dec.finish_message(&mut out, limit)?;
    Ok(out)
}

fn inflate(dec: &mut MessageDecompressor, payload: &[u8]) -> Result<Vec<u8>, CodecError> {
    inflate_chunked(dec, payload, &[usize::MAX], usize::MAX)
}

fn json_like(seed: u32, len: usize) -> Vec<u8> {
    let mut text = String::new();
    let mut n = seed;
    while text.len() < len {
        n = n.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        text.push_str(&format!(
            "{{\"id\":{},\"user\":\"user{}\",\"active\":{},\"score\":{}.{}}},",
            n % 10_000,
            (n >> 8) % 97,
            n.is_multiple_of(3),
            (n >> 4) % 1000,
            (n >> 12) % 100
        ));
    }
    text.truncate(len);
    text.into_bytes()
}

fn message_strategy() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => "(alpha|beta|gamma|\\{\"k\":|[0-9]{1,4}|, ){1,6}".prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..24),
        1 => (any::<u8>(), 1usize..600).prop_map(|(byte, n)| vec![byte; n]),
    ];
    prop::collection::vec(piece, 0..120).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn round_trip(
        window_bits in 8u8..=15,
        no_context_takeover in any::<bool>(),
        messages in prop::collection::vec((message_strategy(), prop::collection::vec(1usize..400, 1..6)), 1..5),
        chunks in prop::collection::vec(1usize..80, 1..8),
    ) {
        let mut comp = MessageCompressor::new(window_bits, no_context_takeover).unwrap();
        let mut dec = MessageDecompressor::new(window_bits, no_context_takeover).unwrap();
        for (message, splits) in &messages {
            let mut fragments: Vec<&[u8]> = Vec::new();
            let mut rest = &message[..];
            for &size in splits.iter().cycle() {
                let (fragment, tail) = rest.split_at(size.min(rest.len()));
                fragments.push(fragment);
                rest = tail;
                if rest.is_empty() && fragments.len() >= splits.len() {
                    break;
                }
            }
            let payload = compress_fragments(&mut comp, &fragments);
            // The exact message length must be a sufficient limit.
            prop_assert_eq!(&inflate_chunked(&mut dec, &payload, &chunks, message.len())?, message);
        }
    }

    #[test]
    fn arbitrary_payloads_never_panic(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 1..4),
        window_bits in 8u8..=15,
        limit in 0usize..4096,
        chunks in prop::collection::vec(1usize..16, 1..4),
    ) {
        let mut dec = MessageDecompressor::new(window_bits, false).unwrap();
        for payload in &payloads {
            match inflate_chunked(&mut dec, payload, &chunks, limit) {
                Ok(out) => prop_assert!(out.len() <= limit),
                Err(CodecError::MessageTooBig { .. } | CodecError::Corrupt(_)) => break,
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn limit_is_exact() {
    let message = json_like(7, 40_000);
    let payload = compress_fragments(&mut MessageCompressor::new(15, true).unwrap(), &[&message]);
    let mut dec = MessageDecompressor::new(15, true).unwrap();
    assert_eq!(
        inflate_chunked(&mut dec, &payload, &[1000], message.len()).unwrap(),
        message
    );
    let mut dec = MessageDecompressor::new(15, true).unwrap();
    let err = inflate_chunked(&mut dec, &payload, &[1000], message.len() - 1).unwrap_err();
    assert_eq!(
        err,
        CodecError::MessageTooBig {
            limit: message.len() - 1
        }
    );
    assert_eq!(err.close_code(), CloseReason::MESSAGE_TOO_BIG);
}

#[test]
fn context_takeover_shrinks_repeated_messages() {
    for window_bits in 8..=15 {
        // The repeat must fit in the window (zlib reaches back at most 2^bits - 262, 250 for 8 and 9).
        let len = 1024.min((1 << window_bits.max(9)) - 300);
        let message = json_like(42, len);
        let mut comp = MessageCompressor::new(window_bits, false).unwrap();
        let first = compress_fragments(&mut comp, &[&message]);
        let second = compress_fragments(&mut comp, &[&message]);
        assert!(
            second.len() * 4 < first.len(),
            "bits {window_bits}: {} vs {}",
            second.len(),
            first.len()
        );
        let mut comp = MessageCompressor::new(window_bits, true).unwrap();
        let first = compress_fragments(&mut comp, &[&message]);
        let second = compress_fragments(&mut comp, &[&message]);
        assert_eq!(
            first, second,
            "bits {window_bits}: no_context_takeover restarts every message"
        );
    }
}

#[test]
fn rfc_7692_examples_compress() {
    // §7.2.3.1 and §7.2.3.2: "Hello" twice, sharing the window.
    let mut comp = MessageCompressor::new(15, false).unwrap();
    assert_eq!(
        compress_fragments(&mut comp, &[b"Hello"]),
        [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]
    );
    assert_eq!(
        compress_fragments(&mut comp, &[b"Hello"]),
        [0xf2, 0x00, 0x11, 0x00, 0x00]
    );
    // §7.2.3.2: without context takeover the second message repeats the first.
    let mut comp = MessageCompressor::new(15, true).unwrap();
    assert_eq!(
        compress_fragments(&mut comp, &[b"Hello"]),
        compress_fragments(&mut comp, &[b"Hello"])
    );
}

#[test]
fn rfc_7692_examples_decompress() {
    let cases: &[(&str, &[&[u8]])] = &[
        (
            "§7.2.3.1 fragmented",
            &[&[0xf2, 0x48, 0xcd], &[0xc9, 0xc9, 0x07, 0x00]],
        ),
        (
            "§7.2.3.3 stored",
            &[&[
                0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
            ]],
        ),
        (
            "§7.2.3.4 BFINAL",
            &[&[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00]],
        ),
        (
            "§7.2.3.4 BFINAL split",
            &[&[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], &[0x00]],
        ),
        (
            "BFINAL without the 0x00",
            &[&[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]],
        ),
        // §7.2.1: "The next DEFLATE block follows the padded data": here a final empty
        // stored block (0x01, completed by the tail), or §7.2.3.5's second block.
        (
            "BFINAL then a final stored block",
            &[&[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x01]],
        ),
        (
            "a stream after a BFINAL one",
            &[&[0xf3, 0x48, 0x05, 0x00], &[0xca, 0xc9, 0xc9, 0x07, 0x00]],
        ),
        (
            "§7.2.3.5 two blocks",
            &[&[
                0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00,
            ]],
        ),
    ];
    for (name, frames) in cases {
        for no_context_takeover in [false, true] {
            let mut dec = MessageDecompressor::new(15, no_context_takeover).unwrap();
            // Twice: the second message checks the state left by the first.
            for _ in 0..2 {
                let mut out = Vec::new();
                for frame in *frames {
                    dec.decompress(frame, &mut out, 5).unwrap();
                }
                dec.finish_message(&mut out, 5).unwrap();
                assert_eq!(out, b"Hello", "{name}");
            }
        }
    }
    // §7.2.3.2: the second message refers back into the first.
    let mut dec = MessageDecompressor::new(15, false).unwrap();
    assert_eq!(
        inflate(&mut dec, &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).unwrap(),
        b"Hello"
    );
    assert_eq!(
        inflate(&mut dec, &[0xf2, 0x00, 0x11, 0x00, 0x00]).unwrap(),
        b"Hello"
    );
}

#[test]
fn empty_messages() {
    for no_context_takeover in [false, true] {
        let mut comp = MessageCompressor::new(15, no_context_takeover).unwrap();
        let mut dec = MessageDecompressor::new(15, no_context_takeover).unwrap();
        // §7.2.3.6: an empty message is the single byte 0x00, also right after another message.
        for message in [&b""[..], b"data", b"", b"", b"more"] {
            let payload = compress_fragments(&mut comp, &[message]);
            if message.is_empty() {
                assert_eq!(payload, [0x00]);
            }
            assert_eq!(inflate(&mut dec, &payload).unwrap(), message);
        }
        // Empty first and last fragments around real data.
        let payload = compress_fragments(&mut comp, &[b"", b"abc", b"", b""]);
        assert_eq!(inflate(&mut dec, &payload).unwrap(), b"abc");
        // A peer's empty payload is read as the empty message, without desynchronising.
        assert_eq!(inflate(&mut dec, &[]).unwrap(), b"");
        let payload = compress_fragments(&mut comp, &[b"after"]);
        assert_eq!(inflate(&mut dec, &payload).unwrap(), b"after");
    }
}

#[test]
fn corrupt_input() {
    let cases: &[(&str, &[u8], &str)] = &[
        ("reserved block type", &[0xff, 0xff], "invalid block type"),
        // §7.2.3.2's second message without the first: distance reaches before the start.
        (
            "distance too far back",
            &[0xf2, 0x00, 0x11, 0x00, 0x00],
            "invalid distance too far back",
        ),
        (
            "bad stored length",
            &[0x00, 0x05, 0x00, 0x00, 0x00],
            "invalid stored block lengths",
        ),
        // §7.2.1: after a final block, what follows must start a new DEFLATE stream.
        (
            "reserved block type after BFINAL",
            &[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xff],
            "invalid block type",
        ),
        (
            "two pads after BFINAL",
            &[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00],
            "invalid stored block lengths",
        ),
    ];
    for (name, payload, message) in cases {
        for chunk in [1, usize::MAX] {
            let mut dec = MessageDecompressor::new(15, false).unwrap();
            let err = inflate_chunked(&mut dec, payload, &[chunk], usize::MAX).unwrap_err();
            assert_eq!(err, CodecError::Corrupt((*message).into()), "{name}");
            assert_eq!(err.close_code(), CloseReason::INVALID_FRAME_PAYLOAD_DATA);
        }
    }
}

#[test]
fn invalid_window_bits() {
    for bits in [0, 7, 16, 255] {
        assert_eq!(
            MessageCompressor::new(bits, false).unwrap_err(),
            CodecError::InvalidWindowBits(bits)
        );
        assert_eq!(
            MessageDecompressor::new(bits, false)
                .unwrap_err()
                .close_code(),
            CloseReason::INTERNAL_ERROR
        );
    }
}

#[test]
fn our_output_inflates_with_plain_zlib() {
    for (window_bits, no_context_takeover) in [(15, false), (15, true), (10, false), (8, false)] {
        let mut comp = MessageCompressor::new(window_bits, no_context_takeover).unwrap();
        let mut plain = Decompress::new(false);
        for seed in 0..4 {
            let message = json_like(seed, 3000);
            if no_context_takeover {
                plain.reset(false);
            }
            let mut payload = compress_fragments(&mut comp, &[&message[..1000], &message[1000..]]);
            payload.extend_from_slice(&TAIL);
            let mut out = Vec::with_capacity(message.len() + 16);
            plain
                .decompress_vec(&payload, &mut out, FlushDecompress::Sync)
                .unwrap();
            assert_eq!(out, message);
        }
    }
}

#[test]
fn plain_zlib_output_inflates_with_ours() {
    let mut plain = Compress::new(Compression::best(), false);
    let mut dec = MessageDecompressor::new(15, false).unwrap();
    for seed in 0..4 {
        let message = json_like(seed, 3000);
        let mut payload = Vec::with_capacity(message.len() + 64);
        plain
            .compress_vec(&message, &mut payload, FlushCompress::Sync)
            .unwrap();
        assert!(payload.ends_with(&TAIL));
        payload.truncate(payload.len() - TAIL.len());
        assert_eq!(
            inflate_chunked(&mut dec, &payload, &[3, 50], usize::MAX).unwrap(),
            message
        );
    }
}
