//! The least work physically required on the same bytes: for receiving, one pass that
//! copies each payload out of the read while removing the mask, and one SIMD UTF-8
//! validation of the (cache-hot) copied bytes for text; for encoding, the header and one
//! copy (XOR-copy for a client); for permessage-deflate, raw deflate/inflate with the
//! crate's zlib backend.
#![allow(unsafe_code)]

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};

use crate::input::{READ_SIZE, Workload};
use crate::sink::Sink;

/// Appends `src` XORed with `key` (rotated by `offset`) to `dst` in one pass. Byte-wise
/// XOR with a 16-byte pattern: the form LLVM vectorises wherever it is inlined (a `u128`
/// XOR compiled to byte shuffles in some contexts, which made this "ceiling" slower than
/// the crate).
fn xor_copy(dst: &mut Vec<u8>, src: &[u8], key: [u8; 4], offset: usize) {
    let pattern: [u8; 16] = std::array::from_fn(|i| key[(i + offset) % 4]);
    dst.reserve(src.len());
    let spare = &mut dst.spare_capacity_mut()[..src.len()];
    let (spare_chunks, spare_tail) = spare.as_chunks_mut::<16>();
    let (chunks, tail) = src.as_chunks::<16>();
    for (slot, chunk) in spare_chunks.iter_mut().zip(chunks) {
        for ((slot, byte), k) in slot.iter_mut().zip(chunk).zip(pattern) {
            slot.write(byte ^ k);
        }
    }
    for ((slot, byte), k) in spare_tail.iter_mut().zip(tail).zip(pattern) {
        slot.write(byte ^ k);
    }
    let len = dst.len() + src.len();
    // SAFETY: all `src.len()` bytes past the old end were written above.
    unsafe { dst.set_len(len) };
}

struct Frame {
    fin: bool,
    continuation: bool,
    text: bool,
    len: usize,
    key: [u8; 4],
}

/// Parses a (valid, masked) header from `b`; `None` if incomplete.
fn header(b: &[u8]) -> Option<(Frame, usize)> {
    let [b0, b1, ..] = *b else { return None };
    let (len, at) = match b1 & 0x7f {
        126 => (
            u16::from_be_bytes(b.get(2..4)?.try_into().ok()?) as usize,
            4,
        ),
        127 => (
            u64::from_be_bytes(b.get(2..10)?.try_into().ok()?) as usize,
            10,
        ),
        n => (n as usize, 2),
    };
    let key = b.get(at..at + 4)?.try_into().ok()?;
    Some((
        Frame {
            fin: b0 & 0x80 != 0,
            continuation: b0 & 0x0f == 0,
            text: b0 & 0x0f == 1,
            len,
            key,
        },
        at + 4,
    ))
}

pub fn receive(_: &Workload, wire: &[u8], _: usize, sink: &mut Sink) -> Result<(), String> {
    let mut message = Vec::with_capacity(READ_SIZE);
    let mut partial = Vec::with_capacity(14);
    let mut frame: Option<(Frame, usize)> = None; // and payload bytes done
    let mut text = false;
    let mut validated = 0;
    for read in wire.chunks(READ_SIZE) {
        let mut at = 0;
        while at < read.len() {
            let Some((f, done)) = &mut frame else {
                let parsed = if partial.is_empty() {
                    header(&read[at..])
                } else {
                    let before = partial.len();
                    partial.extend_from_slice(&read[at..read.len().min(at + 14)]);
                    let parsed = header(&partial).map(|(f, n)| (f, n - before));
                    partial.truncate(before);
                    parsed
                };
                match parsed {
                    Some((f, n)) => {
                        at += n;
                        partial.clear();
                        if !f.continuation {
                            text = f.text;
                        }
                        frame = Some((f, 0));
                    }
                    None => {
                        partial.extend_from_slice(&read[at..]);
                        at = read.len();
                    }
                }
                continue;
            };
            let take = (f.len - *done).min(read.len() - at);
            xor_copy(&mut message, &read[at..at + take], f.key, *done);
            at += take;
            *done += take;
            if text {
                match simdutf8::compat::from_utf8(&message[validated..]) {
                    Ok(_) => validated = message.len(),
                    Err(e) if e.error_len().is_none() => validated += e.valid_up_to(),
                    Err(_) => return Err("invalid UTF-8".into()),
                }
            }
            if *done == f.len {
                if f.fin {
                    if text && validated != message.len() {
                        return Err("truncated UTF-8".into());
                    }
                    sink.deliver(&message);
                    message.clear();
                    validated = 0;
                    text = false;
                }
                frame = None;
            }
        }
    }
    Ok(())
}

