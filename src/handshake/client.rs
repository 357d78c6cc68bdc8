//! The client's side of the opening handshake: the upgrade request (RFC 6455 §4.1) and the
//! checks on the server's answer (RFC 6455 §4.1, "the client MUST validate the server's
//! response").

use crate::constants::WEBSOCKET_VERSION;
use crate::ext::AnswerError;
use crate::ext::ExtensionList;
use crate::handshake::accept_key::{accept_token, new_key};
use crate::handshake::body::BodyReader;
use crate::handshake::http::{ResponseHead, header, header_values, write_fields};
use crate::handshake::{
    AcceptConnection, LocalHandshakeError, RejectConnection, RemoteHandshakeError,
    RemoteProtocolError, Request,
};
use crate::token_list::{has_token, split_comma_header};

/// What the client sent that the answer must match.
#[derive(Debug)]
pub(crate) struct ClientOffer {
    key: String,
    subprotocols: Vec<String>,
    /// A bit per extension of the list that made an offer.
    offered: u8,
}

/// The server's answer.
#[derive(Debug)]
pub(crate) enum ResponseOutcome {
    /// 101 and every check passed.
    Accepted(AcceptConnection),
    /// Any other status; a body follows if the reader is present.
    Rejected(RejectConnection, Option<BodyReader>),
}

/// Appends the upgrade request (RFC 6455 §4.1) to `out`.
pub(crate) fn write_request<E: ExtensionList>(
    request: &Request,
    extensions: &mut E,
    out: &mut Vec<u8>,
) -> Result<ClientOffer, LocalHandshakeError> {
    check_text("target", &request.target)?;
    check_text("host", &request.host)?;
    let key = new_key().map_err(|e| LocalHandshakeError::NoRandomKey {
        reason: e.to_string(),
    })?;
    let mut offers = String::new();
    let offered = extensions.offer_all(&mut offers);
    let subprotocols = request.subprotocols.join(", ");
    out.extend_from_slice(format!("GET {} HTTP/1.1\r\n", request.target).as_bytes());
    let mut fields: Vec<(&str, &[u8])> = vec![
        ("Host", request.host.as_bytes()),
        ("Upgrade", b"websocket"),
        ("Connection", b"Upgrade"),
        ("Sec-WebSocket-Key", key.as_bytes()),
        ("Sec-WebSocket-Version", WEBSOCKET_VERSION.as_bytes()),
    ];
    if !request.subprotocols.is_empty() {
        fields.push(("Sec-WebSocket-Protocol", subprotocols.as_bytes()));
    }
    if !offers.is_empty() {
        fields.push(("Sec-WebSocket-Extensions", offers.as_bytes()));
    }
    for (name, value) in &request.extra_headers {
        check_field(name, value)?;
        fields.push((name, value));
    }
    write_fields(out, fields);
    out.extend_from_slice(b"\r\n");
    Ok(ClientOffer {
        key,
        subprotocols: request.subprotocols.clone(),
        offered,
    })
}

/// Checks the server's answer (RFC 6455 §4.1, in Python wsproto's order) and finalizes the
/// extensions it accepted.
pub(crate) fn process_response<E: ExtensionList>(
    head: ResponseHead,
    offer: &ClientOffer,
    extensions: &mut E,
) -> Result<ResponseOutcome, RemoteProtocolError> {
    if head.status != 101 {
        let informational = (100..200).contains(&head.status);
        let has_body = !informational && head.status != 204 && head.status != 304;
        let body = if has_body {
            Some(BodyReader::for_response(&head.headers).ok_or_else(|| {
                fail(RemoteHandshakeError::MalformedBody {
                    reason: "an invalid Content-Length".into(),
                })
            })?)
        } else {
            None
        };
        let event = RejectConnection {
            status_code: head.status,
            headers: head.headers,
            has_body,
        };
        return Ok(ResponseOutcome::Rejected(event, body));
    }
    let headers = &head.headers;
    if !header(headers, "connection").is_some_and(|v| has_token(v, "upgrade")) {
        return Err(fail(RemoteHandshakeError::MissingHeader {
            header: "Connection: Upgrade",
        }));
    }
    if !header(headers, "upgrade").is_some_and(|v| v.eq_ignore_ascii_case(b"websocket")) {
        return Err(fail(RemoteHandshakeError::MissingHeader {
            header: "Upgrade: websocket",
        }));
    }
    let expected = accept_token(&offer.key);
    if header(headers, "sec-websocket-accept") != Some(expected.as_bytes()) {
        return Err(fail(RemoteHandshakeError::AcceptMismatch));
    }
    let subprotocol = match header(headers, "sec-websocket-protocol") {
        None => None,
        Some(value) => {
            let chosen = String::from_utf8_lossy(value).trim().to_owned();
            if !offer.subprotocols.contains(&chosen) {
                return Err(fail(RemoteHandshakeError::UnofferedSubprotocol {
                    subprotocol: chosen,
                }));
            }
            Some(chosen)
        }
    };
    let mut accepted = Vec::new();
    let mut answered = 0;
    for value in header_values(headers, "sec-websocket-extensions") {
        for element in split_comma_header(value) {
            extensions
                .finalize_answer(element, offer.offered, &mut answered)
                .map_err(|error| fail(answer_error(error)))?;
            accepted.push(element.to_owned());
        }
    }
    let extra_headers = head
        .headers
        .into_iter()
        .filter(|(name, _)| {
            ![
                "connection",
                "upgrade",
                "sec-websocket-accept",
                "sec-websocket-protocol",
                "sec-websocket-extensions",
            ]
            .iter()
            .any(|skip| name.eq_ignore_ascii_case(skip))
        })
        .collect();
    Ok(ResponseOutcome::Accepted(AcceptConnection {
        subprotocol,
        extensions: accepted,
        extra_headers,
    }))
}

/// The handshake error for an extension answer the client refuses (RFC 6455 §9.1).
fn answer_error(error: AnswerError) -> RemoteHandshakeError {
    match error {
        AnswerError::NotOffered(name) => RemoteHandshakeError::UnofferedExtension { name },
        AnswerError::AnsweredTwice(name) => RemoteHandshakeError::ExtensionAnsweredTwice { name },
        AnswerError::Refused(error) => RemoteHandshakeError::Extension(error),
    }
}

fn fail(cause: RemoteHandshakeError) -> RemoteProtocolError {
    RemoteProtocolError::on_client(cause)
}

/// Refuses text that would break the request line or a field (CR, LF, or spaces in a
/// target), so application strings cannot inject headers.
pub(crate) fn check_text(field: &'static str, text: &str) -> Result<(), LocalHandshakeError> {
    if text.is_empty() || text.bytes().any(|b| b == b'\r' || b == b'\n' || b == b' ') {
        return Err(LocalHandshakeError::InvalidRequestText {
            field,
            text: text.to_owned(),
        });
    }
    Ok(())
}

/// Refuses a header field whose name is not a token or whose value holds CR or LF.
pub(crate) fn check_field(name: &str, value: &[u8]) -> Result<(), LocalHandshakeError> {
    let name_ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
    if !name_ok || value.iter().any(|&b| b == b'\r' || b == b'\n') {
        return Err(LocalHandshakeError::InvalidHeaderField {
            name: name.to_owned(),
        });
    }
    Ok(())
}
