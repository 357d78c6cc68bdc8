//! [`FrameDecoder`]: bytes in, frames out (RFC 6455 §5.2-§5.5), with Python wsproto's
//! `FrameDecoder` semantics: data frames are delivered piece by piece as bytes arrive,
//! control frames whole.

use std::fmt;
use std::marker::PhantomData;

use bytes::{Buf, BytesMut};

use crate::close_code::CloseReason;
use crate::error::ParseFailed;
use crate::ext::{ExtensionList, FrameContext};
use crate::frame::header::{HeaderPrefix, parse_header_prefix};
use crate::frame::mask::{apply_mask, move_masked};
use crate::frame::{Frame, Header, Payload};
use crate::limits::Limits;
use crate::message::decoder::message_opcode;
use crate::message::utf8::{incomplete_tail_len, invalid_utf8, truncated_utf8, whole_characters};
use crate::opcode::Opcode;
use crate::role::Role;
use crate::text::Utf8Bytes;

mod direct;
mod unfragmented;

/// A receive buffer whose capacity grew past this (for a large frame, or a large read) is
/// released once it has been emptied, so that an idle connection does not keep the memory
/// of its largest message. Below it, the buffer is kept and reused without allocating.
const KEEP_CAPACITY: usize = 64 * 1024;

/// Least room made in the receive buffer when it is full: 4 KiB, a typical read.
const MIN_RESERVE: usize = 4096;

/// Whole-message mode: the most room reserved for a frame's payload before it arrives.
const UPFRONT: u64 = 64 * 1024;

/// Whole-message mode: the gap of headers and control frames inside a message is closed
/// once it reaches this size (and outgrows the bytes after it).
const COMPACT_GAP: usize = 4096;

/// Parses frames from received bytes (RFC 6455 §5).
///
/// ```
/// use wsproto::{FrameDecoder, Opcode, Payload, Server};
/// let mut decoder = FrameDecoder::<Server>::new(());
/// // RFC 6455 §5.7: a masked "Hello" from a client.
/// decoder.receive_bytes(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f]);
/// let piece = decoder.process_buffer().unwrap().unwrap();
/// assert_eq!((piece.opcode, piece.payload.as_bytes(), piece.frame_finished), (Opcode::Text, &b"He"[..], false));
/// decoder.receive_bytes(&[0x4d, 0x51, 0x58]);
/// let rest = decoder.process_buffer().unwrap().unwrap();
/// assert_eq!((rest.opcode, rest.payload.as_bytes(), rest.frame_finished), (Opcode::Continuation, &b"llo"[..], true));
/// assert_eq!(decoder.process_buffer(), Ok(None));
/// ```
///
/// A partial text payload never ends inside a UTF-8 sequence that may still be completed:
/// those bytes wait in the buffer for the rest of the frame, so the text can be handed on
/// without copying. After an error every call returns the same error.
pub struct FrameDecoder<R: Role, E: ExtensionList = ()> {
    core: DecoderCore,
    extensions: E,
    role: PhantomData<R>,
}

/// The role- and extension-independent state, so the parsing code is compiled once.
struct DecoderCore {
    buf: BytesMut,
    /// Bytes at the buffer's front that a borrowed frame is reading: consumed, and dropped
    /// from the buffer by the next call (see [`FrameDecoder::lend_unfragmented`]).
    lent: usize,
    state: State,
    limits: Limits,
    is_client: bool,
    /// Whether the data message being received is text (decides the UTF-8 hold-back).
    text_message: bool,
    /// Opcode of the data message being received, for the extensions' context.
    message_opcode: Opcode,
    /// Wire payload bytes announced so far by the message's frames.
    message_announced: u64,
    /// Payload bytes delivered so far for the message, after extensions.
    message_delivered: u64,
    /// Data frames of the message so far, for `Limits::max_fragments_per_message`.
    message_fragments: u64,
    /// Whether the last data frame had FIN clear, so a CONTINUATION must come next.
    message_open: bool,
    /// Continuation bytes the text delivered so far owes its last character (0 when it
    /// ends on a character boundary), which the next frame's first bytes must supply.
    text_owed: u8,
    failed: Option<ParseFailed>,
    /// Whether the buffer's capacity passed [`KEEP_CAPACITY`] since it was last released.
    oversized: bool,
    /// Whole-message mode: see [`FrameProtocol::with_whole_messages`](crate::FrameProtocol::with_whole_messages).
    whole: bool,
    /// Whole-message mode: payload bytes of the unfinished message, unmasked, at the front
    /// of the buffer.
    assembled: usize,
    /// Whole-message mode: bytes after the assembled ones that are already consumed (headers
    /// of later fragments, control frames between them); unparsed bytes follow.
    gap: usize,
    /// Whole-message mode: how much of the assembled text is known to be whole characters.
    validated: usize,
    /// Whole-message mode: the opcode of the message being assembled.
    open: Option<Opcode>,
}

