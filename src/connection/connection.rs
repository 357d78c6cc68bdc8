//! [`Connection`]: an open WebSocket connection as events and a state machine (RFC 6455
//! §5-§7), as Python wsproto's `Connection`. No handshake: use it where the handshake
//! happened elsewhere (RFC 8441 over HTTP/2), or through [`WSConnection`](crate::WSConnection).

use std::collections::VecDeque;
use std::fmt;

use crate::close_code::CloseReason;
use crate::connection::{
    BytesMessage, CloseConnection, ConnectionState, Event, LocalProtocolError, Ping, Pong,
    TextMessage,
};
use crate::error::SendError;
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
/// use wsproto::{Client, CloseReason, Connection, ConnectionState, Event, Server, TextMessage, CloseConnection};
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
    queued: VecDeque<Event>,
    failed: bool,
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
            queued: VecDeque::new(),
            failed: false,
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

    /// Feeds received bytes; `None` means the stream ended, which queues a
    /// `CloseConnection` with 1006 (`ABNORMAL_CLOSURE`, RFC 6455 §7.1.5) and closes.
    /// Bytes after the peer's close are ignored; bytes after `Closed` are an error.
    pub fn receive_data(&mut self, data: Option<&[u8]>) -> Result<(), LocalProtocolError> {
        let Some(data) = data else {
            self.queued
                .push_back(Event::CloseConnection(CloseConnection::new(
                    CloseReason::ABNORMAL_CLOSURE,
                )));
            self.state = ConnectionState::Closed;
            return Ok(());
        };
        match self.state {
            ConnectionState::Open | ConnectionState::LocalClosing => self.proto.receive_bytes(data),
            ConnectionState::Closed => {
                return Err(LocalProtocolError::new("connection already closed"));
            }
            _ => {}
        }
        Ok(())
    }

    /// The events the received bytes produced, in order. A protocol error comes out as a
    /// `CloseConnection` carrying the code to answer with; nothing follows it.
    pub fn events(&mut self) -> Events<'_, R, E> {
        Events { connection: self }
    }

    /// The next event, if any.
    pub fn next_event(&mut self) -> Option<Event> {
        if let Some(event) = self.queued.pop_front() {
            return Some(event);
        }
        match self.proto.next_frame() {
            Ok(frame) => frame.map(|frame| self.frame_event(frame)),
            Err(error) => {
                self.failed = true;
                Some(Event::CloseConnection(CloseConnection {
                    code: error.code(),
                    reason: Some(error.message().to_owned()),
                }))
            }
        }
    }

    fn frame_event(&mut self, frame: Frame) -> Event {
        let (frame_finished, message_finished) = (frame.frame_finished, frame.message_finished);
        match frame.payload {
            Payload::Close(code, reason) => {
                self.state = if self.state == ConnectionState::LocalClosing {
                    ConnectionState::Closed
                } else {
                    ConnectionState::RemoteClosing
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
                Opcode::Ping => Event::Ping(Ping { payload }),
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
        sent.map_err(|e| LocalProtocolError::new(e.to_string()))
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
        if self.state != ConnectionState::Open {
            return Err(LocalProtocolError::not_in_state("a message", self.state));
        }
        Ok(self.proto.send_data_vectored(data, fin)?)
    }
}

impl From<SendError> for LocalProtocolError {
    fn from(error: SendError) -> Self {
        LocalProtocolError::new(error.to_string())
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
