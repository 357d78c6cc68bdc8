//! Where a client's masking keys come from (RFC 6455 §5.3: "The masking key MUST be derived
//! from a strong source of entropy").

use std::fmt;

/// A source of masking keys for a [`Client`](crate::Client). The default draws from the
/// operating system's CSPRNG; plug in your own for deterministic tests.
///
/// Any `FnMut() -> [u8; 4] + Send` is a source:
/// ```
/// use wsproto::{Client, FrameProtocol};
/// let mut proto = FrameProtocol::<Client>::new(()).with_mask_key_source(|| [1, 2, 3, 4]);
/// let bytes = proto.send_data("Hi", true).unwrap();
/// assert_eq!(bytes, [0x81, 0x82, 1, 2, 3, 4, b'H' ^ 1, b'i' ^ 2]);
/// ```
pub trait MaskKeySource: Send {
    /// The key for the next frame.
    fn next_key(&mut self) -> Result<[u8; 4], getrandom::Error>;
}

impl<F: FnMut() -> [u8; 4] + Send> MaskKeySource for F {
    fn next_key(&mut self) -> Result<[u8; 4], getrandom::Error> {
        Ok(self())
    }
}

/// Keys from the operating system's CSPRNG, fetched 64 at a time so that a client sending
/// small frames does not pay a system call per frame.
pub struct OsRandomKeys {
    pool: [u8; 256],
    next: usize,
}

impl Default for OsRandomKeys {
    fn default() -> Self {
        OsRandomKeys {
            pool: [0; 256],
            next: 256,
        }
    }
}

impl MaskKeySource for OsRandomKeys {
    fn next_key(&mut self) -> Result<[u8; 4], getrandom::Error> {
        if self.next + 4 > self.pool.len() {
            getrandom::fill(&mut self.pool)?;
            self.next = 0;
        }
        let mut key = [0; 4];
        key.copy_from_slice(&self.pool[self.next..self.next + 4]);
        // Each key is used once: wipe it from the pool.
        self.pool[self.next..self.next + 4].fill(0);
        self.next += 4;
        Ok(key)
    }
}

impl fmt::Debug for OsRandomKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OsRandomKeys")
    }
}

/// A client's key source, created on first use so that an idle client holds no pool.
#[derive(Default)]
pub struct ClientKeys(Option<Box<dyn MaskKeySource>>);

impl ClientKeys {
    pub(crate) fn custom(source: impl MaskKeySource + 'static) -> Self {
        ClientKeys(Some(Box::new(source)))
    }

    pub(crate) fn next_key(&mut self) -> Result<[u8; 4], crate::SendError> {
        self.0
            .get_or_insert_with(|| Box::new(OsRandomKeys::default()))
            .next_key()
            .map_err(|e| crate::SendError::MaskKey(e.to_string()))
    }
}

impl fmt::Debug for ClientKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientKeys")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_keys_differ_across_refills() {
        let mut keys = OsRandomKeys::default();
        let drawn: Vec<[u8; 4]> = (0..200).map(|_| keys.next_key().unwrap()).collect();
        let distinct: std::collections::HashSet<_> = drawn.iter().collect();
        // 200 draws of 32 random bits: a repeat has probability ~5e-6.
        assert!(distinct.len() >= 199);
    }
}
