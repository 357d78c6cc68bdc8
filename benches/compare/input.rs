//! The workloads: messages, and the bytes every crate is fed or must produce.

use bytes::Bytes;
use wsproto::frame::{MaskingKey, RsvBits, encode_frame};
use wsproto::{Client, Opcode};

/// What a workload asks of a crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// Receive masked client frames as a server; deliver whole messages.
    Receive,
    /// Encode the messages as unmasked server frames.
    EncodeServer,
    /// Encode the messages as masked client frames.
    EncodeClient,
    /// Compress the messages (permessage-deflate, context takeover) as a server.
    Compress,
    /// Receive compressed masked client frames as a server; deliver inflated messages.
    Inflate,
}

/// One row group of the table.
pub struct Workload {
    pub name: String,
    pub task: Task,
    /// Text (validated as UTF-8) or binary.
    pub text: bool,
    /// The messages, in order.
    pub messages: Vec<Bytes>,
    /// For receiving tasks: the wire bytes, fed in reads of [`READ_SIZE`].
    pub wire: Vec<u8>,
    /// Length of the wire prefix that holds the first half of the messages, to measure
    /// allocations per message in steady state (full run minus half run).
    pub half_wire: usize,
    /// Sum of the message lengths.
    pub payload_bytes: usize,
}

/// Received bytes are handed to each crate in reads of this size.
pub const READ_SIZE: usize = 16 * 1024;

/// A small deterministic generator (xorshift64*), so every run sees the same bytes.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn key(&mut self) -> [u8; 4] {
        (self.next() as u32).to_le_bytes()
    }
}

pub fn binary(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.next() as u8).collect()
}

pub fn ascii(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| b' ' + rng.below(95) as u8).collect()
}

/// Text of 2-, 3- and 4-byte characters in equal measure, padded with ASCII to `len`.
pub fn multibyte(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut text = String::with_capacity(len);
    loop {
        let c = match rng.below(3) {
            0 => char::from_u32(0x80 + rng.below(0x780) as u32),
            1 => char::from_u32(0x800 + rng.below(0xF800) as u32),
            _ => char::from_u32(0x10000 + rng.below(0x100000) as u32),
        };
        let Some(c) = c else { continue }; // a surrogate
        if text.len() + c.len_utf8() > len {
            break;
        }
        text.push(c);
    }
    while text.len() < len {
        text.push('.');
    }
    text.into_bytes()
}

/// JSON-like text: records with repeated keys and varying values, as chat or market data.
pub fn json(rng: &mut Rng, len: usize) -> Vec<u8> {
    const WORDS: [&str; 12] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliet", "kilo", "lima",
    ];
    let mut out = String::from("[");
    while out.len() < len {
        let id = rng.below(1_000_000);
        let user = WORDS[rng.below(12) as usize];
        let tag = WORDS[rng.below(12) as usize];
        let price = rng.below(100_000) as f64 / 100.0;
        out.push_str(&format!(
            r#"{{"id":{id},"user":"{user}{}","tags":["{tag}","{user}"],"price":{price},"ok":{}}},"#,
            rng.below(100),
            rng.below(2) == 0
        ));
    }
    out.truncate(len - 1);
    out.push(']');
    out.into_bytes()
}

/// The wire bytes of `messages` sent by a client, each in `fragments` frames, each frame
/// with its own masking key. Fragment cuts fall at equal byte offsets, so in multibyte text
/// they split characters.
pub fn client_wire(
    rng: &mut Rng,
    messages: &[Bytes],
    text: bool,
    fragments: usize,
) -> (Vec<u8>, usize) {
    let mut wire = Vec::new();
    let mut half = 0;
    for (i, message) in messages.iter().enumerate() {
        if i == messages.len() / 2 {
            half = wire.len();
        }
        let step = message.len().div_ceil(fragments).max(1);
        let pieces: Vec<&[u8]> = if message.is_empty() {
            vec![&[][..]]
        } else {
            message.chunks(step).collect()
        };
        for (j, piece) in pieces.iter().enumerate() {
            let opcode = match (j, text) {
                (0, true) => Opcode::Text,
                (0, false) => Opcode::Binary,
                _ => Opcode::Continuation,
            };
            let fin = j + 1 == pieces.len();
            encode_frame::<Client>(
                fin,
                RsvBits::NONE,
                opcode,
                MaskingKey(rng.key()),
                piece,
                &mut wire,
            );
        }
    }
    (wire, half)
}

/// How many copies of a message of `len` bytes make one timed run.
pub fn count_for(len: usize, quick: bool) -> usize {
    let budget = if quick { 1 << 20 } else { 16 << 20 };
    (budget / len.max(1)).clamp(if quick { 2 } else { 8 }, 400_000)
}
