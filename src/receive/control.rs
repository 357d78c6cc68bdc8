//! Control frames (RFC 6455 §5.5): their payload, at most 125 bytes, is gathered whole
//! beside the payload buffer, so it never splits a message being assembled there, and each
//! is handed out on its own as soon as it is complete, even between the fragments of a
//! message ("Control frames MAY be injected in the middle of a fragmented message", §5.4).

use bytes::BytesMut;

use crate::frame::Payload;
use crate::frame::close_payload::parse_close_payload;
use crate::frame::mask::apply_mask;
use crate::opcode::Opcode;
use crate::receive::pipeline::{Hooks, InFrame, Receiver};
use crate::receive::ready::{Delivery, Ready, ReadyPayload};
use crate::receive::transform::run_hooks;

impl Receiver {
    /// Stages 4, 5 and 7 for a control frame (RFC 6455 §5.5): its payload, at most 125
    /// bytes, is gathered whole and handed out on its own, even between the fragments of a
    /// message.
    pub(super) fn control_payload(
        &mut self,
        frame: &InFrame,
        chunk: &[u8],
        offset: u64,
        finished: bool,
        hooks: Hooks<'_>,
    ) {
        let start = self.control.len();
        self.control.extend_from_slice(chunk);
        if let Some(key) = frame.header.masking_key {
            apply_mask(&mut self.control[start..], key, (offset % 4) as usize);
        }
        if !finished {
            return;
        }
        let opcode = frame.header.opcode;
        let mut payload = BytesMut::from(&self.control[..]);
        self.control.clear();
        if let Some(hooks) = hooks.filter(|_| frame.transform) {
            let ctx = self.context(opcode);
            if let Err(error) = run_hooks(hooks, &ctx, &mut payload, Some(frame.header.fin)) {
                self.fail(error);
                return;
            }
        }
        let payload = payload.freeze();
        let payload = if opcode == Opcode::Close && self.delivery != Delivery::Frames {
            // RFC 6455 §5.5.1: the close code and reason, checked.
            match parse_close_payload(payload) {
                Ok((code, reason)) => Payload::Close(code, reason),
                Err(error) => {
                    self.fail(error);
                    return;
                }
            }
        } else {
            Payload::Bytes(payload)
        };
        self.closed = opcode == Opcode::Close;
        self.ready.push_back(Ready {
            opcode,
            payload: ReadyPayload::Owned(payload),
            frame_finished: true,
            message_finished: true,
        });
    }
}
