//! Errors of the connection layer: the local side asked for something the state forbids,
//! or the peer broke the handshake.

use crate::connection::{ConnectionState, RejectConnection};

/// The application asked for something the connection's state does not allow (e.g. a
/// message after sending a close). Nothing was sent and the state is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LocalProtocolError {
    message: String,
}

impl LocalProtocolError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        LocalProtocolError {
            message: message.into(),
        }
    }

    pub(crate) fn not_in_state(event: &str, state: ConnectionState) -> Self {
        Self::new(format!("{event} cannot be sent in state {state}"))
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

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
