//! The LZ77 sliding window of RFC 7692 §7.2.2, kept outside zlib: the last 2^bits
//! bytes of uncompressed data, from which a compressor or an inflater is rebuilt
//! (`set_dictionary`) after a final block, or after its state was released while the
//! connection was idle. zlib-rs can neither restart a stream with its window nor read the
//! window out, so this copy is the only way to keep context takeover (§7.1.1) across
//! either.

use std::cmp::min;

/// The last `size` bytes (a power of two) of a DEFLATE stream's uncompressed side. The
/// buffer grows with the data, so that it costs memory in proportion to what passed,
/// until it holds `size` bytes; then it is a ring.
pub(super) struct Window {
    ring: Vec<u8>,
    /// Once the ring is full: where the next byte goes, and so the oldest byte.
    next: usize,
    size: usize,
}

impl Window {
    pub(super) fn new(size: usize) -> Self {
        debug_assert!(size.is_power_of_two());
        Window {
            ring: Vec::new(),
            next: 0,
            size,
        }
    }

    /// Every inflate call pushes its output; the tail of a sync-flushed message inflates
    /// to nothing, which costs only this test.
    #[inline(always)]
    pub(super) fn push(&mut self, data: &[u8]) {
        if !data.is_empty() {
            self.push_bytes(data);
        }
    }

    fn push_bytes(&mut self, data: &[u8]) {
        let full = self.ring.len() == self.size;
        let end = self.next + data.len();
        if full && end < self.size {
            self.ring[self.next..end].copy_from_slice(data);
            self.next = end;
        } else if !full && self.ring.len() + data.len() < self.size {
            self.grow_for(data.len());
            self.ring.extend_from_slice(data);
        } else {
            self.push_wrapping(data);
        }
    }

    /// Doubles the buffer as needed, never past `size`.
    fn grow_for(&mut self, more: usize) {
        let needed = self.ring.len() + more;
        if needed > self.ring.capacity() {
            let target = needed.next_power_of_two().min(self.size);
            self.ring.reserve_exact(target - self.ring.len());
        }
    }

    #[cold]
    fn push_wrapping(&mut self, data: &[u8]) {
        let data = &data[data.len().saturating_sub(self.size)..];
        let fits = self.size - self.ring.len();
        let (filling, data) = data.split_at(min(fits, data.len()));
        self.grow_for(filling.len());
        self.ring.extend_from_slice(filling);
        let (to_end, wrapped) = data.split_at(min(data.len(), self.size - self.next));
        self.ring[self.next..self.next + to_end.len()].copy_from_slice(to_end);
        self.ring[..wrapped.len()].copy_from_slice(wrapped);
        self.next = (self.next + data.len()) & (self.size - 1);
    }

    pub(super) fn oldest_first(&self) -> (&[u8], &[u8]) {
        let (newer, older) = self.ring.split_at(self.next);
        (older, newer)
    }

    pub(super) fn clear(&mut self) {
        self.ring.clear();
        self.next = 0;
    }

    /// The window as one slice, oldest byte first, for `set_dictionary` (which is given
    /// the window in one call: a compressor's dictionary is not appended to). Rotates the
    /// ring in place: no allocation.
    pub(super) fn make_contiguous(&mut self) -> &[u8] {
        self.ring.rotate_left(self.next);
        self.next = 0;
        &self.ring
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ring against the plain definition: the last `size` bytes of everything pushed, in
    /// a buffer no larger than the output so far (rounded up to a power of two) or `size`.
    #[test]
    fn window_holds_the_last_bytes_pushed() {
        let size = 16;
        let mut window = Window::new(size);
        let mut pushed = Vec::new();
        let mut next = 0u8;
        for len in [0, 3, 0, 5, 7, 1, 16, 2, 15, 40, 9, 0, 31, 16, 4] {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    next = next.wrapping_add(1);
                    next
                })
                .collect();
            window.push(&data);
            pushed.extend_from_slice(&data);
            let (older, newer) = window.oldest_first();
            let expected = &pushed[pushed.len().saturating_sub(size)..];
            assert_eq!([older, newer].concat(), expected, "after pushing {len}");
            assert!(window.ring.capacity() <= size.min(pushed.len().next_power_of_two().max(1)));
        }
        window.clear();
        assert_eq!(window.oldest_first(), (&[][..], &[][..]));
        window.push(b"ab");
        assert_eq!(window.oldest_first(), (&b"ab"[..], &[][..]));
    }

    /// Rotating the ring keeps its content and the order of later pushes.
    #[test]
    fn contiguous_window_keeps_order() {
        let mut window = Window::new(8);
        window.push(b"0123456789ab");
        assert_eq!(window.make_contiguous(), b"456789ab");
        window.push(b"cd");
        let (older, newer) = window.oldest_first();
        assert_eq!([older, newer].concat(), b"6789abcd");
        assert_eq!(window.make_contiguous(), b"6789abcd");
        window.push(b"e");
        assert_eq!(window.make_contiguous(), b"789abcde");
    }
}
