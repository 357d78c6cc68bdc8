//! [`FrameProtocol`]: the frame layer of a WebSocket endpoint, Python wsproto's
//! `FrameProtocol` with the role and the extension list as type parameters.

use std::fmt;
use std::marker::PhantomData;

use bytes::BytesMut;

use crate::close_code::CloseReason;
use crate::constants::MAX_PAYLOAD_NORMAL;
use crate::error::{ParseFailed, SendError};
use crate::ext::{ExtensionList, FrameContext, OutboundFrame};
use crate::frame::close_payload::{close_payload, parse_close_payload};
use crate::frame::decoder::{Decoded, FrameDecoder};
use crate::frame::encoder::{encode_raw, first_byte};
use crate::frame::{Frame, FrameRef, Payload};
use crate::limits::Limits;
use crate::mask_key::{MaskKeySource, MaskKeys};
use crate::message::MessageDecoder;
use crate::opcode::Opcode;
use crate::role::{Client, Role};
use crate::rsv::RsvBits;

pub(crate) mod builder;

use crate::text::Utf8Bytes;
use builder::{BinaryMessageBuilder, MessageBuilder, TextMessageBuilder};

/// Data to send: text (`&str`, a TEXT message) or bytes (`&[u8]`, a BINARY message), like
/// the seed's `str | bytes` argument of `send_data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Data<'a> {
    /// Text (RFC 6455 §5.6).
    Text(&'a str),
    /// Bytes (RFC 6455 §5.6).
    Binary(&'a [u8]),
}

impl Data<'_> {
    fn opcode(self) -> Opcode {
        match self {
            Data::Text(_) => Opcode::Text,
            Data::Binary(_) => Opcode::Binary,
        }
    }

    fn bytes(&self) -> &[u8] {
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
pub struct FrameProtocol<R: Role, E: ExtensionList = ()> {
    decoder: FrameDecoder<R, E>,
    messages: MessageDecoder,
    keys: R::Keys,
    /// Opcode of the message being sent, until its last fragment.
    outgoing: Option<Opcode>,
    /// Reused payload buffer for extensions' outbound hook.
    scratch: Vec<u8>,
    /// A close frame or an error ended the input: nothing more is delivered.
    done: bool,
    /// Whole-message delivery asked for; takes effect between messages.
    whole: bool,
    /// Whole-message mode with a payload-transforming extension: the pieces of the message
    /// received so far, joined.
    joined: BytesMut,
    /// The frame [`next_frame_ref`](Self::next_frame_ref) lends when it is not in the
    /// receive buffer, until the next call.
    held: Option<Frame>,
    role: PhantomData<R>,
}

/// The frame layer of a client endpoint.
pub type ClientProtocol<E = ()> = FrameProtocol<Client, E>;
/// The frame layer of a server endpoint.
pub type ServerProtocol<E = ()> = FrameProtocol<crate::Server, E>;

impl<R: Role, E: ExtensionList> FrameProtocol<R, E> {
    /// A protocol with the given (already negotiated) extensions and default [`Limits`].
    pub fn new(extensions: E) -> Self {
        Self::with_limits(extensions, Limits::default())
    }

    /// A protocol with the given limits.
    pub fn with_limits(extensions: E, limits: Limits) -> Self {
        FrameProtocol {
            decoder: FrameDecoder::with_limits(extensions, limits),
            messages: MessageDecoder::new(),
            keys: R::Keys::default(),
            outgoing: None,
            scratch: Vec::new(),
            done: false,
            whole: false,
            joined: BytesMut::new(),
            held: None,
            role: PhantomData,
        }
    }

    /// Delivers every data message whole, as one frame, instead of piece by piece: the
    /// opt-in for applications that handle messages, not streams (RFC 6455 §5.4 lets
    /// frames of one message arrive in any number of fragments and reads).
    ///
    /// Each message comes out once its last byte has arrived, as a single [`Frame`] with
    /// the message's opcode, `frame_finished` and `message_finished` set, its payload one
    /// [`Bytes`](bytes::Bytes) (binary) or [`Utf8Bytes`] (text) without copying: each
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
    /// it), so an announced length costs nothing until it is sent. A receive buffer that
    /// grew past 64 KiB is released once the message that needed it is handed out.
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
        self.whole = on;
        self.apply_delivery_mode();
    }

    /// Whether whole-message delivery was asked for.
    pub fn whole_messages(&self) -> bool {
        self.whole
    }

    /// Applies the requested delivery mode if no message is half received.
    fn apply_delivery_mode(&mut self) {
        if self.decoder.whole() != self.whole
            && !self.decoder.assembling()
            && self.messages.message_in_progress().is_none()
            && self.joined.is_empty()
        {
            self.decoder.set_whole(self.whole);
        }
    }

    /// Feeds received bytes. After a close frame or an error they are dropped: nothing more
    /// is delivered, and a peer that goes on sending cannot grow the buffer.
    pub fn receive_bytes(&mut self, data: &[u8]) {
        if !self.done {
            self.decoder.receive_bytes(data);
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
        if self.decoder.whole() == self.whole
            && let Some(result) = self.decoder.take_unfragmented()
        {
            self.done = result.is_err();
            return result.map(Some);
        }
        let result = self.decode_next();
        match &result {
            Err(_) => self.done = true,
            Ok(Some(frame)) if frame.opcode == Opcode::Close => self.done = true,
            _ => {}
        }
        result
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
        self.held = None;
        if !self.done
            && self.decoder.whole() == self.whole
            && let Some(claim) = self.decoder.lend_unfragmented()
        {
            let frame = self.decoder.lent_frame(claim);
            self.done = frame.is_err();
            return frame.map(Some);
        }
        self.held = self.next_frame()?;
        Ok(self.held.as_ref().map(Frame::as_ref))
    }

    fn decode_next(&mut self) -> Result<Option<Frame>, ParseFailed> {
        loop {
            if self.decoder.whole() != self.whole {
                self.apply_delivery_mode();
            }
            let frame = match self.decoder.decode()? {
                None => return Ok(None),
                // Order and UTF-8 were checked while it was assembled.
                Some(Decoded::Message(message)) => return Ok(Some(message)),
                Some(Decoded::Piece(frame)) => frame,
            };
            let frame = match (frame.opcode, frame.payload) {
                (Opcode::Close, Payload::Bytes(data)) => {
                    let (code, reason) = parse_close_payload(data)?;
                    return Ok(Some(Frame {
                        payload: Payload::Close(code, reason),
                        ..frame
                    }));
                }
                (Opcode::Ping | Opcode::Pong, payload) => {
                    return Ok(Some(Frame { payload, ..frame }));
                }
                (_, payload) => self.messages.process_frame(Frame { payload, ..frame })?,
            };
            if !self.decoder.whole() {
                return Ok(Some(frame));
            }
            if let Some(message) = self.join(frame) {
                return Ok(Some(message));
            }
        }
    }

    /// Whole-message mode with a transforming extension: joins a message's pieces, and
    /// returns the message with its last piece. A message of one piece is not copied.
    fn join(&mut self, piece: Frame) -> Option<Frame> {
        if piece.message_finished && self.joined.is_empty() {
            return Some(piece);
        }
        self.joined.extend_from_slice(piece.payload.as_bytes());
        if !piece.message_finished {
            return None;
        }
        let bytes = self.joined.split().freeze();
        let payload = match piece.payload {
            // Each piece ends on a character boundary, so their concatenation is valid.
            Payload::Text(_) => Payload::Text(Utf8Bytes::from_validated(bytes)),
            _ => Payload::Bytes(bytes),
        };
        Some(Frame {
            payload,
            frame_finished: true,
            ..piece
        })
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

    #[inline]
    pub(crate) fn send_data_frame(
        &mut self,
        kind: Opcode,
        payload: &[u8],
        fin: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), SendError> {
        let opcode = match self.outgoing {
            None => kind,
            Some(open) if open == kind => Opcode::Continuation,
            Some(open) => return Err(SendError::DataTypeMismatch { open, got: kind }),
        };
        self.send_frame(opcode, payload, fin, out)?;
        self.outgoing = if fin { None } else { Some(kind) };
        Ok(())
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
        let payload = close_payload(code, reason)?;
        self.send_control(Opcode::Close, &payload, out)
    }

    /// Starts a fragmented text message; fails if a message is unfinished.
    pub fn text_message(&mut self) -> Result<TextMessageBuilder<'_, R, E>, SendError> {
        MessageBuilder::start(self)
    }

    /// Starts a fragmented binary message; fails if a message is unfinished.
    pub fn binary_message(&mut self) -> Result<BinaryMessageBuilder<'_, R, E>, SendError> {
        MessageBuilder::start(self)
    }

    /// The type of the message being sent, if one is unfinished.
    pub fn outgoing_message(&self) -> Option<Opcode> {
        self.outgoing
    }

    /// The extensions.
    pub fn extensions(&self) -> &E {
        self.decoder.extensions()
    }

    /// The extensions, mutably.
    pub fn extensions_mut(&mut self) -> &mut E {
        self.decoder.extensions_mut()
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.decoder.limits()
    }

    fn send_control(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), SendError> {
        if payload.len() as u64 > MAX_PAYLOAD_NORMAL {
            return Err(SendError::ControlPayloadTooLong {
                opcode,
                len: payload.len(),
            });
        }
        self.send_frame(opcode, payload, true, out)
    }

    /// Runs the extensions' outbound hooks (if any is enabled) and encodes the frame.
    #[inline]
    fn send_frame(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        fin: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), SendError> {
        let key = R::next_key(&mut self.keys)?;
        if E::LEN == 0 || !self.extensions().any_enabled() {
            encode_raw(first_byte(fin, RsvBits::NONE, opcode), key, payload, out);
            return Ok(());
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        scratch.extend_from_slice(payload);
        let mut frame = OutboundFrame {
            opcode,
            rsv: RsvBits::NONE,
            fin,
            payload: scratch,
        };
        let ctx = FrameContext {
            is_client: R::IS_CLIENT,
            message_opcode: if opcode == Opcode::Continuation {
                self.outgoing.unwrap_or(opcode)
            } else {
                opcode
            },
            max_message_size: self.limits().max_message_size,
            message_size: 0,
        };
        let result = self
            .decoder
            .extensions_mut()
            .outbound(&ctx, &mut frame)
            .map_err(|(name, code)| SendError::Extension { name, code })
            .and_then(|()| check_outbound(&frame, E::RSV_MASK));
        if result.is_ok() {
            encode_raw(
                first_byte(fin, frame.rsv, frame.opcode),
                key,
                &frame.payload,
                out,
            );
        }
        self.scratch = frame.payload;
        result
    }
}

/// An extension may set only the RSV bits its list claims, and must not grow a control
/// frame past 125 bytes (RFC 6455 §5.2, §5.5).
fn check_outbound(frame: &OutboundFrame, claimed: u8) -> Result<(), SendError> {
    let unclaimed = frame.rsv.to_byte() & !claimed;
    if unclaimed != 0 {
        return Err(SendError::UnclaimedRsvBits { bits: unclaimed });
    }
    if frame.opcode.is_control() && frame.payload.len() as u64 > MAX_PAYLOAD_NORMAL {
        return Err(SendError::ControlPayloadTooLong {
            opcode: frame.opcode,
            len: frame.payload.len(),
        });
    }
    Ok(())
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
