//! The opening handshake (RFC 6455 §4): HTTP/1.1 Upgrade requests and responses, the
//! accept token, subprotocol and extension negotiation.

pub(crate) mod accept_key;
pub(crate) mod body;
pub(crate) mod client;
mod error;
pub(crate) mod http;
mod messages;
pub(crate) mod server;

pub use accept_key::accept_token;
pub use error::{LocalHandshakeError, RemoteHandshakeError, RemoteProtocolError};
pub use messages::{AcceptConnection, Headers, RejectConnection, RejectData, Request};

/// Bounds on what a peer may send before the handshake completes. A head over `max_size`
/// bytes, or with more than `max_headers` fields, fails the handshake (a server answers 431,
/// RFC 6585 §5) instead of being buffered without end (tungstenite RUSTSEC-2023-0065).
///
/// Defaults: 16 KiB and 64 fields. Browsers send about 1 KiB and 15 fields; h11 (Python
/// wsproto's HTTP layer) allows 16 KiB; tungstenite 64 KiB and 124 fields; Python websockets
/// 8 KiB lines and 128 fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeLimits {
    /// Largest request or response head, in bytes.
    pub max_size: usize,
    /// Most header fields in a head.
    pub max_headers: usize,
}

impl Default for HandshakeLimits {
    fn default() -> Self {
        HandshakeLimits {
            max_size: 16 << 10,
            max_headers: 64,
        }
    }
}
