//! [`ServerUpgrade`]: a WebSocket upgrade that another HTTP server parsed (hyper, axum, any
//! router): the request's checks (RFC 6455 §4.2.1), then the 101's header fields (§4.2.2)
//! for that server to send, and the open connection for the upgraded stream.

use crate::connection::{Connection, LocalProtocolError};
use crate::ext::ExtensionList;
use crate::handshake::http::RequestHead;
use crate::handshake::server::{accept_fields, process_request};
use crate::handshake::{AcceptConnection, Headers, RemoteProtocolError, Request};
use crate::limits::Limits;
use crate::role::Server;

/// A valid upgrade request, parsed by another HTTP server, waiting for the application's
/// decision.
///
/// ```
/// use wsproto::connection::ServerUpgrade;
/// use wsproto::events::AcceptConnection;
///
/// // What an HTTP server (hyper, axum, ...) parsed.
/// let headers = vec![
///     ("Host".to_owned(), b"example.com".to_vec()),
///     ("Upgrade".to_owned(), b"websocket".to_vec()),
///     ("Connection".to_owned(), b"Upgrade".to_vec()),
///     ("Sec-WebSocket-Key".to_owned(), b"dGhlIHNhbXBsZSBub25jZQ==".to_vec()),
///     ("Sec-WebSocket-Version".to_owned(), b"13".to_vec()),
/// ];
/// let upgrade = ServerUpgrade::new("GET", "/chat", headers, ())?;
/// assert_eq!(upgrade.request().target, "/chat");
/// let (response_headers, connection) = upgrade.accept(AcceptConnection::default())?;
/// // The server answers 101 with these fields, then runs `connection` over the stream.
/// assert!(response_headers.contains(&(
///     "Sec-WebSocket-Accept".to_owned(),
///     b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".to_vec()
/// )));
/// # let _ = connection;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ServerUpgrade<E: ExtensionList = ()> {
    request: Request,
    key: String,
    extensions: E,
    limits: Limits,
}

impl<E: ExtensionList> ServerUpgrade<E> {
    /// Checks a parsed request: a GET with the headers of RFC 6455 §4.2.1. On an error,
    /// its [`event_hint`](RemoteProtocolError::event_hint) is the rejection to answer with
    /// (400, or 426 with the supported version).
    pub fn new(
        method: &str,
        target: &str,
        headers: Headers,
        extensions: E,
    ) -> Result<Self, RemoteProtocolError> {
        let head = RequestHead {
            method: method.to_owned(),
            target: target.to_owned(),
            headers,
        };
        let (request, key) = process_request(head)?;
        Ok(ServerUpgrade {
            request,
            key,
            extensions,
            limits: Limits::default(),
        })
    }

    /// With these limits for the connection.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The request: target, host, subprotocols and extensions offered, other headers.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Accepts: the 101 response's header fields for the HTTP server to send, and the
    /// connection to run over the upgraded stream, with the extensions that accepted an
    /// offer enabled.
    pub fn accept(
        mut self,
        accept: AcceptConnection,
    ) -> Result<(Headers, Connection<Server, E>), LocalProtocolError> {
        let fields = accept_fields(&self.request, &self.key, &accept, &mut self.extensions)?;
        Ok((
            fields,
            Connection::with_limits(self.extensions, self.limits),
        ))
    }
}
