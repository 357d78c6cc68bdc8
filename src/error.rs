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
/// frame; see [`MessageBuilder`](crate::protocol::MessageBuilder)).
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
    #[error("extension {name} could not encode the frame: {refused}")]
    Extension {
        /// The extension's name.
        name: &'static str,
        /// The close code it reported, and why.
        refused: FrameRefused,
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
    #[error(transparent)]
    MaskKey(#[from] MaskKeyError),
}

/// A client's masking-key source could not produce a key: the operating system's random
/// source failed, or a custom [`MaskKeySource`](crate::protocol::MaskKeySource) said so. RFC 6455 §5.3
/// requires keys the peer cannot predict, so no frame is sent with a weaker one.
///
/// ```
/// use wsproto::protocol::{MaskKeyError, MaskKeySource};
/// struct Exhausted;
/// impl MaskKeySource for Exhausted {
///     fn next_key(&mut self) -> Result<[u8; 4], MaskKeyError> {
///         Err(MaskKeyError::new("hardware RNG unavailable"))
///     }
/// }
/// assert_eq!(MaskKeyError::new("x").to_string(), "no masking key: x");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no masking key: {reason}")]
pub struct MaskKeyError {
    reason: Cow<'static, str>,
}

impl MaskKeyError {
    /// A failure, with what went wrong.
    pub fn new(reason: impl Into<Cow<'static, str>>) -> Self {
        MaskKeyError {
            reason: reason.into(),
        }
    }

    /// What went wrong.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// An extension's hook refused a frame: the close code the connection fails with (RFC 6455
/// §7.1.7) and, if the extension gave one, why. A bare [`CloseReason`] converts into one,
/// so a hook can `return Err(CloseReason::PROTOCOL_ERROR.into())`; the protocol then words
/// the reason from the code.
///
/// ```
/// use wsproto::CloseReason;
/// use wsproto::ext::FrameRefused;
/// let refused = FrameRefused::new(CloseReason::PROTOCOL_ERROR, "RSV3 on a control frame");
/// assert_eq!(refused.code(), CloseReason::PROTOCOL_ERROR);
/// assert_eq!(refused.reason(), Some("RSV3 on a control frame"));
/// assert_eq!(FrameRefused::from(CloseReason::PROTOCOL_ERROR).reason(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameRefused {
    code: CloseReason,
    reason: Option<Cow<'static, str>>,
}

impl FrameRefused {
    /// A refusal with the close code to send and why.
    pub fn new(code: CloseReason, reason: impl Into<Cow<'static, str>>) -> Self {
        FrameRefused {
            code,
            reason: Some(reason.into()),
        }
    }

    /// The close code to send (RFC 6455 §7.4.1).
    pub fn code(&self) -> CloseReason {
        self.code
    }

    /// Why, in the extension's words, if it gave any.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }
}

impl From<CloseReason> for FrameRefused {
    fn from(code: CloseReason) -> Self {
        FrameRefused { code, reason: None }
    }
}

impl std::fmt::Display for FrameRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.reason {
            Some(reason) => write!(f, "{reason} (close code {})", self.code),
            None => write!(f, "close code {}", self.code),
        }
    }
}
