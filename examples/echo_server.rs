//! A WebSocket echo server on `std::net`, one thread per connection, over
//! `wsproto::io::blocking`: permessage-deflate negotiated, every text message back as text
//! and every binary message as binary, pings answered, closes echoed. The handshake has
//! 10 s (an oversized head gets 431); after a protocol error or a close the connection
//! closes as RFC 6455 §7 says.
//!
//! Run with `cargo run --release --example echo_server -- 127.0.0.1:9001`.
//! It is also the server the Autobahn conformance suite tests (`scripts/conformance`).

use std::net::{TcpListener, TcpStream};

use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::io::blocking::accept;
use wsproto::io::{Config, Error, Message};

#[path = "support/echo.rs"]
mod echo;

/// Serves one connection until it closes.
pub fn serve(stream: TcpStream) -> Result<(), Error> {
    stream.set_nodelay(true)?;
    let deflate = PerMessageDeflate::new(DeflateConfig::default());
    let config = Config::default().with_limits(echo::LIMITS);
    let mut ws = accept(stream, (deflate,), config)?;
    while let Some(message) = ws.recv() {
        if let message @ (Message::Text(_) | Message::Binary(_)) = message? {
            ws.send(message)?;
        }
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9001".into());
    let listener = TcpListener::bind(&addr)?;
    println!("echo server on ws://{}", listener.local_addr()?);
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            if let Err(error) = serve(stream) {
                eprintln!("connection ended: {error}");
            }
        });
    }
    Ok(())
}
