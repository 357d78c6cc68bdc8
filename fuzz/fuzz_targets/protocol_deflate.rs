//! A frame protocol with permessage-deflate, of either role and any window bits, fed
//! arbitrary bytes: the protocol target's invariants with inflation in the path.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| wsproto_fuzz::protocol_case(data, true));
