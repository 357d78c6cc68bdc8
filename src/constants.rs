//! The protocol's numeric constants, named as in Python wsproto's `frame_protocol`
//! (RFC 6455 §5.2 framing, §7.4 close codes, §4.2.2 handshake).

use crate::close_code::CloseReason;

/// Seven-bit length value announcing a 16-bit extended length (RFC 6455 §5.2).
pub const PAYLOAD_LENGTH_TWO_BYTE: u8 = 126;
/// Seven-bit length value announcing a 64-bit extended length (RFC 6455 §5.2).
pub const PAYLOAD_LENGTH_EIGHT_BYTE: u8 = 127;
/// Largest payload length the seven-bit field holds directly (RFC 6455 §5.2), which is also
/// the largest control-frame payload (§5.5).
pub const MAX_PAYLOAD_NORMAL: u64 = 125;
/// Largest payload length of the 16-bit extended length (RFC 6455 §5.2).
pub const MAX_PAYLOAD_TWO_BYTE: u64 = 65_535;
/// Largest value of the 64-bit extended length field (RFC 6455 §5.2).
pub const MAX_PAYLOAD_EIGHT_BYTE: u64 = u64::MAX;
/// Largest payload a frame header can announce (RFC 6455 §5.2).
pub const MAX_FRAME_PAYLOAD: u64 = MAX_PAYLOAD_EIGHT_BYTE;

/// FIN bit of the first header byte (RFC 6455 §5.2).
pub const FIN_MASK: u8 = 0x80;
/// RSV1 bit of the first header byte (RFC 6455 §5.2).
pub const RSV1_MASK: u8 = 0x40;
/// RSV2 bit of the first header byte (RFC 6455 §5.2).
pub const RSV2_MASK: u8 = 0x20;
/// RSV3 bit of the first header byte (RFC 6455 §5.2).
pub const RSV3_MASK: u8 = 0x10;
/// Opcode bits of the first header byte (RFC 6455 §5.2).
pub const OPCODE_MASK: u8 = 0x0F;
/// MASK bit of the second header byte (RFC 6455 §5.2).
pub const MASK_MASK: u8 = 0x80;
/// Seven-bit payload length of the second header byte (RFC 6455 §5.2).
pub const PAYLOAD_LEN_MASK: u8 = 0x7F;

/// The protocol version this crate speaks, as sent in `Sec-WebSocket-Version` (RFC 6455 §4.1).
pub const WEBSOCKET_VERSION: &str = "13";

/// Smallest close code that may appear on the wire (RFC 6455 §7.4.2).
pub const MIN_CLOSE_REASON: u16 = CloseReason::FIRST_WIRE_CODE;
/// First code reserved for the protocol itself (RFC 6455 §7.4.2).
pub const MIN_PROTOCOL_CLOSE_REASON: u16 = 1000;
/// Last code reserved for the protocol itself (RFC 6455 §7.4.2).
pub const MAX_PROTOCOL_CLOSE_REASON: u16 = CloseReason::LAST_PROTOCOL_CODE;
/// First code registered with IANA for libraries and frameworks (RFC 6455 §7.4.2).
pub const MIN_LIBRARY_CLOSE_REASON: u16 = 3000;
/// Last code registered with IANA for libraries and frameworks (RFC 6455 §7.4.2).
pub const MAX_LIBRARY_CLOSE_REASON: u16 = 3999;
/// First code for private use between applications (RFC 6455 §7.4.2).
pub const MIN_PRIVATE_CLOSE_REASON: u16 = 4000;
/// Last code for private use between applications (RFC 6455 §7.4.2).
pub const MAX_PRIVATE_CLOSE_REASON: u16 = 4999;
/// Largest close code that may appear on the wire (RFC 6455 §7.4.2).
pub const MAX_CLOSE_REASON: u16 = CloseReason::LAST_WIRE_CODE;

/// Codes an endpoint reports locally but must never send in a close frame (RFC 6455 §7.4.1).
pub const LOCAL_ONLY_CLOSE_REASONS: [CloseReason; 3] = [
    CloseReason::NO_STATUS_RCVD,
    CloseReason::ABNORMAL_CLOSURE,
    CloseReason::TLS_HANDSHAKE_FAILED,
];

/// GUID appended to the client's key to compute `Sec-WebSocket-Accept` (RFC 6455 §4.2.2).
pub const ACCEPT_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The all-zero mask: XOR with it leaves a payload unchanged (RFC 6455 §5.3).
pub const NULL_MASK: [u8; 4] = [0; 4];
