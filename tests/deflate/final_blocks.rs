//! DEFLATE blocks with BFINAL set (RFC 7692 §7.2.1, §7.2.3.4): a message may hold several
//! DEFLATE streams, and the LZ77 window survives the end of each.

use flate2::{Compress, Compression, FlushCompress};
use proptest::prelude::*;
use wsproto::deflate::{CodecError, MessageDecompressor, Negotiated, PerMessageDeflate};
use wsproto::{Client, CloseReason, FrameProtocol, Limits, Opcode};

use crate::protocol::receive;

/// §7.2.3.4: "Hello" in a final block, then the 0x00 that lets it be inflated like a
/// sync-flushed message.
const HELLO_FINAL: [u8; 8] = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00];

/// §7.2.3.2: the second "Hello", a back-reference into the first.
const HELLO_AGAIN: [u8; 5] = [0xf2, 0x00, 0x11, 0x00, 0x00];

fn client(agreed: Negotiated) -> FrameProtocol<Client, (PerMessageDeflate,)> {
    FrameProtocol::with_limits((PerMessageDeflate::negotiated(agreed),), Limits::default())
}

/// An unmasked frame (server to client) with a payload under 126 bytes.
fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![first, payload.len() as u8];
    out.extend_from_slice(payload);
    out
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// What a client receiving `wire` in two pieces cut at `at` delivers, or its close code.
fn cut_at(
    agreed: Negotiated,
    wire: &[u8],
    at: usize,
) -> Result<Vec<(Opcode, Vec<u8>)>, CloseReason> {
    receive(&mut client(agreed), &[&wire[..at], &wire[at..]])
}

/// Every cut of `wire` gives `expected`, and so does feeding it a byte at a time.
fn every_cut_gives(
    agreed: Negotiated,
    wire: &[u8],
    expected: Result<Vec<(Opcode, Vec<u8>)>, CloseReason>,
) {
    for at in 0..=wire.len() {
        assert_eq!(cut_at(agreed, wire, at), expected, "cut at {at}");
    }
    let bytes: Vec<&[u8]> = wire.chunks(1).collect();
    assert_eq!(
        receive(&mut client(agreed), &bytes),
        expected,
        "byte by byte"
    );
}

fn text(s: &str) -> (Opcode, Vec<u8>) {
    (Opcode::Text, s.as_bytes().to_vec())
}

fn no_context_takeover() -> Negotiated {
    Negotiated {
        server_no_context_takeover: true,
        ..Negotiated::default()
    }
}

#[test]
fn a_second_stream_after_a_final_block_belongs_to_the_message() {
    // §7.2.1: "The next DEFLATE block follows the padded data", in the same message.
    let wire = unhex("c10ff348cdc9c90700f348cdc9c9070000");
    every_cut_gives(Negotiated::default(), &wire, Ok(vec![text("HelloHello")]));
    every_cut_gives(no_context_takeover(), &wire, Ok(vec![text("HelloHello")]));
}

#[test]
fn a_second_stream_may_start_in_the_next_fragment() {
    // A sender flushing each frame with a final block (§7.2.3.4): the first fragment ends
    // with the padded block, the second starts a new stream; a ping may come between.
    let first = frame(0x41, &HELLO_FINAL[..7]);
    let ping = frame(0x89, b"p");
    let last = frame(0x80, &HELLO_FINAL);
    let wire = [first, ping, last].concat();
    let expected = Ok(vec![(Opcode::Ping, b"p".to_vec()), text("HelloHello")]);
    every_cut_gives(Negotiated::default(), &wire, expected.clone());
    every_cut_gives(no_context_takeover(), &wire, expected);
}

#[test]
fn what_cannot_start_a_deflate_block_after_a_final_block_is_invalid_payload_data() {
    let invalid = CloseReason::INVALID_FRAME_PAYLOAD_DATA;
    // 0xff: BTYPE 11, reserved (RFC 1951 §3.2.3).
    let wire = unhex("c108f348cdc9c90700ff");
    every_cut_gives(Negotiated::default(), &wire, Err(invalid));
    // 00 00 00 (with the tail): a stored block whose LEN and NLEN disagree.
    let wire = unhex("c109f348cdc9c907000000");
    every_cut_gives(Negotiated::default(), &wire, Err(invalid));
    // The same bytes in the message after a final block are no better.
    let wire = [frame(0xc1, &HELLO_FINAL), frame(0xc1, &[0xff])].concat();
    every_cut_gives(Negotiated::default(), &wire, Err(invalid));
}

#[test]
fn the_window_survives_a_final_block_under_context_takeover() {
    // §7.2.3.4's message, then §7.2.3.2's second message, which refers back into it.
    // §7.2.2: "the client MUST decompress each new message using the LZ77 sliding window
    // used to process the last compressed message"; a final block does not empty it.
    let wire = [frame(0xc1, &HELLO_FINAL), frame(0xc1, &HELLO_AGAIN)].concat();
    every_cut_gives(
        Negotiated::default(),
        &wire,
        Ok(vec![text("Hello"), text("Hello")]),
    );
    // Without context takeover the peer promised not to refer back: the window is gone.
    every_cut_gives(
        no_context_takeover(),
        &wire,
        Err(CloseReason::INVALID_FRAME_PAYLOAD_DATA),
    );
}

