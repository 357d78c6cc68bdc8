//! Frame opcodes (RFC 6455 §5.2, §11.8).

use std::fmt;

/// A frame's opcode (RFC 6455 §5.2). The reserved values 0x3-0x7 and 0xB-0xF have no
/// variant: receiving one fails the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Opcode {
    /// 0x0: continues a fragmented message (RFC 6455 §5.4).
    Continuation = 0x0,
    /// 0x1: first frame of a UTF-8 text message (RFC 6455 §5.6).
    Text = 0x1,
    /// 0x2: first frame of a binary message (RFC 6455 §5.6).
    Binary = 0x2,
    /// 0x8: close (RFC 6455 §5.5.1).
    Close = 0x8,
    /// 0x9: ping (RFC 6455 §5.5.2).
    Ping = 0x9,
    /// 0xA: pong (RFC 6455 §5.5.3).
    Pong = 0xA,
}

impl Opcode {
    /// Whether this is a control frame opcode (most significant opcode bit set, RFC 6455 §5.5).
    pub const fn is_control(self) -> bool {
        (self as u8) & 0x8 != 0
    }

    /// Python wsproto's name for this opcode (`TEXT`, `CONTINUATION`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Opcode::Continuation => "CONTINUATION",
            Opcode::Text => "TEXT",
            Opcode::Binary => "BINARY",
            Opcode::Close => "CLOSE",
            Opcode::Ping => "PING",
            Opcode::Pong => "PONG",
        }
    }
}

/// A reserved opcode value (RFC 6455 §5.2: 0x3-0x7 and 0xB-0xF), or a value over 0xF.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("opcode {0:#x} is reserved (RFC 6455 §5.2)")]
pub struct InvalidOpcode(pub u8);

impl TryFrom<u8> for Opcode {
    type Error = InvalidOpcode;
    fn try_from(value: u8) -> Result<Self, InvalidOpcode> {
        Ok(match value {
            0x0 => Opcode::Continuation,
            0x1 => Opcode::Text,
            0x2 => Opcode::Binary,
            0x8 => Opcode::Close,
            0x9 => Opcode::Ping,
            0xA => Opcode::Pong,
            other => return Err(InvalidOpcode(other)),
        })
    }
}

impl From<Opcode> for u8 {
    fn from(opcode: Opcode) -> u8 {
        opcode as u8
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_maps_to_its_opcode_or_an_error() {
        for value in 0..=u8::MAX {
            match Opcode::try_from(value) {
                Ok(op) => assert_eq!(u8::from(op), value),
                Err(e) => {
                    assert_eq!(e, InvalidOpcode(value));
                    assert!(!matches!(value, 0 | 1 | 2 | 8 | 9 | 10));
                }
            }
        }
        assert!(
            Opcode::Ping.is_control() && Opcode::Close.is_control() && Opcode::Pong.is_control()
        );
        assert!(!Opcode::Text.is_control() && !Opcode::Continuation.is_control());
    }
}
