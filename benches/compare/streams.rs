//! In-memory streams: reads of at most [`READ_SIZE`] bytes from a slice, writes into a
//! `Vec` that is emptied past 64 KiB (as a socket would take it) unless it is kept for a
//! check.

use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::input::READ_SIZE;

pub struct Memory<'a> {
    input: &'a [u8],
    /// Shared, so that what was written can be read back after a crate consumed the stream.
    pub output: Rc<RefCell<Vec<u8>>>,
    keep: bool,
}

impl<'a> Memory<'a> {
    pub fn new(input: &'a [u8], keep: bool) -> Self {
        Memory {
            input,
            output: Rc::new(RefCell::new(Vec::with_capacity(128 << 10))),
            keep,
        }
    }

    fn read_into(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(READ_SIZE).min(self.input.len());
        buf[..n].copy_from_slice(&self.input[..n]);
        self.input = &self.input[n..];
        n
    }

    fn write_from(&mut self, data: &[u8]) -> usize {
        let mut output = self.output.borrow_mut();
        if !self.keep && output.len() > 64 << 10 {
            output.clear();
        }
        output.extend_from_slice(data);
        data.len()
    }
}

impl io::Read for Memory<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.input.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(self.read_into(buf))
    }
}

impl io::Write for Memory<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        Ok(self.write_from(data))
    }
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        Ok(bufs.iter().map(|b| self.write_from(b)).sum())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsyncRead for Memory<'_> {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let n = this.read_into(buf.initialize_unfilled());
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Memory<'_> {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().write_from(data)))
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        Poll::Ready(Ok(bufs.iter().map(|b| this.write_from(b)).sum()))
    }
    fn is_write_vectored(&self) -> bool {
        true
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A current-thread runtime, the cheapest executor for the async crates.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}
