//! The same sans-IO connection driven by tokio: an echo server that streams each piece of a
//! message back as it arrives (fragments in, fragments out) instead of assembling it, so
//! its memory does not grow with message size.
//!
//! Run with `cargo run --example tokio_echo -- 127.0.0.1:9002`.

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wsproto::events::{AcceptConnection, BytesMessage, TextMessage};
use wsproto::{ConnectionState, Event, Server, WSConnection};

async fn serve(mut stream: TcpStream) -> io::Result<()> {
    let mut ws = WSConnection::<Server>::new(());
    let mut buf = vec![0u8; 64 << 10];
    let mut out = Vec::new();
    loop {
        let n = stream.read(&mut buf).await?;
        ws.receive_data((n > 0).then(|| &buf[..n]))
            .map_err(io::Error::other)?;
        while let Some(event) = ws.next_event() {
            let reply: Option<Event> = match event {
                Event::Request(_) => Some(AcceptConnection::default().into()),
                // A piece goes back as a frame of the echoed message, ending it when the
                // received message ends (RFC 6455 §5.4: fragmentation is the sender's choice).
                Event::TextMessage(piece) => Some(
                    TextMessage {
                        data: piece.data,
                        frame_finished: true,
                        message_finished: piece.message_finished,
                    }
                    .into(),
                ),
                Event::BytesMessage(piece) => Some(
                    BytesMessage {
                        data: piece.data,
                        frame_finished: true,
                        message_finished: piece.message_finished,
                    }
                    .into(),
                ),
                Event::Ping(ping) => Some(ping.response().into()),
                Event::CloseConnection(close) => Some(close.response().into()),
                _ => None,
            };
            if let Some(reply) = reply {
                let _ = ws.send_into(reply, &mut out);
            }
        }
        stream.write_all(&out).await?;
        out.clear();
        if n == 0 || ws.state() == ConnectionState::Closed {
            return stream.shutdown().await;
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9002".into());
    let listener = TcpListener::bind(&addr).await?;
    println!("tokio echo server on ws://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            if let Err(error) = serve(stream).await {
                eprintln!("connection ended: {error}");
            }
        });
    }
}
