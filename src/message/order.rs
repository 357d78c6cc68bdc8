//! Fragment order (RFC 6455 §5.4): "the fragments of one message MUST NOT be interleaved
//! between the fragments of another message". A message starts with a TEXT or BINARY frame
//! and goes on with CONTINUATION frames until one has FIN set; control frames may come in
//! between, and are not part of the order.

use crate::error::ParseFailed;
use crate::opcode::Opcode;

/// The opcode of the message a data frame belongs to, given the opcode of the message still
/// open, if any: a CONTINUATION needs a message to continue, and a new message must not
/// start inside one (RFC 6455 §5.4).
///
/// This function decides the rule for received frames wherever they are handled: in the
/// receive pipeline and in [`MessageDecoder`](crate::message::MessageDecoder).
pub(crate) fn message_opcode(open: Option<Opcode>, frame: Opcode) -> Result<Opcode, ParseFailed> {
    match (open, frame) {
        (None, Opcode::Continuation) => Err(ParseFailed::protocol(
            "CONTINUATION frame without a message to continue (RFC 6455 §5.4)",
        )),
        (None, opcode) => Ok(opcode),
        (Some(open), Opcode::Continuation) => Ok(open),
        (Some(open), opcode) => Err(ParseFailed::protocol(format!(
            "{opcode} frame inside an unfinished {open} message: expected CONTINUATION (RFC 6455 §5.4)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_starts_with_data_and_continues_with_continuations() {
        let ok = |open, frame| message_opcode(open, frame).unwrap();
        assert_eq!(ok(None, Opcode::Text), Opcode::Text);
        assert_eq!(
            ok(Some(Opcode::Binary), Opcode::Continuation),
            Opcode::Binary
        );
        for (open, frame) in [
            (None, Opcode::Continuation),
            (Some(Opcode::Text), Opcode::Text),
            (Some(Opcode::Text), Opcode::Binary),
        ] {
            let error = message_opcode(open, frame).unwrap_err();
            assert_eq!(error.code(), crate::close_code::CloseReason::PROTOCOL_ERROR);
            assert!(error.message().contains("§5.4"), "{error}");
        }
    }
}
