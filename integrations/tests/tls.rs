//! A WebSocket over TLS on 127.0.0.1, with a certificate made in the test: the connection
//! runs over tokio-rustls streams on both sides as over TCP.

use tokio::net::TcpListener;
use wsproto::io::Message;

#[allow(dead_code)]
#[path = "../examples/tls_echo.rs"]
mod tls_echo;

#[tokio::test]
async fn a_websocket_runs_over_tls_both_ways() {
    let (server_tls, client_tls) = tls_echo::tls_configs();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(tls_echo::serve(listener, server_tls));
    let echo = tls_echo::echo_once(addr, client_tls, "secret 🔐")
        .await
        .unwrap();
    assert_eq!(echo, Message::text("secret 🔐"));
}
