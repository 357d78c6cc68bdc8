//! The echo servers compared, one per crate, each written the way the crate's documentation
//! shows. They share one neutral opening handshake, so that the measurement is of the
//! messages, not of four HTTP parsers.

use std::io;

use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What a server is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crate {
    Wsproto,
    Tungstenite,
    Fastwebsockets,
    Yawc,
}

impl Crate {
    pub const ALL: [Crate; 4] = [
        Crate::Wsproto,
        Crate::Tungstenite,
        Crate::Fastwebsockets,
        Crate::Yawc,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Crate::Wsproto => "wsproto",
            Crate::Tungstenite => "tokio-tungstenite",
            Crate::Fastwebsockets => "fastwebsockets",
            Crate::Yawc => "yawc",
        }
    }

    pub fn parse(name: &str) -> Option<Crate> {
        Crate::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether the crate has permessage-deflate.
    pub fn has_deflate(self) -> bool {
        matches!(self, Crate::Wsproto | Crate::Yawc)
    }
}

/// The extension every deflate server agrees to: no context takeover either way, so that
/// the load generator can send one message compressed ahead of time again and again.
pub const DEFLATE_ANSWER: &str =
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

/// Serves echo connections on 127.0.0.1 for ever, printing the port first.
#[tokio::main]
pub async fn serve(which: Crate, deflate: bool) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("{}", listener.local_addr().unwrap().port());
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            if handshake(&mut stream, deflate).await.is_err() {
                return;
            }
            match which {
                Crate::Wsproto => wsproto_echo(stream, deflate).await,
                Crate::Tungstenite => tungstenite_echo(stream).await,
                Crate::Fastwebsockets => fastwebsockets_echo(stream).await,
                Crate::Yawc => yawc_echo(stream, deflate).await,
            }
        });
    }
}

/// Reads the request head and answers 101, agreeing to permessage-deflate if asked.
async fn handshake(stream: &mut TcpStream, deflate: bool) -> io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let key = head
        .lines()
        .find_map(|line| line.strip_prefix("Sec-WebSocket-Key: "))
        .ok_or(io::ErrorKind::InvalidData)?;
    let accept = wsproto::handshake::accept_token(key.trim());
    let extension = if deflate {
        format!("Sec-WebSocket-Extensions: {DEFLATE_ANSWER}\r\n")
    } else {
        String::new()
    };
    let answer = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n{extension}\r\n"
    );
    stream.write_all(answer.as_bytes()).await
}

async fn wsproto_echo(stream: TcpStream, deflate: bool) {
    use wsproto::Connection;
    use wsproto::deflate::{Negotiated, PerMessageDeflate};
    use wsproto::io::tokio::WebSocket;
    use wsproto::io::{Config, Message};
    let extension = if deflate {
        PerMessageDeflate::negotiated(Negotiated {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            ..Negotiated::default()
        })
    } else {
        PerMessageDeflate::default()
    };
    let connection =
        Connection::<wsproto::Server, _>::with_limits((extension,), wsproto::Limits::default());
    let mut ws = WebSocket::from_open(stream, connection, Config::default());
    while let Some(Ok(message)) = ws.recv().await {
        if let Message::Text(_) | Message::Binary(_) = message
            && ws.send(message).await.is_err()
        {
            break;
        }
    }
}

async fn tungstenite_echo(stream: TcpStream) {
    use tokio_tungstenite::WebSocketStream;
    use tokio_tungstenite::tungstenite::protocol::Role;
    let mut ws = WebSocketStream::from_raw_socket(stream, Role::Server, None).await;
    while let Some(Ok(message)) = ws.next().await {
        if (message.is_text() || message.is_binary()) && ws.send(message).await.is_err() {
            break;
        }
    }
}

async fn fastwebsockets_echo(stream: TcpStream) {
    use fastwebsockets::{FragmentCollector, Frame, OpCode, Role, WebSocket};
    let mut ws = WebSocket::after_handshake(stream, Role::Server);
    ws.set_auto_close(true);
    ws.set_auto_pong(true);
    let mut ws = FragmentCollector::new(ws);
    while let Ok(frame) = ws.read_frame().await {
        match frame.opcode {
            OpCode::Text | OpCode::Binary => {
                let echo = Frame::new(true, frame.opcode, None, frame.payload);
                if ws.write_frame(echo).await.is_err() {
                    break;
                }
            }
            OpCode::Close => break,
            _ => {}
        }
    }
}

async fn yawc_echo(stream: TcpStream, deflate: bool) {
    use yawc::frame::OpCode;
    use yawc::{CompressionLevel, Frame, Options, Role, WebSocket};
    let options = Options::default()
        .with_compression_level(CompressionLevel::new(6))
        .with_utf8()
        .with_limits(16 << 20, 64 << 20);
    let extensions = deflate.then_some(DEFLATE_ANSWER);
    let Ok(mut ws) =
        WebSocket::from_stream_with_extensions(stream, Role::Server, extensions, options)
    else {
        return;
    };
    while let Ok(frame) = ws.next_frame().await {
        let echo = match frame.opcode() {
            OpCode::Text => Frame::text(frame.into_payload()),
            OpCode::Binary => Frame::binary(frame.into_payload()),
            OpCode::Close => break,
            _ => continue,
        };
        if ws.send(echo).await.is_err() {
            break;
        }
    }
}
