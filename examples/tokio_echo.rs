//! An echo server on tokio, over `wsproto::io::tokio`: each connection negotiates
//! permessage-deflate, has 10 s to finish its handshake (an oversized head gets 431), gets
//! its pings answered, and is closed properly after a protocol error or the peer's close.
//!
//! Run with `cargo run --features tokio --example tokio_echo -- 127.0.0.1:9002`.

use tokio::net::{TcpListener, TcpStream};
use wsproto::deflate::PerMessageDeflate;
use wsproto::io::tokio::accept;
use wsproto::io::{Config, Error, Message};

async fn echo(stream: TcpStream) -> Result<(), Error> {
    let mut ws = accept(stream, (PerMessageDeflate::default(),), Config::default()).await?;
    while let Some(message) = ws.recv().await {
        // Pings are answered, the peer's close too (the loop ends after it).
        if let message @ (Message::Text(_) | Message::Binary(_)) = message? {
            ws.send(message).await?;
        }
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9002".into());
    let listener = TcpListener::bind(&addr).await?;
    println!("tokio echo server on ws://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            if let Err(error) = echo(stream).await {
                eprintln!("connection ended: {error}");
            }
        });
    }
}
