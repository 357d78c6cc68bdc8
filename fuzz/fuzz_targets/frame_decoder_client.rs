//! A client's frame decoder fed arbitrary bytes with arbitrary limits: no panic, the same
//! frames and the same error whatever the chunking, and never more than a header or a
//! control payload kept while waiting for bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsproto::{Client, FrameDecoder};
use wsproto_fuzz::{Input, assert_same_frames, decode_frames, limits};

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else {
        return;
    };
    let [whole, cut] = input.chunkings().map(|pieces| {
        let mut decoder = FrameDecoder::<Client>::with_limits((), limits(input.config));
        decode_frames(&mut decoder, &pieces)
    });
    // Without extensions every error is found at a header, after the frames before it
    // were delivered whole: both chunkings see the same frames, except that a text frame
    // cut short may hold back up to 3 more bytes in one of them (an unfinished character,
    // judged on the bytes in the buffer).
    assert_same_frames(&whole.0, &cut.0);
    assert_eq!(
        whole.1.map(|e| e.code()),
        cut.1.map(|e| e.code()),
        "close codes differ by chunking"
    );
});