#[test]
fn the_window_survives_a_final_block_within_a_message() {
    // Both streams in one message: the second refers back into the first, in either mode.
    let payload = [&HELLO_FINAL[..7], &HELLO_AGAIN[..]].concat();
    let wire = frame(0xc1, &payload);
    every_cut_gives(Negotiated::default(), &wire, Ok(vec![text("HelloHello")]));
    every_cut_gives(no_context_takeover(), &wire, Ok(vec![text("HelloHello")]));
}

/// A peer flushing every fragment with a final block (§7.2.3.4) that keeps its window across
/// streams: after each finished stream it starts another, seeded with what it sent last.
struct FinalBlockPeer {
    deflate: Compress,
    sent: Vec<u8>,
    window: usize,
    no_context_takeover: bool,
}

impl FinalBlockPeer {
    fn new(window_bits: u8, no_context_takeover: bool) -> Self {
        // zlib cannot compress with 8 bits; 9 stays within 250 bytes (see `window8`).
        let bits = window_bits.max(9);
        FinalBlockPeer {
            deflate: Compress::new_with_window_bits(Compression::default(), false, bits),
            sent: Vec::new(),
            window: 1 << window_bits,
            no_context_takeover,
        }
    }

    /// One message's payload, each fragment a finished stream; `pad` adds §7.2.3.4's 0x00.
    fn message(&mut self, fragments: &[&[u8]], pad: bool) -> Vec<u8> {
        let mut payload = Vec::new();
        for fragment in fragments {
            let mut out = Vec::with_capacity(fragment.len() + 64);
            let status = self
                .deflate
                .compress_vec(fragment, &mut out, FlushCompress::Finish)
                .unwrap();
            assert_eq!(status, flate2::Status::StreamEnd);
            payload.extend_from_slice(&out);
            self.sent.extend_from_slice(fragment);
            self.deflate.reset();
            let seed = &self.sent[self.sent.len().saturating_sub(self.window)..];
            self.deflate.set_dictionary(seed).unwrap();
        }
        if pad {
            payload.push(0x00);
        }
        if self.no_context_takeover {
            self.deflate.reset();
            self.sent.clear();
        }
        payload
    }
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

fn repetitive_message() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => "(alpha|beta|gamma|\\{\"k\":|[0-9]{1,4}|, ){1,8}".prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..40),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Streams that refer back across final blocks, split anywhere, with the exact length
    /// as the limit: the same messages come out, and one byte less fails with 1009.
    #[test]
    fn streams_after_final_blocks_inflate_whatever_the_chunking(
        window_bits in 8u8..=15,
        no_context_takeover in any::<bool>(),
        messages in prop::collection::vec(
            (repetitive_message(), 1usize..4, any::<bool>()), 1..5),
        chunks in prop::collection::vec(1usize..40, 1..6),
    ) {
        let mut peer = FinalBlockPeer::new(window_bits, no_context_takeover);
        let mut dec = MessageDecompressor::new(window_bits, no_context_takeover).unwrap();
        for (message, parts, pad) in &messages {
            let size = message.len().div_ceil(*parts).max(1);
            let fragments: Vec<&[u8]> = if message.is_empty() {
                vec![&[]]
            } else {
                message.chunks(size).collect()
            };
            let payload = peer.message(&fragments, *pad);
            prop_assert_eq!(&inflate_chunked(&mut dec, &payload, &chunks, message.len())?, message);
            if !message.is_empty() {
                let mut fresh_peer = FinalBlockPeer::new(window_bits, true);
                let payload = fresh_peer.message(&fragments, *pad);
                let mut fresh = MessageDecompressor::new(window_bits, true).unwrap();
                let err = inflate_chunked(&mut fresh, &payload, &chunks, message.len() - 1);
                prop_assert_eq!(err, Err(CodecError::MessageTooBig { limit: message.len() - 1 }));
            }
        }
    }
}

#[test]
fn a_bomb_after_a_final_block_stops_at_the_limit() {
    const LIMIT: usize = 1 << 20;
    let mut payload = HELLO_FINAL[..7].to_vec();
    let mut zeros = Compress::new(Compression::best(), false);
    let mut bomb = Vec::with_capacity(64 << 10);
    zeros
        .compress_vec(&vec![0; 16 << 20], &mut bomb, FlushCompress::Sync)
        .unwrap();
    payload.extend_from_slice(&bomb);
    for chunk in [payload.len(), 4096, 7] {
        let mut dec = MessageDecompressor::new(15, false).unwrap();
        let mut out = Vec::new();
        let result = payload
            .chunks(chunk)
            .try_for_each(|piece| dec.decompress(piece, &mut out, LIMIT));
        assert_eq!(result, Err(CodecError::MessageTooBig { limit: LIMIT }));
        assert!(out.len() <= LIMIT + 1, "len {}", out.len());
        assert!(out.capacity() <= LIMIT + 1, "capacity {}", out.capacity());
        assert!(out.starts_with(b"Hello"));
    }
}
