//! RFC 7692 §7.2.2 decompression bombs must stop at the caller's limit without over-allocating.

use std::time::Instant;

use flate2::{Compress, Compression, FlushCompress};
use wsproto::deflate::{CodecError, MessageDecompressor};

const LIMIT: usize = 1 << 20;
const MAX_CAPACITY: usize = LIMIT + 64 * 1024;

/// Sync-flushed raw DEFLATE of `len` zeros, continuing `comp`'s stream.
fn zeros_segment(comp: &mut Compress, len: usize) -> Vec<u8> {
    let zeros = vec![0u8; len];
    let mut out = Vec::with_capacity(len / 500 + 1024);
    comp.compress_vec(&zeros, &mut out, FlushCompress::Sync)
        .unwrap();
    assert_eq!(comp.total_in() % len as u64, 0, "segment fully consumed");
    out
}

/// DEFLATE caps the ratio near 1032:1, so 1 GiB needs about 1 MiB of input.
///
/// Repeating one byte-aligned, sync-flushed segment works because once the
/// window holds only zeros, every copy of the segment decodes to zeros again.
fn gigabyte_bomb() -> (Vec<u8>, usize) {
    let segment_len = 4 << 20;
    let mut comp = Compress::new(Compression::best(), false);
    let mut bomb = zeros_segment(&mut comp, segment_len);
    let repeated = zeros_segment(&mut comp, segment_len);
    for _ in 1..256 {
        bomb.extend_from_slice(&repeated);
    }
    (bomb, 256 * segment_len)
}

fn assert_too_big(result: Result<(), CodecError>, out: &Vec<u8>, what: &str) {
    assert_eq!(
        result,
        Err(CodecError::MessageTooBig { limit: LIMIT }),
        "{what}"
    );
    assert!(out.len() <= LIMIT + 1, "{what}: len {}", out.len());
    assert!(
        out.capacity() <= MAX_CAPACITY,
        "{what}: capacity {}",
        out.capacity()
    );
    println!("{what}: len {} capacity {}", out.len(), out.capacity());
}

#[test]
fn repeated_segments_inflate_to_zeros() {
    // The construction above, checked on three segments with a plain inflater.
    let segment_len = 4 << 20;
    let mut comp = Compress::new(Compression::best(), false);
    let mut stream = zeros_segment(&mut comp, segment_len);
    let repeated = zeros_segment(&mut comp, segment_len);
    stream.extend_from_slice(&repeated);
    stream.extend_from_slice(&repeated);
    let mut out = Vec::with_capacity(3 * segment_len + 1);
    flate2::Decompress::new(false)
        .decompress_vec(&stream, &mut out, flate2::FlushDecompress::Sync)
        .unwrap();
    assert_eq!(out.len(), 3 * segment_len);
    assert!(out.iter().all(|&byte| byte == 0));
}

#[test]
fn gigabyte_bomb_stops_at_limit() {
    let (bomb, inflated) = gigabyte_bomb();
    assert!(inflated >= 1 << 30);
    println!(
        "bomb: {} compressed bytes -> {} inflated",
        bomb.len(),
        inflated
    );

    let started = Instant::now();
    let mut dec = MessageDecompressor::new(15, false).unwrap();
    let mut out = Vec::new();
    let result = dec.decompress(&bomb, &mut out, LIMIT);
    assert_too_big(result, &out, "one call");
    println!("one call took {:?}", started.elapsed());

    let started = Instant::now();
    let mut dec = MessageDecompressor::new(15, false).unwrap();
    let mut out = Vec::new();
    let result = bomb
        .chunks(4096)
        .try_for_each(|chunk| dec.decompress(chunk, &mut out, LIMIT));
    assert_too_big(result, &out, "4 KiB chunks");
    println!("chunked took {:?}", started.elapsed());
}

#[test]
fn small_bomb_stops_at_limit() {
    // ~10 KB of zeros compressed: about 10 MiB once inflated, ten times the limit.
    let mut comp = Compress::new(Compression::best(), false);
    let payload = zeros_segment(&mut comp, 10 << 20);
    println!("small bomb: {} compressed bytes", payload.len());
    assert!(payload.len() < 12_000);
    let mut dec = MessageDecompressor::new(15, true).unwrap();
    let mut out = Vec::new();
    let result = dec.decompress(&payload, &mut out, LIMIT);
    assert_too_big(result, &out, "small bomb");
}

#[test]
fn one_byte_over_the_limit_is_caught() {
    let mut comp = Compress::new(Compression::best(), false);
    let payload = zeros_segment(&mut comp, LIMIT + 1);
    let mut dec = MessageDecompressor::new(15, false).unwrap();
    let mut out = Vec::new();
    let result = dec
        .decompress(&payload[..payload.len() - 4], &mut out, LIMIT)
        .and_then(|()| dec.finish_message(&mut out, LIMIT));
    assert_too_big(result, &out, "limit + 1");
}
