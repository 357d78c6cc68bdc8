//! RFC 7692 §7.1.2 window bits 8: our compressor's output must never reach back more than 256 bytes.
//!
//! Checked with an independent RFC 1951 inflater written for this test that
//! records every back-reference distance, since flate2 refuses to build an
//! 8-bit inflater and zlib's own inflater accepts far distances whenever its
//! output buffer still holds the bytes.

use wsproto::deflate::MessageCompressor;

const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];
const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
    bit: u8,
}

impl BitReader<'_> {
    fn bits(&mut self, count: u8) -> u32 {
        let mut value = 0;
        for i in 0..count {
            let byte = *self.data.get(self.pos).expect("stream ended mid-block");
            value |= u32::from((byte >> self.bit) & 1) << i;
            self.bit += 1;
            if self.bit == 8 {
                self.bit = 0;
                self.pos += 1;
            }
        }
        value
    }

    fn align(&mut self) {
        if self.bit != 0 {
            self.bit = 0;
            self.pos += 1;
        }
    }
}

/// Canonical Huffman code as RFC 1951 §3.2.2 defines it: counts per length and symbols in code order.
struct Huffman {
    counts: [u16; 16],
    symbols: Vec<u16>,
}

impl Huffman {
    fn new(lengths: &[u8]) -> Self {
        let mut counts = [0u16; 16];
        lengths
            .iter()
            .for_each(|&len| counts[usize::from(len)] += 1);
        counts[0] = 0;
        let mut symbols: Vec<u16> = (0..lengths.len() as u16)
            .filter(|&s| lengths[usize::from(s)] != 0)
            .collect();
        symbols.sort_by_key(|&s| lengths[usize::from(s)]);
        Huffman { counts, symbols }
    }

