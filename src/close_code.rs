//! Close codes (RFC 6455 §7.4): the named codes, which ones are only reported locally, and
//! which a close frame may carry.

use std::fmt;

/// A close code (RFC 6455 §7.4): one of the named codes below or any other `u16`, such as
/// the 3000-4999 codes applications use.
///
/// ```
/// use wsproto::CloseReason;
/// assert_eq!(CloseReason::from(1000), CloseReason::NORMAL_CLOSURE);
/// assert_eq!(u16::from(CloseReason::MESSAGE_TOO_BIG), 1009);
/// assert_eq!(CloseReason::new(4000).to_string(), "4000");
/// assert_eq!(CloseReason::GOING_AWAY.to_string(), "1001 (GOING_AWAY)");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CloseReason(u16);

macro_rules! close_reasons {
    ($($(#[$doc:meta])* $name:ident = $code:literal;)*) => {
        impl CloseReason {
            $($(#[$doc])* pub const $name: CloseReason = CloseReason($code);)*

            /// The constant's name for the codes RFC 6455 §7.4.1 and IANA name, else `None`.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($code => Some(stringify!($name)),)*
                    _ => None,
                }
            }
        }
    };
}

close_reasons! {
    /// 1000: the purpose of the connection has been fulfilled (RFC 6455 §7.4.1).
    NORMAL_CLOSURE = 1000;
    /// 1001: the endpoint is going away, e.g. a server shutting down (RFC 6455 §7.4.1).
    GOING_AWAY = 1001;
    /// 1002: the peer broke the protocol (RFC 6455 §7.4.1).
    PROTOCOL_ERROR = 1002;
    /// 1003: a data type the endpoint cannot accept (RFC 6455 §7.4.1).
    UNSUPPORTED_DATA = 1003;
    /// 1005: local only, the close frame carried no code (RFC 6455 §7.4.1).
    NO_STATUS_RCVD = 1005;
    /// 1006: local only, the connection ended without a close frame (RFC 6455 §7.4.1).
    ABNORMAL_CLOSURE = 1006;
    /// 1007: message data inconsistent with its type, e.g. invalid UTF-8 (RFC 6455 §7.4.1).
    INVALID_FRAME_PAYLOAD_DATA = 1007;
    /// 1008: a message violated the endpoint's policy (RFC 6455 §7.4.1).
    POLICY_VIOLATION = 1008;
    /// 1009: a message too big to process (RFC 6455 §7.4.1).
    MESSAGE_TOO_BIG = 1009;
    /// 1010: the client expected an extension the server did not negotiate (RFC 6455 §7.4.1).
    MANDATORY_EXT = 1010;
    /// 1011: the server met an unexpected condition (RFC 6455 §7.4.1).
    INTERNAL_ERROR = 1011;
    /// 1012: the service is restarting (IANA registry, not in RFC 6455).
    SERVICE_RESTART = 1012;
    /// 1013: try again later, e.g. overload (IANA registry, not in RFC 6455).
    TRY_AGAIN_LATER = 1013;
    /// 1015: local only, the TLS handshake failed (RFC 6455 §7.4.1).
    TLS_HANDSHAKE_FAILED = 1015;
}

impl CloseReason {
    /// Wraps any code; nothing is checked (use [`CloseReason::is_valid_on_wire`] for that).
    pub const fn new(code: u16) -> Self {
        CloseReason(code)
    }

    /// The numeric code.
    pub const fn code(self) -> u16 {
        self.0
    }

    /// Whether this code is only reported locally and never sent (RFC 6455 §7.4.1).
    pub const fn is_local_only(self) -> bool {
        matches!(self.0, 1005 | 1006 | 1015)
    }

    /// Whether a received close frame may carry this code: 1000-4999, not local-only, and
    /// in 1000-2999 only the codes named above (RFC 6455 §7.4.2, as Python wsproto checks).
    pub const fn is_valid_on_wire(self) -> bool {
        self.is_in_wire_range()
            && !self.is_local_only()
            && (self.0 > Self::LAST_PROTOCOL_CODE || self.name().is_some())
    }

    /// Whether the code is in 1000-4999, the range RFC 6455 §7.4.2 gives close frames.
    pub const fn is_in_wire_range(self) -> bool {
        self.0 >= Self::FIRST_WIRE_CODE && self.0 <= Self::LAST_WIRE_CODE
    }

    /// Smallest code a close frame may carry (RFC 6455 §7.4.2).
    pub(crate) const FIRST_WIRE_CODE: u16 = 1000;
    /// Largest code a close frame may carry (RFC 6455 §7.4.2).
    pub(crate) const LAST_WIRE_CODE: u16 = 4999;
    /// Last code of the range the protocol reserves for itself (RFC 6455 §7.4.2).
    pub(crate) const LAST_PROTOCOL_CODE: u16 = 2999;
}

impl From<u16> for CloseReason {
    fn from(code: u16) -> Self {
        CloseReason(code)
    }
}

impl From<CloseReason> for u16 {
    fn from(reason: CloseReason) -> Self {
        reason.0
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Debug for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "CloseReason::{name}"),
            None => write!(f, "CloseReason({})", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_codes_round_trip_through_u16() {
        for code in 0..=u16::MAX {
            assert_eq!(u16::from(CloseReason::from(code)), code);
        }
        assert_eq!(CloseReason::TLS_HANDSHAKE_FAILED.code(), 1015);
        assert_eq!(CloseReason::new(1014).name(), None);
        assert_eq!(format!("{:?}", CloseReason::new(3000)), "CloseReason(3000)");
    }

    #[test]
    fn wire_validity_follows_the_seed() {
        let valid: Vec<u16> = (0..=u16::MAX)
            .filter(|c| CloseReason(*c).is_valid_on_wire())
            .collect();
        let named = [
            1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013,
        ];
        assert_eq!(valid[..named.len()], named);
        assert_eq!(valid[named.len()..], (3000..=4999).collect::<Vec<_>>());
    }
}
