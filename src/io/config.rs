//! The settings of a connection over a transport: the protocol's limits, and the deadlines
//! and buffer bounds that only a layer with a clock and a socket can enforce.

use std::time::Duration;

use crate::connection::PingPolicy;
use crate::handshake::HandshakeLimits;
use crate::limits::Limits;

/// How a connection over a transport behaves. Every field has a default a server on the
/// open internet can use; change them with the `with_` methods.
///
/// ```
/// use std::time::Duration;
/// use wsproto::io::Config;
/// let config = Config::default().with_handshake_timeout(Duration::from_secs(5));
/// assert_eq!(config.handshake_timeout, Duration::from_secs(5));
/// assert_eq!(config.close_timeout, Duration::from_secs(5));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Frame and message limits for what the peer sends. Messages are delivered whole, so
    /// [`Limits::max_message_size`] bounds what one message can make the connection hold.
    pub limits: Limits,
    /// The largest request or response head (a server answers 431 past it).
    pub handshake_limits: HandshakeLimits,
    /// The whole opening handshake must finish within this time, however slowly its bytes
    /// come (default 10 s). A peer that trickles a head byte by byte is cut off at it.
    pub handshake_timeout: Duration,
    /// After our close frame, how long to wait for the peer's before closing the transport
    /// anyway (RFC 6455 §7.1.1; default 5 s).
    pub close_timeout: Duration,
    /// Sending waits while more than this many bytes are queued for the transport
    /// (default 64 KiB): a peer that stops reading makes the sender wait instead of the
    /// queue grow.
    pub send_buffer_high_water: usize,
    /// Deliver text and binary messages in pieces ([`Message::TextPiece`],
    /// [`Message::BinaryPiece`]) as their bytes arrive, instead of whole (default `false`).
    /// For messages too large to hold: the connection then keeps none of a message's
    /// payload, and [`Limits::max_message_size`] still bounds each message (raise it to
    /// stream more).
    ///
    /// [`Message::TextPiece`]: crate::io::Message::TextPiece
    /// [`Message::BinaryPiece`]: crate::io::Message::BinaryPiece
    pub message_pieces: bool,
    /// How pings are answered. The default, [`PingPolicy::AnswerLatest`], answers every
    /// ping while the peer reads what we write, and keeps one pong, for the latest ping,
    /// while it does not: a ping flood against a stalled writer holds 125 bytes.
    pub ping_policy: PingPolicy,
    /// Send a ping at this interval while the connection is read, and give up on the peer
    /// (close with 1011, [`Error::KeepaliveTimeout`](crate::io::Error::KeepaliveTimeout)) if
    /// a ping is still unanswered when the next is due. `None` (the default): no pings.
    pub keepalive: Option<Duration>,
    /// After this long without a message either way, free the state the connection can
    /// rebuild (permessage-deflate's zlib state, up to 415 KiB; see
    /// [`FrameProtocol::release_idle_memory`](crate::FrameProtocol::release_idle_memory)),
    /// so that a connection that went quiet holds only its windows (default 1 s). `None`:
    /// keep it for the connection's life. The tokio driver does this while its reader
    /// waits; a blocking connection is released with
    /// [`blocking::WebSocket::release_idle_memory`](crate::io::blocking::WebSocket::release_idle_memory).
    pub release_idle_memory_after: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            limits: Limits::default(),
            handshake_limits: HandshakeLimits::default(),
            handshake_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(5),
            send_buffer_high_water: 64 << 10,
            message_pieces: false,
            ping_policy: PingPolicy::AnswerLatest,
            keepalive: None,
            release_idle_memory_after: Some(Duration::from_secs(1)),
        }
    }
}

impl Config {
    /// These frame and message limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// These handshake size limits.
    pub fn with_handshake_limits(mut self, limits: HandshakeLimits) -> Self {
        self.handshake_limits = limits;
        self
    }

    /// This deadline for the whole opening handshake.
    pub fn with_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// This wait for the peer's close after ours.
    pub fn with_close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// This bound on the bytes queued for the transport before sending waits.
    pub fn with_send_buffer_high_water(mut self, bytes: usize) -> Self {
        self.send_buffer_high_water = bytes;
        self
    }

    /// A keepalive ping at this interval.
    pub fn with_keepalive(mut self, interval: Duration) -> Self {
        self.keepalive = Some(interval);
        self
    }

    /// This idle time before the rebuildable state is freed (`None`: never).
    pub fn with_release_idle_memory_after(mut self, after: Option<Duration>) -> Self {
        self.release_idle_memory_after = after;
        self
    }

    /// Messages in pieces (`true`) or whole.
    pub fn with_message_pieces(mut self, pieces: bool) -> Self {
        self.message_pieces = pieces;
        self
    }

    /// This ping policy.
    pub fn with_ping_policy(mut self, policy: PingPolicy) -> Self {
        self.ping_policy = policy;
        self
    }
}
