//! The extensions' stage of the pipeline (RFC 6455 §9): when an extension that may transform
//! payloads is enabled, each piece of a frame's payload is unmasked apart from the payload
//! buffer and handed through the extensions' inbound hooks, whose output (permessage-deflate
//! inflates it) goes on to the message rules as pieces of its own.

use bytes::{Bytes, BytesMut};

use crate::close_code::CloseReason;
use crate::error::{FrameRefused, ParseFailed};
use crate::ext::{FrameContext, InboundHooks};
use crate::frame::Payload;
use crate::frame::mask::extend_unmasked;
use crate::message::utf8::Utf8Stream;
use crate::receive::buffer::IDLE_CAPACITY;
use crate::text::Utf8Bytes;

/// Pieces on their way through the extensions, and what the message rules keep of them.
#[derive(Debug, Default)]
pub(crate) struct Transform {
    /// Where a piece is unmasked before the hooks see it.
    scratch: BytesMut,
    /// The text of the message, validated across pieces: an extension's pieces are
    /// separate buffers, so a character split between two is carried over (at most 3 bytes).
    text: Utf8Stream,
    /// Whole-message delivery: the message's pieces so far.
    joined: Joined,
}

impl Transform {
    /// The next piece of a frame's payload, unmasked (RFC 6455 §5.3) as seen from payload
    /// octet `offset`; `read_left` bytes of the read are left, the piece's included. Room
    /// is made for all of them at once, so that a read of many compressed messages costs
    /// one allocation, whose pieces are then split off one by one.
    pub(crate) fn unmasked_piece(
        &mut self,
        chunk: &[u8],
        key: Option<[u8; 4]>,
        offset: u64,
        read_left: usize,
    ) -> BytesMut {
        if self.scratch.capacity() - self.scratch.len() < chunk.len() {
            self.scratch.reserve(read_left.max(IDLE_CAPACITY));
        }
        match key {
            Some(key) => extend_unmasked(&mut self.scratch, chunk, key, offset),
            None => self.scratch.extend_from_slice(chunk),
        }
        self.scratch.split()
    }

    /// A new message begins.
    pub(crate) fn start_message(&mut self) {
        self.text = Utf8Stream::default();
    }

    /// Validates the next piece of a text message (RFC 6455 §8.1); `last` if it ends it.
    pub(crate) fn validate(&mut self, piece: Bytes, last: bool) -> Result<Utf8Bytes, ParseFailed> {
        self.text.feed(piece, last)
    }

    /// Whole-message delivery: keeps a piece of the message.
    pub(crate) fn join(&mut self, piece: Payload) {
        self.joined.push(piece);
    }

    /// Whole-message delivery: the message, once its last piece was joined.
    pub(crate) fn joined(&mut self, text: bool) -> Payload {
        self.joined.take(text)
    }

    /// Lets go of buffers kept from earlier pieces once nothing is in them.
    pub(crate) fn release_if_idle(&mut self) {
        if self.scratch.is_empty() && self.scratch.capacity() > IDLE_CAPACITY {
            self.scratch = BytesMut::new();
        }
    }

    /// Forgets the message in progress (a rule was broken).
    pub(crate) fn abandon(&mut self) {
        self.joined = Joined::default();
        self.text = Utf8Stream::default();
    }
}

/// Passes a piece through the enabled extensions in list order (each runs
/// `inbound_payload`, then `inbound_complete` if the piece ends the frame: `end` holds the
/// frame's FIN bit).
pub(crate) fn run_hooks(
    hooks: &mut dyn InboundHooks,
    ctx: &FrameContext,
    piece: &mut BytesMut,
    end: Option<bool>,
) -> Result<(), ParseFailed> {
    hooks
        .inbound_piece(ctx, piece, end)
        .map_err(extension_failed)
}

/// An extension's refusal, in words: its own if it gave any, otherwise what its close code
/// means for a frame (with permessage-deflate's cases, the common ones, as examples).
pub(crate) fn extension_failed((name, refused): (&'static str, FrameRefused)) -> ParseFailed {
    let code = refused.code();
    if let Some(reason) = refused.reason() {
        return ParseFailed::new(
            format!("extension {name} rejected the frame: {reason}"),
            code,
        );
    }
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

/// A message's transformed pieces, joined: a message of one piece (most messages) is
/// handed on as it is, without a copy.
#[derive(Debug, Default)]
struct Joined {
    first: Option<Payload>,
    rest: BytesMut,
}

impl Joined {
    fn push(&mut self, piece: Payload) {
        if self.first.is_none() && self.rest.is_empty() {
            self.first = Some(piece);
            return;
        }
        if let Some(first) = self.first.take() {
            self.rest.extend_from_slice(first.as_bytes());
        }
        self.rest.extend_from_slice(piece.as_bytes());
    }

    fn take(&mut self, text: bool) -> Payload {
        if let Some(first) = self.first.take() {
            return first;
        }
        let bytes = std::mem::take(&mut self.rest).freeze();
        if text {
            // Each piece was validated and ends on a character boundary (the validator
            // carries a split character over), so their concatenation is valid.
            Payload::Text(Utf8Bytes::from_validated(bytes))
        } else {
            Payload::Bytes(bytes)
        }
    }
}
