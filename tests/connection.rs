//! The connection layer in memory: handshake and state machine through every state, split
//! reads at every byte, rejections with bodies, negotiation, and misuse refused per state.

use wsproto::connection::{ConnectionError, LocalProtocolError};
use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::events::{
    AcceptConnection, BytesMessage, CloseConnection, Ping, RejectConnection, RejectData, Request,
    TextMessage,
};
use wsproto::handshake::{HandshakeLimits, LocalHandshakeError, RemoteHandshakeError};
use wsproto::{Client, CloseReason, ConnectionState, Event, Limits, Server, WSConnection};

type Pair = (WSConnection<Client>, WSConnection<Server>);

fn events<R: wsproto::Role, E: wsproto::ext::ExtensionList>(
    ws: &mut WSConnection<R, E>,
) -> Vec<Event> {
    ws.events().collect()
}

/// A client and a server whose handshake completed.
fn open_pair() -> Pair {
    let mut client = WSConnection::<Client>::new(());
    let mut server = WSConnection::<Server>::new(());
    server
        .receive_data(Some(&client.send(Request::new("localhost", "/")).unwrap()))
        .unwrap();
    assert!(matches!(events(&mut server)[..], [Event::Request(_)]));
    client
        .receive_data(Some(&server.send(AcceptConnection::default()).unwrap()))
        .unwrap();
    assert!(matches!(
        events(&mut client)[..],
        [Event::AcceptConnection(_)]
    ));
    (client, server)
}

#[test]
fn every_state_of_a_clean_close_initiated_by_the_client() {
    let mut client = WSConnection::<Client>::new(());
    let mut server = WSConnection::<Server>::new(());
    assert_eq!(
        (client.state(), server.state()),
        (ConnectionState::Connecting, ConnectionState::Connecting)
    );
    server
        .receive_data(Some(&client.send(Request::new("localhost", "/")).unwrap()))
        .unwrap();
    events(&mut server);
    client
        .receive_data(Some(&server.send(AcceptConnection::default()).unwrap()))
        .unwrap();
    events(&mut client);
    assert_eq!(
        (client.state(), server.state()),
        (ConnectionState::Open, ConnectionState::Open)
    );

    server
        .receive_data(Some(
            &client
                .send(CloseConnection::new(CloseReason::GOING_AWAY))
                .unwrap(),
        ))
        .unwrap();
    assert_eq!(client.state(), ConnectionState::LocalClosing);
    let Event::CloseConnection(close) = events(&mut server).remove(0) else {
        panic!("no close")
    };
    assert_eq!(close.code, CloseReason::GOING_AWAY);
    assert_eq!(server.state(), ConnectionState::RemoteClosing);
    // RFC 6455 §5.5.1: no more data after a close; only the answering close.
    assert!(server.send(TextMessage::new("late")).is_err());
    client
        .receive_data(Some(&server.send(close.response()).unwrap()))
        .unwrap();
    assert_eq!(server.state(), ConnectionState::Closed);
    assert!(matches!(
        events(&mut client)[..],
        [Event::CloseConnection(_)]
    ));
    assert_eq!(client.state(), ConnectionState::Closed);
    let err = client.receive_data(Some(b"more")).unwrap_err();
    assert!(err.to_string().contains("already closed"), "{err}");
}

#[test]
fn messages_pings_and_fragments_flow_both_ways() {
    let (mut client, mut server) = open_pair();
    let mut wire = client
        .send(TextMessage {
            data: "Hel".into(),
            frame_finished: true,
            message_finished: false,
        })
        .unwrap();
    wire.extend(
        client
            .send(Ping {
                payload: "p".into(),
            })
            .unwrap(),
    );
    wire.extend(client.send(TextMessage::new("lo")).unwrap());
    wire.extend(client.send(BytesMessage::new(vec![1u8, 2, 3])).unwrap());
    server.receive_data(Some(&wire)).unwrap();
    let got = events(&mut server);
    assert!(matches!(&got[0], Event::TextMessage(m) if m.data == "Hel" && !m.message_finished));
    let Event::Ping(ping) = &got[1] else {
        panic!("{got:?}")
    };
    assert!(matches!(&got[2], Event::TextMessage(m) if m.data == "lo" && m.message_finished));
    assert!(matches!(&got[3], Event::BytesMessage(m) if m.data[..] == [1, 2, 3]));
    client
        .receive_data(Some(&server.send(ping.response()).unwrap()))
        .unwrap();
    assert!(matches!(&events(&mut client)[..], [Event::Pong(p)] if p.payload == "p"));
}

