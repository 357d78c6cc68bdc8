//! The tokio WebSocket end to end over in-memory transports: messages both ways, deflate
//! negotiated, the closing handshake and the transport shut down after it, protocol errors,
//! deadlines on the handshake and on the peer's close, backpressure and ping floods.
#![cfg(feature = "tokio")]

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, duplex};
use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::events::{CloseConnection, Request};
use wsproto::io::tokio::{WebSocket, accept, connect};
use wsproto::io::{Config, Error, Message};
use wsproto::{Client, CloseReason, ConnectionState, Server};

/// A request head a raw client sends (RFC 6455 §1.3's example key).
const REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Sec-WebSocket-Version: 13\r\n\r\n";

/// A client and a server over one in-memory pipe, handshake done.
async fn pair<E: wsproto::ext::ExtensionList + Default + 'static>(
    config: Config,
) -> (
    WebSocket<DuplexStream, Client, E>,
    WebSocket<DuplexStream, Server, E>,
) {
    pair_with(config, E::default).await
}

/// A pair whose ends offer and accept the extensions `make` makes.
async fn pair_with<E: wsproto::ext::ExtensionList + 'static>(
    config: Config,
    make: fn() -> E,
) -> (
    WebSocket<DuplexStream, Client, E>,
    WebSocket<DuplexStream, Server, E>,
) {
    let (client_io, server_io) = duplex(64 << 10);
    let server = tokio::spawn(async move { accept(server_io, make(), config).await });
    let (client, _) = connect(client_io, Request::new("example.com", "/"), make(), config)
        .await
        .unwrap();
    (client, server.await.unwrap().unwrap())
}

/// Reads everything until the peer shuts its side down.
async fn read_to_end(io: &mut DuplexStream) -> Vec<u8> {
    let mut all = Vec::new();
    io.read_to_end(&mut all).await.unwrap();
    all
}

/// A masked client frame (RFC 6455 §5.3) with key 0.
fn client_frame(first_byte: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut frame = vec![first_byte, 0x80 | payload.len() as u8, 0, 0, 0, 0];
    frame.extend_from_slice(payload);
    frame
}

/// A raw peer that has sent the request and read the 101.
async fn raw_client_after_handshake(
    config: Config,
) -> (
    DuplexStream,
    tokio::task::JoinHandle<Result<WebSocket<DuplexStream, Server>, Error>>,
) {
    let (mut raw, server_io) = duplex(4 << 10);
    let server = tokio::spawn(async move { accept(server_io, (), config).await });
    raw.write_all(REQUEST).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(raw.read_u8().await.unwrap());
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    (raw, server)
}

#[tokio::test]
async fn messages_go_both_ways_and_the_close_shuts_both_transports() {
    let (mut client, mut server) = pair::<()>(Config::default()).await;
    client.send(Message::text("héllo 🦀")).await.unwrap();
    client
        .send(Message::binary((0..=255).collect::<Vec<u8>>()))
        .await
        .unwrap();
    client.send(Message::text("")).await.unwrap();
    assert_eq!(
        server.recv().await.unwrap().unwrap(),
        Message::text("héllo 🦀")
    );
    assert_eq!(
        server.recv().await.unwrap().unwrap().as_bytes().unwrap()[..],
        (0..=255).collect::<Vec<u8>>()[..]
    );
    assert_eq!(server.recv().await.unwrap().unwrap(), Message::text(""));
    // A ping is answered for the reader, who sees it go by.
    client.send(Message::Ping("p".into())).await.unwrap();
    assert_eq!(
        server.recv().await.unwrap().unwrap(),
        Message::Ping("p".into())
    );
    server.send(Message::text("after ping")).await.unwrap();
    assert_eq!(
        client.recv().await.unwrap().unwrap(),
        Message::Pong("p".into())
    );
    assert_eq!(
        client.recv().await.unwrap().unwrap(),
        Message::text("after ping")
    );

    let closing = tokio::spawn(async move {
        client.close().await.unwrap();
        client
    });
    let Message::Close(close) = server.recv().await.unwrap().unwrap() else {
        panic!("no close")
    };
    assert_eq!(close.code, CloseReason::NORMAL_CLOSURE);
    assert!(server.recv().await.is_none(), "nothing after the close");
    assert_eq!(server.state(), ConnectionState::Closed);
    let client = closing.await.unwrap();
    assert_eq!(client.state(), ConnectionState::Closed);
}

