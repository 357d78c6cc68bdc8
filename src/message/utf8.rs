//! Streaming UTF-8 validation for text messages (RFC 6455 §5.6, §8.1): fails at the first
//! byte that cannot start or continue a valid sequence, wherever frame and read boundaries
//! fall, and carries at most 3 bytes of an unfinished sequence to the next piece.

use bytes::{Bytes, BytesMut};
use simdutf8::compat::from_utf8;

use crate::close_code::CloseReason;
use crate::error::ParseFailed;
use crate::text::Utf8Bytes;

/// Validates a text message piece by piece.
#[derive(Clone, Debug, Default)]
pub(crate) struct Utf8Stream {
    /// Bytes of a sequence that the previous piece started.
    carry: [u8; 4],
    carry_len: usize,
    /// Bytes of the message validated so far, for error messages.
    position: u64,
}

impl Utf8Stream {
    /// Validates the next piece; `last` says whether it ends the message. Returns the text
    /// made of whole characters: an unfinished sequence at the end is kept for next time.
    pub(crate) fn feed(&mut self, data: Bytes, last: bool) -> Result<Utf8Bytes, ParseFailed> {
        if self.carry_len == 0 {
            return self.feed_aligned(data, last);
        }
        // The carry is an unfinished sequence (the validator said so), so it is shorter than
        // its lead byte's width: `carry_len < width <= 4` and `carry_len + take <= 4`.
        let width = sequence_width(self.carry[0]);
        let take = (width - self.carry_len).min(data.len());
        let mut joined = [0u8; 4];
        joined[..self.carry_len].copy_from_slice(&self.carry[..self.carry_len]);
        joined[self.carry_len..self.carry_len + take].copy_from_slice(&data[..take]);
        let joined_len = self.carry_len + take;
        let valid = check_text_so_far(&joined[..joined_len], self.position)?;
        if valid < joined_len {
            // Still unfinished: the piece was shorter than the sequence.
            if last {
                check_text_ends(valid, joined_len, self.position)?;
            }
            self.carry = joined;
            self.carry_len = joined_len;
            return Ok(Utf8Bytes::default());
        }
        self.carry_len = 0;
        self.position += joined_len as u64;
        let rest = self.feed_aligned(data.slice(take..), last)?;
        // The completed character and the rest must be one contiguous text: copy. Only the
        // first piece after a frame boundary that split a character pays this.
        let mut text = BytesMut::with_capacity(joined_len + rest.len());
        text.extend_from_slice(&joined[..joined_len]);
        text.extend_from_slice(rest.as_bytes());
        Ok(Utf8Bytes::from_validated(text.freeze()))
    }

    /// Validates a piece that starts on a character boundary.
    fn feed_aligned(&mut self, data: Bytes, last: bool) -> Result<Utf8Bytes, ParseFailed> {
        let valid = check_text_so_far(&data, self.position)?;
        if last {
            check_text_ends(valid, data.len(), self.position)?;
        }
        self.position += valid as u64;
        let tail = &data[valid..];
        self.carry[..tail.len()].copy_from_slice(tail);
        self.carry_len = tail.len();
        if valid == data.len() {
            return Ok(Utf8Bytes::from_validated(data));
        }
        Ok(Utf8Bytes::from_validated(data.slice(..valid)))
    }
}

/// Validates text that starts on a character boundary: `Ok` with the length of its prefix of
/// whole characters (an unfinished but so far valid sequence may follow), or `Err` with the
/// offset of the first byte that cannot be valid whatever follows.
#[inline]
pub(crate) fn whole_characters(data: &[u8]) -> Result<usize, usize> {
    // Most text is valid: the plain check is the faster one, and only a failure needs the
    // detailed one. A piece of a text often ends inside a character, which the plain check
    // would call invalid: check the bytes before that character with it, and the few bytes
    // of the character apart.
    let whole = last_character_start(data);
    if simdutf8::basic::from_utf8(&data[..whole]).is_ok() {
        return match from_utf8(&data[whole..]) {
            Ok(_) => Ok(data.len()),
            Err(e) if e.error_len().is_none() => Ok(whole + e.valid_up_to()),
            Err(e) => Err(whole + e.valid_up_to()),
        };
    }
    match from_utf8(data) {
        Ok(_) => Ok(data.len()),
        Err(e) if e.error_len().is_none() => Ok(e.valid_up_to()),
        Err(e) => Err(e.valid_up_to()),
    }
}

/// Where the last character of `data` starts if it looks unfinished (its lead byte says it
/// is longer than what is left), else `data.len()`. Only a hint: the validator decides.
#[inline]
fn last_character_start(data: &[u8]) -> usize {
    let start = data.len().saturating_sub(3);
    match (start..data.len()).rev().find(|&i| data[i] & 0xC0 != 0x80) {
        Some(lead) if sequence_width(data[lead]) > data.len() - lead => lead,
        _ => data.len(),
    }
}

