//! The [`Extension`] trait: the hooks of Python wsproto's `Extension`, in Rust.

use bytes::BytesMut;

use crate::error::FrameRefused;
use crate::frame::Header;
use crate::opcode::Opcode;
use crate::rsv::{RsvBits, RsvClaim};

/// A WebSocket extension (RFC 6455 §9), such as permessage-deflate (RFC 7692).
///
/// # Lifecycle
///
/// 1. **Negotiation** (RFC 6455 §9.1), done by the handshake layer: a client calls
///    [`offer`](Extension::offer) and, once the server answered,
///    [`finalize`](Extension::finalize); a server calls [`accept`](Extension::accept) with
///    the client's offer. An extension that was negotiated away stays in the type but
///    reports `false` from [`enabled`](Extension::enabled) and is skipped from then on.
/// 2. **Receiving**, for each frame: [`inbound_header`](Extension::inbound_header) on each
///    enabled extension in list order once the header is complete (it says which RSV bits
///    this frame uses for this extension; a set bit that no extension claims fails the
///    connection with 1002). Then each piece of the payload, as it arrives (data frames may
///    arrive in pieces; control frames arrive whole), flows through the extensions in list
///    order: an extension runs [`inbound_payload`](Extension::inbound_payload) on it and, if
///    the piece ends the frame, [`inbound_complete`](Extension::inbound_complete), which may
///    append bytes (a decompressor's tail, for example); the next extension sees the result,
///    appended bytes included.
/// 3. **Sending**, for each frame: [`outbound`](Extension::outbound), called on the enabled
///    extensions in *reverse* list order (the first extension in the list is closest to the
///    wire, as in Python wsproto), may set the RSV bits the type claims and rewrite the
///    payload.
///
/// # Rules for hooks
///
/// - Write into the buffers you are given; do not panic. Report a failure as a
///   [`FrameRefused`]: the [`CloseReason`](crate::CloseReason) the connection should close with and, ideally,
///   why (a bare `CloseReason` converts with `.into()`). The protocol turns it into a
///   [`ParseFailed`](crate::ParseFailed) (receiving) or a
///   [`SendError::Extension`](crate::SendError::Extension) (sending).
/// - Claim RSV bits in [`Rsv`](Extension::Rsv). Two extensions in one list that claim the
///   same bit do not type-check (`cargo check` reports it); setting an unclaimed bit on an outgoing frame is refused with
///   [`SendError::UnclaimedRsvBits`](crate::SendError::UnclaimedRsvBits).
/// - Control frames pass through the hooks too: leave them alone unless your RFC says
///   otherwise (RFC 6455 §5.5 forbids fragmenting them, and RFC 7692 §6.1 compressing them).
///
/// # A worked example
///
/// An extension that claims RSV3 and sends every data frame's payload bit-inverted. Only
/// the hooks it needs are written; the others keep their pass-through defaults.
///
/// ```
/// use bytes::BytesMut;
/// use wsproto::{Client, CloseReason, FrameProtocol};
/// use wsproto::ext::{Extension, FrameContext, FrameRefused};
/// use wsproto::Server;
/// use wsproto::ext::OutboundFrame;
/// use wsproto::frame::{Header, RsvBits};
/// use wsproto::rsv::Rsv3;
///
/// #[derive(Default)]
/// struct Invert {
///     /// Whether the frame being received was inverted (RSV3 set).
///     inverted: bool,
/// }
///
/// impl Extension for Invert {
///     const NAME: &'static str = "x-invert";
///     // Declared here, checked at compile time against the other extensions' claims.
///     type Rsv = Rsv3;
///
///     fn enabled(&self) -> bool {
///         true // a real extension would say whether negotiation agreed to it
///     }
///
///     // 1. The header: remember whether this frame uses our bit, and claim it. Returning
///     //    RsvBits::NONE for a frame with RSV3 set would fail the connection with 1002.
///     fn inbound_header(&mut self, _: &FrameContext, header: &Header) -> Result<RsvBits, FrameRefused> {
///         if header.rsv.rsv3 && header.opcode.is_control() {
///             return Err(FrameRefused::new(CloseReason::PROTOCOL_ERROR, "RSV3 on a control frame"));
///         }
///         self.inverted = header.rsv.rsv3;
///         Ok(if self.inverted { RsvBits::RSV3 } else { RsvBits::NONE })
///     }
///
///     // 2. Each piece of payload, as it arrives: transform it in place. Pieces can be of
///     //    any size, so a transform that needs context must carry it in `self`.
///     fn inbound_payload(&mut self, _: &FrameContext, payload: &mut BytesMut) -> Result<(), FrameRefused> {
///         if self.inverted {
///             payload.iter_mut().for_each(|b| *b = !*b);
///         }
///         Ok(())
///     }
///
///     // 3. Sending: mark the frame with our bit and transform the payload.
///     fn outbound(&mut self, _: &FrameContext, frame: &mut OutboundFrame) -> Result<(), FrameRefused> {
///         if !frame.opcode.is_control() {
///             frame.rsv.rsv3 = true;
///             frame.payload.iter_mut().for_each(|b| *b = !*b);
///         }
///         Ok(())
///     }
/// }
///
/// let mut client = FrameProtocol::<Client, (Invert,)>::new((Invert::default(),));
/// let mut server = FrameProtocol::<Server, (Invert,)>::new((Invert::default(),));
/// let wire = client.send_data("hi", true)?;
/// assert_eq!(wire[0], 0x91); // FIN, RSV3, TEXT
/// server.receive_bytes(&wire);
/// assert_eq!(server.received_frames().next().unwrap()?.payload.as_text(), Some("hi"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// `examples/custom_extension.rs` goes further: an extension that appends a hash trailer,
/// negotiated and run beside [`PerMessageDeflate`](crate::deflate::PerMessageDeflate) in one list.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a WebSocket extension",
    label = "this type does not implement `wsproto::ext::Extension`",
    note = "an extension list is `()` or a tuple of types implementing `wsproto::ext::Extension`"
)]
pub trait Extension: Send {
    /// The extension token registered for `Sec-WebSocket-Extensions` (RFC 6455 §9.1).
    const NAME: &'static str;
    /// The RSV bits this extension may use, as a type: [`NoRsv`](crate::rsv::NoRsv),
    /// [`Rsv1`](crate::rsv::Rsv1), ... (RFC 6455 §5.2: "MUST be 0 unless an extension is
    /// negotiated that defines meanings for non-zero values"). Two extensions of one list
    /// with a bit in common make a list that does not type-check.
    type Rsv: RsvClaim;

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
    ) -> Result<RsvBits, FrameRefused> {
        let _ = (ctx, header);
        Ok(RsvBits::NONE)
    }

    /// A piece of a received frame's payload, unmasked; transform it in place or replace it.
    fn inbound_payload(
        &mut self,
        ctx: &FrameContext,
        payload: &mut BytesMut,
    ) -> Result<(), FrameRefused> {
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
    ) -> Result<(), FrameRefused> {
        let _ = (ctx, fin, payload);
        Ok(())
    }

    /// A frame is about to be sent: set RSV bits and rewrite the payload as needed.
    fn outbound(
        &mut self,
        ctx: &FrameContext,
        frame: &mut OutboundFrame,
    ) -> Result<(), FrameRefused> {
        let _ = (ctx, frame);
        Ok(())
    }

    /// The connection has gone quiet (see
    /// [`FrameProtocol::release_idle_memory`](crate::FrameProtocol::release_idle_memory)):
    /// free what can be rebuilt on the next frame, such as codec state and reused buffers.
    /// It may come between any two hooks, even inside a message, and must change nothing
    /// that is sent or read. The default frees nothing.
    fn release_idle_memory(&mut self) {}
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
    /// must stop (with [`CloseReason::MESSAGE_TOO_BIG`](crate::CloseReason::MESSAGE_TOO_BIG))
    /// before producing more.
    pub max_message_size: u64,
    /// Bytes of the current message delivered so far, before this piece.
    pub message_size: u64,
}

