//! Errors of the opening handshake (RFC 6455 §4): the peer broke it, or the application
//! asked to send something HTTP or RFC 6455 does not allow. Each cause is a variant, so a
//! caller can match on it; the `Display` text names the header and the section.

use crate::ext::ExtensionError;
use crate::handshake::RejectConnection;

/// The peer's handshake broke RFC 6455 §4. A server should answer with
/// [`event_hint`](RemoteProtocolError::event_hint), the rejection that fits (400, 426 with
/// the supported version, 431, ...); a client should close the transport.
///
/// ```
/// use wsproto::handshake::RemoteHandshakeError;
/// use wsproto::connection::ConnectionError;
/// use wsproto::{Server, WSConnection};
///
/// let mut server = WSConnection::<Server>::new(());
/// let request = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n";
/// let Err(ConnectionError::Remote(error)) = server.receive_data(Some(request)) else {
///     panic!("a request without a key was accepted");
/// };
/// assert_eq!(error.cause, RemoteHandshakeError::MissingHeader { header: "Sec-WebSocket-Key" });
/// assert_eq!(error.event_hint.unwrap().status_code, 400);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{cause}")]
#[non_exhaustive]
pub struct RemoteProtocolError {
    /// What the peer got wrong.
    pub cause: RemoteHandshakeError,
    /// The rejection to send, on a server.
    pub event_hint: Option<RejectConnection>,
}

impl RemoteProtocolError {
    /// The client's error: nothing to answer, the transport is closed.
    pub(crate) fn on_client(cause: RemoteHandshakeError) -> Self {
        RemoteProtocolError {
            cause,
            event_hint: None,
        }
    }

    /// The server's error, with the rejection that fits it.
    pub(crate) fn on_server(cause: RemoteHandshakeError) -> Self {
        let event_hint = Some(cause.rejection());
        RemoteProtocolError { cause, event_hint }
    }
}

/// What about the peer's request or answer broke RFC 6455 §4 or HTTP/1.1.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteHandshakeError {
    /// The request is not a GET (RFC 6455 §4.1).
    #[error("request method {method:?}: the handshake must be a GET (RFC 6455 §4.1)")]
    NotGet {
        /// The method the request used.
        method: String,
    },
    /// A header the handshake needs is absent, or lacks the token it must hold
    /// (RFC 6455 §4.1 for the answer, §4.2.1 for the request).
    #[error("missing header '{header}' (RFC 6455 §4.1, §4.2.1)")]
    MissingHeader {
        /// The header, with its required token where it has one (`"Upgrade: websocket"`).
        header: &'static str,
    },
    /// The request asks for a version other than 13, or none (RFC 6455 §4.2.1).
    #[error(
        "Sec-WebSocket-Version {:?}: only 13 is supported (RFC 6455 §4.2.1)",
        .version.as_deref().unwrap_or_default()
    )]
    UnsupportedVersion {
        /// The version asked for, `None` if the header is absent.
        version: Option<String>,
    },
    /// `Sec-WebSocket-Key` is not the base64 form of 16 bytes (RFC 6455 §4.2.1).
    #[error("Sec-WebSocket-Key is not the base64 form of 16 bytes (RFC 6455 §4.2.1)")]
    InvalidKey,
    /// `Sec-WebSocket-Accept` does not match the key sent (RFC 6455 §4.1).
    #[error("bad Sec-WebSocket-Accept: it does not match the key sent (RFC 6455 §4.1)")]
    AcceptMismatch,
    /// The server chose a subprotocol the client did not offer (RFC 6455 §4.1).
    #[error("the server chose subprotocol {subprotocol:?}, which was not offered (RFC 6455 §4.1)")]
    UnofferedSubprotocol {
        /// The subprotocol the server chose.
        subprotocol: String,
    },
    /// The server accepted an extension the client did not offer (RFC 6455 §9.1).
    #[error("the server accepted extension {name:?}, which was not offered (RFC 6455 §9.1)")]
    UnofferedExtension {
        /// The extension's name.
        name: String,
    },
    /// The server answered one offered extension twice (RFC 6455 §9.1).
    #[error("the server answered extension {name} twice (RFC 6455 §9.1)")]
    ExtensionAnsweredTwice {
        /// The extension's name.
        name: String,
    },
    /// An extension refused the parameters the server accepted it with.
    #[error(transparent)]
    Extension(#[from] ExtensionError),
    /// More than the limit arrived without a complete head (a server answers 431).
    #[error("handshake larger than the limit of {limit} bytes (HandshakeLimits::max_size)")]
    HeadTooLarge {
        /// [`HandshakeLimits::max_size`](crate::handshake::HandshakeLimits::max_size).
        limit: usize,
    },
    /// More header fields than the limit (a server answers 431).
    #[error("more than {limit} header fields in the handshake (HandshakeLimits::max_headers)")]
    TooManyHeaders {
        /// [`HandshakeLimits::max_headers`](crate::handshake::HandshakeLimits::max_headers).
        limit: usize,
    },
    /// The head is not well-formed HTTP/1.1 (RFC 6455 §4.1: "The handshake MUST be a valid
    /// HTTP request as specified by RFC 2616", version 1.1 or later).
    #[error("malformed HTTP message: {reason}")]
    MalformedHead {
        /// What the HTTP parser objected to.
        reason: String,
    },
    /// A rejection's body is framed wrongly: a `Content-Length` that is not a number, or a
    /// malformed chunk (RFC 9112 §6-§7).
    #[error("the rejection's body is malformed: {reason}")]
    MalformedBody {
        /// What was wrong.
        reason: String,
    },
    /// The stream ended before the handshake was complete.
    #[error("the stream ended in the middle of the handshake")]
    StreamEnded,
}