/// What the decoder produced: a frame or piece (the default), or a whole message.
pub(crate) enum Decoded {
    Piece(Frame),
    Message(Frame),
}

impl Decoded {
    fn into_frame(self) -> Frame {
        match self {
            Decoded::Piece(frame) | Decoded::Message(frame) => frame,
        }
    }
}

/// Progress of a frame assembled in whole-message mode.
enum Assembly {
    /// More bytes are needed.
    Wait,
    /// A fragment ended; the next frame may already be buffered.
    Fragment,
    /// The message is complete.
    Message(Frame),
}

#[derive(Clone, Copy)]
enum State {
    /// Waiting for a header.
    Header,
    /// Header checked; waiting for its masking key.
    MaskKey(HeaderPrefix),
    /// Delivering the payload.
    Payload(PayloadState),
}

#[derive(Clone, Copy)]
struct PayloadState {
    header: Header,
    /// Opcode of the next piece: the frame's own, then `Continuation`.
    opcode: Opcode,
    /// Payload bytes delivered.
    consumed: u64,
    /// Bytes at the buffer's front already unmasked but held back (an incomplete UTF-8
    /// sequence at the end of a partial text payload).
    held: usize,
    /// Whether extension hooks run on this frame.
    transform: bool,
    /// Whole-message mode: whether the frame's place in the message was checked.
    started: bool,
}

impl<R: Role, E: ExtensionList> FrameDecoder<R, E> {
    /// A decoder for frames sent to a `R` endpoint, with the default [`Limits`].
    pub fn new(extensions: E) -> Self {
        Self::with_limits(extensions, Limits::default())
    }

    /// A decoder with the given limits.
    pub fn with_limits(extensions: E, limits: Limits) -> Self {
        // Evaluating the constant is the compile-time RSV conflict check.
        let _claimed = E::RSV_MASK;
        FrameDecoder {
            core: DecoderCore {
                buf: BytesMut::new(),
                lent: 0,
                state: State::Header,
                limits,
                is_client: R::IS_CLIENT,
                text_message: false,
                message_opcode: Opcode::Binary,
                message_announced: 0,
                message_delivered: 0,
                message_fragments: 0,
                message_open: false,
                text_owed: 0,
                failed: None,
                oversized: false,
                whole: false,
                assembled: 0,
                gap: 0,
                validated: 0,
                open: None,
            },
            extensions,
            role: PhantomData,
        }
    }

    /// Appends received bytes to the buffer. Nothing is parsed until
    /// [`process_buffer`](FrameDecoder::process_buffer). After an error the bytes are
    /// dropped.
    pub fn receive_bytes(&mut self, data: &[u8]) {
        // After an error nothing more is parsed: keeping the bytes would let a peer that goes
        // on sending grow the buffer without end.
        if self.core.failed.is_some() {
            return;
        }
        self.core.settle();
        let mut data = data;
        loop {
            let direct = self.core.receive_payload_directly(data);
            // Both at most `data.len()`.
            data = &data[direct..];
            let header = self.header_directly(data);
            data = &data[header..];
            if data.is_empty() || self.core.failed.is_some() {
                return;
            }
            if direct == 0 && header == 0 {
                break;
            }
        }
        let spare = self.core.buf.capacity() - self.core.buf.len();
        if spare < data.len() {
            // Delivered pieces share the buffer they were cut from, so while an application
            // holds them a new one is allocated, as large as asked for: ask for room for many
            // small reads, or a peer sending one tiny frame per read costs a buffer (and its
            // shared header) per frame, six times what it sends.
            let room = data.len().max(MIN_RESERVE) + self.core.assembly_growth();
            self.core.buf.reserve(room);
        }
        self.core.buf.extend_from_slice(data);
        self.core.oversized |= self.core.buf.capacity() > KEEP_CAPACITY;
    }

    /// The next frame or piece of a data frame, `Ok(None)` if more bytes are needed.
    pub fn process_buffer(&mut self) -> Result<Option<Frame>, ParseFailed> {
        Ok(self.decode()?.map(Decoded::into_frame))
    }

    /// [`process_buffer`](Self::process_buffer), telling whole messages apart.
    pub(crate) fn decode(&mut self) -> Result<Option<Decoded>, ParseFailed> {
        self.core.settle();
        if let Some(error) = &self.core.failed {
            self.core.buf = BytesMut::new();
            return Err(error.clone());
        }
        let result = self.step();
        if let Err(error) = &result {
            self.core.failed = Some(error.clone());
            self.core.buf = BytesMut::new();
        }
        result
    }

