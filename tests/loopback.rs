//! Real sockets on 127.0.0.1: the example client against the example echo server, and
//! both against the Python `websockets` library (installed into a venv by the test).

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};

#[allow(dead_code)]
#[path = "../examples/client.rs"]
mod client;
#[allow(dead_code)]
#[path = "../examples/echo_server.rs"]
mod echo_server;
#[path = "support/python.rs"]
mod python;

const WEBSOCKETS: &str = "websockets==15.0.1";

/// Our echo server on a free port, serving `connections` connections in threads.
fn start_echo_server(connections: usize) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let stream = stream.unwrap();
            std::thread::spawn(move || echo_server::serve(stream));
        }
    });
    addr
}

fn peer_script() -> String {
    format!(
        "{}/tests/python/websockets_peer.py",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn the_example_client_talks_to_the_example_server() {
    let addr = start_echo_server(1);
    let lines = client::run(TcpStream::connect(addr).unwrap(), &addr.to_string()).unwrap();
    assert_eq!(
        lines,
        [
            "AcceptConnection None",
            "TextMessage \"Hello, WebSocket!\"",
            "BytesMessage 4 bytes",
            "TextMessage \"fragmented message\"",
            "Pong 14 bytes",
            "CloseConnection 1000 (NORMAL_CLOSURE) \"\"",
        ]
    );
}

#[test]
fn python_websockets_client_against_our_server() {
    let python = python::venv_python(&[WEBSOCKETS]);
    let addr = start_echo_server(1);
    let output = Command::new(python)
        .args([peer_script(), "client".into(), format!("ws://{addr}/")])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        result["checks"],
        serde_json::json!([true, true, true, true, true, true, true]),
        "{result}"
    );
    assert_eq!(
        result["extensions"],
        serde_json::json!(["PerMessageDeflate"]),
        "deflate negotiated"
    );
    assert_eq!(result["close_code"], 1000);
}

/// Kills the Python server when the test ends, passed or not.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn our_client_against_python_websockets_server() {
    let python = python::venv_python(&[WEBSOCKETS]);
    let mut server = Child(
        Command::new(python)
            .args([peer_script(), "server".into()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut port = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    let addr = format!("127.0.0.1:{}", port.trim());
    let lines = client::run(TcpStream::connect(&addr).unwrap(), &addr).unwrap();
    assert_eq!(lines[0], "AcceptConnection None");
    // websockets answers pings on its I/O thread, ahead of the echoes: order is free.
    let mut middle = lines[1..5].to_vec();
    middle.sort();
    assert_eq!(
        middle,
        [
            "BytesMessage 4 bytes",
            "Pong 14 bytes",
            "TextMessage \"Hello, WebSocket!\"",
            "TextMessage \"fragmented message\""
        ]
    );
    assert!(lines[5].starts_with("CloseConnection 1000"), "{lines:?}");
}
