//! The type-level extension list: `()` or a tuple of [`Extension`] types, whose RSV claims
//! are joined by the trait solver, so that a conflict is a type error (RFC 6455 §5.2).

use bytes::BytesMut;

use super::{Extension, ExtensionError, FrameContext, OutboundFrame};
use crate::error::FrameRefused;
use crate::frame::Header;
use crate::rsv::{Disjoint, RsvClaim};
use crate::token_list::extension_name;

/// A list of extensions for [`FrameProtocol`](crate::FrameProtocol): `()` for none, or a
/// tuple of up to four [`Extension`] types. Sealed; implement [`Extension`] instead.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of WebSocket extensions",
    label = "expected `()` or a tuple of `wsproto::ext::Extension` types",
    note = "write `()` for no extensions, or e.g. `(MyExtension,)` for one"
)]
pub trait ExtensionList: ListHooks + InboundHooks + OutboundHooks + Send {
    /// Every RSV bit claimed by an extension of the list, in first-header-byte position.
    const RSV_MASK: u8;
    /// Number of extensions in the list.
    const LEN: usize;

    /// Calls `f` with the name and enabled state of each extension, in list order.
    fn for_each_name(&self, f: &mut dyn FnMut(&'static str, bool));
}

/// A hook failed: the extension's name and the close code it chose.
pub(crate) type HookError = (&'static str, FrameRefused);

mod sealed {
    use super::*;

    /// Runs each hook over the list; crate-private so users cannot call hooks out of order.
    pub trait ListHooks {
        /// Whether any extension is enabled.
        fn any_enabled(&self) -> bool;
        /// Client: appends each extension's offer (`name[; params]`) to `out`, comma
        /// separated (RFC 6455 §9.1); returns a bit per extension that made an offer.
        fn offer_all(&mut self, out: &mut String) -> u8;
        /// Server: offers the element to the first extension named in it that has not
        /// accepted yet (bit clear in `accepted`); appends its answer element to `out`.
        fn accept_offer(&mut self, offer: &str, accepted: &mut u8, out: &mut String);
        /// Client: hands an answer element to the extension it names, which must have
        /// offered (bit in `offered`) and not been answered yet (bit in `answered`).
        fn finalize_answer(
            &mut self,
            answer: &str,
            offered: u8,
            answered: &mut u8,
        ) -> Result<(), AnswerError>;
        /// Runs `release_idle_memory` on every extension.
        fn release_idle_memory(&mut self);
    }

    /// Why the client refuses a server's extension answer (RFC 6455 §9.1: the server's choices
    /// must come from the client's offers, one answer per offer).
    #[derive(Debug)]
    pub enum AnswerError {
        /// The answer names an extension that made no offer.
        NotOffered(String),
        /// The extension was answered already.
        AnsweredTwice(String),
        /// The extension refused the answer's parameters.
        Refused(ExtensionError),
    }

    /// The receiving hooks of a whole list, as one object: the receive pipeline is compiled
    /// once and calls the list through this trait, whatever the list's type.
    pub trait InboundHooks {
        /// RSV bits (first-byte position) the enabled extensions use on this frame.
        fn inbound_header(&mut self, ctx: &FrameContext, header: &Header) -> Result<u8, HookError>;
        /// Passes a piece of payload through the extensions in list order: each runs
        /// `inbound_payload` and, if the piece ends the frame (`end` holds its FIN bit),
        /// `inbound_complete`, before the next extension sees the result.
        fn inbound_piece(
            &mut self,
            ctx: &FrameContext,
            payload: &mut BytesMut,
            end: Option<bool>,
        ) -> Result<(), HookError>;
    }

    /// The sending hook of a whole list, as one object (see [`InboundHooks`]).
    pub trait OutboundHooks {
        /// Runs `outbound` in reverse list order.
        fn outbound(
            &mut self,
            ctx: &FrameContext,
            frame: &mut OutboundFrame,
        ) -> Result<(), HookError>;
    }
}

pub(crate) use sealed::{AnswerError, InboundHooks, ListHooks, OutboundHooks};

impl ExtensionList for () {
    const RSV_MASK: u8 = 0;
    const LEN: usize = 0;
    fn for_each_name(&self, _: &mut dyn FnMut(&'static str, bool)) {}
}

impl InboundHooks for () {
    fn inbound_header(&mut self, _: &FrameContext, _: &Header) -> Result<u8, HookError> {
        Ok(0)
    }
    fn inbound_piece(
        &mut self,
        _: &FrameContext,
        _: &mut BytesMut,
        _: Option<bool>,
    ) -> Result<(), HookError> {
        Ok(())
    }
}

impl OutboundHooks for () {
    fn outbound(&mut self, _: &FrameContext, _: &mut OutboundFrame) -> Result<(), HookError> {
        Ok(())
    }
}

impl ListHooks for () {
    fn any_enabled(&self) -> bool {
        false
    }
    fn offer_all(&mut self, _: &mut String) -> u8 {
        0
    }
    fn accept_offer(&mut self, _: &str, _: &mut u8, _: &mut String) {}
    fn finalize_answer(&mut self, answer: &str, _: u8, _: &mut u8) -> Result<(), AnswerError> {
        Err(AnswerError::NotOffered(extension_name(answer).to_owned()))
    }
    fn release_idle_memory(&mut self) {}
}

/// The list's receiving hooks as one object, if an extension is enabled: with none, payloads
/// skip the extensions' stage of the receive pipeline.
pub(crate) fn inbound_hooks<E: ExtensionList>(list: &mut E) -> Option<&mut dyn InboundHooks> {
    if E::LEN > 0 && list.any_enabled() {
        Some(list)
    } else {
        None
    }
}

/// The list's sending hook as one object, if an extension is enabled.
pub(crate) fn outbound_hooks<E: ExtensionList>(list: &mut E) -> Option<&mut dyn OutboundHooks> {
    if E::LEN > 0 && list.any_enabled() {
        Some(list)
    } else {
        None
    }
}

/// The RSV claims of a whole list, joined: defined only when no two extensions claim the
/// same bit (RFC 6455 §5.2), so a list that breaks the rule is not an [`ExtensionList`] and
/// the error names the rule at type-check time.
pub trait ListClaims {
    /// Every bit an extension of the list claims.
    type Union: RsvClaim;
}

impl<A: Extension> ListClaims for (A,) {
    type Union = A::Rsv;
}

impl<A: Extension, B: Extension> ListClaims for (A, B)
where
    A::Rsv: Disjoint<B::Rsv>,
{
    type Union = <A::Rsv as Disjoint<B::Rsv>>::Union;
}

impl<A: Extension, B: Extension, C: Extension> ListClaims for (A, B, C)
where
    (A, B): ListClaims,
    <(A, B) as ListClaims>::Union: Disjoint<C::Rsv>,
{
    type Union = <<(A, B) as ListClaims>::Union as Disjoint<C::Rsv>>::Union;
}

impl<A: Extension, B: Extension, C: Extension, D: Extension> ListClaims for (A, B, C, D)
where
    (A, B, C): ListClaims,
    <(A, B, C) as ListClaims>::Union: Disjoint<D::Rsv>,
{
    type Union = <<(A, B, C) as ListClaims>::Union as Disjoint<D::Rsv>>::Union;
}

macro_rules! tuple_list {
    ($len:expr; $($name:ident . $idx:tt),+; rev $($rname:ident . $ridx:tt),+) => {
        impl<$($name: Extension),+> ExtensionList for ($($name,)+)
        where
            Self: ListClaims,
        {
            const RSV_MASK: u8 = <<Self as ListClaims>::Union as RsvClaim>::BITS.to_byte();
            const LEN: usize = $len;
            fn for_each_name(&self, f: &mut dyn FnMut(&'static str, bool)) {
                $(f($name::NAME, self.$idx.enabled());)+
            }
        }

        impl<$($name: Extension),+> InboundHooks for ($($name,)+) {
            fn inbound_header(&mut self, ctx: &FrameContext, header: &Header) -> Result<u8, HookError> {
                let mut used = 0;
                $(if self.$idx.enabled() {
                    let bits = self.$idx.inbound_header(ctx, header).map_err(|c| ($name::NAME, c))?;
                    used |= bits.to_byte();
                })+
                Ok(used)
            }
            fn inbound_piece(&mut self, ctx: &FrameContext, payload: &mut BytesMut, end: Option<bool>) -> Result<(), HookError> {
                $(if self.$idx.enabled() {
                    self.$idx.inbound_payload(ctx, payload).map_err(|c| ($name::NAME, c))?;
                    if let Some(fin) = end {
                        self.$idx.inbound_complete(ctx, fin, payload).map_err(|c| ($name::NAME, c))?;
                    }
                })+
                Ok(())
            }
        }

        impl<$($name: Extension),+> OutboundHooks for ($($name,)+) {
            fn outbound(&mut self, ctx: &FrameContext, frame: &mut OutboundFrame) -> Result<(), HookError> {
                $(if self.$ridx.enabled() {
                    self.$ridx.outbound(ctx, frame).map_err(|c| ($rname::NAME, c))?;
                })+
                Ok(())
            }
        }

        impl<$($name: Extension),+> ListHooks for ($($name,)+) {
            fn any_enabled(&self) -> bool {
                false $(|| self.$idx.enabled())+
            }
            fn offer_all(&mut self, out: &mut String) -> u8 {
                let mut offered = 0;
                $(
                    let mut params = String::new();
                    if self.$idx.offer(&mut params) {
                        if !out.is_empty() {
                            out.push_str(", ");
                        }
                        out.push_str($name::NAME);
                        out.push_str(&params);
                        offered |= 1 << $idx;
                    }
                )+
                offered
            }
            fn accept_offer(&mut self, offer: &str, accepted: &mut u8, out: &mut String) {
                let name = crate::token_list::extension_name(offer);
                $(
                    if name == $name::NAME && *accepted & (1 << $idx) == 0 {
                        let mut params = String::new();
                        if self.$idx.accept(offer, &mut params) {
                            *accepted |= 1 << $idx;
                            if !out.is_empty() {
                                out.push_str(", ");
                            }
                            out.push_str($name::NAME);
                            out.push_str(&params);
                        }
                        return;
                    }
                )+
            }
            fn finalize_answer(&mut self, answer: &str, offered: u8, answered: &mut u8) -> Result<(), AnswerError> {
                let name = extension_name(answer);
                $(
                    if name == $name::NAME && offered & (1 << $idx) != 0 {
                        if *answered & (1 << $idx) != 0 {
                            return Err(AnswerError::AnsweredTwice(name.to_owned()));
                        }
                        *answered |= 1 << $idx;
                        return self.$idx.finalize(answer).map_err(AnswerError::Refused);
                    }
                )+
                Err(AnswerError::NotOffered(name.to_owned()))
            }
            fn release_idle_memory(&mut self) {
                $(self.$idx.release_idle_memory();)+
            }
        }
    };
}

tuple_list!(1; A.0; rev A.0);
tuple_list!(2; A.0, B.1; rev B.1, A.0);
tuple_list!(3; A.0, B.1, C.2; rev C.2, B.1, A.0);
tuple_list!(4; A.0, B.1, C.2, D.3; rev D.3, C.2, B.1, A.0);
