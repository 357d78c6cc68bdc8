//! The [`Extension`] trait: the hooks of Python wsproto's `Extension`, in Rust.

use bytes::BytesMut;

use crate::close::CloseReason;
use crate::frame::{Header, Opcode, RsvBits};

/// A WebSocket extension (RFC 6455 §9), such as permessage-deflate (RFC 7692).
///
/// # Lifecycle
///
/// 1. **Negotiation** (RFC 6455 §9.1), done by the handshake layer: a client calls
///    [`offer`](Extension::offer) and, once the server answered,
///    [`finalize`](Extension::finalize); a server calls [`accept`](Extension::accept) with
///    the client's offer. An extension that was negotiated away stays in the type but
///    reports `false` from [`enabled`](Extension::enabled) and is skipped from then on.
/// 2. **Receiving**, for each frame and each enabled extension in list order:
///    [`inbound_header`](Extension::inbound_header) once the header is complete (it says
///    which RSV bits this frame uses for this extension; a set bit that no extension claims
///    fails the connection with 1002); then [`inbound_payload`](Extension::inbound_payload)
///    for each piece of the payload as it arrives (data frames may arrive in pieces;
///    control frames arrive whole); then, once the frame is complete,
///    [`inbound_complete`](Extension::inbound_complete), which may append bytes (a
///    decompressor's tail, for example).
/// 3. **Sending**, for each frame: [`outbound`](Extension::outbound), called on the enabled
///    extensions in *reverse* list order (the first extension in the list is closest to the
///    wire, as in Python wsproto), may set the RSV bits the type claims and rewrite the
///    payload.
///
/// # Rules for hooks
///
/// - Write into the buffers you are given; do not panic. Report a failure as the
///   [`CloseReason`] the connection should close with: the protocol turns it into a
///   [`ParseFailed`](crate::ParseFailed) (receiving) or a
///   [`SendError::Extension`](crate::SendError::Extension) (sending).
/// - Claim RSV bits in [`RSV`](Extension::RSV). Two extensions in one list that claim the
///   same bit do not compile; setting an unclaimed bit on an outgoing frame is refused with
///   [`SendError::UnclaimedRsvBits`](crate::SendError::UnclaimedRsvBits).
/// - Control frames pass through the hooks too: leave them alone unless your RFC says
///   otherwise (RFC 6455 §5.5 forbids fragmenting them, and RFC 7692 §6.1 compressing them).
///
/// A worked example that claims RSV2 and transforms payloads lives in
/// `tests/extension_hooks.rs`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a WebSocket extension",
    label = "this type does not implement `wsproto::Extension`",
    note = "an extension list is `()` or a tuple of types implementing `wsproto::Extension`"
)]
pub trait Extension: Send {
    /// The extension token registered for `Sec-WebSocket-Extensions` (RFC 6455 §9.1).
    const NAME: &'static str;
    /// The RSV bits this extension may use (RFC 6455 §5.2: "MUST be 0 unless an extension is
    /// negotiated that defines meanings for non-zero values").
    const RSV: RsvBits;

    /// Whether the extension is active on this connection.
    fn enabled(&self) -> bool;

    /// Client side of negotiation: append the parameters to offer after the name (e.g.
    /// `"; client_max_window_bits"`) and return `true`, or return `false` to offer nothing.
    fn offer(&mut self, params: &mut String) -> bool {
        let _ = params;
        false
    }

    /// Server side of negotiation: given one offer from the client (the whole entry, name
    /// included), return `true` and append the answer's parameters to `params` to accept, or
    /// `false` to decline.
    fn accept(&mut self, offer: &str, params: &mut String) -> bool {
        let _ = (offer, params);
        false
    }

    /// Client side of negotiation: the server accepted with this answer (the whole entry).
    /// An answer the extension cannot honour fails the handshake.
    fn finalize(&mut self, answer: &str) -> Result<(), ExtensionError> {
        let _ = answer;
        Ok(())
    }

    /// A received frame's header is complete: return the RSV bits this frame uses for this
    /// extension, or a close code to fail the connection.
    fn inbound_header(
        &mut self,
        ctx: &FrameContext,
        header: &Header,
    ) -> Result<RsvBits, CloseReason> {
        let _ = (ctx, header);
        Ok(RsvBits::NONE)
    }

    /// A piece of a received frame's payload, unmasked; transform it in place or replace it.
    fn inbound_payload(
        &mut self,
        ctx: &FrameContext,
        payload: &mut BytesMut,
    ) -> Result<(), CloseReason> {
        let _ = (ctx, payload);
        Ok(())
    }

    /// The received frame is complete; `payload` holds its last piece (after
    /// [`inbound_payload`](Extension::inbound_payload)) and may be appended to. `fin` is the
    /// frame's FIN bit.
    fn inbound_complete(
        &mut self,
        ctx: &FrameContext,
        fin: bool,
        payload: &mut BytesMut,
    ) -> Result<(), CloseReason> {
        let _ = (ctx, fin, payload);
        Ok(())
    }

    /// A frame is about to be sent: set RSV bits and rewrite the payload as needed.
    fn outbound(
        &mut self,
        ctx: &FrameContext,
        frame: &mut OutboundFrame,
    ) -> Result<(), CloseReason> {
        let _ = (ctx, frame);
        Ok(())
    }
}

/// What a hook knows about the connection it runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FrameContext {
    /// Whether the local endpoint is the client (RFC 7692's parameters are per direction).
    pub is_client: bool,
    /// The opcode of the message the frame belongs to (`Text` or `Binary` for data frames,
    /// the frame's own opcode for control frames).
    pub message_opcode: Opcode,
    /// Largest message, in bytes after all extensions, the protocol accepts: a decompressor
    /// must stop (with [`CloseReason::MESSAGE_TOO_BIG`]) before producing more.
    pub max_message_size: u64,
    /// Bytes of the current message delivered so far, before this piece.
    pub message_size: u64,
}

/// An outgoing frame, as the [`Extension::outbound`] hook sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutboundFrame {
    /// The frame's opcode (`Continuation` for the later fragments of a message).
    pub opcode: Opcode,
    /// The RSV bits to send.
    pub rsv: RsvBits,
    /// Whether this frame ends its message.
    pub fin: bool,
    /// The payload to send, unmasked.
    pub payload: Vec<u8>,
}

/// An extension could not accept the peer's negotiation answer (RFC 6455 §9.1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("extension negotiation failed: {0}")]
pub struct ExtensionError(pub String);