    /// Switches whole-message assembly on or off; only between messages.
    pub(crate) fn set_whole(&mut self, on: bool) {
        debug_assert!(!self.assembling());
        self.core.whole = on;
    }

    /// Whether whole-message assembly is on.
    pub(crate) fn whole(&self) -> bool {
        self.core.whole
    }

    /// Whether a message is being assembled (whole-message mode).
    pub(crate) fn assembling(&self) -> bool {
        self.core.open.is_some()
    }

    /// The extensions.
    pub fn extensions(&self) -> &E {
        &self.extensions
    }

    /// The extensions, mutably.
    pub fn extensions_mut(&mut self) -> &mut E {
        &mut self.extensions
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.core.limits
    }

    /// Bytes received and not yet delivered.
    pub fn buffered_len(&self) -> usize {
        self.core.buf.len() - self.core.lent
    }

    fn step(&mut self) -> Result<Option<Decoded>, ParseFailed> {
        loop {
            if let State::Header = self.core.state {
                let raw = self.core.raw_start();
                let Some(prefix) = parse_header_prefix(&self.core.buf[raw..])? else {
                    return Ok(None);
                };
                self.check_header(&prefix.header, prefix.masked)?;
                self.core.state = State::MaskKey(prefix);
            }
            if let State::MaskKey(prefix) = self.core.state {
                let transform = E::LEN > 0 && self.extensions.any_enabled();
                if !self.core.start_payload(prefix, transform) {
                    return Ok(None);
                }
            }
            let State::Payload(piece) = self.core.state else {
                return Ok(None);
            };
            let control = piece.header.opcode.is_control();
            if self.core.whole && !piece.transform && !control {
                match self.core.assemble(piece)? {
                    Assembly::Wait => return Ok(None),
                    Assembly::Fragment => continue,
                    Assembly::Message(frame) => {
                        self.core.release_if_oversized();
                        return Ok(Some(Decoded::Message(frame)));
                    }
                }
            }
            if control && self.core.raw_start() > 0 {
                return Ok(self.core.control_inside_message(piece).map(Decoded::Piece));
            }
            let piece = self.core.next_piece(&mut self.extensions)?;
            if let State::Header = self.core.state {
                self.core.release_if_oversized();
            }
            return Ok(piece.map(Decoded::Piece));
        }
    }

    /// The checks that need the header but not its masking key, in Python wsproto's order:
    /// RSV bits against the extensions, then masking against the role; then our limits.
    fn check_header(&mut self, header: &Header, masked: bool) -> Result<(), ParseFailed> {
        let core = &mut self.core;
        if !header.opcode.is_control() {
            if E::LEN > 0 && self.extensions.any_enabled() {
                // Checked here, not only by the message decoder, so that no extension hook is
                // given a frame outside a message and a broken order gives 1002 before the
                // payload is transformed, whatever the chunking.
                check_fragment_order(core.message_open, header.opcode)?;
            }
            core.message_open = !header.fin;
            if header.opcode != Opcode::Continuation {
                core.message_opcode = header.opcode;
                core.text_message = header.opcode == Opcode::Text;
                core.text_owed = 0;
                core.message_announced = 0;
                core.message_delivered = 0;
                core.message_fragments = 0;
            }
            core.message_announced = core.message_announced.saturating_add(header.payload_len);
            core.message_fragments = core.message_fragments.saturating_add(1);
        }
        let ctx = core.context(header.opcode);
        let used = self
            .extensions
            .inbound_header(&ctx, header)
            .map_err(extension_failed)?;
        let unclaimed = header.rsv.to_byte() & !used;
        if unclaimed != 0 {
            return Err(ParseFailed::protocol(format!(
                "{} frame with RSV bits {unclaimed:#04x} set that no negotiated extension uses (RFC 6455 §5.2)",
                header.opcode
            )));
        }
        if masked && core.is_client {
            // "A client MUST close a connection if it detects a masked frame." (RFC 6455 §5.1)
            return Err(ParseFailed::protocol(
                "client received a masked frame (RFC 6455 §5.1)",
            ));
        }
        if !masked && !core.is_client {
            // "The server MUST close the connection upon receiving a frame that is not
            // masked." (RFC 6455 §5.1)
            return Err(ParseFailed::protocol(
                "server received an unmasked frame (RFC 6455 §5.1)",
            ));
        }
        core.check_limits(header)
    }
}

impl DecoderCore {
    fn context(&self, opcode: Opcode) -> FrameContext {
        FrameContext {
            is_client: self.is_client,
            message_opcode: if opcode.is_control() {
                opcode
            } else {
                self.message_opcode
            },
            max_message_size: self.limits.max_message_size,
            message_size: self.message_delivered,
        }
    }

