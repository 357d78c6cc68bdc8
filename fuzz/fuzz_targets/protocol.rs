//! A frame protocol of either role fed arbitrary bytes with arbitrary limits: no panic,
//! the same messages and close code whatever the chunking and whether messages are
//! delivered in pieces or whole, only valid UTF-8 delivered as text, and a close frame
//! still encodable after an error (`protocol_case` in the harness).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| wsproto_fuzz::protocol_case(data, false));
