//! Where received bytes wait, and how much memory that costs. The pipeline keeps two such
//! buffers:
//!
//! - the payload buffer: payload bytes go from the read into it in one pass, unmasked on
//!   the way (RFC 6455 §5.3); frame headers and control frames never enter it. So the data
//!   of the frames waiting to be delivered lies in it back to back, oldest first, followed
//!   by the bytes of the frame still arriving;
//! - the unparsed bytes: the rest of a read that the one-step path will take frame by
//!   frame (`one_step.rs`), or that waits because the queue is full.
//!
//! Every delivered payload is a slice of one of them, handed out as a [`Bytes`] (a reference
//! count, no copy) or lent until the next call.
//!
//! Memory policy, in one place:
//! - a read reserves room for all of its bytes at once, so a read of many small frames
//!   grows the buffer at most once;
//! - whole-message delivery reserves up to 64 KiB of a frame's payload when its header
//!   arrives, and grows a large message geometrically as it arrives, never for bytes only
//!   announced (the rust-websocket bug of RUSTSEC-2022-0035 allocated the announced length);
//! - a buffer that grew past [`KEEP_CAPACITY`] for a large message is kept while large
//!   messages follow (the next one reuses it once the application dropped the last, with
//!   no allocation and no growth), and let go when a small one is handed out with little
//!   left in the buffer;
//! - once everything is handed out, a buffer larger than [`IDLE_CAPACITY`] is let go, so an
//!   idle connection holds next to nothing.

use bytes::{Buf, Bytes, BytesMut};

use crate::frame::mask::extend_unmasked;

/// The most capacity an empty buffer keeps. Reads of small frames (up to this size) then
/// reuse one buffer without allocating; anything larger is released once delivered, so an
/// idle connection holds at most this much (plus the allocation's shared header).
pub(crate) const IDLE_CAPACITY: usize = 512;

/// A buffer whose capacity grew past this (for a large message) is released when a small
/// message is handed out and little is left in it, even while traffic goes on, so that a
/// connection does not keep the memory of its largest message; while large messages follow
/// one another, it is reused.
pub(crate) const KEEP_CAPACITY: usize = 64 * 1024;

/// Whole-message delivery: the most room reserved for a frame's payload before it arrives.
pub(crate) const UPFRONT: u64 = 64 * 1024;

/// Received bytes, oldest first.
#[derive(Default)]
pub(crate) struct ReceiveBuffer {
    buf: BytesMut,
    /// Bytes at the front already delivered, dropped lazily: dropping costs more than a
    /// small frame, so it waits until the buffer is emptied or must grow.
    consumed: usize,
    /// Bytes after those that a borrowed frame is reading: delivered, and consumed by
    /// [`settle`](Self::settle) at the next call.
    lent: usize,
    /// Whether the capacity passed [`KEEP_CAPACITY`] since the buffer was last released.
    oversized: bool,
    /// The capacity the buffer last grew to: what its allocation holds on to, even after
    /// delivered bytes were split off it (which `capacity()` no longer counts).
    grown_to: usize,
}

impl ReceiveBuffer {
    /// Bytes received and not yet delivered.
    #[inline]
    pub(crate) fn undelivered(&self) -> usize {
        self.buf.len() - self.consumed - self.lent
    }

