//! The HTTP/1.1 messages of the opening handshake (RFC 6455 §4.1, §4.2): parsed with
//! `httparse` from a bounded buffer, and written out.

use std::fmt::Write as _;

use crate::handshake::{HandshakeLimits, Headers, RemoteHandshakeError};

/// A parsed request head.
#[derive(Debug)]
pub(crate) struct RequestHead {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) headers: Headers,
}

/// A parsed response head.
#[derive(Debug)]
pub(crate) struct ResponseHead {
    pub(crate) status: u16,
    pub(crate) headers: Headers,
}

/// Whether `buf` holds the blank line that ends a head, looking only at what follows
/// `scanned` bytes already searched (and the 2 before them, where the line may have
/// started). The handshake calls this on every read and parses only once it is true, so a
/// head trickled in byte by byte costs linear time, not a re-parse per byte (tungstenite
/// RUSTSEC-2023-0065). Bare `\n\n` counts too, as httparse accepts it.
pub(crate) fn has_head_end(buf: &[u8], scanned: usize) -> bool {
    let from = scanned.saturating_sub(2);
    buf.get(from..).is_some_and(|window| {
        window.windows(2).any(|w| w == b"\n\n") || window.windows(3).any(|w| w == b"\n\r\n")
    })
}

/// Refuses a buffer that grew past the limit without completing its head.
pub(crate) fn check_partial(
    buf: &[u8],
    limits: &HandshakeLimits,
) -> Result<(), RemoteHandshakeError> {
    check_size(buf.len(), limits)
}

/// Parses a request head from `buf`: `Ok(None)` if incomplete, else the head and its length.
pub(crate) fn parse_request(
    buf: &[u8],
    limits: &HandshakeLimits,
) -> Result<Option<(RequestHead, usize)>, RemoteHandshakeError> {
    let mut fields = vec![httparse::EMPTY_HEADER; limits.max_headers];
    let mut request = httparse::Request::new(&mut fields);
    let status = request.parse(buf).map_err(|e| map_error(e, limits))?;
    let httparse::Status::Complete(len) = status else {
        return incomplete(buf, limits);
    };
    check_size(len, limits)?;
    if request.version != Some(1) {
        return Err(RemoteHandshakeError::MalformedHead {
            reason: "the opening handshake must be HTTP/1.1 (RFC 6455 §4.1)".into(),
        });
    }
    let head = RequestHead {
        method: request.method.unwrap_or_default().to_owned(),
        target: request.path.unwrap_or_default().to_owned(),
        headers: owned(request.headers),
    };
    Ok(Some((head, len)))
}

/// Parses a response head from `buf`: `Ok(None)` if incomplete, else the head and its length.
pub(crate) fn parse_response(
    buf: &[u8],
    limits: &HandshakeLimits,
) -> Result<Option<(ResponseHead, usize)>, RemoteHandshakeError> {
    let mut fields = vec![httparse::EMPTY_HEADER; limits.max_headers];
    let mut response = httparse::Response::new(&mut fields);
    let status = response.parse(buf).map_err(|e| map_error(e, limits))?;
    let httparse::Status::Complete(len) = status else {
        return incomplete(buf, limits);
    };
    check_size(len, limits)?;
    if response.version != Some(1) {
        return Err(RemoteHandshakeError::MalformedHead {
            reason: "the handshake response must be HTTP/1.1 (RFC 6455 §4.1)".into(),
        });
    }
    let head = ResponseHead {
        status: response.code.unwrap_or_default(),
        headers: owned(response.headers),
    };
    Ok(Some((head, len)))
}

fn incomplete<T>(buf: &[u8], limits: &HandshakeLimits) -> Result<Option<T>, RemoteHandshakeError> {
    check_size(buf.len(), limits)?;
    Ok(None)
}

fn check_size(len: usize, limits: &HandshakeLimits) -> Result<(), RemoteHandshakeError> {
    if len > limits.max_size {
        return Err(RemoteHandshakeError::HeadTooLarge {
            limit: limits.max_size,
        });
    }
    Ok(())
}

fn map_error(error: httparse::Error, limits: &HandshakeLimits) -> RemoteHandshakeError {
    match error {
        httparse::Error::TooManyHeaders => RemoteHandshakeError::TooManyHeaders {
            limit: limits.max_headers,
        },
        other => RemoteHandshakeError::MalformedHead {
            reason: other.to_string(),
        },
    }
}

fn owned(fields: &[httparse::Header<'_>]) -> Headers {
    fields
        .iter()
        .take_while(|f| !f.name.is_empty())
        .map(|f| (f.name.to_owned(), f.value.to_vec()))
        .collect()
}

/// The value of the first field named `name` (ASCII case-insensitive).
pub(crate) fn header<'h>(headers: &'h Headers, name: &str) -> Option<&'h [u8]> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// The values of every field named `name`, as text (non-UTF-8 values are skipped).
pub(crate) fn header_values<'h>(
    headers: &'h Headers,
    name: &'h str,
) -> impl Iterator<Item = &'h str> + 'h {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .filter_map(|(_, v)| std::str::from_utf8(v).ok())
}

/// Appends `Name: value\r\n` lines.
pub(crate) fn write_fields<'a>(
    out: &mut Vec<u8>,
    fields: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) {
    for (name, value) in fields {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
}

/// Appends a status line (RFC 7230 §3.1.2).
pub(crate) fn write_status_line(out: &mut Vec<u8>, status: u16) {
    let mut line = String::new();
    let _ = write!(line, "HTTP/1.1 {status} {}\r\n", reason_phrase(status));
    out.extend_from_slice(line.as_bytes());
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUEST: &[u8] =
        b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\r\nextra";

    #[test]
    fn parses_a_request_at_every_split() {
        let limits = HandshakeLimits::default();
        let head_len = REQUEST.len() - 5;
        for cut in 0..head_len {
            assert!(
                parse_request(&REQUEST[..cut], &limits).unwrap().is_none(),
                "cut {cut}"
            );
        }
        let (head, len) = parse_request(REQUEST, &limits).unwrap().unwrap();
        assert_eq!(
            (head.method.as_str(), head.target.as_str(), len),
            ("GET", "/chat", head_len)
        );
        assert_eq!(header(&head.headers, "UPGRADE"), Some(&b"websocket"[..]));
    }

    #[test]
    fn the_end_of_a_head_is_found_wherever_the_reads_split_it() {
        let head = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";
        for cut in 0..head.len() {
            assert!(
                !has_head_end(&head[..cut], 0) || cut == head.len(),
                "cut {cut}"
            );
            assert!(has_head_end(head, cut), "scanned {cut}");
        }
        assert!(has_head_end(b"GET / HTTP/1.1\nHost: h\n\n", 10));
        assert!(!has_head_end(b"GET / HTTP/1.1\r\nHost: h\r\n", 0));
    }

    #[test]
    fn refuses_oversized_heads_and_too_many_fields() {
        let limits = HandshakeLimits {
            max_size: 64,
            max_headers: 2,
        };
        let long = [b"GET / HTTP/1.1\r\nX: ".as_slice(), &[b'a'; 100]].concat();
        assert_eq!(
            parse_request(&long, &limits).unwrap_err(),
            RemoteHandshakeError::HeadTooLarge { limit: 64 }
        );
        let many = b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
        assert_eq!(
            parse_request(many, &limits).unwrap_err(),
            RemoteHandshakeError::TooManyHeaders { limit: 2 }
        );
        let old = b"GET / HTTP/1.0\r\n\r\n";
        assert!(matches!(
            parse_request(old, &limits),
            Err(RemoteHandshakeError::MalformedHead { .. })
        ));
    }
}
