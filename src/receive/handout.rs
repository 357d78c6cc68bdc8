//! The application takes what the pipeline finished: as an owned [`Frame`] (a reference
//! count on the payload buffer, no copy) or as a borrowed [`FrameRef`] (no reference count
//! either), lent until the next call.

use crate::error::ParseFailed;
use crate::frame::{Frame, FrameRef, Payload, PayloadRef};
use crate::opcode::Opcode;
use crate::receive::pipeline::{Hooks, Receiver};
use crate::receive::ready::ReadyPayload;
use crate::text::{Utf8Bytes, str_from_validated};

impl Receiver {
    /// The next frame, piece or message, owned.
    pub(crate) fn next_frame(&mut self, hooks: Hooks<'_>) -> Option<Result<Frame, ParseFailed>> {
        if let Some(frame) = self.take_one_step_owned(hooks.is_some()) {
            return Some(Ok(frame));
        }
        let ready = match self.next(hooks)? {
            Ok(ready) => ready,
            Err(error) => return Some(Err(error)),
        };
        let payload = match ready.payload {
            ReadyPayload::Owned(payload) => payload,
            ref held => {
                let bytes = self.take(held);
                if is_text(held) {
                    // Validated by the pipeline's text stage.
                    Payload::Text(Utf8Bytes::from_validated(bytes))
                } else {
                    Payload::Bytes(bytes)
                }
            }
        };
        Some(Ok(frame(
            ready.opcode,
            payload,
            ready.frame_finished,
            ready.message_finished,
        )))
    }

    /// The next frame, piece or message, borrowed from the payload buffer until the next
    /// call; one held apart (a control frame, an extension's output) is kept here meanwhile.
    pub(crate) fn next_frame_ref(
        &mut self,
        hooks: Hooks<'_>,
    ) -> Option<Result<FrameRef<'_>, ParseFailed>> {
        self.held = None;
        if self.ready.is_empty() {
            self.payloads.settle();
            self.unparsed.settle();
            if let Some(one) = self.take_one_step(hooks.is_some()) {
                let bytes = self.unparsed.lend(one.skip, one.len);
                let payload = if one.text {
                    PayloadRef::Text(str_from_validated(bytes))
                } else {
                    PayloadRef::Bytes(bytes)
                };
                return Some(Ok(FrameRef {
                    opcode: one.opcode,
                    payload,
                    frame_finished: true,
                    message_finished: true,
                }));
            }
        }
        let ready = match self.next(hooks)? {
            Ok(ready) => ready,
            Err(error) => return Some(Err(error)),
        };
        let payload = match ready.payload {
            ReadyPayload::Owned(payload) => {
                let held = self.held.insert(frame(
                    ready.opcode,
                    payload,
                    ready.frame_finished,
                    ready.message_finished,
                ));
                return Some(Ok(held.as_ref()));
            }
            ref held => {
                let text = is_text(held);
                let bytes = self.lend(held);
                if text {
                    PayloadRef::Text(str_from_validated(bytes))
                } else {
                    PayloadRef::Bytes(bytes)
                }
            }
        };
        Some(Ok(FrameRef {
            opcode: ready.opcode,
            payload,
            frame_finished: ready.frame_finished,
            message_finished: ready.message_finished,
        }))
    }
}

fn is_text(payload: &ReadyPayload) -> bool {
    matches!(
        payload,
        ReadyPayload::Buffered { text: true, .. } | ReadyPayload::Unparsed { text: true, .. }
    )
}

fn frame(opcode: Opcode, payload: Payload, frame_finished: bool, message_finished: bool) -> Frame {
    Frame {
        opcode,
        payload,
        frame_finished,
        message_finished,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encoder::encode_frame;
    use crate::limits::Limits;
    use crate::receive::ready::Delivery;
    use crate::role::{Client, MaskingKey};
    use crate::rsv::RsvBits;

    /// Text lent from both buffers, the payload buffer (pieces, fragments) and the unparsed
    /// bytes (whole small frames), in reads of every small size. Small, so that Miri runs
    /// it over the `unsafe` blocks these paths use.
    #[test]
    fn lent_text_equals_what_was_sent_in_any_reads() {
        let mut wire = Vec::new();
        let mut frame = |fin, opcode, text: &str| {
            let key = MaskingKey([3, 1, 4, 1]);
            encode_frame::<Client>(fin, RsvBits::NONE, opcode, key, text.as_bytes(), &mut wire);
        };
        frame(true, Opcode::Text, "héllo");
        frame(false, Opcode::Text, "wörld, ");
        frame(true, Opcode::Ping, "");
        frame(true, Opcode::Continuation, "€ 𝄞");
        let expected = "héllowörld, € 𝄞";
        for delivery in [Delivery::Pieces, Delivery::Whole] {
            for read in 1..=9 {
                let mut receiver = Receiver::new(false, Limits::default(), delivery);
                let mut text = String::new();
                for chunk in wire.chunks(read) {
                    receiver.receive(chunk, None);
                    while let Some(frame) = receiver.next_frame_ref(None) {
                        if let PayloadRef::Text(piece) = frame.unwrap().payload {
                            text.push_str(piece);
                        }
                    }
                }
                assert_eq!(text, expected, "{delivery:?}, reads of {read}");
            }
        }
    }
}
