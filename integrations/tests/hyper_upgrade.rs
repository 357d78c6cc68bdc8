//! A WebSocket upgraded from hyper 1.x, end to end on 127.0.0.1: our tokio client against
//! the hyper echo example, with permessage-deflate negotiated; and a plain request refused.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wsproto::deflate::PerMessageDeflate;
use wsproto::events::Request;
use wsproto::io::tokio::connect;
use wsproto::io::{Config, Message};

#[allow(dead_code)]
#[path = "../examples/hyper_echo.rs"]
mod hyper_echo;
#[path = "../../tests/support/python.rs"]
mod python;

/// The hyper echo example on a free port.
async fn start_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(hyper_echo::serve(stream));
        }
    });
    addr
}

#[tokio::test]
async fn our_client_talks_to_a_websocket_upgraded_from_hyper() {
    let addr = start_server().await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let mut request = Request::new(addr.to_string(), "/echo");
    request.subprotocols = vec!["chat".into()];
    let deflate = (PerMessageDeflate::default(),);
    let (mut ws, accepted) = connect(stream, request, deflate, Config::default())
        .await
        .unwrap();
    assert_eq!(accepted.subprotocol.as_deref(), Some("chat"));
    assert_eq!(
        ws.connection().protocol().enabled_extensions(),
        ["permessage-deflate"]
    );
    let large: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    for message in [
        Message::text("héllo 🦀"),
        Message::text(""),
        Message::binary((0..=255).collect::<Vec<u8>>()),
        Message::binary(large),
    ] {
        ws.send(message.clone()).await.unwrap();
        assert_eq!(ws.recv().await.unwrap().unwrap(), message);
    }
    ws.close().await.unwrap();
}

#[tokio::test]
async fn a_plain_request_is_refused_with_400() {
    let addr = start_server().await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn python_websockets_client_against_the_hyper_server() {
    let addr = start_server().await;
    let python = python::venv_python(&["websockets==15.0.1"]);
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/python/websockets_peer.py"
    );
    let output = tokio::process::Command::new(python)
        .args([script, "client", &format!("ws://{addr}/")])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(
        result["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c == true),
        "{result}"
    );
    assert_eq!(
        result["extensions"],
        serde_json::json!(["PerMessageDeflate"])
    );
    assert_eq!(result["close_code"], 1000);
}
