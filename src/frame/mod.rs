//! The frame layer (RFC 6455 §5): opcodes, headers, masking, decoding and encoding.

pub(crate) mod decoder;
pub(crate) mod encoder;
pub(crate) mod header;
pub(crate) mod mask;
pub(crate) mod mask_key;
mod opcode;
mod payload;

pub use header::{Header, RsvBits};
pub use opcode::{InvalidOpcode, Opcode};
pub use payload::{Frame, FrameRef, Payload, PayloadRef};
