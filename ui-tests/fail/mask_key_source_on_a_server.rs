//! RFC 6455 §5.1: a server never masks, so it has no masking-key source to configure.
use wsproto::{FrameProtocol, Server};

fn main() {
    let _server = FrameProtocol::<Server>::new(()).with_mask_key_source(|| [1, 2, 3, 4]); // RFC 6455 §5.1: a server never masks
}
