//! Differential test against Python wsproto 1.3.2, the behavioural reference: for the same
//! byte stream in the same chunking, the same frames, the same error code; for the same
//! calls, the same bytes on the wire. The test installs wsproto into a venv by itself.

mod support {
    pub mod frames;
    pub mod python;
    pub mod wire_gen;
}

use serde_json::{Value, json};
use support::python::{Oracle, hex};
use support::wire_gen::{Rng, chunks, mutate, valid_stream};
use wsproto::{CloseReason, FrameProtocol, Limits, Payload, Role, SendError};

/// Our frames and error for a chunked stream, in the oracle's JSON shape.
fn ours<R: Role>(pieces: &[Vec<u8>]) -> Value {
    let mut proto = FrameProtocol::<R>::with_limits((), Limits::unlimited());
    let mut frames = Vec::new();
    for piece in pieces {
        proto.receive_bytes(piece);
        for result in proto.received_frames() {
            match result {
                Ok(frame) => {
                    let (kind, payload) = match &frame.payload {
                        Payload::Bytes(b) => ("bytes", json!(hex(b))),
                        Payload::Text(t) => ("text", json!(hex(t.as_bytes()))),
                        Payload::Close(code, reason) => {
                            ("close", json!([code.code(), hex(reason.as_bytes())]))
                        }
                    };
                    frames.push(json!({
                        "opcode": u8::from(frame.opcode), "kind": kind, "payload": payload,
                        "frame_finished": frame.frame_finished, "message_finished": frame.message_finished,
                    }));
                }
                Err(e) => return json!({"frames": frames, "error": e.code().code()}),
            }
        }
    }
    json!({"frames": frames, "error": null})
}

/// The oracle's answer reduced to the same shape (error messages differ by design).
fn theirs(answer: &Value) -> Value {
    assert!(answer.get("exception").is_none(), "oracle failed: {answer}");
    json!({"frames": answer["frames"], "error": answer["error"].get("code").cloned().unwrap_or(Value::Null)})
}

fn compare_receive(client: bool, seed: u64, count: usize) {
    let mut rng = Rng(seed);
    let mut cases = Vec::new();
    let mut streams = Vec::new();
    for id in 0..count {
        let mut stream = valid_stream(&mut rng, !client);
        for _ in 0..rng.below(3) {
            mutate(&mut rng, &mut stream);
        }
        let pieces = chunks(&mut rng, &stream, 6);
        let hexes: Vec<String> = pieces.iter().map(|p| hex(p)).collect();
        cases.push(json!({"id": id, "kind": "receive", "client": client, "chunks": hexes}));
        streams.push(pieces);
    }
    let answers = Oracle::new().run_all(&cases);
    let mut rejected = 0;
    for (pieces, answer) in streams.iter().zip(&answers) {
        let ours = if client {
            ours::<wsproto::Client>(pieces)
        } else {
            ours::<wsproto::Server>(pieces)
        };
        let theirs = theirs(answer);
        rejected += usize::from(!theirs["error"].is_null());
        assert_eq!(ours, theirs, "stream {:02x?}", pieces);
    }
    // The generator must exercise both sides of the rules.
    assert!(
        rejected > count / 10 && rejected < count * 9 / 10,
        "{rejected} of {count} rejected"
    );
}

#[test]
fn server_receives_like_python_wsproto() {
    compare_receive(false, 0x5eed_0001, 3000);
}

#[test]
fn client_receives_like_python_wsproto() {
    compare_receive(true, 0x5eed_0002, 3000);
}

#[test]
fn edge_streams_match_python_wsproto() {
    let streams: Vec<(bool, Vec<Vec<u8>>)> = vec![
        // A header that stops inside its extended length, then an RSV error once complete.
        (
            false,
            vec![vec![0xc2, 0xfe], vec![0x01], vec![0x00, 1, 2, 3, 4]],
        ),
        // Text split inside a 4-byte character, byte by byte.
        (
            true,
            "x𝄞y".bytes().fold(vec![vec![0x81, 6]], |mut v, b| {
                v.push(vec![b]);
                v
            }),
        ),
        // An invalid continuation arriving alone after a valid lead byte.
        (true, vec![vec![0x81, 3, 0xe2], vec![0x28], vec![0xa1]]),
        // A fragment boundary inside a character.
        (true, vec![vec![0x01, 1, 0xc3], vec![0x80, 1, 0xa9]]),
        // Empty frames and an empty text message.
        (true, vec![vec![0x01, 0, 0x80, 0, 0x81, 0, 0x82, 0]]),
    ];
    let cases: Vec<Value> = streams
        .iter()
        .enumerate()
        .map(|(id, (client, pieces))| {
            json!({"id": id, "kind": "receive", "client": client, "chunks": pieces.iter().map(|p| hex(p)).collect::<Vec<_>>()})
        })
        .collect();
    let answers = Oracle::new().run_all(&cases);
    for ((client, pieces), answer) in streams.iter().zip(&answers) {
        let ours = if *client {
            ours::<wsproto::Client>(pieces)
        } else {
            ours::<wsproto::Server>(pieces)
        };
        assert_eq!(ours, theirs(answer), "stream {pieces:02x?}");
    }
}

