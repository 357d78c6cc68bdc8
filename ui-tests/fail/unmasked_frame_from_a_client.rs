//! RFC 6455 §5.1: "a client MUST mask all frames that it sends to the server."
use wsproto::{encode_frame, Client, Opcode, RsvBits, Unmasked};

fn main() {
    let mut out = Vec::new();
    encode_frame::<Client>(true, RsvBits::NONE, Opcode::Text, Unmasked, b"x", &mut out);
}
