//! [`WSConnection`]: the opening handshake (RFC 6455 §4) followed by a [`Connection`], as
//! Python wsproto's `WSConnection` and `H11Handshake`.

use std::collections::VecDeque;
use std::fmt;

use bytes::{Bytes, BytesMut};

use crate::connection::{Connection, ConnectionError, ConnectionState, Event, LocalProtocolError};
use crate::ext::ExtensionList;
use crate::frame::encoder::VectoredFrame;
use crate::handshake::body::{BodyReader, write_chunk, write_last_chunk};
use crate::handshake::client::{ClientOffer, ResponseOutcome, process_response, write_request};
use crate::handshake::http::{
    RequestHead, check_partial, has_head_end, parse_request, parse_response,
};
use crate::handshake::server::{process_request, write_accept, write_reject};
use crate::handshake::{
    HandshakeLimits, Headers, LocalHandshakeError, RejectData, RemoteHandshakeError,
    RemoteProtocolError, Request,
};
use crate::limits::Limits;
use crate::protocol::{Data, FrameProtocol};
use crate::role::{Role, Server};

/// A WebSocket endpoint from the first handshake byte to the last close: give it every
/// received byte, send the events it asks for, write the bytes it returns.
///
/// ```
/// use wsproto::{Client, Event, Server, WSConnection};
/// use wsproto::events::{AcceptConnection, Request, TextMessage};
/// let mut client = WSConnection::<Client>::new(());
/// let mut server = WSConnection::<Server>::new(());
///
/// server.receive_data(Some(&client.send(Request::new("example.com", "/chat"))?))?;
/// let Some(Event::Request(request)) = server.events().next() else { panic!() };
/// assert_eq!(request.target, "/chat");
///
/// // The 101 and the first message leave the server in one write.
/// let mut wire = server.send(AcceptConnection::default())?;
/// wire.extend(server.send(TextMessage::new("welcome"))?);
/// client.receive_data(Some(&wire))?;
/// let events: Vec<Event> = client.events().collect();
/// assert!(matches!(&events[0], Event::AcceptConnection(_)));
/// assert!(matches!(&events[1], Event::TextMessage(m) if m.data == "welcome"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct WSConnection<R: Role, E: ExtensionList = ()> {
    handshake: Handshake<E>,
    connection: Option<Connection<R, E>>,
    limits: Limits,
    /// Deliver whole messages once open (see [`with_whole_messages`](Self::with_whole_messages)).
    whole_messages: bool,
}

/// Everything before the connection opens.
struct Handshake<E> {
    /// Taken when the connection opens.
    extensions: Option<E>,
    buf: BytesMut,
    state: ConnectionState,
    limits: HandshakeLimits,
    /// Bytes of `buf` already searched for the end of the head.
    scanned: usize,
    queued: VecDeque<Event>,
    /// Client: what the request offered, once sent.
    offer: Option<ClientOffer>,
    /// Client: whether the response head was handled.
    answered: bool,
    /// Client: how the rejection's body is delimited.
    body: Option<BodyReader>,
    /// Server: the request and its key, once received.
    request: Option<(Request, String)>,
    /// Server: whether the rejection's body goes out chunked.
    chunked: bool,
}

impl<R: Role, E: ExtensionList> WSConnection<R, E> {
    /// An endpoint with these extensions (to negotiate) and the default limits.
    pub fn new(extensions: E) -> Self {
        Self::with_limits(extensions, Limits::default(), HandshakeLimits::default())
    }

    /// An endpoint with these limits for frames and messages, and for the handshake.
    pub fn with_limits(extensions: E, limits: Limits, handshake_limits: HandshakeLimits) -> Self {
        WSConnection {
            handshake: Handshake {
                extensions: Some(extensions),
                buf: BytesMut::new(),
                state: ConnectionState::Connecting,
                limits: handshake_limits,
                scanned: 0,
                queued: VecDeque::new(),
                offer: None,
                answered: false,
                body: None,
                request: None,
                chunked: false,
            },
            connection: None,
            limits,
            whole_messages: false,
        }
    }

