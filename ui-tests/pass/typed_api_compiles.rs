//! The happy path of the typed API. Building it (not only checking it) also makes trybuild
//! monomorphise, so the const-evaluated RSV check in the fail cases really runs.
use wsproto::{
    encode_frame, Client, Extension, FrameProtocol, MaskingKey, Opcode, RsvBits, Server, Unmasked,
};

struct UsesRsv2;
impl Extension for UsesRsv2 {
    const NAME: &'static str = "x-rsv2";
    const RSV: RsvBits = RsvBits::RSV2;
    fn enabled(&self) -> bool {
        true
    }
}

struct UsesRsv3;
impl Extension for UsesRsv3 {
    const NAME: &'static str = "x-rsv3";
    const RSV: RsvBits = RsvBits::RSV3;
    fn enabled(&self) -> bool {
        false
    }
}

fn main() {
    let mut out = Vec::new();
    let mut server = FrameProtocol::<Server, (UsesRsv2, UsesRsv3)>::new((UsesRsv2, UsesRsv3));
    let mut message = server.text_message().unwrap();
    message.fragment("a", &mut out).unwrap();
    message.ping(b"", &mut out).unwrap();
    message.finish("b", &mut out).unwrap();
    let mut message = server.binary_message().unwrap();
    message.finish(b"c", &mut out).unwrap();

    let _client = FrameProtocol::<Client>::new(()).with_mask_key_source(|| [1, 2, 3, 4]);
    encode_frame::<Client>(true, RsvBits::NONE, Opcode::Text, MaskingKey([1, 2, 3, 4]), b"x", &mut out);
    encode_frame::<Server>(true, RsvBits::NONE, Opcode::Text, Unmasked, b"x", &mut out);
}
