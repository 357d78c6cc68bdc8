//! A WebSocket over a blocking transport (`std::net::TcpStream`, or a TLS stream over
//! one): [`accept`] and [`connect`] run the opening handshake within a deadline, and the
//! [`WebSocket`] they return receives and sends whole [`Message`](crate::io::Message)s,
//! with the same behaviour as `io::tokio`: every ping answered, our close and a bounded
//! wait for the peer's, the transport shut down after a protocol error. Deadlines are
//! socket timeouts, set from one clock for the whole handshake. A write blocks until the
//! transport takes the bytes, so a peer that stops reading stops the sender.
//!
//! ```
//! use std::net::{TcpListener, TcpStream};
//! use wsproto::events::Request;
//! use wsproto::io::{Config, Message};
//! use wsproto::io::blocking::{accept, connect};
//!
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let addr = listener.local_addr()?;
//! let server = std::thread::spawn(move || -> Result<(), wsproto::io::Error> {
//!     let mut ws = accept(listener.accept()?.0, (), Config::default())?;
//!     while let Some(message) = ws.recv() {
//!         if let Message::Text(text) = message? {
//!             ws.send(Message::text(text))?; // echo
//!         }
//!     }
//!     Ok(())
//! });
//! let request = Request::new("localhost", "/");
//! let (mut ws, _accepted) = connect(TcpStream::connect(addr)?, request, (), Config::default())?;
//! ws.send(Message::text("hello"))?;
//! assert_eq!(ws.recv().transpose()?, Some(Message::text("hello")));
//! ws.close()?;
//! server.join().unwrap()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod handshake;
mod socket;
mod transport;

pub use handshake::{accept, accept_with, connect};
pub use socket::WebSocket;
pub use transport::Transport;
