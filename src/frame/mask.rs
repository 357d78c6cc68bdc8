//! Payload masking (RFC 6455 §5.3): XOR with a 4-byte key, processed a word at a time.

/// A client frame's masking key (RFC 6455 §5.3). Only a [`Client`](crate::Client) sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaskingKey(pub [u8; 4]);

/// The absence of a masking key: what every [`Server`](crate::Server) frame carries
/// (RFC 6455 §5.1: "A server MUST NOT mask any frames that it sends to the client").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unmasked;

impl From<MaskingKey> for Option<[u8; 4]> {
    fn from(key: MaskingKey) -> Self {
        Some(key.0)
    }
}

impl From<Unmasked> for Option<[u8; 4]> {
    fn from(_: Unmasked) -> Self {
        None
    }
}

/// XORs `data` with `key`, where `data` starts `offset` bytes into the frame's payload:
/// a payload delivered in pieces needs the key rotated by what came before (RFC 6455 §5.3:
/// octet i is XORed with key octet i MOD 4).
#[inline]
pub fn apply_mask(data: &mut [u8], key: [u8; 4], offset: usize) {
    // The key as seen from payload octet `offset`: in little-endian order, rotating the
    // word right by 8 bits moves key octet 1 to the front. A register rotate, no loop.
    let word = u32::from_le_bytes(key).rotate_right(8 * (offset % 4) as u32);
    // Sixteen bytes at a time: LLVM turns the u128 XOR into SSE on x86-64, and a 16-byte
    // chunk holds the key a whole number of times, so every chunk starts at key octet 0.
    let wide = u128::from(word) * 0x0000_0001_0000_0001_0000_0001_0000_0001;
    let (chunks, rest) = data.as_chunks_mut::<16>();
    for chunk in chunks {
        *chunk = (u128::from_le_bytes(*chunk) ^ wide).to_le_bytes();
    }
    // The tail (under 16 bytes): four at a time, then single bytes, with no modulo.
    let (quads, tail) = rest.as_chunks_mut::<4>();
    for quad in quads {
        *quad = (u32::from_le_bytes(*quad) ^ word).to_le_bytes();
    }
    for (byte, k) in tail.iter_mut().zip(word.to_le_bytes()) {
        *byte ^= k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(data: &mut [u8], key: [u8; 4], offset: usize) {
        for (i, b) in data.iter_mut().enumerate() {
            *b ^= key[(offset + i) % 4];
        }
    }

    #[test]
    fn rfc_example_masks_hello() {
        // RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d.
        let mut data = *b"Hello";
        apply_mask(&mut data, [0x37, 0xfa, 0x21, 0x3d], 0);
        assert_eq!(data, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    }

    #[test]
    fn matches_the_naive_loop_at_every_offset_and_length() {
        let key = [0x12, 0x34, 0x56, 0x78];
        let source: Vec<u8> = (0..=255).collect();
        for len in 0..70 {
            for offset in 0..8 {
                let mut fast = source[..len].to_vec();
                let mut slow = fast.clone();
                apply_mask(&mut fast, key, offset);
                naive(&mut slow, key, offset);
                assert_eq!(fast, slow, "len {len} offset {offset}");
            }
        }
    }

    proptest! {
        #[test]
        fn split_masking_equals_whole(data in proptest::collection::vec(any::<u8>(), 0..300), key: [u8; 4], split in 0usize..300) {
            let split = split.min(data.len());
            let mut whole = data.clone();
            apply_mask(&mut whole, key, 0);
            let mut parts = data.clone();
            let (a, b) = parts.split_at_mut(split);
            apply_mask(a, key, 0);
            apply_mask(b, key, split);
            prop_assert_eq!(whole, parts);
        }
    }
}
