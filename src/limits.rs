//! Size limits on received frames and messages, enforced when a header arrives, before any
//! memory is committed to the payload.

/// How much a peer may send in one frame and one message, and in how many frames. Exceeding
/// any limit fails the connection with
/// [`CloseReason::MESSAGE_TOO_BIG`](crate::CloseReason::MESSAGE_TOO_BIG) (RFC 6455 §7.4.1,
/// code 1009), and the error's message names the limit and the value that broke it.
///
/// Every limit is checked on a frame's header, before a byte of its payload is buffered, so
/// a peer cannot make the crate allocate what it merely announces (the rust-websocket bug of
/// RUSTSEC-2022-0035 allocated the announced length up front). Delivering pieces (the
/// default), what the crate itself keeps does not grow with the input: a data payload is
/// handed out as it arrives, a control frame waits for at most 125 bytes, and a text message
/// carries at most 3 bytes of an unfinished character; the limits protect what an
/// application builds from the pieces it is given. With whole-message delivery the crate
/// holds the message, and the limits bound that.
///
/// | limit | default | protects against | others' defaults |
/// |---|---|---|---|
/// | [`max_frame_size`](Limits::max_frame_size) | 16 MiB | one frame announcing gigabytes and trickling them in, holding a message (and the application's buffer for it) open | tungstenite 16 MiB; websockets, Node ws, uWebSockets: the message limit; Python wsproto none |
/// | [`max_message_size`](Limits::max_message_size) | 64 MiB | an application assembling an endless message; inflate bombs (measured after inflating) | tungstenite 64 MiB; Node ws 100 MiB; websockets 1 MiB; uWebSockets 16 KiB; Python wsproto none |
/// | [`max_fragments_per_message`](Limits::max_fragments_per_message) | 131 072 | a message of millions of tiny or empty fragments, which no byte limit catches and which costs the application per fragment (Node ws CVE-2026-48779) | Node ws 16 384 (131 072 at first); tungstenite, websockets, Python wsproto none |
///
/// Why these defaults:
///
/// - **16 MiB per frame, 64 MiB per message** are tungstenite's, the most used Rust
///   implementation: real applications rarely come near them, and an application that must
///   keep many connections open should lower them. Autobahn's largest cases (9.1.6, 16 MiB
///   in one frame) pass.
/// - **131 072 fragments**, Node ws's first default, is twice the most Autobahn's
///   fragmentation cases send: 9.3.1 and 9.4.1 send 4 MiB in 64-byte fragments, which is
///   65 536 data frames and an empty final one, 65 537 in all. So a peer that passes the
///   conformance suite is never refused. Node ws lowered its default to 16 384 after the
///   attack above, and users whose servers legitimately send tens of thousands of fragments
///   asked for more. This crate keeps nothing per fragment, so the cost of the limit's worth
///   of empty fragments is what the application keeps per delivered piece (a `Bytes`
///   handle, 32 bytes: 4 MiB, 1/16 of the message limit) and the time to parse the headers
///   (5 ms measured for 65 536 in a release build), against 768 KiB of wire.
///
/// [`Limits::unlimited`] is Python wsproto's behaviour (no limit at all).
///
/// ```
/// use wsproto::Limits;
/// let limits = Limits::default().with_max_message_size(1 << 20);
/// assert_eq!(limits.max_message_size, 1 << 20);
/// assert_eq!(limits.max_frame_size, 16 << 20);
/// assert_eq!(limits.max_fragments_per_message, 131_072);
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
    /// Most data frames one message may span, its first frame included; checked on the
    /// header of each CONTINUATION frame, empty ones included. Protects against a message of
    /// countless tiny or empty fragments, whose cost per fragment no byte limit sees. 1 (or
    /// 0) refuses every fragmented message. Fails with 1009, where Node ws sends 1008: RFC
    /// 6455 §7.4.1 names 1009 for a message too big to process and keeps 1008 for when no
    /// more suitable code exists, and one code for every limit lets an application treat
    /// them alike (the error's message names the limit).
    pub max_fragments_per_message: u64,
}

impl Limits {
    /// Default largest frame: 16 MiB.
    pub const DEFAULT_MAX_FRAME_SIZE: u64 = 16 << 20;
    /// Default largest message: 64 MiB.
    pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 64 << 20;
    /// Default most fragments per message: 131 072, twice the 65 537 the Autobahn test
    /// suite sends.
    pub const DEFAULT_MAX_FRAGMENTS_PER_MESSAGE: u64 = 1 << 17;

    /// No limit beyond the 63-bit length field of RFC 6455 §5.2, as Python wsproto.
    pub const fn unlimited() -> Self {
        Limits {
            max_frame_size: u64::MAX,
            max_message_size: u64::MAX,
            max_fragments_per_message: u64::MAX,
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

    /// These limits with another most fragments per message.
    pub const fn with_max_fragments_per_message(mut self, fragments: u64) -> Self {
        self.max_fragments_per_message = fragments;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_size: Self::DEFAULT_MAX_FRAME_SIZE,
            max_message_size: Self::DEFAULT_MAX_MESSAGE_SIZE,
            max_fragments_per_message: Self::DEFAULT_MAX_FRAGMENTS_PER_MESSAGE,
        }
    }
}