    /// Once open, deliver whole messages instead of pieces
    /// ([`FrameProtocol::with_whole_messages`]), from the first frame on: frames that came
    /// in the same read as the handshake's last bytes included, which a protocol switched
    /// after opening would still deliver in pieces.
    pub fn with_whole_messages(mut self, on: bool) -> Self {
        self.whole_messages = on;
        self
    }

    /// The state: the handshake's, then the connection's.
    pub fn state(&self) -> ConnectionState {
        self.connection
            .as_ref()
            .map_or(self.handshake.state, Connection::state)
    }

    /// Whether the peer broke the protocol after the handshake; see
    /// [`Connection::is_failed`].
    pub fn is_failed(&self) -> bool {
        self.connection.as_ref().is_some_and(Connection::is_failed)
    }

    /// The open connection, once the handshake succeeded.
    pub fn connection(&self) -> Option<&Connection<R, E>> {
        self.connection.as_ref()
    }

    /// Takes the open connection out, e.g. to move to the typed API.
    pub fn into_connection(self) -> Option<Connection<R, E>> {
        self.connection
    }

    /// Feeds received bytes (`None`: the stream ended). Handshake bytes are buffered up to
    /// [`HandshakeLimits::max_size`]; bytes that follow the handshake in the same read are
    /// kept for the connection.
    pub fn receive_data(&mut self, data: Option<&[u8]>) -> Result<(), ConnectionError> {
        if let Some(connection) = &mut self.connection {
            return Ok(connection.receive_data(data)?);
        }
        match data {
            Some(bytes) => {
                // A rejection ends the exchange (RFC 6455 §4.1: the client fails the
                // connection on any status but 101): once it is over, or while a server
                // sends one, what the peer sends is not ours to parse. Dropping it, in this
                // read or a later one alike, keeps the result independent of how reads are
                // cut and the buffer bounded.
                if self.rejection_over() {
                    return Ok(());
                }
                self.handshake.buf.extend_from_slice(bytes);
            }
            None if self.rejection_over() => return Ok(()),
            None => return Ok(self.handshake.end_of_stream()?),
        }
        if R::IS_CLIENT {
            self.client_progress()
        } else {
            self.server_progress()
        }
    }

    /// Whether a rejection has been sent or received in full (or, on a server, is being
    /// sent): the peer's bytes no longer matter.
    fn rejection_over(&self) -> bool {
        match self.handshake.state {
            ConnectionState::Closed => true,
            ConnectionState::Rejecting => !R::IS_CLIENT,
            _ => false,
        }
    }

    fn client_progress(&mut self) -> Result<(), ConnectionError> {
        let hs = &mut self.handshake;
        if hs.offer.is_none() {
            return Ok(());
        }
        if !hs.answered {
            let head = hs.head_arrived().and_then(|arrived| match arrived {
                true => parse_response(&hs.buf, &hs.limits),
                false => Ok(None),
            });
            let Some((head, len)) = head.map_err(RemoteProtocolError::on_client)? else {
                return Ok(());
            };
            let _ = hs.buf.split_to(len);
            hs.answered = true;
            let (Some(offer), Some(extensions)) = (&hs.offer, hs.extensions.as_mut()) else {
                return Ok(());
            };
            match process_response(head, offer, extensions)? {
                ResponseOutcome::Accepted(accept) => {
                    hs.queued.push_back(Event::AcceptConnection(accept));
                    self.open();
                    return Ok(());
                }
                ResponseOutcome::Rejected(reject, body) => {
                    if body.is_none() {
                        hs.buf.clear();
                    }
                    hs.state = if body.is_some() {
                        ConnectionState::Rejecting
                    } else {
                        ConnectionState::Closed
                    };
                    hs.body = body;
                    hs.queued.push_back(Event::RejectConnection(reject));
                }
            }
        }
        hs.read_body()
    }