    fn check_limits(&self, header: &Header) -> Result<(), ParseFailed> {
        if header.payload_len > self.limits.max_frame_size {
            return Err(ParseFailed::new(
                format!(
                    "frame of {} bytes exceeds the limit of {} bytes per frame (Limits::max_frame_size)",
                    header.payload_len, self.limits.max_frame_size
                ),
                CloseReason::MESSAGE_TOO_BIG,
            ));
        }
        if !header.opcode.is_control() && self.message_announced > self.limits.max_message_size {
            return Err(too_big_message(
                self.message_announced,
                self.limits.max_message_size,
            ));
        }
        // Counted on every continuation header, empty frames included: no byte limit sees a
        // message made of empty fragments (Node ws CVE-2026-48779 counted only non-empty ones).
        if header.opcode == Opcode::Continuation
            && self.message_fragments > self.limits.max_fragments_per_message
        {
            return Err(ParseFailed::new(
                format!(
                    "message of at least {} fragments exceeds the limit of {} fragments per message (Limits::max_fragments_per_message)",
                    self.message_fragments, self.limits.max_fragments_per_message
                ),
                CloseReason::MESSAGE_TOO_BIG,
            ));
        }
        Ok(())
    }

    /// Whole-message mode: how much room to add when a message being assembled outgrows
    /// the buffer, beyond the read at hand. In the last frame of a message the rest of the
    /// message is known: grow to four times what has arrived, capped at that rest, so a
    /// large unfragmented message takes three steps with an exact last one instead of
    /// doubling from a read's size (seven allocations and about one extra copy of the
    /// message for 1 MiB). Before the last frame nothing bounds the message but the limit:
    /// double, so the buffer never holds more than twice what the peer has sent. Neither
    /// commits what a peer only announced (RUSTSEC-2022-0035).
    fn assembly_growth(&self) -> usize {
        let State::Payload(piece) = self.state else {
            return 0;
        };
        if !self.whole || piece.transform || piece.header.opcode.is_control() {
            return 0;
        }
        self.message_growth(&piece.header, piece.consumed)
    }

    /// [`assembly_growth`](Self::assembly_growth) for a frame with `header` of which
    /// `consumed` payload bytes arrived.
    fn message_growth(&self, header: &Header, consumed: u64) -> usize {
        let (factor, rest) = if header.fin {
            (3, header.payload_len - consumed)
        } else {
            let rest = self
                .limits
                .max_message_size
                .saturating_sub(self.message_delivered);
            (1, rest)
        };
        // The cast only lowers a value that could not be allocated anyway.
        let rest = usize::try_from(rest).unwrap_or(usize::MAX);
        self.assembled.saturating_mul(factor).min(rest)
    }

    /// Where unparsed bytes start: after the assembled message and the consumed gap (both
    /// empty unless a message is being assembled).
    fn raw_start(&self) -> usize {
        self.assembled + self.gap
    }

    /// Consumes the header once its masking key has arrived; `false` if it has not.
    fn start_payload(&mut self, prefix: HeaderPrefix, transform: bool) -> bool {
        let raw = self.raw_start();
        let total = prefix.total_len();
        if self.buf.len() - raw < total {
            return false;
        }
        let mut header = prefix.header;
        if prefix.masked {
            let mut key = [0; 4];
            key.copy_from_slice(&self.buf[raw + prefix.len..raw + total]);
            header.masking_key = Some(key);
        }
        if raw == 0 {
            self.buf.advance(total);
        } else {
            self.gap += total;
            self.compact_gap();
        }
        if self.whole && !transform && !header.opcode.is_control() {
            // The frame's payload will be assembled in place: make room for it now rather
            // than regrow and copy as it arrives, but for at most `UPFRONT` bytes. What is
            // announced is not there yet: reserving all of it let a 14-byte header allocate
            // `max_frame_size` (16 MiB), or abort the process without limits (the
            // rust-websocket bug of RUSTSEC-2022-0035). A larger payload grows the buffer
            // as it arrives.
            let needed = self.raw_start() as u64 + header.payload_len;
            let missing = needed.saturating_sub(self.buf.len() as u64).min(UPFRONT);
            if missing > 0 && (self.buf.capacity() as u64) < needed {
                // At most `UPFRONT`, so the cast is lossless.
                let growth = self.message_growth(&header, 0);
                self.buf.reserve((missing as usize).max(growth));
                self.oversized |= self.buf.capacity() > KEEP_CAPACITY;
            }
        }
        self.state = State::Payload(PayloadState {
            header,
            opcode: header.opcode,
            consumed: 0,
            held: 0,
            transform,
            started: false,
        });
        true
    }

