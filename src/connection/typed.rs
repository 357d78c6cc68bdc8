//! The connection's life as types: a handshake, then an [`OpenConnection`] that can send,
//! then a [`ClosingConnection`] that can only receive. A client handshake that has not been
//! accepted has no method to send a message, and after the local close (RFC 6455 §5.5.1:
//! "the endpoint MUST NOT send any more data frames") no data can be sent: those misuses do
//! not compile.

use crate::connection::{
    CloseConnection, Connection, ConnectionError, ConnectionState, Event, Events,
    LocalProtocolError, WSConnection,
};
use crate::ext::ExtensionList;
use crate::handshake::{AcceptConnection, RejectConnection, Request};
use crate::protocol::builder::{BinaryMessageBuilder, TextMessageBuilder};
use crate::role::{Client, Role, Server};

/// A client's handshake in progress: it can only receive the server's answer.
///
/// ```
/// use wsproto::connection::{ClientHandshake, ClientHandshakeOutcome, ServerHandshake, ServerHandshakeOutcome};
/// use wsproto::events::{AcceptConnection, Request};
/// let (handshake, request_bytes) = ClientHandshake::new(Request::new("example.com", "/"), ())?;
/// let ServerHandshakeOutcome::Requested(incoming) = ServerHandshake::new(()).receive_data(&request_bytes)? else { panic!() };
/// let (mut server, answer) = incoming.accept(AcceptConnection::default())?;
/// let ClientHandshakeOutcome::Accepted(mut client, _) = handshake.receive_data(&answer)? else { panic!() };
/// server.receive_data(Some(&client.send_text("hello")?))?;
/// let (closing, close_bytes) = client.close(wsproto::events::CloseConnection::new(wsproto::CloseReason::NORMAL_CLOSURE))?;
/// # let _ = (closing, close_bytes);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// There is nothing to send before the server accepts:
/// ```compile_fail
/// # use wsproto::{ClientHandshake, Request};
/// let (mut handshake, _) = ClientHandshake::new(Request::new("example.com", "/"), ()).unwrap();
/// handshake.send_text("too early");
/// ```
#[derive(Debug)]
pub struct ClientHandshake<E: ExtensionList = ()> {
    ws: WSConnection<Client, E>,
}

/// What a client handshake became after more bytes.
#[derive(Debug)]
pub enum ClientHandshakeOutcome<E: ExtensionList = ()> {
    /// More bytes are needed.
    Pending(ClientHandshake<E>),
    /// The server accepted: the connection is open.
    Accepted(OpenConnection<Client, E>, AcceptConnection),
    /// The server refused; the connection gives the body as `RejectData` events.
    Rejected(RejectConnection, WSConnection<Client, E>),
}

impl<E: ExtensionList> ClientHandshake<E> {
    /// Starts a handshake; returns it and the request bytes to send.
    pub fn new(request: Request, extensions: E) -> Result<(Self, Vec<u8>), LocalProtocolError> {
        let mut ws = WSConnection::new(extensions);
        let bytes = ws.send(request)?;
        Ok((ClientHandshake { ws }, bytes))
    }

    /// Feeds the server's bytes.
    pub fn receive_data(
        mut self,
        data: &[u8],
    ) -> Result<ClientHandshakeOutcome<E>, ConnectionError> {
        self.ws.receive_data(Some(data))?;
        let first = self.ws.events().next();
        match first {
            Some(Event::AcceptConnection(accept)) => match self.ws.into_connection() {
                Some(connection) => Ok(ClientHandshakeOutcome::Accepted(
                    OpenConnection { connection },
                    accept,
                )),
                None => Err(LocalProtocolError::not_in_state(
                    "AcceptConnection",
                    ConnectionState::Closed,
                )
                .into()),
            },
            Some(Event::RejectConnection(reject)) => {
                Ok(ClientHandshakeOutcome::Rejected(reject, self.ws))
            }
            _ => Ok(ClientHandshakeOutcome::Pending(self)),
        }
    }
}

/// A server waiting for a client's request.
#[derive(Debug)]
pub struct ServerHandshake<E: ExtensionList = ()> {
    ws: WSConnection<Server, E>,
}

/// What a server handshake became after more bytes.
#[derive(Debug)]
pub enum ServerHandshakeOutcome<E: ExtensionList = ()> {
    /// More bytes are needed.
    Pending(ServerHandshake<E>),
    /// A valid request arrived: accept or reject it.
    Requested(IncomingRequest<E>),
}

