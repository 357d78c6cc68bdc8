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
