//! Errors of the frame layer: what went wrong receiving (with the close code to answer
//! with, RFC 6455 §7.4.1) and what a send call refused.

use std::borrow::Cow;

use crate::close_code::CloseReason;
use crate::opcode::Opcode;

/// Received bytes broke a rule of RFC 6455 or of an extension. Carries the close code the
/// endpoint should send before closing (RFC 6455 §7.1.7 "Fail the WebSocket Connection").
///
/// ```
/// use wsproto::{CloseReason, ParseFailed};
/// let err = ParseFailed::protocol("bad frame");
/// assert_eq!(err.code(), CloseReason::PROTOCOL_ERROR);
/// assert_eq!(err.to_string(), "bad frame (close code 1002 (PROTOCOL_ERROR))");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (close code {code})")]
pub struct ParseFailed {
    message: Cow<'static, str>,
    code: CloseReason,
}

impl ParseFailed {
    /// An error with the close code to send.
    pub fn new(message: impl Into<Cow<'static, str>>, code: CloseReason) -> Self {
        ParseFailed {
            message: message.into(),
            code,
        }
    }

    /// A protocol violation: close code 1002, the default of Python wsproto's `ParseFailed`.
    pub fn protocol(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(message, CloseReason::PROTOCOL_ERROR)
    }

    /// The close code to send to the peer (RFC 6455 §7.4.1).
    pub fn code(&self) -> CloseReason {
        self.code
    }

    /// What was wrong, naming the rule and the offending value.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A send call that cannot produce a frame. Nothing was written to the output buffer and the
/// protocol's state is unchanged (with one exception: a message whose builder was dropped
/// is ended before the next data frame, and stays ended if an extension then refuses that
/// frame; see [`MessageBuilder`](crate::MessageBuilder)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// A fragment of another type inside an unfinished message (RFC 6455 §5.4: all fragments
    /// of a message share the type of the first).
    #[error("cannot send {got} data inside an unfinished {open} message (RFC 6455 §5.4)")]
    DataTypeMismatch {
        /// Type of the message being sent.
        open: Opcode,
        /// Type of the refused fragment.
        got: Opcode,
    },
    /// A typed message builder was started while another message is unfinished.
    #[error("a {open} message is unfinished: finish it before starting another (RFC 6455 §5.4)")]
    MessageInProgress {
        /// Type of the unfinished message.
        open: Opcode,
    },
    /// A frame after a close frame was sent (RFC 6455 §5.5.1: nothing follows the close).
    #[error("cannot send a {opcode} frame after a close frame (RFC 6455 §5.5.1)")]
    AfterClose {
        /// The refused frame's opcode (TEXT or BINARY for a data frame).
        opcode: Opcode,
    },
    /// A control frame payload over 125 bytes (RFC 6455 §5.5).
    #[error("a {opcode} frame carries at most 125 bytes of payload, not {len} (RFC 6455 §5.5)")]
    ControlPayloadTooLong {
        /// The control frame's opcode.
        opcode: Opcode,
        /// The refused payload length.
        len: usize,
    },
    /// A close reason without a close code (RFC 6455 §5.5.1: the reason follows the code).
    #[error("a close reason needs a close code (RFC 6455 §5.5.1)")]
    ReasonWithoutCode,
    /// An extension refused to encode the frame.
    #[error("extension {name} could not encode the frame: close code {code}")]
    Extension {
        /// The extension's name.
        name: &'static str,
        /// The close code it reported.
        code: CloseReason,
    },
    /// An extension set an RSV bit its type does not claim (RFC 6455 §5.2).
    #[error(
        "an extension set RSV bits {bits:#04x} that no extension in the list claims (RFC 6455 §5.2)"
    )]
    UnclaimedRsvBits {
        /// The offending bits, in first-header-byte position.
        bits: u8,
    },
    /// The masking key source failed (RFC 6455 §5.3 requires unpredictable keys, so the frame
    /// is not sent with a weaker one).
    #[error("no masking key: {0}")]
    MaskKey(String),
}
