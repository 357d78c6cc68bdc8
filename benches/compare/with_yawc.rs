//! yawc (permessage-deflate with flate2's zlib-rs backend) on a current-thread tokio runtime.

use futures::SinkExt;
use yawc::{CompressionLevel, Frame, Options, Role, WebSocket};

use crate::input::Workload;
use crate::sink::Sink;
use crate::streams::{Memory, runtime};

fn options() -> Options {
    // Level 6, as wsproto; context takeover both ways (the default); UTF-8 checked.
    Options::default()
        .with_compression_level(CompressionLevel::new(6))
        .with_utf8()
        // The same 16 MiB frame and 64 MiB message limits as tungstenite and wsproto.
        .with_limits(16 << 20, 64 << 20)
}

/// Plain frames, no extension negotiated: yawc reassembles fragments and validates text.
pub fn receive(_: &Workload, wire: &[u8], n: usize, sink: &mut Sink) -> Result<(), String> {
    runtime().block_on(async {
        let io = Memory::new(wire, false);
        let mut ws = WebSocket::from_stream_with_extensions(io, Role::Server, None, options())
            .map_err(|e| e.to_string())?;
        for _ in 0..n {
            let frame = ws.next_frame().await.map_err(|e| e.to_string())?;
            sink.deliver(frame.payload());
        }
        Ok(())
    })
}

pub fn inflate(_: &Workload, wire: &[u8], n: usize, sink: &mut Sink) -> Result<(), String> {
    runtime().block_on(async {
        let io = Memory::new(wire, false);
        let mut ws = WebSocket::from_stream_with_extensions(
            io,
            Role::Server,
            Some("permessage-deflate"),
            options(),
        )
        .map_err(|e| e.to_string())?;
        for _ in 0..n {
            let frame = ws.next_frame().await.map_err(|e| e.to_string())?;
            sink.deliver(frame.payload());
        }
        Ok(())
    })
}

pub fn compress(w: &Workload, keep: bool) -> Vec<u8> {
    runtime().block_on(async {
        let io = Memory::new(&[], keep);
        let output = io.output.clone();
        let mut ws = WebSocket::from_stream_with_extensions(
            io,
            Role::Server,
            Some("permessage-deflate"),
            options(),
        )
        .expect("yawc");
        for m in &w.messages {
            let frame = if w.text {
                Frame::text(m.clone())
            } else {
                Frame::binary(m.clone())
            };
            ws.send(frame).await.expect("send");
        }
        output.take()
    })
}
