//! Echo logic shared by the echo server and the Autobahn client: what to answer to each
//! event, and how to close the transport. Included with `#[path]`, not an example itself.

use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use wsproto::events::{BytesMessage, TextMessage};
use wsproto::{Event, Limits};

/// Messages up to 16 MiB, in frames up to 16 MiB (what Autobahn's largest cases send).
pub const LIMITS: Limits = Limits::unlimited()
    .with_max_frame_size(16 << 20)
    .with_max_message_size(16 << 20);

/// A message being assembled from its pieces.
enum Partial {
    Text(String),
    Binary(Vec<u8>),
}

/// Answers events as an echo peer does: whole messages back with their type, pings with
/// pongs, closes with closes.
#[derive(Default)]
pub struct Echo {
    partial: Option<Partial>,
}

impl Echo {
    /// The event to send back, if any.
    pub fn reply(&mut self, event: Event) -> Option<Event> {
        match event {
            Event::TextMessage(piece) => {
                let mut text = match self.partial.take() {
                    Some(Partial::Text(text)) => text,
                    _ => String::new(),
                };
                text.push_str(&piece.data);
                if piece.message_finished {
                    return Some(TextMessage::new(text).into());
                }
                self.partial = Some(Partial::Text(text));
                None
            }
            Event::BytesMessage(piece) => {
                let mut bytes = match self.partial.take() {
                    Some(Partial::Binary(bytes)) => bytes,
                    _ => Vec::new(),
                };
                bytes.extend_from_slice(&piece.data);
                if piece.message_finished {
                    return Some(BytesMessage::new(bytes).into());
                }
                self.partial = Some(Partial::Binary(bytes));
                None
            }
            Event::Ping(ping) => Some(ping.response().into()),
            // The peer's close (answer it), or a protocol error (send its code).
            Event::CloseConnection(close) => Some(close.response().into()),
            _ => None,
        }
    }
}

/// Sends FIN, then reads until the peer closes too (or a short timeout), so that the peer
/// reads everything sent before the close instead of getting a reset.
pub fn linger_close(mut stream: TcpStream) -> io::Result<()> {
    match stream.shutdown(Shutdown::Write) {
        // The peer hung up first: nothing left to wait for.
        Err(error) if error.kind() == io::ErrorKind::NotConnected => Ok(()),
        Err(error) => Err(error),
        Ok(()) => wait_for_eof(&mut stream),
    }
}

/// Reads and discards until the peer closes the stream, or a short timeout.
pub fn wait_for_eof(stream: &mut TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut sink = [0u8; 4096];
    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
    Ok(())
}
