//! [`FrameProtocol`]: the frame layer of a WebSocket endpoint, Python wsproto's
//! `FrameProtocol` with the role and the extension list as type parameters.

use std::fmt;
use std::marker::PhantomData;

use crate::close_code::CloseReason;
use crate::error::{ParseFailed, SendError};
use crate::ext::{ExtensionList, inbound_hooks, outbound_hooks};
use crate::frame::close_payload::close_payload;
use crate::frame::encoder::VectoredFrame;
use crate::frame::{Frame, FrameRef};
use crate::limits::Limits;
use crate::mask_key::MaskKeys;
use crate::opcode::Opcode;
use crate::receive::pipeline::Receiver;
use crate::receive::ready::Delivery;
use crate::role::{Client, Role, Server};
use crate::send::Sender;

pub(crate) mod builder;

pub use builder::{
    BinaryKind, BinaryMessageBuilder, MessageBuilder, MessageKind, TextKind, TextMessageBuilder,
};
// A client's masking keys, chosen with `FrameProtocol::with_mask_key_source`.
pub use crate::error::MaskKeyError;
pub use crate::mask_key::{MaskKeySource, OsRandomKeys};

/// Data to send: text (`&str`, a TEXT message) or bytes (`&[u8]`, a BINARY message), like
/// the seed's `str | bytes` argument of `send_data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Data<'a> {
    /// Text (RFC 6455 §5.6).
    Text(&'a str),
    /// Bytes (RFC 6455 §5.6).
    Binary(&'a [u8]),
}

impl<'a> Data<'a> {
    fn opcode(self) -> Opcode {
        match self {
            Data::Text(_) => Opcode::Text,
            Data::Binary(_) => Opcode::Binary,
        }
    }

    fn bytes(self) -> &'a [u8] {
        match self {
            Data::Text(text) => text.as_bytes(),
            Data::Binary(bytes) => bytes,
        }
    }
}

impl<'a> From<&'a str> for Data<'a> {
    fn from(text: &'a str) -> Self {
        Data::Text(text)
    }
}

impl<'a> From<&'a String> for Data<'a> {
    fn from(text: &'a String) -> Self {
        Data::Text(text)
    }
}

impl<'a> From<&'a [u8]> for Data<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Data::Binary(bytes)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Data<'a> {
    fn from(bytes: &'a [u8; N]) -> Self {
        Data::Binary(bytes)
    }
}

impl<'a> From<&'a Vec<u8>> for Data<'a> {
    fn from(bytes: &'a Vec<u8>) -> Self {
        Data::Binary(bytes)
    }
}

/// One endpoint's frame layer: parses received bytes into frames and messages, and encodes
/// frames to send, masking them if and only if `R` is [`Client`] (RFC 6455 §5.1).
///
/// `E` is the list of extensions: `()` for none, or a tuple such as
/// `(PerMessageDeflate,)`. Control frames, close payloads, fragmentation and UTF-8 are all
/// checked; every error carries the close code to answer with.
///
/// ```
/// use wsproto::{Client, FrameProtocol, Payload, Server};
/// let mut client = FrameProtocol::<Client>::new(());
/// let mut server = FrameProtocol::<Server>::new(());
/// server.receive_bytes(&client.send_data("Hello", true).unwrap());
/// let frame = server.received_frames().next().unwrap().unwrap();
/// assert_eq!(frame.payload.as_text(), Some("Hello"));
/// assert!(frame.message_finished);
/// ```
// `E` is bounded on the constructors, not here: a list that is not an `ExtensionList`
// (a type that is no extension, two claims on one RSV bit) then fails once, at the call
// to `new`, with the rule in the message, instead of once more for every use of the type.
pub struct FrameProtocol<R: Role, E = ()> {
    receiver: Receiver,
    extensions: E,
    sender: Sender,
    keys: R::Keys,
    /// An error ended the input: it was reported once, nothing more is delivered.
    done: bool,
    role: PhantomData<R>,
}

/// The frame layer of a client endpoint.
pub type ClientProtocol<E = ()> = FrameProtocol<Client, E>;
/// The frame layer of a server endpoint.
pub type ServerProtocol<E = ()> = FrameProtocol<Server, E>;

