//! `FrameProtocol::next_frame_ref` against `next_frame`, and the unfragmented-message
//! shortcut both take against the general path: the same frames and the same errors for
//! any stream, any chunking, either role, either delivery mode.

mod support {
    pub mod frames;
    pub mod wire_gen;
}

use proptest::prelude::*;
use support::frames::{from_client, from_server};
use support::wire_gen::{Rng, chunks, mutate, valid_stream};
use wsproto::{Client, FrameProtocol, FrameRef, PayloadRef, Role, Server};

/// What a frame or an error looks like, owned, comparable across the two APIs.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Frame {
        opcode: wsproto::Opcode,
        kind: &'static str,
        bytes: Vec<u8>,
        code: Option<u16>,
        frame_finished: bool,
        message_finished: bool,
    },
    Error(u16, String),
}

fn seen(frame: FrameRef<'_>) -> Seen {
    let (kind, code) = match frame.payload {
        PayloadRef::Bytes(_) => ("bytes", None),
        PayloadRef::Text(_) => ("text", None),
        PayloadRef::Close(code, _) => ("close", Some(u16::from(code))),
    };
    Seen::Frame {
        opcode: frame.opcode,
        kind,
        bytes: frame.payload.as_bytes().to_vec(),
        code,
        frame_finished: frame.frame_finished,
        message_finished: frame.message_finished,
    }
}

fn error(e: wsproto::ParseFailed) -> Seen {
    Seen::Error(u16::from(e.code()), e.message().to_owned())
}

/// Everything `reads` produce through `next_frame_ref`.
fn borrowed<R: Role>(reads: &[Vec<u8>], whole: bool) -> Vec<Seen> {
    let mut proto = FrameProtocol::<R>::new(()).with_whole_messages(whole);
    let mut out = Vec::new();
    for read in reads {
        proto.receive_bytes(read);
        loop {
            match proto.next_frame_ref() {
                Ok(Some(frame)) => out.push(seen(frame)),
                Ok(None) => break,
                Err(e) => {
                    out.push(error(e));
                    break;
                }
            }
        }
    }
    out
}

/// Everything `reads` produce through `next_frame`.
fn owned<R: Role>(reads: &[Vec<u8>], whole: bool) -> Vec<Seen> {
    let mut proto = FrameProtocol::<R>::new(()).with_whole_messages(whole);
    let mut out = Vec::new();
    for read in reads {
        proto.receive_bytes(read);
        loop {
            match proto.next_frame() {
                Ok(Some(frame)) => out.push(seen(frame.as_ref())),
                Ok(None) => break,
                Err(e) => {
                    out.push(error(e));
                    break;
                }
            }
        }
    }
    out
}

/// Byte by byte, so that no frame is ever complete when its header is parsed: the general
/// path alone.
fn general_path<R: Role>(wire: &[u8], whole: bool) -> Vec<Seen> {
    let reads: Vec<Vec<u8>> = wire.iter().map(|&b| vec![b]).collect();
    let mut seen = owned::<R>(&reads, whole);
    // Byte by byte, a data frame comes in one-byte pieces: join them, as they would
    // have come in one piece.
    if !whole {
        seen = join_pieces(seen);
    }
    seen
}

/// Joins consecutive pieces of the same frame. A frame cut short by an error is dropped:
/// how much of it came out before the error depends on the reads (the valid text before
/// an invalid byte, say), and that is not what is compared here.
fn join_pieces(seen: Vec<Seen>) -> Vec<Seen> {
    let mut out = join_consecutive(seen);
    if let [
        ..,
        Seen::Frame {
            frame_finished: false,
            ..
        },
        Seen::Error(..),
    ] = out[..]
    {
        out.remove(out.len() - 2);
    }
    out
}

fn join_consecutive(seen: Vec<Seen>) -> Vec<Seen> {
    let mut out: Vec<Seen> = Vec::new();
    let mut open = false;
    for item in seen {
        if let (
            true,
            Some(Seen::Frame {
                bytes,
                frame_finished,
                message_finished,
                ..
            }),
            Seen::Frame {
                bytes: more,
                frame_finished: done,
                message_finished: last,
                ..
            },
        ) = (open, out.last_mut(), &item)
        {
            bytes.extend_from_slice(more);
            *frame_finished = *done;
            *message_finished = *last;
            open = !done;
            continue;
        }
        open = matches!(
            item,
            Seen::Frame {
                frame_finished: false,
                ..
            }
        );
        out.push(item);
    }
    out
}

