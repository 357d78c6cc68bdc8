//! The frame layer (RFC 6455 §5): opcodes, headers, masking, decoding and encoding.

pub(crate) mod close_payload;
pub(crate) mod encoder;
pub(crate) mod header;
pub(crate) mod mask;
mod payload;

pub use header::Header;
pub use payload::{Frame, FrameRef, Payload, PayloadRef};
