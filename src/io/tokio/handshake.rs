//! The opening handshake over a tokio transport (RFC 6455 §4), within one deadline for
//! the whole exchange. What to answer is decided by the transport-free [`Opening`]; this
//! file reads, writes, and keeps the deadline.

use ::tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use ::tokio::time::timeout;

use crate::ext::ExtensionList;
use crate::handshake::{AcceptConnection, RejectConnection, Request};
use crate::io::opening::{Opening, Step, accept_any};
use crate::io::tokio::WebSocket;
use crate::io::{Config, Error};
use crate::role::{Client, Server};

/// Bytes read per call during the handshake; a head is about 1 KiB. On the heap and freed
/// with the handshake, like the rest of its state (see `accept_with`).
const HANDSHAKE_CHUNK: usize = 4 << 10;

/// Accepts a WebSocket on `io` as a server: reads the request and accepts it, with
/// whatever of `extensions` the client offered and the first subprotocol it asked for.
///
/// A request that breaks RFC 6455 §4 is answered with the rejection it calls for (400, 426
/// with the supported version, 431 for a head over the limit) and the transport closed.
/// The whole handshake must finish within
/// [`Config::handshake_timeout`](crate::io::Config::handshake_timeout).
pub async fn accept<S, E>(
    io: S,
    extensions: E,
    config: Config,
) -> Result<WebSocket<S, Server, E>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
    E: ExtensionList,
{
    accept_with(io, extensions, config, accept_any).await
}

/// [`accept`], letting `decide` look at the request (target, host, subprotocols, other
/// headers) and accept it or answer with a rejection (without a body), which is sent
/// before the transport closes and returned as [`Error::Rejected`].
pub async fn accept_with<S, E, F>(
    mut io: S,
    extensions: E,
    config: Config,
    decide: F,
) -> Result<WebSocket<S, Server, E>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
    E: ExtensionList,
    F: FnOnce(&Request) -> Result<AcceptConnection, RejectConnection>,
{
    // Boxed, so that the handshake's state is freed with it instead of staying in the
    // state of the task that awaits `accept` (a task keeps room for its largest state).
    let handshake = Box::pin(async move {
        let mut opening = Opening::server(extensions, &config);
        let mut decide = Some(decide);
        let exchange = run(&mut io, |data| opening.step(data, &mut decide));
        timeout(config.handshake_timeout, exchange)
            .await
            .map_err(|_| Error::HandshakeTimeout)??;
        Ok::<_, Error>((io, opening.into_connection()?))
    });
    let (io, connection) = handshake.await?;
    Ok(WebSocket::from_open(io, connection, config))
}

/// Opens a WebSocket on `io` as a client: sends `request` with the offers of `extensions`
/// and checks the server's answer (RFC 6455 §4.1), within the handshake deadline. Returns
/// the connection and the server's acceptance (its subprotocol and extensions).
pub async fn connect<S, E>(
    mut io: S,
    request: Request,
    extensions: E,
    config: Config,
) -> Result<(WebSocket<S, Client, E>, AcceptConnection), Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
    E: ExtensionList,
{
    // Boxed, as in `accept_with`.
    let handshake = Box::pin(async move {
        let (mut opening, request) = Opening::client(request, extensions, &config)?;
        let exchange = async {
            io.write_all(&request).await?;
            io.flush().await?;
            run(&mut io, |data| opening.step(data)).await
        };
        let accepted = timeout(config.handshake_timeout, exchange)
            .await
            .map_err(|_| Error::HandshakeTimeout)??;
        Ok::<_, Error>((io, opening.into_connection()?, accepted))
    });
    let (io, connection, accepted) = handshake.await?;
    Ok((WebSocket::from_open(io, connection, config), accepted))
}

/// Reads and feeds `step` until the handshake is done (its answer written) or has failed
/// (its answer written and the transport shut down).
async fn run<S, T>(io: &mut S, mut step: impl FnMut(Option<&[u8]>) -> Step<T>) -> Result<T, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut chunk = vec![0u8; HANDSHAKE_CHUNK];
    loop {
        let n = io.read(&mut chunk).await?;
        match step((n > 0).then(|| &chunk[..n])) {
            Step::Continue => {}
            Step::Done(done, answer) => {
                io.write_all(&answer).await?;
                io.flush().await?;
                return Ok(done);
            }
            Step::Fail(error, answer) => {
                // A peer gone already is no second error.
                if io.write_all(&answer).await.is_ok() {
                    let _ = io.shutdown().await;
                }
                return Err(error);
            }
        }
    }
}
