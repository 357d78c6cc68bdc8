//! The opening handshake over a blocking transport (RFC 6455 §4), within one deadline for
//! the whole exchange, kept by setting the socket's timeouts to the time left before each
//! read and write. What to answer is decided by the transport-free
//! [`Opening`](crate::io::opening::Opening).

use std::time::Instant;

use crate::ext::ExtensionList;
use crate::handshake::{AcceptConnection, RejectConnection, Request};
use crate::io::blocking::transport::{timed_out, wait_until};
use crate::io::blocking::{Transport, WebSocket};
use crate::io::opening::{Opening, Step, accept_any};
use crate::io::{Config, Error};
use crate::role::{Client, Server};

/// Bytes read per call during the handshake; a head is about 1 KiB.
const HANDSHAKE_CHUNK: usize = 4 << 10;

/// Accepts a WebSocket on `io` as a server, as
/// `io::tokio::accept` does: the client's offered extensions
/// and first subprotocol, a deadline on the whole handshake, and the rejection a broken
/// request calls for (400, 426, 431) before the transport closes.
pub fn accept<S: Transport, E: ExtensionList>(
    io: S,
    extensions: E,
    config: Config,
) -> Result<WebSocket<S, Server, E>, Error> {
    accept_with(io, extensions, config, accept_any)
}

/// [`accept`], letting `decide` accept the request or answer it with a rejection (without
/// a body), returned as [`Error::Rejected`].
pub fn accept_with<S, E, F>(
    mut io: S,
    extensions: E,
    config: Config,
    decide: F,
) -> Result<WebSocket<S, Server, E>, Error>
where
    S: Transport,
    E: ExtensionList,
    F: FnOnce(&Request) -> Result<AcceptConnection, RejectConnection>,
{
    let deadline = Instant::now() + config.handshake_timeout;
    let mut opening = Opening::server(extensions, &config);
    let mut decide = Some(decide);
    run(&mut io, deadline, |data| opening.step(data, &mut decide))?;
    Ok(WebSocket::from_open(io, opening.into_connection()?, config))
}

/// Opens a WebSocket on `io` as a client: sends `request` with the offers of `extensions`
/// and checks the answer (RFC 6455 §4.1), within the handshake deadline.
pub fn connect<S: Transport, E: ExtensionList>(
    mut io: S,
    request: Request,
    extensions: E,
    config: Config,
) -> Result<(WebSocket<S, Client, E>, AcceptConnection), Error> {
    let deadline = Instant::now() + config.handshake_timeout;
    let (mut opening, request) = Opening::client(request, extensions, &config)?;
    let sent = wait_until(&io, Some(deadline)).and_then(|()| io.write_all(&request));
    sent.map_err(deadline_error)?;
    let accepted = run(&mut io, deadline, |data| opening.step(data))?;
    Ok((
        WebSocket::from_open(io, opening.into_connection()?, config),
        accepted,
    ))
}

/// Reads and feeds `step` until the handshake is done (its answer written) or has failed
/// (its answer written, the transport shut down); the transport's timeouts are cleared
/// after a success.
fn run<S: Transport, T>(
    io: &mut S,
    deadline: Instant,
    mut step: impl FnMut(Option<&[u8]>) -> Step<T>,
) -> Result<T, Error> {
    let mut chunk = [0u8; HANDSHAKE_CHUNK];
    loop {
        let read = wait_until(io, Some(deadline)).and_then(|()| io.read(&mut chunk));
        let n = match read {
            Ok(n) => n,
            Err(error) => {
                let _ = io.shutdown_write();
                return Err(deadline_error(error));
            }
        };
        match step((n > 0).then(|| &chunk[..n])) {
            Step::Continue => {}
            Step::Done(done, answer) => {
                let written = wait_until(io, Some(deadline)).and_then(|()| io.write_all(&answer));
                written.map_err(deadline_error)?;
                wait_until(io, None)?;
                return Ok(done);
            }
            Step::Fail(error, answer) => {
                // A peer gone already is no second error.
                if io.write_all(&answer).is_ok() {
                    let _ = io.flush();
                    let _ = io.shutdown_write();
                }
                return Err(error);
            }
        }
    }
}

/// A timeout during the handshake is the handshake's deadline passing.
fn deadline_error(error: std::io::Error) -> Error {
    if timed_out(&error) {
        Error::HandshakeTimeout
    } else {
        error.into()
    }
}
