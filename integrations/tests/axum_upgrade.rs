//! A WebSocket upgraded from an axum route, end to end on 127.0.0.1: our tokio client
//! against the axum echo example, with permessage-deflate negotiated.

use tokio::net::{TcpListener, TcpStream};
use wsproto::deflate::PerMessageDeflate;
use wsproto::events::Request;
use wsproto::io::tokio::connect;
use wsproto::io::{Config, Message};

#[allow(dead_code)]
#[path = "../examples/axum_echo.rs"]
mod axum_echo;

#[tokio::test]
async fn our_client_talks_to_a_websocket_upgraded_from_an_axum_route() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, axum_echo::app()).await });
    let stream = TcpStream::connect(addr).await.unwrap();
    let deflate = (PerMessageDeflate::default(),);
    let (mut ws, accepted) = connect(
        stream,
        Request::new(addr.to_string(), "/ws"),
        deflate,
        Config::default(),
    )
    .await
    .unwrap();
    assert_eq!(accepted.extensions.len(), 1, "permessage-deflate");
    for message in [
        Message::text("through axum"),
        Message::binary(vec![9u8; 100_000]),
    ] {
        ws.send(message.clone()).await.unwrap();
        assert_eq!(ws.recv().await.unwrap().unwrap(), message);
    }
    ws.close().await.unwrap();
}
