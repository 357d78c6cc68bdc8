//! RFC 6455 §5.4: nothing follows the frame with FIN set; the builder is gone after it.
use wsproto::{FrameProtocol, Server};

fn main() {
    let mut server = FrameProtocol::<Server>::new(());
    let mut out = Vec::new();
    let mut message = server.text_message().unwrap();
    message.finish("b", &mut out).unwrap();
    message.fragment("c", &mut out).unwrap(); // RFC 6455 §5.4: nothing after FIN
}
