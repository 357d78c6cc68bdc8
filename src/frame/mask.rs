//! Payload masking (RFC 6455 §5.3): XOR with a 4-byte key, processed a word at a time.

use std::mem::MaybeUninit;

use bytes::BytesMut;

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

/// The key repeated over 16 bytes from octet `offset`, for byte-wise XOR of 16-byte
/// chunks.
#[inline]
fn key_pattern(key: [u8; 4], offset: usize) -> [u8; 16] {
    std::array::from_fn(|i| key[(i + offset) % 4])
}

/// Writes `src` XORed with `key` into `dst`, as [`apply_mask`] would at payload offset
/// `offset`: a copy and a mask in one pass. Initialises every element of `dst`, which must
/// be as long as `src` (it panics otherwise); the callers' `set_len` relies on that.
#[inline]
pub(crate) fn mask_into(dst: &mut [MaybeUninit<u8>], src: &[u8], key: [u8; 4], offset: usize) {
    assert_eq!(dst.len(), src.len());
    // The key repeated over 16 bytes, from octet `offset`: byte-wise XOR of two arrays is
    // the form LLVM turns into one vector instruction wherever it is inlined (a `u128`
    // XOR compiled to byte shuffles in some callers).
    let pattern = key_pattern(key, offset);
    let (dst_chunks, dst_tail) = dst.as_chunks_mut::<16>();
    let (chunks, tail) = src.as_chunks::<16>();
    for (slot, chunk) in dst_chunks.iter_mut().zip(chunks) {
        for ((slot, byte), k) in slot.iter_mut().zip(chunk).zip(pattern) {
            slot.write(byte ^ k);
        }
    }
    // A chunk holds the key four times, so the tail starts where a chunk does. Equal
    // lengths split into chunks and tails of equal lengths: every element is written.
    for ((slot, byte), k) in dst_tail.iter_mut().zip(tail).zip(pattern) {
        slot.write(byte ^ k);
    }
}

/// Appends `payload` XORed with `key` to `out` (RFC 6455 §5.3, from payload octet 0): one
/// pass over the bytes, where a copy and then [`apply_mask`] in place take two
/// (`cargo bench --bench compare` measured the two passes at 0.71-0.74 of the ceiling for
/// 16 KiB and 1 MiB client frames). Safe one-pass forms (`Vec::extend` from an iterator)
/// were vectorised or not depending on inlining: 1.4 GB/s in the crate.
#[inline]
#[allow(unsafe_code)]
pub(crate) fn extend_masked(out: &mut Vec<u8>, payload: &[u8], key: [u8; 4]) {
    out.reserve(payload.len());
    mask_into(
        &mut out.spare_capacity_mut()[..payload.len()],
        payload,
        key,
        0,
    );
    let len = out.len() + payload.len();
    // SAFETY: `reserve` made room for `payload.len()` more elements, so `len <= capacity`;
    // `mask_into` initialised all `payload.len()` of them past the old length.
    unsafe { out.set_len(len) };
}

/// Appends `payload` XORed with `key` as seen from payload octet `offset` to `buf`
/// (RFC 6455 §5.3): a received payload unmasked on its way out of the read, in one pass.
#[inline]
#[allow(unsafe_code)]
pub(crate) fn extend_unmasked(buf: &mut BytesMut, payload: &[u8], key: [u8; 4], offset: u64) {
    buf.reserve(payload.len());
    let start = buf.len();
    // The key repeats every 4 octets, so only the offset modulo 4 matters.
    mask_into(
        &mut buf.spare_capacity_mut()[..payload.len()],
        payload,
        key,
        (offset % 4) as usize,
    );
    // SAFETY: `reserve` made room for `payload.len()` bytes past the length, so
    // `start + payload.len() <= capacity`, and `mask_into` initialised every one of them.
    unsafe { buf.set_len(start + payload.len()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes of slots that were all initialised (the test fills them before
    /// `mask_into` overwrites them).
    #[allow(unsafe_code)]
    fn read_initialised(slots: &[MaybeUninit<u8>]) -> Vec<u8> {
        // SAFETY: every slot was created with `MaybeUninit::new`, so each is initialised.
        slots
            .iter()
            .map(|slot| unsafe { slot.assume_init() })
            .collect()
    }
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
        fn masking_into_equals_copying_then_masking(
            payload in proptest::collection::vec(any::<u8>(), 0..100),
            key: [u8; 4],
            offset in 0usize..8,
        ) {
            let mut expected = payload.clone();
            apply_mask(&mut expected, key, offset);
            let mut out = vec![MaybeUninit::new(0xAA); payload.len()];
            mask_into(&mut out, &payload, key, offset);
            prop_assert_eq!(read_initialised(&out), expected);
        }

        #[test]
        fn extending_masked_equals_copying_then_masking(
            prefix in proptest::collection::vec(any::<u8>(), 0..20),
            payload in proptest::collection::vec(any::<u8>(), 0..300),
            key: [u8; 4],
        ) {
            let mut expected = prefix.clone();
            expected.extend_from_slice(&payload);
            apply_mask(&mut expected[prefix.len()..], key, 0);
            let mut out = prefix.clone();
            extend_masked(&mut out, &payload, key);
            prop_assert_eq!(out, expected);
        }

        #[test]
        fn extending_unmasked_at_an_offset_equals_copying_then_masking(
            prefix in proptest::collection::vec(any::<u8>(), 0..20),
            payload in proptest::collection::vec(any::<u8>(), 0..300),
            key: [u8; 4],
            offset in 0u64..9,
        ) {
            let mut expected = prefix.clone();
            expected.extend_from_slice(&payload);
            apply_mask(&mut expected[prefix.len()..], key, offset as usize);
            let mut buf = BytesMut::from(&prefix[..]);
            extend_unmasked(&mut buf, &payload, key, offset);
            prop_assert_eq!(&buf[..], &expected[..]);
        }

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
