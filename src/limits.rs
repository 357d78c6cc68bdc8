//! Size limits on received frames and messages, enforced when a header arrives, before any
//! memory is committed to the payload.

/// How much a peer may send in one frame and one message. Exceeding either fails the
/// connection with [`CloseReason::MESSAGE_TOO_BIG`](crate::CloseReason::MESSAGE_TOO_BIG)
/// (RFC 6455 §7.4.1, code 1009).
///
/// The defaults follow tungstenite, the most used Rust implementation: 16 MiB per frame and
/// 64 MiB per message. Python wsproto has no limit; [`Limits::unlimited`] reproduces that.
///
/// ```
/// use wsproto::Limits;
/// let limits = Limits::default().with_max_message_size(1 << 20);
/// assert_eq!(limits.max_message_size, 1 << 20);
/// assert_eq!(limits.max_frame_size, 16 << 20);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest payload length a received frame header may announce. Protects against a
    /// peer that announces a huge frame and trickles it in, keeping a message open forever.
    pub max_frame_size: u64,
    /// Largest message, summed over its fragments (and, with an extension that transforms
    /// payloads such as permessage-deflate, measured after the transformation). Protects the
    /// application that assembles messages, and bounds decompression.
    pub max_message_size: u64,
}

impl Limits {
    /// Default largest frame: 16 MiB.
    pub const DEFAULT_MAX_FRAME_SIZE: u64 = 16 << 20;
    /// Default largest message: 64 MiB.
    pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 64 << 20;

    /// No limit beyond the 63-bit length field of RFC 6455 §5.2, as Python wsproto.
    pub const fn unlimited() -> Self {
        Limits {
            max_frame_size: u64::MAX,
            max_message_size: u64::MAX,
        }
    }

    /// These limits with another largest frame.
    pub const fn with_max_frame_size(mut self, bytes: u64) -> Self {
        self.max_frame_size = bytes;
        self
    }

    /// These limits with another largest message.
    pub const fn with_max_message_size(mut self, bytes: u64) -> Self {
        self.max_message_size = bytes;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_size: Self::DEFAULT_MAX_FRAME_SIZE,
            max_message_size: Self::DEFAULT_MAX_MESSAGE_SIZE,
        }
    }
}