fn check_stream<R: Role>(wire: &[u8], rng: &mut Rng) -> Result<(), TestCaseError> {
    let reads = chunks(rng, wire, 6);
    for whole in [false, true] {
        prop_assert_eq!(
            borrowed::<R>(&reads, whole),
            owned::<R>(&reads, whole),
            "whole {}",
            whole
        );
    }
    // All at once, every complete unfragmented message takes the shortcut; one byte at a
    // time, none does.
    let at_once = vec![wire.to_vec()];
    prop_assert_eq!(owned::<R>(&at_once, true), general_path::<R>(wire, true));
    prop_assert_eq!(
        join_pieces(owned::<R>(&at_once, false)),
        general_path::<R>(wire, false)
    );
    Ok(())
}

proptest! {
    #[test]
    fn borrowed_frames_equal_owned_frames_and_the_general_path(seed: u64, mutations in 0usize..3) {
        for client_sends in [true, false] {
            let mut rng = Rng(seed | 1);
            let mut wire = valid_stream(&mut rng, client_sends);
            for _ in 0..mutations {
                mutate(&mut rng, &mut wire);
            }
            if client_sends {
                check_stream::<Server>(&wire, &mut rng)?;
            } else {
                check_stream::<Client>(&wire, &mut rng)?;
            }
        }
    }
}

#[test]
fn invalid_text_in_a_whole_frame_fails_as_on_the_general_path() {
    let cases: [&[u8]; 5] = [
        b"caf\xc3",            // cut short
        b"\xff",               // impossible byte first
        b"hello \xed\xa0\x80", // a surrogate
        b"ab\xc3\x28cd",       // a lead byte not continued
        &[b'x'; 300],          // valid, two-byte length, for contrast
    ];
    for payload in cases {
        for whole in [false, true] {
            let wire = from_client(0x81, payload);
            let fast = owned::<Server>(std::slice::from_ref(&wire), whole);
            assert_eq!(fast, general_path::<Server>(&wire, whole), "{payload:?}");
            assert_eq!(borrowed::<Server>(std::slice::from_ref(&wire), whole), fast);
            let wire = from_server(0x81, payload);
            assert_eq!(
                owned::<Client>(std::slice::from_ref(&wire), whole),
                general_path::<Client>(&wire, whole)
            );
        }
    }
    let error = owned::<Server>(&[from_client(0x81, b"ab\xc3\x28cd")], false);
    assert_eq!(
        error,
        [Seen::Error(
            1007,
            "text message is not valid UTF-8 at byte 2 (RFC 6455 §8.1)".into()
        )]
    );
}

#[test]
fn a_borrowed_frame_leaves_later_bytes_for_the_next_call() {
    let mut wire = from_client(0x82, &[1, 2, 3]);
    let second = from_client(0x81, "é".as_bytes());
    wire.extend_from_slice(&second[..3]);
    let mut server = FrameProtocol::<Server>::new(());
    server.receive_bytes(&wire);
    let frame = server.next_frame_ref().unwrap().unwrap();
    assert_eq!(frame.payload, PayloadRef::Bytes(&[1, 2, 3]));
    assert_eq!(server.next_frame_ref().unwrap(), None);
    server.receive_bytes(&second[3..]);
    let frame = server.next_frame_ref().unwrap().unwrap();
    assert_eq!(frame.payload, PayloadRef::Text("é"));
    assert_eq!(server.next_frame_ref().unwrap(), None);
    // A close frame comes through the general path, parsed, and ends the input.
    server.receive_bytes(&from_client(0x88, &[0x03, 0xe8, b'o', b'k']));
    let close = server.next_frame_ref().unwrap().unwrap();
    assert_eq!(close.payload, PayloadRef::Close(1000.into(), "ok"));
    server.receive_bytes(&from_client(0x82, &[9]));
    assert_eq!(server.next_frame_ref().unwrap(), None);
}