#[tokio::test]
async fn deflate_is_negotiated_and_large_messages_come_through_whole() {
    let (mut client, mut server) = pair::<(PerMessageDeflate,)>(Config::default()).await;
    assert_eq!(
        server.connection().protocol().enabled_extensions(),
        ["permessage-deflate"]
    );
    let binary: Vec<u8> = (0..1 << 20).map(|i| (i * 7 % 251) as u8).collect();
    let text = "wsproto ✓ ".repeat(4 << 20 >> 4);
    let sending = {
        let (binary, text) = (binary.clone(), text.clone());
        tokio::spawn(async move {
            client.feed(Message::binary(binary)).await.unwrap();
            client.feed(Message::text(text)).await.unwrap();
            client.flush().await.unwrap();
            client
        })
    };
    assert_eq!(
        server.recv().await.unwrap().unwrap(),
        Message::binary(binary)
    );
    assert_eq!(
        server.recv().await.unwrap().unwrap().as_text(),
        Some(&text[..])
    );
    let mut client = sending.await.unwrap();
    client.close().await.unwrap_or(());
}

#[tokio::test]
async fn stream_and_sink_plug_into_futures() {
    let (mut client, server) = pair::<()>(Config::default()).await;
    let echo = tokio::spawn(async move {
        let (mut stream, mut sink) = server.split();
        while let Some(Ok(message)) = stream.next().await {
            if let Message::Text(_) | Message::Binary(_) = message {
                sink.send(message).await.unwrap();
            }
        }
    });
    for word in ["one", "two", "three"] {
        client.feed(Message::text(word)).await.unwrap();
    }
    client.flush().await.unwrap();
    let mut got = Vec::new();
    while got.len() < 3 {
        got.push(client.next().await.unwrap().unwrap());
    }
    assert_eq!(got, ["one", "two", "three"].map(Message::text));
    SinkExt::close(&mut client).await.unwrap();
    echo.await.unwrap();
}

#[tokio::test]
async fn a_protocol_error_sends_its_close_and_shuts_the_transport() {
    let (mut raw, server) = raw_client_after_handshake(Config::default()).await;
    let mut server = server.await.unwrap().unwrap();
    // An unmasked frame from a client (RFC 6455 §5.1): 1002.
    raw.write_all(b"\x81\x02hi").await.unwrap();
    let Some(Err(Error::Protocol(close))) = server.recv().await else {
        panic!("no protocol error")
    };
    assert_eq!(close.code, CloseReason::PROTOCOL_ERROR);
    assert!(server.recv().await.is_none());
    // The close frame (FIN + 0x8, then code 1002 and the reason), then the end.
    let rest = read_to_end(&mut raw).await;
    assert_eq!((rest[0], &rest[2..4]), (0x88, &b"\x03\xea"[..]));
    assert_eq!(rest.len(), 2 + usize::from(rest[1]));
}

