//! The I/O layer: the sans-IO [`Connection`](crate::Connection) driven over a real
//! transport, with the parts every read/write loop otherwise gets wrong done once: a
//! deadline on the opening handshake (RFC 6455 §4), the closing handshake with a bounded
//! wait for the peer's close and the transport shut down after it (§7.1.1, §7.1.7), pongs
//! for every ping while the peer reads and for the latest only while it does not
//! (§5.5.3), and a bounded send buffer.
//!
//! - [`blocking`]: [`WebSocket`](blocking::WebSocket) over `std::net::TcpStream` or any
//!   [`Transport`](blocking::Transport), with socket timeouts as the deadlines.
//! - `tokio` (feature `tokio`): `io::tokio::WebSocket` over any tokio
//!   `AsyncRead + AsyncWrite` (TCP, TLS, an upgraded hyper connection), a `Stream` of
//!   [`Message`]s and a `Sink` for them.

pub mod blocking;
mod config;
mod error;
mod message;
mod opening;
mod outbox;
mod session;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use config::Config;
pub use error::Error;
pub use message::Message;
