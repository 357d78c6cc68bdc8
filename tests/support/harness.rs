//! What the fuzz targets (fuzz/) and the property tests (tests/hostile_properties.rs)
//! share: how an input's first bytes choose the chunking, the role,
//! the limits and the deflate parameters; what a receiver saw, normalised so that two
//! chunkings of the same bytes can be compared; and the invariants every target checks.
//!
//! Byte-stream targets (`frame_decoder_*`, `protocol`, `protocol_deflate`) read
//! `[split_lo, split_hi, config, stream...]`: the stream is fed once whole and once in two
//! pieces cut at `split % (len + 1)`, and `config` picks the rest (see [`limits`],
//! [`is_client`], [`whole_messages`], [`negotiated`]). `tests/fuzz_seeds.rs` writes seeds in this layout.
#![allow(dead_code)]

use bytes::Bytes;
use wsproto::deflate::{Negotiated, PerMessageDeflate};
use wsproto::ext::ExtensionList;
use wsproto::receive::FrameDecoder;
use wsproto::{
    CloseReason, Frame, FrameProtocol, FrameRef, Limits, Opcode, ParseFailed, Payload, PayloadRef,
    Role, Utf8Bytes,
};

/// A byte-stream input: where to cut, the configuration byte, and the stream.
pub struct Input<'a> {
    pub split: usize,
    pub config: u8,
    pub stream: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn parse(data: &'a [u8]) -> Option<Self> {
        let [lo, hi, config, stream @ ..] = data else {
            return None;
        };
        let split = usize::from(u16::from_le_bytes([*lo, *hi])) % (stream.len() + 1);
        Some(Input {
            split,
            config: *config,
            stream,
        })
    }

    /// The stream whole, then cut in two.
    pub fn chunkings(&self) -> [Vec<&'a [u8]>; 2] {
        let (a, b) = self.stream.split_at(self.split);
        [vec![self.stream], vec![a, b]]
    }
}

/// Bits 0-1 of the configuration byte: default, small, unlimited, or tiny limits.
pub fn limits(config: u8) -> Limits {
    match config & 0b11 {
        0 => Limits::default(),
        1 => Limits::default()
            .with_max_frame_size(64)
            .with_max_message_size(256)
            .with_max_fragments_per_message(4),
        2 => Limits::unlimited(),
        _ => Limits::default()
            .with_max_frame_size(125)
            .with_max_message_size(1)
            .with_max_fragments_per_message(1),
    }
}

/// Bit 7 of the configuration byte: the receiving endpoint is a client.
pub fn is_client(config: u8) -> bool {
    config & 0x80 != 0
}

/// Bit 6 of the configuration byte: the second chunking is received with whole-message
/// delivery, which must give the same messages and close code as pieces.
pub fn whole_messages(config: u8) -> bool {
    config & 0x40 != 0
}

/// Bits 2-5 of the configuration byte: window bits 8..=15 both ways (bits 2-4) and no
/// context takeover both ways (bit 5).
pub fn negotiated(config: u8) -> Negotiated {
    let bits = 8 + ((config >> 2) & 0b111);
    let no_context_takeover = config & 0x20 != 0;
    Negotiated {
        client_no_context_takeover: no_context_takeover,
        server_no_context_takeover: no_context_takeover,
        client_max_window_bits: bits,
        server_max_window_bits: bits,
    }
}

/// An enabled permessage-deflate with the configuration byte's parameters.
pub fn deflate(config: u8) -> (PerMessageDeflate,) {
    (PerMessageDeflate::negotiated(negotiated(config)),)
}

/// A frame as the frame decoder delivered it, its pieces joined.
#[derive(Debug, PartialEq, Eq)]
pub struct JoinedFrame {
    pub opcode: Opcode,
    pub payload: Vec<u8>,
    pub frame_finished: bool,
    pub message_finished: bool,
}

/// Runs a frame decoder over the pieces; returns the frames (pieces joined) and the error.
/// Checks on the way that the decoder never keeps more than a header or a control payload
/// once it asks for more bytes, and that after an error it repeats the same error.
pub fn decode_frames<R: Role, E: ExtensionList>(
    decoder: &mut FrameDecoder<R, E>,
    pieces: &[&[u8]],
) -> (Vec<JoinedFrame>, Option<ParseFailed>) {
    let mut frames: Vec<JoinedFrame> = Vec::new();
    for piece in pieces {
        decoder.receive_bytes(piece);
        loop {
            match decoder.process_buffer() {
                Ok(Some(frame)) => join_piece(&mut frames, frame),
                Ok(None) => {
                    // A partial header (at most 13 bytes with the masking key) or a partial
                    // control payload (at most 124), or up to 3 held-back bytes of text.
                    assert!(
                        decoder.buffered_len() <= 125,
                        "decoder keeps {} bytes while waiting",
                        decoder.buffered_len()
                    );
                    break;
                }
                Err(error) => {
                    check_error(&error);
                    assert_eq!(decoder.process_buffer(), Err(error.clone()));
                    return (frames, Some(error));
                }
            }
        }
    }
    (frames, None)
}

