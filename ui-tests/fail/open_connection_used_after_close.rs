//! RFC 6455 §5.5.1: closing consumes the open connection, so it cannot be used to send.
use wsproto::{CloseReason, Server};
use wsproto::connection::OpenConnection;
use wsproto::events::CloseConnection;

fn after_close(mut open: OpenConnection<Server>) {
    let (_closing, _close_frame) = open.close(CloseConnection::new(CloseReason::NORMAL_CLOSURE)).unwrap();
    let _ = open.send_text("too late"); // RFC 6455 §5.5.1: no data after a close
}

fn main() {}
