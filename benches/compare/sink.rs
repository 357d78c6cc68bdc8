//! Where delivered messages go: a digest the optimiser cannot drop, or kept copies for the
//! correctness check.

pub struct Sink {
    /// Copies of the delivered messages, in check runs only.
    pub kept: Option<Vec<Vec<u8>>>,
    pub digest: u64,
    pub count: usize,
}

impl Sink {
    pub fn new(keep: bool) -> Self {
        Sink {
            kept: keep.then(Vec::new),
            digest: 0,
            count: 0,
        }
    }

    #[inline]
    pub fn deliver(&mut self, message: &[u8]) {
        if let Some(kept) = &mut self.kept {
            kept.push(message.to_vec());
        }
        self.count += 1;
        self.digest = self
            .digest
            .wrapping_add(message.len() as u64)
            .wrapping_add(u64::from(message.first().copied().unwrap_or(0)));
    }
}
