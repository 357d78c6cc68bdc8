//! The sender's rules, whatever the method it sends with: after its close frame, nothing
//! (RFC 6455 §5.5.1), refused with a typed error, nothing written and the state unchanged;
//! and a message whose typed builder was dropped unfinished is ended by the next data
//! frame (§5.4), so the protocol is never stuck in it.

use wsproto::ext::ExtensionList;
use wsproto::{Client, CloseReason, FrameProtocol, Opcode, Payload, Role, SendError, Server};

/// Every way of sending a frame, each tried on `proto`: what it returned, and whether it
/// wrote anything.
fn try_every_send<R: Role, E: ExtensionList>(
    proto: &mut FrameProtocol<R, E>,
) -> Vec<(&'static str, Result<(), SendError>)> {
    let mut results = Vec::new();
    let mut out = Vec::new();
    let mut record = |name, result: Result<(), SendError>, out: &mut Vec<u8>| {
        if result.is_err() {
            assert!(out.is_empty(), "{name} refused but wrote {out:?}");
        }
        out.clear();
        results.push((name, result));
    };
    let r = proto.send_data_into("text", true, &mut out);
    record("send_data_into text", r, &mut out);
    let r = proto.send_data_into(&b"bytes"[..], false, &mut out);
    record("send_data_into binary fragment", r, &mut out);
    let r = proto.send_data("text", true).map(drop);
    record("send_data", r, &mut out);
    let r = proto.send_data_vectored(&b"bytes"[..], true).map(drop);
    record("send_data_vectored", r, &mut out);
    let r = proto.ping_into(b"ping", &mut out);
    record("ping_into", r, &mut out);
    let r = proto.pong(b"pong").map(drop);
    record("pong", r, &mut out);
    let r = proto.text_message().map(drop);
    record("text_message", r, &mut out);
    let r = proto.binary_message().map(drop);
    record("binary_message", r, &mut out);
    let r = proto.close_into(Some(CloseReason::NORMAL_CLOSURE), Some("again"), &mut out);
    record("close_into", r, &mut out);
    results
}

fn nothing_after_a_close<R: Role, E: ExtensionList>(mut proto: FrameProtocol<R, E>) {
    assert!(!proto.close_sent());
    let close = proto
        .close(Some(CloseReason::GOING_AWAY), Some("bye"))
        .unwrap();
    assert!(!close.is_empty());
    assert!(proto.close_sent());
    for (name, result) in try_every_send(&mut proto) {
        match result {
            Err(SendError::AfterClose { opcode }) => {
                let expected = match name {
                    n if n.contains("text") || n == "send_data" => Opcode::Text,
                    n if n.contains("binary") || n.contains("vectored") => Opcode::Binary,
                    n if n.starts_with("ping") => Opcode::Ping,
                    n if n.starts_with("pong") => Opcode::Pong,
                    _ => Opcode::Close,
                };
                assert_eq!(opcode, expected, "{name}");
            }
            other => panic!("{name} after a close: {other:?}"),
        }
    }
    // The error says which rule.
    let error = proto.ping(b"").unwrap_err();
    assert!(error.to_string().contains("§5.5.1"), "{error}");
}

#[test]
fn a_server_sends_nothing_after_its_close() {
    nothing_after_a_close(FrameProtocol::<Server>::new(()));
}

#[test]
fn a_client_sends_nothing_after_its_close() {
    nothing_after_a_close(FrameProtocol::<Client>::new(()));
}

#[cfg(feature = "deflate")]
#[test]
fn a_deflate_endpoint_sends_nothing_after_its_close() {
    use wsproto::deflate::{Negotiated, PerMessageDeflate};
    let deflate = || (PerMessageDeflate::negotiated(Negotiated::default()),);
    nothing_after_a_close(FrameProtocol::<Server, _>::new(deflate()));
    nothing_after_a_close(FrameProtocol::<Client, _>::new(deflate()));
}

