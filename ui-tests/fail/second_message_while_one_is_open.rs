//! RFC 6455 §5.4: fragments of one message must not be interleaved with another message's.
use wsproto::{FrameProtocol, Server};

fn main() {
    let mut server = FrameProtocol::<Server>::new(());
    let mut out = Vec::new();
    let mut first = server.text_message().unwrap();
    let second = server.binary_message().unwrap(); // RFC 6455 §5.4: one message at a time
    first.fragment("a", &mut out).unwrap();
    second.finish(b"b", &mut out).unwrap();
}
