//! A WebSocket client on `std::net`, over `wsproto::io::blocking`: connects with
//! permessage-deflate offered, sends a text, a binary and a ping, prints what comes back,
//! and closes cleanly (our close, the server's answer, the server closing TCP first).
//!
//! Start a server first (`cargo run --example echo_server`), then
//! `cargo run --example client -- 127.0.0.1:9001`.

use std::net::TcpStream;

use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::events::Request;
use wsproto::io::blocking::connect;
use wsproto::io::{Config, Error, Message};

/// Runs the conversation over `stream`; returns one line per thing that happened.
pub fn run(stream: TcpStream, host: &str) -> Result<Vec<String>, Error> {
    let deflate = PerMessageDeflate::new(DeflateConfig::default());
    let (mut ws, accepted) = connect(
        stream,
        Request::new(host, "/"),
        (deflate,),
        Config::default(),
    )?;
    let mut lines = vec![format!("accepted, extensions {:?}", accepted.extensions)];
    ws.feed(Message::text("Hello, WebSocket!"))?;
    ws.feed(Message::binary(vec![0u8, 1, 2, 3]))?;
    ws.feed(Message::Ping("are you there?".into()))?;
    ws.flush()?; // the three frames leave in one write
    while lines.len() < 4 {
        let Some(message) = ws.recv() else { break };
        lines.push(describe(&message?));
    }
    ws.close()?;
    lines.push(format!("closed: {:?}", ws.state()));
    Ok(lines)
}

fn describe(message: &Message) -> String {
    match message {
        Message::Text(text) => format!("text {:?}", text.as_str()),
        Message::Binary(data) => format!("binary {} bytes", data.len()),
        // Only with `Config::message_pieces`, which this client does not set.
        Message::TextPiece { text, last } => format!("text piece {:?}, last {last}", text.as_str()),
        Message::BinaryPiece { data, last } => {
            format!("binary piece {} bytes, last {last}", data.len())
        }
        Message::Ping(payload) => format!("ping {} bytes", payload.len()),
        Message::Pong(payload) => format!("pong {} bytes", payload.len()),
        Message::Close(close) => format!("close {}", close.code),
    }
}

fn main() -> Result<(), Error> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9001".into());
    let stream = TcpStream::connect(&addr).inspect_err(|_| {
        eprintln!("cannot reach {addr}: start `cargo run --example echo_server` first");
    })?;
    for line in run(stream, &addr)? {
        println!("{line}");
    }
    Ok(())
}
