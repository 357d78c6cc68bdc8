//! Errors of the connection layer: the local side asked for something the state forbids.

use crate::connection::ConnectionState;
use crate::handshake::LocalHandshakeError;

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

impl From<LocalHandshakeError> for LocalProtocolError {
    fn from(error: LocalHandshakeError) -> Self {
        LocalProtocolError::new(error.0)
    }
}