    /// Whole-message mode: moves what has arrived of a data frame's payload next to the
    /// message assembled so far, unmasking it and validating text on the way, so the
    /// message is handed out as one slice of the buffer (RFC 6455 §5.4, §5.6, §8.1).
    fn assemble(&mut self, mut piece: PayloadState) -> Result<Assembly, ParseFailed> {
        let header = piece.header;
        let remaining = header.payload_len - piece.consumed;
        let raw = self.raw_start();
        // At most `buf.len()`, so the cast back to usize is lossless.
        let available = remaining.min((self.buf.len() - raw) as u64) as usize;
        if remaining > 0 && available == 0 {
            // Bytes `receive_bytes` placed directly may still need validating.
            self.validate_assembled()?;
            return Ok(Assembly::Wait);
        }
        if !piece.started {
            self.start_assembling(&header)?;
            piece.started = true;
        }
        let start = self.assembled;
        let offset = (piece.consumed % 4) as usize;
        match (header.masking_key, self.gap > 0) {
            (Some(key), true) => move_masked(&mut self.buf, raw, start, available, key, offset),
            (Some(key), false) => apply_mask(&mut self.buf[start..start + available], key, offset),
            (None, true) => self.buf.copy_within(raw..raw + available, start),
            (None, false) => {}
        }
        self.assembled += available;
        piece.consumed += available as u64;
        self.message_delivered = self.message_delivered.saturating_add(available as u64);
        if self.message_delivered > self.limits.max_message_size {
            return Err(too_big_message(
                self.message_delivered,
                self.limits.max_message_size,
            ));
        }
        let text = self.open == Some(Opcode::Text);
        self.validate_assembled()?;
        if piece.consumed < header.payload_len {
            self.state = State::Payload(piece);
            return Ok(Assembly::Wait);
        }
        self.state = State::Header;
        if !header.fin {
            return Ok(Assembly::Fragment);
        }
        if text && self.validated != self.assembled {
            return Err(truncated_utf8(self.validated as u64));
        }
        let bytes = self.buf.split_to(self.assembled).freeze();
        self.buf.advance(self.gap);
        self.assembled = 0;
        self.gap = 0;
        self.validated = 0;
        let opcode = self.open.take().unwrap_or(Opcode::Binary);
        let payload = if text {
            Payload::Text(Utf8Bytes::from_validated(bytes))
        } else {
            Payload::Bytes(bytes)
        };
        Ok(Assembly::Message(Frame {
            opcode,
            payload,
            frame_finished: true,
            message_finished: true,
        }))
    }

    /// Whole-message mode: checks a data frame's place in the message once its first
    /// payload byte is there (RFC 6455 §5.4): when the piecewise path would deliver its
    /// first piece, so that both modes fail on the same streams.
    fn start_assembling(&mut self, header: &Header) -> Result<(), ParseFailed> {
        let opcode = message_opcode(self.open, header.opcode)?;
        if header.opcode != Opcode::Continuation {
            self.validated = 0;
        }
        self.open = Some(opcode);
        Ok(())
    }

    /// Whole-message mode: validates the assembled text not validated yet, while the bytes
    /// are in cache; an unfinished character waits for the rest, an impossible byte fails
    /// now (RFC 6455 §8.1). Nothing to do for a binary message.
    fn validate_assembled(&mut self) -> Result<(), ParseFailed> {
        if self.open == Some(Opcode::Text) {
            match whole_characters(&self.buf[self.validated..self.assembled]) {
                Ok(valid) => self.validated += valid,
                Err(offset) => return Err(invalid_utf8((self.validated + offset) as u64)),
            }
        }
        Ok(())
    }

    /// Whole-message mode: a control frame between two fragments of the message being
    /// assembled (RFC 6455 §5.4: "Control frames MAY be injected in the middle of a
    /// fragmented message"). Its payload, at most 125 bytes, is copied out, so that the
    /// message stays contiguous.
    fn control_inside_message(&mut self, piece: PayloadState) -> Option<Frame> {
        let header = piece.header;
        let start = self.raw_start();
        // Control payloads are at most 125 bytes (checked with the header).
        let len = header.payload_len as usize;
        if self.buf.len() - start < len {
            return None;
        }
        let payload = &mut self.buf[start..start + len];
        if let Some(key) = header.masking_key {
            apply_mask(payload, key, 0);
        }
        let payload = bytes::Bytes::copy_from_slice(payload);
        self.gap += len;
        self.compact_gap();
        self.state = State::Header;
        Some(Frame {
            opcode: header.opcode,
            payload: Payload::Bytes(payload),
            frame_finished: true,
            message_finished: true,
        })
    }

