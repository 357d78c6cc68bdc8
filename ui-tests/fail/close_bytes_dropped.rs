//! RFC 6455 §5.5.1: a close is sent only when its frame's bytes are written. Closing
//! without using them is flagged (here denied, as `-D warnings` does in CI).
#![deny(unused_must_use)]
use wsproto::{CloseReason, Server};
use wsproto::connection::OpenConnection;
use wsproto::events::CloseConnection;

fn close_and_forget(open: OpenConnection<Server>) {
    open.close(CloseConnection::new(CloseReason::NORMAL_CLOSURE)); // RFC 6455 §5.5.1: send the close frame
}

fn main() {}
