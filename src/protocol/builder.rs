//! Typed builders for sending a fragmented message (RFC 6455 §5.4): a builder accepts only
//! its message's type, may interleave control frames, and is consumed by its last fragment.

use std::marker::PhantomData;

use crate::error::SendError;
use crate::ext::ExtensionList;
use crate::opcode::Opcode;
use crate::protocol::FrameProtocol;
use crate::role::Role;

mod sealed {
    pub trait Sealed {}
}

/// The type of a message: [`TextKind`] or [`BinaryKind`]. Sealed.
pub trait MessageKind: sealed::Sealed {
    /// What one fragment is: `str` for text, `[u8]` for binary.
    type Fragment: ?Sized;
    /// The message's opcode.
    const OPCODE: Opcode;
    /// The fragment's bytes.
    fn bytes(fragment: &Self::Fragment) -> &[u8];
}

/// A text message: fragments are `&str` (RFC 6455 §5.6).
#[derive(Debug)]
pub enum TextKind {}

/// A binary message: fragments are `&[u8]` (RFC 6455 §5.6).
#[derive(Debug)]
pub enum BinaryKind {}

impl sealed::Sealed for TextKind {}
impl sealed::Sealed for BinaryKind {}

impl MessageKind for TextKind {
    type Fragment = str;
    const OPCODE: Opcode = Opcode::Text;
    fn bytes(fragment: &str) -> &[u8] {
        fragment.as_bytes()
    }
}

impl MessageKind for BinaryKind {
    type Fragment = [u8];
    const OPCODE: Opcode = Opcode::Binary;
    fn bytes(fragment: &[u8]) -> &[u8] {
        fragment
    }
}

/// Sends one message in fragments. It borrows the protocol mutably, so no other data
/// message can start while it lives; [`finish`](MessageBuilder::finish) consumes it.
///
/// A builder dropped before its last fragment (an early return with `?`, say) leaves its
/// message open on the wire, and the peer waiting for the rest (RFC 6455 §5.4). The protocol
/// does not stay stuck in it: the next data frame it sends, by any method, is preceded by
/// an empty final CONTINUATION frame that ends the message with nothing added. Until then
/// [`outgoing_message`](FrameProtocol::outgoing_message) still reports it. A builder that
/// sent no fragment leaves nothing behind.
///
/// ```
/// use wsproto::{FrameProtocol, Server};
/// let mut proto = FrameProtocol::<Server>::new(());
/// let mut out = Vec::new();
/// let mut message = proto.text_message()?;
/// message.fragment("Hel", &mut out)?;
/// drop(message); // no `finish`
/// proto.send_data_into(&b"next"[..], true, &mut out)?;
/// // The text message, ended by an empty final fragment, then the binary one.
/// assert_eq!(out, b"\x01\x03Hel\x80\x00\x82\x04next");
/// # Ok::<(), wsproto::SendError>(())
/// ```
///
/// ```
/// use wsproto::{FrameProtocol, Server};
/// let mut proto = FrameProtocol::<Server>::new(());
/// let mut out = Vec::new();
/// let mut message = proto.text_message().unwrap();
/// message.fragment("Hel", &mut out).unwrap();
/// message.ping(b"", &mut out).unwrap(); // control frames may interleave (RFC 6455 §5.4)
/// message.finish("lo", &mut out).unwrap();
/// assert_eq!(out, b"\x01\x03Hel\x89\x00\x80\x02lo");
/// ```
///
/// A binary fragment does not fit a text message:
/// ```compile_fail
/// use wsproto::{FrameProtocol, Server};
/// let mut proto = FrameProtocol::<Server>::new(());
/// let mut message = proto.text_message().unwrap();
/// message.fragment(&b"bytes"[..], &mut Vec::new()); // expected `&str`, found `&[u8]`
/// ```
#[must_use = "a message builder sends nothing until `fragment` or `finish` is called"]
pub struct MessageBuilder<'p, R: Role, E: ExtensionList, K: MessageKind> {
    proto: &'p mut FrameProtocol<R, E>,
    kind: PhantomData<K>,
}

/// A builder for a fragmented text message.
pub type TextMessageBuilder<'p, R, E = ()> = MessageBuilder<'p, R, E, TextKind>;
/// A builder for a fragmented binary message.
pub type BinaryMessageBuilder<'p, R, E = ()> = MessageBuilder<'p, R, E, BinaryKind>;

impl<R: Role, E: ExtensionList> FrameProtocol<R, E> {
    /// Starts a fragmented text message; fails if a message is unfinished.
    pub fn text_message(&mut self) -> Result<TextMessageBuilder<'_, R, E>, SendError> {
        MessageBuilder::start(self)
    }

    /// Starts a fragmented binary message; fails if a message is unfinished.
    pub fn binary_message(&mut self) -> Result<BinaryMessageBuilder<'_, R, E>, SendError> {
        MessageBuilder::start(self)
    }
}

impl<'p, R: Role, E: ExtensionList, K: MessageKind> MessageBuilder<'p, R, E, K> {
    pub(crate) fn start(proto: &'p mut FrameProtocol<R, E>) -> Result<Self, SendError> {
        if proto.close_sent() {
            return Err(SendError::AfterClose { opcode: K::OPCODE });
        }
        // A message whose builder was dropped is ended by this one's first fragment.
        if let Some(open) = proto
            .outgoing_message()
            .filter(|_| !proto.message_abandoned())
        {
            return Err(SendError::MessageInProgress { open });
        }
        Ok(MessageBuilder {
            proto,
            kind: PhantomData,
        })
    }

    /// Appends a fragment that does not end the message.
    pub fn fragment(&mut self, data: &K::Fragment, out: &mut Vec<u8>) -> Result<(), SendError> {
        self.proto
            .send_data_frame(K::OPCODE, K::bytes(data), false, out)
    }

    /// Appends the last fragment, ending the message and the builder.
    pub fn finish(self, data: &K::Fragment, out: &mut Vec<u8>) -> Result<(), SendError> {
        self.proto
            .send_data_frame(K::OPCODE, K::bytes(data), true, out)
    }

    /// Appends a ping between fragments (RFC 6455 §5.4 allows control frames there).
    pub fn ping(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), SendError> {
        self.proto.ping_into(payload, out)
    }

    /// Appends a pong between fragments.
    pub fn pong(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), SendError> {
        self.proto.pong_into(payload, out)
    }
}

/// Gone before its last fragment: the protocol ends the message with its next data frame.
impl<R: Role, E: ExtensionList, K: MessageKind> Drop for MessageBuilder<'_, R, E, K> {
    fn drop(&mut self) {
        self.proto.abandon_message();
    }
}
