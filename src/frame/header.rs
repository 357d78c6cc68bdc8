//! The frame header (RFC 6455 §5.2): its fields, and parsing of its fixed part with every
//! check RFC 6455 asks of a receiver before the payload.

use std::fmt;

use crate::constants::{
    FIN_MASK, MASK_MASK, MAX_PAYLOAD_NORMAL, MAX_PAYLOAD_TWO_BYTE, OPCODE_MASK, PAYLOAD_LEN_MASK,
    PAYLOAD_LENGTH_EIGHT_BYTE, PAYLOAD_LENGTH_TWO_BYTE,
};
use crate::error::ParseFailed;
use crate::opcode::{InvalidOpcode, Opcode};
use crate::rsv::RsvBits;

/// A parsed frame header (RFC 6455 §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Whether this frame ends its message.
    pub fin: bool,
    /// The reserved bits.
    pub rsv: RsvBits,
    /// The opcode.
    pub opcode: Opcode,
    /// The payload length announced.
    pub payload_len: u64,
    /// The masking key, present exactly on client-to-server frames.
    pub masking_key: Option<[u8; 4]>,
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} fin={} rsv={} len={}{}",
            self.opcode,
            u8::from(self.fin),
            self.rsv,
            self.payload_len,
            if self.masking_key.is_some() {
                " masked"
            } else {
                ""
            }
        )
    }
}

/// A header whose fixed part and extended length are complete; the masking key may still
/// be missing. Returned by [`parse_header_prefix`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HeaderPrefix {
    pub(crate) header: Header,
    pub(crate) masked: bool,
    /// Bytes of the header before the masking key.
    pub(crate) len: usize,
}

impl HeaderPrefix {
    /// Header length including the masking key.
    pub(crate) fn total_len(&self) -> usize {
        self.len + if self.masked { 4 } else { 0 }
    }

    /// The whole header, its masking key read from `bytes`, which hold the header from its
    /// first byte and at least [`total_len`](Self::total_len) bytes of it.
    #[inline]
    pub(crate) fn with_key(&self, bytes: &[u8]) -> Header {
        Header {
            masking_key: self.masking_key(bytes),
            ..self.header
        }
    }

    /// The masking key, read from `bytes` as for [`with_key`](Self::with_key).
    #[inline]
    pub(crate) fn masking_key(&self, bytes: &[u8]) -> Option<[u8; 4]> {
        let key = bytes.get(self.len..self.len + 4)?;
        self.masked.then(|| [key[0], key[1], key[2], key[3]])
    }
}

/// Parses the header up to (not including) the masking key, or `Ok(None)` if more bytes are
/// needed, checking the rules that need only the header, each as soon as its bytes are
/// there. The checks run in the order Python wsproto runs them, so that a stream cut short
/// fails (or waits) exactly where it does there.
#[inline(always)]
pub(crate) fn parse_header_prefix(buf: &[u8]) -> Result<Option<HeaderPrefix>, ParseFailed> {
    let [b0, b1, ..] = *buf else { return Ok(None) };
    let opcode = read_opcode(b0)?;
    let fin = b0 & FIN_MASK != 0;
    let short_len = b1 & PAYLOAD_LEN_MASK;
    check_control_frame(opcode, fin, short_len)?;
    let Some((payload_len, len)) = read_payload_len(buf, short_len)? else {
        return Ok(None);
    };
    let header = Header {
        fin,
        rsv: RsvBits::from_byte(b0),
        opcode,
        payload_len,
        masking_key: None,
    };
    Ok(Some(HeaderPrefix {
        header,
        masked: b1 & MASK_MASK != 0,
        len,
    }))
}

/// RFC 6455 §5.2: the opcode, of which 0x3-0x7 and 0xB-0xF are reserved: "If an unknown
/// opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
#[inline]
fn read_opcode(first_byte: u8) -> Result<Opcode, ParseFailed> {
    Opcode::try_from(first_byte & OPCODE_MASK).map_err(reserved_opcode)
}

#[cold]
fn reserved_opcode(error: InvalidOpcode) -> ParseFailed {
    ParseFailed::protocol(error.to_string())
}

/// RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less and
/// MUST NOT be fragmented." Checked on the header's first two bytes.
#[inline]
fn check_control_frame(opcode: Opcode, fin: bool, short_len: u8) -> Result<(), ParseFailed> {
    if opcode.is_control() && (!fin || u64::from(short_len) > MAX_PAYLOAD_NORMAL) {
        return Err(broken_control_frame(opcode, fin));
    }
    Ok(())
}

#[cold]
fn broken_control_frame(opcode: Opcode, fin: bool) -> ParseFailed {
    ParseFailed::protocol(if fin {
        format!(
            "{opcode} frame announcing a long payload: control frames carry at most 125 bytes (RFC 6455 §5.5)"
        )
    } else {
        format!(
            "{opcode} frame with FIN clear: control frames must not be fragmented (RFC 6455 §5.5)"
        )
    })
}