/// The client's request broke RFC 6455 §4: write [`response`](Self::response), then close.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct ServerHandshakeError {
    /// What was wrong.
    pub error: ConnectionError,
    /// The HTTP rejection to send (400, 426 with the supported version, or 431).
    pub response: Vec<u8>,
}

impl<E: ExtensionList> ServerHandshake<E> {
    /// A server handshake with these extensions to negotiate.
    pub fn new(extensions: E) -> Self {
        ServerHandshake {
            ws: WSConnection::new(extensions),
        }
    }

    /// Feeds the client's bytes.
    pub fn receive_data(
        mut self,
        data: &[u8],
    ) -> Result<ServerHandshakeOutcome<E>, ServerHandshakeError> {
        if let Err(error) = self.ws.receive_data(Some(data)) {
            let hint = match &error {
                ConnectionError::Remote(remote) => remote.event_hint.clone(),
                ConnectionError::Local(_) => None,
            };
            let response = self.ws.send(hint.unwrap_or_default()).unwrap_or_default();
            return Err(ServerHandshakeError { error, response });
        }
        match self.ws.events().next() {
            Some(Event::Request(request)) => {
                Ok(ServerHandshakeOutcome::Requested(IncomingRequest {
                    ws: self.ws,
                    request,
                }))
            }
            _ => Ok(ServerHandshakeOutcome::Pending(self)),
        }
    }
}

/// A valid upgrade request, waiting for the application's decision.
#[derive(Debug)]
pub struct IncomingRequest<E: ExtensionList = ()> {
    ws: WSConnection<Server, E>,
    request: Request,
}

impl<E: ExtensionList> IncomingRequest<E> {
    /// The request: target, host, subprotocols and extensions offered, other headers.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Accepts: returns the open connection and the 101 response to send.
    pub fn accept(
        mut self,
        accept: AcceptConnection,
    ) -> Result<(OpenConnection<Server, E>, Vec<u8>), LocalProtocolError> {
        let bytes = self.ws.send(accept)?;
        let connection = self
            .ws
            .into_connection()
            .ok_or(LocalProtocolError::not_in_state(
                "AcceptConnection",
                ConnectionState::Closed,
            ))?;
        Ok((OpenConnection { connection }, bytes))
    }

    /// Rejects: returns the response head to send (and the connection, to send a body with
    /// `RejectData` if `has_body`).
    pub fn reject(
        mut self,
        reject: RejectConnection,
    ) -> Result<(WSConnection<Server, E>, Vec<u8>), LocalProtocolError> {
        let bytes = self.ws.send(reject)?;
        Ok((self.ws, bytes))
    }
}

/// An open connection: send messages and control frames, receive events. Closing consumes
/// it and gives a [`ClosingConnection`], which cannot send data.
///
/// Data cannot be sent once the local close has gone out:
/// ```compile_fail
/// # use wsproto::{CloseConnection, CloseReason, Connection, OpenConnection, Server};
/// # fn f(open: OpenConnection<Server>) {
/// let (mut closing, _) = open.close(CloseConnection::new(CloseReason::NORMAL_CLOSURE)).unwrap();
/// closing.send_text("after close");
/// # }
/// ```
#[derive(Debug)]
pub struct OpenConnection<R: Role, E: ExtensionList = ()> {
    connection: Connection<R, E>,
}

impl<R: Role, E: ExtensionList> OpenConnection<R, E> {
    /// Wraps a connection that is open (e.g. after an HTTP/2 extended CONNECT, RFC 8441).
    pub fn new(connection: Connection<R, E>) -> Result<Self, LocalProtocolError> {
        match connection.state() {
            ConnectionState::Open | ConnectionState::RemoteClosing => {
                Ok(OpenConnection { connection })
            }
            other => Err(LocalProtocolError::not_in_state("a message", other)),
        }
    }

    /// The state: `Open`, or `RemoteClosing` once the peer's close arrived (answer it with
    /// [`close`](Self::close)), or `Closed` if the stream ended.
    pub fn state(&self) -> ConnectionState {
        self.connection.state()
    }

    /// Feeds received bytes (`None`: the stream ended).
    pub fn receive_data(&mut self, data: Option<&[u8]>) -> Result<(), LocalProtocolError> {
        self.connection.receive_data(data)
    }

