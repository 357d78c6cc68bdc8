//! Errors of the opening handshake (RFC 6455 §4): the peer broke it, or the application
//! asked to send something HTTP or RFC 6455 does not allow.

use crate::handshake::RejectConnection;

/// The peer's handshake broke RFC 6455 §4. A server should answer with
/// [`event_hint`](RemoteProtocolError::event_hint), the rejection that fits (400, 426 with
/// the supported version, 431, ...); a client should close the transport.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RemoteProtocolError {
    message: String,
    /// The rejection to send, on a server.
    pub event_hint: Option<RejectConnection>,
}

impl RemoteProtocolError {
    pub(crate) fn new(message: impl Into<String>, event_hint: Option<RejectConnection>) -> Self {
        RemoteProtocolError {
            message: message.into(),
            event_hint,
        }
    }

    /// What was wrong, naming the header or value.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The application asked the handshake to send something that would break HTTP or RFC 6455
/// §4 (a header field with CR or LF, a subprotocol the client did not offer, ...). Nothing
/// was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LocalHandshakeError(pub(crate) String);
