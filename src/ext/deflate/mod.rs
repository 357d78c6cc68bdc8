//! permessage-deflate (RFC 7692): negotiation, and [`PerMessageDeflate`], the
//! [`Extension`] that compresses every outgoing data message and inflates
//! received ones within the message size limit.
//!
//! ```
//! use wsproto::deflate::{Negotiated, PerMessageDeflate};
//! use wsproto::{Client, FrameProtocol, Server};
//!
//! // Both ends already agreed on the parameters (e.g. in an HTTP/2 handshake).
//! let agreed = Negotiated::default();
//! let mut client = FrameProtocol::<Client, _>::new((PerMessageDeflate::negotiated(agreed),));
//! let mut server = FrameProtocol::<Server, _>::new((PerMessageDeflate::negotiated(agreed),));
//! let wire = client.send_data("hello hello hello hello", true)?;
//! assert!(wire.len() < 6 + 23, "compressed");
//! assert_eq!(wire[0] & 0x40, 0x40, "RSV1 marks a compressed message");
//! server.receive_bytes(&wire);
//! let frame = server.received_frames().next().unwrap()?;
//! assert_eq!(frame.payload.as_text(), Some("hello hello hello hello"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod codec;
mod params;
mod window;

use bytes::BytesMut;

pub use codec::{CodecError, MessageCompressor, MessageDecompressor};
pub use params::{
    DeflateConfig, EXTENSION_NAME, Negotiated, NegotiationError, client_finalize, client_offer,
    server_accept,
};

use crate::close_code::CloseReason;
use crate::error::FrameRefused;
use crate::ext::{Extension, ExtensionError, FrameContext, OutboundFrame};
use crate::frame::Header;
use crate::opcode::Opcode;
use crate::rsv::{Rsv1, RsvBits};

/// The permessage-deflate extension (RFC 7692), claiming RSV1.
///
/// Create it with [`PerMessageDeflate::new`] for a handshake to negotiate (it is disabled
/// until the handshake enables it), or with [`PerMessageDeflate::negotiated`] when the
/// parameters are already agreed.
///
/// Every outgoing data message is compressed, each frame ending with a sync flush so the
/// peer can inflate it on arrival. Received messages are inflated in bounded steps: a
/// message that would inflate past [`Limits::max_message_size`](crate::Limits) fails with
/// 1009 having allocated at most that limit. Corrupt compressed data fails with 1007, RSV1
/// on a control or continuation frame with 1002 (RFC 7692 §6.1). Window bits 8 are honoured
/// (zlib cannot compress with an 8-bit window; a 9-bit zlib stream never reaches back more
/// than 250 bytes, so it is valid for an 8-bit window: see [`MessageCompressor`]).
///
/// `PerMessageDeflate::default()` is `new(DeflateConfig::default())`: **disabled until a
/// handshake negotiates it**. Put in a [`FrameProtocol`](crate::FrameProtocol)'s list
/// without a handshake, it compresses nothing and refuses compressed frames (RSV1 is not
/// negotiated, RFC 6455 §5.2); [`FrameProtocol::enabled_extensions`](crate::FrameProtocol::enabled_extensions)
/// and the protocol's `Debug` output show which extensions are in force.
///
/// ```
/// use wsproto::deflate::{Negotiated, PerMessageDeflate};
/// use wsproto::{FrameProtocol, Server};
/// let idle = FrameProtocol::<Server, _>::new((PerMessageDeflate::default(),));
/// assert!(idle.enabled_extensions().is_empty());
/// let agreed = FrameProtocol::<Server, _>::new((PerMessageDeflate::negotiated(Negotiated::default()),));
/// assert_eq!(agreed.enabled_extensions(), ["permessage-deflate"]);
/// assert_eq!(format!("{agreed:?}"), "FrameProtocol<Server, [permessage-deflate]>");
/// ```
#[derive(Debug, Default)]
pub struct PerMessageDeflate {
    config: DeflateConfig,
    agreed: Option<Negotiated>,
    compressor: Option<MessageCompressor>,
    decompressor: Option<MessageDecompressor>,
    /// Whether the data message being received is compressed (RSV1 on its first frame).
    inbound_message: bool,
    /// Whether the frame being received is to be inflated (false for control frames).
    inbound_frame: bool,
    /// Reused inflate target: inflating into it needs no allocation and no zeroing.
    inflated: Vec<u8>,
    /// Inflated payloads handed out, as slices of one buffer that is reclaimed once the
    /// application dropped them: no allocation per message in steady state.
    output: BytesMut,
    /// Reused compression target, swapped with the outgoing payload's buffer.
    compressed: Vec<u8>,
    /// The message inflated past the limit: its output was handed on for the frame
    /// decoder to deliver what fits and fail with 1009; every later hook fails.
    overflowed: bool,
}

/// Reused buffers above this are released after use, so a large message does not keep
/// its memory. Twice a 64 KiB message's inflate buffer; zlib's own state is larger.
const KEEP_CAPACITY: usize = 128 * 1024;