impl RemoteHandshakeError {
    /// The rejection a server sends for this error: 431 for a head too large (RFC 6585
    /// §5), 426 with the supported version for a wrong one and 400 with it for none
    /// (RFC 6455 §4.2.2), 400 for everything else.
    fn rejection(&self) -> RejectConnection {
        let status_code = match self {
            RemoteHandshakeError::HeadTooLarge { .. }
            | RemoteHandshakeError::TooManyHeaders { .. } => 431,
            RemoteHandshakeError::UnsupportedVersion { version: Some(_) } => 426,
            _ => 400,
        };
        let headers = match self {
            // "... and a |Sec-WebSocket-Version| header field indicating the version(s) the
            // server is capable of understanding." (§4.2.2)
            RemoteHandshakeError::UnsupportedVersion { .. } => vec![(
                "Sec-WebSocket-Version".into(),
                crate::constants::WEBSOCKET_VERSION.into(),
            )],
            _ => Vec::new(),
        };
        RejectConnection {
            status_code,
            headers,
            has_body: false,
        }
    }
}

/// The application asked the handshake to send something that would break HTTP or RFC 6455
/// §4. Nothing was sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocalHandshakeError {
    /// The request's target or host is empty or holds a space, CR or LF, which would break
    /// the request line or inject a header (RFC 9112 §3).
    #[error("invalid {field} {text:?}: empty, or contains a space, CR or LF")]
    InvalidRequestText {
        /// `"target"` or `"host"`.
        field: &'static str,
        /// The text as given.
        text: String,
    },
    /// A header field's name is not a token, or its value holds CR or LF (RFC 9110 §5).
    #[error("invalid header field {name:?}: the name is not a token or the value has CR or LF")]
    InvalidHeaderField {
        /// The field's name as given.
        name: String,
    },
    /// The server chose a subprotocol the client did not offer (RFC 6455 §4.2.2).
    #[error("subprotocol {subprotocol:?} was not offered by the client (RFC 6455 §4.2.2)")]
    UnofferedSubprotocol {
        /// The subprotocol chosen.
        subprotocol: String,
    },
    /// No random source for the `Sec-WebSocket-Key` (RFC 6455 §4.1: "randomly selected").
    #[error("no random source for the Sec-WebSocket-Key: {reason}")]
    NoRandomKey {
        /// What the operating system's random source reported.
        reason: String,
    },
    /// The client had already received an answer when it sent its request, and that answer
    /// is wrong.
    #[error("the response that came before the request: {0}")]
    EarlyResponse(RemoteProtocolError),
}
