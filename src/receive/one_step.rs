//! The common case in one step: a data frame that is a whole message (FIN set, RFC 6455
//! §5.4), has fully arrived and goes through no extension. Most traffic is such frames,
//! and small ones: for them, copying the payload out of the read and queueing it costs more
//! than the frame itself. So the pipeline leaves the rest of a read that starts with one
//! unparsed, and takes such frames from there when the application asks, unmasked in place
//! and handed out as a slice of that copy of the read.
//!
//! The frame passes the same rule functions as in the pipeline, in the same order; only the
//! intermediate states are skipped.

use crate::frame::header::{HeaderPrefix, parse_header_prefix};
use crate::frame::mask::apply_mask;
use crate::frame::{Frame, Payload};
use crate::message::order::message_opcode;
use crate::message::utf8::{check_text_ends, check_text_so_far};
use crate::opcode::Opcode;
use crate::receive::header_rules::{check_limits, check_masking, check_rsv_bits};
use crate::receive::pipeline::Receiver;
use crate::receive::ready::{Delivery, Ready, ReadyPayload};
use crate::text::Utf8Bytes;

/// Largest payload taken in one step. Above it, the pipeline's single pass (unmasked on
/// its way out of the read) beats copying the read and unmasking in place.
const ONE_STEP_MAX: u64 = 2048;

impl Receiver {
    /// The header of the frame at the front of `data` if the one-step path takes it: no
    /// extension transforms payloads (`transform` false), messages are delivered (not
    /// frames), no frame or message is in progress, and the frame is a small unfragmented
    /// TEXT or BINARY frame wholly in `data`. Headers that break a rule are left to the
    /// pipeline, which reports them.
    #[inline(always)]
    pub(super) fn one_step_header(&self, data: &[u8], transform: bool) -> Option<HeaderPrefix> {
        if transform || !self.between_messages() {
            return None;
        }
        let prefix = parse_header_prefix(data).ok()??;
        let header = &prefix.header;
        let whole = header.fin
            && matches!(header.opcode, Opcode::Text | Opcode::Binary)
            && header.payload_len <= ONE_STEP_MAX
            // At most `ONE_STEP_MAX`, so the cast is lossless.
            && prefix.total_len() + header.payload_len as usize <= data.len();
        whole.then_some(prefix)
    }

    /// Takes the frame at the front of the unparsed bytes if the one-step path applies:
    /// stages 2 to 7 in a row, for a message of one frame. `None` if it does not apply, or
    /// if the frame broke a rule (then recorded, as the pipeline would).
    #[inline(always)]
    pub(super) fn take_one_step(&mut self, transform: bool) -> Option<OneStep> {
        let prefix = self.one_step_header(self.unparsed.as_slice(), transform)?;
        let header = &prefix.header;
        let opcode = header.opcode;
        // At most `ONE_STEP_MAX`, so the cast is lossless.
        let (skip, len) = (prefix.total_len(), header.payload_len as usize);
        // Stages 2 and 3: the header rules (no extension claims an RSV bit: none is
        // enabled), and the frame's place in the message (it begins one, the message of
        // this frame alone).
        let checked = check_rsv_bits(header, 0)
            .and_then(|()| check_masking(prefix.masked, self.is_client()))
            .and_then(|()| check_limits(header, header.payload_len, 1, &self.limits()))
            .and_then(|()| message_opcode(None, opcode));
        if let Err(error) = checked {
            self.fail(error);
            return None;
        }
        // Stage 4: the payload, unmasked where it is.
        let text = opcode == Opcode::Text && self.delivery_validates_text();
        let key = prefix.masking_key(self.unparsed.as_slice());
        let payload = self.unparsed.range_mut(skip, len);
        if let Some(key) = key {
            apply_mask(payload, key, 0);
        }
        // Stage 6: the text, whole.
        if text {
            let checked =
                check_text_so_far(payload, 0).and_then(|valid| check_text_ends(valid, len, 0));
            if let Err(error) = checked {
                self.fail(error);
                return None;
            }
        }
        // Stage 7: a whole message, whatever the delivery.
        Some(OneStep {
            opcode,
            skip,
            len,
            text,
        })
    }

    fn delivery_validates_text(&self) -> bool {
        self.delivery() != Delivery::Frames
    }

    /// The one-step path, handing the message out owned at once, when nothing is queued
    /// before it.
    #[inline(always)]
    pub(super) fn take_one_step_owned(&mut self, transform: bool) -> Option<Frame> {
        if !self.ready.is_empty() {
            return None;
        }
        self.payloads.settle();
        self.unparsed.settle();
        let OneStep {
            opcode,
            skip,
            len,
            text,
        } = self.take_one_step(transform)?;
        let bytes = self.unparsed.take(skip, len);
        let payload = if text {
            // Validated by the text stage above.
            Payload::Text(Utf8Bytes::from_validated(bytes))
        } else {
            Payload::Bytes(bytes)
        };
        Some(Frame {
            opcode,
            payload,
            frame_finished: true,
            message_finished: true,
        })
    }
}

/// A whole message the one-step path took: `len` bytes after `skip` bytes of header at the
/// front of the unparsed bytes, unmasked, validated if `text`.
pub(super) struct OneStep {
    pub(super) opcode: Opcode,
    pub(super) skip: usize,
    pub(super) len: usize,
    pub(super) text: bool,
}

impl OneStep {
    /// As a queued item.
    pub(super) fn ready(self) -> Ready {
        Ready {
            opcode: self.opcode,
            payload: ReadyPayload::Unparsed {
                skip: self.skip,
                len: self.len,
                text: self.text,
            },
            frame_finished: true,
            message_finished: true,
        }
    }
}