    /// Whole-message mode: closes the gap the message's headers and control frames leave
    /// between the assembled payload and the unparsed bytes once it is large and outgrows
    /// them, so that a message that never ends (pings between its fragments, or empty
    /// fragments) cannot grow the buffer without bound. Moves at most as many bytes as the
    /// gap held, so the copy is paid for by the frames that made the gap.
    fn compact_gap(&mut self) {
        let raw = self.raw_start();
        let unparsed = self.buf.len() - raw;
        if self.gap >= COMPACT_GAP && self.gap >= unparsed {
            self.buf.copy_within(raw.., self.assembled);
            self.buf.truncate(self.assembled + unparsed);
            self.gap = 0;
        }
    }

    /// Lets go of a buffer that grew past [`KEEP_CAPACITY`] once little or nothing is left
    /// in it; what is left is copied into a buffer of its own size.
    fn release_if_oversized(&mut self) {
        if self.oversized && self.raw_start() == 0 && self.buf.len() <= KEEP_CAPACITY / 4 {
            self.buf = if self.buf.is_empty() {
                BytesMut::new()
            } else {
                BytesMut::from(&self.buf[..])
            };
            self.oversized = false;
        }
    }

    /// Delivers what has arrived of the current frame's payload.
    fn next_piece<E: ExtensionList>(
        &mut self,
        extensions: &mut E,
    ) -> Result<Option<Frame>, ParseFailed> {
        let State::Payload(mut piece) = self.state else {
            return Ok(None);
        };
        let header = piece.header;
        // No arithmetic or slice below can fail, whatever the peer sends: `consumed` only
        // grows by pieces of at most `remaining`, so `consumed <= payload_len`; the `held`
        // bytes (at most 3) are unconsumed payload at the buffer's front, so
        // `held <= available`, and `held < available` past the early return when the frame
        // has bytes left; `incomplete_tail_len(s) <= s.len()`, so `hold <= available`.
        let remaining = header.payload_len - piece.consumed;
        if header.opcode.is_control() && (self.buf.len() as u64) < remaining {
            return Ok(None);
        }
        // At most `buf.len()`, so the cast back to usize is lossless.
        let available = remaining.min(self.buf.len() as u64) as usize;
        if remaining > 0 && available == piece.held {
            return Ok(None);
        }
        if let Some(key) = header.masking_key {
            let offset = (piece.consumed % 4) as usize + piece.held;
            apply_mask(&mut self.buf[piece.held..available], key, offset);
        }
        let finished = available as u64 == remaining;
        let hold = if finished || piece.transform || !self.text_message {
            0
        } else {
            let data = &self.buf[..available];
            let tail = incomplete_tail_len(data);
            // Only a tail after the bytes owed to a character the last frame left unfinished,
            // and only if those continue it: else the validator must see them now, to fail
            // at the first impossible byte (RFC 6455 §8.1) as whole-message delivery does.
            let owed = usize::from(self.text_owed);
            if available - tail >= owed && data[..owed].iter().all(|&b| b & 0xC0 == 0x80) {
                tail
            } else {
                0
            }
        };
        let mut payload = self.buf.split_to(available - hold);
        if self.text_message && !piece.transform && !header.opcode.is_control() {
            self.text_owed = owed_after(self.text_owed, &payload);
        }
        piece.consumed += payload.len() as u64;
        piece.held = hold;
        if piece.transform {
            let ctx = self.context(header.opcode);
            let end = finished.then_some(header.fin);
            extensions
                .inbound_piece(&ctx, &mut payload, end)
                .map_err(extension_failed)?;
        }
        if !header.opcode.is_control() {
            self.message_delivered = self.message_delivered.saturating_add(payload.len() as u64);
            if self.message_delivered > self.limits.max_message_size {
                // Only an extension's output gets here: wire bytes were checked at the header.
                // Hand out the part that fits and fail on the next call, so that an earlier
                // fault in the message (invalid UTF-8, say) is reported first, whatever the
                // chunking. `over <= payload.len()`: the message was within the limit before.
                let over = self.message_delivered - self.limits.max_message_size;
                let keep = payload
                    .len()
                    .saturating_sub(usize::try_from(over).unwrap_or(usize::MAX));
                payload.truncate(keep);
                self.failed = Some(too_big_message(
                    self.message_delivered,
                    self.limits.max_message_size,
                ));
                return Ok(Some(Frame {
                    opcode: piece.opcode,
                    payload: Payload::Bytes(payload.freeze()),
                    frame_finished: false,
                    message_finished: false,
                }));
            }
        }
        let frame = Frame {
            opcode: piece.opcode,
            payload: Payload::Bytes(payload.freeze()),
            frame_finished: finished,
            message_finished: header.fin,
        };
        piece.opcode = Opcode::Continuation;
        self.state = if finished {
            State::Header
        } else {
            State::Payload(piece)
        };
        Ok(Some(frame))
    }
}