    fn server_progress(&mut self) -> Result<(), ConnectionError> {
        let hs = &mut self.handshake;
        if hs.request.is_some() || hs.state != ConnectionState::Connecting {
            return Ok(());
        }
        let head = hs.head_arrived().and_then(|arrived| match arrived {
            true => parse_request(&hs.buf, &hs.limits),
            false => Ok(None),
        });
        let Some((head, len)) = head.map_err(RemoteProtocolError::on_server)? else {
            return Ok(());
        };
        let _ = hs.buf.split_to(len);
        let (request, key) = process_request(head)?;
        hs.queued.push_back(Event::Request(request.clone()));
        hs.request = Some((request, key));
        Ok(())
    }

    /// Moves to the open connection, handing it every byte that followed the handshake.
    fn open(&mut self) {
        if let Some(extensions) = self.handshake.extensions.take() {
            let proto = FrameProtocol::with_limits(extensions, self.limits)
                .with_whole_messages(self.whole_messages);
            let trailing = self.handshake.buf.split();
            self.connection = Some(Connection::from_protocol(proto, &trailing));
            self.handshake.state = ConnectionState::Open;
        }
    }

    /// The events so far: the handshake's, then the connection's.
    pub fn events(&mut self) -> WSConnectionEvents<'_, R, E> {
        WSConnectionEvents { connection: self }
    }

    /// The next event, if any: lets a loop answer each event as it comes
    /// (`while let Some(event) = ws.next_event() { ws.send(...) }`).
    pub fn next_event(&mut self) -> Option<Event> {
        if let Some(event) = self.handshake.queued.pop_front() {
            return Some(event);
        }
        self.connection.as_mut()?.next_event()
    }

    /// The bytes for an event, or an error saying which event the state forbids.
    pub fn send(&mut self, event: impl Into<Event>) -> Result<Vec<u8>, LocalProtocolError> {
        let mut out = Vec::new();
        self.send_into(event, &mut out)?;
        Ok(out)
    }

    /// [`send`](Self::send), appending to `out`.
    pub fn send_into(
        &mut self,
        event: impl Into<Event>,
        out: &mut Vec<u8>,
    ) -> Result<(), LocalProtocolError> {
        let event = event.into();
        if let Some(connection) = &mut self.connection {
            return connection.send_into(event, out);
        }
        let hs = &mut self.handshake;
        let connecting = hs.state == ConnectionState::Connecting;
        match event {
            Event::Request(request) if R::IS_CLIENT && connecting && hs.offer.is_none() => {
                let extensions = hs
                    .extensions
                    .as_mut()
                    .ok_or(LocalProtocolError::not_in_state("Request", hs.state))?;
                hs.offer = Some(write_request(&request, extensions, out)?);
                // Bytes that came before the request are its answer only now.
                self.client_progress().map_err(|error| match error {
                    ConnectionError::Local(error) => error,
                    ConnectionError::Remote(error) => {
                        LocalHandshakeError::EarlyResponse(error).into()
                    }
                })
            }
            Event::AcceptConnection(accept)
                if !R::IS_CLIENT && connecting && hs.request.is_some() =>
            {
                let (Some((request, key)), Some(extensions)) =
                    (&hs.request, hs.extensions.as_mut())
                else {
                    return Err(LocalProtocolError::not_in_state(
                        "AcceptConnection",
                        hs.state,
                    ));
                };
                write_accept(request, key, &accept, extensions, out)?;
                self.open();
                Ok(())
            }
            Event::RejectConnection(reject) if !R::IS_CLIENT && connecting => {
                hs.chunked = write_reject(&reject, out)?;
                hs.state = if reject.has_body {
                    ConnectionState::Rejecting
                } else {
                    ConnectionState::Closed
                };
                Ok(())
            }
            Event::RejectData(data) if !R::IS_CLIENT && hs.state == ConnectionState::Rejecting => {
                if hs.chunked {
                    write_chunk(out, &data.data);
                } else {
                    out.extend_from_slice(&data.data);
                }
                if data.body_finished {
                    if hs.chunked {
                        write_last_chunk(out);
                    }
                    hs.state = ConnectionState::Closed;
                }
                Ok(())
            }
            other => Err(LocalProtocolError::not_in_state(other.name(), hs.state)),
        }
    }
}

