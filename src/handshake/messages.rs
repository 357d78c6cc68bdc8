//! What the two sides of the opening handshake say (RFC 6455 §4): the client's
//! [`Request`], and the server's [`AcceptConnection`] or [`RejectConnection`] (with
//! [`RejectData`] for a rejection's body). The connection layer hands them to the
//! application as events.

use bytes::Bytes;

/// Header fields as name and raw value, in the order they appeared.
pub type Headers = Vec<(String, Vec<u8>)>;

/// A client's opening handshake (RFC 6455 §4.1). A client sends it; a server receives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// The `Host` header (RFC 6455 §4.1 item 4).
    pub host: String,
    /// The request target, e.g. `/chat?room=1`.
    pub target: String,
    /// Received: the extension offers, one `Sec-WebSocket-Extensions` element each. Ignored
    /// when sending: the connection's extension list makes the offers.
    pub extensions: Vec<String>,
    /// The subprotocols offered, most preferred first (RFC 6455 §4.1 item 10).
    pub subprotocols: Vec<String>,
    /// Other header fields.
    pub extra_headers: Headers,
}

impl Request {
    /// A request for `target` on `host`, with no subprotocol and no extra header.
    pub fn new(host: impl Into<String>, target: impl Into<String>) -> Self {
        Request {
            host: host.into(),
            target: target.into(),
            ..Self::default()
        }
    }
}

/// The server accepted the handshake (RFC 6455 §4.2.2). A server sends it; a client
/// receives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AcceptConnection {
    /// The chosen subprotocol, one the client offered.
    pub subprotocol: Option<String>,
    /// Received: the extensions agreed, one `Sec-WebSocket-Extensions` element each. Ignored
    /// when sending: each extension of the connection's list answers the offers itself.
    pub extensions: Vec<String>,
    /// Other header fields.
    pub extra_headers: Headers,
}

/// The server refused the handshake with an HTTP response (RFC 6455 §4.2.2 item 4, §4.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectConnection {
    /// HTTP status code.
    pub status_code: u16,
    /// Header fields of the response.
    pub headers: Headers,
    /// Whether [`RejectData`] events follow with a body.
    pub has_body: bool,
}

impl Default for RejectConnection {
    fn default() -> Self {
        RejectConnection {
            status_code: 400,
            headers: Headers::new(),
            has_body: false,
        }
    }
}

/// A piece of a rejection's body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RejectData {
    /// The bytes.
    pub data: Bytes,
    /// Whether the body ends here.
    pub body_finished: bool,
}
