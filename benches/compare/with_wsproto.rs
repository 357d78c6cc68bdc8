//! wsproto: `FrameProtocol` as a server (receiving) or either role (encoding).

use bytes::Bytes;
use wsproto::deflate::{Negotiated, PerMessageDeflate};
use wsproto::ext::ExtensionList;
use wsproto::{Client, FrameProtocol, Payload, PayloadRef, Role, Server};

use std::io::Write;

use crate::input::{READ_SIZE, Workload};
use crate::sink::Sink;
use crate::streams::Memory;

/// Pieces as they arrive, assembled by the application into whole messages the way a user
/// would: a message that arrived in one piece is used as is, others are copied together.
fn receive_pieces<E: ExtensionList>(
    mut proto: FrameProtocol<Server, E>,
    wire: &[u8],
    sink: &mut Sink,
) -> Result<(), String> {
    let mut assembly = Vec::new();
    for read in wire.chunks(READ_SIZE) {
        proto.receive_bytes(read);
        for frame in proto.received_frames() {
            let frame = frame.map_err(|e| e.to_string())?;
            let bytes = match &frame.payload {
                Payload::Bytes(b) => &b[..],
                Payload::Text(t) => t.as_bytes(),
                Payload::Close(..) => return Err("unexpected close".into()),
            };
            if frame.message_finished && assembly.is_empty() {
                sink.deliver(bytes);
            } else {
                assembly.extend_from_slice(bytes);
                if frame.message_finished {
                    sink.deliver(&assembly);
                    assembly.clear();
                }
            }
        }
    }
    Ok(())
}

pub fn receive_pieces_plain(
    _: &Workload,
    wire: &[u8],
    _: usize,
    sink: &mut Sink,
) -> Result<(), String> {
    receive_pieces(FrameProtocol::<Server>::new(()), wire, sink)
}

pub fn inflate_pieces(_: &Workload, wire: &[u8], _: usize, sink: &mut Sink) -> Result<(), String> {
    let deflate = PerMessageDeflate::negotiated(Negotiated::default());
    receive_pieces(FrameProtocol::<Server, _>::new((deflate,)), wire, sink)
}

/// Each message encoded into a reused buffer, which is then written to the socket: the
/// socket's copy is paid as the other crates pay theirs.
fn encode_with<R: Role, E: ExtensionList>(
    mut proto: FrameProtocol<R, E>,
    w: &Workload,
    keep: bool,
) -> Vec<u8> {
    let mut socket = Memory::new(&[], keep);
    let output = socket.output.clone();
    let mut frame = Vec::with_capacity(128 << 10);
    for m in &w.messages {
        frame.clear();
        let result = if w.text {
            proto.send_data_into(std::str::from_utf8(m).expect("text"), true, &mut frame)
        } else {
            proto.send_data_into(&m[..], true, &mut frame)
        };
        result.expect("encode");
        socket.write_all(&frame).expect("write");
    }
    output.take()
}

/// A server's frames as a header and the message itself, written with one vectored write
/// each (`send_data_vectored`): the socket's copy is the only one.
pub fn encode_vectored(w: &Workload, _client: bool, keep: bool) -> Vec<u8> {
    encode_server(w, keep, 0)
}

/// What the README recommends a server: small messages encoded into a buffer (one write
/// for many), from `VECTORED_FROM` bytes a header and the message itself with one
/// vectored write.
pub fn encode_recommended(w: &Workload, _client: bool, keep: bool) -> Vec<u8> {
    encode_server(w, keep, VECTORED_FROM)
}

/// Below this size a vectored write costs more than copying the message into the buffer.
const VECTORED_FROM: usize = 512;

fn encode_server(w: &Workload, keep: bool, vectored_from: usize) -> Vec<u8> {
    let mut proto = FrameProtocol::<Server>::new(());
    let mut socket = Memory::new(&[], keep);
    let output = socket.output.clone();
    let mut frame = Vec::with_capacity(128 << 10);
    for m in &w.messages {
        if m.len() >= vectored_from {
            let vectored = proto.send_data_vectored(&m[..], true).expect("encode");
            vectored.write_to(&mut socket).expect("write");
        } else {
            frame.clear();
            proto
                .send_data_into(&m[..], true, &mut frame)
                .expect("encode");
            socket.write_all(&frame).expect("write");
        }
    }
    output.take()
}

pub fn encode(w: &Workload, client: bool, keep: bool) -> Vec<u8> {
    if client {
        encode_with(FrameProtocol::<Client>::new(()), w, keep)
    } else {
        encode_with(FrameProtocol::<Server>::new(()), w, keep)
    }
}

