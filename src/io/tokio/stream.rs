//! The ways to drive a [`WebSocket`]: async methods for code that awaits, and
//! `futures::Stream` / `futures::Sink` for code that plugs streams together. Both call the
//! same poll functions.

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

use ::tokio::io::{AsyncRead, AsyncWrite};
use futures_core::Stream;
use futures_sink::Sink;

use crate::close_code::CloseReason;
use crate::ext::ExtensionList;
use crate::io::tokio::WebSocket;
use crate::io::{Error, Message};
use crate::role::Role;

impl<S, R, E> WebSocket<S, R, E>
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Role,
    E: ExtensionList,
{
    /// The next message; `None` once the connection has closed and the transport is shut
    /// down. The peer's close comes out as `Message::Close` (already answered).
    pub async fn recv(&mut self) -> Option<Result<Message, Error>> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Sends a message: queues it and flushes everything queued.
    pub async fn send(&mut self, message: Message) -> Result<(), Error> {
        self.feed(message).await?;
        self.flush().await
    }

    /// Queues a message without flushing, waiting first while the queue is over the
    /// high-water mark: messages fed together leave in one write at the next
    /// [`flush`](Self::flush).
    pub async fn feed(&mut self, message: Message) -> Result<(), Error> {
        poll_fn(|cx| self.poll_ready(cx)).await?;
        self.start_send(message)
    }

    /// Writes everything queued and flushes the transport.
    pub async fn flush(&mut self) -> Result<(), Error> {
        poll_fn(|cx| self.poll_flush(cx)).await
    }

    /// Closes with 1000 (normal closure): see [`close_with`](Self::close_with).
    pub async fn close(&mut self) -> Result<(), Error> {
        self.close_with(CloseReason::NORMAL_CLOSURE, None).await
    }

    /// The closing handshake (RFC 6455 §7.1.2): sends our close with `code` and `reason`,
    /// waits up to the close timeout for the peer's (dropping messages that still arrive),
    /// and shuts the transport down.
    pub async fn close_with(
        &mut self,
        code: CloseReason,
        reason: Option<&str>,
    ) -> Result<(), Error> {
        self.close_queued(code, reason)?;
        poll_fn(|cx| self.poll_close(cx)).await
    }
}

impl<S, R, E> Stream for WebSocket<S, R, E>
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Role,
    E: ExtensionList,
{
    type Item = Result<Message, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_recv(cx)
    }
}

impl<S, R, E> Sink<Message> for WebSocket<S, R, E>
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Role,
    E: ExtensionList,
{
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        WebSocket::poll_ready(self.get_mut(), cx)
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        WebSocket::start_send(self.get_mut(), message)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        WebSocket::poll_flush(self.get_mut(), cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        WebSocket::poll_close(self.get_mut(), cx)
    }
}
