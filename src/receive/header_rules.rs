//! The rules a received frame header must pass that depend on the endpoint: the role
//! (masking, RFC 6455 §5.1), the negotiated extensions (RSV bits, §5.2) and the limits.
//! The rules that depend on the header alone (opcodes, control frames, length encoding)
//! are checked as it is parsed, by [`parse_header_prefix`](crate::frame::header::parse_header_prefix).

use crate::close_code::CloseReason;
use crate::error::ParseFailed;
use crate::frame::Header;
use crate::limits::Limits;
use crate::opcode::Opcode;

/// RFC 6455 §5.2: the RSV bits "MUST be 0 unless an extension is negotiated that defines
/// meanings for non-zero values". `claimed` holds the bits the negotiated extensions said
/// this frame uses (first-header-byte position).
#[inline]
pub(crate) fn check_rsv_bits(header: &Header, claimed: u8) -> Result<(), ParseFailed> {
    let unclaimed = header.rsv.to_byte() & !claimed;
    if unclaimed != 0 {
        return Err(unclaimed_rsv_bits(header.opcode, unclaimed));
    }
    Ok(())
}

#[cold]
fn unclaimed_rsv_bits(opcode: Opcode, unclaimed: u8) -> ParseFailed {
    ParseFailed::protocol(format!(
        "{opcode} frame with RSV bits {unclaimed:#04x} set that no negotiated extension uses (RFC 6455 §5.2)"
    ))
}

/// RFC 6455 §5.1: a client sends every frame masked, a server none.
#[inline]
pub(crate) fn check_masking(masked: bool, is_client: bool) -> Result<(), ParseFailed> {
    if masked == is_client {
        return Err(wrongly_masked(is_client));
    }
    Ok(())
}

#[cold]
fn wrongly_masked(is_client: bool) -> ParseFailed {
    ParseFailed::protocol(if is_client {
        // "A client MUST close a connection if it detects a masked frame."
        "client received a masked frame (RFC 6455 §5.1)"
    } else {
        // "The server MUST close the connection upon receiving a frame that is not masked."
        "server received an unmasked frame (RFC 6455 §5.1)"
    })
}

/// The [`Limits`], checked on a header before any memory is committed to its payload; a
/// frame or message over a limit is "too big to process" (RFC 6455 §7.4.1, 1009). For a
/// data frame, `announced` and `fragments` are its message's so far, this frame counted.
#[inline]
pub(crate) fn check_limits(
    header: &Header,
    announced: u64,
    fragments: u64,
    limits: &Limits,
) -> Result<(), ParseFailed> {
    if header.payload_len > limits.max_frame_size {
        return Err(too_big_frame(header.payload_len, limits.max_frame_size));
    }
    if header.opcode.is_control() {
        return Ok(());
    }
    if announced > limits.max_message_size {
        return Err(too_big_message(announced, limits.max_message_size));
    }
    // Counted on every continuation header, empty frames included: no byte limit sees a
    // message made of empty fragments (Node ws CVE-2026-48779 counted only non-empty ones).
    if header.opcode == Opcode::Continuation && fragments > limits.max_fragments_per_message {
        return Err(too_many_fragments(
            fragments,
            limits.max_fragments_per_message,
        ));
    }
    Ok(())
}

#[cold]
fn too_big_frame(size: u64, limit: u64) -> ParseFailed {
    ParseFailed::new(
        format!(
            "frame of {size} bytes exceeds the limit of {limit} bytes per frame (Limits::max_frame_size)"
        ),
        CloseReason::MESSAGE_TOO_BIG,
    )
}

#[cold]
fn too_many_fragments(fragments: u64, limit: u64) -> ParseFailed {
    ParseFailed::new(
        format!(
            "message of at least {fragments} fragments exceeds the limit of {limit} fragments per message (Limits::max_fragments_per_message)"
        ),
        CloseReason::MESSAGE_TOO_BIG,
    )
}

/// A message of at least `size` bytes, over the `limit` of `Limits::max_message_size`.
#[cold]
pub(crate) fn too_big_message(size: u64, limit: u64) -> ParseFailed {
    ParseFailed::new(
        format!(
            "message of at least {size} bytes exceeds the limit of {limit} bytes per message (Limits::max_message_size)"
        ),
        CloseReason::MESSAGE_TOO_BIG,
    )
}
