//! Properties: whatever is sent comes back the same, for both roles, any payloads, any
//! fragmentation and any chunking; and any input, valid or not, gives the same messages
//! and the same error whatever its chunking.

mod support {
    pub mod frames;
    pub mod wire_gen;
}

use proptest::prelude::*;
use wsproto::{Client, CloseReason, FrameProtocol, Opcode, Payload, Role, Server};

#[derive(Clone, Debug)]
enum Message {
    Text(String),
    Binary(Vec<u8>),
}

fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        "\\PC{0,40}".prop_map(Message::Text),
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(Message::Binary),
    ]
}

/// Where each message is cut into fragments (fractions of its length).
fn cuts() -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(0.0f64..1.0, 0..4)
}

/// What a receiver saw: whole messages and control frames, in order, and the error code.
#[derive(Debug, PartialEq)]
struct Seen {
    events: Vec<(Opcode, Vec<u8>)>,
    error: Option<CloseReason>,
}

fn receive<R: Role>(proto: &mut FrameProtocol<R>, pieces: &[&[u8]]) -> Seen {
    let mut seen = Seen {
        events: Vec::new(),
        error: None,
    };
    let mut message = Vec::new();
    for piece in pieces {
        proto.receive_bytes(piece);
        for frame in proto.received_frames() {
            let frame = match frame {
                Ok(frame) => frame,
                Err(e) => {
                    seen.error = Some(e.code());
                    return seen;
                }
            };
            match frame.payload {
                Payload::Close(code, reason) => {
                    let mut bytes = code.code().to_be_bytes().to_vec();
                    bytes.extend_from_slice(reason.as_bytes());
                    seen.events.push((Opcode::Close, bytes));
                }
                payload if frame.opcode.is_control() => seen
                    .events
                    .push((frame.opcode, payload.as_bytes().to_vec())),
                payload => {
                    message.extend_from_slice(payload.as_bytes());
                    if frame.message_finished {
                        seen.events
                            .push((frame.opcode, std::mem::take(&mut message)));
                    }
                }
            }
        }
    }
    seen
}

/// Sends `messages` with `sender`, fragmenting at `cuts` and putting a ping between
/// fragments; returns the wire bytes and what a receiver must see.
fn send_all<R: Role>(
    sender: &mut FrameProtocol<R>,
    messages: &[(Message, Vec<f64>)],
) -> (Vec<u8>, Vec<(Opcode, Vec<u8>)>) {
    let mut wire = Vec::new();
    let mut expected = Vec::new();
    for (i, (message, cuts)) in messages.iter().enumerate() {
        let (opcode, bytes) = match message {
            Message::Text(text) => (Opcode::Text, text.as_bytes().to_vec()),
            Message::Binary(bytes) => (Opcode::Binary, bytes.clone()),
        };
        let mut points: Vec<usize> = cuts
            .iter()
            .map(|c| (c * bytes.len() as f64) as usize)
            .collect();
        points.sort_unstable();
        let mut at = 0;
        for (j, &point) in points.iter().chain([bytes.len()].iter()).enumerate() {
            let fin = j == points.len();
            match message {
                Message::Text(text) => {
                    // Text fragments are whole strings: cut on a character boundary.
                    let end = (point..=text.len())
                        .find(|&p| text.is_char_boundary(p))
                        .unwrap();
                    let end = if fin { text.len() } else { end.max(at) };
                    sender
                        .send_data_into(&text[at..end], fin, &mut wire)
                        .unwrap();
                    at = end;
                }
                Message::Binary(bytes) => {
                    let end = if fin { bytes.len() } else { point.max(at) };
                    sender
                        .send_data_into(&bytes[at..end], fin, &mut wire)
                        .unwrap();
                    at = end;
                }
            }
            if !fin && j % 2 == 0 {
                let ping = [i as u8, j as u8];
                sender.ping_into(&ping, &mut wire).unwrap();
                expected.push((Opcode::Ping, ping.to_vec()));
            }
        }
        expected.push((opcode, bytes));
    }
    (wire, expected)
}

