//! [`WebSocket`]: an open connection over a tokio transport, as poll functions (the
//! `Stream` and `Sink` of `stream.rs` and the async methods are built on them).
//!
//! Reading decodes whole messages; the pong owed for the latest ping is queued before
//! anything else is sent (RFC 6455 §5.5.3). Writing appends encoded frames to one buffer
//! that is written out when flushed or when it passes the high-water mark, so that frames
//! queued together leave in one write. Closing follows RFC 6455 §7: our close frame, a
//! bounded wait for the peer's, then the transport shut down.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use ::tokio::time::{Sleep, sleep};

use crate::close_code::CloseReason;
use crate::connection::{
    BytesMessage, CloseConnection, Connection, ConnectionState, Event, Ping, Pong, TextMessage,
};
use crate::ext::ExtensionList;
use crate::io::{Config, Error, Message};
use crate::role::Role;

/// Bytes read from the transport per call: enough for a small message in one read, and
/// on the stack, so an idle connection holds no read buffer.
const READ_CHUNK: usize = 16 << 10;

/// An open WebSocket over a tokio transport `S`, for role `R` with extensions `E`.
///
/// Made by [`accept`](super::accept) or [`connect`](super::connect) (or
/// [`from_open`](Self::from_open) after a handshake done elsewhere). Receive with
/// [`recv`](Self::recv) or as a `futures::Stream`; send with [`send`](Self::send),
/// [`feed`](Self::feed) + [`flush`](Self::flush), or as a `futures::Sink`; end with
/// [`close`](Self::close).
#[derive(Debug)]
pub struct WebSocket<S, R: Role, E: ExtensionList = ()> {
    io: S,
    connection: Connection<R, E>,
    config: Config,
    /// Encoded frames not yet written, from `written` on.
    out: Vec<u8>,
    written: usize,
    /// Armed when our close frame is queued: the peer's close must come before it fires.
    close_deadline: Option<Pin<Box<Sleep>>>,
    /// The transport has been shut down; nothing more is read or written.
    shut_down: bool,
    /// The end has been reported to the reader (`None` from then on).
    finished: bool,
}

// The WebSocket never pins its fields (it polls the transport through `Pin::new`, which
// needs `S: Unpin`), so it can move while pinned whatever the extensions are.
impl<S: Unpin, R: Role, E: ExtensionList> Unpin for WebSocket<S, R, E> {}

