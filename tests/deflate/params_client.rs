//! Table-driven tests for the client side of RFC 7692 §7.1 negotiation.

use wsproto::deflate::{
    DeflateConfig, Negotiated, NegotiationError as E, client_finalize, client_offer,
};

const D: DeflateConfig = DeflateConfig {
    client_no_context_takeover: false,
    server_no_context_takeover: false,
    client_max_window_bits: None,
    server_max_window_bits: None,
    omit_client_max_window_bits: false,
};
const OMIT: DeflateConfig = DeflateConfig {
    omit_client_max_window_bits: true,
    ..D
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

fn neg((client_nct, server_nct, client, server): Want) -> Negotiated {
    Negotiated {
        client_no_context_takeover: client_nct,
        server_no_context_takeover: server_nct,
        client_max_window_bits: client,
        server_max_window_bits: server,
    }
}

fn assert_accepts(cases: &[(DeflateConfig, &str, Want)]) {
    for (config, params, want) in cases {
        let answer = format!("permessage-deflate{params}");
        assert_eq!(
            client_finalize(config, &answer),
            Ok(neg(*want)),
            "{config:?} / {answer}"
        );
    }
}

fn assert_rejects(cases: Vec<(DeflateConfig, &str, E)>) {
    for (config, params, want) in cases {
        let answer = format!("permessage-deflate{params}");
        assert_eq!(
            client_finalize(&config, &answer),
            Err(want),
            "{config:?} / {answer}"
        );
    }
}

#[test]
fn offers() {
    #[rustfmt::skip]
    let cases = [
        // §7.1.2.2: the bare token announces support, as browsers do.
        (D, "permessage-deflate; client_max_window_bits"),
        (OMIT, "permessage-deflate"),
        (cfg(true, true, Some(9), Some(10)), "permessage-deflate; server_no_context_takeover; \
            client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9"),
        // A value always wins over the omit flag.
        (DeflateConfig { client_max_window_bits: Some(12), ..OMIT }, "permessage-deflate; client_max_window_bits=12"),
        // Out-of-range local values are clamped, never sent.
        (cfg(false, false, Some(3), Some(20)), "permessage-deflate; server_max_window_bits=15; client_max_window_bits=8"),
    ];
    for (config, want) in cases {
        let mut out = String::from("x-other, ");
        client_offer(&config, &mut out);
        assert_eq!(out, format!("x-other, {want}"), "{config:?}");
    }
}

#[test]
fn accepts_what_the_server_may_add() {
    #[rustfmt::skip]
    assert_accepts(&[
        (D, "", (false, false, 15, 15)),
        // §7.1.1.1: the server may add server_no_context_takeover unasked.
        (D, "; server_no_context_takeover", (false, true, 15, 15)),
        // §7.1.1.2: the server may ask us to drop context.
        (D, "; client_no_context_takeover", (true, false, 15, 15)),
        // §7.1.2.2: our bare token lets the server pick any client window.
        (D, "; client_max_window_bits=10", (false, false, 10, 15)),
        (D, "; client_max_window_bits=8", (false, false, 8, 15)),
        // §7.1.2.1: the server may announce a smaller window unasked.
        (D, "; server_max_window_bits=12", (false, false, 15, 12)),
        (OMIT, "; server_no_context_takeover", (false, true, 15, 15)),
        // §7.1 with RFC 6455 §9.1: quoted values are tokens once unquoted; whitespace is optional.
        (D, ";server_max_window_bits=\"8\"", (false, false, 15, 8)),
        (D, "; client_max_window_bits=\"1\\2\"", (false, false, 12, 15)),
        (D, " ;\tclient_max_window_bits = 9 ", (false, false, 9, 15)),
    ]);
}

#[test]
fn accepts_answers_to_our_requests() {
    let client_10 = cfg(false, false, Some(10), None);
    let server_10 = cfg(false, false, None, Some(10));
    #[rustfmt::skip]
    assert_accepts(&[
        (server_10, "; server_max_window_bits=10", (false, false, 15, 10)),
        (server_10, "; server_max_window_bits=9", (false, false, 15, 9)),
        // §7.1.2.2: a limit we offered binds us even if the server is silent.
        (client_10, "", (false, false, 10, 15)),
        (client_10, "; client_max_window_bits=9", (false, false, 9, 15)),
        (client_10, "; client_max_window_bits=10", (false, false, 10, 15)),
        // §7.1.1.2: our own hint binds us even without an echo.
        (cfg(true, false, None, None), "", (true, false, 15, 15)),
        (cfg(false, true, None, None), "; server_no_context_takeover", (false, true, 15, 15)),
        (cfg(true, true, Some(9), Some(9)), "; client_no_context_takeover; server_no_context_takeover; \
            server_max_window_bits=8; client_max_window_bits=8", (true, true, 8, 8)),
    ]);
}

#[test]
fn rejects_malformed_entries() {
    #[rustfmt::skip]
    let cases = vec![
        (D, ";", E::Malformed("missing parameter name")),
        (D, ", permessage-deflate", E::Malformed("expected `;` between parameters")),
        (D, " client_max_window_bits", E::Malformed("expected `;` between parameters")),
        (D, "; server_max_window_bits=", E::Malformed("missing parameter value")),
        (D, "; server_max_window_bits=10 0", E::Malformed("expected `;` between parameters")),
        (D, "; server_max_window_bits=\"10", E::Malformed("unterminated quoted string")),
        (D, "; server_max_window_bits=\"10\\", E::Malformed("unterminated quoted string")),
        (D, "; server_max_window_bits=\"\"", E::Malformed("quoted value is not a token")),
        (D, "; server_max_window_bits=\"1 0\"", E::Malformed("quoted value is not a token")),
    ];
    assert_rejects(cases);
    assert_eq!(
        client_finalize(&D, ""),
        Err(E::Malformed("missing extension name"))
    );
    assert_eq!(
        client_finalize(&D, "x-other"),
        Err(E::WrongExtension("x-other".into()))
    );
}

#[test]
fn rejects_bad_parameters() {
    let invalid = |name, value: &str| E::InvalidValue {
        name,
        value: value.into(),
    };
    #[rustfmt::skip]
    let cases = vec![
        // §7.1: unknown parameters (names are case-sensitive) and duplicates fail the connection.
        (D, "; foo", E::UnknownParameter("foo".into())),
        (D, "; Server_No_Context_Takeover", E::UnknownParameter("Server_No_Context_Takeover".into())),
        (D, "; server_no_context_takeover; server_no_context_takeover", E::DuplicateParameter("server_no_context_takeover")),
        (D, "; client_no_context_takeover; client_no_context_takeover", E::DuplicateParameter("client_no_context_takeover")),
        (D, "; client_max_window_bits=10; client_max_window_bits=10", E::DuplicateParameter("client_max_window_bits")),
        (D, "; server_max_window_bits=10; server_max_window_bits=11", E::DuplicateParameter("server_max_window_bits")),
        // §7.1.2: decimal 8..=15 without leading zeros.
        (D, "; server_max_window_bits=16", invalid("server_max_window_bits", "16")),
        (D, "; server_max_window_bits=7", invalid("server_max_window_bits", "7")),
        (D, "; server_max_window_bits=08", invalid("server_max_window_bits", "08")),
        (D, "; server_max_window_bits=+9", invalid("server_max_window_bits", "+9")),
        (D, "; client_max_window_bits=010", invalid("client_max_window_bits", "010")),
        (D, "; client_max_window_bits=ten", invalid("client_max_window_bits", "ten")),
        (D, "; client_max_window_bits=\"16\"", invalid("client_max_window_bits", "16")),
        // §7.1.1: the no_context_takeover parameters have no value.
        (D, "; server_no_context_takeover=1", E::UnexpectedValue("server_no_context_takeover")),
        (D, "; client_no_context_takeover=\"x\"", E::UnexpectedValue("client_no_context_takeover")),
        // §7.1.2: a response always carries a value.
        (D, "; client_max_window_bits", E::MissingValue("client_max_window_bits")),
        (D, "; server_max_window_bits", E::MissingValue("server_max_window_bits")),
    ];
    assert_rejects(cases);
}

#[test]
fn rejects_answers_that_break_our_offer() {
    let client_10 = cfg(false, false, Some(10), None);
    let server_10 = cfg(false, false, None, Some(10));
    #[rustfmt::skip]
    let cases = vec![
        // §7.1.2.2: no client_max_window_bits in the answer unless offered.
        (OMIT, "; client_max_window_bits=15", E::UnsolicitedClientMaxWindowBits),
        // §7.1.2.2: never above what we offered.
        (client_10, "; client_max_window_bits=11", E::ClientWindowTooLarge { offered: 10, answered: 11 }),
        // §7.1.2.1: accepting means echoing a value no larger than ours.
        (server_10, "", E::MissingServerMaxWindowBits),
        (server_10, "; server_max_window_bits=11", E::ServerWindowTooLarge { offered: 10, answered: 11 }),
        // §7.1.1.1: accepting means echoing server_no_context_takeover.
        (cfg(false, true, None, None), "", E::MissingServerNoContextTakeover),
    ];
    assert_rejects(cases);
}

#[test]
fn error_messages_name_the_problem() {
    let err = client_finalize(&D, "permessage-deflate; server_max_window_bits=16").unwrap_err();
    assert_eq!(
        err.to_string(),
        "parameter `server_max_window_bits` has invalid value \"16\" (want 8..=15, no leading zeros)"
    );
}

#[test]
fn role_helpers() {
    let n = neg((true, false, 9, 12));
    assert_eq!(
        (
            n.compressor_window_bits(true),
            n.compressor_no_context_takeover(true)
        ),
        (9, true)
    );
    assert_eq!(
        (
            n.decompressor_window_bits(true),
            n.decompressor_no_context_takeover(true)
        ),
        (12, false)
    );
    assert_eq!(
        (
            n.compressor_window_bits(false),
            n.compressor_no_context_takeover(false)
        ),
        (12, false)
    );
    assert_eq!(
        (
            n.decompressor_window_bits(false),
            n.decompressor_no_context_takeover(false)
        ),
        (9, true)
    );
}