#[test]
fn a_server_close_and_end_of_stream() {
    let (mut client, mut server) = open_pair();
    client
        .receive_data(Some(
            &server
                .send(CloseConnection::new(CloseReason::NORMAL_CLOSURE))
                .unwrap(),
        ))
        .unwrap();
    assert_eq!(server.state(), ConnectionState::LocalClosing);
    // Data still arriving from the peer before it saw our close is delivered.
    server
        .receive_data(Some(&client.send(TextMessage::new("in flight")).unwrap()))
        .unwrap();
    assert!(matches!(&events(&mut server)[..], [Event::TextMessage(_)]));
    // The stream ends without the peer's close: 1006, and closed.
    server.receive_data(None).unwrap();
    assert!(
        matches!(&events(&mut server)[..], [Event::CloseConnection(c)] if c.code == CloseReason::ABNORMAL_CLOSURE)
    );
    assert_eq!(server.state(), ConnectionState::Closed);
}

#[test]
fn a_protocol_error_becomes_a_close_event_with_its_code() {
    let (_, mut server) = open_pair();
    server
        .receive_data(Some(&[0x81, 0x02, b'h', b'i']))
        .unwrap(); // unmasked from a client
    let Event::CloseConnection(close) = events(&mut server).remove(0) else {
        panic!()
    };
    assert_eq!(close.code, CloseReason::PROTOCOL_ERROR);
    assert!(close.reason.unwrap().contains("unmasked"));
    // As in wsproto the state stays open: the application answers with the close.
    let bytes = server.send(CloseConnection::new(close.code)).unwrap();
    assert_eq!(bytes, [0x88, 0x02, 0x03, 0xea]);
    assert_eq!(server.state(), ConnectionState::LocalClosing);
}

#[test]
fn the_handshake_survives_a_split_at_every_byte_and_keeps_the_first_frames() {
    let mut client = WSConnection::<Client>::new(());
    let request = client
        .send(Request {
            subprotocols: vec!["chat".into(), "v2".into()],
            ..Request::new("h", "/x")
        })
        .unwrap();
    for cut in 0..=request.len() {
        let mut server = WSConnection::<Server>::new(());
        server.receive_data(Some(&request[..cut])).unwrap();
        server.receive_data(Some(&request[cut..])).unwrap();
        let got = events(&mut server);
        let [Event::Request(req)] = &got[..] else {
            panic!("cut {cut}: {got:?}")
        };
        assert_eq!(
            (req.target.as_str(), &req.subprotocols[..]),
            ("/x", &["chat".to_owned(), "v2".to_owned()][..])
        );
    }
    // The answer must match its request's key: a fresh pair per split point, the answer
    // carrying the first frame in the same read.
    for cut in 0..=200 {
        let mut fresh = WSConnection::<Client>::new(());
        let req = fresh
            .send(Request {
                subprotocols: vec!["chat".into(), "v2".into()],
                ..Request::new("h", "/x")
            })
            .unwrap();
        let mut srv = WSConnection::<Server>::new(());
        srv.receive_data(Some(&req)).unwrap();
        events(&mut srv);
        let mut reply = srv
            .send(AcceptConnection {
                subprotocol: Some("v2".into()),
                ..Default::default()
            })
            .unwrap();
        reply.extend(srv.send(TextMessage::new("first")).unwrap());
        fresh
            .receive_data(Some(&reply[..cut.min(reply.len())]))
            .unwrap();
        fresh
            .receive_data(Some(&reply[cut.min(reply.len())..]))
            .unwrap();
        let got = events(&mut fresh);
        assert!(
            matches!(&got[0], Event::AcceptConnection(a) if a.subprotocol.as_deref() == Some("v2")),
            "cut {cut}"
        );
        assert!(
            matches!(&got[1], Event::TextMessage(m) if m.data == "first"),
            "cut {cut}: {got:?}"
        );
    }
}