impl<R: Role, E> FrameProtocol<R, E> {
    /// A protocol with the given (already negotiated) extensions and default [`Limits`].
    pub fn new(extensions: E) -> Self
    where
        E: ExtensionList,
    {
        Self::with_limits(extensions, Limits::default())
    }

    /// A protocol with the given limits.
    pub fn with_limits(extensions: E, limits: Limits) -> Self
    where
        E: ExtensionList,
    {
        FrameProtocol {
            receiver: Receiver::new(R::IS_CLIENT, limits, Delivery::Pieces),
            sender: Sender::new(R::IS_CLIENT, E::RSV_MASK, limits.max_message_size),
            extensions,
            keys: R::Keys::default(),
            done: false,
            role: PhantomData,
        }
    }
}

impl<R: Role, E: ExtensionList> FrameProtocol<R, E> {
    /// Delivers every data message whole, as one frame, instead of piece by piece: the
    /// opt-in for applications that handle messages, not streams (RFC 6455 §5.4 lets
    /// frames of one message arrive in any number of fragments and reads).
    ///
    /// Each message comes out once its last byte has arrived, as a single [`Frame`] with
    /// the message's opcode, `frame_finished` and `message_finished` set, its payload one
    /// [`Bytes`](bytes::Bytes) (binary) or [`Utf8Bytes`](crate::Utf8Bytes) (text) without copying: each
    /// read's payload bytes go straight to their place in the message, unmasked on the
    /// way, and text is validated as it arrives, so invalid UTF-8 still fails at its
    /// first impossible byte (RFC 6455 §8.1). Control frames (RFC 6455 §5.5) are still
    /// delivered at once, even between the fragments of a message, so they come out
    /// before the message they interrupt. With a payload-transforming extension such as
    /// permessage-deflate, the transformed pieces are joined instead (copied only when a
    /// message comes in more than one piece).
    ///
    /// Memory is bounded by the [`Limits`]: a message is held until complete, at most
    /// `max_message_size` bytes. Room for up to 64 KiB of a frame's payload is reserved
    /// when its header arrives, the rest as the payload does (to four times what has
    /// arrived in a message's last frame, capped at what it announces; doubling before
    /// it), so an announced length costs nothing until it is sent. A buffer grown for a
    /// large message is reused by the next large one (once the application dropped the
    /// last), and let go when a small message follows or the connection goes idle.
    ///
    /// Messages are the same as the default mode's pieces joined, for any chunking, and
    /// the same streams fail with the same close codes. The switch takes effect between
    /// messages.
    ///
    /// ```
    /// use wsproto::{Client, FrameProtocol, Opcode, Server};
    /// let mut client = FrameProtocol::<Client>::new(());
    /// let mut server = FrameProtocol::<Server>::new(()).with_whole_messages(true);
    /// let mut wire = Vec::new();
    /// let mut message = client.text_message()?;
    /// message.fragment("Hello, ", &mut wire)?;
    /// message.finish("WebSocket!", &mut wire)?;
    /// for chunk in wire.chunks(3) {
    ///     server.receive_bytes(chunk);
    ///     for frame in server.received_frames() {
    ///         let frame = frame?;
    ///         assert_eq!(frame.opcode, Opcode::Text);
    ///         assert_eq!(frame.payload.as_text(), Some("Hello, WebSocket!"));
    ///     }
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_whole_messages(mut self, on: bool) -> Self {
        self.set_whole_messages(on);
        self
    }

    /// [`with_whole_messages`](Self::with_whole_messages) on an existing protocol.
    pub fn set_whole_messages(&mut self, on: bool) {
        let delivery = if on {
            Delivery::Whole
        } else {
            Delivery::Pieces
        };
        self.receiver.set_delivery(delivery);
    }

    /// Whether whole-message delivery was asked for.
    pub fn whole_messages(&self) -> bool {
        self.receiver.wanted_delivery() == Delivery::Whole
    }

    /// Feeds received bytes. After a close frame or an error they are dropped: nothing more
    /// is delivered, and a peer that goes on sending cannot grow the buffer.
    pub fn receive_bytes(&mut self, data: &[u8]) {
        if !self.done {
            self.receiver
                .receive(data, inbound_hooks(&mut self.extensions));
        }
    }

