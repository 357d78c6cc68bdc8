//! What a connection does with the pings it receives (RFC 6455 §5.5.2, §5.5.3): leave the
//! answer to the application, or keep the pong for the latest ping only, so that a peer
//! flooding pings while nothing is written holds one pong, not one per ping (the unbounded
//! queue of RUSTSEC-2020-0043).

use crate::constants::MAX_PAYLOAD_NORMAL;

/// How a [`Connection`](crate::Connection) answers pings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum PingPolicy {
    /// The application answers each [`Ping`](crate::events::Ping) event, e.g. with its
    /// [`response`](crate::events::Ping::response), as in Python wsproto.
    #[default]
    Manual,
    /// The connection keeps a pong for the most recent ping only (RFC 6455 §5.5.3: "an
    /// endpoint MAY elect to send a Pong frame for only the most recently processed Ping
    /// frame"), and [`take_pong_into`](crate::Connection::take_pong_into) writes it. The
    /// `Ping` events still come out, for the application to see.
    AnswerLatest,
}

/// The pong owed for the latest ping: its payload, copied (at most 125 bytes, §5.5), so
/// that it holds no receive buffer and no heap.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PendingPong {
    payload: [u8; MAX_PAYLOAD_NORMAL as usize],
    len: u8,
}

impl PendingPong {
    /// The pong for a ping with this payload; `None` if the payload is longer than a
    /// control frame's (the frame layer never delivers one).
    pub(crate) fn for_ping(payload: &[u8]) -> Option<Self> {
        let len = u8::try_from(payload.len())
            .ok()
            .filter(|&len| u64::from(len) <= MAX_PAYLOAD_NORMAL)?;
        let mut pong = PendingPong {
            payload: [0; MAX_PAYLOAD_NORMAL as usize],
            len,
        };
        pong.payload[..payload.len()].copy_from_slice(payload);
        Some(pong)
    }

    /// The application data to echo (§5.5.3: "identical Application data").
    pub(crate) fn payload(&self) -> &[u8] {
        &self.payload[..usize::from(self.len)]
    }
}
