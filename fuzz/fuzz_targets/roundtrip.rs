//! Arbitrary messages, fragmented anywhere with control frames between fragments, sent by
//! one role (with or without permessage-deflate) and received by the other in two pieces
//! cut anywhere: the receiver sees exactly what was sent, and the close frame last. Each
//! message's last fragment is sent as a vectored frame (header plus payload slice).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsproto::ext::ExtensionList;
use wsproto::{Client, CloseReason, FrameProtocol, Opcode, Role, Server};
use wsproto_fuzz::{Seen, deflate, receive};

#[derive(Arbitrary, Debug)]
enum Item {
    /// A text message and where to cut it into fragments (fractions of 256).
    Text(String, Vec<u8>),
    Binary(Vec<u8>, Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Conversation {
    client_sends: bool,
    /// Some: both ends run permessage-deflate with the parameters this byte picks.
    deflate: Option<u8>,
    items: Vec<Item>,
    close: Option<(u16, String)>,
    cut: u16,
}

/// Sends the conversation; returns the wire bytes and what the receiver must see.
fn send<R: Role, E: ExtensionList>(
    sender: &mut FrameProtocol<R, E>,
    conversation: &Conversation,
) -> (Vec<u8>, Vec<(Opcode, Vec<u8>)>) {
    let mut wire = Vec::new();
    let mut expected = Vec::new();
    for item in &conversation.items {
        match item {
            Item::Text(text, cuts) => {
                let mut at = 0;
                for point in points(text.len(), cuts) {
                    let end = (point.max(at)..=text.len())
                        .find(|&p| text.is_char_boundary(p))
                        .unwrap_or(text.len());
                    sender
                        .send_data_into(&text[at..end], false, &mut wire)
                        .unwrap();
                    at = end;
                }
                // The last fragment as a vectored frame: the same bytes, read back alike.
                sender
                    .send_data_vectored(&text[at..], true)
                    .unwrap()
                    .append_to(&mut wire);
                expected.push((Opcode::Text, text.as_bytes().to_vec()));
            }
            Item::Binary(bytes, cuts) => {
                let mut at = 0;
                for point in points(bytes.len(), cuts) {
                    let end = point.max(at);
                    sender
                        .send_data_into(&bytes[at..end], false, &mut wire)
                        .unwrap();
                    // A ping between fragments (RFC 6455 §5.4).
                    sender
                        .ping_into(&bytes[at..end.min(at + 125)], &mut wire)
                        .unwrap();
                    expected.push((Opcode::Ping, bytes[at..end.min(at + 125)].to_vec()));
                    at = end;
                }
                sender
                    .send_data_vectored(&bytes[at..], true)
                    .unwrap()
                    .append_to(&mut wire);
                expected.push((Opcode::Binary, bytes.clone()));
            }
            Item::Ping(payload) | Item::Pong(payload) => {
                let payload = &payload[..payload.len().min(125)];
                let opcode = if matches!(item, Item::Ping(_)) {
                    sender.ping_into(payload, &mut wire).unwrap();
                    Opcode::Ping
                } else {
                    sender.pong_into(payload, &mut wire).unwrap();
                    Opcode::Pong
                };
                expected.push((opcode, payload.to_vec()));
            }
        }
    }
    if let Some((code, reason)) = &conversation.close {
        let code = Some(CloseReason::new(*code)).filter(|c| c.is_valid_on_wire());
        let reason = if code.is_some() { reason.as_str() } else { "" };
        wire.extend(sender.close(code, Some(reason)).unwrap());
        // The reason is cut to fit 125 bytes without splitting a character.
        let end = (0..=reason.len().min(123))
            .rev()
            .find(|&i| reason.is_char_boundary(i))
            .unwrap_or(0);
        let mut payload = match code {
            Some(code) => code.code().to_be_bytes().to_vec(),
            None => CloseReason::NO_STATUS_RCVD.code().to_be_bytes().to_vec(),
        };
        payload.extend_from_slice(&reason.as_bytes()[..end]);
        expected.push((Opcode::Close, payload));
    }
    (wire, expected)
}

/// Fragment boundaries: the cut fractions of `len`, in order.
fn points(len: usize, cuts: &[u8]) -> Vec<usize> {
    let mut points: Vec<usize> = cuts.iter().map(|&c| len * usize::from(c) / 256).collect();
    points.sort_unstable();
    points
}

fn exchange<S: Role, R: Role, E: ExtensionList>(
    mut sender: FrameProtocol<S, E>,
    mut receiver: FrameProtocol<R, E>,
    conversation: &Conversation,
) {
    let (wire, expected) = send(&mut sender, conversation);
    let at = usize::from(conversation.cut) % (wire.len() + 1);
    let (a, b) = wire.split_at(at);
    let seen = receive(&mut receiver, &[a, b]);
    let want = Seen {
        events: expected,
        partial: None,
        error: None,
    };
    assert_eq!(seen, want);
}

fuzz_target!(|conversation: Conversation| {
    match (conversation.client_sends, conversation.deflate) {
        (true, None) => exchange(
            FrameProtocol::<Client>::new(()),
            FrameProtocol::<Server>::new(()),
            &conversation,
        ),
        (false, None) => exchange(
            FrameProtocol::<Server>::new(()),
            FrameProtocol::<Client>::new(()),
            &conversation,
        ),
        (true, Some(config)) => exchange(
            FrameProtocol::<Client, _>::new(deflate(config)),
            FrameProtocol::<Server, _>::new(deflate(config)),
            &conversation,
        ),
        (false, Some(config)) => exchange(
            FrameProtocol::<Server, _>::new(deflate(config)),
            FrameProtocol::<Client, _>::new(deflate(config)),
            &conversation,
        ),
    }
});