#[test]
fn frames_sent_right_behind_the_request_are_not_lost() {
    let (mut client, _) = open_pair();
    let mut fresh_client = WSConnection::<Client>::new(());
    let mut wire = fresh_client.send(Request::new("h", "/")).unwrap();
    // An eager client may pipeline a frame before the 101 arrives.
    wire.extend(client.send(TextMessage::new("eager")).unwrap());
    let mut server = WSConnection::<Server>::new(());
    server.receive_data(Some(&wire)).unwrap();
    assert!(matches!(&events(&mut server)[..], [Event::Request(_)]));
    server.send(AcceptConnection::default()).unwrap();
    assert!(matches!(&events(&mut server)[..], [Event::TextMessage(m)] if m.data == "eager"));
}

fn request_with(headers: &str) -> Vec<u8> {
    format!("GET / HTTP/1.1\r\n{headers}\r\n").into_bytes()
}

const GOOD: &str = "Host: h\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

fn server_error(request: &[u8]) -> (RemoteHandshakeError, RejectConnection) {
    let mut server = WSConnection::<Server>::new(());
    match server.receive_data(Some(request)) {
        Err(ConnectionError::Remote(e)) => (e.cause, e.event_hint.unwrap()),
        other => panic!("accepted a bad request: {other:?}"),
    }
}

#[test]
fn the_server_checks_each_rule_of_the_request() {
    assert!(
        events(&mut {
            let mut s = WSConnection::<Server>::new(());
            s.receive_data(Some(&request_with(GOOD))).unwrap();
            s
        })
        .len()
            == 1
    );
    let missing = |header| RemoteHandshakeError::MissingHeader { header };
    let version = |v: Option<&str>| RemoteHandshakeError::UnsupportedVersion {
        version: v.map(str::to_owned),
    };
    let cases = [
        (
            GOOD.replace("Upgrade: websocket", "Upgrade: h2c"),
            missing("Upgrade: websocket"),
            400,
        ),
        (
            GOOD.replace("keep-alive, Upgrade", "keep-alive"),
            missing("Connection: Upgrade"),
            400,
        ),
        (
            GOOD.replace("Version: 13", "Version: 8"),
            version(Some("8")),
            426,
        ),
        (
            GOOD.replace("Sec-WebSocket-Version: 13\r\n", ""),
            version(None),
            400,
        ),
        (
            GOOD.replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""),
            missing("Sec-WebSocket-Key"),
            400,
        ),
        (
            GOOD.replace("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ="),
            RemoteHandshakeError::InvalidKey,
            400,
        ),
        (GOOD.replace("Host: h\r\n", ""), missing("Host"), 400),
    ];
    for (headers, cause, status) in cases {
        let (error, hint) = server_error(&request_with(&headers));
        assert_eq!(error, cause);
        assert_eq!(hint.status_code, status, "{error}");
        // The text names the header or value, and the section.
        assert!(error.to_string().contains("RFC 6455 §4"), "{error}");
    }
    let (_, hint) = server_error(&request_with(&GOOD.replace("Version: 13", "Version: 8")));
    assert_eq!(
        hint.headers,
        vec![("Sec-WebSocket-Version".to_owned(), b"13".to_vec())]
    );
    let post = format!("POST / HTTP/1.1\r\n{GOOD}\r\n").into_bytes();
    assert_eq!(
        server_error(&post).0,
        RemoteHandshakeError::NotGet {
            method: "POST".into()
        }
    );
}

#[test]
fn oversized_handshakes_are_refused_with_431_without_unbounded_buffering() {
    // tungstenite RUSTSEC-2023-0065: a header that never ends.
    let mut server = WSConnection::<Server>::with_limits(
        (),
        Limits::default(),
        HandshakeLimits {
            max_size: 1024,
            max_headers: 64,
        },
    );
    server
        .receive_data(Some(b"GET / HTTP/1.1\r\nX-Long: "))
        .unwrap();
    let mut error = None;
    for _ in 0..100 {
        if let Err(e) = server.receive_data(Some(&[b'a'; 100])) {
            error = Some(e);
            break;
        }
    }
    let Some(ConnectionError::Remote(error)) = error else {
        panic!("no error")
    };
    assert_eq!(error.event_hint.as_ref().unwrap().status_code, 431);
    let many: String = (0..100).map(|i| format!("X-{i}: v\r\n")).collect();
    assert_eq!(
        server_error(&request_with(&format!("{GOOD}{many}")))
            .1
            .status_code,
        431
    );
}

