//! RFC 7692 §7.1 parameter negotiation for `permessage-deflate`.
//!
//! Pure functions over header text: the caller splits `Sec-WebSocket-Extensions`
//! on top-level commas and hands one extension entry at a time.

use std::borrow::Cow;
use std::cmp::min;

/// Extension token registered by RFC 7692 §7 (extension names are compared exactly).
pub const EXTENSION_NAME: &str = "permessage-deflate";

const SERVER_NO_CONTEXT_TAKEOVER: &str = "server_no_context_takeover";
const CLIENT_NO_CONTEXT_TAKEOVER: &str = "client_no_context_takeover";
const SERVER_MAX_WINDOW_BITS: &str = "server_max_window_bits";
const CLIENT_MAX_WINDOW_BITS: &str = "client_max_window_bits";

/// Window size the RFC assumes when nobody restricts it (RFC 7692 §7.1.2).
const DEFAULT_WINDOW_BITS: u8 = 15;

/// What the local endpoint wants from the negotiation (RFC 7692 §7.1).
///
/// `Default` asks for nothing: 15-bit windows and context takeover both ways,
/// which is what peers that do not tune anything expect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeflateConfig {
    /// RFC 7692 §7.1.1.2: the client resets its compressor after every message.
    pub client_no_context_takeover: bool,
    /// RFC 7692 §7.1.1.1: the server resets its compressor after every message.
    pub server_no_context_takeover: bool,
    /// RFC 7692 §7.1.2.2: limit for the client's window; `None` offers the bare token.
    ///
    /// A client with `None` still sends bare `client_max_window_bits` (as
    /// browsers do) so a memory-constrained server may shrink our window
    /// instead of declining; see `omit_client_max_window_bits` to opt out.
    /// Values outside 8..=15 are clamped into that range.
    pub client_max_window_bits: Option<u8>,
    /// RFC 7692 §7.1.2.1: limit for the server's window (clamped into 8..=15).
    pub server_max_window_bits: Option<u8>,
    /// RFC 7692 §7.1.2.2: client only; with `client_max_window_bits: None`, leave the token out.
    ///
    /// Only for peers that mishandle the bare token: the server then may not
    /// answer `client_max_window_bits` at all, and doing so fails the handshake.
    pub omit_client_max_window_bits: bool,
}

/// Parameters both endpoints agreed on (RFC 7692 §7.1); window bits are always 8..=15.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    /// RFC 7692 §7.1.1.2: the client compresses every message with an empty window.
    pub client_no_context_takeover: bool,
    /// RFC 7692 §7.1.1.1: the server compresses every message with an empty window.
    pub server_no_context_takeover: bool,
    /// RFC 7692 §7.1.2.2: base-2 log of the client's LZ77 window.
    pub client_max_window_bits: u8,
    /// RFC 7692 §7.1.2.1: base-2 log of the server's LZ77 window.
    pub server_max_window_bits: u8,
}

impl Default for Negotiated {
    /// RFC 7692 §7.1: what an offer and answer without parameters agree on: 15-bit windows
    /// and context takeover in both directions.
    fn default() -> Self {
        Negotiated {
            client_no_context_takeover: false,
            server_no_context_takeover: false,
            client_max_window_bits: 15,
            server_max_window_bits: 15,
        }
    }
}

impl Negotiated {
    /// RFC 7692 §7.1.2: window bits our compressor must stay within, for our role.
    pub fn compressor_window_bits(&self, is_client: bool) -> u8 {
        if is_client {
            self.client_max_window_bits
        } else {
            self.server_max_window_bits
        }
    }

    /// RFC 7692 §7.1.1: whether our compressor must reset after each message.
    pub fn compressor_no_context_takeover(&self, is_client: bool) -> bool {
        if is_client {
            self.client_no_context_takeover
        } else {
            self.server_no_context_takeover
        }
    }

    /// RFC 7692 §7.1.2: window bits the peer compresses with, which our inflater needs.
    pub fn decompressor_window_bits(&self, is_client: bool) -> u8 {
        self.compressor_window_bits(!is_client)
    }

