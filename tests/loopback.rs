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
            "accepted, extensions [\"permessage-deflate\"]",
            "text \"Hello, WebSocket!\"",
            "binary 4 bytes",
            "pong 14 bytes",
            "closed: Closed",
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
    assert!(
        lines[0].starts_with("accepted, extensions [\"permessage-deflate"),
        "{lines:?}"
    );
    // websockets answers pings on its I/O thread, ahead of the echoes: order is free.
    let mut middle = lines[1..4].to_vec();
    middle.sort();
    assert_eq!(
        middle,
        [
            "binary 4 bytes",
            "pong 14 bytes",
            "text \"Hello, WebSocket!\""
        ]
    );
    assert_eq!(lines[4], "closed: Closed", "{lines:?}");
}

/// Opens a connection to our echo server with a raw socket: the handshake through a
/// `WSConnection`, then raw frames, so tests can send what a broken peer would.
fn raw_connection() -> TcpStream {
    use std::io::{Read, Write};
    let addr = start_echo_server(1);
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut ws = wsproto::WSConnection::<wsproto::Client>::new(());
    stream
        .write_all(&ws.send(wsproto::events::Request::new("h", "/")).unwrap())
        .unwrap();
    let mut buf = [0u8; 1024];
    while ws.state() == wsproto::ConnectionState::Connecting {
        let n = stream.read(&mut buf).unwrap();
        ws.receive_data(Some(&buf[..n])).unwrap();
    }
    stream
}

/// Everything the server sends until it closes the stream, parsed as frames.
fn frames_until_eof(stream: &mut TcpStream) -> Vec<wsproto::Frame> {
    use std::io::Read;
    let mut bytes = Vec::new();
    stream
        .read_to_end(&mut bytes)
        .expect("the server must close the stream itself");
    let mut proto = wsproto::FrameProtocol::<wsproto::Client>::new(());
    proto.receive_bytes(&bytes);
    proto.received_frames().map(Result::unwrap).collect()
}

fn masked(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![first, 0x80 | payload.len() as u8, 0, 0, 0, 0];
    frame.extend_from_slice(payload);
    frame
}

fn close_code(frame: &wsproto::Frame) -> wsproto::CloseReason {
    match &frame.payload {
        wsproto::Payload::Close(code, _) => *code,
        other => panic!("not a close: {other:?}"),
    }
}

#[test]
fn autobahn_4_1_1_a_reserved_opcode_fails_the_connection_and_the_server_hangs_up() {
    use std::io::Write;
    let mut stream = raw_connection();
    stream.write_all(&masked(0x83, b"")).unwrap();
    // The close, then EOF from the server, without us closing (RFC 6455 §7.1.7): before
    // the fix the server waited for a close it would never parse, and the peer hung up.
    let frames = frames_until_eof(&mut stream);
    assert_eq!(frames.len(), 1);
    assert_eq!(close_code(&frames[0]), wsproto::CloseReason::PROTOCOL_ERROR);
}

#[test]
fn autobahn_3_2_the_echo_goes_out_before_the_close_of_a_later_bad_frame() {
    use std::io::Write;
    let mut stream = raw_connection();
    let wire = [
        masked(0x81, b"Hello, world!"),
        masked(0xa1, b"Hello, world!"),
        masked(0x89, b""),
    ]
    .concat();
    stream.write_all(&wire).unwrap();
    let frames = frames_until_eof(&mut stream);
    assert_eq!(frames[0].payload.as_text(), Some("Hello, world!"));
    assert_eq!(close_code(&frames[1]), wsproto::CloseReason::PROTOCOL_ERROR);
    assert_eq!(
        frames.len(),
        2,
        "nothing after the close: the ping behind the bad frame is not answered"
    );
}

#[test]
fn autobahn_6_4_1_invalid_utf8_in_a_later_fragment_fails_at_once() {
    use std::io::Write;
    let mut stream = raw_connection();
    // First fragment valid; the second holds F4 90 80 80, beyond U+10FFFF; the third is
    // never sent: the server must fail the connection without waiting for it.
    stream.write_all(&masked(0x01, "κόσμε".as_bytes())).unwrap();
    stream
        .write_all(&masked(0x00, b"\xf4\x90\x80\x80"))
        .unwrap();
    let frames = frames_until_eof(&mut stream);
    assert_eq!(frames.len(), 1, "no echo of the unfinished message");
    assert_eq!(
        close_code(&frames[0]),
        wsproto::CloseReason::INVALID_FRAME_PAYLOAD_DATA
    );
}

#[test]
fn a_clean_close_ends_with_the_server_closing_tcp_first() {
    use std::io::Write;
    let mut stream = raw_connection();
    stream.write_all(&masked(0x88, b"\x03\xe8")).unwrap();
    let frames = frames_until_eof(&mut stream);
    assert_eq!(close_code(&frames[0]), wsproto::CloseReason::NORMAL_CLOSURE);
}
