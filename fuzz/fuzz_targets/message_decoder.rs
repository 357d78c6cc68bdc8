//! The message decoder fed arbitrary data frames, each whole and again cut in two pieces:
//! fragment order and UTF-8 are judged the same in both chunkings, and against the
//! standard library: text is delivered exactly when, and as far as, it is valid.
#![no_main]

use arbitrary::Arbitrary;
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use wsproto::message::MessageDecoder;
use wsproto::{CloseReason, Frame, Opcode, ParseFailed, Payload};

#[derive(Arbitrary, Debug)]
struct DataFrame {
    /// 0: CONTINUATION, 1: TEXT, else BINARY.
    opcode: u8,
    payload: Vec<u8>,
    fin: bool,
    /// Where the frame is cut into two pieces, as a fraction of 256.
    cut: u8,
}

impl DataFrame {
    fn opcode(&self) -> Opcode {
        match self.opcode % 3 {
            0 => Opcode::Continuation,
            1 => Opcode::Text,
            _ => Opcode::Binary,
        }
    }

    /// The frame whole, or cut in two pieces as the frame decoder delivers them.
    fn pieces(&self, cut: bool) -> Vec<Frame> {
        let piece = |opcode, bytes: &[u8], frame_finished| Frame {
            opcode,
            payload: Payload::Bytes(Bytes::copy_from_slice(bytes)),
            frame_finished,
            message_finished: self.fin,
        };
        if !cut {
            return vec![piece(self.opcode(), &self.payload, true)];
        }
        let at = self.payload.len() * usize::from(self.cut) / 256;
        vec![
            piece(self.opcode(), &self.payload[..at], false),
            piece(Opcode::Continuation, &self.payload[at..], true),
        ]
    }
}

/// Whole messages and the error, checked against a model built on `std::str::from_utf8`.
fn run(frames: &[DataFrame], cut: bool) -> (Vec<(Opcode, Vec<u8>)>, Option<ParseFailed>) {
    let mut decoder = MessageDecoder::new();
    let mut messages = Vec::new();
    // The open message: its opcode, the bytes sent so far, the bytes delivered so far.
    let mut open: Option<(Opcode, Vec<u8>, Vec<u8>)> = None;
    for frame in frames {
        for piece in frame.pieces(cut) {
            let opcode = piece.opcode;
            let sent = piece.payload.as_bytes().to_vec();
            let last = piece.frame_finished && piece.message_finished;
            let result = decoder.process_frame(piece);
            let expected_opcode = match (&open, opcode) {
                (None, Opcode::Continuation) | (Some(_), Opcode::Text | Opcode::Binary) => {
                    let error = result.expect_err("fragment order broken but accepted");
                    assert_eq!(error.code(), CloseReason::PROTOCOL_ERROR);
                    return (messages, Some(error));
                }
                (None, opcode) => opcode,
                (Some((open_opcode, ..)), _) => *open_opcode,
            };
            let (_, all_sent, delivered) =
                open.get_or_insert_with(|| (expected_opcode, Vec::new(), Vec::new()));
            all_sent.extend_from_slice(&sent);
            let is_text = expected_opcode == Opcode::Text;
            let utf8 = std::str::from_utf8(all_sent);
            let invalid = match &utf8 {
                Ok(_) => false,
                Err(e) => e.error_len().is_some() || last,
            };
            match result {
                Err(error) => {
                    assert!(is_text && invalid, "rejected valid input: {error}");
                    assert_eq!(error.code(), CloseReason::INVALID_FRAME_PAYLOAD_DATA);
                    return (messages, Some(error));
                }
                Ok(out) => {
                    assert!(!(is_text && invalid), "accepted invalid UTF-8");
                    assert_eq!(out.opcode, expected_opcode);
                    assert_eq!(out.message_finished, last);
                    assert_eq!(matches!(out.payload, Payload::Text(_)), is_text);
                    delivered.extend_from_slice(out.payload.as_bytes());
                    // Text is delivered up to the last whole character, binary at once.
                    let expected = match (&utf8, is_text) {
                        (Err(e), true) => &all_sent[..e.valid_up_to()],
                        _ => &all_sent[..],
                    };
                    assert_eq!(&delivered[..], expected);
                    assert_eq!(decoder.message_in_progress().is_none(), last);
                    if last {
                        let (opcode, _, delivered) = open.take().expect("open message");
                        messages.push((opcode, delivered));
                    }
                }
            }
        }
    }
    (messages, None)
}

fuzz_target!(|frames: Vec<DataFrame>| {
    let whole = run(&frames, false);
    let cut = run(&frames, true);
    assert_eq!(whole.0, cut.0, "messages differ by chunking");
    assert_eq!(
        whole.1.map(|e| e.code()),
        cut.1.map(|e| e.code()),
        "close codes differ by chunking"
    );
});