#[test]
fn the_client_checks_each_rule_of_the_answer() {
    let answer = |client: &mut WSConnection<Client>, head: &str| {
        client.receive_data(Some(
            format!("HTTP/1.1 101 Switching Protocols\r\n{head}\r\n").as_bytes(),
        ))
    };
    let mut client = WSConnection::<Client>::new(());
    client.send(Request::new("h", "/")).unwrap();
    let err = answer(
        &mut client,
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n",
    )
    .unwrap_err();
    assert_eq!(remote_cause(err), RemoteHandshakeError::AcceptMismatch);
    let mut client = WSConnection::<Client>::new(());
    client.send(Request::new("h", "/")).unwrap();
    let err = answer(&mut client, "Connection: Upgrade\r\n").unwrap_err();
    assert_eq!(
        remote_cause(err),
        RemoteHandshakeError::MissingHeader {
            header: "Upgrade: websocket"
        }
    );
}

/// The peer's error out of a `receive_data` result; a client's carries no rejection.
fn remote_cause(error: ConnectionError) -> RemoteHandshakeError {
    match error {
        ConnectionError::Remote(remote) => remote.cause,
        other => panic!("not the peer's error: {other:?}"),
    }
}

/// A client that sent its request with these subprotocols, and the server's answer to it
/// with these extra lines.
fn answered(subprotocols: &[&str], extra: &str) -> Result<(), ConnectionError> {
    let mut client = WSConnection::<Client, (PerMessageDeflate,)>::new((PerMessageDeflate::new(
        DeflateConfig::default(),
    ),));
    let mut request = Request::new("h", "/");
    request.subprotocols = subprotocols.iter().map(|s| s.to_string()).collect();
    let sent = client.send(request).unwrap();
    let text = String::from_utf8(sent).unwrap();
    let key = text
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
        .unwrap();
    let accept = wsproto::handshake::accept_token(key);
    client.receive_data(Some(
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {accept}\r\n{extra}\r\n"
        )
        .as_bytes(),
    ))
}

#[test]
fn each_broken_answer_has_its_own_error() {
    assert!(answered(&["chat"], "Sec-WebSocket-Protocol: chat\r\n").is_ok());
    assert_eq!(
        remote_cause(answered(&["chat"], "Sec-WebSocket-Protocol: mqtt\r\n").unwrap_err()),
        RemoteHandshakeError::UnofferedSubprotocol {
            subprotocol: "mqtt".into()
        }
    );
    assert_eq!(
        remote_cause(answered(&[], "Sec-WebSocket-Extensions: x-other\r\n").unwrap_err()),
        RemoteHandshakeError::UnofferedExtension {
            name: "x-other".into()
        }
    );
    let twice = "Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate\r\n";
    assert_eq!(
        remote_cause(answered(&[], twice).unwrap_err()),
        RemoteHandshakeError::ExtensionAnsweredTwice {
            name: "permessage-deflate".into()
        }
    );
    // RFC 7692 §7.1.2.1: a window below 8 bits is not a valid parameter.
    let bad = "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=7\r\n";
    assert!(matches!(
        remote_cause(answered(&[], bad).unwrap_err()),
        RemoteHandshakeError::Extension(_)
    ));
}

#[test]
fn a_rejection_with_a_broken_body_or_a_cut_stream_is_typed() {
    let mut client = WSConnection::<Client>::new(());
    client.send(Request::new("h", "/")).unwrap();
    let err = client
        .receive_data(Some(
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: lots\r\n\r\n",
        ))
        .unwrap_err();
    assert!(matches!(
        remote_cause(err),
        RemoteHandshakeError::MalformedBody { .. }
    ));
    let mut client = WSConnection::<Client>::new(());
    client.send(Request::new("h", "/")).unwrap();
    client.receive_data(Some(b"HTTP/1.1 101 Swi")).unwrap();
    assert_eq!(
        remote_cause(client.receive_data(None).unwrap_err()),
        RemoteHandshakeError::StreamEnded
    );
    let mut server = WSConnection::<Server>::new(());
    let err = server
        .receive_data(Some(b"GET / HTTP/1.0\r\nHost: h\r\n\r\n"))
        .unwrap_err();
    assert!(matches!(
        remote_cause(err),
        RemoteHandshakeError::MalformedHead { .. }
    ));
}

