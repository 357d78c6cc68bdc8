//! Close codes (RFC 6455 §7.4) and the close frame's payload (RFC 6455 §5.5.1).

use std::fmt;

use bytes::Bytes;

use crate::constants::{
    MAX_CLOSE_REASON, MAX_PAYLOAD_NORMAL, MAX_PROTOCOL_CLOSE_REASON, MIN_CLOSE_REASON,
};
use crate::error::ParseFailed;
use crate::text::Utf8Bytes;

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
        self.0 >= MIN_CLOSE_REASON
            && self.0 <= MAX_CLOSE_REASON
            && !self.is_local_only()
            && (self.0 > MAX_PROTOCOL_CLOSE_REASON || self.name().is_some())
    }
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

/// Decodes a received close frame's payload into its code and reason (RFC 6455 §5.5.1),
/// applying the same checks as Python wsproto. An empty payload means "no status" (1005).
pub(crate) fn parse_close_payload(data: Bytes) -> Result<(CloseReason, Utf8Bytes), ParseFailed> {
    if data.is_empty() {
        // "If this Close control frame contains no status code, _The WebSocket Connection
        // Close Code_ is considered to be 1005." (RFC 6455 §7.1.5)
        return Ok((CloseReason::NO_STATUS_RCVD, Utf8Bytes::default()));
    }
    let [hi, lo, ..] = data[..] else {
        return Err(ParseFailed::protocol(
            "close frame with a 1-byte payload: the code needs 2 bytes (RFC 6455 §5.5.1)",
        ));
    };
    let code = CloseReason(u16::from_be_bytes([hi, lo]));
    if !(MIN_CLOSE_REASON..=MAX_CLOSE_REASON).contains(&code.0) {
        return Err(ParseFailed::protocol(format!(
            "close frame with code {}: valid codes are 1000-4999 (RFC 6455 §7.4.2)",
            code.0
        )));
    }
    if code.is_local_only() {
        return Err(ParseFailed::protocol(format!(
            "close frame with code {code}, which is for local use only (RFC 6455 §7.4.1)"
        )));
    }
    if !code.is_valid_on_wire() {
        return Err(ParseFailed::protocol(format!(
            "close frame with code {}, reserved for the protocol but not defined (RFC 6455 §7.4.2)",
            code.0
        )));
    }
    let reason = Utf8Bytes::try_from(data.slice(2..)).map_err(|e| {
        ParseFailed::new(
            format!("close frame reason is not valid UTF-8: {e} (RFC 6455 §5.5.1)"),
            CloseReason::INVALID_FRAME_PAYLOAD_DATA,
        )
    })?;
    Ok((code, reason))
}

/// Appends a close frame's payload for sending (RFC 6455 §5.5.1), following Python wsproto:
/// `NO_STATUS_RCVD` sends no code, the other local-only codes become `NORMAL_CLOSURE`, and the
/// reason is cut to fit the 125-byte control payload without splitting a character.
pub(crate) fn close_payload(
    code: Option<CloseReason>,
    reason: Option<&str>,
) -> Result<Vec<u8>, crate::SendError> {
    let code = code.filter(|c| *c != CloseReason::NO_STATUS_RCVD);
    let reason = reason.unwrap_or("");
    let Some(mut code) = code else {
        if !reason.is_empty() {
            return Err(crate::SendError::ReasonWithoutCode);
        }
        return Ok(Vec::new());
    };
    if code.is_local_only() {
        code = CloseReason::NORMAL_CLOSURE;
    }
    let reason = truncate_utf8(reason, MAX_PAYLOAD_NORMAL as usize - 2);
    let mut payload = Vec::with_capacity(2 + reason.len());
    payload.extend_from_slice(&code.0.to_be_bytes());
    payload.extend_from_slice(reason.as_bytes());
    Ok(payload)
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn truncate_utf8(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let end = (0..=max)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Result<(CloseReason, Utf8Bytes), ParseFailed> {
        parse_close_payload(Bytes::copy_from_slice(bytes))
    }

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

    #[test]
    fn empty_payload_is_no_status() {
        assert_eq!(
            parse(b"").unwrap(),
            (CloseReason::NO_STATUS_RCVD, Utf8Bytes::default())
        );
    }

    #[test]
    fn rejects_each_invalid_payload_with_its_code() {
        let cases: [(&[u8], CloseReason); 7] = [
            (b"\x03", CloseReason::PROTOCOL_ERROR),
            (b"\x03\xe7", CloseReason::PROTOCOL_ERROR), // 999
            (b"\x13\x88", CloseReason::PROTOCOL_ERROR), // 5000
            (b"\x03\xed", CloseReason::PROTOCOL_ERROR), // 1005, local only
            (b"\x03\xee", CloseReason::PROTOCOL_ERROR), // 1006, local only
            (b"\x03\xf6", CloseReason::PROTOCOL_ERROR), // 1014, reserved, undefined
            (b"\x03\xe8\xff", CloseReason::INVALID_FRAME_PAYLOAD_DATA),
        ];
        for (payload, code) in cases {
            assert_eq!(parse(payload).unwrap_err().code(), code, "{payload:?}");
        }
    }

    #[test]
    fn accepts_code_and_reason() {
        let (code, reason) = parse(b"\x0f\xa0bye \xc3\xa9").unwrap();
        assert_eq!((code, reason.as_str()), (CloseReason::new(4000), "bye é"));
    }

    #[test]
    fn close_payload_follows_the_seed() {
        assert_eq!(close_payload(None, None).unwrap(), b"");
        assert_eq!(
            close_payload(Some(CloseReason::NO_STATUS_RCVD), None).unwrap(),
            b""
        );
        assert!(matches!(
            close_payload(None, Some("x")),
            Err(crate::SendError::ReasonWithoutCode)
        ));
        assert_eq!(
            close_payload(Some(CloseReason::ABNORMAL_CLOSURE), None).unwrap(),
            b"\x03\xe8"
        );
        assert_eq!(
            close_payload(Some(CloseReason::new(4001)), Some("hi")).unwrap(),
            b"\x0f\xa1hi"
        );
    }

    #[test]
    fn long_reasons_are_cut_on_a_character_boundary() {
        let reason = "é".repeat(100); // 200 bytes of 2-byte characters
        let payload = close_payload(Some(CloseReason::NORMAL_CLOSURE), Some(&reason)).unwrap();
        assert_eq!(payload.len(), 2 + 122);
        assert!(std::str::from_utf8(&payload[2..]).is_ok());
        assert_eq!(truncate_utf8("abc", 2), "ab");
        assert_eq!(truncate_utf8("a€", 3), "a");
    }
}
