//! Where this crate deliberately differs from Python wsproto 1.3.2, its behavioural
//! reference: each test pins our behaviour and says what Python does instead, and why.
//! All of them receive as a client, so the frames are unmasked.

use flate2::{Compress, Compression, FlushCompress};
use wsproto::deflate::{Negotiated, PerMessageDeflate};
use wsproto::{Client, CloseReason, FrameProtocol, Opcode};

use crate::protocol::receive;

type Received = Result<Vec<(Opcode, Vec<u8>)>, CloseReason>;

fn client(agreed: Negotiated) -> FrameProtocol<Client, (PerMessageDeflate,)> {
    FrameProtocol::new((PerMessageDeflate::negotiated(agreed),))
}

/// An unmasked frame (server to client).
fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![first];
    match payload.len() {
        n if n <= 125 => out.push(n as u8),
        n => {
            out.push(126);
            out.extend_from_slice(&u16::try_from(n).unwrap().to_be_bytes());
        }
    }
    out.extend_from_slice(payload);
    out
}

/// `wire` received in two pieces cut at every point, each by a fresh client.
fn every_cut_gives(agreed: Negotiated, wire: &[u8], expected: Received) {
    for at in 0..=wire.len() {
        let got = receive(&mut client(agreed), &[&wire[..at], &wire[at..]]);
        assert_eq!(got, expected, "cut at {at}");
    }
}

fn text(s: &str) -> (Opcode, Vec<u8>) {
    (Opcode::Text, s.as_bytes().to_vec())
}

/// §7.2.3.1: "Hello" compressed, and the same split into two fragment payloads.
const HELLO: [u8; 7] = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
const HE: [u8; 3] = [0xf2, 0x48, 0xcd];
const LLO: [u8; 4] = [0xc9, 0xc9, 0x07, 0x00];

#[test]
fn a_truncated_surrogate_prefix_fails_at_once() {
    // ED A0 can only begin a UTF-16 surrogate (U+D800..U+DFFF), which UTF-8 forbids
    // (RFC 3629 §3), so no later byte can make the message valid. Python's incremental
    // decoder (CPython's) waits for more bytes and delivers an empty TEXT piece; we fail
    // with 1007 as soon as the bytes arrive (RFC 6455 §8.1: fail "when an endpoint is to
    // interpret a byte stream as UTF-8 but finds that the byte stream is not").
    let wire = frame(0x01, &[0xed, 0xa0]); // TEXT, FIN clear: more fragments would follow
    for at in 0..=wire.len() {
        let mut plain = FrameProtocol::<Client>::new(());
        let got = receive(&mut plain, &[&wire[..at], &wire[at..]]);
        assert_eq!(
            got,
            Err(CloseReason::INVALID_FRAME_PAYLOAD_DATA),
            "cut at {at}"
        );
    }
}

#[test]
fn a_data_frame_inside_a_compressed_message_is_a_protocol_error() {
    // Python hands an interleaved TEXT or BINARY frame without RSV1 to the inflater (the
    // message is still marked compressed) and fails with 1007 on what comes out. The fault
    // is the frame order (RFC 6455 §5.4: only control frames may be "injected in the middle
    // of a fragmented message"), so we say 1002, before inflating anything, as Python does
    // for a frame with RSV1.
    let open = frame(0x41, &HE); // TEXT, RSV1, FIN clear
    for intruder in [
        frame(0x81, b"A"),   // TEXT
        frame(0x82, b"A"),   // BINARY
        frame(0xc1, &HELLO), // TEXT, RSV1: a valid compressed message of its own
    ] {
        let wire = [open.clone(), intruder].concat();
        every_cut_gives(
            Negotiated::default(),
            &wire,
            Err(CloseReason::PROTOCOL_ERROR),
        );
    }
}

