//! [`WebSocket::split`]: a reader and a writer half for two tasks, sharing the connection
//! behind a lock that is held only inside a poll, never across an await.
//!
//! The reader answers what it must (pongs, the peer's close) by writing only what the
//! transport takes at once, without registering for more, so it never steals the wake-up
//! of a writer waiting for room; anything it could not write goes out with the writer's
//! next flush. The reader also finishes the closing handshake: after the writer sent our
//! close, the reader sees the peer's close (or the close timeout) and then `None`, and the
//! transport is shut down.

use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use ::tokio::io::{AsyncRead, AsyncWrite};

use crate::close_code::CloseReason;
use crate::ext::ExtensionList;
use crate::io::tokio::WebSocket;
use crate::io::{Error, Message};
use crate::role::Role;

/// The receiving half of a [`WebSocket`], from [`WebSocket::split`].
#[derive(Debug)]
pub struct ReadHalf<S, R: Role, E: ExtensionList = ()> {
    shared: Arc<Mutex<WebSocket<S, R, E>>>,
}

/// The sending half of a [`WebSocket`], from [`WebSocket::split`].
#[derive(Debug)]
pub struct WriteHalf<S, R: Role, E: ExtensionList = ()> {
    shared: Arc<Mutex<WebSocket<S, R, E>>>,
}

impl<S, R, E> WebSocket<S, R, E>
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Role,
    E: ExtensionList,
{
    /// Splits the connection into a reader and a writer that can live in different tasks,
    /// with no lock held across an await. Pings are still answered: the reader writes a
    /// pong at once unless the writer is waiting for room, which then sends it with its
    /// own bytes. The reader finishes the closing handshake: after the writer sent our
    /// close, it sees the peer's (or the close timeout), then `None`, and the transport is
    /// shut down. `StreamExt::split` works too; this one needs no `futures` and gives each
    /// half the async methods.
    pub fn split(self) -> (ReadHalf<S, R, E>, WriteHalf<S, R, E>) {
        let shared = Arc::new(Mutex::new(self));
        let reader = ReadHalf {
            shared: Arc::clone(&shared),
        };
        (reader, WriteHalf { shared })
    }
}

/// The connection, even if the other half panicked while holding it: every poll leaves
/// the connection in a state the next poll can continue from.
fn lock<T>(shared: &Mutex<T>) -> MutexGuard<'_, T> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<S, R, E> ReadHalf<S, R, E>
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Role,
    E: ExtensionList,
{
    /// [`WebSocket::poll_recv`].
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Message, Error>>> {
        lock(&self.shared).poll_recv(cx)
    }

    /// [`WebSocket::recv`]: the next message; `None` once the connection has closed.
    pub async fn recv(&mut self) -> Option<Result<Message, Error>> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }
}

impl<S, R, E> WriteHalf<S, R, E>
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Role,
    E: ExtensionList,
{
    /// [`WebSocket::poll_ready`].
    pub fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        lock(&self.shared).poll_ready(cx)
    }

    /// [`WebSocket::start_send`].
    pub fn start_send(&mut self, message: Message) -> Result<(), Error> {
        lock(&self.shared).start_send(message)
    }

    /// [`WebSocket::poll_flush`].
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        lock(&self.shared).poll_flush(cx)
    }

    /// [`WebSocket::send`]: queues a message and flushes.
    pub async fn send(&mut self, message: Message) -> Result<(), Error> {
        self.feed(message).await?;
        self.flush().await
    }

    /// [`WebSocket::feed`]: queues a message, waiting first while the queue is full.
    pub async fn feed(&mut self, message: Message) -> Result<(), Error> {
        std::future::poll_fn(|cx| self.poll_ready(cx)).await?;
        self.start_send(message)
    }

    /// [`WebSocket::flush`].
    pub async fn flush(&mut self) -> Result<(), Error> {
        std::future::poll_fn(|cx| self.poll_flush(cx)).await
    }

    /// Sends our close with `code` and `reason` and flushes it. The reader then sees the
    /// peer's close (or the close timeout) and `None`, and the transport is shut down.
    pub async fn close_with(
        &mut self,
        code: CloseReason,
        reason: Option<&str>,
    ) -> Result<(), Error> {
        lock(&self.shared).close_queued(code, reason)?;
        self.flush().await
    }

    /// [`close_with`](Self::close_with) 1000 (normal closure).
    pub async fn close(&mut self) -> Result<(), Error> {
        self.close_with(CloseReason::NORMAL_CLOSURE, None).await
    }

    /// Puts the halves back together. `Err` gives this half back if `reader` comes from
    /// another connection.
    pub fn reunite(self, reader: ReadHalf<S, R, E>) -> Result<WebSocket<S, R, E>, Self> {
        if !Arc::ptr_eq(&self.shared, &reader.shared) {
            return Err(self);
        }
        drop(reader);
        let shared = Arc::try_unwrap(self.shared).map_err(|shared| WriteHalf { shared })?;
        Ok(shared
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

impl<S, R, E> futures_core::Stream for ReadHalf<S, R, E>
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Role,
    E: ExtensionList,
{
    type Item = Result<Message, Error>;

    fn poll_next(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_recv(cx)
    }
}

impl<S, R, E> futures_sink::Sink<Message> for WriteHalf<S, R, E>
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Role,
    E: ExtensionList,
{
    type Error = Error;

    fn poll_ready(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        WriteHalf::poll_ready(self.get_mut(), cx)
    }

    fn start_send(self: std::pin::Pin<&mut Self>, message: Message) -> Result<(), Error> {
        WriteHalf::start_send(self.get_mut(), message)
    }

    fn poll_flush(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        WriteHalf::poll_flush(self.get_mut(), cx)
    }

    /// Our close (1000 unless one was sent), flushed; the reader completes the handshake.
    fn poll_close(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let this = self.get_mut();
        lock(&this.shared).close_queued(CloseReason::NORMAL_CLOSURE, None)?;
        this.poll_flush(cx)
    }
}