    /// RFC 7692 §7.1.1: whether the peer resets, so our inflater may reset per message.
    pub fn decompressor_no_context_takeover(&self, is_client: bool) -> bool {
        self.compressor_no_context_takeover(!is_client)
    }
}

/// Why an extension entry was rejected (RFC 7692 §7.1 failure conditions).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NegotiationError {
    /// RFC 6455 §9.1 grammar violated (RFC 7692 §7.1 relies on it).
    #[error("malformed extension entry: {0}")]
    Malformed(&'static str),
    /// RFC 7692 §7: the entry names another extension.
    #[error("extension `{0}` is not permessage-deflate")]
    WrongExtension(String),
    /// RFC 7692 §7.1: parameter not defined for permessage-deflate.
    #[error("unknown permessage-deflate parameter `{0}`")]
    UnknownParameter(String),
    /// RFC 7692 §7.1: the same parameter appears twice.
    #[error("parameter `{0}` appears more than once")]
    DuplicateParameter(&'static str),
    /// RFC 7692 §7.1.2: window bits not a decimal 8..=15 without leading zeros.
    #[error("parameter `{name}` has invalid value {value:?} (want 8..=15, no leading zeros)")]
    InvalidValue {
        /// RFC 7692 §7.1.2: the offending parameter.
        name: &'static str,
        /// RFC 7692 §7.1.2: the value as received, after unquoting.
        value: String,
    },
    /// RFC 7692 §7.1.1: `*_no_context_takeover` carries no value.
    #[error("parameter `{0}` must not have a value")]
    UnexpectedValue(&'static str),
    /// RFC 7692 §7.1.2: this window parameter needs a value here.
    #[error("parameter `{0}` needs a value here")]
    MissingValue(&'static str),
    /// RFC 7692 §7.1.2.2: answer has `client_max_window_bits` that the offer lacked.
    #[error("server sent client_max_window_bits although the offer did not include it")]
    UnsolicitedClientMaxWindowBits,
    /// RFC 7692 §7.1.2.2: answer raised the client window above what we offered.
    #[error("server set client_max_window_bits={answered}, above the offered {offered}")]
    ClientWindowTooLarge {
        /// RFC 7692 §7.1.2.2: value in our offer.
        offered: u8,
        /// RFC 7692 §7.1.2.2: value in the server's answer.
        answered: u8,
    },
    /// RFC 7692 §7.1.2.1: answer uses a larger server window than we allowed.
    #[error("server set server_max_window_bits={answered}, above the offered {offered}")]
    ServerWindowTooLarge {
        /// RFC 7692 §7.1.2.1: value in our offer.
        offered: u8,
        /// RFC 7692 §7.1.2.1: value in the server's answer.
        answered: u8,
    },
    /// RFC 7692 §7.1.2.1: we offered `server_max_window_bits`, the answer dropped it.
    #[error("server ignored the offered server_max_window_bits")]
    MissingServerMaxWindowBits,
    /// RFC 7692 §7.1.1.1: we offered `server_no_context_takeover`, the answer dropped it.
    #[error("server ignored the offered server_no_context_takeover")]
    MissingServerNoContextTakeover,
}

/// A `*_max_window_bits` parameter as written in an offer (RFC 7692 §7.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WindowParam {
    /// Only legal for `client_max_window_bits` in an offer.
    Bare,
    Bits(u8),
}

/// The four RFC 7692 parameters of one entry, each seen at most once.
#[derive(Debug, Default)]
struct Params {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<WindowParam>,
    client_max_window_bits: Option<WindowParam>,
}

/// RFC 7692 §7.1: appends the client's offer entry for `config` to `out`.
pub fn client_offer(config: &DeflateConfig, out: &mut String) {
    let client_bits = match config.client_max_window_bits {
        Some(bits) => Some(WindowParam::Bits(clamp_bits(bits))),
        None if config.omit_client_max_window_bits => None,
        None => Some(WindowParam::Bare),
    };
    write_entry(
        out,
        &Params {
            server_no_context_takeover: config.server_no_context_takeover,
            client_no_context_takeover: config.client_no_context_takeover,
            server_max_window_bits: config
                .server_max_window_bits
                .map(|b| WindowParam::Bits(clamp_bits(b))),
            client_max_window_bits: client_bits,
        },
    );
}

/// RFC 7692 §7.1: checks the server's answer against the offer `client_offer` made from `config`.
pub fn client_finalize(
    config: &DeflateConfig,
    answer: &str,
) -> Result<Negotiated, NegotiationError> {
    let answer = parse_entry(answer)?;
    // Our offer asked for it; a server accepts only by echoing it (§7.1.1.1).
    if config.server_no_context_takeover && !answer.server_no_context_takeover {
        return Err(NegotiationError::MissingServerNoContextTakeover);
    }
    let server_answered = answered_bits(answer.server_max_window_bits, SERVER_MAX_WINDOW_BITS)?;
    let server_bits = match (
        config.server_max_window_bits.map(clamp_bits),
        server_answered,
    ) {
        // Without the parameter the server would use 15 bits, more than our inflater agreed to.
        (Some(_), None) => return Err(NegotiationError::MissingServerMaxWindowBits),
        (Some(offered), Some(answered)) if answered > offered => {
            return Err(NegotiationError::ServerWindowTooLarge { offered, answered });
        }
        (_, answered) => answered.unwrap_or(DEFAULT_WINDOW_BITS),
    };
    let client_answered = answered_bits(answer.client_max_window_bits, CLIENT_MAX_WINDOW_BITS)?;
    let client_bits = match (
        config.client_max_window_bits.map(clamp_bits),
        client_answered,
    ) {
        (None, Some(_)) if config.omit_client_max_window_bits => {
            return Err(NegotiationError::UnsolicitedClientMaxWindowBits);
        }
        (Some(offered), Some(answered)) if answered > offered => {
            return Err(NegotiationError::ClientWindowTooLarge { offered, answered });
        }
        (_, Some(answered)) => answered,
        // We announced a limit on ourselves; keep honouring it even if the server is silent.
        (Some(offered), None) => offered,
        (None, None) => DEFAULT_WINDOW_BITS,
    };
    Ok(Negotiated {
        // Our own request binds us even if the server did not echo it (§7.1.1.2).
        client_no_context_takeover: config.client_no_context_takeover
            || answer.client_no_context_takeover,
        server_no_context_takeover: answer.server_no_context_takeover,
        client_max_window_bits: client_bits,
        server_max_window_bits: server_bits,
    })
}

/// RFC 7692 §7.1: accepts one client offer entry, writing the answer entry into `out`; `None` declines.
///
/// Nothing is written when the offer is declined, so the caller can try the
/// client's next offer with the same buffer.
pub fn server_accept(config: &DeflateConfig, offer: &str, out: &mut String) -> Option<Negotiated> {
    let offer = parse_entry(offer).ok()?;
    let server_bits = match offer.server_max_window_bits {
        // §7.1.2.1: the value is mandatory in an offer too.
        Some(WindowParam::Bare) => return None,
        Some(WindowParam::Bits(offered)) => Some(at_most(config.server_max_window_bits, offered)),
        // §7.1.2.1 lets the server announce a limit nobody asked for.
        None => config.server_max_window_bits.map(clamp_bits),
    };
    let client_bits = match offer.client_max_window_bits {
        // §7.1.2.2: the client cannot obey a limit it did not announce support for;
        // accept anyway and inflate with 15 bits rather than lose compression.
        None => None,
        Some(WindowParam::Bare) => config.client_max_window_bits.map(clamp_bits),
        // Echoing the client's own limit is allowed and lets our inflater be smaller.
        Some(WindowParam::Bits(offered)) => Some(at_most(config.client_max_window_bits, offered)),
    };
    let answer = Params {
        // §7.1.1.1: honouring the request is how a server accepts it.
        server_no_context_takeover: offer.server_no_context_takeover
            || config.server_no_context_takeover,
        // Echo the client's hint so both sides record the same agreement.
        client_no_context_takeover: offer.client_no_context_takeover
            || config.client_no_context_takeover,
        server_max_window_bits: server_bits.map(WindowParam::Bits),
        client_max_window_bits: client_bits.map(WindowParam::Bits),
    };
    write_entry(out, &answer);
    Some(Negotiated {
        client_no_context_takeover: answer.client_no_context_takeover,
        server_no_context_takeover: answer.server_no_context_takeover,
        client_max_window_bits: client_bits.unwrap_or(DEFAULT_WINDOW_BITS),
        server_max_window_bits: server_bits.unwrap_or(DEFAULT_WINDOW_BITS),
    })
}

/// Keeps a misconfigured local value from producing an offer the peer must reject.
fn clamp_bits(bits: u8) -> u8 {
    bits.clamp(8, DEFAULT_WINDOW_BITS)
}

/// §7.1.2: a server answers with the offered window or a smaller one of its own.
fn at_most(own: Option<u8>, offered: u8) -> u8 {
    own.map_or(offered, |own| min(clamp_bits(own), offered))
}

/// §7.1.2: in a response both window parameters need a value; only an offer may be bare.
fn answered_bits(
    param: Option<WindowParam>,
    name: &'static str,
) -> Result<Option<u8>, NegotiationError> {
    match param {
        Some(WindowParam::Bits(bits)) => Ok(Some(bits)),
        Some(WindowParam::Bare) => Err(NegotiationError::MissingValue(name)),
        None => Ok(None),
    }
}

fn write_entry(out: &mut String, params: &Params) {
    out.push_str(EXTENSION_NAME);
    for (set, name) in [
        (
            params.server_no_context_takeover,
            SERVER_NO_CONTEXT_TAKEOVER,
        ),
        (
            params.client_no_context_takeover,
            CLIENT_NO_CONTEXT_TAKEOVER,
        ),
    ] {
        if set {
            out.push_str("; ");
            out.push_str(name);
        }
    }
    let windows = [
        (params.server_max_window_bits, SERVER_MAX_WINDOW_BITS),
        (params.client_max_window_bits, CLIENT_MAX_WINDOW_BITS),
    ];
    for (param, name) in windows {
        let Some(param) = param else { continue };
        out.push_str("; ");
        out.push_str(name);
        if let WindowParam::Bits(bits) = param {
            out.push('=');
            out.push_str(WINDOW_BITS_TEXT[usize::from(clamp_bits(bits) - 8)]);
        }
    }
}

/// Parses `permessage-deflate *( ";" param )` and applies the §7.1 rules common to offers and answers.
fn parse_entry(entry: &str) -> Result<Params, NegotiationError> {
    let mut cursor = Cursor { rest: entry };
    cursor.skip_ows();
    let name = cursor
        .token()
        .ok_or(NegotiationError::Malformed("missing extension name"))?;
    if name != EXTENSION_NAME {
        return Err(NegotiationError::WrongExtension(name.to_owned()));
    }
    let mut params = Params::default();
    loop {
        cursor.skip_ows();
        if cursor.rest.is_empty() {
            return Ok(params);
        }
        if !cursor.eat(b';') {
            return Err(NegotiationError::Malformed(
                "expected `;` between parameters",
            ));
        }
        cursor.skip_ows();
        let name = cursor
            .token()
            .ok_or(NegotiationError::Malformed("missing parameter name"))?;
        cursor.skip_ows();
        let value = if cursor.eat(b'=') {
            cursor.skip_ows();
            Some(cursor.value()?)
        } else {
            None
        };
        apply_param(&mut params, name, value)?;
    }
}

fn apply_param(
    params: &mut Params,
    name: &str,
    value: Option<Cow<'_, str>>,
) -> Result<(), NegotiationError> {
    match name {
        SERVER_NO_CONTEXT_TAKEOVER => set_flag(
            &mut params.server_no_context_takeover,
            SERVER_NO_CONTEXT_TAKEOVER,
            value,
        ),
        CLIENT_NO_CONTEXT_TAKEOVER => set_flag(
            &mut params.client_no_context_takeover,
            CLIENT_NO_CONTEXT_TAKEOVER,
            value,
        ),
        SERVER_MAX_WINDOW_BITS => set_window(
            &mut params.server_max_window_bits,
            SERVER_MAX_WINDOW_BITS,
            value,
        ),
        CLIENT_MAX_WINDOW_BITS => set_window(
            &mut params.client_max_window_bits,
            CLIENT_MAX_WINDOW_BITS,
            value,
        ),
        other => Err(NegotiationError::UnknownParameter(other.to_owned())),
    }
}

fn set_flag(
    slot: &mut bool,
    name: &'static str,
    value: Option<Cow<'_, str>>,
) -> Result<(), NegotiationError> {
    if *slot {
        return Err(NegotiationError::DuplicateParameter(name));
    }
    if value.is_some() {
        return Err(NegotiationError::UnexpectedValue(name));
    }
    *slot = true;
    Ok(())
}

fn set_window(
    slot: &mut Option<WindowParam>,
    name: &'static str,
    value: Option<Cow<'_, str>>,
) -> Result<(), NegotiationError> {
    if slot.is_some() {
        return Err(NegotiationError::DuplicateParameter(name));
    }
    let param = match value {
        None => WindowParam::Bare,
        Some(text) => match parse_bits(&text) {
            Some(bits) => WindowParam::Bits(bits),
            None => {
                let value = text.into_owned();
                return Err(NegotiationError::InvalidValue { name, value });
            }
        },
    };
    *slot = Some(param);
    Ok(())
}

/// §7.1.2: "a decimal integer value without leading zeroes between 8 to 15", as text.
const WINDOW_BITS_TEXT: [&str; 8] = ["8", "9", "10", "11", "12", "13", "14", "15"];

/// Exact text match, so "08", "+9" and " 9" are all rejected as §7.1.2 requires.
fn parse_bits(text: &str) -> Option<u8> {
    let index = WINDOW_BITS_TEXT.iter().position(|&bits| bits == text)?;
    u8::try_from(index).ok().map(|index| index + 8)
}

/// Byte cursor over the RFC 6455 §9.1 extension grammar.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn skip_ows(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.rest.as_bytes().first() == Some(&byte) {
            self.rest = &self.rest[1..];
            true
        } else {
            false
        }
    }

    fn token(&mut self) -> Option<&'a str> {
        let len = self.rest.bytes().take_while(|&b| is_tchar(b)).count();
        if len == 0 {
            return None;
        }
        let (token, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(token)
    }

    /// `token | quoted-string`; RFC 6455 §9.1 requires the unquoted text to be a token too.
    fn value(&mut self) -> Result<Cow<'a, str>, NegotiationError> {
        if !self.eat(b'"') {
            return self
                .token()
                .map(Cow::Borrowed)
                .ok_or(NegotiationError::Malformed("missing parameter value"));
        }
        let mut unquoted = String::new();
        let mut chars = self.rest.char_indices();
        while let Some((index, ch)) = chars.next() {
            let ch = match ch {
                '"' => {
                    self.rest = &self.rest[index + 1..];
                    if unquoted.is_empty() || !unquoted.bytes().all(is_tchar) {
                        return Err(NegotiationError::Malformed("quoted value is not a token"));
                    }
                    return Ok(Cow::Owned(unquoted));
                }
                '\\' => chars
                    .next()
                    .map(|(_, escaped)| escaped)
                    .ok_or(NegotiationError::Malformed("unterminated quoted string"))?,
                other => other,
            };
            unquoted.push(ch);
        }
        Err(NegotiationError::Malformed("unterminated quoted string"))
    }
}

/// RFC 7230 §3.2.6 `tchar`, the alphabet of RFC 6455 tokens.
fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}
