//! [`WebSocket`]: an open connection over a blocking transport. What is sent and received,
//! and when the transport must close, is decided by the transport-free
//! [`Session`](crate::io::session::Session); this file reads, writes and keeps the clock.

use std::io::{self, IoSlice};
use std::time::Instant;

use crate::close_code::CloseReason;
use crate::connection::{Connection, ConnectionState};
use crate::ext::ExtensionList;
use crate::io::blocking::Transport;
use crate::io::blocking::transport::{timed_out, wait_until};
use crate::io::session::Session;
use crate::io::{Config, Error, Message};
use crate::role::Role;

/// Bytes read from the transport per call, on the stack.
const READ_CHUNK: usize = 16 << 10;

/// An open WebSocket over a blocking transport `S`, for role `R` with extensions `E`.
///
/// Made by [`accept`](super::accept) or [`connect`](super::connect) (or
/// [`from_open`](Self::from_open)). [`recv`](Self::recv) blocks until a message; a send
/// blocks until the transport took the bytes, so a peer that stops reading stops the
/// sender instead of growing a queue. [`close`](Self::close) runs the closing handshake.
#[derive(Debug)]
pub struct WebSocket<S, R: Role, E: ExtensionList = ()> {
    io: S,
    session: Session<R, E>,
    /// Set when our close frame is queued: the peer's must come before it.
    close_deadline: Option<Instant>,
    /// When the next keepalive ping is due, with a keepalive configured.
    keepalive_due: Option<Instant>,
    /// Whether the transport's timeouts are set; cleared ones are not set again before
    /// every read.
    timeouts_set: bool,
    /// The end has been reported to the reader (`None` from then on).
    finished: bool,
}

impl<S: Transport, R: Role, E: ExtensionList> WebSocket<S, R, E> {
    /// Wraps a connection whose handshake is done, with whole-message delivery and the
    /// config's ping policy.
    pub fn from_open(io: S, connection: Connection<R, E>, config: Config) -> Self {
        WebSocket {
            io,
            session: Session::new(connection, config),
            close_deadline: None,
            keepalive_due: config.keepalive.map(|interval| Instant::now() + interval),
            timeouts_set: false,
            finished: false,
        }
    }

    /// The connection's state (RFC 6455 §7).
    pub fn state(&self) -> ConnectionState {
        self.session.connection().state()
    }

    /// The sans-IO connection underneath.
    pub fn connection(&self) -> &Connection<R, E> {
        self.session.connection()
    }

    /// The transport.
    pub fn get_ref(&self) -> &S {
        &self.io
    }

    /// Bytes queued for the transport and not yet written.
    pub fn queued(&self) -> usize {
        self.session.queued()
    }

    /// Frees the state the connection can rebuild on its next message (see
    /// [`FrameProtocol::release_idle_memory`](crate::FrameProtocol::release_idle_memory)):
    /// for a connection that went quiet. The tokio driver does it on its own after
    /// [`Config::release_idle_memory_after`]; a blocking reader, parked in `read`, cannot,
    /// so a program that keeps many quiet blocking connections calls this itself.
    pub fn release_idle_memory(&mut self) {
        self.session.release_idle_memory();
    }

    /// The next message, blocking until one arrives; `None` once the connection has
    /// closed and the transport is shut down. A protocol error comes out once as
    /// [`Error::Protocol`], after our close frame with its code was sent and the transport
    /// shut down; the peer's close comes out after our answer was sent, likewise.
    pub fn recv(&mut self) -> Option<Result<Message, Error>> {
        loop {
            if self.finished {
                return None;
            }
            if let Some(message) = self.session.next_message() {
                self.arm_close_deadline();
                // Every ping gets its pong before the reader sees it (RFC 6455 §5.5.2); a
                // peer that pings without reading stops us here rather than growing a queue.
                if matches!(message, Ok(Message::Ping(_)))
                    && let Err(error) = self.write_queued()
                {
                    return Some(Err(error));
                }
                // The last message (the peer's close, answered, or a protocol error) leaves
                // with the transport already closed: a caller that stops reading here,
                // or returns the error with `?`, loses no close frame.
                if self.session.is_over() {
                    self.shut_down();
                }
                return Some(message);
            }
            if let Err(error) = self.keepalive() {
                self.shut_down();
                return Some(Err(error));
            }
            if self.session.is_over() || self.close_expired() {
                self.shut_down();
                return None;
            }
            if let Err(error) = self.write_queued().and_then(|()| self.read_more()) {
                return Some(Err(error));
            }
        }
    }

    /// Queues a message and writes everything queued. A large message of a server goes
    /// out in one vectored write of its header and its own bytes, without a copy.
    pub fn send(&mut self, message: Message) -> Result<(), Error> {
        self.feed(message)?;
        self.flush()
    }

    /// Queues a message without writing it, unless the queue is over the high-water mark:
    /// messages fed together leave in one write at the next [`flush`](Self::flush).
    pub fn feed(&mut self, message: Message) -> Result<(), Error> {
        if self.session.queued() > self.session.config.send_buffer_high_water {
            self.write_queued()?;
        }
        self.session.send(message)?;
        self.arm_close_deadline();
        Ok(())
    }

