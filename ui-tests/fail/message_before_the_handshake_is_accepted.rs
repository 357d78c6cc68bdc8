//! RFC 6455 §4.1: no data frame may be sent before the server's 101; a client handshake
//! has no way to send one.
use wsproto::connection::ClientHandshake;
use wsproto::events::Request;

fn main() {
    let (mut handshake, _request) = ClientHandshake::new(Request::new("example.com", "/"), ()).unwrap();
    let _ = handshake.send_text("too early"); // RFC 6455 §4.1: no data before the 101
}
