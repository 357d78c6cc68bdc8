//! Comma-separated header lists (RFC 7230 §7), whose elements may contain quoted strings,
//! and case-insensitive tokens: the grammar both extension negotiation (RFC 6455 §9.1) and
//! the opening handshake (§4) read headers with.

use smallvec::SmallVec;

/// Splits a comma-separated header value into trimmed, non-empty elements, keeping commas
/// inside quoted strings (`a; x="1,2", b` is two elements). Linear, no backtracking.
pub(crate) fn split_comma_header(value: &str) -> SmallVec<[&str; 4]> {
    let mut parts = SmallVec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                push_trimmed(&mut parts, &value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    push_trimmed(&mut parts, &value[start..]);
    parts
}

fn push_trimmed<'a>(parts: &mut SmallVec<[&'a str; 4]>, part: &'a str) {
    let part = part.trim();
    if !part.is_empty() {
        parts.push(part);
    }
}

/// Whether a comma-separated header value contains `token`, ignoring ASCII case
/// (`Connection: keep-alive, Upgrade` contains `upgrade`).
pub(crate) fn has_token(value: &[u8], token: &str) -> bool {
    std::str::from_utf8(value).is_ok_and(|v| {
        split_comma_header(v)
            .iter()
            .any(|t| t.eq_ignore_ascii_case(token))
    })
}

/// The extension name of one `Sec-WebSocket-Extensions` element: the text before the first
/// `;` (RFC 6455 §9.1).
pub(crate) fn extension_name(element: &str) -> &str {
    element.split(';').next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lists_and_respects_quotes() {
        assert_eq!(split_comma_header("a, b ,,c")[..], ["a", "b", "c"]);
        assert_eq!(
            split_comma_header(r#"x; p="1,2", y"#)[..],
            [r#"x; p="1,2""#, "y"]
        );
        assert_eq!(
            split_comma_header(r#"x; p="a\",b", y"#)[..],
            [r#"x; p="a\",b""#, "y"]
        );
        assert!(split_comma_header(" , ").is_empty());
    }

    #[test]
    fn tokens_match_case_insensitively() {
        assert!(has_token(b"keep-alive, Upgrade", "upgrade"));
        assert!(!has_token(b"keep-alive, Upgraded", "upgrade"));
        assert!(!has_token(b"\xff", "upgrade"));
        assert_eq!(
            extension_name("permessage-deflate; x=1"),
            "permessage-deflate"
        );
    }

    #[test]
    fn a_pathological_value_splits_in_linear_time() {
        // Node ws CVE-2021-32640: a header built to make a regex backtrack.
        // One pass over the bytes whatever their shape, so this returns at once.
        let value = format!("a{}", ";,\"".repeat(100_000));
        assert_eq!(split_comma_header(&value).len(), 50_001);
    }
}
