//! [`Sender`]: the sending half of an endpoint, compiled once for every role and extension
//! list. It keeps the rules a sender must follow (one message at a time, RFC 6455 §5.4;
//! control frames of at most 125 bytes, §5.5; only negotiated RSV bits, §5.2), runs the
//! extensions' outbound hook, and encodes: into the caller's buffer, or as a header plus a
//! payload slice for a vectored write.

use crate::constants::MAX_PAYLOAD_NORMAL;
use crate::error::SendError;
use crate::ext::{FrameContext, OutboundFrame, OutboundHooks};
use crate::frame::encoder::{VectoredFrame, encode_raw, first_byte};
use crate::frame::mask::{apply_mask, extend_masked};
use crate::opcode::Opcode;
use crate::rsv::RsvBits;

/// A payload buffer that grew past this (for a large message sent by a client or through
/// an extension) is let go rather than kept for the next frame.
const KEEP_CAPACITY: usize = 64 * 1024;

/// What the sending half knows.
#[derive(Debug)]
pub(crate) struct Sender {
    is_client: bool,
    /// The RSV bits the extension list claims (first-header-byte position).
    claimed: u8,
    max_message_size: u64,
    /// Opcode of the message being sent, until its last fragment.
    outgoing: Option<Opcode>,
    /// The message in `outgoing` lost its builder before its last fragment: the next data
    /// frame is preceded by an empty final fragment that ends it (RFC 6455 §5.4).
    abandoned: bool,
    /// A close frame was sent: nothing may follow it (RFC 6455 §5.5.1).
    closed: bool,
    /// For a vectored frame: the frame that ends an abandoned message, written before it.
    ending: Vec<u8>,
    /// The payload as the extensions rewrote it, or masked for a vectored write; reused.
    scratch: Vec<u8>,
}

/// Where a client's masking key for the frame comes from: drawn only once the frame is
/// known to be sent, so a refused call consumes no key.
pub(crate) type Key = Option<[u8; 4]>;

impl Sender {
    pub(crate) fn new(is_client: bool, claimed: u8, max_message_size: u64) -> Self {
        Sender {
            is_client,
            claimed,
            max_message_size,
            outgoing: None,
            abandoned: false,
            closed: false,
            ending: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// The type of the message being sent, if one is unfinished.
    pub(crate) fn outgoing(&self) -> Option<Opcode> {
        self.outgoing
    }

    /// A typed builder went away: if its message is unfinished, the next data frame ends it.
    pub(crate) fn abandon(&mut self) {
        self.abandoned = self.outgoing.is_some();
    }

    /// The type of a message a builder left unfinished, which the next data frame ends.
    #[inline]
    pub(crate) fn abandoned(&self) -> Option<Opcode> {
        self.outgoing.filter(|_| self.abandoned)
    }

    /// RFC 6455 §5.4: a message ends with a frame whose FIN bit is set; one its sender
    /// abandoned ends with an empty CONTINUATION frame, which adds nothing to it. Appends
    /// that frame to `out` (through the extensions, which may have to end the message
    /// too: permessage-deflate flushes its compressor).
    ///
    /// Out of line and apart from [`data`](Self::data), so that the common path stays
    /// small enough to be inlined where it is called.
    #[inline(never)]
    pub(crate) fn end_abandoned(
        &mut self,
        key: Key,
        hooks: Option<&mut dyn OutboundHooks>,
        out: &mut Vec<u8>,
    ) -> Result<(), SendError> {
        let Some(kind) = self.abandoned() else {
            return Ok(());
        };
        self.check_not_closed(kind)?;
        self.frame(Opcode::Continuation, &[], true, key, hooks, out)?;
        self.outgoing = None;
        self.abandoned = false;
        Ok(())
    }

    /// [`end_abandoned`](Self::end_abandoned) into the buffer the next vectored frame
    /// writes first, which is otherwise left empty.
    pub(crate) fn end_abandoned_apart(
        &mut self,
        key: Key,
        hooks: Option<&mut dyn OutboundHooks>,
    ) -> Result<(), SendError> {
        let mut ending = std::mem::take(&mut self.ending);
        ending.clear();
        let result = self.end_abandoned(key, hooks, &mut ending);
        self.ending = ending;
        result
    }

    /// Appends a data frame of a `kind` (TEXT or BINARY) message to `out`.
    ///
    /// Small and inlined where it is called, like the other entry points: encoding a small
    /// frame costs less than a call; what is large (an extension's hook) stays out of line.
    #[inline]
    pub(crate) fn data(
        &mut self,
        kind: Opcode,
        payload: &[u8],
        fin: bool,
        key: Key,
        hooks: Option<&mut dyn OutboundHooks>,
        out: &mut Vec<u8>,
    ) -> Result<(), SendError> {
        let opcode = self.data_opcode(kind)?;
        self.frame(opcode, payload, fin, key, hooks, out)?;
        // An abandoned message was ended before this frame (`end_abandoned`).
        self.outgoing = (!fin).then_some(kind);
        Ok(())
    }

    /// Appends a control frame (RFC 6455 §5.5) to `out`.
    #[inline]
    pub(crate) fn control(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        key: Key,
        hooks: Option<&mut dyn OutboundHooks>,
        out: &mut Vec<u8>,
    ) -> Result<(), SendError> {
        self.check_not_closed(opcode)?;
        check_control_payload(opcode, payload.len())?;
        self.frame(opcode, payload, true, key, hooks, out)?;
        if opcode == Opcode::Close {
            self.closed = true;
        }
        Ok(())
    }

    /// Whether a close frame was sent.
    #[inline]
    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// RFC 6455 §5.5.1: "The application MUST NOT send any more data frames after sending a
    /// Close frame", and the closing handshake has one close frame per side; a ping would
    /// ask for a pong the peer no longer sends. So after a close, nothing is sent.
    #[inline]
    fn check_not_closed(&self, opcode: Opcode) -> Result<(), SendError> {
        if self.closed {
            return Err(after_close(opcode));
        }
        Ok(())
    }

    /// A data frame as a header and a payload slice. The payload is the caller's own bytes
    /// when they go on the wire unchanged (a server, no extension transforming them): no
    /// copy at all. A client's payload is masked, and an extension's rewritten, into the
    /// sender's buffer: one copy.
    pub(crate) fn data_vectored<'s>(
        &'s mut self,
        kind: Opcode,
        payload: &'s [u8],
        fin: bool,
        key: Key,
        hooks: Option<&mut dyn OutboundHooks>,
    ) -> Result<VectoredFrame<'s>, SendError> {
        let opcode = self.data_opcode(kind)?;
        self.release_large_scratch();
        let (first, transformed) = match hooks {
            Some(hooks) => (self.transform(opcode, payload, fin, hooks)?, true),
            None => (first_byte(fin, RsvBits::NONE, opcode), false),
        };
        self.outgoing = (!fin).then_some(kind);
        let body: &[u8] = match (transformed, key) {
            (false, None) => payload,
            (false, Some(key)) => {
                self.scratch.clear();
                extend_masked(&mut self.scratch, payload, key);
                &self.scratch
            }
            (true, None) => &self.scratch,
            (true, Some(key)) => {
                apply_mask(&mut self.scratch, key, 0);
                &self.scratch
            }
        };
        Ok(VectoredFrame::new(&self.ending, first, key, body))
    }