/// The frames two chunkings produced are equal, but for a last, unfinished frame, where
/// one may hold back up to 3 bytes more than the other.
pub fn assert_same_frames(a: &[JoinedFrame], b: &[JoinedFrame]) {
    assert_eq!(
        a.len(),
        b.len(),
        "frames differ by chunking: {a:?} vs {b:?}"
    );
    let Some((last_a, last_b)) = a.last().zip(b.last()) else {
        return;
    };
    let whole = a.len() - 1;
    assert_eq!(a[..whole], b[..whole], "frames differ by chunking");
    if last_a.frame_finished && last_b.frame_finished {
        assert_eq!(last_a, last_b, "frames differ by chunking");
        return;
    }
    assert_eq!(
        (last_a.opcode, last_a.message_finished),
        (last_b.opcode, last_b.message_finished)
    );
    let (short, long) = if last_a.payload.len() <= last_b.payload.len() {
        (&last_a.payload, &last_b.payload)
    } else {
        (&last_b.payload, &last_a.payload)
    };
    assert!(long.starts_with(short), "unfinished frames diverge");
    assert!(
        long.len() - short.len() <= 3,
        "more than a character held back"
    );
}

fn join_piece(frames: &mut Vec<JoinedFrame>, frame: Frame) {
    let bytes = frame.payload.as_bytes();
    match frames.last_mut() {
        Some(last) if !last.frame_finished => {
            assert_eq!(
                frame.opcode,
                Opcode::Continuation,
                "a later piece of a frame"
            );
            assert_eq!(last.message_finished, frame.message_finished);
            last.payload.extend_from_slice(bytes);
            last.frame_finished = frame.frame_finished;
        }
        _ => frames.push(JoinedFrame {
            opcode: frame.opcode,
            payload: bytes.to_vec(),
            frame_finished: frame.frame_finished,
            message_finished: frame.message_finished,
        }),
    }
}

/// What a protocol endpoint saw: control frames and whole messages in order, the message
/// still open when the input ended or failed, and the error.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Seen {
    pub events: Vec<(Opcode, Vec<u8>)>,
    pub partial: Option<(Opcode, Vec<u8>)>,
    pub error: Option<ParseFailed>,
}

impl Seen {
    /// The same, ignoring a message still open at the end: whole-message delivery never
    /// hands one out.
    pub fn without_partial(mut self) -> Seen {
        self.partial = None;
        self
    }

    /// Two chunkings must agree on every whole event and on the error. A message cut short
    /// by an error may have delivered more of itself in one chunking (the valid text before
    /// a bad byte arrives in the piece that ends at the cut), so partial messages need only
    /// be prefixes of one another.
    pub fn assert_same_as(&self, other: &Seen) {
        assert_eq!(self.events, other.events, "whole events differ by chunking");
        assert_eq!(
            self.error.as_ref().map(ParseFailed::code),
            other.error.as_ref().map(ParseFailed::code),
            "close codes differ by chunking: {:?} vs {:?}",
            self.error,
            other.error
        );
        match (&self.partial, &other.partial) {
            (Some((a_op, a)), Some((b_op, b))) => {
                assert_eq!(a_op, b_op);
                assert!(
                    a.starts_with(b) || b.starts_with(a),
                    "partial messages diverge"
                );
            }
            (None, None) => {}
            (a, b) => assert!(
                self.error.is_some() || a.as_ref().or(b.as_ref()).is_some_and(|m| m.1.is_empty()),
                "one chunking has an open message, the other not: {a:?} vs {b:?}"
            ),
        }
    }
}

/// Feeds the pieces to a protocol endpoint; checks that every text is valid UTF-8, that
/// after an error the endpoint still encodes a close frame with the error's code, and that
/// nothing is delivered after a close frame or an error.
pub fn receive<R: Role, E: ExtensionList>(
    proto: &mut FrameProtocol<R, E>,
    pieces: &[&[u8]],
) -> Seen {
    receive_with(proto, pieces, FrameProtocol::next_frame)
}

