//! A client's frame decoder fed arbitrary bytes with arbitrary limits: no panic, the same
//! frames and the same error whatever the chunking, and never more than a header or a
//! control payload kept while waiting for bytes (`frame_decoder_case` in the harness).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsproto::Client;

fuzz_target!(|data: &[u8]| wsproto_fuzz::frame_decoder_case::<Client>(data));
