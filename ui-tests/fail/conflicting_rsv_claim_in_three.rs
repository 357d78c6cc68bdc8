//! RFC 6455 §5.2 in a longer list: the third extension's RSV2 clashes with the second's,
//! though each is disjoint from permessage-deflate's RSV1.
use wsproto::{FrameProtocol, Server};
use wsproto::deflate::PerMessageDeflate;
use wsproto::ext::Extension;

struct First;
impl Extension for First {
    const NAME: &'static str = "x-first";
    type Rsv = wsproto::rsv::Rsv2;
    fn enabled(&self) -> bool {
        true
    }
}

struct Second;
impl Extension for Second {
    const NAME: &'static str = "x-second";
    type Rsv = wsproto::rsv::Rsv2;
    fn enabled(&self) -> bool {
        true
    }
}

fn main() {
    let _server = FrameProtocol::<Server, _>::new((PerMessageDeflate::default(), First, Second));
}