/// [`receive`], the frames taken borrowed (`next_frame_ref`) and copied out.
pub fn receive_borrowed<R: Role, E: ExtensionList>(
    proto: &mut FrameProtocol<R, E>,
    pieces: &[&[u8]],
) -> Seen {
    receive_with(proto, pieces, |proto| {
        proto.next_frame_ref().map(|frame| frame.map(owned))
    })
}

fn receive_either<R: Role, E: ExtensionList>(
    proto: &mut FrameProtocol<R, E>,
    pieces: &[&[u8]],
    borrowed: bool,
) -> Seen {
    if borrowed {
        receive_borrowed(proto, pieces)
    } else {
        receive(proto, pieces)
    }
}

/// A borrowed frame, copied.
fn owned(frame: FrameRef<'_>) -> Frame {
    let payload = match frame.payload {
        PayloadRef::Bytes(bytes) => Payload::Bytes(Bytes::copy_from_slice(bytes)),
        PayloadRef::Text(text) => Payload::Text(Utf8Bytes::from(text.to_owned())),
        PayloadRef::Close(code, reason) => Payload::Close(code, Utf8Bytes::from(reason.to_owned())),
    };
    Frame {
        opcode: frame.opcode,
        payload,
        frame_finished: frame.frame_finished,
        message_finished: frame.message_finished,
    }
}

fn receive_with<R: Role, E: ExtensionList>(
    proto: &mut FrameProtocol<R, E>,
    pieces: &[&[u8]],
    mut next: impl FnMut(&mut FrameProtocol<R, E>) -> Result<Option<Frame>, ParseFailed>,
) -> Seen {
    let mut seen = Seen::default();
    let mut closed = false;
    'pieces: for piece in pieces {
        proto.receive_bytes(piece);
        loop {
            match next(proto) {
                Ok(Some(frame)) => {
                    assert!(!closed, "a frame after the close frame");
                    closed = frame.opcode == Opcode::Close;
                    record(&mut seen, frame);
                }
                Ok(None) => {
                    // Between pieces the connection may go quiet: freeing what can be
                    // rebuilt must change nothing that is delivered (the chunkings are
                    // compared with the one-piece run).
                    proto.release_idle_memory();
                    break;
                }
                Err(error) => {
                    check_error(&error);
                    assert_eq!(next(proto), Ok(None), "nothing after an error");
                    check_close_after_error(proto, &error);
                    seen.error = Some(error);
                    break 'pieces;
                }
            }
        }
    }
    seen
}

fn record(seen: &mut Seen, frame: Frame) {
    if let Payload::Text(text) = &frame.payload {
        assert!(
            std::str::from_utf8(text.as_bytes()).is_ok(),
            "invalid UTF-8 delivered"
        );
    }
    match frame.payload {
        Payload::Close(code, reason) => {
            assert!(code == CloseReason::NO_STATUS_RCVD || code.is_valid_on_wire());
            let mut bytes = code.code().to_be_bytes().to_vec();
            bytes.extend_from_slice(reason.as_bytes());
            seen.events.push((Opcode::Close, bytes));
        }
        payload if frame.opcode.is_control() => {
            assert!(payload.len() <= 125);
            seen.events
                .push((frame.opcode, payload.as_bytes().to_vec()));
        }
        payload => {
            assert!(matches!(frame.opcode, Opcode::Text | Opcode::Binary));
            assert_eq!(
                matches!(payload, Payload::Text(_)),
                frame.opcode == Opcode::Text
            );
            let (_, bytes) = seen
                .partial
                .get_or_insert_with(|| (frame.opcode, Vec::new()));
            bytes.extend_from_slice(payload.as_bytes());
            if frame.message_finished {
                let message = seen.partial.take();
                seen.events.extend(message);
            }
        }
    }
}

/// An error names what was wrong and carries a code a close frame may carry.
fn check_error(error: &ParseFailed) {
    assert!(!error.message().is_empty());
    assert!(
        error.code().is_valid_on_wire(),
        "close code {} cannot be sent",
        error.code()
    );
}

