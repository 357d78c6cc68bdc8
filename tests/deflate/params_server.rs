//! Table-driven tests for the server side of RFC 7692 §7.1 negotiation, plus
//! properties tying both sides together.

use proptest::prelude::*;
use wsproto::deflate::{DeflateConfig, Negotiated, client_finalize, client_offer, server_accept};

const D: DeflateConfig = DeflateConfig {
    client_no_context_takeover: false,
    server_no_context_takeover: false,
    client_max_window_bits: None,
    server_max_window_bits: None,
    omit_client_max_window_bits: false,
};

fn cfg(
    client_nct: bool,
    server_nct: bool,
    client: Option<u8>,
    server: Option<u8>,
) -> DeflateConfig {
    DeflateConfig {
        client_no_context_takeover: client_nct,
        server_no_context_takeover: server_nct,
        client_max_window_bits: client,
        server_max_window_bits: server,
        ..D
    }
}

/// Expected agreement as (client_nct, server_nct, client_bits, server_bits).
type Want = (bool, bool, u8, u8);

/// Offer and answer parameters are written without the leading `permessage-deflate`.
fn assert_accepts(cases: &[(DeflateConfig, &str, &str, Want)]) {
    for (config, offer, answer, (client_nct, server_nct, client, server)) in cases {
        let offer = format!("permessage-deflate{offer}");
        let want = Negotiated {
            client_no_context_takeover: *client_nct,
            server_no_context_takeover: *server_nct,
            client_max_window_bits: *client,
            server_max_window_bits: *server,
        };
        let mut out = String::new();
        assert_eq!(
            server_accept(config, &offer, &mut out),
            Some(want),
            "{config:?} / {offer}"
        );
        assert_eq!(
            out,
            format!("permessage-deflate{answer}"),
            "{config:?} / {offer}"
        );
    }
}

#[test]
fn accepts_window_parameters() {
    let server_12 = cfg(false, false, None, Some(12));
    let client_10 = cfg(false, false, Some(10), None);
    #[rustfmt::skip]
    assert_accepts(&[
        (D, "", "", (false, false, 15, 15)),
        (D, "; client_max_window_bits", "", (false, false, 15, 15)),
        // Echoing the client's own limit is allowed and lets our inflater be smaller.
        (D, "; client_max_window_bits=10", "; client_max_window_bits=10", (false, false, 10, 15)),
        // §7.1.2.1: an offered server limit must be echoed, or lowered.
        (D, "; server_max_window_bits=10", "; server_max_window_bits=10", (false, false, 15, 10)),
        (D, "; server_max_window_bits=\"8\"", "; server_max_window_bits=8", (false, false, 15, 8)),
        (server_12, "; server_max_window_bits=10", "; server_max_window_bits=10", (false, false, 15, 10)),
        (server_12, "; server_max_window_bits=14", "; server_max_window_bits=12", (false, false, 15, 12)),
        (server_12, "", "; server_max_window_bits=12", (false, false, 15, 12)),
        // §7.1.2.2: shrink the client window only if the client announced support.
        (client_10, "; client_max_window_bits", "; client_max_window_bits=10", (false, false, 10, 15)),
        (client_10, "; client_max_window_bits=12", "; client_max_window_bits=10", (false, false, 10, 15)),
        (client_10, "; client_max_window_bits=9", "; client_max_window_bits=9", (false, false, 9, 15)),
        (client_10, "", "", (false, false, 15, 15)),
    ]);
}

#[test]
fn accepts_context_takeover_parameters() {
    #[rustfmt::skip]
    assert_accepts(&[
        // §7.1.1.1: a requested or configured server_no_context_takeover is sent.
        (D, "; server_no_context_takeover", "; server_no_context_takeover", (false, true, 15, 15)),
        (cfg(false, true, None, None), "", "; server_no_context_takeover", (false, true, 15, 15)),
        // §7.1.1.2: echo the client's hint, or impose it from config.
        (D, "; client_no_context_takeover", "; client_no_context_takeover", (true, false, 15, 15)),
        (cfg(true, false, None, None), "", "; client_no_context_takeover", (true, false, 15, 15)),
        (cfg(true, true, Some(9), Some(11)), " ; client_max_window_bits ; server_max_window_bits = 13 ",
            "; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; \
            client_max_window_bits=9", (true, true, 9, 11)),
    ]);
}

#[test]
fn declines_invalid_offers() {
    let offers = [
        "",
        "x-webkit-deflate-frame",
        "permessage-deflate;",
        "permessage-deflate client_max_window_bits",
        "permessage-deflate; foo",
        "permessage-deflate; foo=1",
        "permessage-deflate; client_max_window_bits; client_max_window_bits",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; client_max_window_bits=16",
        "permessage-deflate; client_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=09",
        // §7.1.2.1: the offer must carry a value for server_max_window_bits.
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; client_no_context_takeover=1",
        "permessage-deflate; server_max_window_bits=\"1 0\"",
    ];
    for offer in offers {
        let mut out = String::from("keep");
        assert_eq!(
            server_accept(&cfg(true, true, Some(10), Some(10)), offer, &mut out),
            None,
            "{offer}"
        );
        assert_eq!(out, "keep", "declining must not write: {offer}");
    }
}

/// Fragments of real entries, so generated text gets deep into the parser.
const PIECES: &[&str] = &[
    ";",
    " ",
    "\t",
    "=",
    "\"",
    "\\",
    ",",
    "8",
    "9",
    "10",
    "15",
    "16",
    "08",
    "x",
    "\u{e9}",
    "server_no_context_takeover",
    "client_no_context_takeover",
    "server_max_window_bits",
    "client_max_window_bits",
];

fn any_config() -> impl Strategy<Value = DeflateConfig> {
    let bits = prop::option::of(0u8..=20);
    (
        any::<bool>(),
        any::<bool>(),
        bits.clone(),
        bits,
        any::<bool>(),
    )
        .prop_map(
            |(client_nct, server_nct, client, server, omit)| DeflateConfig {
                omit_client_max_window_bits: omit,
                ..cfg(client_nct, server_nct, client, server)
            },
        )
}

proptest! {
    #[test]
    fn both_sides_agree(client in any_config(), server in any_config()) {
        let mut offer = String::new();
        client_offer(&client, &mut offer);
        let mut answer = String::new();
        let accepted = server_accept(&server, &offer, &mut answer).expect("our own offers are valid");
        prop_assert_eq!(client_finalize(&client, &answer), Ok(accepted));
        for bits in [accepted.client_max_window_bits, accepted.server_max_window_bits] {
            prop_assert!((8..=15).contains(&bits));
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,80}") {
        let _ = client_finalize(&D, &text);
        let _ = server_accept(&D, &text, &mut String::new());
    }

    #[test]
    fn grammar_like_text_never_panics(pieces in prop::collection::vec(prop::sample::select(PIECES), 0..14)) {
        let entry = format!("permessage-deflate{}", pieces.concat());
        let config = cfg(true, true, Some(9), Some(9));
        let _ = client_finalize(&config, &entry);
        let _ = server_accept(&config, &entry, &mut String::new());
    }
}
