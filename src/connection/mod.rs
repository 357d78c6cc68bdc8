//! The connection layer (RFC 6455 §4-§7): events, states, the handshake-free
//! [`Connection`], the full [`WSConnection`], and a typed API in which a connection that
//! is not open offers no way to send a message.

#[allow(clippy::module_inception)]
mod connection;
mod error;
pub mod events;
mod ping;
mod state;
mod typed;
mod upgrade;
mod ws_connection;

pub use connection::{Connection, Events};
pub use error::LocalProtocolError;
pub use events::{BytesMessage, CloseConnection, Event, Ping, Pong, TextMessage};
pub use ping::PingPolicy;
pub use state::ConnectionState;
pub use typed::{
    ClientHandshake, ClientHandshakeOutcome, ClosingConnection, IncomingRequest, OpenConnection,
    ServerHandshake, ServerHandshakeError, ServerHandshakeOutcome,
};
pub use upgrade::ServerUpgrade;
pub use ws_connection::{WSConnection, WSConnectionEvents};

use crate::handshake::RemoteProtocolError;

/// Either side's protocol error, from [`WSConnection::receive_data`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// The application did something the state forbids.
    #[error(transparent)]
    Local(#[from] LocalProtocolError),
    /// The peer broke the handshake.
    #[error(transparent)]
    Remote(#[from] RemoteProtocolError),
}