fn split_at_points<'a>(wire: &'a [u8], points: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = points.iter().map(|p| p % (wire.len() + 1)).collect();
    points.sort_unstable();
    let mut pieces = Vec::new();
    let mut at = 0;
    for point in points {
        pieces.push(&wire[at..point]);
        at = point;
    }
    pieces.push(&wire[at..]);
    pieces
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn client_to_server_round_trips(messages in proptest::collection::vec((message(), cuts()), 0..5), points in proptest::collection::vec(any::<usize>(), 0..8)) {
        let (wire, expected) = send_all(&mut FrameProtocol::<Client>::new(()), &messages);
        let seen = receive(&mut FrameProtocol::<Server>::new(()), &split_at_points(&wire, &points));
        prop_assert_eq!(seen, Seen { events: expected, error: None });
    }

    #[test]
    fn server_to_client_round_trips(messages in proptest::collection::vec((message(), cuts()), 0..5), points in proptest::collection::vec(any::<usize>(), 0..8)) {
        let (wire, expected) = send_all(&mut FrameProtocol::<Server>::new(()), &messages);
        let seen = receive(&mut FrameProtocol::<Client>::new(()), &split_at_points(&wire, &points));
        prop_assert_eq!(seen, Seen { events: expected, error: None });
    }

    #[test]
    fn typed_builders_round_trip(parts in proptest::collection::vec("\\PC{0,10}", 1..5)) {
        let mut client = FrameProtocol::<Client>::new(());
        let mut wire = Vec::new();
        let mut builder = client.text_message().unwrap();
        for part in &parts[..parts.len() - 1] {
            builder.fragment(part, &mut wire).unwrap();
        }
        builder.finish(&parts[parts.len() - 1], &mut wire).unwrap();
        let seen = receive(&mut FrameProtocol::<Server>::new(()), &[&wire]);
        prop_assert_eq!(seen.events, vec![(Opcode::Text, parts.concat().into_bytes())]);
    }

    #[test]
    fn arbitrary_bytes_give_the_same_result_in_any_chunking(data in proptest::collection::vec(any::<u8>(), 0..200), points in proptest::collection::vec(any::<usize>(), 0..6)) {
        let whole = receive(&mut FrameProtocol::<Server>::new(()), &[&data]);
        let pieces = receive(&mut FrameProtocol::<Server>::new(()), &split_at_points(&data, &points));
        prop_assert_eq!(whole, pieces);
    }

    #[test]
    fn mutated_streams_give_the_same_result_in_any_chunking(seed in any::<u64>(), points in proptest::collection::vec(any::<usize>(), 0..6)) {
        let mut rng = support::wire_gen::Rng(seed | 1);
        let mut stream = support::wire_gen::valid_stream(&mut rng, false);
        support::wire_gen::mutate(&mut rng, &mut stream);
        let whole = receive(&mut FrameProtocol::<Client>::new(()), &[&stream]);
        let pieces = receive(&mut FrameProtocol::<Client>::new(()), &split_at_points(&stream, &points));
        prop_assert_eq!(whole, pieces);
    }

    #[test]
    fn whole_messages_equal_joined_pieces(messages in proptest::collection::vec((message(), cuts()), 0..5), points in proptest::collection::vec(any::<usize>(), 0..8)) {
        let (wire, expected) = send_all(&mut FrameProtocol::<Client>::new(()), &messages);
        let chunks = split_at_points(&wire, &points);
        let whole = receive(&mut FrameProtocol::<Server>::new(()).with_whole_messages(true), &chunks);
        prop_assert_eq!(&whole, &Seen { events: expected, error: None });
        prop_assert_eq!(whole, receive(&mut FrameProtocol::<Server>::new(()), &chunks));
    }

    #[test]
    fn whole_messages_fail_like_pieces_on_broken_streams(seed in any::<u64>(), client_sends: bool, points in proptest::collection::vec(any::<usize>(), 0..8)) {
        let mut rng = support::wire_gen::Rng(seed | 1);
        let mut stream = support::wire_gen::valid_stream(&mut rng, client_sends);
        if rng.chance(80) {
            support::wire_gen::mutate(&mut rng, &mut stream);
        }
        let chunks = split_at_points(&stream, &points);
        if client_sends {
            let pieces = receive(&mut FrameProtocol::<Server>::new(()), &chunks);
            let whole = receive(&mut FrameProtocol::<Server>::new(()).with_whole_messages(true), &chunks);
            prop_assert_eq!(whole, pieces);
        } else {
            let pieces = receive(&mut FrameProtocol::<Client>::new(()), &chunks);
            let whole = receive(&mut FrameProtocol::<Client>::new(()).with_whole_messages(true), &chunks);
            prop_assert_eq!(whole, pieces);
        }
    }

    #[test]
    fn whole_messages_agree_on_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..200), points in proptest::collection::vec(any::<usize>(), 0..6)) {
        let chunks = split_at_points(&data, &points);
        let pieces = receive(&mut FrameProtocol::<Server>::new(()), &chunks);
        let whole = receive(&mut FrameProtocol::<Server>::new(()).with_whole_messages(true), &chunks);
        prop_assert_eq!(whole, pieces);
    }
}

/// In whole-message mode every data frame out of the protocol is a whole message.
#[test]
fn whole_messages_come_out_in_one_frame() {
    let mut client = FrameProtocol::<Client>::new(());
    let mut server = FrameProtocol::<Server>::new(()).with_whole_messages(true);
    let mut wire = Vec::new();
    let mut message = client.binary_message().unwrap();
    message.fragment(&[1; 300], &mut wire).unwrap();
    message.ping(b"p", &mut wire).unwrap();
    message.finish(&[2; 70_000], &mut wire).unwrap();
    let mut frames = Vec::new();
    for chunk in wire.chunks(1000) {
        server.receive_bytes(chunk);
        frames.extend(server.received_frames().map(Result::unwrap));
    }
    assert_eq!(frames.len(), 2);
    assert_eq!(
        (frames[0].opcode, frames[0].payload.as_bytes()),
        (Opcode::Ping, &b"p"[..])
    );
    let data = &frames[1];
    assert_eq!(data.opcode, Opcode::Binary);
    assert!(data.frame_finished && data.message_finished);
    assert_eq!(data.payload.len(), 70_300);
    assert!(data.payload.as_bytes()[..300].iter().all(|&b| b == 1));
    assert!(data.payload.as_bytes()[300..].iter().all(|&b| b == 2));
}
