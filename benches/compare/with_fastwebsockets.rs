//! fastwebsockets on a current-thread tokio runtime; `FragmentCollector` assembles
//! fragmented messages and validates text.

use fastwebsockets::{FragmentCollector, Frame, OpCode, Payload, Role, WebSocket};

use crate::input::Workload;
use crate::sink::Sink;
use crate::streams::{Memory, runtime};

pub fn receive(_: &Workload, wire: &[u8], n: usize, sink: &mut Sink) -> Result<(), String> {
    runtime().block_on(async {
        let mut ws = WebSocket::after_handshake(Memory::new(wire, false), Role::Server);
        ws.set_auto_close(false);
        ws.set_auto_pong(false);
        let mut ws = FragmentCollector::new(ws);
        for _ in 0..n {
            let frame = ws.read_frame().await.map_err(|e| e.to_string())?;
            match frame.opcode {
                OpCode::Text | OpCode::Binary => sink.deliver(&frame.payload),
                other => return Err(format!("unexpected {other:?}")),
            }
        }
        Ok(())
    })
}

pub fn encode(w: &Workload, client: bool, keep: bool) -> Vec<u8> {
    let role = if client { Role::Client } else { Role::Server };
    runtime().block_on(async {
        let io = Memory::new(&[], keep);
        let output = io.output.clone();
        let mut ws = WebSocket::after_handshake(io, role);
        for m in &w.messages {
            let frame = Frame::binary(Payload::Borrowed(&m[..]));
            ws.write_frame(frame).await.expect("write");
        }
        output.take()
    })
}
