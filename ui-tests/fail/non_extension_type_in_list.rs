//! RFC 6455 §9: only extensions go in the extension list.
use wsproto::{FrameProtocol, Server};

fn main() {
    let _server = FrameProtocol::<Server, (String,)>::new((String::new(),));
}
