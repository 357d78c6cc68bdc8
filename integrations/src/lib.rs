//! wsproto behind hyper 1.x: [`upgrade`] answers a request that asks for a WebSocket and
//! hands back the connection once hyper lets go of the stream. The request's checks and
//! the 101's fields come from [`wsproto::connection::ServerUpgrade`]; this file only moves
//! them between hyper's types and the crate's.

use std::future::Future;

use bytes::Bytes;
use http_body_util::Empty;
use hyper::upgrade::Upgraded;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use wsproto::Server;
use wsproto::connection::ServerUpgrade;
use wsproto::events::AcceptConnection;
use wsproto::ext::ExtensionList;
use wsproto::io::tokio::WebSocket;
use wsproto::io::{Config, Error, Message};

/// The WebSocket of an upgraded hyper connection.
pub type HyperWebSocket<E> = WebSocket<TokioIo<Upgraded>, Server, E>;

/// Answers `request`: the response to return from the hyper service now, and, if it is the
/// 101, the WebSocket, which is ready once hyper has sent the response and handed over the
/// stream. A request that is no valid upgrade gets the rejection RFC 6455 §4.2.1 calls for
/// (400, or 426 with the supported version). The first subprotocol offered is accepted.
#[allow(clippy::type_complexity)]
pub fn upgrade<B, E>(
    mut request: Request<B>,
    extensions: E,
    config: Config,
) -> (
    Response<Empty<Bytes>>,
    Option<impl Future<Output = Result<HyperWebSocket<E>, Error>>>,
)
where
    E: ExtensionList + 'static,
{
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let checked = ServerUpgrade::new(request.method().as_str(), target, headers, extensions)
        .map(|upgrade| upgrade.with_limits(config.limits));
    let upgrade = match checked {
        Ok(upgrade) => upgrade,
        Err(error) => {
            let reject = error.event_hint.unwrap_or_default();
            return (response(reject.status_code, &reject.headers), None);
        }
    };
    let accept = AcceptConnection {
        subprotocol: upgrade.request().subprotocols.first().cloned(),
        ..AcceptConnection::default()
    };
    let (fields, connection) = match upgrade.accept(accept) {
        Ok(accepted) => accepted,
        Err(_) => return (response(500, &[]), None),
    };
    let upgraded = hyper::upgrade::on(&mut request);
    let websocket = async move {
        let io = upgraded.await.map_err(std::io::Error::other)?;
        Ok(WebSocket::from_open(TokioIo::new(io), connection, config))
    };
    (response(101, &fields), Some(websocket))
}

/// Echoes every text and binary message back until the connection ends (pings are
/// answered and the close completed by the connection itself).
pub async fn echo<S, E>(ws: &mut WebSocket<S, Server, E>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    E: ExtensionList,
{
    while let Some(Ok(message)) = ws.recv().await {
        if let Message::Text(_) | Message::Binary(_) = message
            && ws.send(message).await.is_err()
        {
            break;
        }
    }
}

/// A response with this status and these header fields, and no body.
fn response(status: u16, fields: &[(String, Vec<u8>)]) -> Response<Empty<Bytes>> {
    let mut response = Response::new(Empty::new());
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    for (name, value) in fields {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_bytes(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}
