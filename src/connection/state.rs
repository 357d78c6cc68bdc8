//! Where a connection is in its life (RFC 6455 §4 opening, §7 closing), as Python
//! wsproto's `ConnectionState`.

use std::fmt;

/// The state of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// The opening handshake is under way.
    Connecting,
    /// Messages flow both ways.
    Open,
    /// The peer sent a close; answer with one.
    RemoteClosing,
    /// We sent a close; waiting for the peer's.
    LocalClosing,
    /// Both closes exchanged, or the stream ended: close the transport.
    Closed,
    /// The server is sending a rejection's body.
    Rejecting,
}

impl fmt::Display for ConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
