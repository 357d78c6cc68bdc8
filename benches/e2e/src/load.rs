//! The neutral load generator: the same pre-encoded masked frames for every server, sent
//! over raw sockets, one message in flight per connection, each timed until its echo has
//! been read whole.

use std::io;
use std::time::{Duration, Instant};

use flate2::{Compress, Compression, FlushCompress};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The client's masking key: fixed, as the bytes must be the same for every server; not
/// zero, so that every server really unmasks.
const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A text message of `size` bytes as one masked frame, compressed with no context
/// takeover (RFC 7692 §7.2.1) when `deflate`.
pub fn frame(size: usize, deflate: bool) -> Vec<u8> {
    let text: Vec<u8> = b"wsproto end-to-end benchmark, "
        .iter()
        .copied()
        .cycle()
        .take(size)
        .collect();
    let (first, mut payload) = if deflate {
        let mut compress = Compress::new(Compression::new(6), false);
        let mut out = Vec::with_capacity(size + 64);
        compress
            .compress_vec(&text, &mut out, FlushCompress::Sync)
            .unwrap();
        assert!(out.ends_with(&[0, 0, 0xff, 0xff]));
        out.truncate(out.len() - 4);
        (0xc1, out)
    } else {
        (0x81, text)
    };
    let mut frame = vec![first];
    match payload.len() {
        len @ 0..=125 => frame.push(0x80 | len as u8),
        len @ 126..=65535 => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(len as u16).to_be_bytes());
        }
        len => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&KEY);
    for (i, byte) in payload.iter_mut().enumerate() {
        *byte ^= KEY[i % 4];
    }
    frame.extend_from_slice(&payload);
    frame
}

/// Opens a connection and completes the opening handshake, offering permessage-deflate
/// with no context takeover when `deflate`.
pub async fn open(addr: &str, deflate: bool) -> io::Result<TcpStream> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let offer = if deflate {
        "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n"
    } else {
        ""
    };
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{offer}\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).await?;
        head.push(byte[0]);
    }
    if !head.starts_with(b"HTTP/1.1 101") {
        return Err(io::Error::other(
            String::from_utf8_lossy(&head).into_owned(),
        ));
    }
    Ok(stream)
}

/// Sends `frame` and reads one server frame back, returning its payload length.
pub async fn round_trip(
    stream: &mut TcpStream,
    frame: &[u8],
    buf: &mut Vec<u8>,
) -> io::Result<usize> {
    stream.write_all(frame).await?;
    let mut head = [0u8; 2];
    stream.read_exact(&mut head).await?;
    let len = match head[1] & 0x7f {
        126 => {
            let mut ext = [0u8; 2];
            stream.read_exact(&mut ext).await?;
            usize::from(u16::from_be_bytes(ext))
        }
        127 => {
            let mut ext = [0u8; 8];
            stream.read_exact(&mut ext).await?;
            u64::from_be_bytes(ext) as usize
        }
        len => usize::from(len),
    };
    buf.resize(len, 0);
    stream.read_exact(buf).await?;
    Ok(len)
}

/// What a run measured.
pub struct Run {
    pub messages: u64,
    pub elapsed: Duration,
    /// Round-trip times in microseconds, sorted.
    pub latencies: Vec<u32>,
}

/// Runs `connections` connections for `duration`, each echoing `frame` in a loop.
pub async fn run(
    addr: &str,
    connections: usize,
    frame: &[u8],
    deflate: bool,
    duration: Duration,
) -> io::Result<Run> {
    let mut streams = Vec::with_capacity(connections);
    for _ in 0..connections {
        streams.push(open(addr, deflate).await?);
    }
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::with_capacity(connections);
    for mut stream in streams {
        let frame = frame.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let sent = Instant::now();
                round_trip(&mut stream, &frame, &mut buf).await?;
                latencies.push(sent.elapsed().as_micros() as u32);
            }
            io::Result::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.map_err(io::Error::other)??);
    }
    let elapsed = start.elapsed();
    latencies.sort_unstable();
    Ok(Run {
        messages: latencies.len() as u64,
        elapsed,
        latencies,
    })
}