#[tokio::test(start_paused = true)]
async fn a_trickled_handshake_is_cut_at_the_deadline() {
    let config = Config::default().with_handshake_timeout(Duration::from_secs(2));
    let (mut raw, server_io) = duplex(4 << 10);
    let server = tokio::spawn(async move { accept(server_io, (), config).await });
    // One byte every 100 ms: 4 s for these 40, past the 2 s deadline.
    let mut sent = 0;
    for &byte in &REQUEST[..40] {
        if raw.write_all(&[byte]).await.is_err() {
            break;
        }
        sent += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(matches!(
        server.await.unwrap(),
        Err(Error::HandshakeTimeout)
    ));
    assert!((19..=21).contains(&sent), "cut after {sent} bytes");
    assert!(
        read_to_end(&mut raw).await.is_empty(),
        "closed without an answer"
    );
}

#[tokio::test]
async fn an_oversized_head_is_answered_with_431_and_closed() {
    let (mut raw, server_io) = duplex(64 << 10);
    let server = tokio::spawn(async move { accept(server_io, (), Config::default()).await });
    raw.write_all(b"GET / HTTP/1.1\r\nX-Long: ").await.unwrap();
    raw.write_all(&[b'a'; 20 << 10]).await.unwrap();
    let answer = read_to_end(&mut raw).await;
    assert!(
        answer.starts_with(b"HTTP/1.1 431"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(matches!(server.await.unwrap(), Err(Error::Handshake(_))));
}

#[tokio::test]
async fn a_rejected_request_gets_the_applications_answer() {
    let (client_io, server_io) = duplex(4 << 10);
    let server = tokio::spawn(async move {
        wsproto::io::tokio::accept_with(server_io, (), Config::default(), |request| {
            Err(wsproto::events::RejectConnection {
                status_code: if request.target == "/private" {
                    403
                } else {
                    404
                },
                ..Default::default()
            })
        })
        .await
    });
    let result = connect(
        client_io,
        Request::new("h", "/private"),
        (),
        Config::default(),
    )
    .await;
    let Err(Error::Rejected(reject)) = result else {
        panic!("accepted")
    };
    assert_eq!(reject.status_code, 403);
    assert!(matches!(server.await.unwrap(), Err(Error::Rejected(r)) if r.status_code == 403));
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_close_ends_at_the_close_timeout() {
    let config = Config::default().with_close_timeout(Duration::from_secs(3));
    let (mut raw, server) = raw_client_after_handshake(config).await;
    let mut server = server.await.unwrap().unwrap();
    let started = tokio::time::Instant::now();
    server.close().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(3));
    assert_eq!(read_to_end(&mut raw).await, b"\x88\x02\x03\xe8");
}

#[tokio::test]
async fn a_peer_that_stops_reading_makes_the_sender_wait() {
    let config = Config::default().with_send_buffer_high_water(8 << 10);
    let (raw, server) = raw_client_after_handshake(config).await;
    let mut server = server.await.unwrap().unwrap();
    let message = Message::binary(vec![7u8; 1000]);
    let mut fed = 0;
    let stalled = loop {
        match tokio::time::timeout(Duration::from_millis(200), server.send(message.clone())).await {
            Ok(result) => result.unwrap(),
            Err(_) => break true,
        }
        fed += 1;
        assert!(fed < 1000, "sending never waited");
    };
    assert!(stalled);
    // The pipe holds 4 KiB; what waits here is bounded by the high-water mark.
    assert!(
        server.queued() <= (8 << 10) + 1004,
        "{} queued",
        server.queued()
    );
    drop(raw);
}

#[tokio::test]
async fn a_ping_flood_against_a_stalled_reader_holds_one_pong() {
    let (mut raw, server) = raw_client_after_handshake(Config::default()).await;
    let mut server = server.await.unwrap().unwrap();
    let flood = tokio::spawn(async move {
        for i in 0..10_000u32 {
            raw.write_all(&client_frame(0x89, &i.to_be_bytes()))
                .await
                .unwrap();
        }
        raw.write_all(&client_frame(0x81, b"end")).await.unwrap();
        raw // never reads
    });
    let mut pings = 0;
    loop {
        match server.recv().await.unwrap().unwrap() {
            Message::Ping(_) => pings += 1,
            Message::Text(text) => {
                assert_eq!(text, "end");
                break;
            }
            other => panic!("{other:?}"),
        }
        assert!(server.queued() <= 2 + 125, "{} queued", server.queued());
    }
    assert_eq!(pings, 10_000);
    drop(flood.await.unwrap());
}

#[tokio::test]
async fn sending_after_our_close_is_refused() {
    let (mut client, mut server) = pair::<()>(Config::default()).await;
    client
        .feed(Message::Close(CloseConnection::new(
            CloseReason::GOING_AWAY,
        )))
        .await
        .unwrap();
    assert!(matches!(
        client.feed(Message::text("late")).await,
        Err(Error::Send(_))
    ));
    client.flush().await.unwrap();
    let Message::Close(close) = server.recv().await.unwrap().unwrap() else {
        panic!()
    };
    assert_eq!(close.code, CloseReason::GOING_AWAY);
}

#[tokio::test(start_paused = true)]
async fn closing_on_a_peer_that_neither_reads_nor_answers_ends_at_the_timeout() {
    let config = Config::default().with_close_timeout(Duration::from_secs(3));
    let (raw, server) = raw_client_after_handshake(config).await;
    let mut server = server.await.unwrap().unwrap();
    // Fill the 4 KiB pipe and the queue: nothing more can be written.
    while tokio::time::timeout(
        Duration::from_millis(50),
        server.send(Message::binary(vec![0; 1000])),
    )
    .await
    .is_ok()
    {}
    let started = tokio::time::Instant::now();
    server.close().await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(3) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
    assert_eq!(server.state(), ConnectionState::LocalClosing);
    drop(raw);
}

#[tokio::test]
async fn every_ping_is_answered_while_the_peer_reads() {
    // Autobahn 2.10: ten pings in one write, ten pongs with their payloads.
    let (mut raw, server) = raw_client_after_handshake(Config::default()).await;
    let mut server = server.await.unwrap().unwrap();
    let pings: Vec<u8> = (0..10u8).flat_map(|i| client_frame(0x89, &[i])).collect();
    raw.write_all(&pings).await.unwrap();
    for i in 0..10u8 {
        assert_eq!(
            server.recv().await.unwrap().unwrap(),
            Message::Ping(vec![i].into())
        );
    }
    let mut pongs = [0u8; 30];
    raw.read_exact(&mut pongs).await.unwrap();
    let expected: Vec<u8> = (0..10u8).flat_map(|i| [0x8a, 0x01, i]).collect();
    assert_eq!(pongs[..], expected[..]);
}

#[tokio::test(start_paused = true)]
async fn keepalive_pings_are_answered_and_a_silent_peer_is_given_up() {
    let config = Config::default().with_keepalive(Duration::from_secs(10));
    // A live peer: its pongs come back as messages, interval after interval.
    let (mut client, mut server) = pair::<()>(config).await;
    let reader = tokio::spawn(async move { while client.recv().await.is_some() {} });
    // Both sides ping (both have the keepalive); the server sees the client's pings go
    // by and the pongs to its own come back.
    let started = tokio::time::Instant::now();
    let mut pongs = 0;
    while pongs < 3 {
        match server.recv().await.unwrap().unwrap() {
            Message::Pong(payload) => {
                assert_eq!(payload, "keepalive");
                pongs += 1;
            }
            other => assert_eq!(other, Message::Ping("keepalive".into())),
        }
    }
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(30),
        "one ping per interval"
    );
    drop(server);
    reader.await.unwrap();

    // A peer that reads but never answers: one ping, then the close with 1011.
    let (mut raw, server) = raw_client_after_handshake(config).await;
    let mut server = server.await.unwrap().unwrap();
    let started = tokio::time::Instant::now();
    assert!(matches!(
        server.recv().await,
        Some(Err(Error::KeepaliveTimeout))
    ));
    assert_eq!(started.elapsed(), Duration::from_secs(20));
    assert!(server.recv().await.is_none());
    let wire = read_to_end(&mut raw).await;
    assert_eq!(&wire[..11], b"\x89\x09keepalive");
    assert_eq!((wire[11], &wire[13..15]), (0x88, &b"\x03\xf3"[..]));
}

#[tokio::test]
async fn split_halves_work_in_two_tasks() {
    let (mut client, server) = pair::<()>(Config::default()).await;
    let (mut reader, mut writer) = server.split();
    let writing = tokio::spawn(async move {
        for i in 0..100 {
            writer
                .send(Message::text(format!("from server {i}")))
                .await
                .unwrap();
        }
        writer
    });
    let reading = tokio::spawn(async move {
        let mut got = Vec::new();
        while let Some(message) = reader.recv().await {
            got.push(message.unwrap());
        }
        got
    });
    for i in 0..100 {
        client
            .feed(Message::text(format!("from client {i}")))
            .await
            .unwrap();
    }
    client.flush().await.unwrap();
    for i in 0..100 {
        let expected = Message::text(format!("from server {i}"));
        assert_eq!(client.recv().await.unwrap().unwrap(), expected);
    }
    client.close().await.unwrap();
    let got = reading.await.unwrap();
    assert_eq!(got.len(), 101, "100 messages and the close");
    assert!(matches!(got[100], Message::Close(_)));
    let mut writer = writing.await.unwrap();
    assert!(writer.send(Message::text("late")).await.is_err());
}

#[tokio::test]
async fn a_split_writer_waiting_for_room_is_woken_while_the_reader_answers_pings() {
    let (mut raw, server) = raw_client_after_handshake(Config::default()).await;
    let (mut reader, mut writer) = server.await.unwrap().unwrap().split();
    // The writer fills the 4 KiB pipe and waits for room.
    let writing = tokio::spawn(async move {
        for _ in 0..64 {
            writer.send(Message::binary(vec![1u8; 1000])).await.unwrap();
        }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!writing.is_finished(), "the pipe is full");
    // The reader reads a ping meanwhile: its answer must not take the writer's wake-up.
    raw.write_all(&client_frame(0x89, b"p")).await.unwrap();
    let reading = tokio::spawn(async move {
        assert_eq!(
            reader.recv().await.unwrap().unwrap(),
            Message::Ping("p".into())
        );
        reader
    });
    let _reader = reading.await.unwrap();
    // Now the peer reads: the writer must finish, and the pong comes too.
    let mut got = vec![0u8; 64 * 1004 + 3];
    let read = tokio::time::timeout(Duration::from_secs(5), raw.read_exact(&mut got)).await;
    assert!(read.is_ok(), "the writer was never woken");
    tokio::time::timeout(Duration::from_secs(5), writing)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.windows(3).filter(|w| *w == b"\x8a\x01p").count(), 1);
}

#[test]
fn the_handshake_futures_stay_small() {
    // A task keeps room for its largest state for its whole life: the handshake's state
    // (parser, buffers, timer) is boxed and freed, so that an idle connection's task does
    // not carry it. Unboxed, `accept`'s future was 1,888 bytes.
    let (a, b) = duplex(1);
    let accepting = accept(a, (), Config::default());
    let connecting = connect(b, Request::new("h", "/"), (), Config::default());
    assert!(
        std::mem::size_of_val(&accepting) < 512,
        "{}",
        std::mem::size_of_val(&accepting)
    );
    assert!(
        std::mem::size_of_val(&connecting) < 512,
        "{}",
        std::mem::size_of_val(&connecting)
    );
}

/// After `release_idle_memory_after` without traffic the server frees its compressor, and
/// its inflater too where a new one reads on the same way (without context takeover); the
/// next messages rebuild them.
#[tokio::test(start_paused = true)]
async fn a_quiet_connection_frees_its_deflate_state_and_rebuilds_it() {
    type Deflate = (PerMessageDeflate,);
    fn without_context_takeover() -> Deflate {
        (PerMessageDeflate::new(DeflateConfig {
            client_no_context_takeover: true,
            server_no_context_takeover: true,
            ..DeflateConfig::default()
        }),)
    }
    let config = Config::default().with_release_idle_memory_after(Some(Duration::from_secs(1)));
    for (make, inflater_freed) in [
        (Deflate::default as fn() -> Deflate, false),
        (without_context_takeover, true),
    ] {
        let (mut client, mut server) = pair_with(config, make).await;
        let allocated = |server: &WebSocket<DuplexStream, Server, Deflate>| {
            let deflate = &server.connection().protocol().extensions().0;
            (deflate.compressor_allocated(), deflate.inflater_allocated())
        };
        let text = "the same words, again and again";
        for round in 0..3 {
            client.send(Message::text(text)).await.unwrap();
            let received = server.recv().await.unwrap().unwrap();
            server.send(received).await.unwrap();
            assert_eq!(client.recv().await.unwrap().unwrap().as_text(), Some(text));
            assert_eq!(allocated(&server), (true, true), "round {round}: in use");
            // Traffic within the idle time keeps the state.
            let waited = tokio::time::timeout(Duration::from_millis(500), server.recv()).await;
            assert!(waited.is_err(), "nothing was sent");
            assert_eq!(
                allocated(&server),
                (true, true),
                "round {round}: 0.5 s is not idle"
            );
            // A whole quiet second frees it, while the reader waits.
            let waited = tokio::time::timeout(Duration::from_millis(2500), server.recv()).await;
            assert!(waited.is_err(), "nothing was sent");
            assert_eq!(
                allocated(&server),
                (false, !inflater_freed),
                "round {round}: idle"
            );
        }
        client.close().await.unwrap();
        let last = server.recv().await.unwrap();
        assert!(last.is_ok_and(|m| matches!(m, Message::Close(_))));
    }
}

/// With `Config::message_pieces`, a large message is read as it arrives, and a message is
/// sent as it is made: pieces are fragments (RFC 6455 §5.4), compressed or not.
#[tokio::test]
async fn messages_stream_in_pieces_both_ways() {
    let pieces = Config::default().with_message_pieces(true);
    let (mut client, mut server) = pair::<(PerMessageDeflate,)>(pieces).await;
    // Incompressible, so that the compressed message is as large and comes in many reads.
    let mut seed = 1u32;
    let binary: Vec<u8> = (0..4 << 20)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 24) as u8
        })
        .collect();
    let sending = {
        let binary = binary.clone();
        tokio::spawn(async move {
            client.send(Message::binary(binary)).await.unwrap();
            // Three fragments of one text message, a ping between two of them.
            for (text, last) in [("streamed ", false), ("✓ text", false)] {
                let piece = Message::TextPiece {
                    text: text.into(),
                    last,
                };
                client.send(piece).await.unwrap();
            }
            client.send(Message::Ping("between".into())).await.unwrap();
            let piece = Message::TextPiece {
                text: ", done".into(),
                last: true,
            };
            client.send(piece).await.unwrap();
            client
        })
    };
    let (mut received, mut count) = (Vec::new(), 0);
    loop {
        let message = server.recv().await.unwrap().unwrap();
        let Message::BinaryPiece { data, last } = message else {
            panic!("a piece of the binary message, not {message:?}");
        };
        received.extend_from_slice(&data);
        count += 1;
        if last {
            break;
        }
    }
    assert_eq!(received, binary);
    assert!(count > 1, "4 MiB in one piece: not streamed");
    let mut text = String::new();
    loop {
        match server.recv().await.unwrap().unwrap() {
            Message::TextPiece { text: piece, last } => {
                text.push_str(&piece);
                if last {
                    break;
                }
            }
            Message::Ping(payload) => assert_eq!(payload, "between"),
            other => panic!("a piece or the ping, not {other:?}"),
        }
    }
    assert_eq!(text, "streamed ✓ text, done");
    // Whole messages in between pieces of another are refused, as RFC 6455 §5.4 says.
    let mut client = sending.await.unwrap();
    let first = Message::BinaryPiece {
        data: "open".into(),
        last: false,
    };
    client.send(first).await.unwrap();
    assert!(matches!(
        client.send(Message::text("whole")).await,
        Err(Error::Send(_))
    ));
}