    /// Writes everything queued and flushes the transport.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.write_queued()?;
        Ok(self.io.flush()?)
    }

    /// Closes with 1000 (normal closure): see [`close_with`](Self::close_with).
    pub fn close(&mut self) -> Result<(), Error> {
        self.close_with(CloseReason::NORMAL_CLOSURE, None)
    }

    /// The closing handshake (RFC 6455 §7.1.2): our close with `code` and `reason`, the
    /// peer's within the close timeout (messages still arriving are dropped), then the
    /// transport shut down.
    pub fn close_with(&mut self, code: CloseReason, reason: Option<&str>) -> Result<(), Error> {
        self.session.close(code, reason)?;
        self.arm_close_deadline();
        while self.recv().is_some() {}
        Ok(())
    }

    /// Reads once into the connection, until the close deadline or the next keepalive ping
    /// at the latest; a read cut short by either is no error (the caller sees which).
    fn read_more(&mut self) -> Result<(), Error> {
        let deadline = match (self.close_deadline, self.keepalive_due) {
            (Some(close), Some(ping)) => Some(close.min(ping)),
            (close, ping) => close.or(ping),
        };
        if !self.bound_by(deadline)? {
            return Ok(());
        }
        let mut chunk = [0u8; READ_CHUNK];
        match self.io.read(&mut chunk) {
            Ok(n) => self.session.receive((n > 0).then(|| &chunk[..n])),
            Err(error) if deadline.is_some() && timed_out(&error) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Sends the keepalive ping when it is due (see
    /// [`Config::keepalive`](crate::io::Config::keepalive)); an error if the last one went
    /// unanswered.
    fn keepalive(&mut self) -> Result<(), Error> {
        let (Some(due), Some(interval)) = (self.keepalive_due, self.session.config.keepalive)
        else {
            return Ok(());
        };
        if Instant::now() < due {
            return Ok(());
        }
        self.keepalive_due = Some(Instant::now() + interval);
        self.session.keepalive()
    }

    /// Writes what is queued, then the pong owed, if any; bounded by the close deadline
    /// once our close is queued.
    fn write_queued(&mut self) -> Result<(), Error> {
        loop {
            let [queue, tail] = self.session.pending_output()?;
            if queue.is_empty() && tail.is_empty() {
                return Ok(());
            }
            if !self.bound_by(self.close_deadline)? {
                return Err(io::Error::from(io::ErrorKind::TimedOut).into());
            }
            let [queue, tail] = self.session.pending_output()?;
            let n = self
                .io
                .write_vectored(&[IoSlice::new(queue), IoSlice::new(tail)])?;
            if n == 0 {
                return Err(io::Error::from(io::ErrorKind::WriteZero).into());
            }
            self.session.wrote(n);
        }
    }

    /// Sets the transport's timeouts to the time left before `deadline`, or clears them;
    /// `false` if it has passed.
    fn bound_by(&mut self, deadline: Option<Instant>) -> io::Result<bool> {
        if deadline.is_none() && !self.timeouts_set {
            return Ok(true);
        }
        match wait_until(&self.io, deadline) {
            Ok(()) => {
                self.timeouts_set = deadline.is_some();
                Ok(true)
            }
            Err(error) if timed_out(&error) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Starts the wait for the peer's close once ours is queued (RFC 6455 §7.1.1).
    fn arm_close_deadline(&mut self) {
        if self.session.close_sent() && self.close_deadline.is_none() {
            self.close_deadline = Some(Instant::now() + self.session.config.close_timeout);
        }
    }

    fn close_expired(&self) -> bool {
        self.close_deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Writes what is queued (our close among it) and closes the transport as RFC 6455
    /// §7.1.1 says: after a clean closing handshake the server closes TCP first and the
    /// client waits for it; otherwise (a server, a failed connection) we end our direction
    /// and read until the peer ends its own, so that it reads everything we sent rather than
    /// a reset. Both waits end at the close deadline. Errors are moot here: the connection
    /// is over.
    fn shut_down(&mut self) {
        self.finished = true;
        let deadline = self
            .close_deadline
            .unwrap_or_else(|| Instant::now() + self.session.config.close_timeout);
        self.close_deadline = Some(deadline);
        let _ = self.write_queued();
        self.session.discard_output();
        let _ = self.io.flush();
        let connection = self.session.connection();
        let clean = connection.state() == ConnectionState::Closed && !connection.is_failed();
        if R::IS_CLIENT && clean {
            self.read_until_end(deadline);
            let _ = self.io.shutdown_write();
        } else if self.io.shutdown_write().is_ok() {
            self.read_until_end(deadline);
        }
    }

    /// Reads and drops bytes until the peer ends the stream, or the deadline.
    fn read_until_end(&mut self, deadline: Instant) {
        let mut sink = [0u8; 4 << 10];
        while wait_until(&self.io, Some(deadline)).is_ok() {
            if !matches!(self.io.read(&mut sink), Ok(n) if n > 0) {
                break;
            }
        }
    }
}