    fn decode(&self, reader: &mut BitReader<'_>) -> u16 {
        let (mut code, mut first, mut index) = (0u32, 0u32, 0u32);
        for len in 1..16 {
            code |= reader.bits(1);
            let count = u32::from(self.counts[len]);
            if code < first + count {
                return self.symbols[(index + code - first) as usize];
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        panic!("invalid Huffman code");
    }
}

/// Inflates a raw DEFLATE stream that ends on a block boundary; returns output and the largest distance used.
fn inflate_tracking_distance(data: &[u8]) -> (Vec<u8>, usize) {
    let mut reader = BitReader {
        data,
        pos: 0,
        bit: 0,
    };
    let (mut out, mut max_distance) = (Vec::new(), 0);
    while reader.pos < data.len() {
        let last = reader.bits(1) == 1;
        match reader.bits(2) {
            0 => {
                reader.align();
                let len = reader.bits(16);
                assert_eq!(len ^ 0xffff, reader.bits(16), "stored length check");
                (0..len).for_each(|_| out.push(reader.bits(8) as u8));
            }
            1 => {
                let (lit, dist) = (
                    Huffman::new(&fixed_literal_lengths()),
                    Huffman::new(&[5; 30]),
                );
                max_distance = max_distance.max(inflate_block(&mut reader, &lit, &dist, &mut out));
            }
            2 => {
                let (lit, dist) = read_dynamic_tables(&mut reader);
                max_distance = max_distance.max(inflate_block(&mut reader, &lit, &dist, &mut out));
            }
            _ => panic!("reserved block type"),
        }
        assert!(!last, "sync-flushed streams never set BFINAL");
    }
    (out, max_distance)
}

/// RFC 1951 §3.2.6 fixed literal/length code lengths.
fn fixed_literal_lengths() -> Vec<u8> {
    (0..288)
        .map(|s| match s {
            0..=143 => 8,
            144..=255 => 9,
            256..=279 => 7,
            _ => 8,
        })
        .collect()
}

fn read_dynamic_tables(reader: &mut BitReader<'_>) -> (Huffman, Huffman) {
    let literals = reader.bits(5) as usize + 257;
    let distances = reader.bits(5) as usize + 1;
    let code_lengths = reader.bits(4) as usize + 4;
    let mut order_lengths = [0u8; 19];
    for &symbol in &CODE_LENGTH_ORDER[..code_lengths] {
        order_lengths[symbol] = reader.bits(3) as u8;
    }
    let code_length_code = Huffman::new(&order_lengths);
    let mut lengths = Vec::with_capacity(literals + distances);
    while lengths.len() < literals + distances {
        match code_length_code.decode(reader) {
            symbol @ 0..=15 => lengths.push(symbol as u8),
            16 => {
                let previous = *lengths.last().expect("repeat with no previous length");
                (0..3 + reader.bits(2)).for_each(|_| lengths.push(previous));
            }
            17 => (0..3 + reader.bits(3)).for_each(|_| lengths.push(0)),
            _ => (0..11 + reader.bits(7)).for_each(|_| lengths.push(0)),
        }
    }
    (
        Huffman::new(&lengths[..literals]),
        Huffman::new(&lengths[literals..]),
    )
}

fn inflate_block(
    reader: &mut BitReader<'_>,
    lit: &Huffman,
    dist: &Huffman,
    out: &mut Vec<u8>,
) -> usize {
    let mut max_distance = 0;
    loop {
        let symbol = usize::from(lit.decode(reader));
        if symbol < 256 {
            out.push(symbol as u8);
            continue;
        }
        if symbol == 256 {
            return max_distance;
        }
        let len =
            usize::from(LEN_BASE[symbol - 257]) + reader.bits(LEN_EXTRA[symbol - 257]) as usize;
        let code = usize::from(dist.decode(reader));
        let distance = usize::from(DIST_BASE[code]) + reader.bits(DIST_EXTRA[code]) as usize;
        assert!(
            distance <= out.len(),
            "distance before the start of the stream"
        );
        max_distance = max_distance.max(distance);
        (0..len).for_each(|_| out.push(out[out.len() - distance]));
    }
}

/// Text that tempts a matcher with repeats at distances just above 256.
fn tempting_inputs() -> Vec<Vec<u8>> {
    let periodic = |period: usize, len: usize| {
        (0..len)
            .map(|i| (i % period) as u8 ^ 0x5a)
            .collect::<Vec<u8>>()
    };
    let json: Vec<u8> = (0..120)
        .flat_map(|i| {
            format!(
                "{{\"id\":{i},\"name\":\"user{}\",\"tags\":[\"a\",\"b\"]}},",
                i % 7
            )
            .into_bytes()
        })
        .collect();
    vec![
        periodic(257, 5000),
        periodic(300, 5000),
        periodic(250, 3000),
        periodic(511, 9000),
        json,
        vec![b'x'; 2000],
    ]
}

fn compressed_stream(window_bits: u8, level: u32, inputs: &[Vec<u8>]) -> Vec<u8> {
    let mut comp = MessageCompressor::with_level(window_bits, false, level).unwrap();
    let mut stream = Vec::new();
    for input in inputs {
        let (head, rest) = input.split_at(input.len() / 3);
        comp.compress(head, false, &mut stream).unwrap();
        comp.compress(rest, true, &mut stream).unwrap();
        stream.extend_from_slice(&TAIL);
    }
    stream
}

#[test]
fn window_8_output_stays_within_256_bytes() {
    let inputs = tempting_inputs();
    let expected = inputs.concat();
    for level in 0..=9 {
        let (out, max_distance) = inflate_tracking_distance(&compressed_stream(8, level, &inputs));
        assert_eq!(out, expected, "level {level}");
        assert!(
            max_distance <= 256,
            "level {level}: distance {max_distance}"
        );
        println!("level {level}: max distance {max_distance}");
    }
}

#[test]
fn checker_sees_far_distances() {
    // Control: with a 1 KiB window the same inputs do use distances over 256.
    let inputs = tempting_inputs();
    let (out, max_distance) = inflate_tracking_distance(&compressed_stream(10, 6, &inputs));
    assert_eq!(out, inputs.concat());
    assert!(max_distance > 256, "{max_distance}");
}

#[test]
fn window_8_ratio_on_json() {
    let json: Vec<u8> = (0..200)
        .flat_map(|i| {
            format!(
                "{{\"id\":{},\"user\":\"u{}\",\"ok\":{}}},",
                i * 37 % 1000,
                i % 13,
                i % 3 == 0
            )
            .into_bytes()
        })
        .take(4096)
        .collect();
    let size = |bits: u8, level: u32| {
        let mut out = Vec::new();
        MessageCompressor::with_level(bits, true, level)
            .unwrap()
            .compress(&json, true, &mut out)
            .unwrap();
        out.len()
    };
    // Window 8 is the 9-bit stream, byte for byte.
    assert_eq!(size(8, 6), size(9, 6));
    for (name, len) in [
        ("window 8", size(8, 6)),
        ("window 9", size(9, 6)),
        ("window 15", size(15, 6)),
        ("window 8, level 0 (stored)", size(8, 0)),
    ] {
        println!(
            "{name}: {len} / {} = {:.3}",
            json.len(),
            len as f64 / json.len() as f64
        );
    }
    assert!(size(8, 6) * 2 < json.len());
}
