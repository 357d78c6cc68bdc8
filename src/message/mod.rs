//! The message layer (RFC 6455 §5.4, §5.6): assembling received fragments with UTF-8
//! validation, and typed builders for sending fragmented messages.

pub(crate) mod decoder;
pub(crate) mod order;
pub(crate) mod utf8;

pub use decoder::MessageDecoder;
