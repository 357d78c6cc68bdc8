//! [`Transport`]: what the blocking driver needs of a stream beyond reading and writing,
//! to bound the time it waits (RFC 6455 §4's handshake, §7.1.1's wait for the peer's close).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// A blocking stream whose waits can be bounded: `std::net::TcpStream`, a Unix socket, or
/// a stream over one (a TLS stream implements it by forwarding to its socket).
pub trait Transport: Read + Write {
    /// Bounds each read (`None`: wait for ever), as `TcpStream::set_read_timeout`.
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    /// Bounds each write, as `TcpStream::set_write_timeout`.
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    /// Ends the sending direction (TCP's FIN), so the peer reads all that was sent and
    /// then the end.
    fn shutdown_write(&self) -> io::Result<()>;
}

impl Transport for TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_write_timeout(self, timeout)
    }
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

#[cfg(unix)]
impl Transport for std::os::unix::net::UnixStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::os::unix::net::UnixStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::os::unix::net::UnixStream::set_write_timeout(self, timeout)
    }
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

/// Both of a transport's timeouts set to what is left until `deadline` (`None`: no
/// deadline). `Err(TimedOut)` if it has passed: a zero timeout would mean none at all.
pub(crate) fn wait_until<S: Transport>(io: &S, deadline: Option<Instant>) -> io::Result<()> {
    let left = match deadline {
        Some(deadline) => {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            Some(left)
        }
        None => None,
    };
    io.set_read_timeout(left)?;
    io.set_write_timeout(left)
}

/// Whether an error is a timeout, as the platform reports it.
pub(crate) fn timed_out(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
