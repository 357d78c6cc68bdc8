//! Errors of the connection layer: the local side asked for something the state forbids
//! (RFC 6455 §7: nothing but the answering close after the peer's close, nothing at all
//! after both), or the frame layer refused the frame (its [`SendError`], kept as data).

use crate::connection::ConnectionState;
use crate::error::SendError;
use crate::handshake::LocalHandshakeError;

/// The application asked for something the connection does not allow. Nothing was sent
/// and the state is unchanged. Each cause is a variant, so that a caller can match on it.
///
/// ```
/// use wsproto::{Connection, SendError, Server};
/// use wsproto::connection::LocalProtocolError;
/// let mut server = Connection::<Server>::new(());
/// let error = server.protocol_mut().ping(&[0; 126]).map_err(LocalProtocolError::from).unwrap_err();
/// assert!(matches!(error, LocalProtocolError::Send(SendError::ControlPayloadTooLong { .. })));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocalProtocolError {
    /// The event cannot be sent in this state (a message before the handshake finished or
    /// after a close was sent, a second close, ...).
    #[error("{event} cannot be sent in state {state}")]
    NotInState {
        /// The refused event, as named in [`Event`](crate::Event) (or "a message").
        event: &'static str,
        /// The state that refused it.
        state: ConnectionState,
    },
    /// Bytes were fed after the connection closed.
    #[error("connection already closed")]
    AlreadyClosed,
    /// The frame layer refused the frame (RFC 6455 §5); the cause is kept as it was.
    #[error(transparent)]
    Send(#[from] SendError),
    /// The opening handshake cannot send what was asked (a header value with CR or LF, a
    /// subprotocol the client did not offer, no random source for the key, ...; RFC 6455
    /// §4).
    #[error(transparent)]
    Handshake(#[from] LocalHandshakeError),
}

impl LocalProtocolError {
    pub(crate) fn not_in_state(event: &'static str, state: ConnectionState) -> Self {
        LocalProtocolError::NotInState { event, state }
    }
}
