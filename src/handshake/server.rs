//! The server's side of the opening handshake: the checks on the client's request
//! (RFC 6455 §4.2.1) and the answer, accepting (§4.2.2) or rejecting.

use crate::constants::WEBSOCKET_VERSION;
use crate::ext::ExtensionList;
use crate::handshake::accept_key::{accept_token, is_valid_key};
use crate::handshake::client::check_field;
use crate::handshake::http::{RequestHead, header, header_values, write_fields, write_status_line};
use crate::handshake::{
    AcceptConnection, Headers, LocalHandshakeError, RejectConnection, RemoteHandshakeError,
    RemoteProtocolError, Request,
};
use crate::token_list::{has_token, split_comma_header};

/// Checks a request head (RFC 6455 §4.2.1, in Python wsproto's order plus the key's form)
/// and returns the [`Request`] event and the client's key.
pub(crate) fn process_request(head: RequestHead) -> Result<(Request, String), RemoteProtocolError> {
    let headers = &head.headers;
    if head.method != "GET" {
        return Err(reject(RemoteHandshakeError::NotGet {
            method: head.method,
        }));
    }
    if !header(headers, "connection").is_some_and(|v| has_token(v, "upgrade")) {
        return Err(reject(RemoteHandshakeError::MissingHeader {
            header: "Connection: Upgrade",
        }));
    }
    let version = header(headers, "sec-websocket-version");
    if version != Some(WEBSOCKET_VERSION.as_bytes()) {
        return Err(reject(RemoteHandshakeError::UnsupportedVersion {
            version: version.map(|v| String::from_utf8_lossy(v).into_owned()),
        }));
    }
    let Some(key) = header(headers, "sec-websocket-key") else {
        return Err(reject(RemoteHandshakeError::MissingHeader {
            header: "Sec-WebSocket-Key",
        }));
    };
    if !is_valid_key(key) {
        return Err(reject(RemoteHandshakeError::InvalidKey));
    }
    if !header(headers, "upgrade").is_some_and(|v| has_token(v, "websocket")) {
        return Err(reject(RemoteHandshakeError::MissingHeader {
            header: "Upgrade: websocket",
        }));
    }
    let Some(host) = header(headers, "host") else {
        return Err(reject(RemoteHandshakeError::MissingHeader {
            header: "Host",
        }));
    };
    let key = String::from_utf8_lossy(key).into_owned();
    let split = |name| {
        header_values(headers, name)
            .flat_map(split_comma_header)
            .map(str::to_owned)
            .collect()
    };
    let request = Request {
        host: String::from_utf8_lossy(host).into_owned(),
        target: head.target,
        extensions: split("sec-websocket-extensions"),
        subprotocols: split("sec-websocket-protocol"),
        extra_headers: head
            .headers
            .iter()
            .filter(|(name, _)| {
                !["host", "sec-websocket-extensions", "sec-websocket-protocol"]
                    .iter()
                    .any(|s| name.eq_ignore_ascii_case(s))
            })
            .cloned()
            .collect(),
    };
    Ok((request, key))
}

fn reject(cause: RemoteHandshakeError) -> RemoteProtocolError {
    RemoteProtocolError::on_server(cause)
}

/// Appends the 101 answer (RFC 6455 §4.2.2) and lets each extension of the list accept the
/// first offer it can.
pub(crate) fn write_accept<E: ExtensionList>(
    request: &Request,
    key: &str,
    accept: &AcceptConnection,
    extensions: &mut E,
    out: &mut Vec<u8>,
) -> Result<(), LocalHandshakeError> {
    let fields = accept_fields(request, key, accept, extensions)?;
    write_status_line(out, 101);
    write_fields(out, fields.iter().map(|(n, v)| (n.as_str(), v.as_slice())));
    out.extend_from_slice(b"\r\n");
    Ok(())
}

/// The header fields of the 101 answer (RFC 6455 §4.2.2), for [`write_accept`] or for an
/// HTTP server that writes the response itself: the upgrade, the accept token, the chosen
/// subprotocol (which the client must have offered), the extensions that accepted an offer
/// (each extension of the list accepts the first offer it can), and the application's own.
pub(crate) fn accept_fields<E: ExtensionList>(
    request: &Request,
    key: &str,
    accept: &AcceptConnection,
    extensions: &mut E,
) -> Result<Headers, LocalHandshakeError> {
    if let Some(chosen) = accept
        .subprotocol
        .as_ref()
        .filter(|c| !request.subprotocols.contains(c))
    {
        return Err(LocalHandshakeError::UnofferedSubprotocol {
            subprotocol: chosen.clone(),
        });
    }
    for (name, value) in &accept.extra_headers {
        check_field(name, value)?;
    }
    let mut answers = String::new();
    let mut accepted = 0;
    for offer in &request.extensions {
        extensions.accept_offer(offer, &mut accepted, &mut answers);
    }
    let field = |name: &str, value: &[u8]| (name.to_owned(), value.to_vec());
    let mut fields = vec![
        field("Upgrade", b"websocket"),
        field("Connection", b"Upgrade"),
        field("Sec-WebSocket-Accept", accept_token(key).as_bytes()),
    ];
    if let Some(chosen) = &accept.subprotocol {
        fields.push(field("Sec-WebSocket-Protocol", chosen.as_bytes()));
    }
    if !answers.is_empty() {
        fields.push(field("Sec-WebSocket-Extensions", answers.as_bytes()));
    }
    fields.extend(accept.extra_headers.iter().cloned());
    Ok(fields)
}

/// Appends a rejection's head. Returns whether its body must be sent chunked (it has one
/// and the application gave no `Content-Length`).
pub(crate) fn write_reject(
    reject: &RejectConnection,
    out: &mut Vec<u8>,
) -> Result<bool, LocalHandshakeError> {
    for (name, value) in &reject.headers {
        check_field(name, value)?;
    }
    let has_length = reject
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    write_status_line(out, reject.status_code);
    write_fields(
        out,
        reject
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice())),
    );
    let chunked = reject.has_body && !has_length;
    if chunked {
        write_fields(out, [("Transfer-Encoding", &b"chunked"[..])]);
    } else if !reject.has_body && !has_length {
        write_fields(out, [("Content-Length", &b"0"[..])]);
    }
    out.extend_from_slice(b"\r\n");
    Ok(chunked)
}
