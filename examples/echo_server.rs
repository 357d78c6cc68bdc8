//! A WebSocket echo server on `std::net`, one thread per connection, permessage-deflate
//! enabled: every text message comes back as text and every binary message as binary,
//! whatever its fragmentation; pings are answered; closes are echoed.
//!
//! Run with `cargo run --release --example echo_server -- 127.0.0.1:9001`.
//! It is also the server the Autobahn conformance suite tests (`scripts/conformance`).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Duration;

use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::{
    AcceptConnection, BytesMessage, ConnectionError, ConnectionState, Event, HandshakeLimits,
    Limits, Server, TextMessage, WSConnection,
};

/// Messages up to 16 MiB, in frames up to 16 MiB (what Autobahn's largest cases send).
const LIMITS: Limits = Limits::unlimited()
    .with_max_frame_size(16 << 20)
    .with_max_message_size(16 << 20);

/// A message being assembled from its pieces.
enum Partial {
    Text(String),
    Binary(Vec<u8>),
}

/// Serves one connection until it closes.
pub fn serve(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let deflate = PerMessageDeflate::new(DeflateConfig::default());
    let mut ws =
        WSConnection::<Server, _>::with_limits((deflate,), LIMITS, HandshakeLimits::default());
    let mut buf = vec![0u8; 256 << 10];
    let mut out = Vec::new();
    let mut partial: Option<Partial> = None;
    loop {
        let n = stream.read(&mut buf)?;
        if let Err(error) = ws.receive_data((n > 0).then(|| &buf[..n])) {
            // A broken handshake: answer with the rejection that fits, then hang up.
            if let ConnectionError::Remote(remote) = &error
                && let Some(hint) = remote.event_hint.clone()
            {
                stream.write_all(&ws.send(hint).unwrap_or_default())?;
            }
            return stream.shutdown(Shutdown::Both);
        }
        // Events in arrival order, answers appended in the same order: an echo is written
        // before the close of a protocol error that followed it.
        while let Some(event) = ws.next_event() {
            let reply: Option<Event> = match event {
                Event::Request(request) => {
                    let subprotocol = request.subprotocols.first().cloned();
                    Some(
                        AcceptConnection {
                            subprotocol,
                            ..Default::default()
                        }
                        .into(),
                    )
                }
                Event::TextMessage(piece) => {
                    let mut text = match partial.take() {
                        Some(Partial::Text(text)) => text,
                        _ => String::new(),
                    };
                    text.push_str(&piece.data);
                    if piece.message_finished {
                        Some(TextMessage::new(text).into())
                    } else {
                        partial = Some(Partial::Text(text));
                        None
                    }
                }
                Event::BytesMessage(piece) => {
                    let mut bytes = match partial.take() {
                        Some(Partial::Binary(bytes)) => bytes,
                        _ => Vec::new(),
                    };
                    bytes.extend_from_slice(&piece.data);
                    if piece.message_finished {
                        Some(BytesMessage::new(bytes).into())
                    } else {
                        partial = Some(Partial::Binary(bytes));
                        None
                    }
                }
                Event::Ping(ping) => Some(ping.response().into()),
                // The peer's close (answer it), or a protocol error (send its code).
                Event::CloseConnection(close) => Some(close.response().into()),
                _ => None,
            };
            if let Some(reply) = reply {
                // A refused send (e.g. a close after our own) needs no answer.
                let _ = ws.send_into(reply, &mut out);
            }
        }
        if !out.is_empty() {
            stream.write_all(&out)?;
            out.clear();
        }
        // RFC 6455 §7.1.1: after the closing handshake the server closes the TCP connection
        // first; after our close for a protocol error we wait for the peer's close (or EOF).
        if ws.state() == ConnectionState::Closed || n == 0 {
            return stream.shutdown(Shutdown::Both);
        }
    }
}

fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9001".into());
    let listener = TcpListener::bind(&addr)?;
    println!("echo server on ws://{}", listener.local_addr()?);
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            if let Err(error) = serve(stream)
                && error.kind() != io::ErrorKind::NotConnected
            {
                eprintln!("connection ended: {error}");
            }
        });
    }
    Ok(())
}