#[test]
fn what_the_application_asks_the_handshake_to_send_is_checked() {
    let local = |result: Result<Vec<u8>, LocalProtocolError>| match result {
        Err(LocalProtocolError::Handshake(error)) => error,
        other => panic!("not a handshake error: {other:?}"),
    };
    let mut client = WSConnection::<Client>::new(());
    assert_eq!(
        local(client.send(Request::new("h", "/ HTTP/1.1\r\nX-Injected: 1"))),
        LocalHandshakeError::InvalidRequestText {
            field: "target",
            text: "/ HTTP/1.1\r\nX-Injected: 1".into()
        }
    );
    let mut request = Request::new("h", "/");
    request.extra_headers = vec![("X-A".into(), b"1\r\nX-Injected: 1".to_vec())];
    assert_eq!(
        local(client.send(request)),
        LocalHandshakeError::InvalidHeaderField { name: "X-A".into() }
    );
    let mut server = WSConnection::<Server>::new(());
    let mut client = WSConnection::<Client>::new(());
    server
        .receive_data(Some(&client.send(Request::new("h", "/")).unwrap()))
        .unwrap();
    let accept = AcceptConnection {
        subprotocol: Some("chat".into()),
        ..AcceptConnection::default()
    };
    assert_eq!(
        local(server.send(accept)),
        LocalHandshakeError::UnofferedSubprotocol {
            subprotocol: "chat".into()
        }
    );
    assert_eq!(
        server.state(),
        ConnectionState::Connecting,
        "nothing was sent"
    );
}

#[test]
fn an_answer_that_came_before_the_request_is_checked_when_the_request_goes() {
    let mut client = WSConnection::<Client>::new(());
    client
        .receive_data(Some(b"HTTP/1.1 101 Switching Protocols\r\n\r\n"))
        .unwrap();
    let Err(LocalProtocolError::Handshake(LocalHandshakeError::EarlyResponse(remote))) =
        client.send(Request::new("h", "/"))
    else {
        panic!("an early, wrong answer was accepted");
    };
    assert_eq!(
        remote.cause,
        RemoteHandshakeError::MissingHeader {
            header: "Connection: Upgrade"
        }
    );
}

#[test]
fn an_answer_naming_an_extension_not_offered_fails_the_client() {
    let mut client = WSConnection::<Client>::new(());
    let mut server = WSConnection::<Server, (PerMessageDeflate,)>::new((PerMessageDeflate::new(
        DeflateConfig::default(),
    ),));
    let mut request = client.send(Request::new("h", "/")).unwrap();
    // Smuggle an offer into the server's view; the client itself offered nothing.
    let at = request.len() - 2;
    request.splice(
        at..at,
        b"Sec-WebSocket-Extensions: permessage-deflate\r\n"
            .iter()
            .copied(),
    );
    server.receive_data(Some(&request)).unwrap();
    events(&mut server);
    let err = client
        .receive_data(Some(&server.send(AcceptConnection::default()).unwrap()))
        .unwrap_err();
    assert_eq!(
        remote_cause(err),
        RemoteHandshakeError::UnofferedExtension {
            name: "permessage-deflate".into()
        }
    );
}

#[test]
fn deflate_is_negotiated_through_the_handshake() {
    let deflate = || {
        (PerMessageDeflate::new(DeflateConfig {
            client_no_context_takeover: true,
            ..Default::default()
        }),)
    };
    let mut client = WSConnection::<Client, _>::new(deflate());
    let mut server = WSConnection::<Server, _>::new(deflate());
    server
        .receive_data(Some(&client.send(Request::new("h", "/")).unwrap()))
        .unwrap();
    let Event::Request(request) = events(&mut server).remove(0) else {
        panic!()
    };
    assert!(
        request.extensions[0].starts_with("permessage-deflate"),
        "{:?}",
        request.extensions
    );
    client
        .receive_data(Some(&server.send(AcceptConnection::default()).unwrap()))
        .unwrap();
    let Event::AcceptConnection(accept) = events(&mut client).remove(0) else {
        panic!()
    };
    assert!(
        accept.extensions[0].contains("client_no_context_takeover"),
        "{:?}",
        accept.extensions
    );
    let wire = client
        .send(TextMessage::new("squeeze me, squeeze me, squeeze me"))
        .unwrap();
    assert_eq!(wire[0] & 0x40, 0x40, "compressed");
    server.receive_data(Some(&wire)).unwrap();
    assert!(
        matches!(&events(&mut server)[..], [Event::TextMessage(m)] if m.data == "squeeze me, squeeze me, squeeze me")
    );
}

