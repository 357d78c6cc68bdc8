//! Frame encoding (RFC 6455 §5.2): the header and the payload, masked for a client, appended
//! to the caller's buffer in one go.

use crate::constants::FIN_MASK;
use crate::frame::header::write_header;
use crate::frame::mask::apply_mask;
use crate::frame::{Opcode, RsvBits};
use crate::role::Role;

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
pub(crate) fn first_byte(fin: bool, rsv: RsvBits, opcode: Opcode) -> u8 {
    (if fin { FIN_MASK } else { 0 }) | rsv.to_byte() | u8::from(opcode)
}

/// Appends header and payload; the payload is copied then masked in place while it is
/// still in cache.
pub(crate) fn encode_raw(first_byte: u8, mask: Option<[u8; 4]>, payload: &[u8], out: &mut Vec<u8>) {
    out.reserve(14 + payload.len());
    write_header(out, first_byte, mask, payload.len());
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(key) = mask {
        apply_mask(&mut out[start..], key, 0);
    }
}