/// RFC 6455 §8.1, as a text message's bytes arrive ("When an endpoint is to interpret a byte
/// stream as UTF-8 but finds that the byte stream is not, in fact, a valid UTF-8 stream,
/// that endpoint MUST _Fail the WebSocket Connection_"): `text` continues a message whose
/// bytes before it are whole characters, and begins at message offset `position`. Returns
/// how many of its bytes are whole characters (an unfinished character at its end may still
/// be completed), or fails at the first byte that no continuation can make valid.
#[inline]
pub(crate) fn check_text_so_far(text: &[u8], position: u64) -> Result<usize, ParseFailed> {
    whole_characters(text).map_err(|offset| invalid_utf8(position + offset as u64))
}

/// RFC 6455 §8.1 at a text message's end: it must not end inside a character. `valid` of the
/// last `len` bytes, which begin at message offset `position`, are whole characters.
#[inline]
pub(crate) fn check_text_ends(valid: usize, len: usize, position: u64) -> Result<(), ParseFailed> {
    if valid == len {
        Ok(())
    } else {
        Err(truncated_utf8(position + valid as u64))
    }
}

/// The error for a text message with an invalid byte at `position` (RFC 6455 §8.1: 1007).
#[cold]
pub(crate) fn invalid_utf8(position: u64) -> ParseFailed {
    ParseFailed::new(
        format!("text message is not valid UTF-8 at byte {position} (RFC 6455 §8.1)"),
        CloseReason::INVALID_FRAME_PAYLOAD_DATA,
    )
}

/// The error for a text message that ends inside a character starting at `position`.
#[cold]
pub(crate) fn truncated_utf8(position: u64) -> ParseFailed {
    ParseFailed::new(
        format!("text message ends inside a UTF-8 sequence at byte {position} (RFC 6455 §8.1)"),
        CloseReason::INVALID_FRAME_PAYLOAD_DATA,
    )
}

/// Length of the sequence a lead byte starts (1 for ASCII and for bytes that cannot lead,
/// which the validator rejects anyway).
fn sequence_width(lead: u8) -> usize {
    match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn feed_all(pieces: &[&[u8]]) -> Result<String, ParseFailed> {
        let mut stream = Utf8Stream::default();
        let mut text = String::new();
        for (i, piece) in pieces.iter().enumerate() {
            let last = i + 1 == pieces.len();
            text.push_str(&stream.feed(Bytes::copy_from_slice(piece), last)?);
        }
        Ok(text)
    }

    #[test]
    fn joins_a_character_split_over_many_pieces() {
        let clef = "𝄞".as_bytes(); // F0 9D 84 9E
        assert_eq!(
            feed_all(&[b"a", &clef[..1], &clef[1..2], &clef[2..3], &clef[3..], b"b"]).unwrap(),
            "a𝄞b"
        );
    }

    #[test]
    fn fails_on_the_first_impossible_byte_not_at_the_end() {
        let mut stream = Utf8Stream::default();
        // 0xF4 0x90 can never start a valid sequence (above U+10FFFF): fail before the end.
        let err = stream
            .feed(Bytes::from_static(b"ok\xf4\x90"), false)
            .unwrap_err();
        assert_eq!(err.code(), CloseReason::INVALID_FRAME_PAYLOAD_DATA);
        assert!(err.message().contains("at byte 2"), "{err}");
        let mut stream = Utf8Stream::default();
        stream.feed(Bytes::from_static(b"\xed"), false).unwrap();
        // ED A0 starts a surrogate: invalid as soon as the second byte arrives.
        assert!(stream.feed(Bytes::from_static(b"\xa0"), false).is_err());
    }

    #[test]
    fn rejects_a_message_ending_inside_a_sequence() {
        let err = feed_all(&[b"ab\xe2\x82"]).unwrap_err();
        assert!(err.message().contains("ends inside"), "{err}");
        assert!(feed_all(&[b"ab\xe2", b"\x82"]).is_err());
    }

    proptest! {
        #[test]
        fn any_chunking_agrees_with_std(data in proptest::collection::vec(any::<u8>(), 0..40), cuts in proptest::collection::vec(0usize..40, 0..6)) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
            cuts.sort();
            let mut pieces = Vec::new();
            let mut at = 0;
            for cut in cuts { pieces.push(&data[at..cut]); at = cut; }
            pieces.push(&data[at..]);
            let ours = feed_all(&pieces);
            match std::str::from_utf8(&data) {
                Ok(text) => prop_assert_eq!(ours.unwrap(), text),
                Err(_) => prop_assert!(ours.is_err()),
            }
        }

        #[test]
        fn valid_text_in_any_chunking(text in "\\PC{0,20}", cut in 0usize..80) {
            let bytes = text.as_bytes();
            let cut = cut.min(bytes.len());
            prop_assert_eq!(feed_all(&[&bytes[..cut], &bytes[cut..]]).unwrap(), text);
        }
    }
}
