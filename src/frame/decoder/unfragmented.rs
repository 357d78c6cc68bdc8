//! The common case in one step: a data frame that is a whole message (FIN set, RFC 6455
//! §5.4) and has fully arrived. Most WebSocket traffic is such frames, and small ones, for
//! which the general path's per-piece states cost several times the frame's own bytes.

use bytes::Buf;

use crate::constants::{MASK_MASK, MAX_PAYLOAD_NORMAL, PAYLOAD_LEN_MASK, PAYLOAD_LENGTH_TWO_BYTE};
use crate::error::ParseFailed;
use crate::ext::ExtensionList;
use crate::frame::mask::apply_mask;
use crate::frame::{Frame, FrameRef, Payload, PayloadRef};
use crate::message::utf8::{invalid_utf8, truncated_utf8};
use crate::opcode::Opcode;
use crate::role::Role;
use crate::text::Utf8Bytes;

use super::{DecoderCore, FrameDecoder, State};

/// First header byte of an unfragmented TEXT frame: FIN, no RSV bit, opcode 1.
const WHOLE_TEXT: u8 = 0x81;
/// First header byte of an unfragmented BINARY frame: FIN, no RSV bit, opcode 2.
const WHOLE_BINARY: u8 = 0x82;

/// An unfragmented frame consumed from the buffer's front, payload unmasked in place.
#[derive(Clone, Copy)]
pub(crate) struct Unfragmented {
    opcode: Opcode,
    /// Where the payload starts and ends in the buffer.
    start: usize,
    end: usize,
}

impl<R: Role, E: ExtensionList> FrameDecoder<R, E> {
    /// The next frame if it is an unfragmented data message that has fully arrived, as a
    /// [`Frame`] with the message's opcode and text validated: what the general path
    /// followed by a [`MessageDecoder`](crate::MessageDecoder) would deliver, errors
    /// included. `None` (with nothing changed) for anything else.
    #[inline]
    pub(crate) fn take_unfragmented(&mut self) -> Option<Result<Frame, ParseFailed>> {
        let Unfragmented { opcode, start, end } = self.claim_unfragmented()?;
        let mut bytes = self.core.buf.split_to(end).freeze();
        bytes.advance(start);
        if self.core.oversized {
            self.core.release_if_oversized();
        }
        let payload = match opcode {
            Opcode::Text => match whole_text(&bytes) {
                Ok(_) => Payload::Text(Utf8Bytes::from_validated(bytes)),
                Err(error) => return Some(Err(error)),
            },
            _ => Payload::Bytes(bytes),
        };
        Some(Ok(whole_message(opcode, payload)))
    }

    /// [`take_unfragmented`](Self::take_unfragmented), leaving the payload in the buffer
    /// to be borrowed by [`lent_frame`](Self::lent_frame) and dropped by the next call.
    #[inline]
    pub(crate) fn lend_unfragmented(&mut self) -> Option<Unfragmented> {
        let claim = self.claim_unfragmented()?;
        self.core.lent = claim.end;
        Some(claim)
    }

    /// The frame [`lend_unfragmented`](Self::lend_unfragmented) claimed, borrowed.
    #[inline]
    pub(crate) fn lent_frame(&self, claim: Unfragmented) -> Result<FrameRef<'_>, ParseFailed> {
        let bytes = &self.core.buf[claim.start..claim.end];
        let payload = match claim.opcode {
            Opcode::Text => PayloadRef::Text(whole_text(bytes)?),
            _ => PayloadRef::Bytes(bytes),
        };
        Ok(FrameRef {
            opcode: claim.opcode,
            payload,
            frame_finished: true,
            message_finished: true,
        })
    }

    /// Consumes the frame at the buffer's front if it is an unfragmented TEXT or BINARY
    /// frame without RSV bits, masked as the role requires, announcing under 64 KiB in a
    /// minimal length within the limits, and fully received; unmasks its payload in place.
    ///
    /// Only without extensions, between messages. Anything else returns `None` with
    /// nothing changed, and the general path handles it, its errors included: this path
    /// decides nothing differently, it skips the intermediate states (the oracle and
    /// proptest suites run both and compare).
    #[inline]
    fn claim_unfragmented(&mut self) -> Option<Unfragmented> {
        let core = &mut self.core;
        core.settle();
        if E::LEN > 0
            || core.failed.is_some()
            || !matches!(core.state, State::Header)
            || core.message_open
            || core.raw_start() != 0
        {
            return None;
        }
        let buf = &core.buf[..];
        let [b0, b1, ..] = *buf else { return None };
        let opcode = match b0 {
            WHOLE_TEXT => Opcode::Text,
            WHOLE_BINARY => Opcode::Binary,
            _ => return None,
        };
        let masked = b1 & MASK_MASK != 0;
        if masked == core.is_client {
            return None;
        }
        let (len, prefix) = match b1 & PAYLOAD_LEN_MASK {
            PAYLOAD_LENGTH_TWO_BYTE => {
                let &[_, _, hi, lo, ..] = buf else {
                    return None;
                };
                let len = u16::from_be_bytes([hi, lo]);
                // A length that 1 byte could have carried is an error the general path words.
                if u64::from(len) <= MAX_PAYLOAD_NORMAL {
                    return None;
                }
                (usize::from(len), 4)
            }
            short if u64::from(short) <= MAX_PAYLOAD_NORMAL => (usize::from(short), 2),
            _ => return None,
        };
        // Under 64 KiB: the casts are lossless and the sums below cannot overflow.
        let len64 = len as u64;
        if len64 > core.limits.max_frame_size || len64 > core.limits.max_message_size {
            return None;
        }
        let start = prefix + if masked { 4 } else { 0 };
        let end = start + len;
        if buf.len() < end {
            return None;
        }
        if masked {
            let mut key = [0; 4];
            key.copy_from_slice(&buf[prefix..start]);
            apply_mask(&mut core.buf[start..end], key, 0);
        }
        // The bookkeeping the general path leaves behind after such a frame.
        core.message_opcode = opcode;
        core.text_message = opcode == Opcode::Text;
        core.text_owed = 0;
        core.message_announced = len64;
        core.message_delivered = len64;
        core.message_fragments = 1;
        Some(Unfragmented { opcode, start, end })
    }
}

impl DecoderCore {
    /// Drops the bytes of a borrowed frame from the buffer, now that the borrow has ended.
    #[inline]
    pub(super) fn settle(&mut self) {
        if self.lent > 0 {
            self.buf.advance(self.lent);
            self.lent = 0;
            if self.oversized {
                self.release_if_oversized();
            }
        }
    }
}

/// The text of a whole message, or the error the message decoder gives for it: the first
/// impossible byte, or a last character cut short (RFC 6455 §8.1).
fn whole_text(bytes: &[u8]) -> Result<&str, ParseFailed> {
    simdutf8::basic::from_utf8(bytes).or_else(|_| match simdutf8::compat::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) if e.error_len().is_some() => Err(invalid_utf8(e.valid_up_to() as u64)),
        Err(e) => Err(truncated_utf8(e.valid_up_to() as u64)),
    })
}

fn whole_message(opcode: Opcode, payload: Payload) -> Frame {
    Frame {
        opcode,
        payload,
        frame_finished: true,
        message_finished: true,
    }
}
