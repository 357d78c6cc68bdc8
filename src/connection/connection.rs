//! [`Connection`]: an open WebSocket connection as events and a state machine (RFC 6455
//! §5-§7), as Python wsproto's `Connection`. No handshake: use it where the handshake
//! happened elsewhere (RFC 8441 over HTTP/2), or through [`WSConnection`](crate::WSConnection).

use std::fmt;

use crate::close_code::CloseReason;
use crate::connection::ping::PendingPong;
use crate::connection::{
    BytesMessage, CloseConnection, ConnectionState, Event, LocalProtocolError, Ping, PingPolicy,
    Pong, TextMessage,
};
use crate::ext::ExtensionList;
use crate::frame::encoder::VectoredFrame;
use crate::frame::{Frame, Payload};
use crate::limits::Limits;
use crate::opcode::Opcode;
use crate::protocol::{Data, FrameProtocol};
use crate::role::Role;

/// An open connection: feed it bytes, take events out, turn events into bytes.
///
/// ```
/// use wsproto::{Client, CloseReason, Connection, ConnectionState, Event, Server};
/// use wsproto::events::{CloseConnection, TextMessage};
/// let mut client = Connection::<Client>::new(());
/// let mut server = Connection::<Server>::new(());
/// server.receive_data(Some(&client.send(TextMessage::new("hi"))?))?;
/// assert!(matches!(server.events().next(), Some(Event::TextMessage(m)) if m.data == "hi"));
///
/// // The closing handshake (RFC 6455 §7): each side sends one close.
/// server.receive_data(Some(&client.send(CloseConnection::new(CloseReason::NORMAL_CLOSURE))?))?;
/// assert_eq!(client.state(), ConnectionState::LocalClosing);
/// let Some(Event::CloseConnection(close)) = server.events().next() else { panic!() };
/// assert_eq!(server.state(), ConnectionState::RemoteClosing);
/// client.receive_data(Some(&server.send(close.response())?))?;
/// client.events().for_each(drop);
/// assert_eq!((client.state(), server.state()), (ConnectionState::Closed, ConnectionState::Closed));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Connection<R: Role, E: ExtensionList = ()> {
    proto: FrameProtocol<R, E>,
    state: ConnectionState,
    /// The stream ended (`receive_data(None)`): once what arrived before it is taken, the
    /// end is reported, if no close was.
    ended: bool,
    /// A `CloseConnection` event was produced: the peer's close, or an error. There is one
    /// per connection.
    close_reported: bool,
    failed: bool,
    ping_policy: PingPolicy,
    /// Under [`PingPolicy::AnswerLatest`], the pong owed for the latest ping.
    pending_pong: Option<PendingPong>,
}

impl<R: Role, E: ExtensionList> Connection<R, E> {
    /// An open connection with these (negotiated) extensions and the default [`Limits`].
    pub fn new(extensions: E) -> Self {
        Self::with_limits(extensions, Limits::default())
    }

    /// An open connection with these limits.
    pub fn with_limits(extensions: E, limits: Limits) -> Self {
        Self::from_protocol(FrameProtocol::with_limits(extensions, limits), &[])
    }

    /// An open connection over a protocol, fed the bytes that arrived after the handshake.
    pub(crate) fn from_protocol(proto: FrameProtocol<R, E>, trailing_data: &[u8]) -> Self {
        let mut connection = Connection {
            proto,
            state: ConnectionState::Open,
            ended: false,
            close_reported: false,
            failed: false,
            ping_policy: PingPolicy::default(),
            pending_pong: None,
        };
        connection.proto.receive_bytes(trailing_data);
        connection
    }

    /// An open connection whose handshake happened elsewhere, with the bytes that arrived
    /// after it (RFC 8441 §5: the stream after a 2xx to an extended CONNECT).
    pub fn with_trailing_data(extensions: E, limits: Limits, trailing_data: &[u8]) -> Self {
        Self::from_protocol(
            FrameProtocol::with_limits(extensions, limits),
            trailing_data,
        )
    }

    /// With this [`PingPolicy`]: `AnswerLatest` keeps one pong, for the latest ping.
    ///
    /// ```
    /// use wsproto::{Client, Connection, Server};
    /// use wsproto::connection::PingPolicy;
    /// use wsproto::events::Ping;
    /// let mut client = Connection::<Client>::new(());
    /// let mut server = Connection::<Server>::new(()).with_ping_policy(PingPolicy::AnswerLatest);
    /// for payload in ["1", "2", "3"] {
    ///     let ping = client.send(Ping { payload: payload.into() })?;
    ///     server.receive_data(Some(&ping))?;
    /// }
    /// server.events().for_each(drop); // three Ping events
    /// let mut out = Vec::new();
    /// assert!(server.take_pong_into(&mut out)?);
    /// assert_eq!(out, b"\x8a\x013"); // one pong, for the latest
    /// assert!(!server.take_pong_into(&mut out)?);
    /// # Ok::<(), wsproto::connection::LocalProtocolError>(())
    /// ```
    pub fn with_ping_policy(mut self, policy: PingPolicy) -> Self {
        self.ping_policy = policy;
        self
    }

