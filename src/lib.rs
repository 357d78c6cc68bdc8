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
//! the text check, and a delivery policy: frames as on the wire ([`FrameDecoder`]), or
//! messages piece by piece or whole ([`FrameProtocol`]). [`MessageDecoder`] applies the
//! message rules (fragment order, UTF-8) to frames you give it. The crate's ARCHITECTURE.md
//! lists each RFC rule with the one function that decides it.
// `unsafe` is denied except in four audited places, each with a `// SAFETY:` argument and
// tests that `scripts/miri` runs under Miri: `Utf8Bytes::as_str` and `str_from_validated`
// (text validated once, not again), `extend_masked` (a client's one-pass masking copy) and
// `extend_unmasked` (a received payload unmasked on its way into a buffer).
#![deny(unsafe_code)]
#![warn(missing_docs, unreachable_pub, clippy::undocumented_unsafe_blocks)]

mod close_code;
mod connection;
pub mod constants;
mod error;
mod ext;
mod frame;
mod handshake;
mod limits;
mod mask_key;
mod message;
mod opcode;
mod protocol;
mod receive;
mod role;
pub mod rsv;
mod send;
mod text;
mod token_list;

pub use close_code::CloseReason;
pub use connection::{
    BytesMessage, ClientHandshake, ClientHandshakeOutcome, CloseConnection, ClosingConnection,
    Connection, ConnectionError, ConnectionState, Event, Events, IncomingRequest,
    LocalProtocolError, OpenConnection, Ping, PingPolicy, Pong, ServerHandshake,
    ServerHandshakeError, ServerHandshakeOutcome, TextMessage, WSConnection, WsEvents,
};
pub use error::{FrameRefused, MaskKeyError, ParseFailed, SendError};
#[cfg(feature = "deflate")]
pub use ext::deflate;
#[cfg(feature = "deflate")]
pub use ext::deflate::PerMessageDeflate;
pub use ext::{Extension, ExtensionError, ExtensionList, FrameContext, OutboundFrame};
pub use frame::encoder::{VectoredFrame, encode_frame};
pub use frame::mask::apply_mask;
pub use frame::{Frame, FrameRef, Header, Payload, PayloadRef};
pub use handshake::{
    AcceptConnection, HandshakeLimits, Headers, RejectConnection, RejectData, RemoteProtocolError,
    Request, accept_token,
};
pub use limits::Limits;
pub use mask_key::{MaskKeySource, OsRandomKeys};
pub use message::MessageDecoder;
pub use opcode::{InvalidOpcode, Opcode};
pub use protocol::builder::{
    BinaryKind, BinaryMessageBuilder, MessageBuilder, MessageKind, TextKind, TextMessageBuilder,
};
pub use protocol::{ClientProtocol, Data, FrameProtocol, ReceivedFrames, ServerProtocol};
pub use receive::FrameDecoder;
pub use role::{Client, MaskingKey, Role, Server, Unmasked};
pub use rsv::RsvBits;
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
