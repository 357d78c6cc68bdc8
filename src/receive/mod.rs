//! The receive pipeline (RFC 6455 §5, §7.4, §8.1): received bytes become frames, pieces of
//! messages, or whole messages, through one sequence of stages.
//!
//! ```text
//!  read ──► header ──► header rules ──► message order ──► payload ──► extensions ──► text ──► delivery
//!           §5.2       §5.1 masking      §5.4              §5.3         §9 hooks       §8.1     frames │ pieces │ whole
//!           §5.5       §5.2 RSV, limits                   unmasked      (if enabled)            owned  │ borrowed
//! ```
//!
//! `pipeline::Receiver` runs the stages; each rule is decided by one function in
//! the layer it belongs to (the frame header in `frame::header`, fragment order and UTF-8 in
//! `message`, the endpoint's own rules in `header_rules`). The three ways of delivering,
//! frame by frame ([`FrameDecoder`]), piece by piece or whole
//! ([`FrameProtocol`](crate::FrameProtocol)), differ only in the last stage.

pub(crate) mod buffer;
mod control;
mod delivery;
mod extension_stage;
mod frame_decoder;
mod handout;
mod header_reader;
pub(crate) mod header_rules;
pub(crate) mod message;
mod one_step;
pub(crate) mod pipeline;
pub(crate) mod ready;
pub(crate) mod transform;

pub use frame_decoder::FrameDecoder;
