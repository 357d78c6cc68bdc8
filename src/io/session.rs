//! [`Session`]: what every transport driver does the same way, without I/O. It turns the
//! connection's events into [`Message`]s (answering the peer's close, §5.5.1, and failing
//! the connection on a protocol error, §7.1.7), encodes what is sent into one output
//! queue, and lets the pong for the latest ping join that queue only when it is empty
//! (§5.5.3), so pongs never pile up behind a peer that does not read. The tokio and the
//! blocking drivers add only reading, writing and clocks.

use bytes::Bytes;

use crate::close_code::CloseReason;
use crate::connection::{
    CloseConnection, Connection, ConnectionState, Event, LocalProtocolError, Ping, Pong,
};
use crate::ext::ExtensionList;
use crate::io::outbox::Outbox;
use crate::io::{Config, Error, Message};
use crate::protocol::Data;
use crate::role::Role;

/// From this size on, a server's message is written from its own memory instead of being
/// copied into the queue; smaller ones are copied, so that several can share a write.
pub(crate) const ZERO_COPY_FROM: usize = 16 << 10;

/// An open connection and its output queue.
#[derive(Debug)]
pub(crate) struct Session<R: Role, E: ExtensionList> {
    connection: Connection<R, E>,
    pub(crate) config: Config,
    /// What is to be written, in order.
    outbox: Outbox,
    /// Our close frame is queued: the peer's must follow within the close timeout.
    close_sent: bool,
    /// A keepalive ping went out and no pong has come since.
    awaiting_pong: bool,
    /// We gave up on the peer (a keepalive ping went unanswered): close without waiting.
    given_up: bool,
    /// Bytes were received or a message sent since [`take_activity`](Self::take_activity)
    /// last looked.
    active: bool,
}

impl<R: Role, E: ExtensionList> Session<R, E> {
    /// Takes over a connection whose handshake is done, with the config's delivery (whole
    /// messages or pieces) and ping policy.
    pub(crate) fn new(connection: Connection<R, E>, config: Config) -> Self {
        let mut connection = connection.with_ping_policy(config.ping_policy);
        connection
            .protocol_mut()
            .set_whole_messages(!config.message_pieces);
        Session {
            connection,
            config,
            outbox: Outbox::default(),
            close_sent: false,
            awaiting_pong: false,
            given_up: false,
            active: false,
        }
    }

    pub(crate) fn connection(&self) -> &Connection<R, E> {
        &self.connection
    }

    /// Bytes queued and not yet written.
    pub(crate) fn queued(&self) -> usize {
        self.outbox.len()
    }

    /// Whether our close frame has been queued.
    pub(crate) fn close_sent(&self) -> bool {
        self.close_sent
    }

    /// Whether the transport should close once the queue is written: the closing handshake
    /// is over (§7.1.1), or the connection failed (§7.1.7).
    pub(crate) fn is_over(&self) -> bool {
        self.connection.state() == ConnectionState::Closed
            || self.connection.is_failed()
            || self.given_up
    }

    /// Hands received bytes (or the end of the stream, `None`) to the connection. Bytes
    /// after the closing handshake carry nothing (§5.5.1) and are dropped.
    pub(crate) fn receive(&mut self, data: Option<&[u8]>) -> Result<(), Error> {
        if self.connection.state() == ConnectionState::Closed && data.is_some() {
            return Ok(());
        }
        self.active = true;
        Ok(self.connection.receive_data(data)?)
    }

    /// The next message of what was received; `None` if more bytes are needed.
    pub(crate) fn next_message(&mut self) -> Option<Result<Message, Error>> {
        while let Some(event) = self.connection.next_event() {
            let message = match event {
                Event::TextMessage(message) if self.config.message_pieces => Message::TextPiece {
                    text: message.data,
                    last: message.message_finished,
                },
                Event::BytesMessage(message) if self.config.message_pieces => {
                    Message::BinaryPiece {
                        data: message.data,
                        last: message.message_finished,
                    }
                }
                Event::TextMessage(message) => Message::Text(message.data),
                Event::BytesMessage(message) => Message::Binary(message.data),
                Event::Ping(ping) => Message::Ping(ping.payload),
                Event::Pong(pong) => {
                    self.awaiting_pong = false;
                    Message::Pong(pong.payload)
                }
                Event::CloseConnection(close) => return Some(self.on_close(close)),
                _ => continue,
            };
            return Some(Ok(message));
        }
        None
    }

