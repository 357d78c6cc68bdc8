//! A sans-IO WebSocket protocol (RFC 6455, RFC 7692) whose roles and extensions are types.
//!
//! Bytes in, frames out, bytes to send appended to your buffer: the crate never touches a
//! socket, so it runs over `std::net`, tokio, TLS or an HTTP/2 stream alike. A
//! [`FrameProtocol<Client>`](FrameProtocol) masks what it sends and a
//! [`FrameProtocol<Server>`](FrameProtocol) never does (RFC 6455 §5.1), by construction.
//!
//! ```
//! use wsproto::{Client, FrameProtocol, Opcode, Payload, Server};
//!
//! let mut client = FrameProtocol::<Client>::new(());
//! let mut server = FrameProtocol::<Server>::new(());
//!
//! // The client sends a message in two fragments; the bytes would go over the network.
//! let mut wire = Vec::new();
//! let mut message = client.text_message()?;
//! message.fragment("Hello, ", &mut wire)?;
//! message.finish("WebSocket!", &mut wire)?;
//!
//! // The server parses whatever has arrived, in any chunking.
//! let mut text = String::new();
//! for chunk in wire.chunks(5) {
//!     server.receive_bytes(chunk);
//!     for frame in server.received_frames() {
//!         let frame = frame?;
//!         assert_eq!(frame.opcode, Opcode::Text);
//!         text.push_str(frame.payload.as_text().unwrap());
//!     }
//! }
//! assert_eq!(text, "Hello, WebSocket!");
//!
//! // Closing: the server answers with the close code it received (RFC 6455 §5.5.1).
//! server.receive_bytes(&client.close(Some(wsproto::CloseReason::NORMAL_CLOSURE), Some("bye"))?);
//! let close = server.received_frames().next().unwrap()?;
//! assert!(matches!(close.payload, Payload::Close(code, _) if code == wsproto::CloseReason::NORMAL_CLOSURE));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every received byte goes through one pipeline: the header and its rules, the frame's
//! place in the message, the payload (unmasked on its way out of the read), the extensions,
//! the text check, and a delivery policy: frames as on the wire ([`receive::FrameDecoder`]), or
//! messages piece by piece or whole ([`FrameProtocol`]). [`message::MessageDecoder`] applies the
//! message rules (fragment order, UTF-8) to frames you give it. The crate's ARCHITECTURE.md
//! lists each RFC rule with the one function that decides it.
// `unsafe` is denied except in four audited places, each with a `// SAFETY:` argument and
// tests that `scripts/miri` runs under Miri: `Utf8Bytes::as_str` and `str_from_validated`
// (text validated once, not again), `extend_masked` (a client's one-pass masking copy) and
// `extend_unmasked` (a received payload unmasked on its way into a buffer).
#![deny(unsafe_code)]
#![warn(missing_docs, unreachable_pub, clippy::undocumented_unsafe_blocks)]

mod close_code;
pub mod connection;
pub mod constants;
mod error;
pub mod ext;
pub mod frame;
pub mod handshake;
pub mod io;
mod limits;
mod mask_key;
pub mod message;
mod opcode;
pub mod protocol;
pub mod receive;
mod role;
pub mod rsv;
mod send;
mod text;
mod token_list;

// The crate root holds what a user starts with: the seed's frame layer (`FrameProtocol`,
// `Frame`, `Opcode`, `CloseReason`, `ParseFailed`), the roles, and the connection entry
// points. The rest lives in the module of its layer: `frame`, `message`, `ext`, `deflate`,
// `receive`, `protocol`, `handshake`, `connection`, `events`, `rsv`, `constants`.
pub use close_code::CloseReason;
pub use connection::events;
pub use connection::{Connection, ConnectionState, Event, WSConnection};
pub use error::{ParseFailed, SendError};
#[cfg(feature = "deflate")]
pub use ext::deflate;
pub use frame::{Frame, FrameRef, Payload, PayloadRef};
pub use limits::Limits;
pub use opcode::Opcode;
pub use protocol::FrameProtocol;
pub use role::{Client, Role, Server};
pub use text::Utf8Bytes;

static_assertions::assert_impl_all!(FrameProtocol<Client>: Send);
static_assertions::assert_impl_all!(FrameProtocol<Server>: Send, Sync);
static_assertions::assert_impl_all!(Frame: Send, Sync);
static_assertions::assert_impl_all!(ParseFailed: Send, Sync, std::error::Error);

/// Guides: how-to pages, each example a doctest.
pub mod guide {
    #[doc = include_str!("../docs/writing-an-extension.md")]
    pub mod writing_an_extension {}
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
