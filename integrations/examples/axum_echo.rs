//! An echo server on axum: the route `/ws` upgrades to a wsproto connection with
//! permessage-deflate and echoes every message; `/` answers plain HTTP.
//!
//! Run with `cargo run --manifest-path integrations/Cargo.toml --example axum_echo`.

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::routing::get;
use tokio::net::TcpListener;
use wsproto::deflate::PerMessageDeflate;
use wsproto::io::Config;

/// The route that upgrades: the same glue as for hyper, axum's request being hyper's.
async fn echo(request: Request) -> Response {
    let deflate = (PerMessageDeflate::default(),);
    let (response, websocket) = wsproto_integrations::upgrade(request, deflate, Config::default());
    if let Some(websocket) = websocket {
        tokio::spawn(async move {
            if let Ok(mut ws) = websocket.await {
                wsproto_integrations::echo(&mut ws).await;
            }
        });
    }
    response.map(Body::new)
}

/// The application's routes.
pub fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "a WebSocket echo lives at /ws" }))
        .route("/ws", get(echo))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9004".into());
    let listener = TcpListener::bind(&addr).await?;
    println!("axum echo server on ws://{}/ws", listener.local_addr()?);
    axum::serve(listener, app()).await
}
