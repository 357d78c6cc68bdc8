//! [`Outbox`]: the bytes a connection has to write, in order: encoded frames in one
//! buffer, and after them, at most one large payload that is written from the message's
//! own memory instead of being copied into the buffer.

use bytes::{Buf, Bytes};

/// Encoded frames not yet written, then a payload written without a copy.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    /// Encoded frames, from `written` on.
    buf: Vec<u8>,
    written: usize,
    /// A payload that goes after all of `buf` (its header is `buf`'s last bytes).
    tail: Bytes,
}

impl Outbox {
    /// Bytes not yet written.
    pub(crate) fn len(&self) -> usize {
        self.buf.len() - self.written + self.tail.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The buffer to append encoded frames to. A pending tail is moved into it first (one
    /// copy), so that what is appended goes after it.
    pub(crate) fn buf_mut(&mut self) -> &mut Vec<u8> {
        if !self.tail.is_empty() {
            let tail = std::mem::take(&mut self.tail);
            self.buf.extend_from_slice(&tail);
        }
        &mut self.buf
    }

    /// Sets the payload to write after the buffer, whose last bytes must be its header.
    pub(crate) fn set_tail(&mut self, payload: Bytes) {
        debug_assert!(self.tail.is_empty(), "buf_mut moves a pending tail first");
        self.tail = payload;
    }

    /// What to write next, as two slices for one vectored write: the buffer's rest and the
    /// tail. Both empty when everything was written.
    pub(crate) fn pending(&self) -> [&[u8]; 2] {
        [&self.buf[self.written..], &self.tail]
    }

    /// `n` bytes of [`pending`](Self::pending) were written. A buffer that a large message
    /// grew past `keep` bytes is released once written, so an idle connection holds no
    /// large buffer.
    pub(crate) fn wrote(&mut self, n: usize, keep: usize) {
        let from_buf = n.min(self.buf.len() - self.written);
        self.written += from_buf;
        self.tail.advance(n - from_buf);
        if self.written == self.buf.len() {
            if self.buf.capacity() > keep {
                self.buf = Vec::new();
            } else {
                self.buf.clear();
            }
            self.written = 0;
        }
    }

    /// Drops everything: the transport is gone.
    pub(crate) fn clear(&mut self) {
        *self = Outbox::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_goes_after_the_buffer_and_before_anything_appended_later() {
        let mut outbox = Outbox::default();
        outbox.buf_mut().extend_from_slice(b"HEAD");
        outbox.set_tail(Bytes::from_static(b"payload"));
        assert_eq!(outbox.pending(), [&b"HEAD"[..], b"payload"]);
        outbox.wrote(6, 1 << 10);
        assert_eq!(outbox.pending(), [&b""[..], b"yload"]);
        outbox.buf_mut().extend_from_slice(b"NEXT");
        assert_eq!(outbox.pending(), [&b"yloadNEXT"[..], b""]);
        assert_eq!(outbox.len(), 9);
        outbox.wrote(9, 1 << 10);
        assert!(outbox.is_empty());
    }

    #[test]
    fn a_buffer_grown_past_the_limit_is_released_once_written() {
        let mut outbox = Outbox::default();
        outbox.buf_mut().extend_from_slice(&[0; 4096]);
        outbox.wrote(4096, 1024);
        assert_eq!(outbox.buf.capacity(), 0);
        outbox.buf_mut().extend_from_slice(&[0; 100]);
        outbox.wrote(100, 1024);
        assert!(outbox.buf.capacity() >= 100, "a small buffer is kept");
    }
}
