//! Stage 7, delivery: what the pipeline finished waits in the queue, shaped by the
//! [`Delivery`] policy: frames as on the wire, pieces of messages, or whole messages.

use crate::opcode::Opcode;
use crate::receive::buffer::KEEP_CAPACITY;
use crate::receive::pipeline::{InFrame, Receiver};
use crate::receive::ready::{Delivery, Ready, ReadyPayload};

impl Receiver {
    /// Stage 7 for a data frame that ended: a piece, or the whole message.
    pub(super) fn end_data_frame(&mut self, frame: &InFrame) {
        let fin = frame.header.fin;
        if fin && let Err(error) = self.message.check_text_complete() {
            self.fail(error);
            return;
        }
        let text = self.message.is_text();
        let opcode = self.message.open().unwrap_or(Opcode::Binary);
        match self.delivery {
            Delivery::Frames => {
                let len = self.message.unsent();
                self.push_buffered(frame.piece_opcode, len, false, true, fin);
            }
            // A character split between two frames waits for the next one.
            Delivery::Pieces => {
                self.push_buffered(opcode, self.message.sendable(), text, true, fin)
            }
            Delivery::Whole if fin => {
                self.push_buffered(opcode, self.message.unsent(), text, true, true)
            }
            Delivery::Whole => {}
        }
        if fin {
            self.message.end();
        }
    }

    /// Stage 7 for what arrived of a frame still arriving, when the application asks for
    /// it: one piece of everything that came since the last (whole characters of text). As
    /// Python wsproto, a piece is handed out whenever bytes came, even if all of them wait
    /// for the rest of a character.
    pub(super) fn send_partial_piece(&mut self) -> bool {
        let Some(mut frame) = self.frame else {
            return false;
        };
        let data = !frame.header.opcode.is_control() && !frame.transform && frame.started;
        if !data || self.delivery == Delivery::Whole || !self.message.is_fresh() {
            return false;
        }
        if self.delivery == Delivery::Frames {
            let len = self.message.unsent();
            self.push_buffered(frame.piece_opcode, len, false, false, frame.header.fin);
            frame.piece_opcode = Opcode::Continuation;
            self.frame = Some(frame);
        } else {
            let opcode = self.message.open().unwrap_or(Opcode::Binary);
            let text = self.message.is_text();
            self.push_buffered(
                opcode,
                self.message.sendable(),
                text,
                false,
                frame.header.fin,
            );
        }
        true
    }

    /// Queues the next `len` unsent bytes of the buffer. `fin` is the frame's FIN bit: on
    /// frame-level delivery every piece carries it, as Python's `FrameDecoder` does; on
    /// message delivery only the message's last piece says it finishes the message.
    pub(super) fn push_buffered(
        &mut self,
        opcode: Opcode,
        len: usize,
        text: bool,
        frame_finished: bool,
        fin: bool,
    ) {
        self.message.sent(len);
        self.pause |= len >= KEEP_CAPACITY;
        let message_finished = match self.delivery {
            Delivery::Frames => fin,
            _ => fin && frame_finished,
        };
        self.ready.push_back(Ready {
            opcode,
            payload: ReadyPayload::Buffered { len, text },
            frame_finished,
            message_finished,
        });
    }
}