    /// Whether nothing is held but delivered bytes.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.undelivered() == 0
    }

    /// The bytes not yet delivered.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.buf[self.consumed + self.lent..]
    }

    /// `len` bytes not yet delivered, after the first `skip`, to be changed in place.
    #[inline]
    pub(crate) fn range_mut(&mut self, skip: usize, len: usize) -> &mut [u8] {
        let start = self.consumed + self.lent + skip;
        &mut self.buf[start..start + len]
    }

    /// Appends bytes as they are.
    pub(crate) fn extend(&mut self, data: &[u8]) {
        self.reserve(data.len(), 0);
        self.buf.extend_from_slice(data);
    }

    /// Drops the first `len` bytes not yet delivered.
    pub(crate) fn advance(&mut self, len: usize) {
        self.lent += len;
        self.settle();
    }

    /// Makes room for `incoming` more bytes, plus `growth` for a message being assembled.
    /// One reservation covers a whole read, whatever number of frames it holds.
    pub(crate) fn reserve(&mut self, incoming: usize, growth: usize) {
        if self.buf.capacity() - self.buf.len() >= incoming {
            return;
        }
        self.drop_consumed();
        // Small reads get a buffer of `IDLE_CAPACITY`, which is kept between them.
        self.buf.reserve(incoming.max(IDLE_CAPACITY) + growth);
        self.grew();
    }

    /// Appends `payload` XORed with `key` as seen from payload octet `offset` (RFC 6455
    /// §5.3), or as it is without a key: the one copy of a received payload. Room for it
    /// was made by [`reserve`](Self::reserve).
    pub(crate) fn append_unmasked(&mut self, payload: &[u8], key: Option<[u8; 4]>, offset: u64) {
        match key {
            Some(key) => extend_unmasked(&mut self.buf, payload, key, offset),
            None => self.buf.extend_from_slice(payload),
        }
    }

    /// `len` bytes, after `skip` bytes that are dropped, as shared bytes: delivered. No
    /// frame may be lent (see [`settle`](Self::settle)).
    #[inline(always)]
    pub(crate) fn take(&mut self, skip: usize, len: usize) -> Bytes {
        debug_assert_eq!(self.lent, 0);
        let start = self.consumed + skip;
        let mut bytes = self.buf.split_to(start + len).freeze();
        bytes.advance(start);
        self.consumed = 0;
        bytes
    }

    /// `len` bytes, after `skip` bytes, lent until the next call; the bytes up to their end
    /// are delivered then. No other frame may be lent (see [`settle`](Self::settle)).
    #[inline]
    pub(crate) fn lend(&mut self, skip: usize, len: usize) -> &[u8] {
        debug_assert_eq!(self.lent, 0);
        self.lent = skip + len;
        let start = self.consumed + skip;
        &self.buf[start..start + len]
    }

    /// Consumes the bytes of a borrowed frame, now that the borrow has ended.
    #[inline]
    pub(crate) fn settle(&mut self) {
        if self.lent == 0 {
            return;
        }
        let small = self.lent < KEEP_CAPACITY;
        self.consumed += self.lent;
        self.lent = 0;
        if self.consumed == self.buf.len() {
            // Emptied: start again at the front of the allocation, nothing to move.
            self.buf.clear();
            self.consumed = 0;
        }
        if small && self.oversized {
            self.release_if_oversized();
        }
    }

    fn grew(&mut self) {
        self.grown_to = self.grown_to.max(self.buf.capacity());
        self.oversized |= self.grown_to > KEEP_CAPACITY;
    }

    fn drop_consumed(&mut self) {
        if self.consumed > 0 {
            self.buf.advance(self.consumed);
            self.consumed = 0;
        }
    }

    /// The last `len` bytes, those of the frame still arriving.
    pub(crate) fn tail(&self, len: usize) -> &[u8] {
        &self.buf[self.buf.len() - len..]
    }

    /// Forgets the last `len` bytes (those of a frame that broke a rule).
    pub(crate) fn drop_tail(&mut self, len: usize) {
        self.buf.truncate(self.buf.len() - len);
    }

    /// Whole-message delivery: room for what a frame announces, up to [`UPFRONT`] bytes and
    /// at least `growth`, made before its payload arrives so that it is not regrown and
    /// copied as it does.
    pub(crate) fn reserve_upfront(&mut self, announced: u64, growth: usize) {
        let missing = announced.min(UPFRONT);
        let spare = (self.buf.capacity() - self.buf.len()) as u64;
        if missing > spare {
            self.drop_consumed();
            // At most `UPFRONT`, so the cast is lossless.
            self.buf.reserve((missing as usize).max(growth));
            self.grew();
        }
    }

    /// Lets go of a buffer that grew past [`KEEP_CAPACITY`] once little or nothing is left
    /// in it: what is left is copied into a buffer of its own size.
    pub(crate) fn release_if_oversized(&mut self) {
        if self.oversized && self.lent == 0 && self.undelivered() <= KEEP_CAPACITY / 4 {
            self.buf = if self.is_empty() {
                BytesMut::new()
            } else {
                BytesMut::from(self.as_slice())
            };
            self.consumed = 0;
            self.oversized = false;
            self.grown_to = self.buf.capacity();
        }
    }

    /// Lets go of an emptied buffer larger than [`IDLE_CAPACITY`]: everything has been
    /// delivered, and the connection may stay idle for long.
    pub(crate) fn release_if_idle(&mut self) {
        if self.is_empty() && self.lent == 0 && self.grown_to > IDLE_CAPACITY {
            self.buf = BytesMut::new();
            self.consumed = 0;
            self.oversized = false;
            self.grown_to = 0;
        }
    }

    /// The capacity, for tests of the memory policy.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity()
    }
}

/// Whole-message delivery: how much room to add, beyond the read at hand, when a message
/// of `assembled` bytes so far outgrows the buffer. In the message's last frame the rest is
/// known: grow to four times what has arrived, capped at that rest (`frame_rest`), so a
/// large unfragmented message takes three steps with an exact last one instead of doubling
/// from a read's size. Before the last frame nothing bounds the message but the limit
/// (`message_rest`): double, so the buffer never holds more than twice what the peer sent.
/// Neither commits what a peer only announced (RUSTSEC-2022-0035).
pub(crate) fn assembly_growth(
    assembled: usize,
    fin: bool,
    frame_rest: u64,
    message_rest: u64,
) -> usize {
    let (factor, rest) = if fin {
        (3, frame_rest)
    } else {
        (1, message_rest)
    };
    // The cast only lowers a value that could not be allocated anyway.
    let rest = usize::try_from(rest).unwrap_or(usize::MAX);
    assembled.saturating_mul(factor).min(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_unmasked_on_the_way_in_at_any_offset() {
        let key = [1, 2, 3, 4];
        let data: Vec<u8> = (0..40).collect();
        let mut masked = data.clone();
        crate::frame::mask::apply_mask(&mut masked, key, 0);
        let mut buffer = ReceiveBuffer::default();
        buffer.reserve(masked.len(), 0);
        // In pieces of 1..=5 bytes: each piece continues the key where the last stopped.
        let mut at = 0;
        for step in (1..=5).cycle() {
            if at == masked.len() {
                break;
            }
            let end = (at + step).min(masked.len());
            buffer.append_unmasked(&masked[at..end], Some(key), at as u64);
            at = end;
        }
        assert_eq!(&buffer.take(0, 40)[..], &data[..]);
    }

    #[test]
    fn an_emptied_buffer_keeps_only_a_small_allocation() {
        let mut buffer = ReceiveBuffer::default();
        buffer.reserve(100, 0);
        buffer.append_unmasked(&[7; 100], None, 0);
        drop(buffer.take(0, 100));
        buffer.release_if_idle();
        assert!(
            buffer.capacity() <= IDLE_CAPACITY,
            "small reads keep their buffer"
        );
        buffer.reserve(16 << 10, 0);
        buffer.append_unmasked(&[7; 16 << 10], None, 0);
        drop(buffer.take(0, 16 << 10));
        buffer.release_if_idle();
        assert_eq!(buffer.capacity(), 0, "a large buffer is let go once empty");
    }
}
