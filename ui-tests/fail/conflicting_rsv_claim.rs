//! RFC 6455 §5.2: an RSV bit means what the one extension that negotiated it says;
//! permessage-deflate owns RSV1 (RFC 7692 §6), so no other extension may claim it too.
//! The error is a trait error (E0277), found while type-checking: `cargo check` and an
//! editor report it, not only a full build.
use wsproto::{FrameProtocol, Server};
use wsproto::deflate::PerMessageDeflate;
use wsproto::ext::Extension;

struct AlsoRsv1;
impl Extension for AlsoRsv1 {
    const NAME: &'static str = "x-also-rsv1";
    type Rsv = wsproto::rsv::Rsv1;
    fn enabled(&self) -> bool {
        true
    }
}

fn main() {
    let _server = FrameProtocol::<Server, (PerMessageDeflate, AlsoRsv1)>::new((PerMessageDeflate::default(), AlsoRsv1));
}