/// RFC 6455 §5.2: the payload length, in 7 bits, or in the 16 or 64 bits that follow when
/// the 7 bits say 126 or 127, "the minimal number of bytes MUST be used to encode the
/// length", and "the most significant bit MUST be 0". The length and the header's length
/// up to the masking key, or `None` if the extended length has not all arrived.
#[inline]
fn read_payload_len(buf: &[u8], short_len: u8) -> Result<Option<(u64, usize)>, ParseFailed> {
    match short_len {
        PAYLOAD_LENGTH_TWO_BYTE => {
            let Some(&[hi, lo]) = buf.get(2..4) else {
                return Ok(None);
            };
            let n = u64::from(u16::from_be_bytes([hi, lo]));
            if n <= MAX_PAYLOAD_NORMAL {
                return Err(length_not_minimal(n, 2));
            }
            Ok(Some((n, 4)))
        }
        PAYLOAD_LENGTH_EIGHT_BYTE => {
            let Some(bytes) = buf.get(2..10) else {
                return Ok(None);
            };
            let mut be = [0; 8];
            be.copy_from_slice(bytes);
            let n = u64::from_be_bytes(be);
            if n <= MAX_PAYLOAD_TWO_BYTE {
                return Err(length_not_minimal(n, 8));
            }
            if n >> 63 != 0 {
                return Err(ParseFailed::protocol(
                    "64-bit payload length with its most significant bit set (RFC 6455 §5.2)",
                ));
            }
            Ok(Some((n, 10)))
        }
        n => Ok(Some((u64::from(n), 2))),
    }
}

#[cold]
fn length_not_minimal(n: u64, bytes: usize) -> ParseFailed {
    let enough = if n <= MAX_PAYLOAD_NORMAL { 1 } else { 2 };
    ParseFailed::protocol(format!(
        "payload length {n} sent in {bytes} bytes where {enough} suffice{}: lengths must be minimal (RFC 6455 §5.2)",
        if enough == 1 { "s" } else { "" }
    ))
}

/// The longest header: 2 bytes, an 8-byte length and a 4-byte masking key.
pub(crate) const MAX_HEADER_LEN: usize = 14;

/// A header (RFC 6455 §5.2) with the minimal length encoding, built on the stack so that
/// it is appended in one copy: the bytes, and how many of them are used.
#[inline]
pub(crate) fn header_bytes(
    first_byte: u8,
    mask: Option<[u8; 4]>,
    payload_len: usize,
) -> ([u8; MAX_HEADER_LEN], usize) {
    let mut out = [0; MAX_HEADER_LEN];
    out[0] = first_byte;
    let mask_bit = if mask.is_some() { MASK_MASK } else { 0 };
    let len = payload_len as u64;
    let at = if len <= MAX_PAYLOAD_NORMAL {
        out[1] = mask_bit | len as u8;
        2
    } else if len <= MAX_PAYLOAD_TWO_BYTE {
        out[1] = mask_bit | PAYLOAD_LENGTH_TWO_BYTE;
        out[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        4
    } else {
        out[1] = mask_bit | PAYLOAD_LENGTH_EIGHT_BYTE;
        out[2..10].copy_from_slice(&len.to_be_bytes());
        10
    };
    match mask {
        Some(key) => {
            out[at..at + 4].copy_from_slice(&key);
            (out, at + 4)
        }
        None => (out, at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(buf: &[u8]) -> String {
        parse_header_prefix(buf).unwrap_err().message().to_owned()
    }

    #[test]
    fn waits_for_every_missing_byte() {
        let header = [0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0];
        for cut in 0..header.len() {
            assert_eq!(
                parse_header_prefix(&header[..cut]),
                Ok(None),
                "cut at {cut}"
            );
        }
        let prefix = parse_header_prefix(&header).unwrap().unwrap();
        assert_eq!(
            (prefix.header.payload_len, prefix.len, prefix.masked),
            (65_536, 10, false)
        );
    }

    #[test]
    fn rejects_each_broken_header_rule() {
        assert!(err(&[0x83, 0x00]).contains("reserved"));
        assert!(err(&[0x0b, 0x00]).contains("reserved"));
        assert!(err(&[0x09, 0x00]).contains("fragmented"));
        assert!(err(&[0x89, 0x7e]).contains("at most 125"));
        assert!(err(&[0x82, 0x7e, 0x00, 0x7d]).contains("minimal"));
        assert!(err(&[0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0xff, 0xff]).contains("minimal"));
        assert!(err(&[0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0]).contains("most significant"));
    }

    #[test]
    fn accepts_boundary_lengths() {
        let len = |buf: &[u8]| {
            parse_header_prefix(buf)
                .unwrap()
                .unwrap()
                .header
                .payload_len
        };
        assert_eq!(len(&[0x82, 0x7d]), 125);
        assert_eq!(len(&[0x82, 0x7e, 0x00, 0x7e]), 126);
        assert_eq!(len(&[0x82, 0x7e, 0xff, 0xff]), 65_535);
        assert_eq!(
            len(&[0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            (1 << 63) - 1
        );
    }

    #[test]
    fn written_headers_parse_back() {
        for len in [0usize, 1, 125, 126, 65_535, 65_536, 1 << 20] {
            for mask in [None, Some([9, 8, 7, 6])] {
                let (bytes, used) = header_bytes(0x82, mask, len);
                let out = &bytes[..used];
                let prefix = parse_header_prefix(out).unwrap().unwrap();
                assert_eq!(prefix.header.payload_len, len as u64);
                assert_eq!(prefix.total_len(), out.len());
                assert_eq!(prefix.masked, mask.is_some());
            }
        }
    }
}
