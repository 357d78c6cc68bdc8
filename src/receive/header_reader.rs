//! A frame header that a read cut short: its first bytes wait here (at most 14) until the
//! rest arrives. Headers that arrive whole are parsed straight from the read instead.

use crate::frame::header::MAX_HEADER_LEN;

/// The bytes of a header split across reads.
#[derive(Debug, Default)]
pub(crate) struct HeaderReader {
    bytes: [u8; MAX_HEADER_LEN],
    len: usize,
    /// Whether the header's rules were checked: once its length is known, before its
    /// masking key arrives, so a broken header fails as soon as it can.
    pub(crate) checked: bool,
}

impl HeaderReader {
    /// Whether no header is half received.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Takes as many bytes of `data` as a header can still need; returns how many.
    pub(crate) fn gather(&mut self, data: &[u8]) -> usize {
        let take = (MAX_HEADER_LEN - self.len).min(data.len());
        self.bytes[self.len..self.len + take].copy_from_slice(&data[..take]);
        self.len += take;
        take
    }

    /// The bytes gathered so far.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// The header was taken: starts afresh.
    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.checked = false;
    }
}