/// After a failure the endpoint must still produce the close frame that reports it, and a
/// peer must read it back with the same code.
fn check_close_after_error<R: Role, E: ExtensionList>(
    proto: &mut FrameProtocol<R, E>,
    error: &ParseFailed,
) {
    let wire = proto
        .close(Some(error.code()), Some(error.message()))
        .expect("close after a parse failure");
    let close = if R::IS_CLIENT {
        first_frame(
            &mut FrameProtocol::<wsproto::Server>::with_limits((), Limits::unlimited()),
            &wire,
        )
    } else {
        first_frame(
            &mut FrameProtocol::<wsproto::Client>::with_limits((), Limits::unlimited()),
            &wire,
        )
    };
    match close.payload {
        Payload::Close(code, reason) => {
            assert_eq!(code, error.code());
            assert!(error.message().starts_with(reason.as_str()));
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
}

fn first_frame<P: Role>(peer: &mut FrameProtocol<P>, wire: &[u8]) -> Frame {
    peer.receive_bytes(wire);
    peer.next_frame()
        .expect("our close frame parses")
        .expect("our close frame is complete")
}

/// The four bytes a sender strips from each compressed message (RFC 7692 §7.2.1).
pub const RFC7692_TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// The same payload as `Bytes`, for building frames by hand.
pub fn bytes(data: &[u8]) -> Payload {
    Payload::Bytes(Bytes::copy_from_slice(data))
}

/// The `protocol` and `protocol_deflate` targets: the stream whole with pieces delivered,
/// then cut in two with the delivery mode bit 6 picks, owned and borrowed, for the role bit
/// 7 picks.
pub fn protocol_case(data: &[u8], with_deflate: bool) {
    let Some(input) = Input::parse(data) else {
        return;
    };
    let config = input.config;
    let [whole, cut] = input.chunkings();
    let run = |pieces: &[&[u8]], whole_messages: bool, borrowed: bool| -> Seen {
        match (is_client(config), with_deflate) {
            (true, false) => receive_either(
                &mut FrameProtocol::<wsproto::Client>::with_limits((), limits(config))
                    .with_whole_messages(whole_messages),
                pieces,
                borrowed,
            ),
            (false, false) => receive_either(
                &mut FrameProtocol::<wsproto::Server>::with_limits((), limits(config))
                    .with_whole_messages(whole_messages),
                pieces,
                borrowed,
            ),
            (true, true) => receive_either(
                &mut FrameProtocol::<wsproto::Client, _>::with_limits(
                    deflate(config),
                    limits(config),
                )
                .with_whole_messages(whole_messages),
                pieces,
                borrowed,
            ),
            (false, true) => receive_either(
                &mut FrameProtocol::<wsproto::Server, _>::with_limits(
                    deflate(config),
                    limits(config),
                )
                .with_whole_messages(whole_messages),
                pieces,
                borrowed,
            ),
        }
    };
    let first = run(&whole, false, false);
    let second = run(&cut, whole_messages(config), false);
    let lent = run(&cut, whole_messages(config), true);
    assert_eq!(lent, second, "borrowed frames differ from owned ones");
    if whole_messages(config) {
        first
            .without_partial()
            .assert_same_as(&second.without_partial());
    } else {
        first.assert_same_as(&second);
    }
}

/// The `frame_decoder_*` targets: the same frames and close code in one piece or two.
pub fn frame_decoder_case<R: Role>(data: &[u8]) {
    let Some(input) = Input::parse(data) else {
        return;
    };
    let [whole, cut] = input.chunkings().map(|pieces| {
        let mut decoder = FrameDecoder::<R>::with_limits((), limits(input.config));
        decode_frames(&mut decoder, &pieces)
    });
    // Without extensions every error is found at a header, after the frames before it
    // were delivered whole: both chunkings see the same frames, except that a text frame
    // cut short may hold back up to 3 more bytes in one of them (an unfinished character,
    // judged on the bytes in the buffer).
    assert_same_frames(&whole.0, &cut.0);
    assert_eq!(
        whole.1.map(|e| e.code()),
        cut.1.map(|e| e.code()),
        "close codes differ by chunking"
    );
}

/// A connection's events with message pieces joined into whole messages and close events
/// reduced to their code, so that two chunkings of one stream compare equal.
#[derive(Debug, Default)]
pub struct EventLog {
    /// One line per whole message, control frame, close code or handshake event.
    pub entries: Vec<String>,
    partial: Vec<u8>,
}

impl EventLog {
    /// Records one event.
    pub fn push(&mut self, event: &wsproto::Event) {
        use wsproto::Event;
        match event {
            Event::TextMessage(m) => self.piece(m.data.as_bytes(), m.message_finished, "text"),
            Event::BytesMessage(m) => self.piece(&m.data, m.message_finished, "bytes"),
            Event::RejectData(d) => self.piece(&d.data, d.body_finished, "body"),
            Event::CloseConnection(close) => {
                self.entries.push(format!("close {}", close.code.code()))
            }
            other => self.entries.push(format!("{other:?}")),
        }
    }

    fn piece(&mut self, data: &[u8], last: bool, kind: &str) {
        self.partial.extend_from_slice(data);
        if last {
            let whole = std::mem::take(&mut self.partial);
            self.entries.push(format!("{kind} {whole:?}"));
        }
    }
}