#[test]
fn a_ping_between_compressed_fragments_leaves_the_message_compressed() {
    // Python's extension forgets, when the ping ends, that the message is compressed, so
    // the last fragment passes through uninflated and fails with 1007 (the upstream fix is
    // python-hyper/wsproto PR #205). RFC 6455 §5.4 allows control frames between
    // fragments, and here they never touch the message's decompression state.
    let wire = [frame(0x41, &HE), frame(0x89, b"p"), frame(0x80, &LLO)].concat();
    every_cut_gives(
        Negotiated::default(),
        &wire,
        Ok(vec![(Opcode::Ping, b"p".to_vec()), text("Hello")]),
    );
}

#[test]
fn a_message_ending_with_a_final_block_does_not_break_the_next() {
    // §7.2.3.4's "Hello" ends with a BFINAL block. Under context takeover Python's zlib
    // object is then at its end and fails the next message with 1007 (without context
    // takeover it starts a new object and agrees with us). We start a new DEFLATE stream
    // (RFC 7692 §7.2.1, "The next DEFLATE block follows the padded data").
    let bfinal = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00];
    let wire = [frame(0xc1, &bfinal), frame(0xc1, &HELLO)].concat();
    let both = Ok(vec![text("Hello"), text("Hello")]);
    every_cut_gives(Negotiated::default(), &wire, both.clone());
    let no_context_takeover = Negotiated {
        server_no_context_takeover: true,
        ..Negotiated::default()
    };
    every_cut_gives(no_context_takeover, &wire, both);
}

#[test]
fn an_empty_compressed_payload_is_an_empty_message() {
    // RSV1 with no payload. Python appends 00 00 ff ff and inflates: that leaves zlib
    // inside a stored block whose length is read from the next message, which is then
    // garbled (1007). The sender meant an empty message (§7.2.3.6 would encode it as one
    // 0x00), so we deliver one and leave the inflater untouched.
    let wire = [frame(0xc1, b""), frame(0xc1, &HELLO)].concat();
    every_cut_gives(
        Negotiated::default(),
        &wire,
        Ok(vec![text(""), text("Hello")]),
    );
}

/// `message` as raw DEFLATE with a `bits` window, sync-flushed, without the RFC 7692 tail.
fn deflate(message: &[u8], bits: u8) -> Vec<u8> {
    let mut compress = Compress::new_with_window_bits(Compression::default(), false, bits);
    let mut payload = Vec::with_capacity(message.len() + 64);
    compress
        .compress_vec(message, &mut payload, FlushCompress::Sync)
        .unwrap();
    payload.truncate(payload.len() - 4);
    payload
}

#[test]
fn a_peer_reaching_past_the_negotiated_window_is_not_detected() {
    // Not a difference but a shared limit, pinned so that a change is noticed. The server
    // agreed to compress within 2^9 bytes (RFC 7692 §7.1.2.1), then sends a message whose
    // second half repeats its first from 2000 bytes back. We accept it: zlib-rs allocates
    // a full 32 KiB window whatever the bits it is given and checks distances only against
    // that. Python accepts it too: C zlib checks a distance only against its window and
    // the output of the same call.
    let agreed = Negotiated {
        server_max_window_bits: 9,
        ..Negotiated::default()
    };
    let mut noise = 0x2545_f491_u32;
    let half: Vec<u8> = (0..2000)
        .map(|_| {
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            b'a' + (noise % 26) as u8
        })
        .collect();
    let message = [half.clone(), half].concat();
    let payload = deflate(&message, 15);
    // Within 2^9 bytes the repeat cannot be found; with 2^15 it costs almost nothing, so
    // the payload holds matches reaching 2000 bytes back.
    let narrow = deflate(&message, 9);
    assert!(
        payload.len() + 800 < narrow.len(),
        "{} vs {}",
        payload.len(),
        narrow.len()
    );
    let wire = frame(0xc1, &payload);
    assert_eq!(
        receive(&mut client(agreed), &[&wire]),
        Ok(vec![(Opcode::Text, message)])
    );
}