impl PerMessageDeflate {
    /// An extension that will negotiate with `config` during the handshake.
    pub fn new(config: DeflateConfig) -> Self {
        PerMessageDeflate {
            config,
            ..Self::default()
        }
    }

    /// An enabled extension with parameters agreed elsewhere.
    pub fn negotiated(agreed: Negotiated) -> Self {
        PerMessageDeflate {
            agreed: Some(agreed),
            ..Self::default()
        }
    }

    /// The agreed parameters, once negotiated.
    pub fn agreed(&self) -> Option<Negotiated> {
        self.agreed
    }

    /// Whether the compressor's zlib state is allocated: it is made for the first message
    /// sent and freed by [`release_idle_memory`](Extension::release_idle_memory).
    pub fn compressor_allocated(&self) -> bool {
        self.compressor
            .as_ref()
            .is_some_and(MessageCompressor::is_allocated)
    }

    /// Whether the inflater's zlib state is allocated: it is made for the first compressed
    /// message received and freed by [`release_idle_memory`](Extension::release_idle_memory)
    /// where a new one reads on the same way (see [`MessageDecompressor::release`]).
    pub fn inflater_allocated(&self) -> bool {
        self.decompressor
            .as_ref()
            .is_some_and(MessageDecompressor::is_allocated)
    }

    fn enable(&mut self, agreed: Negotiated) {
        self.agreed = Some(agreed);
        self.compressor = None;
        self.decompressor = None;
    }

    fn decompressor(&mut self, is_client: bool) -> Result<&mut MessageDecompressor, FrameRefused> {
        let agreed = self.agreed.ok_or_else(not_negotiated)?;
        if self.decompressor.is_none() {
            let decompressor = MessageDecompressor::new(
                agreed.decompressor_window_bits(is_client),
                agreed.decompressor_no_context_takeover(is_client),
            )?;
            self.decompressor = Some(decompressor);
        }
        self.decompressor.as_mut().ok_or_else(not_negotiated)
    }

    fn compressor(&mut self, is_client: bool) -> Result<&mut MessageCompressor, FrameRefused> {
        let agreed = self.agreed.ok_or_else(not_negotiated)?;
        if self.compressor.is_none() {
            let compressor = MessageCompressor::new(
                agreed.compressor_window_bits(is_client),
                agreed.compressor_no_context_takeover(is_client),
            )?;
            self.compressor = Some(compressor);
        }
        self.compressor.as_mut().ok_or_else(not_negotiated)
    }
}

/// A hook ran on a list member that was never enabled: the list skips those, so this is a
/// bug here, reported as one (1011) rather than a panic.
fn not_negotiated() -> FrameRefused {
    FrameRefused::new(
        CloseReason::INTERNAL_ERROR,
        "permessage-deflate ran without negotiated parameters",
    )
}

/// Every hook after a message inflated past the limit (RFC 7692 §7.2.2 leaves the limit to
/// the receiver; RFC 6455 §7.4.1 gives 1009).
fn overflowed() -> FrameRefused {
    FrameRefused::new(
        CloseReason::MESSAGE_TOO_BIG,
        "a message inflated past Limits::max_message_size",
    )
}

/// A large inflated piece as the payload to deliver, without copying (Vec -> Bytes ->
/// BytesMut moves a unique allocation). A delivered piece keeps its allocation alive for as
/// long as the application holds it, so the slack the inflate steps reserved and did not
/// use is given back first when it is more than a quarter.
fn hand_over(mut inflated: Vec<u8>) -> BytesMut {
    if inflated.capacity() - inflated.len() > inflated.len() / 4 {
        inflated.shrink_to_fit();
    }
    BytesMut::from(bytes::Bytes::from(inflated))
}

/// Bytes the current message may still inflate to.
fn remaining_budget(ctx: &FrameContext) -> usize {
    let left = ctx.max_message_size.saturating_sub(ctx.message_size);
    usize::try_from(left).unwrap_or(usize::MAX)
}

impl Extension for PerMessageDeflate {
    const NAME: &'static str = EXTENSION_NAME;
    type Rsv = Rsv1;

    fn enabled(&self) -> bool {
        self.agreed.is_some()
    }

    fn offer(&mut self, params: &mut String) -> bool {
        let mut entry = String::new();
        client_offer(&self.config, &mut entry);
        params.push_str(entry.strip_prefix(EXTENSION_NAME).unwrap_or(&entry));
        true
    }

    fn accept(&mut self, offer: &str, params: &mut String) -> bool {
        let mut entry = String::new();
        match server_accept(&self.config, offer, &mut entry) {
            Some(agreed) => {
                params.push_str(entry.strip_prefix(EXTENSION_NAME).unwrap_or(&entry));
                self.enable(agreed);
                true
            }
            None => false,
        }
    }

    fn finalize(&mut self, answer: &str) -> Result<(), ExtensionError> {
        let agreed =
            client_finalize(&self.config, answer).map_err(|e| ExtensionError(e.to_string()))?;
        self.enable(agreed);
        Ok(())
    }

