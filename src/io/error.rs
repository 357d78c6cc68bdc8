//! Why a connection over a transport failed: the transport, the peer (its handshake or its
//! frames), or the application's own request.

use std::io;

use crate::connection::{CloseConnection, ConnectionError, LocalProtocolError};
use crate::handshake::RejectConnection;

/// A connection over a transport failed, or refused what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The transport failed.
    #[error("transport: {0}")]
    Io(#[from] io::Error),
    /// The opening handshake did not finish within
    /// [`Config::handshake_timeout`](crate::io::Config::handshake_timeout). The transport
    /// was closed.
    #[error("the opening handshake did not finish in time")]
    HandshakeTimeout,
    /// The opening handshake broke RFC 6455 §4: the peer's (a server answered it with the
    /// error's rejection before closing) or ours.
    #[error("handshake: {0}")]
    Handshake(#[from] ConnectionError),
    /// The server answered the upgrade with another status than 101.
    #[error("the server rejected the upgrade with status {}", .0.status_code)]
    Rejected(RejectConnection),
    /// The peer broke the protocol (RFC 6455 §7.1.7): our close with this code and reason
    /// was sent, and the transport closed.
    #[error("the peer broke the protocol: {} {}", .0.code, .0.reason.as_deref().unwrap_or(""))]
    Protocol(CloseConnection),
    /// The peer did not answer a keepalive ping before the next one was due
    /// ([`Config::keepalive`](crate::io::Config::keepalive)): our close with 1011 was sent
    /// and the transport closed.
    #[error("the peer did not answer a keepalive ping in time")]
    KeepaliveTimeout,
    /// The transport ended without a closing handshake (RFC 6455 §7.1.5: code 1006).
    #[error("the connection ended without a closing handshake (1006)")]
    AbnormalClosure,
    /// The connection cannot send this now: after a close, or a frame the protocol refuses
    /// (a control payload over 125 bytes, ...).
    #[error(transparent)]
    Send(#[from] LocalProtocolError),
}
