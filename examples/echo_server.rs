//! A WebSocket echo server on `std::net`, one thread per connection, permessage-deflate
//! enabled: every text message comes back as text and every binary message as binary,
//! whatever its fragmentation; pings are answered; closes are echoed.
//!
//! Run with `cargo run --release --example echo_server -- 127.0.0.1:9001`.
//! It is also the server the Autobahn conformance suite tests (`scripts/conformance`).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Duration;

use wsproto::connection::{ConnectionError, LocalProtocolError};
use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::events::AcceptConnection;
use wsproto::frame::VectoredFrame;
use wsproto::handshake::HandshakeLimits;
use wsproto::{ConnectionState, Event, Server, WSConnection};

#[path = "support/echo.rs"]
mod echo;

/// Serves one connection until it closes.
pub fn serve(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let deflate = PerMessageDeflate::new(DeflateConfig::default());
    let mut ws = WSConnection::<Server, _>::with_limits(
        (deflate,),
        echo::LIMITS,
        HandshakeLimits::default(),
    );
    let mut echo = echo::Echo::default();
    let mut buf = vec![0u8; 256 << 10];
    let mut out = Vec::new();
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
            let reply = match event {
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
                other => echo.reply(other),
            };
            match reply {
                // A message goes out as a header and the received payload itself, with
                // one vectored write: no copy before the socket's (one with deflate, which
                // compresses into a buffer of its own). What is queued goes first.
                Some(Event::TextMessage(message)) => {
                    flush(&mut stream, &mut out)?;
                    write_vectored(&mut stream, ws.send_data_vectored(&*message.data, true))?;
                }
                Some(Event::BytesMessage(message)) => {
                    flush(&mut stream, &mut out)?;
                    write_vectored(&mut stream, ws.send_data_vectored(&message.data[..], true))?;
                }
                // A refused send (e.g. a close after our own) needs no answer.
                Some(other) => drop(ws.send_into(other, &mut out)),
                None => {}
            }
        }
        flush(&mut stream, &mut out)?;
        // RFC 6455 §7.1.7: a protocol error fails the connection: our close is out, now
        // close the transport (gracefully, so the close frame is read before the FIN).
        if ws.is_failed() {
            return echo::linger_close(stream);
        }
        // RFC 6455 §7.1.1: after the closing handshake the server closes TCP first.
        if ws.state() == ConnectionState::Closed || n == 0 {
            return stream.shutdown(Shutdown::Both);
        }
    }
}

/// Writes and empties what is queued.
fn flush(stream: &mut TcpStream, out: &mut Vec<u8>) -> io::Result<()> {
    if !out.is_empty() {
        stream.write_all(out)?;
        out.clear();
    }
    Ok(())
}

/// Writes a frame, if it could be made (a refused send needs no answer).
fn write_vectored(
    stream: &mut TcpStream,
    frame: Result<VectoredFrame<'_>, LocalProtocolError>,
) -> io::Result<()> {
    match frame {
        Ok(frame) => frame.write_to(stream),
        Err(_) => Ok(()),
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
