//! Where a client's masking keys come from (RFC 6455 §5.3: "The masking key MUST be derived
//! from a strong source of entropy").

use std::fmt;

use crate::error::{MaskKeyError, SendError};

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
    fn next_key(&mut self) -> Result<[u8; 4], MaskKeyError>;
}

impl<F: FnMut() -> [u8; 4] + Send> MaskKeySource for F {
    fn next_key(&mut self) -> Result<[u8; 4], MaskKeyError> {
        Ok(self())
    }
}

/// Keys drawn per `getrandom` call: 1024, so that a client sending small frames pays a
/// system call (about a microsecond) per thousand frames, not per frame or per 64.
const POOL_KEYS: usize = 1024;

/// Keys from the operating system's CSPRNG, fetched 1024 at a time (one system call per
/// thousand frames).
pub struct OsRandomKeys {
    pool: Box<[[u8; 4]; POOL_KEYS]>,
    next: usize,
}

impl Default for OsRandomKeys {
    fn default() -> Self {
        OsRandomKeys {
            pool: Box::new([[0; 4]; POOL_KEYS]),
            next: POOL_KEYS,
        }
    }
}

impl OsRandomKeys {
    #[inline]
    fn take(&mut self) -> Result<[u8; 4], MaskKeyError> {
        if self.next == POOL_KEYS {
            getrandom::fill(self.pool.as_flattened_mut()).map_err(|error| {
                MaskKeyError::new(format!("the OS random source failed: {error}"))
            })?;
            self.next = 0;
        }
        // Each key is used once: wipe it from the pool.
        let key = std::mem::take(&mut self.pool[self.next]);
        self.next += 1;
        Ok(key)
    }
}

impl MaskKeySource for OsRandomKeys {
    #[inline]
    fn next_key(&mut self) -> Result<[u8; 4], MaskKeyError> {
        self.take()
    }
}

impl fmt::Debug for OsRandomKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OsRandomKeys")
    }
}

/// A client's key source, created on first use so that an idle client holds no pool.
#[derive(Default)]
pub struct MaskKeys(KeySource);

/// The default source is called directly, a custom one through a trait object.
#[derive(Default)]
enum KeySource {
    /// Nothing drawn yet.
    #[default]
    Unused,
    /// The operating system's CSPRNG.
    Os(OsRandomKeys),
    /// A source given with `with_mask_key_source`.
    Custom(Box<dyn MaskKeySource>),
}

impl MaskKeys {
    pub(crate) fn custom(source: impl MaskKeySource + 'static) -> Self {
        MaskKeys(KeySource::Custom(Box::new(source)))
    }

    #[inline]
    pub(crate) fn next_key(&mut self) -> Result<[u8; 4], SendError> {
        let key = match &mut self.0 {
            KeySource::Os(keys) => keys.take(),
            KeySource::Custom(source) => source.next_key(),
            KeySource::Unused => {
                self.0 = KeySource::Os(OsRandomKeys::default());
                return self.next_key();
            }
        };
        Ok(key?)
    }
}

impl fmt::Debug for MaskKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MaskKeys")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_keys_differ_across_refills() {
        let mut keys = OsRandomKeys::default();
        let drawn: Vec<[u8; 4]> = (0..2 * POOL_KEYS + 200)
            .map(|_| keys.next_key().unwrap())
            .collect();
        let distinct: std::collections::HashSet<_> = drawn.iter().collect();
        // 2248 draws of 32 random bits: about 0.0006 repeats expected; allow a few, but not
        // a pool served twice (1024 repeats) or a wiped key (zeros) handed out.
        assert!(distinct.len() >= drawn.len() - 3);
        assert!(keys.pool.iter().take(keys.next).all(|key| *key == [0; 4]));
    }
}