    /// The events received so far; to send between them, loop with
    /// [`next_event`](Self::next_event) (see [`Connection::events`]).
    pub fn events(&mut self) -> Events<'_, R, E> {
        self.connection.events()
    }

    /// The next event, if any (see [`Connection::next_event`]).
    pub fn next_event(&mut self) -> Option<Event> {
        self.connection.next_event()
    }

    /// Encodes a whole text message, straight from `text` (no copy before the frame's).
    pub fn send_text(&mut self, text: &str) -> Result<Vec<u8>, LocalProtocolError> {
        self.ensure_open()?;
        Ok(self.connection.protocol_mut().send_data(text, true)?)
    }

    /// Encodes a whole binary message, straight from `data`.
    pub fn send_binary(&mut self, data: &[u8]) -> Result<Vec<u8>, LocalProtocolError> {
        self.ensure_open()?;
        Ok(self.connection.protocol_mut().send_data(data, true)?)
    }

    /// Encodes a ping (RFC 6455 §5.5.2).
    pub fn ping(&mut self, payload: &[u8]) -> Result<Vec<u8>, LocalProtocolError> {
        self.ensure_open()?;
        Ok(self.connection.protocol_mut().ping(payload)?)
    }

    /// Encodes a pong (RFC 6455 §5.5.3).
    pub fn pong(&mut self, payload: &[u8]) -> Result<Vec<u8>, LocalProtocolError> {
        self.ensure_open()?;
        Ok(self.connection.protocol_mut().pong(payload)?)
    }

    /// Starts a fragmented text message (a typed builder; see
    /// [`MessageBuilder`](crate::protocol::MessageBuilder)).
    pub fn text_message(&mut self) -> Result<TextMessageBuilder<'_, R, E>, LocalProtocolError> {
        self.ensure_open()?;
        Ok(self.connection.protocol_mut().text_message()?)
    }

    /// Starts a fragmented binary message.
    pub fn binary_message(&mut self) -> Result<BinaryMessageBuilder<'_, R, E>, LocalProtocolError> {
        self.ensure_open()?;
        Ok(self.connection.protocol_mut().binary_message()?)
    }

    fn ensure_open(&self) -> Result<(), LocalProtocolError> {
        match self.connection.state() {
            ConnectionState::Open => Ok(()),
            other => Err(LocalProtocolError::not_in_state("a message", other)),
        }
    }

    /// Sends the close (or answers the peer's, RFC 6455 §5.5.1): returns the closing
    /// connection and the close frame's bytes, which must be written.
    ///
    /// An error (the stream had already ended, the client's masking-key source failed)
    /// means there is no close frame to write: close the transport. The result is
    /// `#[must_use]`, as every `Result` is: the bytes cannot be dropped unnoticed.
    pub fn close(
        mut self,
        close: CloseConnection,
    ) -> Result<(ClosingConnection<R, E>, Vec<u8>), LocalProtocolError> {
        let bytes = self.connection.send(close)?;
        let closing = ClosingConnection {
            connection: self.connection,
        };
        Ok((closing, bytes))
    }

    /// The untyped connection, with the event API.
    pub fn into_inner(self) -> Connection<R, E> {
        self.connection
    }
}

/// A connection whose local close has been sent: it can receive (the peer's close, or data
/// the peer sent before seeing ours) but not send.
#[derive(Debug)]
pub struct ClosingConnection<R: Role, E: ExtensionList = ()> {
    connection: Connection<R, E>,
}

impl<R: Role, E: ExtensionList> ClosingConnection<R, E> {
    /// `LocalClosing` until the peer's close arrives, then `Closed`.
    pub fn state(&self) -> ConnectionState {
        self.connection.state()
    }

    /// Feeds received bytes (`None`: the stream ended).
    pub fn receive_data(&mut self, data: Option<&[u8]>) -> Result<(), LocalProtocolError> {
        self.connection.receive_data(data)
    }

    /// The events received so far; to send between them, loop with
    /// [`next_event`](Self::next_event) (see [`Connection::events`]).
    pub fn events(&mut self) -> Events<'_, R, E> {
        self.connection.events()
    }

    /// The next event, if any (see [`Connection::next_event`]).
    pub fn next_event(&mut self) -> Option<Event> {
        self.connection.next_event()
    }
}
