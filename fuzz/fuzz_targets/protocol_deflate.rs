//! A frame protocol with permessage-deflate, of either role and any window bits, fed
//! arbitrary bytes: the protocol target's invariants with inflation in the path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsproto::{Client, FrameProtocol, Server};
use wsproto_fuzz::{Input, deflate, is_client, limits, receive};

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else {
        return;
    };
    let config = input.config;
    let [whole, cut] = input.chunkings().map(|pieces| {
        if is_client(config) {
            receive(
                &mut FrameProtocol::<Client, _>::with_limits(deflate(config), limits(config)),
                &pieces,
            )
        } else {
            receive(
                &mut FrameProtocol::<Server, _>::with_limits(deflate(config), limits(config)),
                &pieces,
            )
        }
    });
    whole.assert_same_as(&cut);
});
