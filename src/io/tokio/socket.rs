//! [`WebSocket`]: an open connection over a tokio transport, as poll functions (the
//! `Stream` and `Sink` of `stream.rs` and the async methods are built on them).
//!
//! What is sent and received, and when the transport must close, is decided by the
//! transport-free [`Session`]; this file reads, writes and keeps the clock. Frames queued
//! together leave in one write when flushed, or when the queue passes the high-water mark.
//! Closing follows RFC 6455 §7: our close frame, a bounded wait for the peer's, then the
//! transport shut down.

use std::io::{self, IoSlice};
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};

use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use ::tokio::time::{Sleep, sleep};

use crate::close_code::CloseReason;
use crate::connection::{Connection, ConnectionState};
use crate::ext::ExtensionList;
use crate::io::session::Session;
use crate::io::{Config, Error, Message};
use crate::role::Role;

/// Bytes read from the transport per call, on the stack, so an idle connection holds no
/// read buffer: 64 KiB, so that a 64 KiB message takes one read where the kernel has it.
const READ_CHUNK: usize = 64 << 10;

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
    session: Session<R, E>,
    /// Armed when our close frame is queued: the peer's close must come before it fires.
    close_deadline: Option<Pin<Box<Sleep>>>,
    /// When the next keepalive ping is due, with a keepalive configured.
    keepalive: Option<Pin<Box<Sleep>>>,
    /// Armed while the connection holds state it can rebuild: when it fires after a
    /// quiet period, the state is freed (see [`Config::release_idle_memory_after`]).
    idle: Option<Pin<Box<Sleep>>>,
    /// The transport has been shut down; nothing more is read or written.
    shut_down: bool,
    /// The transport is closed; the reader gets `last`, then `None`.
    finished: bool,
    /// The message after which the connection is over, held back until the transport is
    /// closed.
    last: Option<Result<Message, Error>>,
    /// A sender waiting for room in the transport: a reader in another task leaves writing
    /// to it (a write would take over its wake-up) and wakes it when the transport closes.
    waiting_writer: Option<Waker>,
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
        WebSocket {
            io,
            session: Session::new(connection, config),
            close_deadline: None,
            keepalive: config.keepalive.map(|interval| Box::pin(sleep(interval))),
            idle: None,
            shut_down: false,
            finished: false,
            last: None,
            waiting_writer: None,
        }
    }

    /// The connection's state (RFC 6455 §7).
    pub fn state(&self) -> ConnectionState {
        self.session.connection().state()
    }

    /// The sans-IO connection underneath, e.g. for
    /// [`enabled_extensions`](crate::FrameProtocol::enabled_extensions).
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

    /// The next message, `Ready(None)` once the connection has closed and the transport is
    /// shut down. A protocol error comes out once as [`Error::Protocol`], after our close
    /// frame with its code was sent and the transport shut down; the peer's close comes out
    /// after our answer was sent, likewise.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Message, Error>>> {
        loop {
            if self.finished {
                return Poll::Ready(self.last.take());
            }
            if self.last.is_none()
                && let Some(message) = self.session.next_message()
            {
                self.arm_close_deadline();
                if matches!(message, Ok(Message::Ping(_))) {
                    // Answer now if the transport takes it: every ping gets its pong while
                    // the peer reads, and only a stalled writer leaves pongs to collapse
                    // into the latest (RFC 6455 §5.5.2, §5.5.3).
                    if let Err(error) = self.write_now() {
                        return Poll::Ready(Some(Err(error)));
                    }
                }
                if !self.session.is_over() {
                    return Poll::Ready(Some(message));
                }
                // The last message (the peer's close, answered, or a protocol error) waits
                // until the transport is closed: a caller that stops reading there, or
                // returns the error with `?`, loses no close frame.
                self.last = Some(message);
            }
            if self.last.is_none()
                && let Err(error) = self.poll_keepalive(cx)
            {
                self.last = Some(Err(error));
            }
            if self.session.is_over() || self.close_expired(cx) {
                let shut = ready!(self.poll_shut_down(cx));
                self.finished = true;
                if let Some(last) = self.last.take() {
                    return Poll::Ready(Some(last));
                }
                shut?;
                return Poll::Ready(None);
            }
            // Answers (a pong, a keepalive ping) go out while we wait for more to read.
            if let Err(error) = self.write_now() {
                return Poll::Ready(Some(Err(error)));
            }
            let read = self.poll_read_more(cx);
            if read.is_pending() {
                self.poll_idle_release(cx);
            }
            ready!(read)?;
        }
    }

    /// While the reader waits: frees the rebuildable state once a whole
    /// [`Config::release_idle_memory_after`] passed without traffic. One timer per quiet
    /// spell, not per message: when it fires after traffic, it is set again.
    fn poll_idle_release(&mut self, cx: &mut Context<'_>) {
        let Some(after) = self.session.config.release_idle_memory_after else {
            return;
        };
        if E::LEN == 0 {
            return; // nothing of the protocol's own is kept while idle
        }
        let timer = match self.idle.as_mut() {
            Some(timer) => timer,
            None if self.session.take_activity() => self.idle.insert(Box::pin(sleep(after))),
            None => return,
        };
        while timer.as_mut().poll(cx).is_ready() {
            if !self.session.take_activity() {
                self.session.release_idle_memory();
                self.idle = None;
                return;
            }
            timer.as_mut().reset(::tokio::time::Instant::now() + after);
        }
    }

    /// Writes what the transport takes now, without asking to be woken for more: the
    /// reader sends answers on its way, but never takes over the wake-up of a writer that
    /// waits for room in the same transport (see [`split`](Self::split)).
    fn write_now(&mut self) -> Result<(), Error> {
        if self.waiting_writer.is_some() {
            return Ok(());
        }
        let mut cx = Context::from_waker(Waker::noop());
        match self.poll_write_queued(&mut cx) {
            Poll::Ready(Err(error)) => Err(error),
            _ => Ok(()),
        }
    }

    /// Reads once from the transport into the connection. `Ready(Ok)` means progress (bytes
    /// or the end of the stream).
    fn poll_read_more(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        // Left uninitialised: zeroing it on every read cost 2 % of a busy server's time.
        let mut chunk = [MaybeUninit::<u8>::uninit(); READ_CHUNK];
        let mut buf = ReadBuf::uninit(&mut chunk);
        ready!(Pin::new(&mut self.io).poll_read(cx, &mut buf))?;
        let read = buf.filled();
        Poll::Ready(self.session.receive((!read.is_empty()).then_some(read)))
    }

    /// Sends the keepalive ping when it is due (see [`Config::keepalive`]); an error if
    /// the last one went unanswered.
    fn poll_keepalive(&mut self, cx: &mut Context<'_>) -> Result<(), Error> {
        let Some(timer) = self.keepalive.as_mut() else {
            return Ok(());
        };
        let interval = self.session.config.keepalive.unwrap_or_default();
        // Polled again after a reset, so that the timer wakes this task for the next turn.
        while timer.as_mut().poll(cx).is_ready() {
            timer
                .as_mut()
                .reset(::tokio::time::Instant::now() + interval);
            self.session.keepalive()?;
        }
        Ok(())
    }

    /// Starts the wait for the peer's close once ours is queued (RFC 6455 §7.1.1).
    fn arm_close_deadline(&mut self) {
        if self.session.close_sent() && self.close_deadline.is_none() {
            let timeout = self.session.config.close_timeout;
            self.close_deadline = Some(Box::pin(sleep(timeout)));
        }
    }

    /// Whether our close went unanswered for longer than the close timeout.
    fn close_expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.close_deadline
            .as_mut()
            .is_some_and(|deadline| deadline.as_mut().poll(cx).is_ready())
    }

    /// Waits until the queue is below the high-water mark, so a message can be queued.
    pub fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        if self.session.queued() > self.session.config.send_buffer_high_water {
            ready!(self.poll_write_as_writer(cx))?;
        }
        Poll::Ready(Ok(()))
    }

    /// Encodes a message into the queue, after the pong owed if the queue is empty. Sending
    /// `Close` starts the closing handshake: data can no longer be sent.
    pub fn start_send(&mut self, message: Message) -> Result<(), Error> {
        self.session.send(message)?;
        self.arm_close_deadline();
        Ok(())
    }

    /// Queues our close, unless one was sent, and starts the wait for the peer's.
    pub(crate) fn close_queued(
        &mut self,
        code: CloseReason,
        reason: Option<&str>,
    ) -> Result<(), Error> {
        self.session.close(code, reason)?;
        self.arm_close_deadline();
        Ok(())
    }

    /// Writes everything queued and flushes the transport.
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        ready!(self.poll_write_as_writer(cx))?;
        ready!(Pin::new(&mut self.io).poll_flush(cx))?;
        Poll::Ready(Ok(()))
    }

    /// Writes what is queued for a sender, remembering while it waits for room so that a
    /// reader in another task (after [`split`](Self::split), or `StreamExt::split`) leaves
    /// the writing, and the wake-up, to it.
    fn poll_write_as_writer(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let written = self.poll_write_queued(cx);
        self.waiting_writer = written.is_pending().then(|| cx.waker().clone());
        written
    }

    /// The closing handshake: our close (1000 unless one was sent), the peer's within the
    /// close timeout (messages still arriving are dropped), then the transport shut down.
    pub fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.close_queued(CloseReason::NORMAL_CLOSURE, None)?;
        // Our close goes out first, unless the peer has not taken it by the close deadline.
        match self.poll_write_queued(cx) {
            Poll::Ready(result) => result?,
            Poll::Pending if !self.close_expired(cx) => return Poll::Pending,
            Poll::Pending => {}
        }
        while ready!(self.poll_recv(cx)).is_some() {}
        Poll::Ready(Ok(()))
    }

    /// Writes what is queued, then the pong owed, if any.
    fn poll_write_queued(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        loop {
            let [queue, tail] = self.session.pending_output()?;
            if queue.is_empty() && tail.is_empty() {
                return Poll::Ready(Ok(()));
            }
            if self.shut_down {
                return Poll::Ready(Err(io::Error::from(io::ErrorKind::NotConnected).into()));
            }
            let slices = [IoSlice::new(queue), IoSlice::new(tail)];
            let n = ready!(Pin::new(&mut self.io).poll_write_vectored(cx, &slices))?;
            if n == 0 {
                return Poll::Ready(Err(io::Error::from(io::ErrorKind::WriteZero).into()));
            }
            self.session.wrote(n);
        }
    }

    /// Writes what is queued (our close among it), then shuts the transport down
    /// (RFC 6455 §7.1.1: the TCP connection is closed once the closing handshake is over,
    /// or when waiting for it has timed out).
    ///
    /// Written again on every poll until done: each step is idempotent (the queue is empty
    /// once written, the end of the stream stays the end).
    fn poll_shut_down(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        if self.shut_down {
            return Poll::Ready(Ok(()));
        }
        // A peer that went away, or that neither reads nor answers within the close
        // timeout, cannot take our close: shut down all the same.
        let written = match self.poll_write_queued(cx) {
            Poll::Ready(result) => result,
            Poll::Pending if self.close_expired(cx) => Ok(()),
            Poll::Pending => return Poll::Pending,
        };
        // After a clean closing handshake the server closes TCP first; the client waits
        // for it (until the close deadline).
        let connection = self.session.connection();
        let clean = connection.state() == ConnectionState::Closed && !connection.is_failed();
        if R::IS_CLIENT && clean {
            ready!(self.poll_until_end(cx));
        }
        let shut = ready!(Pin::new(&mut self.io).poll_shutdown(cx)).map_err(Error::from);
        self.shut_down = true;
        self.close_deadline = None;
        self.session.discard_output();
        if let Some(writer) = self.waiting_writer.take() {
            writer.wake();
        }
        Poll::Ready(unless_gone(written).and(unless_gone(shut)))
    }

    /// Reads and drops bytes until the peer ends the stream, or the close deadline.
    fn poll_until_end(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut chunk = [0u8; 4 << 10];
        loop {
            let mut buf = ReadBuf::new(&mut chunk);
            match Pin::new(&mut self.io).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => {}
                Poll::Ready(_) => return Poll::Ready(()),
                Poll::Pending if self.close_expired(cx) => return Poll::Ready(()),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// A transport the peer already closed is no error when closing it.
fn unless_gone(result: Result<(), Error>) -> Result<(), Error> {
    match result {
        Err(Error::Io(error)) if error.kind() == io::ErrorKind::NotConnected => Ok(()),
        other => other,
    }
}