    /// RFC 6455 §5.4: the opcode of the next data frame of a `kind` message: its own to
    /// begin the message, CONTINUATION to go on with it, and no other message inside it.
    #[inline]
    fn data_opcode(&self, kind: Opcode) -> Result<Opcode, SendError> {
        self.check_not_closed(kind)?;
        match self.outgoing {
            None => Ok(kind),
            Some(open) if open == kind => Ok(Opcode::Continuation),
            Some(open) => Err(SendError::DataTypeMismatch { open, got: kind }),
        }
    }

    /// Runs the extensions' hook (if any is enabled) and encodes the frame.
    #[inline]
    fn frame(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        fin: bool,
        key: Key,
        hooks: Option<&mut dyn OutboundHooks>,
        out: &mut Vec<u8>,
    ) -> Result<(), SendError> {
        let Some(hooks) = hooks else {
            encode_raw(first_byte(fin, RsvBits::NONE, opcode), key, payload, out);
            return Ok(());
        };
        let first = self.transform(opcode, payload, fin, hooks)?;
        encode_raw(first, key, &self.scratch, out);
        self.release_large_scratch();
        Ok(())
    }

    /// Hands the frame to the extensions' outbound hook; the payload they leave is in
    /// `scratch`. Returns the frame's first header byte, with the RSV bits they set.
    #[inline(never)]
    fn transform(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        fin: bool,
        hooks: &mut dyn OutboundHooks,
    ) -> Result<u8, SendError> {
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
            is_client: self.is_client,
            message_opcode: match opcode {
                Opcode::Continuation => self.outgoing.unwrap_or(opcode),
                _ => opcode,
            },
            max_message_size: self.max_message_size,
            message_size: 0,
        };
        let result = hooks
            .outbound(&ctx, &mut frame)
            .map_err(|(name, refused)| SendError::Extension { name, refused })
            .and_then(|()| check_outbound(&frame, self.claimed));
        self.scratch = frame.payload;
        result.map(|()| first_byte(fin, frame.rsv, frame.opcode))
    }

    fn release_large_scratch(&mut self) {
        if self.scratch.capacity() > KEEP_CAPACITY {
            self.scratch = Vec::new();
        }
    }
}

/// The refusal of a frame after the close: out of line, so that the check costs the common
/// path one comparison.
#[cold]
#[inline(never)]
fn after_close(opcode: Opcode) -> SendError {
    SendError::AfterClose { opcode }
}

/// RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less".
#[inline]
fn check_control_payload(opcode: Opcode, len: usize) -> Result<(), SendError> {
    if len as u64 > MAX_PAYLOAD_NORMAL {
        return Err(SendError::ControlPayloadTooLong { opcode, len });
    }
    Ok(())
}

/// An extension may set only the RSV bits its list claims (RFC 6455 §5.2), and must not
/// grow a control frame past 125 bytes (§5.5).
fn check_outbound(frame: &OutboundFrame, claimed: u8) -> Result<(), SendError> {
    let unclaimed = frame.rsv.to_byte() & !claimed;
    if unclaimed != 0 {
        return Err(SendError::UnclaimedRsvBits { bits: unclaimed });
    }
    if frame.opcode.is_control() {
        check_control_payload(frame.opcode, frame.payload.len())?;
    }
    Ok(())
}
