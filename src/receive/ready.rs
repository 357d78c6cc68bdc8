//! The end of the pipeline: what it has finished and the application has not taken yet,
//! in stream order, each item shaped by the delivery policy that made it.

use crate::frame::Payload;
use crate::opcode::Opcode;

/// How received frames are handed out: the last stage of the pipeline, the only one that
/// differs between the three.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Frames as they are on the wire, piece by piece, with their own opcodes and raw
    /// payloads: Python wsproto's `FrameDecoder` ([`FrameDecoder`](crate::receive::FrameDecoder)).
    Frames,
    /// Messages piece by piece as they arrive, with the message's opcode and text decoded:
    /// Python wsproto's `FrameProtocol`, the default.
    Pieces,
    /// Each message whole, once its last byte has arrived
    /// ([`FrameProtocol::with_whole_messages`](crate::FrameProtocol::with_whole_messages)).
    Whole,
}

impl Delivery {
    /// Whether text messages are validated (RFC 6455 §8.1): the message layer's job, which
    /// frame-level delivery leaves to [`MessageDecoder`](crate::message::MessageDecoder).
    pub(crate) fn validates_text(self) -> bool {
        self != Delivery::Frames
    }
}

/// A frame, piece or message ready to be handed out.
#[derive(Debug)]
pub(crate) struct Ready {
    /// The opcode to report: the message's, a control frame's, or on frame-level delivery
    /// the frame's own (CONTINUATION after a frame's first piece).
    pub(crate) opcode: Opcode,
    pub(crate) payload: ReadyPayload,
    pub(crate) frame_finished: bool,
    pub(crate) message_finished: bool,
}

/// Where a ready payload is.
#[derive(Debug)]
pub(crate) enum ReadyPayload {
    /// The next `len` bytes of the payload buffer; `text` if they are validated text.
    Buffered { len: usize, text: bool },
    /// `len` bytes of the unparsed bytes after the `skip` bytes of a frame header, unmasked
    /// in place by the one-step path; `text` if they are validated text.
    Unparsed { skip: usize, len: usize, text: bool },
    /// Held apart: a control frame's payload, or what an extension made of a piece.
    Owned(Payload),
}

/// Most items waiting to be taken. Past it the pipeline stops and keeps the rest of the
/// read unparsed until the application takes them, so a read of countless tiny frames
/// costs a bounded queue rather than a record per frame.
pub(crate) const MAX_READY: usize = 32;
