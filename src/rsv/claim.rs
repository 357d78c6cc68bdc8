//! RSV claims as types (RFC 6455 §5.2: an RSV bit "MUST be 0 unless an extension is
//! negotiated that defines meanings for non-zero values"), so that two extensions claiming
//! the same bit make a list that does not type-check: the error appears in `cargo check`
//! and in an editor, not only when the program is built.
//!
//! A claim is [`Claim`] with one marker per bit, [`Claimed`] or [`Free`]; [`NoRsv`],
//! [`Rsv1`], [`Rsv2`] and [`Rsv3`] name the common ones. Two claims are [`Disjoint`] when
//! no bit is [`Claimed`] in both, which the trait solver decides bit by bit.
//!
//! ```compile_fail
//! // RSV1 twice: "two extensions in this list claim the same RSV bit (RFC 6455 §5.2)"
//! fn overlap<T: wsproto::rsv::Disjoint<wsproto::rsv::Rsv1>>() {}
//! overlap::<wsproto::rsv::Rsv1>();
//! ```

use std::marker::PhantomData;

use crate::rsv::RsvBits;

/// An RSV bit the claim uses.
#[derive(Debug)]
pub enum Claimed {}

/// An RSV bit the claim leaves alone.
#[derive(Debug)]
pub enum Free {}

/// The RSV bits an extension claims, RSV1 to RSV3: each [`Claimed`] or [`Free`].
#[derive(Debug)]
pub struct Claim<R1, R2, R3>(PhantomData<(R1, R2, R3)>);

/// No RSV bit (an extension that does not mark frames).
pub type NoRsv = Claim<Free, Free, Free>;
/// RSV1 (permessage-deflate's, RFC 7692 §6).
pub type Rsv1 = Claim<Claimed, Free, Free>;
/// RSV2.
pub type Rsv2 = Claim<Free, Claimed, Free>;
/// RSV3.
pub type Rsv3 = Claim<Free, Free, Claimed>;

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Claimed {}
    impl Sealed for super::Free {}
    impl<R1, R2, R3> Sealed for super::Claim<R1, R2, R3> {}
}

/// One bit of a claim: [`Claimed`] or [`Free`]. Sealed.
pub trait Bit: sealed::Sealed {
    /// Whether the bit is claimed.
    const SET: bool;
}

impl Bit for Claimed {
    const SET: bool = true;
}

impl Bit for Free {
    const SET: bool = false;
}

/// One bit of two claims, joined: implemented only where at most one of them claims it.
/// Sealed.
#[diagnostic::on_unimplemented(
    message = "two extensions in this list claim the same RSV bit (RFC 6455 §5.2)",
    label = "an RSV bit claimed twice",
    note = "an RSV bit means what the one negotiated extension that uses it says: give each extension bits of its own"
)]
pub trait BitUnion<Other>: sealed::Sealed {
    /// The joined bit.
    type Output: Bit;
}

impl BitUnion<Free> for Free {
    type Output = Free;
}

impl BitUnion<Claimed> for Free {
    type Output = Claimed;
}

impl BitUnion<Free> for Claimed {
    type Output = Claimed;
}

/// The RSV bits of an extension, as a type: [`Claim`]. Sealed.
pub trait RsvClaim: sealed::Sealed {
    /// The bits, as a value.
    const BITS: RsvBits;
}

impl<R1: Bit, R2: Bit, R3: Bit> RsvClaim for Claim<R1, R2, R3> {
    const BITS: RsvBits = RsvBits {
        rsv1: R1::SET,
        rsv2: R2::SET,
        rsv3: R3::SET,
    };
}

/// Two claims without a common bit, and the claim of both. Sealed.
pub trait Disjoint<Other>: sealed::Sealed {
    /// Every bit either claims.
    type Union: RsvClaim;
}

impl<A1, A2, A3, B1: Bit, B2: Bit, B3: Bit> Disjoint<Claim<B1, B2, B3>> for Claim<A1, A2, A3>
where
    A1: BitUnion<B1>,
    A2: BitUnion<B2>,
    A3: BitUnion<B3>,
{
    type Union = Claim<A1::Output, A2::Output, A3::Output>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn union<A: Disjoint<B>, B>() -> RsvBits {
        A::Union::BITS
    }

    #[test]
    fn disjoint_claims_join() {
        assert_eq!(NoRsv::BITS, RsvBits::NONE);
        assert_eq!(union::<Rsv1, Rsv3>(), RsvBits::RSV1 | RsvBits::RSV3);
        assert_eq!(union::<NoRsv, Rsv2>(), RsvBits::RSV2);
        assert_eq!(
            union::<Claim<Claimed, Claimed, Free>, Rsv3>().to_byte(),
            0x70
        );
    }
}
