//! permessage-deflate negotiation fed arbitrary header text, as an offer to a server and
//! as an answer to a client, under arbitrary local configurations: no panic, agreed window
//! bits always within 8..=15, and every answer a server writes is accepted by a client
//! that made the offer.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsproto::deflate::{DeflateConfig, Negotiated, client_finalize, client_offer, server_accept};

#[derive(Arbitrary, Debug)]
struct Case {
    client_no_context_takeover: bool,
    server_no_context_takeover: bool,
    client_max_window_bits: Option<u8>,
    server_max_window_bits: Option<u8>,
    omit_client_max_window_bits: bool,
    text: String,
}

fn check(agreed: &Negotiated) {
    assert!(
        (8..=15).contains(&agreed.client_max_window_bits),
        "{agreed:?}"
    );
    assert!(
        (8..=15).contains(&agreed.server_max_window_bits),
        "{agreed:?}"
    );
}

fuzz_target!(|case: Case| {
    let config = DeflateConfig {
        client_no_context_takeover: case.client_no_context_takeover,
        server_no_context_takeover: case.server_no_context_takeover,
        client_max_window_bits: case.client_max_window_bits,
        server_max_window_bits: case.server_max_window_bits,
        omit_client_max_window_bits: case.omit_client_max_window_bits,
    };
    // The text as an offer to a server.
    let mut answer = String::new();
    match server_accept(&config, &case.text, &mut answer) {
        Some(agreed) => {
            check(&agreed);
            assert!(answer.starts_with("permessage-deflate"));
        }
        None => assert!(answer.is_empty(), "a declined offer writes nothing"),
    }
    // The text as a server's answer to a client.
    if let Ok(agreed) = client_finalize(&config, &case.text) {
        check(&agreed);
    }
    // Our own offer, accepted by a server with the same configuration, is answered with
    // something our client accepts, and both sides agree.
    let mut offer = String::new();
    client_offer(&config, &mut offer);
    let mut answer = String::new();
    if let Some(server_side) = server_accept(&config, &offer, &mut answer) {
        let client_side = client_finalize(&config, &answer)
            .unwrap_or_else(|e| panic!("offer {offer:?}, answer {answer:?}: {e}"));
        assert_eq!(
            client_side, server_side,
            "offer {offer:?}, answer {answer:?}"
        );
    }
});
