//! The chat example on 127.0.0.1: what one client says, every client hears.

use tokio::net::{TcpListener, TcpStream};
use wsproto::Client;
use wsproto::deflate::PerMessageDeflate;
use wsproto::events::Request;
use wsproto::io::tokio::{WebSocket, connect};
use wsproto::io::{Config, Message};

#[allow(dead_code)]
#[path = "../examples/chat.rs"]
mod chat;

async fn join(addr: std::net::SocketAddr) -> WebSocket<TcpStream, Client, (PerMessageDeflate,)> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let request = Request::new(addr.to_string(), "/ws");
    let deflate = (PerMessageDeflate::default(),);
    connect(stream, request, deflate, Config::default())
        .await
        .unwrap()
        .0
}

/// Reads until `line` comes, skipping the room's other lines.
async fn hear(member: &mut WebSocket<TcpStream, Client, (PerMessageDeflate,)>, line: &str) {
    loop {
        match member.recv().await.unwrap().unwrap() {
            Message::Text(text) if text == line => return,
            Message::Text(_) => {}
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn every_member_hears_every_message() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, chat::app()).await });
    let mut alice = join(addr).await;
    let mut bob = join(addr).await;
    // A member is subscribed once the server has run its upgrade; hearing its own line
    // proves it (the other's lines may come first).
    for (member, line) in [(&mut alice, "alice here"), (&mut bob, "bob here")] {
        member.send(Message::text(line)).await.unwrap();
        hear(member, line).await;
    }
    alice.send(Message::text("hello, bob 👋")).await.unwrap();
    hear(&mut bob, "hello, bob 👋").await;
    hear(&mut alice, "hello, bob 👋").await;
    alice.close().await.unwrap();
    bob.close().await.unwrap();
}
