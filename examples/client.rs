//! A WebSocket client on `std::net`: connects, sends a text, a binary, a fragmented
//! message and a ping, prints what comes back, and closes cleanly.
//!
//! Start a server first (`cargo run --example echo_server`), then
//! `cargo run --example client -- 127.0.0.1:9001`.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::events::{BytesMessage, CloseConnection, Ping, Request, TextMessage};
use wsproto::{Client, CloseReason, ConnectionState, Event, WSConnection};

/// Runs the conversation over `stream`; returns one line per event received.
pub fn run(mut stream: TcpStream, host: &str) -> io::Result<Vec<String>> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let deflate = PerMessageDeflate::new(DeflateConfig::default());
    let mut ws = WSConnection::<Client, _>::new((deflate,));
    let fail = |e: &dyn std::fmt::Display| io::Error::other(e.to_string());
    stream.write_all(&ws.send(Request::new(host, "/")).map_err(|e| fail(&e))?)?;

    let mut lines = Vec::new();
    let mut buf = vec![0u8; 64 << 10];
    let mut sent_messages = false;
    let mut replies = 0;
    while ws.state() != ConnectionState::Closed {
        let n = stream.read(&mut buf)?;
        ws.receive_data((n > 0).then(|| &buf[..n]))
            .map_err(|e| fail(&e))?;
        let mut out = Vec::new();
        while let Some(event) = ws.next_event() {
            lines.push(event.to_string());
            match event {
                Event::RejectConnection(_) => return Ok(lines),
                Event::Ping(ping) => ws
                    .send_into(ping.response(), &mut out)
                    .map_err(|e| fail(&e))?,
                Event::CloseConnection(close) => {
                    // Answer the server's close; ignored if ours crossed it.
                    let _ = ws.send_into(close.response(), &mut out);
                }
                Event::TextMessage(m) if m.message_finished => replies += 1,
                Event::BytesMessage(m) if m.message_finished => replies += 1,
                _ => {}
            }
        }
        if ws.state() == ConnectionState::Open && !sent_messages {
            sent_messages = true;
            ws.send_into(TextMessage::new("Hello, WebSocket!"), &mut out)
                .map_err(|e| fail(&e))?;
            ws.send_into(BytesMessage::new(vec![0u8, 1, 2, 3]), &mut out)
                .map_err(|e| fail(&e))?;
            let first = TextMessage {
                data: "fragmented ".into(),
                frame_finished: true,
                message_finished: false,
            };
            ws.send_into(first, &mut out).map_err(|e| fail(&e))?;
            ws.send_into(TextMessage::new("message"), &mut out)
                .map_err(|e| fail(&e))?;
            ws.send_into(
                Ping {
                    payload: "are you there?".into(),
                },
                &mut out,
            )
            .map_err(|e| fail(&e))?;
        }
        // Three echoes back: close the conversation (RFC 6455 §7.1.2).
        if replies == 3 && ws.state() == ConnectionState::Open {
            ws.send_into(CloseConnection::new(CloseReason::NORMAL_CLOSURE), &mut out)
                .map_err(|e| fail(&e))?;
        }
        stream.write_all(&out)?;
        if n == 0 {
            break;
        }
    }
    Ok(lines)
}

fn main() -> io::Result<()> {
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
