//! An echo server on hyper 1.x: plain HTTP requests get a 400, WebSocket upgrades become
//! wsproto connections with permessage-deflate, echoing every message.
//!
//! Run with `cargo run --manifest-path integrations/Cargo.toml --example hyper_echo`.

use std::convert::Infallible;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use wsproto::deflate::PerMessageDeflate;
use wsproto::io::Config;

/// Serves one TCP connection with hyper, upgrading WebSocket requests.
pub async fn serve(stream: TcpStream) -> hyper::Result<()> {
    let service = service_fn(|request| async move {
        let deflate = (PerMessageDeflate::default(),);
        let (response, websocket) =
            wsproto_integrations::upgrade(request, deflate, Config::default());
        if let Some(websocket) = websocket {
            tokio::spawn(async move {
                if let Ok(mut ws) = websocket.await {
                    wsproto_integrations::echo(&mut ws).await;
                }
            });
        }
        Ok::<_, Infallible>(response)
    });
    http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades()
        .await
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9003".into());
    let listener = TcpListener::bind(&addr).await?;
    println!("hyper echo server on ws://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            if let Err(error) = serve(stream).await {
                eprintln!("connection ended: {error}");
            }
        });
    }
}