#[test]
fn rejections_with_and_without_a_body() {
    for (has_length, chunks) in [(false, vec!["not ", "here"]), (true, vec!["gone"])] {
        let mut client = WSConnection::<Client>::new(());
        let mut server = WSConnection::<Server>::new(());
        server
            .receive_data(Some(&client.send(Request::new("h", "/")).unwrap()))
            .unwrap();
        events(&mut server);
        let headers = if has_length {
            vec![("Content-Length".to_owned(), b"4".to_vec())]
        } else {
            vec![]
        };
        let mut wire = server
            .send(RejectConnection {
                status_code: 403,
                headers,
                has_body: true,
            })
            .unwrap();
        assert_eq!(server.state(), ConnectionState::Rejecting);
        assert!(server.send(TextMessage::new("no")).is_err());
        for (i, chunk) in chunks.iter().enumerate() {
            let body_finished = i + 1 == chunks.len();
            wire.extend(
                server
                    .send(RejectData {
                        data: chunk.as_bytes().to_vec().into(),
                        body_finished,
                    })
                    .unwrap(),
            );
        }
        assert_eq!(server.state(), ConnectionState::Closed);
        let mut body = Vec::new();
        for byte in &wire {
            client
                .receive_data(Some(std::slice::from_ref(byte)))
                .unwrap();
            for event in events(&mut client) {
                match event {
                    Event::RejectConnection(r) => {
                        assert_eq!((r.status_code, r.has_body), (403, true))
                    }
                    Event::RejectData(d) => body.extend_from_slice(&d.data),
                    other => panic!("{other:?}"),
                }
            }
        }
        assert_eq!(body, chunks.concat().as_bytes());
        assert_eq!(client.state(), ConnectionState::Closed);
    }
    // No body: Content-Length 0 and closed at once.
    let mut server = WSConnection::<Server>::new(());
    let wire = server.send(RejectConnection::default()).unwrap();
    assert!(
        String::from_utf8(wire)
            .unwrap()
            .starts_with("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n")
    );
    assert_eq!(server.state(), ConnectionState::Closed);
}

#[test]
fn a_body_delimited_by_the_end_of_the_stream() {
    let mut client = WSConnection::<Client>::new(());
    client.send(Request::new("h", "/")).unwrap();
    client
        .receive_data(Some(b"HTTP/1.1 500 Internal Server Error\r\n\r\npartial"))
        .unwrap();
    client.receive_data(None).unwrap();
    let got = events(&mut client);
    assert!(
        matches!(&got[..], [Event::RejectConnection(_), Event::RejectData(d), Event::RejectData(end)] if d.data == "partial" && end.body_finished)
    );
    assert_eq!(client.state(), ConnectionState::Closed);
}

#[test]
fn events_refused_in_each_state_say_which_and_where() {
    let mut client = WSConnection::<Client>::new(());
    let err = client.send(TextMessage::new("too early")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "TextMessage cannot be sent in state Connecting"
    );
    assert!(client.send(AcceptConnection::default()).is_err());
    let mut server = WSConnection::<Server>::new(());
    assert!(server.send(Request::new("h", "/")).is_err());
    assert!(
        server.send(AcceptConnection::default()).is_err(),
        "nothing to accept yet"
    );
    let (mut client, _) = open_pair();
    client
        .send(CloseConnection::new(CloseReason::NORMAL_CLOSURE))
        .unwrap();
    let err = client.send(BytesMessage::new(vec![1u8])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "BytesMessage cannot be sent in state LocalClosing"
    );
    assert!(
        client
            .send(CloseConnection::new(CloseReason::NORMAL_CLOSURE))
            .is_err()
    );
}

#[test]
fn end_of_stream_during_the_handshake() {
    let mut server = WSConnection::<Server>::new(());
    server.receive_data(None).unwrap();
    assert_eq!(
        server.state(),
        ConnectionState::Connecting,
        "as wsproto: nothing happened yet"
    );
    let mut server = WSConnection::<Server>::new(());
    server.receive_data(Some(b"GET / HT")).unwrap();
    assert!(server.receive_data(None).is_err());
}

