//! RFC 6455 §5.2: an RSV bit means what the one extension that negotiated it says; two
//! extensions claiming the same bit cannot share a connection.
use wsproto::{Extension, FrameProtocol, RsvBits, Server};

struct Deflate;
impl Extension for Deflate {
    const NAME: &'static str = "permessage-deflate";
    const RSV: RsvBits = RsvBits::RSV1;
    fn enabled(&self) -> bool {
        true
    }
}

struct AlsoRsv1;
impl Extension for AlsoRsv1 {
    const NAME: &'static str = "x-also-rsv1";
    const RSV: RsvBits = RsvBits::RSV1;
    fn enabled(&self) -> bool {
        true
    }
}

fn main() {
    let _server = FrameProtocol::<Server, (Deflate, AlsoRsv1)>::new((Deflate, AlsoRsv1));
}
