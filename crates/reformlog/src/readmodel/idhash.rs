//! A cheap keyed hash for the read models' in-memory maps, whose keys are ids.
//!
//! A composition looks up several hundred views, each through a per-query memo and the
//! shared row cache; with the standard SipHash, hashing was about a third of a cached
//! composition's instructions. Ids already carry random bits, so one folded multiply per
//! word mixes them well enough for a hash table. The keys are random per process (drawn from
//! the standard library's `RandomState`), so ids chosen by a caller cannot be aimed at one
//! bucket without knowing them.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// The odd constant of the golden ratio, so a zero key still multiplies by something wide.
const MUL: u64 = 0x9e37_79b9_7f4a_7c15;

/// Builds [`IdHasher`]s with this process's keys.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IdHash {
    seed: u64,
    key: u64,
}

impl IdHash {
    /// Fresh random keys.
    pub(crate) fn new() -> Self {
        let s = RandomState::new();
        Self {
            seed: s.hash_one(0u64),
            key: s.hash_one(1u64) | 1,
        }
    }
}

impl Default for IdHash {
    fn default() -> Self {
        Self::new()
    }
}

impl BuildHasher for IdHash {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher {
            acc: self.seed,
            key: self.key ^ MUL,
        }
    }
}

/// The state of one hash; see [`IdHash`].
#[derive(Debug)]
pub(crate) struct IdHasher {
    acc: u64,
    key: u64,
}

/// The 128-bit product folded to 64 bits: every input bit reaches every output bit.
fn folded_multiply(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

impl IdHasher {
    fn mix(&mut self, word: u64) {
        self.acc = folded_multiply(self.acc ^ word, self.key);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            // The length keeps a short tail of zeros apart from a shorter one.
            self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.mix(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }

    fn finish(&self) -> u64 {
        folded_multiply(self.acc, self.key ^ MUL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{EntityKey, PersonId};
    use std::collections::HashSet;

    #[test]
    fn spreads_ids_over_buckets() {
        let h = IdHash::new();
        // Ids made in a row share their time prefix; the low bits must still differ.
        let mut low = HashSet::new();
        for _ in 0..4096 {
            low.insert(h.hash_one(EntityKey::Person(PersonId::new())) & 0xfff);
        }
        assert!(low.len() > 2400, "{} of 4096 buckets", low.len());
        assert_ne!(
            h.hash_one([0u8; 3].as_slice()),
            h.hash_one([0u8; 2].as_slice())
        );
    }
}
