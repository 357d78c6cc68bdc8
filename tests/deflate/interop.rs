//! Both directions against Python wsproto's `PerMessageDeflate` (C zlib), negotiated for
//! real: our client with its server, its client with our server, for window bits below 15
//! and no-context-takeover. (Python wsproto refuses window bits 8, so 9 is the floor here.
//! Its decompressor also loses a message's compressed state when a control frame arrives
//! between fragments, so these streams keep control frames out of fragmented messages.)

use serde_json::{Value, json};
use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::ext::Extension;
use wsproto::{Client, FrameProtocol, Opcode, Role, Server};

use super::protocol::receive;
use super::python::{Oracle, hex, unhex};

fn messages() -> Vec<(Opcode, Vec<u8>)> {
    let json = r#"{"id": 12345, "user": "wsproto", "tags": ["a", "b"], "ok": true}"#;
    vec![
        (Opcode::Text, json.as_bytes().to_vec()),
        (Opcode::Text, json.as_bytes().to_vec()),
        (Opcode::Binary, Vec::new()),
        (Opcode::Text, "é€𝄞 ".repeat(500).into_bytes()),
        (
            Opcode::Binary,
            (0..100_000u32)
                .map(|i| (i % 251) as u8 ^ (i / 1000) as u8)
                .collect(),
        ),
        (Opcode::Text, json.repeat(20).into_bytes()),
    ]
}

/// Our sends of `messages()`, those over 1000 bytes in two fragments.
fn our_wire<R: Role>(proto: &mut FrameProtocol<R, (PerMessageDeflate,)>) -> Vec<u8> {
    let mut wire = Vec::new();
    for (opcode, bytes) in messages() {
        if opcode == Opcode::Text {
            let text = std::str::from_utf8(&bytes).unwrap();
            if text.len() > 1000 {
                let split = (text.len() / 3..)
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap();
                proto
                    .send_data_into(&text[..split], false, &mut wire)
                    .unwrap();
                proto
                    .send_data_into(&text[split..], true, &mut wire)
                    .unwrap();
            } else {
                proto.send_data_into(text, true, &mut wire).unwrap();
            }
        } else if bytes.len() > 1000 {
            proto
                .send_data_into(&bytes[..bytes.len() / 3], false, &mut wire)
                .unwrap();
            proto
                .send_data_into(&bytes[bytes.len() / 3..], true, &mut wire)
                .unwrap();
        } else {
            proto.send_data_into(&bytes, true, &mut wire).unwrap();
        }
    }
    wire
}

/// Asserts equal message lists, printing only opcodes and lengths when they differ.
fn assert_same(got: &[(Opcode, Vec<u8>)], context: &str) {
    let expected = messages();
    let summary =
        |m: &[(Opcode, Vec<u8>)]| m.iter().map(|(o, b)| (*o, b.len())).collect::<Vec<_>>();
    assert!(
        got == expected,
        "{context}: got {:?}, expected {:?}",
        summary(got),
        summary(&expected)
    );
}

/// Python's sends of `messages()`, as oracle calls.
fn python_calls() -> Vec<Value> {
    messages()
        .into_iter()
        .map(|(opcode, bytes)| {
            json!([
                "send_data",
                if opcode == Opcode::Text {
                    "text"
                } else {
                    "bytes"
                },
                hex(&bytes),
                true
            ])
        })
        .collect()
}

/// Whole messages out of the oracle's frame list.
fn python_messages(answer: &Value) -> Vec<(Opcode, Vec<u8>)> {
    assert!(
        answer["error"].is_null() && answer.get("exception").is_none(),
        "{answer}"
    );
    let mut out = Vec::new();
    let mut message = Vec::new();
    for frame in answer["frames"].as_array().unwrap() {
        message.extend(unhex(frame["payload"].as_str().unwrap()));
        if frame["message_finished"] == true {
            let opcode = if frame["opcode"] == 1 {
                Opcode::Text
            } else {
                Opcode::Binary
            };
            out.push((opcode, std::mem::take(&mut message)));
        }
    }
    out
}

fn python_wire(answer: &Value) -> Vec<u8> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| unhex(r["ok"].as_str().unwrap()))
        .collect()
}

/// Parameter sets: (our config, Python's PerMessageDeflate keyword arguments).
fn combinations() -> Vec<(DeflateConfig, Value)> {
    let mut out = Vec::new();
    for (bits, no_context) in [(15, false), (9, false), (12, true), (10, true)] {
        let ours = DeflateConfig {
            client_no_context_takeover: no_context,
            server_no_context_takeover: no_context,
            client_max_window_bits: Some(bits),
            server_max_window_bits: Some(bits),
            ..Default::default()
        };
        let theirs = json!({
            "client_no_context_takeover": no_context, "server_no_context_takeover": no_context,
            "client_max_window_bits": bits, "server_max_window_bits": bits,
        });
        out.push((ours, theirs));
    }
    out
}

#[test]
fn our_client_and_python_wsprotos_server_agree_both_ways() {
    let mut oracle = Oracle::new();
    for (session, (config, params)) in combinations().into_iter().enumerate() {
        let mut ours = PerMessageDeflate::new(config);
        let mut offer = String::from(PerMessageDeflate::NAME);
        assert!(ours.offer(&mut offer));
        let opened = oracle.run(&json!({"id": 0, "kind": "deflate", "session": session, "action": "open", "client": false, "params": params, "offer": offer}));
        let answer = opened["answer"]
            .as_str()
            .unwrap_or_else(|| panic!("declined {offer}: {opened}"));
        ours.finalize(answer).unwrap();
        let mut client = FrameProtocol::<Client, _>::new((ours,));
        let wire = our_wire(&mut client);
        let io = oracle.run(&json!({"id": 1, "kind": "deflate", "session": session, "action": "io", "chunks": [hex(&wire)], "calls": python_calls()}));
        assert_same(
            &python_messages(&io),
            &format!("Python inflating ours with {answer}"),
        );
        let ours =
            receive(&mut client, &[&python_wire(&io)]).expect("our client inflates Python's");
        assert_same(&ours, &format!("ours inflating Python's with {answer}"));
    }
}

#[test]
fn python_wsprotos_client_and_our_server_agree_both_ways() {
    let mut oracle = Oracle::new();
    for (session, (config, params)) in combinations().into_iter().enumerate() {
        let session = 100 + session;
        let opened = oracle.run(&json!({"id": 0, "kind": "deflate", "session": session, "action": "open", "client": true, "params": params}));
        let offer = opened["offer"].as_str().unwrap();
        let mut ours = PerMessageDeflate::new(config);
        let mut answer = String::from(PerMessageDeflate::NAME);
        assert!(ours.accept(offer, &mut answer), "declined {offer}");
        oracle.run(&json!({"id": 1, "kind": "deflate", "session": session, "action": "finalize", "answer": answer}));
        let mut server = FrameProtocol::<Server, _>::new((ours,));
        let io = oracle.run(&json!({"id": 2, "kind": "deflate", "session": session, "action": "io", "calls": python_calls()}));
        let ours =
            receive(&mut server, &[&python_wire(&io)]).expect("our server inflates Python's");
        assert_same(&ours, &format!("ours inflating Python's with {answer}"));
        let wire = our_wire(&mut server);
        let io = oracle.run(&json!({"id": 3, "kind": "deflate", "session": session, "action": "io", "chunks": [hex(&wire)]}));
        assert_same(
            &python_messages(&io),
            &format!("Python inflating ours with {answer}"),
        );
    }
}