    /// Writes the pong owed for the latest ping (under [`PingPolicy::AnswerLatest`]) to
    /// `out`; `false` if none is owed. Call it after taking events, before writing. A pong
    /// owed when the connection stops being open (a close was sent or received) is
    /// dropped: the closing handshake answers instead.
    pub fn take_pong_into(&mut self, out: &mut Vec<u8>) -> Result<bool, LocalProtocolError> {
        let Some(pong) = self.pending_pong.take() else {
            return Ok(false);
        };
        if self.state != ConnectionState::Open {
            return Ok(false);
        }
        self.proto.pong_into(pong.payload(), out)?;
        Ok(true)
    }

    /// Whether a pong is owed (under [`PingPolicy::AnswerLatest`]).
    pub fn pong_owed(&self) -> bool {
        self.pending_pong.is_some() && self.state == ConnectionState::Open
    }

    /// The state.
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// Whether the peer broke the protocol: the `CloseConnection` event that reported it
    /// carries the code to send. Then "Fail the WebSocket Connection" (RFC 6455 §7.1.7):
    /// send that close and close the transport without waiting for the peer's close, which
    /// would not be read (nothing is parsed after an error).
    pub fn is_failed(&self) -> bool {
        self.failed
    }

    /// The frame layer underneath, for extensions and limits.
    pub fn protocol(&self) -> &FrameProtocol<R, E> {
        &self.proto
    }

    /// The frame layer underneath, mutably.
    pub fn protocol_mut(&mut self) -> &mut FrameProtocol<R, E> {
        &mut self.proto
    }

    /// Feeds received bytes; `None` means the stream ended, and the state becomes `Closed`.
    /// Bytes after the peer's close are ignored; bytes after `Closed` are an error.
    ///
    /// After the events of what arrived before the end, the end itself is reported as a
    /// `CloseConnection` with 1006 (`ABNORMAL_CLOSURE`), but only if no close frame was
    /// received (RFC 6455 §7.1.5) and no error was reported: a connection has one close
    /// event. (Python wsproto reports 1006 after a clean close too.)
    pub fn receive_data(&mut self, data: Option<&[u8]>) -> Result<(), LocalProtocolError> {
        let Some(data) = data else {
            self.ended = true;
            self.state = ConnectionState::Closed;
            return Ok(());
        };
        match self.state {
            ConnectionState::Open | ConnectionState::LocalClosing => self.proto.receive_bytes(data),
            ConnectionState::Closed => {
                return Err(LocalProtocolError::AlreadyClosed);
            }
            _ => {}
        }
        Ok(())
    }

