//! The events of a WebSocket connection, as in Python wsproto's `events` module: what the
//! peer did (from `events()`) and what to do (given to `send`), the handshake's included.

use std::fmt;

use bytes::Bytes;

use crate::close_code::CloseReason;
// The handshake's events, here too: Python wsproto's `events` module holds them all.
pub use crate::handshake::{AcceptConnection, RejectConnection, RejectData, Request};
use crate::text::Utf8Bytes;

/// The closing handshake (RFC 6455 §5.5.1, §7): received, or to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseConnection {
    /// The close code; `ABNORMAL_CLOSURE` when the stream ended without one (§7.1.5).
    pub code: CloseReason,
    /// The reason, if any.
    pub reason: Option<String>,
}

impl CloseConnection {
    /// A close with this code and no reason.
    pub fn new(code: CloseReason) -> Self {
        CloseConnection { code, reason: None }
    }

    /// The close to answer with: the same code and reason (RFC 6455 §5.5.1: "the endpoint
    /// typically echos the status code it received").
    pub fn response(&self) -> CloseConnection {
        self.clone()
    }
}

/// A piece of a text message (RFC 6455 §5.6).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextMessage {
    /// The text.
    pub data: Utf8Bytes,
    /// Whether this piece ends its frame.
    pub frame_finished: bool,
    /// Whether this piece ends the message; sending with `false` leaves it open.
    pub message_finished: bool,
}

impl TextMessage {
    /// A whole message.
    pub fn new(data: impl Into<Utf8Bytes>) -> Self {
        TextMessage {
            data: data.into(),
            frame_finished: true,
            message_finished: true,
        }
    }
}

/// A piece of a binary message (RFC 6455 §5.6).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BytesMessage {
    /// The bytes.
    pub data: Bytes,
    /// Whether this piece ends its frame.
    pub frame_finished: bool,
    /// Whether this piece ends the message; sending with `false` leaves it open.
    pub message_finished: bool,
}

impl BytesMessage {
    /// A whole message.
    pub fn new(data: impl Into<Bytes>) -> Self {
        BytesMessage {
            data: data.into(),
            frame_finished: true,
            message_finished: true,
        }
    }
}

/// A ping (RFC 6455 §5.5.2).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ping {
    /// Application data, at most 125 bytes.
    pub payload: Bytes,
}

impl Ping {
    /// The pong to answer with, carrying the same payload (RFC 6455 §5.5.3: "MUST have
    /// identical Application data").
    pub fn response(&self) -> Pong {
        Pong {
            payload: self.payload.clone(),
        }
    }
}

/// A pong (RFC 6455 §5.5.3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pong {
    /// Application data, at most 125 bytes.
    pub payload: Bytes,
}

/// Anything a connection can receive or send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// See [`Request`].
    Request(Request),
    /// See [`AcceptConnection`].
    AcceptConnection(AcceptConnection),
    /// See [`RejectConnection`].
    RejectConnection(RejectConnection),
    /// See [`RejectData`].
    RejectData(RejectData),
    /// See [`CloseConnection`].
    CloseConnection(CloseConnection),
    /// See [`TextMessage`].
    TextMessage(TextMessage),
    /// See [`BytesMessage`].
    BytesMessage(BytesMessage),
    /// See [`Ping`].
    Ping(Ping),
    /// See [`Pong`].
    Pong(Pong),
}

impl Event {
    /// The event's type name, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Request(_) => "Request",
            Event::AcceptConnection(_) => "AcceptConnection",
            Event::RejectConnection(_) => "RejectConnection",
            Event::RejectData(_) => "RejectData",
            Event::CloseConnection(_) => "CloseConnection",
            Event::TextMessage(_) => "TextMessage",
            Event::BytesMessage(_) => "BytesMessage",
            Event::Ping(_) => "Ping",
            Event::Pong(_) => "Pong",
        }
    }
}

macro_rules! event_from {
    ($($name:ident),*) => {
        $(impl From<$name> for Event {
            fn from(event: $name) -> Event {
                Event::$name(event)
            }
        })*
    };
}

event_from!(
    Request,
    AcceptConnection,
    RejectConnection,
    RejectData,
    CloseConnection,
    TextMessage,
    BytesMessage,
    Ping,
    Pong
);

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Request(r) => write!(f, "Request {} {}", r.host, r.target),
            Event::AcceptConnection(a) => write!(f, "AcceptConnection {:?}", a.subprotocol),
            Event::RejectConnection(r) => write!(f, "RejectConnection {}", r.status_code),
            Event::RejectData(d) => write!(f, "RejectData {} bytes", d.data.len()),
            Event::CloseConnection(c) => write!(
                f,
                "CloseConnection {} {:?}",
                c.code,
                c.reason.as_deref().unwrap_or("")
            ),
            Event::TextMessage(t) => write!(
                f,
                "TextMessage {:?}{}",
                t.data,
                if t.message_finished { "" } else { " …" }
            ),
            Event::BytesMessage(b) => write!(
                f,
                "BytesMessage {} bytes{}",
                b.data.len(),
                if b.message_finished { "" } else { " …" }
            ),
            Event::Ping(p) => write!(f, "Ping {} bytes", p.payload.len()),
            Event::Pong(p) => write!(f, "Pong {} bytes", p.payload.len()),
        }
    }
}