#[test]
fn a_protocol_error_marks_the_connection_failed_but_a_close_does_not() {
    let (mut client, mut server) = open_pair();
    server
        .receive_data(Some(
            &client
                .send(CloseConnection::new(CloseReason::NORMAL_CLOSURE))
                .unwrap(),
        ))
        .unwrap();
    events(&mut server);
    assert!(!server.is_failed());
    let (_, mut server) = open_pair();
    server
        .receive_data(Some(&[0x83, 0x80, 0, 0, 0, 0]))
        .unwrap();
    events(&mut server);
    assert!(server.is_failed());
}

/// The ping policies: by default the application answers (nothing is owed); under
/// `AnswerLatest` the pong for the latest ping is owed until written, and dropped once a
/// close was sent (RFC 6455 §5.5.1: nothing after it).
#[test]
fn pongs_owed_under_each_ping_policy() {
    use wsproto::Connection;
    use wsproto::connection::PingPolicy;
    let ping = |payload: &'static str| {
        Connection::<Client>::new(())
            .send(Ping {
                payload: payload.into(),
            })
            .unwrap()
    };
    let mut manual = Connection::<Server>::new(());
    manual.receive_data(Some(&ping("a"))).unwrap();
    assert!(
        matches!(&manual.events().collect::<Vec<_>>()[..], [Event::Ping(p)] if p.payload == "a")
    );
    assert!(!manual.pong_owed());
    assert!(!manual.take_pong_into(&mut Vec::new()).unwrap());

    let mut latest = Connection::<Server>::new(()).with_ping_policy(PingPolicy::AnswerLatest);
    latest.receive_data(Some(&ping("a"))).unwrap();
    assert!(
        !latest.pong_owed(),
        "owed only once the ping was taken as an event"
    );
    latest.events().for_each(drop);
    assert!(latest.pong_owed());
    latest
        .send(CloseConnection::new(CloseReason::NORMAL_CLOSURE))
        .unwrap();
    assert!(!latest.pong_owed());
    let mut out = Vec::new();
    assert!(!latest.take_pong_into(&mut out).unwrap());
    assert!(out.is_empty(), "no pong after our close");
}

#[test]
fn an_upgrade_parsed_by_another_http_server_negotiates_and_opens() {
    use wsproto::connection::ServerUpgrade;
    let deflate = || (PerMessageDeflate::new(DeflateConfig::default()),);
    // The client's request, as an HTTP server would parse it.
    let mut client = WSConnection::<Client, _>::new(deflate());
    let wire = String::from_utf8(client.send(Request::new("h", "/chat")).unwrap()).unwrap();
    let headers: Vec<(String, Vec<u8>)> = wire
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_owned(), value.as_bytes().to_vec()))
        .collect();
    let upgrade = ServerUpgrade::new("GET", "/chat", headers.clone(), deflate()).unwrap();
    assert_eq!(upgrade.request().target, "/chat");
    let (fields, mut server) = upgrade.accept(AcceptConnection::default()).unwrap();
    assert_eq!(
        server.protocol().enabled_extensions(),
        ["permessage-deflate"]
    );
    // The HTTP server writes the 101 with those fields; the client accepts it.
    let mut answer = b"HTTP/1.1 101 Switching Protocols\r\n".to_vec();
    for (name, value) in &fields {
        answer.extend_from_slice(format!("{name}: ").as_bytes());
        answer.extend_from_slice(value);
        answer.extend_from_slice(b"\r\n");
    }
    answer.extend_from_slice(b"\r\n");
    client.receive_data(Some(&answer)).unwrap();
    assert!(
        matches!(&events(&mut client)[..], [Event::AcceptConnection(a)] if a.extensions.len() == 1)
    );
    let compressed = server.send(TextMessage::new("hello hello hello")).unwrap();
    assert_eq!(compressed[0] & 0x40, 0x40, "RSV1: compressed");
    client.receive_data(Some(&compressed)).unwrap();
    assert!(
        matches!(&events(&mut client)[..], [Event::TextMessage(m)] if m.data == "hello hello hello")
    );

    // A request without a key is refused with the rejection to send.
    let keyless: Vec<_> = headers
        .into_iter()
        .filter(|(name, _)| name != "Sec-WebSocket-Key")
        .collect();
    let error = ServerUpgrade::new("GET", "/chat", keyless, ()).unwrap_err();
    assert_eq!(
        error.cause,
        RemoteHandshakeError::MissingHeader {
            header: "Sec-WebSocket-Key"
        }
    );
    assert_eq!(error.event_hint.unwrap().status_code, 400);
}
