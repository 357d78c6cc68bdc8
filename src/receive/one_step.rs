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
use crate::opcode::Opcode;
use crate::receive::pipeline::Receiver;
use crate::receive::ready::{Delivery, Ready, ReadyPayload};

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
    /// stages 2 to 7 in a row. `None` if it does not, or if the frame broke a rule (then
    /// recorded, as the pipeline would).
    #[inline(always)]
    pub(super) fn take_one_step(&mut self, transform: bool) -> Option<Ready> {
        let prefix = self.one_step_header(self.unparsed.as_slice(), transform)?;
        let key = prefix.masking_key(self.unparsed.as_slice());
        let opcode = prefix.header.opcode;
        // At most `ONE_STEP_MAX`, so the cast is lossless.
        let (skip, len) = (prefix.total_len(), prefix.header.payload_len as usize);
        // Stage 2: the header rules.
        if !self.accept_header(&prefix, None) {
            return None;
        }
        // Stage 3: the frame's place in the message (a new message, so it has one).
        let validate = self.delivery_validates_text();
        if let Err(error) = self.message.start_frame(opcode, validate) {
            self.fail(error);
            return None;
        }
        // Stage 4: the payload, unmasked where it is.
        let payload = self.unparsed.range_mut(skip, len);
        if let Some(key) = key {
            apply_mask(payload, key, 0);
        }
        // Stage 6: the text, whole.
        self.message.arrived(len);
        let payload = &self.unparsed.as_slice()[skip..skip + len];
        let checked = self
            .message
            .check_text(payload)
            .and_then(|()| self.message.check_text_complete());
        // The bytes are handed out from here, not from the payload buffer.
        self.message.sent(len);
        if let Err(error) = checked {
            self.fail(error);
            return None;
        }
        // Stage 7: a whole message, whatever the delivery.
        let text = self.message.is_text();
        self.message.end();
        Some(Ready {
            opcode,
            payload: ReadyPayload::Unparsed { skip, len, text },
            frame_finished: true,
            message_finished: true,
        })
    }

    fn delivery_validates_text(&self) -> bool {
        self.delivery() != Delivery::Frames
    }
}