/// Before the close, every method sends: the refusals above are the close's doing.
#[test]
fn before_the_close_every_method_sends() {
    let mut proto = FrameProtocol::<Server>::new(());
    let results = try_every_send(&mut proto);
    // The binary fragment left a binary message open: the text message after it is the one
    // send refused, for the order rule; the vectored frame then ends the binary message.
    for (name, result) in &results {
        if *name == "send_data" {
            assert!(
                matches!(result, Err(SendError::DataTypeMismatch { .. })),
                "{name}: {result:?}"
            );
        } else {
            assert!(result.is_ok(), "{name}: {result:?}");
        }
    }
    assert!(proto.close_sent(), "the last of them was a close");
}

/// The protocol still receives after its close: the peer's answering close arrives.
#[test]
fn after_its_close_an_endpoint_still_receives_the_answer() {
    let mut client = FrameProtocol::<Client>::new(());
    let mut server = FrameProtocol::<Server>::new(());
    server.receive_bytes(
        &client
            .close(Some(CloseReason::NORMAL_CLOSURE), None)
            .unwrap(),
    );
    let frame = server.next_frame().unwrap().unwrap();
    assert!(matches!(
        frame.payload,
        Payload::Close(CloseReason::NORMAL_CLOSURE, _)
    ));
    client.receive_bytes(
        &server
            .close(Some(CloseReason::NORMAL_CLOSURE), None)
            .unwrap(),
    );
    let frame = client.next_frame().unwrap().unwrap();
    assert!(matches!(
        frame.payload,
        Payload::Close(CloseReason::NORMAL_CLOSURE, _)
    ));
    assert!(client.close_sent() && server.close_sent());
}

/// Messages `R`'s peer receives from `wire`, whole, as (opcode, bytes); panics on an error.
fn messages_from<R: Role, E: ExtensionList>(
    mut receiver: FrameProtocol<R, E>,
    wire: &[u8],
) -> Vec<(Opcode, Vec<u8>)> {
    receiver.set_whole_messages(true);
    receiver.receive_bytes(wire);
    receiver
        .received_frames()
        .map(|frame| {
            let frame = frame.unwrap();
            (frame.opcode, frame.payload.as_bytes().to_vec())
        })
        .collect()
}

/// Each way of sending the next message after a dropped builder, as one function.
type NextSend<R, E> = fn(&mut FrameProtocol<R, E>, &mut Vec<u8>);

fn next_sends<R: Role, E: ExtensionList>() -> Vec<(&'static str, NextSend<R, E>)> {
    vec![
        ("send_data_into", |p, out| {
            p.send_data_into(&b"next"[..], true, out).unwrap()
        }),
        ("send_data", |p, out| {
            out.extend(p.send_data(&b"next"[..], true).unwrap())
        }),
        ("send_data_vectored", |p, out| {
            p.send_data_vectored(&b"next"[..], true)
                .unwrap()
                .append_to(out)
        }),
        ("a new builder", |p, out| {
            let mut message = p.binary_message().unwrap();
            message.fragment(b"ne", out).unwrap();
            message.finish(b"xt", out).unwrap();
        }),
    ]
}

/// A text builder dropped after two fragments and a ping; then each way of sending the
/// next message. The peer receives the text message, ended with nothing added, then the
/// next one; the ping comes first, as sent.
fn dropped_builder_then_each_send<R: Role, P: Role, E: ExtensionList>(
    sender: impl Fn() -> FrameProtocol<R, E>,
    receiver: impl Fn() -> FrameProtocol<P, E>,
) {
    for (name, send_next) in next_sends::<R, E>() {
        let mut proto = sender();
        let mut wire = Vec::new();
        let mut message = proto.text_message().unwrap();
        message.fragment("Hel", &mut wire).unwrap();
        message.ping(b"p", &mut wire).unwrap();
        message.fragment("lo", &mut wire).unwrap();
        drop(message);
        assert_eq!(proto.outgoing_message(), Some(Opcode::Text), "{name}");
        // A control frame does not end it (RFC 6455 §5.4 allows it between fragments).
        proto.pong_into(b"q", &mut wire).unwrap();
        assert_eq!(proto.outgoing_message(), Some(Opcode::Text), "{name}");
        send_next(&mut proto, &mut wire);
        assert_eq!(proto.outgoing_message(), None, "{name}");
        assert_eq!(
            messages_from(receiver(), &wire),
            [
                (Opcode::Ping, b"p".to_vec()),
                (Opcode::Pong, b"q".to_vec()),
                (Opcode::Text, b"Hello".to_vec()),
                (Opcode::Binary, b"next".to_vec()),
            ],
            "{name}"
        );
    }
}