pub fn encode(w: &Workload, client: bool, keep: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 << 10);
    let mut key = 0x1234_5678u32;
    for m in &w.messages {
        if !keep && out.len() > 64 << 10 {
            out.clear();
        }
        let opcode = if w.text { 0x81 } else { 0x82 };
        let mask = if client { 0x80 } else { 0 };
        match m.len() {
            n @ 0..=125 => out.extend_from_slice(&[opcode, mask | n as u8]),
            n @ 126..=65535 => {
                out.extend_from_slice(&[opcode, mask | 126]);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.extend_from_slice(&[opcode, mask | 127]);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        if client {
            key = key.wrapping_mul(0x9E37_79B9).wrapping_add(1);
            out.extend_from_slice(&key.to_ne_bytes());
            xor_copy(&mut out, m, key.to_ne_bytes(), 0);
        } else {
            out.extend_from_slice(m);
        }
    }
    out
}

/// Raw DEFLATE of each message with a sync flush and the 4-byte tail stripped, context
/// kept across messages: RFC 7692's work without the framing.
pub fn compress(w: &Workload, keep: bool) -> Vec<u8> {
    let mut deflate = Compress::new_with_window_bits(Compression::new(6), false, 15);
    let mut out = Vec::with_capacity(128 << 10);
    let mut scratch = Vec::with_capacity(128 << 10);
    for m in &w.messages {
        if !keep && out.len() > 64 << 10 {
            out.clear();
        }
        scratch.clear();
        let start_in = deflate.total_in();
        loop {
            scratch.reserve(m.len() / 2 + 64);
            let done = (deflate.total_in() - start_in) as usize;
            deflate
                .compress_vec(&m[done..], &mut scratch, FlushCompress::Sync)
                .expect("deflate");
            if (deflate.total_in() - start_in) as usize == m.len()
                && scratch.len() < scratch.capacity()
            {
                break;
            }
        }
        scratch.truncate(scratch.len() - 4);
        // A real RSV1 text frame header, so the check can read it back.
        let first = if w.text { 0xc1 } else { 0xc2 };
        match scratch.len() {
            n @ 0..=125 => out.extend_from_slice(&[first, n as u8]),
            n @ 126..=65535 => {
                out.extend_from_slice(&[first, 126]);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.extend_from_slice(&[first, 127]);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(&scratch);
    }
    out
}

/// Frames parsed and unmasked (one XOR-copy each), then raw inflate and validation.
pub fn inflate_workload(
    w: &Workload,
    wire: &[u8],
    _: usize,
    sink: &mut Sink,
) -> Result<(), String> {
    let mut inflate = Decompress::new_with_window_bits(false, 15);
    let mut payload = Vec::with_capacity(READ_SIZE);
    let mut out: Vec<u8> = Vec::with_capacity(128 << 10);
    let mut at = 0;
    while at < wire.len() {
        let (f, n) = header(&wire[at..]).ok_or("truncated")?;
        at += n;
        payload.clear();
        xor_copy(&mut payload, &wire[at..at + f.len], f.key, 0);
        at += f.len;
        out.clear();
        for input in [&payload[..], &[0, 0, 0xff, 0xff][..]] {
            let mut input = input;
            loop {
                out.reserve(READ_SIZE);
                let before = inflate.total_in();
                inflate
                    .decompress_vec(input, &mut out, FlushDecompress::None)
                    .map_err(|e| e.to_string())?;
                input = &input[(inflate.total_in() - before) as usize..];
                if input.is_empty() && out.len() < out.capacity() {
                    break;
                }
            }
        }
        if w.text && simdutf8::basic::from_utf8(&out).is_err() {
            return Err("invalid UTF-8".into());
        }
        sink.deliver(&out);
    }
    Ok(())
}