    /// The peer's close, a protocol error, or the end of the stream (RFC 6455 §7.1.5).
    fn on_close(&mut self, close: CloseConnection) -> Result<Message, Error> {
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
        Ok(Message::Close(close))
    }

    /// Encodes a message into the queue, after the pong owed if the queue is empty (a pong
    /// goes out as soon as practical, §5.5.3). A piece is one fragment of its message
    /// (§5.4). A text or binary message or piece of at least [`ZERO_COPY_FROM`] bytes whose
    /// frame carries its own bytes (a server's, not transformed by an extension) queues
    /// only its header: the payload is written from the message's memory. Sending `Close`
    /// starts the closing handshake: data can no longer be sent.
    pub(crate) fn send(&mut self, message: Message) -> Result<(), Error> {
        self.active = true;
        self.queue_pong_if_idle()?;
        let queued = match message {
            Message::Text(text) => self.send_data(Data::Text(&text), text.as_bytes(), true),
            Message::Binary(data) => self.send_data(Data::Binary(&data), &data, true),
            Message::TextPiece { text, last } => {
                self.send_data(Data::Text(&text), text.as_bytes(), last)
            }
            Message::BinaryPiece { data, last } => self.send_data(Data::Binary(&data), &data, last),
            Message::Ping(payload) => self.queue(Ping { payload }),
            Message::Pong(payload) => self.queue(Pong { payload }),
            Message::Close(close) => self.queue(close),
        };
        Ok(queued?)
    }

    /// A data frame of `bytes` (as `data`), or a continuation of its message; `last` ends
    /// the message. Small frames are encoded into the queue.
    fn send_data(
        &mut self,
        data: Data<'_>,
        bytes: &Bytes,
        last: bool,
    ) -> Result<(), LocalProtocolError> {
        if bytes.len() >= ZERO_COPY_FROM {
            return self.send_zero_copy(data, bytes, last);
        }
        self.connection
            .send_data_into(data, last, self.outbox.buf_mut())
    }

    /// Queues a data frame's header, and its payload as the outbox's tail if the frame
    /// carries `bytes` themselves; otherwise the whole frame (masked or transformed).
    fn send_zero_copy(
        &mut self,
        data: Data<'_>,
        bytes: &Bytes,
        last: bool,
    ) -> Result<(), LocalProtocolError> {
        let frame = self.connection.send_data_vectored(data, last)?;
        let own_bytes = frame.payload().as_ptr() == bytes.as_ptr();
        let buf = self.outbox.buf_mut();
        if own_bytes {
            buf.extend_from_slice(frame.before());
            buf.extend_from_slice(frame.header());
            self.outbox.set_tail(bytes.clone());
        } else {
            frame.append_to(buf);
        }
        Ok(())
    }

    /// The keepalive's turn (RFC 6455 §5.5.2: a ping "may serve ... as a keepalive"): a
    /// ping if the last one was answered, otherwise the peer is taken for gone, our close
    /// with 1011 is queued, and the connection ends without waiting for an answer.
    pub(crate) fn keepalive(&mut self) -> Result<(), Error> {
        if self.connection.state() != ConnectionState::Open {
            return Ok(());
        }
        if self.awaiting_pong {
            self.close(CloseReason::INTERNAL_ERROR, Some("keepalive ping timeout"))?;
            self.given_up = true;
            return Err(Error::KeepaliveTimeout);
        }
        self.queue(Ping {
            payload: Bytes::from_static(b"keepalive"),
        })?;
        self.awaiting_pong = true;
        Ok(())
    }

    /// Queues our close with this code and reason, unless a close was sent already or
    /// the peer's has been answered (RFC 6455 §5.5.1: one close each way).
    pub(crate) fn close(&mut self, code: CloseReason, reason: Option<&str>) -> Result<(), Error> {
        if self.connection.state() == ConnectionState::Open {
            let reason = reason.map(str::to_owned);
            self.queue(CloseConnection { code, reason })?;
        }
        Ok(())
    }

    fn queue(&mut self, event: impl Into<Event>) -> Result<(), LocalProtocolError> {
        let event = event.into();
        let closing = matches!(event, Event::CloseConnection(_));
        self.connection.send_into(event, self.outbox.buf_mut())?;
        self.close_sent |= closing;
        Ok(())
    }

