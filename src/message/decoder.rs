//! [`MessageDecoder`]: checks the order of data frames and decodes text, as Python
//! wsproto's `MessageDecoder` (RFC 6455 §5.4 fragmentation, §5.6 text).

use crate::error::ParseFailed;
use crate::frame::{Frame, Payload};
use crate::message::order::message_opcode;
use crate::message::utf8::Utf8Stream;
use crate::opcode::Opcode;

/// Turns data frames (and pieces of frames) from a [`FrameDecoder`](crate::receive::FrameDecoder)
/// into pieces of messages: every output frame has the message's opcode (`Text` or
/// `Binary`), text arrives as validated [`Utf8Bytes`](crate::Utf8Bytes), and
/// `message_finished` is set only on the last piece of the last frame.
///
/// ```
/// use bytes::Bytes;
/// use wsproto::{Frame, Opcode, Payload};
/// use wsproto::message::MessageDecoder;
/// let frame = |opcode, bytes: &'static [u8], fin| Frame {
///     opcode, payload: Payload::Bytes(Bytes::from_static(bytes)), frame_finished: true, message_finished: fin,
/// };
/// let mut decoder = MessageDecoder::new();
/// let first = decoder.process_frame(frame(Opcode::Text, b"caf\xc3", false)).unwrap();
/// assert_eq!(first.payload.as_text(), Some("caf"));
/// let last = decoder.process_frame(frame(Opcode::Continuation, b"\xa9", true)).unwrap();
/// assert_eq!((last.opcode, last.payload.as_text(), last.message_finished), (Opcode::Text, Some("é"), true));
/// ```
#[derive(Clone, Debug, Default)]
pub struct MessageDecoder {
    /// Opcode of the unfinished message, if any.
    opcode: Option<Opcode>,
    /// The text validator of an unfinished text message.
    text: Option<Utf8Stream>,
}

impl MessageDecoder {
    /// A decoder between messages.
    pub fn new() -> Self {
        Self::default()
    }

    /// Processes one data frame or piece. Fails with 1002 on a continuation without a
    /// message or a new message inside one (RFC 6455 §5.4), and with 1007 as soon as the
    /// text received so far cannot be valid UTF-8 (RFC 6455 §8.1).
    pub fn process_frame(&mut self, frame: Frame) -> Result<Frame, ParseFailed> {
        if frame.opcode.is_control() {
            return Err(ParseFailed::protocol(format!(
                "{} frame given to the message decoder, which takes data frames only",
                frame.opcode
            )));
        }
        let opcode = message_opcode(self.opcode, frame.opcode)?;
        self.opcode = Some(opcode);
        if frame.opcode == Opcode::Text {
            self.text = Some(Utf8Stream::default());
        }
        let finished = frame.frame_finished && frame.message_finished;
        let payload = match (&mut self.text, frame.payload) {
            (Some(text), Payload::Bytes(bytes)) => Payload::Text(text.feed(bytes, finished)?),
            (Some(text), Payload::Text(already)) => {
                Payload::Text(text.feed(already.into_bytes(), finished)?)
            }
            (None, payload) => payload,
            (Some(_), Payload::Close(..)) => {
                return Err(ParseFailed::protocol("close payload in a data frame"));
            }
        };
        if finished {
            self.opcode = None;
            self.text = None;
        }
        Ok(Frame {
            opcode,
            payload,
            frame_finished: frame.frame_finished,
            message_finished: finished,
        })
    }

    /// The opcode of the message being received, if one is unfinished.
    pub fn message_in_progress(&self) -> Option<Opcode> {
        self.opcode
    }
}
