//! The blocking I/O driver as a server over an in-memory peer: a valid opening handshake,
//! then arbitrary bytes, read in pieces of a size the input picks, with permessage-deflate
//! negotiated or not, messages delivered whole or in pieces, and idle memory released after
//! every message or not. Every message (or piece) is echoed. No panic, the driver ends once the input
//! does, and everything it writes after the 101 is a valid stream of server frames with
//! nothing after a close frame.
#![no_main]

use std::io::{self, Read, Write};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use wsproto::deflate::{Negotiated, PerMessageDeflate};
use wsproto::io::blocking::{Transport, accept};
use wsproto::io::{Config, Message};
use wsproto::{Client, FrameProtocol, Limits, Opcode};

const REQUEST: &[u8] =
    b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
const DEFLATE: &[u8] = b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";

/// A peer that sends `input` in pieces of at most `piece` bytes and keeps what it is sent.
struct Peer {
    input: Vec<u8>,
    read: usize,
    piece: usize,
    written: Vec<u8>,
}

impl Read for Peer {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.piece).min(self.input.len() - self.read);
        buf[..n].copy_from_slice(&self.input[self.read..self.read + n]);
        self.read += n;
        Ok(n)
    }
}

impl Write for Peer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for &mut Peer {
    fn set_read_timeout(&self, _: Option<Duration>) -> io::Result<()> {
        Ok(())
    }
    fn set_write_timeout(&self, _: Option<Duration>) -> io::Result<()> {
        Ok(())
    }
    fn shutdown_write(&self) -> io::Result<()> {
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    // Input: a byte for deflate (bit 0) and the read size (bits 1-7), a byte for pieces
    // (bit 0) and releasing idle memory (bit 1), then the bytes after the handshake.
    let [first, mode, rest @ ..] = data else {
        return;
    };
    let (first, mode) = (*first, *mode);
    let deflate = first & 1 == 1;
    let config = Config::default().with_message_pieces(mode & 1 == 1);
    let release = mode & 2 != 0;
    let head = [REQUEST, if deflate { DEFLATE } else { b"" }, b"\r\n"].concat();
    let mut peer = Peer {
        input: [&head[..], rest].concat(),
        read: 0,
        piece: usize::from(first >> 1) + 1,
        written: Vec::new(),
    };
    let mut ws =
        accept(&mut peer, (PerMessageDeflate::default(),), config).expect("a valid request");
    while let Some(message) = ws.recv() {
        if let Ok(
            message @ (Message::Text(_)
            | Message::Binary(_)
            | Message::TextPiece { .. }
            | Message::BinaryPiece { .. }),
        ) = message
        {
            let _ = ws.send(message);
        }
        if release {
            ws.release_idle_memory();
        }
    }
    drop(ws);

    // What the server wrote: the 101, then frames a client can read.
    let end = peer
        .written
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    assert!(peer.written.starts_with(b"HTTP/1.1 101 "));
    let extension = if deflate {
        PerMessageDeflate::negotiated(Negotiated::default())
    } else {
        PerMessageDeflate::default()
    };
    let mut client = FrameProtocol::<Client, _>::with_limits((extension,), Limits::unlimited());
    client.receive_bytes(&peer.written[end..]);
    let opcodes: Vec<Opcode> = client
        .received_frames()
        .map(|frame| frame.expect("the server's frames follow every rule").opcode)
        .collect();
    // RFC 6455 §5.5.1: nothing after our close frame.
    if let Some(close) = opcodes.iter().position(|&opcode| opcode == Opcode::Close) {
        assert_eq!(close, opcodes.len() - 1, "{opcodes:?}");
    }
});