fn too_big_message(size: u64, limit: u64) -> ParseFailed {
    ParseFailed::new(
        format!(
            "message of at least {size} bytes exceeds the limit of {limit} bytes per message (Limits::max_message_size)"
        ),
        CloseReason::MESSAGE_TOO_BIG,
    )
}

/// The continuation bytes still owed after delivering `piece` on top of `owed`. Bytes that
/// cannot continue or start a character are the validator's to reject, so this looks only
/// at the last character begun.
fn owed_after(owed: u8, piece: &[u8]) -> u8 {
    let owed = usize::from(owed);
    let Some(rest) = piece.get(owed..).filter(|rest| !rest.is_empty()) else {
        // At most 3, so the cast is lossless.
        return (owed - piece.len().min(owed)) as u8;
    };
    let start = rest.len().saturating_sub(4);
    let Some(lead) = (start..rest.len()).rev().find(|&i| rest[i] & 0xC0 != 0x80) else {
        return 0;
    };
    let width: usize = match rest[lead] {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    };
    // `lead < rest.len()` and `width <= 4`, so this is at most 3.
    width.saturating_sub(rest.len() - lead) as u8
}

/// RFC 6455 §5.4: a CONTINUATION continues an open message, and no new one starts inside it.
fn check_fragment_order(message_open: bool, opcode: Opcode) -> Result<(), ParseFailed> {
    match (message_open, opcode) {
        (false, Opcode::Continuation) => Err(ParseFailed::protocol(
            "CONTINUATION frame without a message to continue (RFC 6455 §5.4)",
        )),
        (true, Opcode::Text | Opcode::Binary) => Err(ParseFailed::protocol(format!(
            "{opcode} frame inside an unfinished message: expected CONTINUATION (RFC 6455 §5.4)"
        ))),
        _ => Ok(()),
    }
}