pub fn compress(w: &Workload, keep: bool) -> Vec<u8> {
    let deflate = PerMessageDeflate::negotiated(Negotiated::default());
    encode_with(FrameProtocol::<Server, _>::new((deflate,)), w, keep)
}

/// Whole messages straight from the protocol (`with_whole_messages`).
fn receive_whole<E: ExtensionList>(
    proto: FrameProtocol<Server, E>,
    wire: &[u8],
    sink: &mut Sink,
) -> Result<(), String> {
    let mut proto = proto.with_whole_messages(true);
    for read in wire.chunks(READ_SIZE) {
        proto.receive_bytes(read);
        for frame in proto.received_frames() {
            let frame = frame.map_err(|e| e.to_string())?;
            match &frame.payload {
                Payload::Bytes(b) => sink.deliver(b),
                Payload::Text(t) => sink.deliver(t.as_bytes()),
                Payload::Close(..) => return Err("unexpected close".into()),
            }
        }
    }
    Ok(())
}

pub fn receive_whole_plain(
    _: &Workload,
    wire: &[u8],
    _: usize,
    sink: &mut Sink,
) -> Result<(), String> {
    receive_whole(FrameProtocol::<Server>::new(()), wire, sink)
}

/// Whole messages borrowed from the receive buffer (`next_frame_ref`), the fastest way.
pub fn receive_borrowed(
    _: &Workload,
    wire: &[u8],
    _: usize,
    sink: &mut Sink,
) -> Result<(), String> {
    let mut proto = FrameProtocol::<Server>::new(()).with_whole_messages(true);
    for read in wire.chunks(READ_SIZE) {
        proto.receive_bytes(read);
        while let Some(frame) = proto.next_frame_ref().map_err(|e| e.to_string())? {
            match frame.payload {
                PayloadRef::Bytes(b) => sink.deliver(b),
                PayloadRef::Text(t) => sink.deliver(t.as_bytes()),
                PayloadRef::Close(..) => return Err("unexpected close".into()),
            }
        }
    }
    Ok(())
}

pub fn inflate_whole(_: &Workload, wire: &[u8], _: usize, sink: &mut Sink) -> Result<(), String> {
    let deflate = PerMessageDeflate::negotiated(Negotiated::default());
    receive_whole(FrameProtocol::<Server, _>::new((deflate,)), wire, sink)
}

/// The messages as a client with permessage-deflate sends them (context takeover).
pub fn compressed_client_wire(messages: &[Bytes]) -> (Vec<u8>, usize) {
    let deflate = PerMessageDeflate::negotiated(Negotiated::default());
    let mut keys = crate::input::Rng::new(99);
    let mut client =
        FrameProtocol::<Client, _>::new((deflate,)).with_mask_key_source(move || keys.key());
    let mut wire = Vec::new();
    let mut half = 0;
    for (i, m) in messages.iter().enumerate() {
        if i == messages.len() / 2 {
            half = wire.len();
        }
        client
            .send_data_into(std::str::from_utf8(m).expect("text"), true, &mut wire)
            .expect("encode");
    }
    (wire, half)
}

/// Decodes what an adapter encoded (frames from a client if `from_client`), for the check.
pub fn decode_encoded(
    out: &[u8],
    from_client: bool,
    deflate: bool,
) -> Result<Vec<Vec<u8>>, String> {
    fn decode<R: Role, E: ExtensionList>(
        mut proto: FrameProtocol<R, E>,
        out: &[u8],
    ) -> Result<Vec<Vec<u8>>, String> {
        let mut messages = Vec::new();
        let mut message = Vec::new();
        proto.receive_bytes(out);
        for frame in proto.received_frames() {
            let frame = frame.map_err(|e| e.to_string())?;
            message.extend_from_slice(frame.payload.as_bytes());
            if frame.message_finished {
                messages.push(std::mem::take(&mut message));
            }
        }
        Ok(messages)
    }
    let limits = wsproto::Limits::unlimited();
    let ext = || PerMessageDeflate::negotiated(Negotiated::default());
    match (from_client, deflate) {
        (true, false) => decode(FrameProtocol::<Server>::with_limits((), limits), out),
        (false, false) => decode(FrameProtocol::<Client>::with_limits((), limits), out),
        (true, true) => decode(
            FrameProtocol::<Server, _>::with_limits((ext(),), limits),
            out,
        ),
        (false, true) => decode(
            FrameProtocol::<Client, _>::with_limits((ext(),), limits),
            out,
        ),
    }
}

/// Feeds `wire` in reads and drops every delivered message (for the memory figures).
pub fn feed(proto: &mut FrameProtocol<Server>, wire: &[u8]) {
    for read in wire.chunks(READ_SIZE) {
        proto.receive_bytes(read);
        for frame in proto.received_frames() {
            frame.expect("valid");
        }
    }
}
