//! Frame encoding (RFC 6455 §5.2): the header and the payload, masked for a client, appended
//! to the caller's buffer in one go.

use crate::constants::FIN_MASK;
use crate::frame::header::{MAX_HEADER_LEN, header_bytes};
use crate::frame::mask::extend_masked;
use crate::opcode::Opcode;
use crate::role::Role;
use crate::rsv::RsvBits;

/// Appends one frame to `out`. The masking argument's type follows the role: a
/// [`MaskingKey`](crate::MaskingKey) for a [`Client`](crate::Client), [`Unmasked`](crate::Unmasked)
/// for a [`Server`](crate::Server) (RFC 6455 §5.1), so the wrong one does not compile.
///
/// This is the raw layer: it checks nothing (fragmentation, control payload sizes, RSV
/// ownership). [`FrameProtocol`](crate::FrameProtocol) is the checked API.
///
/// ```
/// use wsproto::{encode_frame, Opcode, RsvBits, Server, Unmasked};
/// let mut out = Vec::new();
/// encode_frame::<Server>(true, RsvBits::NONE, Opcode::Text, Unmasked, b"Hello", &mut out);
/// assert_eq!(out, b"\x81\x05Hello");
/// ```
pub fn encode_frame<R: Role>(
    fin: bool,
    rsv: RsvBits,
    opcode: Opcode,
    masking: R::Masking,
    payload: &[u8],
    out: &mut Vec<u8>,
) {
    encode_raw(first_byte(fin, rsv, opcode), masking.into(), payload, out);
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
