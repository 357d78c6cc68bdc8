//! A frame protocol of either role fed arbitrary bytes with arbitrary limits: no panic,
//! the same messages and close code whatever the chunking, only valid UTF-8 delivered as
//! text, and a close frame still encodable after an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsproto::{Client, FrameProtocol, Server};
use wsproto_fuzz::{Input, is_client, limits, receive};

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else {
        return;
    };
    let [whole, cut] = input.chunkings().map(|pieces| {
        if is_client(input.config) {
            receive(
                &mut FrameProtocol::<Client>::with_limits((), limits(input.config)),
                &pieces,
            )
        } else {
            receive(
                &mut FrameProtocol::<Server>::with_limits((), limits(input.config)),
                &pieces,
            )
        }
    });
    whole.assert_same_as(&cut);
});