/// An extension's refusal, in words: extensions report only a close code, so say what that
/// code means for a frame (with permessage-deflate's cases, the common ones, as examples).
fn extension_failed((name, code): (&'static str, CloseReason)) -> ParseFailed {
    let why = match code {
        CloseReason::PROTOCOL_ERROR => {
            "the frame breaks its framing rules (e.g. RSV1 on a control or continuation frame, RFC 7692 §6.1)"
        }
        CloseReason::INVALID_FRAME_PAYLOAD_DATA => {
            "the payload is not valid data for it (e.g. not a DEFLATE stream, RFC 7692 §7.2.2)"
        }
        CloseReason::MESSAGE_TOO_BIG => {
            "the message is too big once transformed (Limits::max_message_size)"
        }
        _ => "it could not process the frame",
    };
    ParseFailed::new(format!("extension {name} rejected the frame: {why}"), code)
}

impl<R: Role, E: ExtensionList> fmt::Debug for FrameDecoder<R, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FrameDecoder<{}, ", R::NAME)?;
        crate::ext::write_names(&self.extensions, f)?;
        write!(f, "> {{ buffered: {} }}", self.buffered_len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encoder::encode_frame;
    use crate::role::MaskingKey;
    use crate::role::{Client, Server};
    use crate::rsv::RsvBits;

    fn client_frame(fin: bool, opcode: Opcode, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_frame::<Client>(
            fin,
            RsvBits::NONE,
            opcode,
            MaskingKey([1, 2, 3, 4]),
            payload,
            &mut out,
        );
        out
    }

    fn drain(decoder: &mut FrameDecoder<Server>) -> usize {
        let mut delivered = 0;
        while let Some(frame) = decoder.process_buffer().unwrap() {
            delivered += frame.payload.len();
        }
        delivered
    }

    #[test]
    fn a_large_message_does_not_keep_its_buffer() {
        let big = client_frame(true, Opcode::Binary, &vec![7; 1 << 20]);
        let small = client_frame(true, Opcode::Binary, &[1; 100]);
        for whole in [false, true] {
            let mut decoder = FrameDecoder::<Server>::new(());
            decoder.set_whole(whole);
            // Read by read, as a socket delivers it: the whole-message mode reserves the
            // frame; then all at once, which grows the buffer in either mode.
            for chunk in big.chunks(16 << 10) {
                decoder.receive_bytes(chunk);
                drain(&mut decoder);
            }
            assert!(!decoder.core.oversized, "whole {whole}: buffer released");
            decoder.receive_bytes(&big);
            assert!(decoder.core.oversized);
            decoder.receive_bytes(&small[..50]);
            assert_eq!(
                drain(&mut decoder),
                if whole { 1 << 20 } else { (1 << 20) + 44 }
            );
            assert!(!decoder.core.oversized, "whole {whole}: buffer released");
            assert!(decoder.core.buf.capacity() <= KEEP_CAPACITY);
            // The rest of the next frame was kept.
            decoder.receive_bytes(&small[50..]);
            assert_eq!(drain(&mut decoder), if whole { 100 } else { 56 });
            // Small traffic keeps its buffer: no allocation per read.
            decoder.receive_bytes(&small);
            drain(&mut decoder);
            assert!(!decoder.core.oversized);
        }
    }

    #[test]
    fn whole_mode_grows_a_large_message_in_few_steps_within_bounds() {
        // (fragments, most growth steps, most capacity per byte received)
        for (fragments, steps, factor) in [(1, 4, 4), (64, 8, 2)] {
            let message = vec![5u8; 1 << 20];
            let mut wire = Vec::new();
            let step = message.len() / fragments;
            for i in 0..fragments {
                let opcode = if i == 0 {
                    Opcode::Binary
                } else {
                    Opcode::Continuation
                };
                let fin = i + 1 == fragments;
                let piece = &message[i * step..(i + 1) * step];
                wire.extend(client_frame(fin, opcode, piece));
            }
            let mut decoder = FrameDecoder::<Server>::new(());
            decoder.set_whole(true);
            let (mut capacity, mut growths, mut received) = (0, 0, 0);
            for read in wire.chunks(16 << 10) {
                decoder.receive_bytes(read);
                received += read.len();
                let now = decoder.core.buf.capacity();
                if now > capacity {
                    growths += 1;
                    capacity = now;
                }
                assert!(
                    now <= (factor * received).max(UPFRONT as usize) + 2 * read.len(),
                    "{fragments} fragments: capacity {now} after {received} bytes"
                );
                if let Some(frame) = decoder.decode().unwrap() {
                    assert_eq!(frame.into_frame().payload.len(), 1 << 20);
                }
            }
            // Doubling from 16 KiB takes 7 steps to 1 MiB, and an 8th when the next
            // message's first bytes share the last read.
            assert!(growths <= steps, "{fragments} fragments: {growths} growths");
        }
    }

    #[test]
    fn payloads_taken_straight_from_reads_equal_the_general_path() {
        // Fed in small reads, whole-message mode takes fragment headers and payloads
        // straight from the reads (`receive_bytes`, `direct.rs`, with its `set_len`); all
        // at once, the general path assembles them. Small, so that Miri runs it.
        let mut wire = client_frame(false, Opcode::Text, "héllo wörld, ".repeat(3).as_bytes());
        wire.extend(client_frame(true, Opcode::Ping, b"p"));
        let middle = "€uro 𝄞 ".repeat(4);
        wire.extend(client_frame(false, Opcode::Continuation, middle.as_bytes()));
        wire.extend(client_frame(true, Opcode::Continuation, b"end"));
        let frames = |read: usize| {
            let mut decoder = FrameDecoder::<Server>::new(());
            decoder.set_whole(true);
            let mut frames = Vec::new();
            for chunk in wire.chunks(read) {
                decoder.receive_bytes(chunk);
                while let Some(frame) = decoder.decode().unwrap() {
                    frames.push(frame.into_frame());
                }
            }
            frames
        };
        let expected = frames(wire.len());
        let text = format!("{}{middle}end", "héllo wörld, ".repeat(3));
        assert_eq!(expected.len(), 2);
        assert_eq!(expected[1].payload.as_text(), Some(text.as_str()));
        for read in [1, 2, 3, 5, 7, 16, 40] {
            assert_eq!(frames(read), expected, "reads of {read}");
        }
    }

    #[test]
    fn whole_mode_reserves_a_frame_once_and_moves_fragments_together() {
        let mut decoder = FrameDecoder::<Server>::new(());
        decoder.set_whole(true);
        let mut wire = client_frame(false, Opcode::Text, "héllo ".as_bytes());
        wire.extend(client_frame(true, Opcode::Ping, b"ping"));
        wire.extend(client_frame(true, Opcode::Continuation, "wörld".as_bytes()));
        decoder.receive_bytes(&wire);
        let ping = decoder.process_buffer().unwrap().unwrap();
        assert_eq!(
            (ping.opcode, ping.payload.as_bytes()),
            (Opcode::Ping, &b"ping"[..])
        );
        let message = decoder.process_buffer().unwrap().unwrap();
        assert_eq!(message.payload.as_text(), Some("héllo wörld"));
        assert_eq!(decoder.process_buffer(), Ok(None));
        assert_eq!(decoder.buffered_len(), 0);
    }
}