    /// The frames the received bytes complete, in order. Data frames come out per piece,
    /// with the message's opcode and text decoded; a close frame's payload is parsed into
    /// code and reason. After a close frame or an error, nothing more is yielded.
    pub fn received_frames(&mut self) -> ReceivedFrames<'_, R, E> {
        ReceivedFrames { proto: self }
    }

    /// The next received frame, `Ok(None)` when more bytes are needed or input has ended.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, ParseFailed> {
        if self.done {
            return Ok(None);
        }
        let next = self
            .receiver
            .next_frame(inbound_hooks(&mut self.extensions));
        self.done = matches!(next, Some(Err(_)));
        next.transpose()
    }

    /// [`next_frame`](Self::next_frame), borrowing the frame from the receive buffer
    /// instead of handing out a reference-counted [`Bytes`](bytes::Bytes): a whole
    /// unfragmented message (most traffic) costs no reference count to take and release
    /// and no copy, only its unmasking in place and UTF-8 validation. The borrow ends
    /// before the next call; copy out what must outlive it.
    ///
    /// ```
    /// use wsproto::{Client, FrameProtocol, PayloadRef, Server};
    /// let mut client = FrameProtocol::<Client>::new(());
    /// let mut server = FrameProtocol::<Server>::new(());
    /// server.receive_bytes(&client.send_data("Hello", true)?);
    /// server.receive_bytes(&client.send_data(&b"\x01\x02"[..], true)?);
    /// let mut texts = 0;
    /// while let Some(frame) = server.next_frame_ref()? {
    ///     match frame.payload {
    ///         PayloadRef::Text(text) => { assert_eq!(text, "Hello"); texts += 1 }
    ///         PayloadRef::Bytes(bytes) => assert_eq!(bytes, [1, 2]),
    ///         PayloadRef::Close(..) => unreachable!(),
    ///     }
    /// }
    /// assert_eq!(texts, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_frame_ref(&mut self) -> Result<Option<FrameRef<'_>>, ParseFailed> {
        if self.done {
            return Ok(None);
        }
        let next = self
            .receiver
            .next_frame_ref(inbound_hooks(&mut self.extensions));
        self.done = matches!(next, Some(Err(_)));
        next.transpose()
    }

    /// Encodes a data frame: text for `&str`, binary for `&[u8]`. With `fin == false` the
    /// message stays open and the next call must send the same type (RFC 6455 §5.4).
    #[inline]
    pub fn send_data<'d>(
        &mut self,
        data: impl Into<Data<'d>>,
        fin: bool,
    ) -> Result<Vec<u8>, SendError> {
        let mut out = Vec::new();
        self.send_data_into(data, fin, &mut out)?;
        Ok(out)
    }

    /// [`send_data`](Self::send_data), appending to `out`.
    #[inline]
    pub fn send_data_into<'d>(
        &mut self,
        data: impl Into<Data<'d>>,
        fin: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), SendError> {
        let data = data.into();
        self.send_data_frame(data.opcode(), data.bytes(), fin, out)
    }

    /// Encodes a data frame as a header and a payload slice, for a vectored write
    /// ([`VectoredFrame::write_to`], or `write_vectored` of [`VectoredFrame::io_slices`]):
    /// the payload needs no copy before the socket's. A server's frame borrows `data`
    /// itself, whenever no enabled extension transforms payloads; a client's is masked, and
    /// an extension's output written, into a buffer of the protocol, which is one copy. Same
    /// rules and bytes as [`send_data`](Self::send_data).
    ///
    /// ```
    /// use wsproto::{FrameProtocol, Server};
    /// let mut server = FrameProtocol::<Server>::new(());
    /// let message = vec![7u8; 100_000];
    /// let frame = server.send_data_vectored(&message, true)?;
    /// assert_eq!(frame.header(), [0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0x86, 0xa0]);
    /// assert!(std::ptr::eq(frame.payload(), &message[..])); // not copied
    /// let mut socket = Vec::new(); // any std::io::Write
    /// frame.write_to(&mut socket)?;
    /// assert_eq!(socket.len(), 10 + message.len());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn send_data_vectored<'s, 'd: 's>(
        &'s mut self,
        data: impl Into<Data<'d>>,
        fin: bool,
    ) -> Result<VectoredFrame<'s>, SendError> {
        let data = data.into();
        let key = self.ending_key()?;
        let hooks = outbound_hooks(&mut self.extensions);
        self.sender.end_abandoned_apart(key, hooks)?;
        let key = R::next_key(&mut self.keys)?;
        let hooks = outbound_hooks(&mut self.extensions);
        self.sender
            .data_vectored(data.opcode(), data.bytes(), fin, key, hooks)
    }

    /// A masking key for the frame that ends an abandoned message, if there is one to end.
    fn ending_key(&mut self) -> Result<Option<[u8; 4]>, SendError> {
        match self.sender.abandoned() {
            Some(_) => R::next_key(&mut self.keys),
            None => Ok(None),
        }
    }

    #[inline]
    pub(crate) fn send_data_frame(
        &mut self,
        kind: Opcode,
        payload: &[u8],
        fin: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), SendError> {
        if self.sender.abandoned().is_some() {
            self.end_abandoned(out)?;
        }
        let key = R::next_key(&mut self.keys)?;
        let hooks = outbound_hooks(&mut self.extensions);
        self.sender.data(kind, payload, fin, key, hooks, out)
    }

    /// Ends the message a dropped builder left unfinished (see [`builder::MessageBuilder`]): out of
    /// line, since it is rare.
    #[inline(never)]
    fn end_abandoned(&mut self, out: &mut Vec<u8>) -> Result<(), SendError> {
        let key = R::next_key(&mut self.keys)?;
        let hooks = outbound_hooks(&mut self.extensions);
        self.sender.end_abandoned(key, hooks, out)
    }

    /// A typed builder went away (see [`builder::MessageBuilder`]).
    pub(crate) fn abandon_message(&mut self) {
        self.sender.abandon();
    }

    /// Whether the unfinished message lost its builder.
    pub(crate) fn message_abandoned(&self) -> bool {
        self.sender.abandoned().is_some()
    }

    /// Encodes a ping (RFC 6455 §5.5.2); the payload is at most 125 bytes.
    pub fn ping(&mut self, payload: &[u8]) -> Result<Vec<u8>, SendError> {
        let mut out = Vec::new();
        self.ping_into(payload, &mut out)?;
        Ok(out)
    }

    /// [`ping`](Self::ping), appending to `out`.
    pub fn ping_into(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), SendError> {
        self.send_control(Opcode::Ping, payload, out)
    }

    /// Encodes a pong (RFC 6455 §5.5.3); the payload is at most 125 bytes.
    pub fn pong(&mut self, payload: &[u8]) -> Result<Vec<u8>, SendError> {
        let mut out = Vec::new();
        self.pong_into(payload, &mut out)?;
        Ok(out)
    }

    /// [`pong`](Self::pong), appending to `out`.
    pub fn pong_into(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), SendError> {
        self.send_control(Opcode::Pong, payload, out)
    }

    /// Encodes a close frame (RFC 6455 §5.5.1). A reason needs a code; the local-only codes
    /// become `NORMAL_CLOSURE` (`NO_STATUS_RCVD` sends no code at all); the reason is cut to
    /// fit 125 bytes without splitting a character.
    ///
    /// Nothing is sent after it: a later data frame, ping, pong or second close is refused
    /// with [`SendError::AfterClose`] (RFC 6455 §5.5.1). Receiving goes on, for the peer's
    /// answering close.
    ///
    /// ```
    /// use wsproto::{CloseReason, FrameProtocol, SendError, Server};
    /// let mut server = FrameProtocol::<Server>::new(());
    /// server.close(Some(CloseReason::NORMAL_CLOSURE), None)?;
    /// assert!(matches!(server.send_data("late", true), Err(SendError::AfterClose { .. })));
    /// assert!(server.close_sent());
    /// # Ok::<(), SendError>(())
    /// ```
    pub fn close(
        &mut self,
        code: Option<CloseReason>,
        reason: Option<&str>,
    ) -> Result<Vec<u8>, SendError> {
        let mut out = Vec::new();
        self.close_into(code, reason, &mut out)?;
        Ok(out)
    }

    /// [`close`](Self::close), appending to `out`.
    pub fn close_into(
        &mut self,
        code: Option<CloseReason>,
        reason: Option<&str>,
        out: &mut Vec<u8>,
    ) -> Result<(), SendError> {
        // The state's refusal first: after a close, any close is refused, valid or not.
        if self.close_sent() {
            return Err(SendError::AfterClose {
                opcode: Opcode::Close,
            });
        }
        let payload = close_payload(code, reason)?;
        self.send_control(Opcode::Close, &payload, out)
    }

    /// The type of the message being sent, if one is unfinished: also one whose builder was
    /// dropped before its last fragment, until the next data frame ends it.
    pub fn outgoing_message(&self) -> Option<Opcode> {
        self.sender.outgoing()
    }

    /// Whether a close frame was sent: then nothing more can be (RFC 6455 §5.5.1).
    pub fn close_sent(&self) -> bool {
        self.sender.is_closed()
    }

    /// The extensions.
    pub fn extensions(&self) -> &E {
        &self.extensions
    }

    /// The names of the extensions in force, in list order: those the handshake (or
    /// [`PerMessageDeflate::negotiated`](crate::deflate::PerMessageDeflate::negotiated))
    /// enabled. An extension in the list that was never negotiated is not among them: it
    /// transforms nothing and claims no RSV bit.
    pub fn enabled_extensions(&self) -> Vec<&'static str> {
        crate::ext::enabled_names(&self.extensions)
    }

    /// Frees the memory a quiet connection can do without, to be rebuilt on the next frame:
    /// the extensions' state. For permessage-deflate that is zlib's: the compressor's
    /// (about 370 KiB at 15 window bits) always, the inflater's (about 45 KiB) where a new
    /// one reads on the same way, that is without context takeover or after a final block;
    /// the connection keeps copies of the windows, at most 2^bits bytes each way. The
    /// receive buffers are released without asking, once everything received was handed
    /// out.
    ///
    /// Call it when the connection has had no traffic for a while (the I/O layers do so
    /// after [`Config::release_idle_memory_after`](crate::io::Config::release_idle_memory_after)):
    /// rebuilding costs about as much as compressing the windows once, so it does not pay
    /// between the messages of a busy connection.
    ///
    /// ```
    /// use wsproto::deflate::{Negotiated, PerMessageDeflate};
    /// use wsproto::{Client, FrameProtocol, Server};
    /// let agreed = Negotiated::default();
    /// let mut client = FrameProtocol::<Client, _>::new((PerMessageDeflate::negotiated(agreed),));
    /// let mut server = FrameProtocol::<Server, _>::new((PerMessageDeflate::negotiated(agreed),));
    /// let first = client.send_data("the same words, twice", true)?;
    /// client.release_idle_memory();
    /// assert!(!client.extensions().0.compressor_allocated());
    /// // The window survived: the repeat refers back to the first message.
    /// let second = client.send_data("the same words, twice", true)?;
    /// assert!(second.len() < first.len());
    /// server.receive_bytes(&[first, second].concat());
    /// for frame in server.received_frames() {
    ///     assert_eq!(frame?.payload.as_text(), Some("the same words, twice"));
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn release_idle_memory(&mut self) {
        self.extensions.release_idle_memory();
    }

    /// The extensions, mutably.
    pub fn extensions_mut(&mut self) -> &mut E {
        &mut self.extensions
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.receiver.limits()
    }

    fn send_control(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), SendError> {
        let key = R::next_key(&mut self.keys)?;
        let hooks = outbound_hooks(&mut self.extensions);
        self.sender.control(opcode, payload, key, hooks, out)
    }
}

impl<E: ExtensionList> FrameProtocol<Client, E> {
    /// Replaces the client's masking-key source (by default the operating system's CSPRNG,
    /// as RFC 6455 §5.3 requires). Only a client has one: a server never masks.
    pub fn with_mask_key_source(mut self, source: impl MaskKeySource + 'static) -> Self {
        self.keys = MaskKeys::custom(source);
        self
    }
}

/// Iterator over received frames; see [`FrameProtocol::received_frames`].
#[must_use = "frames are parsed only as the iterator is advanced"]
pub struct ReceivedFrames<'p, R: Role, E: ExtensionList> {
    proto: &'p mut FrameProtocol<R, E>,
}

impl<R: Role, E: ExtensionList> Iterator for ReceivedFrames<'_, R, E> {
    type Item = Result<Frame, ParseFailed>;
    fn next(&mut self) -> Option<Self::Item> {
        self.proto.next_frame().transpose()
    }
}

impl<R: Role, E: ExtensionList> fmt::Debug for FrameProtocol<R, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FrameProtocol<{}, ", R::NAME)?;
        crate::ext::write_names(self.extensions(), f)?;
        write!(f, ">")
    }
}
