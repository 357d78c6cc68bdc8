//! `MessageDecompressor` fed arbitrary compressed messages with any window bits, context
//! takeover mode and limit: no panic, never more output or capacity than the limit, the
//! same result whether a message arrives in one call or two, and, for a message inflated
//! from a fresh state, the same output as an independent inflater (miniz_oxide) as far as
//! both go, streams after a final block included (RFC 7692 §7.2.1).
//!
//! Layout: `[config, split_lo, split_hi, (len_lo, len_hi, payload)*]`, one record per
//! message; config bits 0-2 are the window bits above 8, bit 3 no context takeover, bits
//! 4-5 the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_HAS_MORE_INPUT, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{DecompressorOxide, decompress};
use wsproto::deflate::{CodecError, MessageDecompressor};
use wsproto_fuzz::RFC7692_TAIL;

fn limit(config: u8) -> usize {
    match (config >> 4) & 0b11 {
        0 => 64 << 10,
        1 => 1 << 10,
        2 => 0,
        _ => 100,
    }
}

/// One message through `decompressor`, in one call or cut at `split`.
fn inflate(
    decompressor: &mut MessageDecompressor,
    message: &[u8],
    split: Option<usize>,
    limit: usize,
) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    let pieces = match split {
        Some(at) => {
            let (a, b) = message.split_at(at % (message.len() + 1));
            vec![a, b]
        }
        None => vec![message],
    };
    let mut result = Ok(());
    for piece in pieces {
        result = result.and_then(|()| decompressor.decompress(piece, &mut out, limit));
        check_bounds(&out, limit, result.is_ok());
    }
    result = result.and_then(|()| decompressor.finish_message(&mut out, limit));
    check_bounds(&out, limit, result.is_ok());
    result.map(|()| out)
}

/// Checks our output against miniz_oxide inflating the message and the RFC 7692 tail from a
/// fresh state. The two may notice broken data at different points (zlib accepts an empty
/// code-length code and waits for more bits, miniz_oxide refuses it at once; a message
/// that ends inside a block is accepted by zlib-based inflaters, which cannot see block
/// boundaries), so they must agree on the output they have in common, and on all of it
/// when miniz_oxide finds nothing wrong.
///
/// After a final block the message may go on with a new DEFLATE stream (RFC 7692 §7.2.1)
/// that refers back into the output before it, as ours allows: miniz_oxide restarts there
/// too, writing on into one buffer that holds the whole output (its non-wrapping mode,
/// which also refuses a distance reaching before the start), unless only the tail is left,
/// which ours ignores.
fn check_reference(message: &[u8], ours: &[u8], limit: usize) {
    let mut input = message.to_vec();
    input.extend_from_slice(&RFC7692_TAIL);
    let mut out = vec![0; limit + 1];
    let (mut read, mut written) = (0, 0);
    let flags = TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF | TINFL_FLAG_HAS_MORE_INPUT;
    let status = loop {
        let mut stream = DecompressorOxide::new();
        let (status, consumed, produced) =
            decompress(&mut stream, &input[read..], &mut out, written, flags);
        read += consumed;
        written += produced;
        if status != TINFLStatus::Done || read >= message.len() {
            break status;
        }
    };
    out.truncate(written);
    match status {
        TINFLStatus::Done | TINFLStatus::NeedsMoreInput | TINFLStatus::HasMoreOutput => {
            assert_eq!(ours, &out[..], "output differs from miniz_oxide")
        }
        _ => assert!(
            ours.starts_with(&out) || out.starts_with(ours),
            "output differs from miniz_oxide before it found an error"
        ),
    }
}

/// At most the limit on success; one byte more proves a message too big.
fn check_bounds(out: &Vec<u8>, limit: usize, ok: bool) {
    let most = if ok { limit } else { limit.saturating_add(1) };
    assert!(out.len() <= most, "{} bytes out, limit {limit}", out.len());
    assert!(
        out.capacity() <= limit.saturating_add(1).max(8),
        "capacity {} for a limit of {limit}",
        out.capacity()
    );
}

fuzz_target!(|data: &[u8]| {
    let [config, lo, hi, ref records @ ..] = *data else {
        return;
    };
    let mut rest = records;
    let window_bits = 8 + (config & 0b111);
    let no_context_takeover = config & 0b1000 != 0;
    let limit = limit(config);
    let split = usize::from(u16::from_le_bytes([lo, hi]));
    let mut whole = MessageDecompressor::new(window_bits, no_context_takeover).unwrap();
    let mut cut = MessageDecompressor::new(window_bits, no_context_takeover).unwrap();
    let mut fresh = true;
    while let [len_lo, len_hi, tail @ ..] = rest {
        let len = usize::from(u16::from_le_bytes([*len_lo, *len_hi])).min(tail.len());
        let (message, next) = tail.split_at(len);
        rest = next;
        let one = inflate(&mut whole, message, None, limit);
        let two = inflate(&mut cut, message, Some(split), limit);
        match (&one, &two) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "output differs by chunking"),
            (Err(a), Err(b)) => assert_eq!(a.close_code(), b.close_code()),
            _ => panic!("result differs by chunking: {one:?} vs {two:?}"),
        }
        if let (Ok(out), true, false) = (&one, fresh, message.is_empty()) {
            check_reference(message, out, limit);
        }
        if one.is_err() {
            return; // the caller fails the connection
        }
        fresh = no_context_takeover;
    }
});
