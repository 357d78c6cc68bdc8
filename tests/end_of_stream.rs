//! The end of the stream (`receive_data(None)`), RFC 6455 §7.1.5: the close code is 1006
//! (`ABNORMAL_CLOSURE`) only when no close frame was received. A connection reports its
//! end once, after everything that arrived before it.

use wsproto::events::{CloseConnection, TextMessage};
use wsproto::{Client, CloseReason, Connection, ConnectionState, Event, Server};

fn events<R: wsproto::Role>(connection: &mut Connection<R>) -> Vec<Event> {
    connection.events().collect()
}

fn closes(events: &[Event]) -> Vec<CloseReason> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::CloseConnection(close) => Some(close.code),
            _ => None,
        })
        .collect()
}

/// Both closes exchanged, then the transport ends: no second close event, no 1006.
#[test]
fn the_end_after_a_clean_close_adds_no_event() {
    let mut client = Connection::<Client>::new(());
    let mut server = Connection::<Server>::new(());
    let close = client
        .send(CloseConnection::new(CloseReason::NORMAL_CLOSURE))
        .unwrap();
    server.receive_data(Some(&close)).unwrap();
    let got = events(&mut server);
    assert_eq!(closes(&got), [CloseReason::NORMAL_CLOSURE]);
    let answer = server
        .send(CloseConnection::new(CloseReason::NORMAL_CLOSURE))
        .unwrap();
    client.receive_data(Some(&answer)).unwrap();
    assert_eq!(closes(&events(&mut client)), [CloseReason::NORMAL_CLOSURE]);
    for connection in [&mut client as &mut dyn Ends, &mut server] {
        connection.end();
        assert_eq!(connection.state(), ConnectionState::Closed);
        assert!(connection.closes().is_empty(), "a spurious close event");
    }
}

/// The peer's close arrived but was not answered yet when the stream ended: that close is
/// the only one reported.
#[test]
fn the_end_after_the_peers_close_adds_no_event() {
    let mut client = Connection::<Client>::new(());
    let mut server = Connection::<Server>::new(());
    server
        .receive_data(Some(
            &client
                .send(CloseConnection::new(CloseReason::GOING_AWAY))
                .unwrap(),
        ))
        .unwrap();
    assert_eq!(closes(&events(&mut server)), [CloseReason::GOING_AWAY]);
    server.receive_data(None).unwrap();
    assert!(events(&mut server).is_empty());
    assert_eq!(server.state(), ConnectionState::Closed);
}

/// The stream ends after our close, before the peer's: 1006, once.
#[test]
fn the_end_before_the_peers_close_is_abnormal() {
    let mut client = Connection::<Client>::new(());
    client
        .send(CloseConnection::new(CloseReason::NORMAL_CLOSURE))
        .unwrap();
    client.receive_data(None).unwrap();
    assert_eq!(
        closes(&events(&mut client)),
        [CloseReason::ABNORMAL_CLOSURE]
    );
    assert_eq!(client.state(), ConnectionState::Closed);
    client.receive_data(None).unwrap();
    assert!(events(&mut client).is_empty(), "reported once");
}

/// Messages and a close frame that arrived in the same reads as the end come out first, in
/// order; the end adds nothing after the close, and 1006 only when there was none.
#[test]
fn what_arrived_before_the_end_comes_out_first() {
    for with_close in [false, true] {
        let mut client = Connection::<Client>::new(());
        let mut server = Connection::<Server>::new(());
        let mut wire = client.send(TextMessage::new("one")).unwrap();
        wire.extend(client.send(TextMessage::new("two")).unwrap());
        if with_close {
            wire.extend(
                client
                    .send(CloseConnection::new(CloseReason::GOING_AWAY))
                    .unwrap(),
            );
        }
        server.receive_data(Some(&wire)).unwrap();
        server.receive_data(None).unwrap();
        let got = events(&mut server);
        let texts: Vec<&str> = got
            .iter()
            .filter_map(|event| match event {
                Event::TextMessage(m) => Some(m.data.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["one", "two"], "with close: {with_close}");
        assert!(
            matches!(got.last(), Some(Event::CloseConnection(_))),
            "the close comes last: {got:?}"
        );
        let expected = if with_close {
            CloseReason::GOING_AWAY
        } else {
            CloseReason::ABNORMAL_CLOSURE
        };
        assert_eq!(closes(&got), [expected]);
        assert_eq!(server.state(), ConnectionState::Closed);
    }
}

/// After a protocol error, the event that reported it is the only close event.
#[test]
fn the_end_after_a_protocol_error_adds_no_event() {
    let mut server = Connection::<Server>::new(());
    // An unmasked frame from a client (RFC 6455 §5.1).
    server.receive_data(Some(b"\x81\x02hi")).unwrap();
    server.receive_data(None).unwrap();
    assert_eq!(closes(&events(&mut server)), [CloseReason::PROTOCOL_ERROR]);
    assert!(server.is_failed());
}

/// The two roles behind one interface, for the loop above.
trait Ends {
    fn end(&mut self);
    fn state(&self) -> ConnectionState;
    fn closes(&mut self) -> Vec<CloseReason>;
}

impl<R: wsproto::Role> Ends for Connection<R> {
    fn end(&mut self) {
        self.receive_data(None).unwrap();
    }
    fn state(&self) -> ConnectionState {
        Connection::state(self)
    }
    fn closes(&mut self) -> Vec<CloseReason> {
        closes(&events(self))
    }
}
