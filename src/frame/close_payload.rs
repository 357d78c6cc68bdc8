//! The close frame's payload (RFC 6455 §5.5.1): a received one decoded into its code and
//! reason with every check the RFC asks for, and one built for sending.

use bytes::Bytes;

use crate::close_code::CloseReason;
use crate::constants::MAX_PAYLOAD_NORMAL;
use crate::error::{ParseFailed, SendError};
use crate::text::Utf8Bytes;

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
    let code = CloseReason::new(u16::from_be_bytes([hi, lo]));
    if !code.is_in_wire_range() {
        return Err(ParseFailed::protocol(format!(
            "close frame with code {}: valid codes are 1000-4999 (RFC 6455 §7.4.2)",
            code.code()
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
            code.code()
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
) -> Result<Vec<u8>, SendError> {
    let code = code.filter(|c| *c != CloseReason::NO_STATUS_RCVD);
    let reason = reason.unwrap_or("");
    let Some(mut code) = code else {
        if !reason.is_empty() {
            return Err(SendError::ReasonWithoutCode);
        }
        return Ok(Vec::new());
    };
    if code.is_local_only() {
        code = CloseReason::NORMAL_CLOSURE;
    }
    let reason = truncate_utf8(reason, MAX_PAYLOAD_NORMAL as usize - 2);
    let mut payload = Vec::with_capacity(2 + reason.len());
    payload.extend_from_slice(&code.code().to_be_bytes());
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
            Err(SendError::ReasonWithoutCode)
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
