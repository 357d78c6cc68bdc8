//! RFC 6455 §5.5.1: "After sending a Close frame, the endpoint MUST NOT send any further
//! data frames." The closing connection has no method to send one.
use wsproto::{CloseReason, Server};
use wsproto::connection::OpenConnection;
use wsproto::events::CloseConnection;

fn after_close(open: OpenConnection<Server>) {
    let (mut closing, _close_frame) = open.close(CloseConnection::new(CloseReason::NORMAL_CLOSURE)).unwrap();
    let _ = closing.send_text("too late"); // RFC 6455 §5.5.1: no data after a close
}

fn main() {}
