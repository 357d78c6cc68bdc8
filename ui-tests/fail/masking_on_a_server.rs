//! RFC 6455 §5.1: "A server MUST NOT mask any frames that it sends to the client."
use wsproto::{Opcode, Server};
use wsproto::frame::{MaskingKey, RsvBits, encode_frame};

fn main() {
    let mut out = Vec::new();
    encode_frame::<Server>(true, RsvBits::NONE, Opcode::Text, MaskingKey([1, 2, 3, 4]), b"x", &mut out);
}
