//! Stage 5 for data frames that go through the extensions (RFC 6455 §9): each piece of
//! payload is unmasked apart, handed through their inbound hooks, measured against the
//! message limit once transformed, validated as text across pieces, and delivered.

use crate::ext::InboundHooks;
use crate::frame::Payload;
use crate::opcode::Opcode;
use crate::receive::header_rules::too_big_message;
use crate::receive::pipeline::{InFrame, Receiver};
use crate::receive::ready::{Delivery, Ready, ReadyPayload};
use crate::receive::transform::run_hooks;

impl Receiver {
    /// Stages 4 to 7 for a data frame that goes through the extensions.
    pub(super) fn transformed_payload(
        &mut self,
        frame: &InFrame,
        chunk: &[u8],
        offset: u64,
        finished: bool,
        read_left: usize,
        hooks: &mut dyn InboundHooks,
    ) {
        let header = &frame.header;
        let mut piece = self
            .transform
            .unmasked_piece(chunk, header.masking_key, offset, read_left);
        let ctx = self.context(header.opcode);
        if let Err(error) = run_hooks(hooks, &ctx, &mut piece, finished.then_some(header.fin)) {
            self.fail(error);
            return;
        }
        // Only an extension's output can pass the limit here (wire bytes were checked with
        // the header): the part that fits is handed out, then the error, so that an earlier
        // fault in the message (invalid text, say) is reported first.
        let limit = self.limits.max_message_size;
        let before = self.message.delivered;
        self.message.delivered = before.saturating_add(piece.len() as u64);
        let too_big = self.message.delivered > limit;
        if too_big {
            // `before <= limit`: the message was within the limit before this piece.
            piece.truncate(usize::try_from(limit - before).unwrap_or(usize::MAX));
        }
        let last = finished && header.fin && !too_big;
        let payload = if self.message.is_text() {
            match self.transform.validate(piece.freeze(), last) {
                Ok(text) => Payload::Text(text),
                Err(error) => {
                    self.fail(error);
                    return;
                }
            }
        } else {
            Payload::Bytes(piece.freeze())
        };
        if too_big {
            if self.delivery != Delivery::Whole {
                self.push_owned(frame, payload, false);
            }
            self.fail(too_big_message(self.message.delivered, limit));
            return;
        }
        self.deliver_transformed(frame, payload, finished);
    }

    /// Stage 7 for a transformed piece.
    pub(super) fn deliver_transformed(
        &mut self,
        frame: &InFrame,
        payload: Payload,
        finished: bool,
    ) {
        let fin = frame.header.fin;
        match self.delivery {
            Delivery::Whole => {
                self.transform.join(payload);
                if finished && fin {
                    let message = self.transform.joined(self.message.is_text());
                    self.push_owned(frame, message, true);
                }
            }
            Delivery::Frames if !finished => {
                self.push_owned(frame, payload, false);
                if let Some(frame) = &mut self.frame {
                    frame.piece_opcode = Opcode::Continuation;
                }
            }
            _ => self.push_owned(frame, payload, finished),
        }
        if finished && fin {
            self.message.end();
        }
    }

    pub(super) fn push_owned(&mut self, frame: &InFrame, payload: Payload, frame_finished: bool) {
        let fin = frame.header.fin;
        let (opcode, message_finished) = match self.delivery {
            Delivery::Frames => (frame.piece_opcode, fin),
            _ => (
                self.message.open().unwrap_or(Opcode::Binary),
                fin && frame_finished,
            ),
        };
        self.ready.push_back(Ready {
            opcode,
            payload: ReadyPayload::Owned(payload),
            frame_finished,
            message_finished,
        });
        // The rest of the read waits until this is taken: an extension's output buffers
        // are reused once the application let go of what it handed out (permessage-deflate
        // inflates into one), which cannot happen while the output waits in the queue.
        self.pause = true;
    }
}