impl<R: Role, E: ExtensionList> WSConnection<R, E> {
    /// [`Connection::send_data_vectored`], once the handshake opened the connection.
    pub fn send_data_vectored<'s, 'd: 's>(
        &'s mut self,
        data: impl Into<Data<'d>>,
        fin: bool,
    ) -> Result<VectoredFrame<'s>, LocalProtocolError> {
        match &mut self.connection {
            Some(connection) => connection.send_data_vectored(data, fin),
            None => Err(LocalProtocolError::not_in_state(
                "a message",
                self.handshake.state,
            )),
        }
    }
}

impl<E: ExtensionList> WSConnection<Server, E> {
    /// Starts from a request another HTTP layer already parsed (e.g. a web framework that
    /// routes the upgrade), as Python wsproto's `initiate_upgrade_connection`.
    pub fn initiate_upgrade_connection(
        &mut self,
        headers: Headers,
        target: &str,
    ) -> Result<(), RemoteProtocolError> {
        let head = RequestHead {
            method: "GET".into(),
            target: target.to_owned(),
            headers,
        };
        let (request, key) = process_request(head)?;
        self.handshake
            .queued
            .push_back(Event::Request(request.clone()));
        self.handshake.request = Some((request, key));
        Ok(())
    }
}

impl<E> Handshake<E> {
    /// Whether the head's blank line has arrived, searching only the new bytes; refuses a
    /// buffer past the size limit without one.
    fn head_arrived(&mut self) -> Result<bool, RemoteHandshakeError> {
        if has_head_end(&self.buf, self.scanned) {
            return Ok(true);
        }
        self.scanned = self.buf.len();
        check_partial(&self.buf, &self.limits)?;
        Ok(false)
    }

    /// Turns body bytes into `RejectData` events.
    fn read_body(&mut self) -> Result<(), ConnectionError> {
        let Some(reader) = self.body.as_mut() else {
            return Ok(());
        };
        let (data, finished) = reader.read(&mut self.buf).map_err(|reason| {
            RemoteProtocolError::on_client(RemoteHandshakeError::MalformedBody { reason })
        })?;
        if !data.is_empty() || finished {
            self.queued.push_back(Event::RejectData(RejectData {
                data,
                body_finished: finished,
            }));
        }
        if finished {
            self.body = None;
            self.buf.clear();
            self.state = ConnectionState::Closed;
        }
        Ok(())
    }

    /// The stream ended before the connection opened.
    fn end_of_stream(&mut self) -> Result<(), RemoteProtocolError> {
        if let Some(BodyReader::UntilClose) = self.body {
            self.body = None;
            self.queued.push_back(Event::RejectData(RejectData {
                data: Bytes::new(),
                body_finished: true,
            }));
            self.state = ConnectionState::Closed;
            return Ok(());
        }
        if self.body.is_some() || !self.buf.is_empty() {
            self.state = ConnectionState::Closed;
            return Err(RemoteProtocolError::on_client(
                RemoteHandshakeError::StreamEnded,
            ));
        }
        Ok(())
    }
}

/// Iterator over a [`WSConnection`]'s events.
#[must_use = "events are produced only as the iterator is advanced"]
pub struct WSConnectionEvents<'c, R: Role, E: ExtensionList> {
    connection: &'c mut WSConnection<R, E>,
}

impl<R: Role, E: ExtensionList> Iterator for WSConnectionEvents<'_, R, E> {
    type Item = Event;
    fn next(&mut self) -> Option<Event> {
        self.connection.next_event()
    }
}

impl<R: Role, E: ExtensionList> fmt::Debug for WSConnection<R, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WSConnection<{}> {{ state: {} }}", R::NAME, self.state())
    }
}