    /// The events the received bytes produced, in order. A protocol error comes out as a
    /// `CloseConnection` carrying the code to answer with; nothing follows it.
    ///
    /// The iterator borrows the connection, so nothing can be sent inside a `for` loop over
    /// it. To answer events as they come (an echo, a close), loop with
    /// [`next_event`](Self::next_event), which borrows only for the call:
    ///
    /// ```
    /// use wsproto::events::TextMessage;
    /// use wsproto::{Client, Connection, Event, Server};
    /// let mut client = Connection::<Client>::new(());
    /// let mut server = Connection::<Server>::new(());
    /// server.receive_data(Some(&client.send(TextMessage::new("hi"))?))?;
    /// let mut out = Vec::new();
    /// while let Some(event) = server.next_event() {
    ///     if let Event::TextMessage(message) = event {
    ///         server.send_into(TextMessage::new(message.data), &mut out)?;
    ///     }
    /// }
    /// assert_eq!(out, b"\x81\x02hi");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// The `for` form does not compile (two mutable borrows):
    ///
    /// ```compile_fail
    /// # use wsproto::events::TextMessage;
    /// # use wsproto::{Connection, Event, Server};
    /// # let mut server = Connection::<Server>::new(());
    /// for event in server.events() {
    ///     if let Event::TextMessage(message) = event {
    ///         server.send(TextMessage::new(message.data)).unwrap();
    ///     }
    /// }
    /// ```
    pub fn events(&mut self) -> Events<'_, R, E> {
        Events { connection: self }
    }

    /// The next event, if any: the event loop that may send between events
    /// (`while let Some(event) = connection.next_event() { ... }`).
    pub fn next_event(&mut self) -> Option<Event> {
        match self.proto.next_frame() {
            Ok(Some(frame)) => Some(self.frame_event(frame)),
            Ok(None) => self.end_of_stream(),
            Err(error) => {
                self.failed = true;
                self.close_reported = true;
                Some(Event::CloseConnection(CloseConnection {
                    code: error.code(),
                    reason: Some(error.message().to_owned()),
                }))
            }
        }
    }

    /// RFC 6455 §7.1.5: a stream that ended without a close frame closed with 1006.
    fn end_of_stream(&mut self) -> Option<Event> {
        if !self.ended || self.close_reported {
            return None;
        }
        self.close_reported = true;
        Some(Event::CloseConnection(CloseConnection::new(
            CloseReason::ABNORMAL_CLOSURE,
        )))
    }

    fn frame_event(&mut self, frame: Frame) -> Event {
        let (frame_finished, message_finished) = (frame.frame_finished, frame.message_finished);
        match frame.payload {
            Payload::Close(code, reason) => {
                self.close_reported = true;
                self.state = match self.state {
                    // Both closes are exchanged, or the stream already ended.
                    ConnectionState::LocalClosing | ConnectionState::Closed => {
                        ConnectionState::Closed
                    }
                    _ => ConnectionState::RemoteClosing,
                };
                Event::CloseConnection(CloseConnection {
                    code,
                    reason: Some(reason.to_string()),
                })
            }
            Payload::Text(data) => Event::TextMessage(TextMessage {
                data,
                frame_finished,
                message_finished,
            }),
            Payload::Bytes(payload) => match frame.opcode {
                Opcode::Ping => {
                    if self.ping_policy == PingPolicy::AnswerLatest {
                        self.pending_pong = PendingPong::for_ping(&payload);
                    }
                    Event::Ping(Ping { payload })
                }
                Opcode::Pong => Event::Pong(Pong { payload }),
                _ => Event::BytesMessage(BytesMessage {
                    data: payload,
                    frame_finished,
                    message_finished,
                }),
            },
        }
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
        let open = self.state == ConnectionState::Open;
        let sent = match &event {
            Event::TextMessage(m) if open => {
                self.proto
                    .send_data_into(Data::Text(&m.data), m.message_finished, out)
            }
            Event::BytesMessage(m) if open => {
                self.proto
                    .send_data_into(Data::Binary(&m.data), m.message_finished, out)
            }
            Event::Ping(p) if open => self.proto.ping_into(&p.payload, out),
            Event::Pong(p) if open => self.proto.pong_into(&p.payload, out),
            Event::CloseConnection(c) if open || self.state == ConnectionState::RemoteClosing => {
                self.proto
                    .close_into(Some(c.code), c.reason.as_deref(), out)?;
                self.state = if open {
                    ConnectionState::LocalClosing
                } else {
                    ConnectionState::Closed
                };
                Ok(())
            }
            other => return Err(LocalProtocolError::not_in_state(other.name(), self.state)),
        };
        Ok(sent?)
    }
}

impl<R: Role, E: ExtensionList> Connection<R, E> {
    /// A data frame as a header and a payload slice for a vectored write, as
    /// [`FrameProtocol::send_data_vectored`]: for a server without a payload-transforming
    /// extension, `data` itself is the payload, not a copy. Only while the connection is
    /// open, like a [`TextMessage`] or [`BytesMessage`] sent with [`send`](Self::send).
    pub fn send_data_vectored<'s, 'd: 's>(
        &'s mut self,
        data: impl Into<Data<'d>>,
        fin: bool,
    ) -> Result<VectoredFrame<'s>, LocalProtocolError> {
        self.check_open_for_data()?;
        Ok(self.proto.send_data_vectored(data, fin)?)
    }

    /// A data frame appended to `out`, as [`send_data_vectored`](Self::send_data_vectored)
    /// but encoded whole: for the I/O layers, which hold the payload as [`Data`] already.
    pub(crate) fn send_data_into(
        &mut self,
        data: Data<'_>,
        fin: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), LocalProtocolError> {
        self.check_open_for_data()?;
        Ok(self.proto.send_data_into(data, fin, out)?)
    }

    /// Data frames go out only while the connection is open (RFC 6455 §5.5.1: nothing
    /// after our close).
    fn check_open_for_data(&self) -> Result<(), LocalProtocolError> {
        if self.state != ConnectionState::Open {
            return Err(LocalProtocolError::not_in_state("a message", self.state));
        }
        Ok(())
    }
}

/// Iterator over a connection's events; see [`Connection::events`].
#[must_use = "events are produced only as the iterator is advanced"]
pub struct Events<'c, R: Role, E: ExtensionList> {
    connection: &'c mut Connection<R, E>,
}

impl<R: Role, E: ExtensionList> Iterator for Events<'_, R, E> {
    type Item = Event;
    fn next(&mut self) -> Option<Event> {
        self.connection.next_event()
    }
}

impl<R: Role, E: ExtensionList> fmt::Debug for Connection<R, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Connection<{}> {{ state: {}, protocol: {:?} }}",
            R::NAME,
            self.state,
            self.proto
        )
    }
}