#[test]
fn a_dropped_builder_is_ended_by_the_next_message() {
    dropped_builder_then_each_send(
        || FrameProtocol::<Server>::new(()),
        || FrameProtocol::<Client>::new(()),
    );
    dropped_builder_then_each_send(
        || FrameProtocol::<Client>::new(()),
        || FrameProtocol::<Server>::new(()),
    );
}

/// With permessage-deflate the ending fragment goes through the compressor, which ends the
/// message's stream: the peer inflates both messages.
#[cfg(feature = "deflate")]
#[test]
fn a_dropped_builder_is_ended_through_the_extensions() {
    use wsproto::deflate::{Negotiated, PerMessageDeflate};
    let deflate = || (PerMessageDeflate::negotiated(Negotiated::default()),);
    dropped_builder_then_each_send(
        || FrameProtocol::<Server, _>::new(deflate()),
        || FrameProtocol::<Client, _>::new(deflate()),
    );
    dropped_builder_then_each_send(
        || FrameProtocol::<Client, _>::new(deflate()),
        || FrameProtocol::<Server, _>::new(deflate()),
    );
}

/// The exact bytes: the ending is an empty final CONTINUATION frame, written before the
/// next frame (for a vectored frame, in its `before` slice).
#[test]
fn the_ending_is_an_empty_final_continuation() {
    let mut proto = FrameProtocol::<Server>::new(());
    let mut wire = Vec::new();
    let mut message = proto.binary_message().unwrap();
    message.fragment(b"ab", &mut wire).unwrap();
    drop(message);
    let frame = proto.send_data_vectored("next", true).unwrap();
    assert_eq!(frame.before(), b"\x80\x00");
    assert_eq!(frame.header(), b"\x81\x04");
    assert_eq!(frame.len(), 2 + 2 + 4);
    let [before, header, payload] = frame.io_slices();
    assert_eq!(
        (&*before, &*header, &*payload),
        (&b"\x80\x00"[..], &b"\x81\x04"[..], &b"next"[..])
    );
    // The next vectored frame has nothing before it.
    assert_eq!(
        proto.send_data_vectored("again", true).unwrap().before(),
        b""
    );
}

/// Builders that leave nothing open leave nothing behind: one finished, one that sent no
/// fragment, one dropped while the untyped API's open message was not its own.
#[test]
fn finished_or_unused_builders_leave_nothing_behind() {
    let mut proto = FrameProtocol::<Server>::new(());
    let mut wire = Vec::new();
    let mut message = proto.text_message().unwrap();
    message.fragment("a", &mut wire).unwrap();
    message.finish("b", &mut wire).unwrap();
    drop(proto.binary_message().unwrap());
    let before = wire.len();
    proto.send_data_into("c", true, &mut wire).unwrap();
    assert_eq!(&wire[before..], b"\x81\x01c", "no ending frame");
    // A message left open by the untyped API stays its caller's to finish (§5.4 order rule).
    proto.send_data_into("d", false, &mut wire).unwrap();
    assert!(matches!(
        proto.send_data_into(&b"e"[..], true, &mut wire),
        Err(SendError::DataTypeMismatch { .. })
    ));
    assert!(matches!(
        proto.binary_message(),
        Err(SendError::MessageInProgress { open: Opcode::Text })
    ));
}

/// A close may end the connection inside a dropped builder's message; nothing follows.
#[test]
fn a_close_after_a_dropped_builder_is_the_last_frame() {
    let mut proto = FrameProtocol::<Client>::new(());
    let mut wire = Vec::new();
    let mut message = proto.text_message().unwrap();
    message.fragment("Hel", &mut wire).unwrap();
    drop(message);
    proto
        .close_into(Some(CloseReason::NORMAL_CLOSURE), None, &mut wire)
        .unwrap();
    let before = wire.len();
    assert!(matches!(
        proto.send_data_into("lo", true, &mut wire),
        Err(SendError::AfterClose {
            opcode: Opcode::Text
        })
    ));
    assert_eq!(wire.len(), before, "no ending frame after the close either");
}
