//! What the decoders deliver: a [`Frame`] and its [`Payload`] (Python wsproto's `Frame`).

use std::fmt;

use bytes::Bytes;

use crate::close_code::CloseReason;
use crate::opcode::Opcode;
use crate::text::Utf8Bytes;

/// A frame's payload, like the seed's `bytes | str | (int, str)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// Binary data, ping or pong payloads, and every data frame before UTF-8 decoding.
    Bytes(Bytes),
    /// Text of a text message (RFC 6455 §5.6), validated as UTF-8.
    Text(Utf8Bytes),
    /// A close frame's code and reason (RFC 6455 §5.5.1).
    Close(CloseReason, Utf8Bytes),
}

impl Payload {
    /// The payload's bytes as sent (for a close frame: the reason's bytes).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Payload::Bytes(bytes) => bytes,
            Payload::Text(text) | Payload::Close(_, text) => text.as_bytes(),
        }
    }

    /// The text, for a text payload.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Payload::Text(text) => Some(text),
            _ => None,
        }
    }

    /// Number of bytes in [`Payload::as_bytes`].
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether [`Payload::as_bytes`] is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A received frame, or a piece of one (RFC 6455 §5.2).
///
/// Data frames are delivered as their bytes arrive: `frame_finished` is `false` for all but
/// the last piece. Control frames are delivered only whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The opcode: from a [`FrameDecoder`](crate::receive::FrameDecoder), `Continuation` for later
    /// fragments and pieces; from a [`MessageDecoder`](crate::message::MessageDecoder) or a
    /// [`FrameProtocol`](crate::FrameProtocol), the message's `Text` or `Binary`.
    pub opcode: Opcode,
    /// The payload.
    pub payload: Payload,
    /// Whether this piece ends the frame.
    pub frame_finished: bool,
    /// Whether this piece ends the message (the FIN bit, RFC 6455 §5.4).
    pub message_finished: bool,
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.opcode)?;
        match &self.payload {
            Payload::Bytes(bytes) => write!(f, "{} bytes", bytes.len())?,
            Payload::Text(text) => write!(f, "{text:?}")?,
            Payload::Close(code, reason) => write!(f, "code {code} reason {reason:?}")?,
        }
        match (self.frame_finished, self.message_finished) {
            (true, true) => Ok(()),
            (true, false) => f.write_str(" (message continues)"),
            (false, _) => f.write_str(" (frame continues)"),
        }
    }
}

/// A received frame borrowed from the receiver's buffer: what
/// [`FrameProtocol::next_frame_ref`](crate::FrameProtocol::next_frame_ref) returns, a
/// [`Frame`] without a reference count to take and drop for each message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameRef<'a> {
    /// The opcode, as in [`Frame::opcode`].
    pub opcode: Opcode,
    /// The payload.
    pub payload: PayloadRef<'a>,
    /// Whether this piece ends the frame.
    pub frame_finished: bool,
    /// Whether this piece ends the message (the FIN bit, RFC 6455 §5.4).
    pub message_finished: bool,
}

/// A borrowed [`Payload`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadRef<'a> {
    /// Binary data, or a ping or pong payload.
    Bytes(&'a [u8]),
    /// Text of a text message (RFC 6455 §5.6), validated as UTF-8.
    Text(&'a str),
    /// A close frame's code and reason (RFC 6455 §5.5.1).
    Close(CloseReason, &'a str),
}

impl<'a> PayloadRef<'a> {
    /// The payload's bytes as sent (for a close frame: the reason's bytes).
    pub fn as_bytes(&self) -> &'a [u8] {
        match *self {
            PayloadRef::Bytes(bytes) => bytes,
            PayloadRef::Text(text) | PayloadRef::Close(_, text) => text.as_bytes(),
        }
    }

    /// The text, for a text payload.
    pub fn as_text(&self) -> Option<&'a str> {
        match *self {
            PayloadRef::Text(text) => Some(text),
            _ => None,
        }
    }
}

impl Payload {
    /// The payload, borrowed.
    pub fn as_ref(&self) -> PayloadRef<'_> {
        match self {
            Payload::Bytes(bytes) => PayloadRef::Bytes(bytes),
            Payload::Text(text) => PayloadRef::Text(text),
            Payload::Close(code, reason) => PayloadRef::Close(*code, reason),
        }
    }
}

impl Frame {
    /// The frame, borrowed.
    pub fn as_ref(&self) -> FrameRef<'_> {
        FrameRef {
            opcode: self.opcode,
            payload: self.payload.as_ref(),
            frame_finished: self.frame_finished,
            message_finished: self.message_finished,
        }
    }
}
