//! RFC 6455 §5.4: every fragment of a message has the type of its first frame; a text
//! message's builder takes only text.
use wsproto::{FrameProtocol, Server};

fn main() {
    let mut server = FrameProtocol::<Server>::new(());
    let mut out = Vec::new();
    let mut message = server.text_message().unwrap();
    message.fragment(&b"bytes"[..], &mut out).unwrap(); // RFC 6455 §5.4: text only
}
