//! The three reserved bits of a frame header (RFC 6455 §5.2), which belong to the
//! extensions that a handshake negotiated (§9): as values ([`RsvBits`]) and as the types
//! an extension claims them with ([`claim`]).

use std::fmt;

use crate::constants::{RSV1_MASK, RSV2_MASK, RSV3_MASK};

pub mod claim;

pub use claim::{Claim, Claimed, Disjoint, Free, NoRsv, Rsv1, Rsv2, Rsv3, RsvClaim};

/// The three reserved bits of a frame header, owned by extensions (RFC 6455 §5.2, §9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RsvBits {
    /// RSV1, used by permessage-deflate (RFC 7692 §6).
    pub rsv1: bool,
    /// RSV2.
    pub rsv2: bool,
    /// RSV3.
    pub rsv3: bool,
}

impl RsvBits {
    /// No bit set.
    pub const NONE: RsvBits = RsvBits {
        rsv1: false,
        rsv2: false,
        rsv3: false,
    };
    /// Only RSV1.
    pub const RSV1: RsvBits = RsvBits {
        rsv1: true,
        rsv2: false,
        rsv3: false,
    };
    /// Only RSV2.
    pub const RSV2: RsvBits = RsvBits {
        rsv1: false,
        rsv2: true,
        rsv3: false,
    };
    /// Only RSV3.
    pub const RSV3: RsvBits = RsvBits {
        rsv1: false,
        rsv2: false,
        rsv3: true,
    };

    /// The bits in their position in the first header byte (0x40, 0x20, 0x10).
    pub const fn to_byte(self) -> u8 {
        (if self.rsv1 { RSV1_MASK } else { 0 })
            | (if self.rsv2 { RSV2_MASK } else { 0 })
            | (if self.rsv3 { RSV3_MASK } else { 0 })
    }

    /// The RSV bits of a first header byte; other bits are ignored.
    pub const fn from_byte(byte: u8) -> RsvBits {
        RsvBits {
            rsv1: byte & RSV1_MASK != 0,
            rsv2: byte & RSV2_MASK != 0,
            rsv3: byte & RSV3_MASK != 0,
        }
    }

    /// Whether any bit is set.
    pub const fn any(self) -> bool {
        self.to_byte() != 0
    }
}

impl std::ops::BitOr for RsvBits {
    type Output = RsvBits;
    fn bitor(self, other: RsvBits) -> RsvBits {
        RsvBits::from_byte(self.to_byte() | other.to_byte())
    }
}

impl fmt::Display for RsvBits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bit = |set: bool, name| if set { name } else { "-" };
        write!(
            f,
            "{}{}{}",
            bit(self.rsv1, "1"),
            bit(self.rsv2, "2"),
            bit(self.rsv3, "3")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsv_bits_round_trip() {
        for byte in [0x00, 0x40, 0x20, 0x10, 0x70] {
            assert_eq!(RsvBits::from_byte(byte).to_byte(), byte);
        }
        assert_eq!((RsvBits::RSV1 | RsvBits::RSV3).to_string(), "1-3");
    }
}