    fn inbound_header(
        &mut self,
        _: &FrameContext,
        header: &Header,
    ) -> Result<RsvBits, FrameRefused> {
        if self.overflowed {
            return Err(overflowed());
        }
        // "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames and
        // non-first fragments of a data message." (RFC 7692 §6.1)
        if header.rsv.rsv1 && (header.opcode.is_control() || header.opcode == Opcode::Continuation)
        {
            return Err(FrameRefused::new(
                CloseReason::PROTOCOL_ERROR,
                "RSV1 on a control frame or a continuation frame (RFC 7692 §6.1)",
            ));
        }
        match header.opcode {
            Opcode::Text | Opcode::Binary => self.inbound_message = header.rsv.rsv1,
            Opcode::Continuation => {}
            // A control frame between fragments leaves the message's state alone.
            _ => {
                self.inbound_frame = false;
                return Ok(RsvBits::NONE);
            }
        }
        self.inbound_frame = self.inbound_message;
        Ok(if header.rsv.rsv1 {
            RsvBits::RSV1
        } else {
            RsvBits::NONE
        })
    }

    fn inbound_payload(
        &mut self,
        ctx: &FrameContext,
        payload: &mut BytesMut,
    ) -> Result<(), FrameRefused> {
        if self.overflowed {
            return Err(overflowed());
        }
        if !self.inbound_frame || payload.is_empty() {
            return Ok(());
        }
        let mut inflated = std::mem::take(&mut self.inflated);
        inflated.clear();
        let result = self.decompressor(ctx.is_client)?.decompress(
            payload,
            &mut inflated,
            remaining_budget(ctx),
        );
        if inflated.capacity() > KEEP_CAPACITY {
            // A large piece is handed over, not copied: a copy would hold it twice (an
            // inflate bomb stopped at the limit would cost twice the limit).
            *payload = hand_over(inflated);
        } else {
            self.output.extend_from_slice(&inflated);
            *payload = self.output.split();
            self.inflated = inflated;
        }
        self.hand_on(result)
    }

    fn inbound_complete(
        &mut self,
        ctx: &FrameContext,
        fin: bool,
        payload: &mut BytesMut,
    ) -> Result<(), FrameRefused> {
        if self.overflowed || !self.inbound_frame || !fin {
            return Ok(());
        }
        // This piece is not yet counted in `ctx.message_size`.
        let budget = remaining_budget(ctx).saturating_sub(payload.len());
        let mut inflated = std::mem::take(&mut self.inflated);
        inflated.clear();
        let result = self
            .decompressor(ctx.is_client)?
            .finish_message(&mut inflated, budget);
        // A sync-flushed message's tail inflates to nothing, so this rarely copies.
        payload.extend_from_slice(&inflated);
        self.keep_buffers(inflated);
        self.hand_on(result)
    }

    fn outbound(
        &mut self,
        ctx: &FrameContext,
        frame: &mut OutboundFrame,
    ) -> Result<(), FrameRefused> {
        if frame.opcode.is_control() {
            return Ok(());
        }
        if frame.opcode != Opcode::Continuation {
            frame.rsv.rsv1 = true;
        }
        let mut compressed = std::mem::take(&mut self.compressed);
        compressed.clear();
        self.compressor(ctx.is_client)?
            .compress(&frame.payload, frame.fin, &mut compressed)?;
        // The caller's buffer becomes ours for next time: no allocation per message.
        let mut spare = std::mem::replace(&mut frame.payload, compressed);
        if spare.capacity() > KEEP_CAPACITY {
            spare = Vec::new();
        }
        self.compressed = spare;
        Ok(())
    }

    /// Frees the compressor's zlib state (rebuilt from its kept window), the inflater's
    /// where a new one reads on the same way (see [`MessageDecompressor::release`]), and
    /// the buffers reused between messages.
    fn release_idle_memory(&mut self) {
        if let Some(compressor) = self.compressor.as_mut() {
            compressor.release();
        }
        if let Some(decompressor) = self.decompressor.as_mut() {
            decompressor.release();
        }
        self.inflated = Vec::new();
        self.output = BytesMut::new();
        self.compressed = Vec::new();
    }
}

impl PerMessageDeflate {
    /// A message inflated past the limit is not refused here: its output (just past the
    /// budget) is handed on, so that the frame decoder delivers what fits (an earlier fault
    /// in it, such as invalid UTF-8, is then reported first, whatever the chunking) and
    /// fails with 1009. Every later hook fails.
    fn hand_on(&mut self, result: Result<(), CodecError>) -> Result<(), FrameRefused> {
        match result {
            Ok(()) => Ok(()),
            Err(CodecError::MessageTooBig { .. }) => {
                self.overflowed = true;
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Keeps the buffers for the next piece unless a large piece grew them: the output
    /// buffer grows only by what was inflated, so a small inflate buffer means a small one.
    fn keep_buffers(&mut self, inflated: Vec<u8>) {
        if inflated.capacity() <= KEEP_CAPACITY {
            self.inflated = inflated;
        } else {
            self.output = BytesMut::new();
        }
    }
}
