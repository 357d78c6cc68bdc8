//! [`Utf8Bytes`]: text that was validated once as UTF-8 (RFC 6455 §5.6) and is then handed
//! out without copying or validating again.
#![allow(unsafe_code)]

use std::fmt;
use std::ops::Deref;

use bytes::Bytes;

/// Immutable, cheaply clonable UTF-8 text sharing the receive buffer's memory.
///
/// ```
/// use wsproto::Utf8Bytes;
/// let text = Utf8Bytes::from("héllo");
/// assert_eq!(text.as_str(), "héllo");
/// assert_eq!(text.len(), 6);
/// assert!(Utf8Bytes::try_from(bytes::Bytes::from_static(b"\xff")).is_err());
/// ```
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Utf8Bytes(Bytes);

impl Utf8Bytes {
    /// Wraps bytes the caller has already validated.
    ///
    /// Kept crate-private: every call site validates first (the streaming validator in
    /// `message::utf8` or `TryFrom`), which is what makes [`Utf8Bytes::as_str`] sound.
    pub(crate) fn from_validated(bytes: Bytes) -> Self {
        debug_assert!(std::str::from_utf8(&bytes).is_ok());
        Utf8Bytes(bytes)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // SAFETY: `self.0` is valid UTF-8: the only constructors are `from_validated` (whose
        // callers validate, checked again in debug builds), `TryFrom<Bytes>` (validates) and
        // the `From<&str>`/`From<String>` impls (valid by type). `Bytes` is immutable, so the
        // bytes cannot change after validation. This skips a second validation pass, which
        // costs as much as the receive path's whole copy on large text messages.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }

    /// The underlying bytes, without copying.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// The underlying bytes.
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }
}

/// Bytes the crate validated as UTF-8 and has kept unchanged since, as text.
///
/// Crate-private for the same reason as [`Utf8Bytes::from_validated`]: every caller passes
/// bytes the receive pipeline's text stage validated (`message::utf8::whole_characters`)
/// and that stayed in its payload buffer, untouched, until now; debug builds check again.
pub(crate) fn str_from_validated(bytes: &[u8]) -> &str {
    debug_assert!(std::str::from_utf8(bytes).is_ok());
    // SAFETY: the caller's bytes are valid UTF-8 (see above): validated when they arrived,
    // in the buffer the pipeline alone writes, which appends and never rewrites delivered
    // bytes. Validating again would cost as much as the copy that received them.
    unsafe { std::str::from_utf8_unchecked(bytes) }
}

impl Deref for Utf8Bytes {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Utf8Bytes {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for Utf8Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl TryFrom<Bytes> for Utf8Bytes {
    type Error = std::str::Utf8Error;
    fn try_from(bytes: Bytes) -> Result<Self, Self::Error> {
        std::str::from_utf8(&bytes)?;
        Ok(Utf8Bytes(bytes))
    }
}

impl From<&'static str> for Utf8Bytes {
    fn from(text: &'static str) -> Self {
        Utf8Bytes(Bytes::from_static(text.as_bytes()))
    }
}

impl From<String> for Utf8Bytes {
    fn from(text: String) -> Self {
        Utf8Bytes(Bytes::from(text.into_bytes()))
    }
}

impl From<Utf8Bytes> for Bytes {
    fn from(text: Utf8Bytes) -> Self {
        text.0
    }
}

impl PartialEq<str> for Utf8Bytes {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Utf8Bytes {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for Utf8Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Utf8Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_valid_utf8_gets_in() {
        assert!(Utf8Bytes::try_from(Bytes::from_static(b"\xe2\x82")).is_err());
        assert!(Utf8Bytes::try_from(Bytes::from_static(b"\xed\xa0\x80")).is_err());
        let text = Utf8Bytes::try_from(Bytes::from_static("𝄞 ok".as_bytes())).unwrap();
        assert_eq!(text, "𝄞 ok");
        assert_eq!(text.to_string(), "𝄞 ok");
        assert_eq!(format!("{text:?}"), "\"𝄞 ok\"");
        assert_eq!(
            Utf8Bytes::from(String::from("x")).into_bytes(),
            Bytes::from_static(b"x")
        );
    }
}
