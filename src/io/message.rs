//! What an application sends and receives over a transport: whole messages and control
//! frames (RFC 6455 §5.5, §5.6).

use bytes::Bytes;

use crate::connection::CloseConnection;
use crate::text::Utf8Bytes;

/// A whole message or a control frame.
///
/// Received, `Ping` is informational (the pong is sent for you, see
/// [`Config::ping_policy`](crate::io::Config::ping_policy)) and `Close` is the peer's close,
/// already answered. Sent, `Close` starts the closing handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A text message (opcode 0x1): valid UTF-8 (RFC 6455 §5.6, §8.1).
    Text(Utf8Bytes),
    /// A binary message (opcode 0x2).
    Binary(Bytes),
    /// A ping (opcode 0x9), at most 125 bytes (§5.5.2).
    Ping(Bytes),
    /// A pong (opcode 0xA), at most 125 bytes (§5.5.3).
    Pong(Bytes),
    /// A close (opcode 0x8) with its code and reason (§5.5.1).
    Close(CloseConnection),
}

impl Message {
    /// A text message.
    pub fn text(text: impl Into<Utf8Bytes>) -> Self {
        Message::Text(text.into())
    }

    /// A binary message.
    pub fn binary(data: impl Into<Bytes>) -> Self {
        Message::Binary(data.into())
    }

    /// The text of a text message.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Message::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The payload of a binary message, or of a ping or pong.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Message::Binary(data) | Message::Ping(data) | Message::Pong(data) => Some(data),
            _ => None,
        }
    }
}