/// One call on our protocol, in the oracle's JSON shape.
fn our_call<R: Role>(proto: &mut FrameProtocol<R>, call: &Value) -> Value {
    let bytes = |v: &Value| support::python::unhex(v.as_str().unwrap());
    let result: Result<Vec<u8>, SendError> = match call[0].as_str().unwrap() {
        "send_data" if call[1] == "text" => proto.send_data(
            std::str::from_utf8(&bytes(&call[2])).unwrap(),
            call[3].as_bool().unwrap(),
        ),
        "send_data" => proto.send_data(&bytes(&call[2]), call[3].as_bool().unwrap()),
        "ping" => proto.ping(&bytes(&call[1])),
        "pong" => proto.pong(&bytes(&call[1])),
        _ => {
            let code = call[1].as_u64().map(|c| CloseReason::new(c as u16));
            let reason = call[2]
                .as_str()
                .map(|r| String::from_utf8(support::python::unhex(r)).unwrap());
            proto.close(code, reason.as_deref())
        }
    };
    match result {
        Ok(bytes) => json!({"ok": hex(&bytes)}),
        Err(SendError::DataTypeMismatch { .. } | SendError::ReasonWithoutCode) => {
            json!({"err": "TypeError"})
        }
        Err(SendError::ControlPayloadTooLong { .. }) => json!({"err": "ValueError"}),
        Err(other) => json!({"err": other.to_string()}),
    }
}

#[test]
fn sent_bytes_match_python_wsproto() {
    let mut rng = Rng(0x5eed_0003);
    let mut cases = Vec::new();
    for id in 0..400 {
        let mut calls = Vec::new();
        for _ in 0..1 + rng.below(6) {
            let payload: Vec<u8> = (0..rng.below(140))
                .map(|_| b'a' + rng.below(26) as u8)
                .collect();
            let long: String = "é€𝄞".repeat(rng.below(30));
            calls.push(match rng.below(6) {
                0 => json!(["send_data", "text", hex(long.as_bytes()), rng.chance(60)]),
                1 => json!(["send_data", "bytes", hex(&payload), rng.chance(60)]),
                2 => json!(["ping", hex(&payload)]),
                3 => json!(["pong", hex(&payload)]),
                4 => {
                    let code = [1000, 1001, 1006, 1015, 3000, 4999][rng.below(6)];
                    json!(["close", code, hex(long.as_bytes())])
                }
                _ => json!([
                    "close",
                    null,
                    if rng.chance(50) {
                        Value::Null
                    } else {
                        json!(hex(b"x"))
                    }
                ]),
            });
        }
        cases.push(json!({"id": id, "kind": "send", "client": rng.chance(50), "calls": calls}));
    }
    let answers = Oracle::new().run_all(&cases);
    for (case, answer) in cases.iter().zip(&answers) {
        let calls = case["calls"].as_array().unwrap();
        let results: Vec<Value> = if case["client"] == true {
            let mut proto =
                FrameProtocol::<wsproto::Client>::new(()).with_mask_key_source(|| [1, 2, 3, 4]);
            calls.iter().map(|c| our_call(&mut proto, c)).collect()
        } else {
            let mut proto = FrameProtocol::<wsproto::Server>::new(());
            calls.iter().map(|c| our_call(&mut proto, c)).collect()
        };
        // A deliberate difference (README): after a close frame was sent, this crate's
        // `FrameProtocol` refuses every frame (RFC 6455 §5.5.1), Python's encodes them.
        let python = answer["results"].as_array().unwrap();
        assert_eq!(results.len(), python.len(), "calls {case}");
        let mut closed = false;
        for ((ours, theirs), call) in results.iter().zip(python).zip(calls) {
            if closed {
                let refused = ours["err"].as_str().unwrap_or_default();
                assert!(refused.contains("after a close frame"), "{ours} in {case}");
            } else {
                assert_eq!(ours, theirs, "calls {case}");
                closed = call[0] == "close" && ours.get("ok").is_some();
            }
        }
    }
}
