//! A WebSocket over any tokio transport (feature `tokio`): [`accept`] and [`connect`] run
//! the opening handshake within a deadline, and the [`WebSocket`] they return receives and
//! sends whole [`Message`](crate::io::Message)s, as async methods or as a
//! `futures::Stream` + `futures::Sink`.
//!
//! ```
//! use wsproto::events::Request;
//! use wsproto::io::{Config, Message};
//! use wsproto::io::tokio::{accept, connect};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), wsproto::io::Error> {
//! let (client_io, server_io) = tokio::io::duplex(64 << 10);
//! let server = tokio::spawn(async move {
//!     let mut ws = accept(server_io, (), Config::default()).await?;
//!     while let Some(message) = ws.recv().await {
//!         if let Message::Text(text) = message? {
//!             ws.send(Message::text(text)).await?; // echo
//!         }
//!     }
//!     Ok::<_, wsproto::io::Error>(())
//! });
//! let request = Request::new("example.com", "/chat");
//! let (mut ws, _accepted) = connect(client_io, request, (), Config::default()).await?;
//! ws.send(Message::text("hello")).await?;
//! assert_eq!(ws.recv().await.transpose()?, Some(Message::text("hello")));
//! ws.close().await?; // our close, the server's answer, the transport shut down
//! server.await.unwrap()?;
//! # Ok(())
//! # }
//! ```

mod handshake;
mod socket;
mod split;
mod stream;

pub use handshake::{accept, accept_with, connect};
pub use socket::WebSocket;
pub use split::{ReadHalf, WriteHalf};
