//! Deterministic generation of frame streams, valid and mutated, and of chunkings.
#![allow(dead_code)]

use super::frames::frame;

/// A small deterministic PRNG (xorshift64*), so failures reproduce from the seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const WORDS: [&str; 8] = ["a", "hello ", "é", "€uro", "𝄞", "日本語", "\u{7f}", " "];

fn text(rng: &mut Rng, max_words: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(max_words + 1) {
        out.extend_from_slice(WORDS[rng.below(WORDS.len())].as_bytes());
    }
    out
}

fn bytes(rng: &mut Rng, max: usize) -> Vec<u8> {
    (0..rng.below(max + 1))
        .map(|_| rng.next_u64() as u8)
        .collect()
}

/// A stream of frames as `client_sends` says: messages split into fragments with control
/// frames between them, sometimes a close at the end.
pub fn valid_stream(rng: &mut Rng, client_sends: bool) -> Vec<u8> {
    let key =
        |rng: &mut Rng| client_sends.then(|| [rng.next_u64() as u8, 7, rng.next_u64() as u8, 200]);
    let mut out = Vec::new();
    for _ in 0..1 + rng.below(4) {
        let is_text = rng.chance(50);
        let payload = if is_text {
            text(rng, 12)
        } else {
            bytes(rng, 40)
        };
        let pieces = 1 + rng.below(3);
        let mut at = 0;
        for i in 0..pieces {
            let end = if i + 1 == pieces {
                payload.len()
            } else {
                at + rng.below(payload.len() - at + 1)
            };
            let opcode = if i > 0 {
                0x0
            } else if is_text {
                0x1
            } else {
                0x2
            };
            let fin = if i + 1 == pieces { 0x80 } else { 0 };
            let k = key(rng);
            out.extend(frame(fin | opcode, &payload[at..end], k));
            at = end;
            if rng.chance(25) {
                let k = key(rng);
                out.extend(frame(0x89 + rng.below(2) as u8, &bytes(rng, 10), k));
            }
        }
    }
    if rng.chance(30) {
        let codes = [
            1000u16, 1001, 1003, 1004, 1005, 1012, 1014, 2999, 3000, 4999, 5000, 999,
        ];
        let mut payload = codes[rng.below(codes.len())].to_be_bytes().to_vec();
        payload.extend(text(rng, 3));
        if rng.chance(10) {
            payload.truncate(rng.below(2));
        }
        let k = key(rng);
        out.extend(frame(0x88, &payload, k));
        out.extend(frame(0x81, b"after close", key(rng)));
    }
    out
}

/// Breaks a stream in one of the ways a hostile or buggy peer would.
pub fn mutate(rng: &mut Rng, stream: &mut Vec<u8>) {
    if stream.is_empty() {
        stream.extend(bytes(rng, 8));
        return;
    }
    let at = rng.below(stream.len());
    match rng.below(6) {
        0 => stream[at] ^= 1 << rng.below(8),
        1 => stream[at] = rng.next_u64() as u8,
        2 => stream.truncate(at),
        3 => stream.splice(at..at, bytes(rng, 6)).for_each(drop),
        4 => stream[at] |= 0x70,
        _ => stream[at] = 0xff,
    }
}

/// Splits `data` at random points into at most `max_pieces` pieces.
pub fn chunks(rng: &mut Rng, data: &[u8], max_pieces: usize) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = (0..rng.below(max_pieces))
        .map(|_| rng.below(data.len() + 1))
        .collect();
    cuts.sort_unstable();
    let mut pieces = Vec::new();
    let mut at = 0;
    for cut in cuts {
        pieces.push(data[at..cut].to_vec());
        at = cut;
    }
    pieces.push(data[at..].to_vec());
    pieces
}
