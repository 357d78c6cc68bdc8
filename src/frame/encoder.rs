//! Frame encoding (RFC 6455 §5.2): the header and the payload, masked for a client, appended
//! to the caller's buffer in one go, or kept apart for a vectored write.

use std::io::{self, IoSlice, Write};

use crate::constants::FIN_MASK;
use crate::frame::header::{MAX_HEADER_LEN, header_bytes};
use crate::frame::mask::extend_masked;
use crate::opcode::Opcode;
use crate::role::{MaskingOf, Role};
use crate::rsv::RsvBits;

/// Appends one frame to `out`. The masking argument's type follows the role: a
/// [`MaskingKey`](crate::frame::MaskingKey) for a [`Client`](crate::Client), [`Unmasked`](crate::frame::Unmasked)
/// for a [`Server`](crate::Server) (RFC 6455 §5.1), so the wrong one does not compile.
///
/// This is the raw layer: it checks nothing (fragmentation, control payload sizes, RSV
/// ownership). [`FrameProtocol`](crate::FrameProtocol) is the checked API.
///
/// ```
/// use wsproto::{Opcode, Server};
/// use wsproto::frame::{RsvBits, Unmasked, encode_frame};
/// let mut out = Vec::new();
/// encode_frame::<Server>(true, RsvBits::NONE, Opcode::Text, Unmasked, b"Hello", &mut out);
/// assert_eq!(out, b"\x81\x05Hello");
/// ```
pub fn encode_frame<R: Role>(
    fin: bool,
    rsv: RsvBits,
    opcode: Opcode,
    masking: impl MaskingOf<R>,
    payload: &[u8],
    out: &mut Vec<u8>,
) {
    encode_raw(first_byte(fin, rsv, opcode), masking.key(), payload, out);
}

/// The first header byte: FIN, RSV bits and opcode (RFC 6455 §5.2).
#[inline]
pub(crate) fn first_byte(fin: bool, rsv: RsvBits, opcode: Opcode) -> u8 {
    (if fin { FIN_MASK } else { 0 }) | rsv.to_byte() | u8::from(opcode)
}

/// Appends header and payload, the payload masked on its way if a key is given
/// (RFC 6455 §5.3).
#[inline]
pub(crate) fn encode_raw(first_byte: u8, mask: Option<[u8; 4]>, payload: &[u8], out: &mut Vec<u8>) {
    let (header, header_len) = header_bytes(first_byte, mask, payload.len());
    out.reserve(MAX_HEADER_LEN + payload.len());
    // All 14 bytes, then the unused ones dropped: a copy of constant size compiles to two
    // stores, where a copy of `header_len` bytes is a call to `memcpy`.
    out.extend_from_slice(&header);
    out.truncate(out.len() - (MAX_HEADER_LEN - header_len));
    match mask {
        Some(key) => extend_masked(out, payload, key),
        None => out.extend_from_slice(payload),
    }
}

/// A frame to write as slices, its header then its payload: with
/// [`Write::write_vectored`](std::io::Write::write_vectored) (one `writev` system call), the
/// payload goes from the caller's memory to the socket without being copied into a buffer
/// first. [`FrameProtocol::send_data_vectored`](crate::FrameProtocol::send_data_vectored)
/// makes one.
#[must_use = "a frame is sent only when its bytes are written"]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VectoredFrame<'a> {
    /// Whole frames written before this one: the end of a message whose builder was dropped.
    before: &'a [u8],
    head: [u8; MAX_HEADER_LEN],
    head_len: usize,
    payload: &'a [u8],
}

impl<'a> VectoredFrame<'a> {
    /// The header (RFC 6455 §5.2) for `payload`, masked with `mask` if given (the payload
    /// must then be masked already).
    pub(crate) fn new(
        before: &'a [u8],
        first_byte: u8,
        mask: Option<[u8; 4]>,
        payload: &'a [u8],
    ) -> Self {
        let (head, head_len) = header_bytes(first_byte, mask, payload.len());
        VectoredFrame {
            before,
            head,
            head_len,
            payload,
        }
    }

    /// Bytes that go on the wire before the frame: empty, unless a typed message builder
    /// was dropped before its last fragment; then the empty final fragment that ends its
    /// message (see [`MessageBuilder`](crate::protocol::MessageBuilder)).
    pub fn before(&self) -> &'a [u8] {
        self.before
    }

    /// The frame's header: 2 to 14 bytes.
    pub fn header(&self) -> &[u8] {
        &self.head[..self.head_len]
    }

    /// The frame's payload, as it goes on the wire.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// The length on the wire, [`before`](Self::before) included.
    pub fn len(&self) -> usize {
        self.before.len() + self.head_len + self.payload.len()
    }

    /// Whether the frame is empty: never, a header has at least 2 bytes.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// [`before`](Self::before), the header and the payload, for
    /// [`Write::write_vectored`](std::io::Write::write_vectored).
    pub fn io_slices(&self) -> [IoSlice<'_>; 3] {
        [
            IoSlice::new(self.before),
            IoSlice::new(self.header()),
            IoSlice::new(self.payload),
        ]
    }

    /// Writes the whole frame with vectored writes, however many the writer needs.
    pub fn write_to(&self, writer: &mut impl Write) -> io::Result<()> {
        let mut slices = self.io_slices();
        let mut slices = &mut slices[..];
        while !slices.is_empty() {
            match writer.write_vectored(slices) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(written) => IoSlice::advance_slices(&mut slices, written),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Appends the whole frame to `out`.
    pub fn append_to(&self, out: &mut Vec<u8>) {
        out.reserve(self.len());
        out.extend_from_slice(self.before);
        out.extend_from_slice(self.header());
        out.extend_from_slice(self.payload);
    }
}