impl FrameContext {
    /// The context of a frame of a `message_opcode` message on a client (`is_client`) or a
    /// server, at the start of its message, under the default [`Limits`](crate::Limits):
    /// what a hook sees, for testing an extension's hooks without a connection.
    ///
    /// ```
    /// use wsproto::deflate::{Negotiated, PerMessageDeflate};
    /// use wsproto::Opcode;
    /// use wsproto::ext::{Extension, FrameContext, OutboundFrame};
    /// let mut deflate = PerMessageDeflate::negotiated(Negotiated::default());
    /// let ctx = FrameContext::new(false, Opcode::Text);
    /// let mut frame = OutboundFrame::new(Opcode::Text, true, b"Hello".to_vec());
    /// deflate.outbound(&ctx, &mut frame)?;
    /// assert!(frame.rsv.rsv1); // RFC 7692 §6: "Per-Message Compressed"
    /// assert_eq!(frame.payload, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    /// # Ok::<(), wsproto::ext::FrameRefused>(())
    /// ```
    pub fn new(is_client: bool, message_opcode: Opcode) -> Self {
        FrameContext {
            is_client,
            message_opcode,
            max_message_size: crate::limits::Limits::default().max_message_size,
            message_size: 0,
        }
    }

    /// The same context with a message limit and the bytes of the message delivered so far.
    pub fn with_message_size(mut self, max_message_size: u64, message_size: u64) -> Self {
        self.max_message_size = max_message_size;
        self.message_size = message_size;
        self
    }
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

impl OutboundFrame {
    /// A frame to hand to [`Extension::outbound`], with no RSV bit set: for testing an
    /// extension's hooks without a connection (see [`FrameContext::new`]).
    pub fn new(opcode: Opcode, fin: bool, payload: Vec<u8>) -> Self {
        OutboundFrame {
            opcode,
            rsv: RsvBits::NONE,
            fin,
            payload,
        }
    }
}

/// An extension could not accept the peer's negotiation answer (RFC 6455 §9.1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("extension negotiation failed: {0}")]
pub struct ExtensionError(pub String);
