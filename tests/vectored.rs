//! `FrameProtocol::send_data_vectored`: a header plus a payload slice, written with
//! vectored writes. Its bytes must equal `send_data`'s, for both roles, every length
//! encoding (RFC 6455 §5.2: 7 bits, 16 bits, 64 bits), fragments and extensions, and read
//! back through the receiving side; a server's payload must be the caller's own memory.
#![cfg(feature = "deflate")]

use std::io::{self, IoSlice, Write};

use wsproto::deflate::{Negotiated, PerMessageDeflate};
use wsproto::ext::ExtensionList;
use wsproto::{Client, FrameProtocol, Payload, Role, Server};

/// Payload lengths at both edges of each length encoding.
const LENGTHS: [usize; 7] = [0, 1, 125, 126, 65_535, 65_536, 70_000];

/// A writer that takes at most `step` bytes per call, from one slice at a time, as a
/// socket under pressure does.
struct Trickle {
    written: Vec<u8>,
    step: usize,
}

impl Write for Trickle {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(self.step);
        self.written.extend_from_slice(&data[..n]);
        Ok(n)
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        self.write(first)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Sends `payload` split in `fragments` both ways and checks the bytes are the same; returns
/// the vectored bytes, written in steps of `step`.
fn both_ways<R: Role, E: ExtensionList>(
    make: impl Fn() -> FrameProtocol<R, E>,
    payload: &[u8],
    fragments: usize,
    step: usize,
) -> Vec<u8> {
    let (mut buffered, mut vectored) = (make(), make());
    let mut expected = Vec::new();
    let mut socket = Trickle {
        written: Vec::new(),
        step,
    };
    let size = payload.len().div_ceil(fragments).max(1);
    let pieces: Vec<&[u8]> = if payload.is_empty() {
        vec![payload]
    } else {
        payload.chunks(size).collect()
    };
    for (i, piece) in pieces.iter().enumerate() {
        let fin = i + 1 == pieces.len();
        buffered.send_data_into(*piece, fin, &mut expected).unwrap();
        let frame = vectored.send_data_vectored(*piece, fin).unwrap();
        assert_eq!(frame.len(), frame.header().len() + frame.payload().len());
        frame.write_to(&mut socket).unwrap();
    }
    assert_eq!(socket.written, expected, "{} bytes", payload.len());
    socket.written
}

fn received<R: Role, E: ExtensionList>(mut proto: FrameProtocol<R, E>, wire: &[u8]) -> Vec<u8> {
    proto.set_whole_messages(true);
    proto.receive_bytes(wire);
    let frame = proto.next_frame().unwrap().expect("a message");
    assert!(frame.message_finished);
    match frame.payload {
        Payload::Bytes(bytes) => bytes.to_vec(),
        other => panic!("{other:?}"),
    }
}

fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

#[test]
fn vectored_frames_equal_buffered_ones_and_read_back_in_both_roles() {
    for len in LENGTHS {
        let data = payload(len);
        for (fragments, step) in [(1, usize::MAX), (3, 1000), (1, 7)] {
            let wire = both_ways(|| FrameProtocol::<Server>::new(()), &data, fragments, step);
            assert_eq!(received(FrameProtocol::<Client>::new(()), &wire), data);
            let keys = || FrameProtocol::<Client>::new(()).with_mask_key_source(|| [9, 8, 7, 6]);
            let wire = both_ways(keys, &data, fragments, step);
            assert_eq!(received(FrameProtocol::<Server>::new(()), &wire), data);
        }
    }
}

#[test]
fn vectored_frames_go_through_the_extensions() {
    let deflate = || (PerMessageDeflate::negotiated(Negotiated::default()),);
    for len in LENGTHS {
        let data = payload(len);
        let wire = both_ways(
            || FrameProtocol::<Server, _>::new(deflate()),
            &data,
            2,
            4096,
        );
        assert_eq!(
            received(FrameProtocol::<Client, _>::new(deflate()), &wire),
            data
        );
        let client =
            || FrameProtocol::<Client, _>::new(deflate()).with_mask_key_source(|| [1, 2, 3, 4]);
        let wire = both_ways(client, &data, 2, 4096);
        assert_eq!(
            received(FrameProtocol::<Server, _>::new(deflate()), &wire),
            data
        );
    }
}

#[test]
fn a_server_frame_borrows_the_callers_payload() {
    let data = payload(100_000);
    let mut server = FrameProtocol::<Server>::new(());
    let frame = server.send_data_vectored(&data, true).unwrap();
    assert!(std::ptr::eq(frame.payload(), &data[..]), "not copied");
    let [before, header, body] = frame.io_slices();
    assert_eq!((before.len(), header.len(), body.len()), (0, 10, 100_000));
    // A client masks, so its payload is a masked copy, not the caller's bytes.
    let mut client = FrameProtocol::<Client>::new(()).with_mask_key_source(|| [1, 2, 3, 4]);
    let frame = client.send_data_vectored(&data, true).unwrap();
    assert!(!std::ptr::eq(frame.payload(), &data[..]));
    assert_eq!(frame.payload()[0], data[0] ^ 1);
}

#[test]
fn vectored_frames_follow_the_message_rules() {
    let mut server = FrameProtocol::<Server>::new(());
    let _ = server.send_data_vectored("open", false).unwrap();
    // RFC 6455 §5.4: no binary fragment inside a text message.
    assert!(server.send_data_vectored(&b"bytes"[..], true).is_err());
    let frame = server.send_data_vectored("end", true).unwrap();
    assert_eq!(frame.header(), [0x80, 3], "a final CONTINUATION");
}

#[test]
fn a_connection_sends_vectored_frames_only_while_open() {
    use wsproto::events::{CloseConnection, TextMessage};
    use wsproto::{CloseReason, Connection, WSConnection};
    let mut server = Connection::<Server>::new(());
    let expected = server.send(TextMessage::new("hi")).unwrap();
    let mut written = Vec::new();
    server
        .send_data_vectored("hi", true)
        .unwrap()
        .append_to(&mut written);
    assert_eq!(written, expected);
    server
        .send(CloseConnection::new(CloseReason::NORMAL_CLOSURE))
        .unwrap();
    assert!(server.send_data_vectored("late", true).is_err());
    let mut handshaking = WSConnection::<Server>::new(());
    assert!(handshaking.send_data_vectored("early", true).is_err());
}
