//! tungstenite over an in-memory stream (its blocking API; reads return at most 16 KiB).

use tungstenite::protocol::Role;
use tungstenite::{Message, WebSocket};

use crate::input::Workload;
use crate::sink::Sink;
use crate::streams::Memory;

pub fn receive(_: &Workload, wire: &[u8], n: usize, sink: &mut Sink) -> Result<(), String> {
    let mut ws = WebSocket::from_raw_socket(Memory::new(wire, false), Role::Server, None);
    for _ in 0..n {
        match ws.read().map_err(|e| e.to_string())? {
            Message::Binary(b) => sink.deliver(&b),
            Message::Text(t) => sink.deliver(t.as_bytes()),
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    Ok(())
}

pub fn encode(w: &Workload, client: bool, keep: bool) -> Vec<u8> {
    let role = if client { Role::Client } else { Role::Server };
    let io = Memory::new(&[], keep);
    let output = io.output.clone();
    let mut ws = WebSocket::from_raw_socket(io, role, None);
    for m in &w.messages {
        // `Bytes` shares the message: no copy before tungstenite's own.
        ws.send(Message::Binary(m.clone())).expect("send");
    }
    output.take()
}
