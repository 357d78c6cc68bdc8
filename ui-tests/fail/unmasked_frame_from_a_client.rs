//! RFC 6455 §5.1: "a client MUST mask all frames that it sends to the server."
use wsproto::{Client, Opcode};
use wsproto::frame::{RsvBits, Unmasked, encode_frame};

fn main() {
    let mut out = Vec::new();
    encode_frame::<Client>(true, RsvBits::NONE, Opcode::Text, Unmasked, b"x", &mut out);
}
