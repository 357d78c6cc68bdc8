//! The frame layer (RFC 6455 §5): headers, masking, and encoding a frame by hand
//! ([`encode_frame`], [`VectoredFrame`]). Frames are decoded by
//! [`receive::FrameDecoder`](crate::receive::FrameDecoder) and, as messages, by
//! [`FrameProtocol`](crate::FrameProtocol).

pub(crate) mod close_payload;
pub(crate) mod encoder;
pub(crate) mod header;
pub(crate) mod mask;
mod payload;

pub use encoder::{VectoredFrame, encode_frame};
pub use header::Header;
pub use mask::apply_mask;
pub use payload::{Frame, FrameRef, Payload, PayloadRef};

// The vocabulary a frame is made of, where a reader of this layer looks for it.
pub use crate::opcode::InvalidOpcode;
pub use crate::role::{MaskingKey, MaskingOf, Unmasked};
pub use crate::rsv::RsvBits;
