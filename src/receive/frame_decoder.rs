//! [`FrameDecoder`]: the receive pipeline delivering frames as they are on the wire, piece by
//! piece as their bytes arrive: Python wsproto's `FrameDecoder` (RFC 6455 §5.2-§5.5).

use std::fmt;
use std::marker::PhantomData;

use crate::error::ParseFailed;
use crate::ext::{ExtensionList, inbound_hooks};
use crate::frame::Frame;
use crate::limits::Limits;
use crate::receive::pipeline::Receiver;
use crate::receive::ready::Delivery;
use crate::role::Role;

/// Parses frames from received bytes (RFC 6455 §5): data frames piece by piece as their
/// bytes arrive, with the frame's own opcode on its first piece and CONTINUATION after it,
/// control frames whole. Payloads are the bytes as sent (unmasked): text is not decoded and
/// a close frame's payload is not parsed, which is the message layer's job
/// ([`MessageDecoder`](crate::message::MessageDecoder), [`FrameProtocol`](crate::FrameProtocol)).
///
/// ```
/// use wsproto::{Opcode, Server};
/// use wsproto::receive::FrameDecoder;
/// let mut decoder = FrameDecoder::<Server>::new(());
/// // RFC 6455 §5.7: a masked "Hello" from a client, in two reads.
/// decoder.receive_bytes(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f]);
/// let piece = decoder.process_buffer().unwrap().unwrap();
/// assert_eq!((piece.opcode, piece.payload.as_bytes(), piece.frame_finished), (Opcode::Text, &b"He"[..], false));
/// decoder.receive_bytes(&[0x4d, 0x51, 0x58]);
/// let rest = decoder.process_buffer().unwrap().unwrap();
/// assert_eq!((rest.opcode, rest.payload.as_bytes(), rest.frame_finished), (Opcode::Continuation, &b"llo"[..], true));
/// assert_eq!(decoder.process_buffer(), Ok(None));
/// ```
///
/// Every rule of the frame layer is checked: opcodes, control frames, length encoding,
/// masking against the role, RSV bits against the extensions, the [`Limits`], and the order
/// of fragments (RFC 6455 §5.4), which Python's `FrameDecoder` leaves to its message
/// decoder but extensions need to know. After an error every call returns the same error;
/// nothing is parsed after a close frame.
pub struct FrameDecoder<R: Role, E: ExtensionList = ()> {
    receiver: Receiver,
    extensions: E,
    role: PhantomData<R>,
}

impl<R: Role, E: ExtensionList> FrameDecoder<R, E> {
    /// A decoder for frames sent to a `R` endpoint, with the default [`Limits`].
    pub fn new(extensions: E) -> Self {
        Self::with_limits(extensions, Limits::default())
    }

    /// A decoder with the given limits.
    pub fn with_limits(extensions: E, limits: Limits) -> Self {
        FrameDecoder {
            receiver: Receiver::new(R::IS_CLIENT, limits, Delivery::Frames),
            extensions,
            role: PhantomData,
        }
    }

    /// Feeds received bytes. After an error or a close frame they are dropped.
    pub fn receive_bytes(&mut self, data: &[u8]) {
        self.receiver
            .receive(data, inbound_hooks(&mut self.extensions));
    }

    /// The next frame or piece of a data frame, `Ok(None)` if more bytes are needed.
    pub fn process_buffer(&mut self) -> Result<Option<Frame>, ParseFailed> {
        self.receiver
            .next_frame(inbound_hooks(&mut self.extensions))
            .transpose()
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
        self.receiver.limits()
    }

    /// Bytes received and not yet delivered.
    pub fn buffered_len(&self) -> usize {
        self.receiver.buffered_len()
    }
}

impl<R: Role, E: ExtensionList> fmt::Debug for FrameDecoder<R, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FrameDecoder<{}, ", R::NAME)?;
        crate::ext::write_names(&self.extensions, f)?;
        write!(f, "> {{ buffered: {} }}", self.buffered_len())
    }
}
