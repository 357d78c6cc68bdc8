//! What an application sends and receives over a transport: whole messages, or messages in
//! pieces (RFC 6455 §5.4), and control frames (§5.5, §5.6).

use bytes::Bytes;

use crate::connection::CloseConnection;
use crate::text::Utf8Bytes;

/// A whole message, a piece of one, or a control frame.
///
/// Received, `Ping` is informational (the pong is sent for you, see
/// [`Config::ping_policy`](crate::io::Config::ping_policy)) and `Close` is the peer's close,
/// already answered. Sent, `Close` starts the closing handshake.
///
/// Messages arrive whole unless [`Config::message_pieces`](crate::io::Config::message_pieces)
/// is set; then a text or binary message arrives as `TextPiece`s or `BinaryPiece`s, as
/// its bytes come, however the peer fragmented it. Sent, pieces become the fragments of one
/// message (RFC 6455 §5.4): its frames go out as the pieces are sent, and nothing but
/// control frames can be sent between them.
///
/// ```
/// use wsproto::io::Message;
/// // A message sent in three fragments: the last piece ends it.
/// let pieces = [("a large ", false), ("message, sent ", false), ("as it is made", true)];
/// let messages: Vec<Message> = pieces
///     .into_iter()
///     .map(|(text, last)| Message::TextPiece { text: text.into(), last })
///     .collect();
/// assert_eq!(messages[0].as_text(), Some("a large "));
/// assert!(messages[2].ends_message());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A text message (opcode 0x1): valid UTF-8 (RFC 6455 §5.6, §8.1).
    Text(Utf8Bytes),
    /// A binary message (opcode 0x2).
    Binary(Bytes),
    /// A piece of a text message: valid UTF-8 on its own (a character is never split
    /// between pieces). The piece with `last` set ends the message.
    TextPiece {
        /// This piece's text.
        text: Utf8Bytes,
        /// Whether this piece ends the message.
        last: bool,
    },
    /// A piece of a binary message. The piece with `last` set ends the message.
    BinaryPiece {
        /// This piece's bytes.
        data: Bytes,
        /// Whether this piece ends the message.
        last: bool,
    },
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

    /// The text of a text message, or of a piece of one.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Message::Text(text) | Message::TextPiece { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The payload of a binary message or a piece of one, or of a ping or pong.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Message::Binary(data)
            | Message::BinaryPiece { data, .. }
            | Message::Ping(data)
            | Message::Pong(data) => Some(data),
            _ => None,
        }
    }

    /// Whether this is a whole text or binary message, or the last piece of one.
    pub fn ends_message(&self) -> bool {
        match self {
            Message::Text(_) | Message::Binary(_) => true,
            Message::TextPiece { last, .. } | Message::BinaryPiece { last, .. } => *last,
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) => false,
        }
    }
}
