//! The opening handshake over a tokio transport (RFC 6455 §4), within one deadline for
//! the whole exchange: a server reads the request and answers it (101, the application's
//! rejection, or the rejection the error calls for: 400, 426, 431), a client sends its
//! request and checks the answer.

use std::io;

use ::tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use ::tokio::time::timeout;

use crate::connection::{ConnectionError, Event, LocalProtocolError, WSConnection};
use crate::ext::ExtensionList;
use crate::handshake::{AcceptConnection, RejectConnection, Request};
use crate::io::tokio::WebSocket;
use crate::io::{Config, Error};
use crate::role::{Client, Role, Server};

/// Bytes read per call during the handshake; a head is about 1 KiB.
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
    accept_with(io, extensions, config, |request| {
        Ok(AcceptConnection {
            subprotocol: request.subprotocols.first().cloned(),
            ..AcceptConnection::default()
        })
    })
    .await
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
    let mut ws = WSConnection::with_limits(extensions, config.limits, config.handshake_limits);
    let exchange = server_handshake(&mut io, &mut ws, decide);
    timeout(config.handshake_timeout, exchange)
        .await
        .map_err(|_| Error::HandshakeTimeout)??;
    open(io, ws, config)
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
    let mut ws = WSConnection::with_limits(extensions, config.limits, config.handshake_limits);
    let exchange = client_handshake(&mut io, &mut ws, request);
    let accepted = timeout(config.handshake_timeout, exchange)
        .await
        .map_err(|_| Error::HandshakeTimeout)??;
    Ok((open(io, ws, config)?, accepted))
}

/// The open connection the handshake left.
fn open<S, R, E>(io: S, ws: WSConnection<R, E>, config: Config) -> Result<WebSocket<S, R, E>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Role,
    E: ExtensionList,
{
    let state = ws.state();
    let connection = ws.into_connection().ok_or(LocalProtocolError::NotInState {
        event: "a message",
        state,
    })?;
    Ok(WebSocket::from_open(io, connection, config))
}

/// The server's side: read until a request, answer it. On an error the answer it calls
/// for is written and the transport shut down, all within the caller's deadline.
async fn server_handshake<S, E, F>(
    io: &mut S,
    ws: &mut WSConnection<Server, E>,
    decide: F,
) -> Result<(), Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
    E: ExtensionList,
    F: FnOnce(&Request) -> Result<AcceptConnection, RejectConnection>,
{
    let mut decide = Some(decide);
    loop {
        if let Err(error) = read_into(io, ws).await {
            if let Error::Handshake(ConnectionError::Remote(remote)) = &error
                && let Some(hint) = remote.event_hint.clone()
            {
                let answer = ws.send(hint)?;
                end_with(io, &answer).await;
            }
            return Err(error);
        }
        while let Some(event) = ws.next_event() {
            let (Event::Request(request), Some(decide)) = (event, decide.take()) else {
                continue;
            };
            return match decide(&request) {
                Ok(accept) => {
                    let answer = ws.send(accept)?;
                    io.write_all(&answer).await?;
                    io.flush().await?;
                    Ok(())
                }
                Err(reject) => {
                    let reject = RejectConnection {
                        has_body: false,
                        ..reject
                    };
                    let answer = ws.send(reject.clone())?;
                    end_with(io, &answer).await;
                    Err(Error::Rejected(reject))
                }
            };
        }
    }
}

/// The client's side: send the request, read until the answer.
async fn client_handshake<S, E>(
    io: &mut S,
    ws: &mut WSConnection<Client, E>,
    request: Request,
) -> Result<AcceptConnection, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
    E: ExtensionList,
{
    let sent = ws.send(request)?;
    io.write_all(&sent).await?;
    io.flush().await?;
    loop {
        if let Err(error) = read_into(io, ws).await {
            end_with(io, &[]).await;
            return Err(error);
        }
        while let Some(event) = ws.next_event() {
            match event {
                Event::AcceptConnection(accept) => return Ok(accept),
                Event::RejectConnection(reject) => {
                    end_with(io, &[]).await;
                    return Err(Error::Rejected(reject));
                }
                _ => {}
            }
        }
    }
}

/// Reads once into the handshake. The stream ending first is an error: the handshake did
/// not finish.
async fn read_into<S, R, E>(io: &mut S, ws: &mut WSConnection<R, E>) -> Result<(), Error>
where
    S: AsyncRead + Unpin,
    R: Role,
    E: ExtensionList,
{
    let mut chunk = [0u8; HANDSHAKE_CHUNK];
    let n = io.read(&mut chunk).await?;
    if n == 0 {
        ws.receive_data(None)?;
        return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
    }
    ws.receive_data(Some(&chunk[..n]))?;
    Ok(())
}

/// Writes a last answer and shuts the transport down; a peer gone already is no error.
async fn end_with<S: AsyncWrite + Unpin>(io: &mut S, answer: &[u8]) {
    if io.write_all(answer).await.is_ok() {
        let _ = io.shutdown().await;
    }
}