impl<S, R, E> WebSocket<S, R, E>
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Role,
    E: ExtensionList,
{
    /// Wraps a connection whose handshake is done, with whole-message delivery and the
    /// config's ping policy.
    pub fn from_open(io: S, connection: Connection<R, E>, config: Config) -> Self {
        let mut connection = connection.with_ping_policy(config.ping_policy);
        connection.protocol_mut().set_whole_messages(true);
        WebSocket {
            io,
            connection,
            config,
            out: Vec::new(),
            written: 0,
            close_deadline: None,
            shut_down: false,
            finished: false,
        }
    }

    /// The connection's state (RFC 6455 §7).
    pub fn state(&self) -> ConnectionState {
        self.connection.state()
    }

    /// The sans-IO connection underneath, e.g. for
    /// [`enabled_extensions`](crate::FrameProtocol::enabled_extensions).
    pub fn connection(&self) -> &Connection<R, E> {
        &self.connection
    }

    /// The transport.
    pub fn get_ref(&self) -> &S {
        &self.io
    }

    /// Bytes queued for the transport and not yet written.
    pub fn queued(&self) -> usize {
        self.out.len() - self.written
    }

    /// The next message, `Ready(None)` once the connection has closed and the transport is
    /// shut down. A protocol error comes out once as [`Error::Protocol`], after our close
    /// frame with its code was sent.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Message, Error>>> {
        loop {
            if self.finished {
                return Poll::Ready(None);
            }
            if let Some(event) = self.connection.next_event() {
                match self.on_event(event) {
                    Ok(Some(message)) => return Poll::Ready(Some(Ok(message))),
                    Ok(None) => continue,
                    Err(error) => return Poll::Ready(Some(Err(error))),
                }
            }
            // §7.1.1: the handshake is over, or the peer did not answer in time; §7.1.7: a
            // failed connection closes the transport right after our close frame.
            let over = self.connection.state() == ConnectionState::Closed
                || self.connection.is_failed()
                || self.close_expired(cx);
            if over {
                ready!(self.poll_shut_down(cx))?;
                self.finished = true;
                return Poll::Ready(None);
            }
            // Answers (a pong, our close) go out while we wait for more to read.
            if let Poll::Ready(Err(error)) = self.poll_write_queued(cx) {
                return Poll::Ready(Some(Err(error.into())));
            }
            ready!(self.poll_read_more(cx))?;
        }
    }

    /// What an event means to the reader: a message, nothing (keep reading), or an error.
    fn on_event(&mut self, event: Event) -> Result<Option<Message>, Error> {
        Ok(match event {
            Event::TextMessage(message) => Some(Message::Text(message.data)),
            Event::BytesMessage(message) => Some(Message::Binary(message.data)),
            Event::Ping(ping) => Some(Message::Ping(ping.payload)),
            Event::Pong(pong) => Some(Message::Pong(pong.payload)),
            Event::CloseConnection(close) => return self.on_close(close),
            _ => None,
        })
    }

    /// The peer's close, a protocol error, or the end of the stream (RFC 6455 §7.1.5).
    fn on_close(&mut self, close: CloseConnection) -> Result<Option<Message>, Error> {
        if self.connection.is_failed() {
            // §7.1.7: fail the connection: our close with the error's code, then the end.
            self.queue(close.response())?;
            return Err(Error::Protocol(close));
        }
        if close.code == CloseReason::ABNORMAL_CLOSURE {
            return Err(Error::AbnormalClosure);
        }
        if self.connection.state() == ConnectionState::RemoteClosing {
            // §5.5.1: answer the peer's close with the same code.
            self.queue(close.response())?;
        }
        Ok(Some(Message::Close(close)))
    }

    /// Reads once from the transport into the connection. `Ready(Ok)` means progress (bytes
    /// or the end of the stream).
    fn poll_read_more(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut chunk = [0u8; READ_CHUNK];
        let mut buf = ReadBuf::new(&mut chunk);
        ready!(Pin::new(&mut self.io).poll_read(cx, &mut buf))?;
        let read = buf.filled();
        let data = (!read.is_empty()).then_some(read);
        if self.connection.state() == ConnectionState::Closed && data.is_some() {
            // Bytes after the closing handshake carry nothing (§5.5.1).
            return Poll::Ready(Ok(()));
        }
        self.connection.receive_data(data)?;
        Poll::Ready(Ok(()))
    }

    /// Whether our close went unanswered for longer than the close timeout.
    fn close_expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.close_deadline
            .as_mut()
            .is_some_and(|deadline| deadline.as_mut().poll(cx).is_ready())
    }

    /// Waits until the queue is below the high-water mark, so a message can be queued.
    pub fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        if self.queued() > self.config.send_buffer_high_water {
            ready!(self.poll_write_queued(cx))?;
        }
        Poll::Ready(Ok(()))
    }

    /// Encodes a message into the queue, after the pong owed if the queue is empty (a
    /// pong goes out as soon as practical, §5.5.3, and never piles up). Sending `Close`
    /// starts the closing handshake: data can no longer be sent.
    pub fn start_send(&mut self, message: Message) -> Result<(), Error> {
        if self.queued() == 0 {
            self.connection.take_pong_into(&mut self.out)?;
        }
        match message {
            Message::Text(text) => self.queue(TextMessage::new(text)),
            Message::Binary(data) => self.queue(BytesMessage::new(data)),
            Message::Ping(payload) => self.queue(Ping { payload }),
            Message::Pong(payload) => self.queue(Pong { payload }),
            Message::Close(close) => self.queue(close),
        }
    }

    /// Writes everything queued and flushes the transport.
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        ready!(self.poll_write_queued(cx))?;
        ready!(Pin::new(&mut self.io).poll_flush(cx))?;
        Poll::Ready(Ok(()))
    }

    /// The closing handshake: our close (1000 unless one was sent), the peer's within the
    /// close timeout (messages still arriving are dropped), then the transport shut down.
    pub fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        if self.connection.state() == ConnectionState::Open {
            self.queue(CloseConnection::new(CloseReason::NORMAL_CLOSURE))?;
        }
        while ready!(self.poll_recv(cx)).is_some() {}
        Poll::Ready(Ok(()))
    }

    /// Encodes an event into the queue; a close arms the wait for the peer's.
    fn queue(&mut self, event: impl Into<Event>) -> Result<(), Error> {
        let event = event.into();
        let closing = matches!(event, Event::CloseConnection(_));
        self.connection.send_into(event, &mut self.out)?;
        if closing && self.close_deadline.is_none() {
            self.close_deadline = Some(Box::pin(sleep(self.config.close_timeout)));
        }
        Ok(())
    }

    /// Writes what is queued, and then the pong owed for the latest ping, if any. A pong
    /// joins the queue only when the queue is empty: pings that arrive while the peer does
    /// not read replace each other's pong in the connection's one slot (RFC 6455 §5.5.3)
    /// instead of piling up here. The buffer is released once empty if a large message grew
    /// it, so an idle connection holds no large buffer.
    fn poll_write_queued(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            if self.written == self.out.len() {
                self.out.clear();
                self.written = 0;
                let pong = self.connection.take_pong_into(&mut self.out);
                if !pong.map_err(io::Error::other)? {
                    break;
                }
            }
            if self.shut_down {
                return Poll::Ready(Err(io::ErrorKind::NotConnected.into()));
            }
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.out[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        if self.out.capacity() > self.config.send_buffer_high_water {
            self.out = Vec::new();
        }
        Poll::Ready(Ok(()))
    }

    /// Writes what is queued (our close among it), then shuts the transport down
    /// (RFC 6455 §7.1.1: the TCP connection is closed once the closing handshake is over,
    /// or when waiting for it has timed out).
    fn poll_shut_down(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.shut_down {
            return Poll::Ready(Ok(()));
        }
        // A peer that went away cannot take our close: shut down all the same.
        let written = ready!(self.poll_write_queued(cx));
        let shut = ready!(Pin::new(&mut self.io).poll_shutdown(cx));
        self.shut_down = true;
        self.close_deadline = None;
        self.out = Vec::new();
        self.written = 0;
        match (written, shut) {
            (Err(error), _) | (_, Err(error)) if error.kind() != io::ErrorKind::NotConnected => {
                Poll::Ready(Err(error))
            }
            _ => Poll::Ready(Ok(())),
        }
    }
}