    /// What to write next, as two slices for one vectored write: the queue's rest, or,
    /// once it is written, the pong owed for the latest ping, if any. Both empty when there
    /// is nothing to write.
    pub(crate) fn pending_output(&mut self) -> Result<[&[u8]; 2], Error> {
        self.queue_pong_if_idle()?;
        Ok(self.outbox.pending())
    }

    /// The one rule for pongs (RFC 6455 §5.5.3): the pong owed for the latest ping joins
    /// the queue only when the queue is empty, so pings that arrive while the peer does not
    /// read replace each other's pong in the connection's one slot instead of piling up.
    fn queue_pong_if_idle(&mut self) -> Result<(), LocalProtocolError> {
        if self.outbox.is_empty() {
            self.connection.take_pong_into(self.outbox.buf_mut())?;
        }
        Ok(())
    }

    /// `n` bytes of [`pending_output`](Self::pending_output) were written.
    pub(crate) fn wrote(&mut self, n: usize) {
        self.outbox.wrote(n, self.config.send_buffer_high_water);
    }

    /// Whether there was traffic since the last call: a driver's idle clock restarts.
    #[cfg(feature = "tokio")]
    pub(crate) fn take_activity(&mut self) -> bool {
        std::mem::take(&mut self.active)
    }

    /// The connection is quiet: frees what the protocol can rebuild (see
    /// [`FrameProtocol::release_idle_memory`](crate::FrameProtocol::release_idle_memory)).
    pub(crate) fn release_idle_memory(&mut self) {
        self.connection.protocol_mut().release_idle_memory();
    }

    /// Drops what could not be written: the transport is gone.
    pub(crate) fn discard_output(&mut self) {
        self.outbox.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::{Client, Server};

    fn session<R: Role>() -> Session<R, ()> {
        Session::new(Connection::new(()), Config::default())
    }

    #[test]
    fn a_large_server_message_is_written_from_its_own_memory() {
        let mut server = session::<Server>();
        let message = Bytes::from(vec![7u8; ZERO_COPY_FROM]);
        server.send(Message::Binary(message.clone())).unwrap();
        let [queue, tail] = server.pending_output().unwrap();
        assert_eq!(queue, [0x82, 126, 0x40, 0x00], "the header alone is queued");
        assert_eq!(
            tail.as_ptr(),
            message.as_ptr(),
            "the payload is the message itself"
        );
        // What is sent next goes after it.
        server.send(Message::text("next")).unwrap();
        let [queue, tail] = server.pending_output().unwrap();
        assert!(tail.is_empty());
        assert_eq!(queue.len(), 4 + ZERO_COPY_FROM + 6);
        assert_eq!(&queue[4 + ZERO_COPY_FROM..], b"\x81\x04next");
    }

    #[test]
    fn large_pieces_are_fragments_written_from_their_own_memory() {
        let mut server = session::<Server>();
        // RFC 6455 §5.4: BINARY without FIN, then CONTINUATION with FIN.
        for (byte, last, first_header_byte) in [(1u8, false, 0x02), (2, true, 0x80)] {
            let data = Bytes::from(vec![byte; ZERO_COPY_FROM]);
            let piece = Message::BinaryPiece {
                data: data.clone(),
                last,
            };
            server.send(piece).unwrap();
            let [queue, tail] = server.pending_output().unwrap();
            assert_eq!(queue, [first_header_byte, 126, 0x40, 0x00]);
            assert_eq!(tail.as_ptr(), data.as_ptr(), "the piece's own memory");
            let written = queue.len() + tail.len();
            server.wrote(written);
        }
    }

    #[test]
    fn a_small_or_masked_message_is_copied_into_the_queue() {
        let mut server = session::<Server>();
        server
            .send(Message::binary(vec![1u8; ZERO_COPY_FROM - 1]))
            .unwrap();
        assert!(server.pending_output().unwrap()[1].is_empty());
        let mut client = session::<Client>();
        client
            .send(Message::binary(vec![1u8; ZERO_COPY_FROM]))
            .unwrap();
        let [queue, tail] = client.pending_output().unwrap();
        assert!(tail.is_empty(), "a client's payload is masked: a copy");
        assert_eq!(queue.len(), 2 + 2 + 4 + ZERO_COPY_FROM);
    }
}
