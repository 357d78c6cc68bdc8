//! The two endpoint roles of RFC 6455 as types: a [`Client`] masks what it sends and
//! expects unmasked frames, a [`Server`] the reverse (RFC 6455 §5.1, §5.3).

use std::fmt;

use crate::error::SendError;
use crate::mask_key::MaskKeys;

mod sealed {
    /// Role internals; sealed so that only `Client` and `Server` exist.
    pub trait RoleInternals {
        /// What the role needs to mask outgoing frames: a key source (client) or nothing.
        type Keys: Send + Default;
        /// The key for the next outgoing frame, `None` for a server.
        fn next_key(keys: &mut Self::Keys) -> Result<Option<[u8; 4]>, super::SendError>;
    }

    /// A frame's masking as the encoder writes it; sealed so that only the two exist.
    pub trait MaskingInternals: Copy {
        /// The key to mask with, if any.
        fn key(self) -> Option<[u8; 4]>;
    }

    impl MaskingInternals for super::MaskingKey {
        fn key(self) -> Option<[u8; 4]> {
            Some(self.0)
        }
    }

    impl MaskingInternals for super::Unmasked {
        fn key(self) -> Option<[u8; 4]> {
            None
        }
    }
}

/// An endpoint role: [`Client`] or [`Server`]. Sealed: RFC 6455 has exactly these two.
///
/// The generic types of the crate read the role's constants and hand them to code that is
/// compiled once for both roles, as plain values.
pub trait Role:
    sealed::RoleInternals + Copy + Default + fmt::Debug + Send + Sync + Unpin + 'static
{
    /// Whether this role is the client, which masks outgoing frames (RFC 6455 §5.3).
    const IS_CLIENT: bool;
    /// The role's name, for `Debug` output and error messages.
    const NAME: &'static str;
}

/// The client role: masks every frame it sends, rejects masked frames (RFC 6455 §5.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Client;

/// The server role: never masks, rejects unmasked frames (RFC 6455 §5.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Server;

impl Role for Client {
    const IS_CLIENT: bool = true;
    const NAME: &'static str = "Client";
}

impl sealed::RoleInternals for Client {
    type Keys = MaskKeys;
    #[inline]
    fn next_key(keys: &mut MaskKeys) -> Result<Option<[u8; 4]>, SendError> {
        keys.next_key().map(Some)
    }
}

impl Role for Server {
    const IS_CLIENT: bool = false;
    const NAME: &'static str = "Server";
}

impl sealed::RoleInternals for Server {
    type Keys = ();
    #[inline]
    fn next_key(_: &mut ()) -> Result<Option<[u8; 4]>, SendError> {
        Ok(None)
    }
}

/// What a frame sent by role `R` carries as its masking: a [`MaskingKey`] for a
/// [`Client`], [`Unmasked`] for a [`Server`] (RFC 6455 §5.1), and nothing else. Sealed;
/// [`encode_frame`](crate::frame::encode_frame) takes it, so a server cannot be asked for
/// a masked frame nor a client for an unmasked one, and the error names the rule.
#[diagnostic::on_unimplemented(
    message = "a {R} cannot send a frame with `{Self}` (RFC 6455 §5.1)",
    label = "a client masks every frame it sends, a server none"
)]
pub trait MaskingOf<R: Role>: sealed::MaskingInternals {}

impl MaskingOf<Client> for MaskingKey {}
impl MaskingOf<Server> for Unmasked {}

/// A client frame's masking key (RFC 6455 §5.3). Only a [`Client`](crate::Client) sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaskingKey(pub [u8; 4]);

/// The absence of a masking key: what every [`Server`](crate::Server) frame carries
/// (RFC 6455 §5.1: "A server MUST NOT mask any frames that it sends to the client").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unmasked;

impl From<MaskingKey> for Option<[u8; 4]> {
    fn from(key: MaskingKey) -> Self {
        Some(key.0)
    }
}

impl From<Unmasked> for Option<[u8; 4]> {
    fn from(_: Unmasked) -> Self {
        None
    }
}

static_assertions::assert_eq_size!(Client, ());
static_assertions::assert_eq_size!(Server, ());
