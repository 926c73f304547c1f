//! Bounded in-memory caches of what readers look up most, as of the read model's
//! checkpoint: decoded entity rows and relation-index lookups (a person's posts), so that
//! a hot query (the same committee, its members, their posts) neither reads the table nor
//! decodes views again.
//!
//! Entries are shared (`Arc`), so a hit costs a hash probe and a reference count. Each
//! cache is sharded by key to keep lock hold times short under concurrent readers, and each
//! shard is a two-generation approximation of LRU: lookups promote an entry to the young
//! generation; when the young one outgrows half the shard's budget, the old generation is
//! dropped and the young one becomes old. Memory is bounded by an estimate of each entry's
//! size (twice its encoded size plus a fixed overhead), never by the log's size.
//!
//! Consistency: entries are only inserted by readers holding the read-model gate shared
//! (so they read the tree exactly as of the checkpoint), and every row or relation prefix a
//! batch writes is replaced or dropped here while the gate is held exclusively, before the
//! checkpoint moves.

use super::row::EntityRecord;
use crate::ids::EntityKey;
use crate::view::EntityView;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use uuid::Uuid;

/// The hash of the read models' in-memory maps, whose keys are ids: ahash, keyed at random per
/// process. With SipHash, hashing was about a third of a cached composition's instructions.
pub(crate) type IdHash = ahash::RandomState;

/// Estimated bytes all shards may hold together. A composition of a large committee on any
/// date touches a few thousand small views (people, posts, units, decisions) and the
/// committee's own; this holds that many times over while staying a small part of the
/// daemon's memory.
pub(crate) const DEFAULT_BUDGET: usize = 16 << 20;

/// Estimated bytes of cached relation lookups (a person's posts, a committee's children):
/// short lists, a few thousand of them.
pub(crate) const RELATION_BUDGET: usize = 2 << 20;

const SHARDS: usize = 16;

/// Fixed per-entry overhead in the estimate: the map slot, the `Arc` and the header.
const ENTRY_OVERHEAD: usize = 128;

/// One entity's row as of the checkpoint: where its stream starts and ends, and its view.
#[derive(Clone, Debug)]
pub(crate) struct CachedRow {
    pub(crate) first: u64,
    pub(crate) last: u64,
    pub(crate) revision: u64,
    pub(crate) view: Option<Arc<EntityView>>,
    /// The size of the row's encoding (see [`weight`]).
    pub(crate) encoded: usize,
    /// The keys of the stored tails folded into the view (see `keys`), for a writer that
    /// takes the row from here to remove; nearly always empty.
    pub(crate) tails: Arc<[Vec<u8>]>,
    /// How many of a committee's memberships its stored segments hold.
    pub(crate) stored_members: usize,
}

impl CachedRow {
    pub(crate) fn from_record(record: EntityRecord, encoded: usize, stored_members: usize) -> Self {
        Self {
            first: record.first,
            last: record.last,
            revision: record.revision,
            view: record.view.map(Arc::new),
            encoded,
            tails: record.tails.into(),
            stored_members,
        }
    }
}

/// `None` caches "no row": the entity has no stream as of the checkpoint.
pub(crate) type Entry = Option<CachedRow>;

/// The cache of entity rows.
pub(crate) type RowCache = Lru<EntityKey, Entry>;

/// The cache of relation-index lookups: the `[table][uuid]` prefix and every target under it.
pub(crate) type RelationCache = Lru<[u8; 17], Arc<[Uuid]>>;

struct Shard<K, V> {
    young: HashMap<K, (V, usize), IdHash>,
    old: HashMap<K, (V, usize), IdHash>,
    young_bytes: usize,
}

impl<K, V> Shard<K, V> {
    fn new(hash: IdHash) -> Self {
        Self {
            young: HashMap::with_hasher(hash.clone()),
            old: HashMap::with_hasher(hash),
            young_bytes: 0,
        }
    }
}

impl<K: Hash + Eq, V> Shard<K, V> {
    fn insert_young(&mut self, key: K, value: V, weight: usize, half: usize) {
        self.young_bytes += weight;
        if let Some((_, w)) = self.young.insert(key, (value, weight)) {
            self.young_bytes -= w;
        }
        if self.young_bytes > half {
            let fresh = HashMap::with_hasher(self.young.hasher().clone());
            self.old = std::mem::replace(&mut self.young, fresh);
            self.young_bytes = 0;
        }
    }
}

/// A sharded two-generation cache bounded by estimated bytes; see the module documentation.
pub(crate) struct Lru<K, V> {
    shards: Vec<Mutex<Shard<K, V>>>,
    /// Picks the shard; keyed apart from the shards' own maps, so that the keys of one
    /// shard do not all share the bits its map indexes by.
    spread: IdHash,
    /// Budget of one shard's young generation (half the shard's share).
    half: usize,
}

impl<K, V> std::fmt::Debug for Lru<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lru")
            .field("budget", &(self.half * 2 * SHARDS))
            .finish_non_exhaustive()
    }
}

/// The estimated memory of a value whose encoding is `encoded_len` bytes long.
pub(crate) fn weight(encoded_len: usize) -> usize {
    encoded_len.saturating_mul(2).saturating_add(ENTRY_OVERHEAD)
}

impl<K: Hash + Eq + Copy, V: Clone> Lru<K, V> {
    pub(crate) fn new(budget: usize) -> Self {
        let hash = IdHash::new();
        Self {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(Shard::new(hash.clone())))
                .collect(),
            spread: IdHash::new(),
            half: (budget / SHARDS / 2).max(1),
        }
    }

    fn shard(&self, key: &K) -> MutexGuard<'_, Shard<K, V>> {
        let i = (self.spread.hash_one(key) % SHARDS as u64) as usize;
        // A shard holds only cached copies; a panic elsewhere cannot leave it inconsistent
        // with the tree, so a poisoned lock is still usable.
        self.shards[i]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached value, or `None` when not cached.
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        let mut shard = self.shard(key);
        if let Some((value, _)) = shard.young.get(key) {
            return Some(value.clone());
        }
        let (value, weight) = shard.old.remove(key)?;
        let out = value.clone();
        shard.insert_young(*key, value, weight, self.half);
        Some(out)
    }

    /// Caches a value read from the tree at the checkpoint (callers hold the gate shared).
    pub(crate) fn insert(&self, key: K, value: V, weight: usize) {
        if weight > self.half {
            // Would evict a whole generation for one entry; serve it from the tree instead.
            return;
        }
        self.shard(&key).insert_young(key, value, weight, self.half);
    }

    /// A batch rewrote this row (callers hold the gate exclusively): a cached copy is
    /// replaced, so entities being edited stay hot; an uncached one stays uncached, so a
    /// rebuild does not churn the cache.
    pub(crate) fn replace(&self, key: &K, weight: usize, value: impl FnOnce() -> V) {
        let mut shard = self.shard(key);
        let young = shard.young.remove(key);
        let old = shard.old.remove(key);
        if let Some((_, w)) = &young {
            shard.young_bytes -= w;
        }
        if (young.is_some() || old.is_some()) && weight <= self.half {
            shard.insert_young(*key, value(), weight, self.half);
        }
    }

    /// Drops the cached value, if any (callers hold the gate exclusively).
    pub(crate) fn remove(&self, key: &K) {
        let mut shard = self.shard(key);
        if let Some((_, w)) = shard.young.remove(key) {
            shard.young_bytes -= w;
        }
        shard.old.remove(key);
    }

    /// Forgets everything (the tree was dropped).
    pub(crate) fn clear(&self) {
        for shard in &self.shards {
            let mut s = shard.lock().unwrap_or_else(PoisonError::into_inner);
            let hash = s.young.hasher().clone();
            *s = Shard::new(hash);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::ids::PersonId;

    fn row(revision: u64) -> Entry {
        Some(CachedRow {
            first: 1,
            last: 1,
            revision,
            view: None,
            encoded: 100,
            tails: Arc::from([]),
            stored_members: 0,
        })
    }

    #[test]
    fn stays_within_budget_and_keeps_hot_entries() {
        let cache = RowCache::new(SHARDS * 2 * 1000);
        let hot = EntityKey::Person(PersonId::new());
        cache.insert(hot, row(7), 100);
        for i in 0..10_000u64 {
            cache.insert(EntityKey::Person(PersonId::new()), row(i), 100);
            assert!(cache.get(&hot).is_some(), "hot entry evicted at {i}");
        }
        for shard in &cache.shards {
            let s = shard.lock().unwrap();
            let bytes: usize = s.young.values().chain(s.old.values()).map(|e| e.1).sum();
            assert!(bytes <= 2 * 1000 + 100);
        }
    }

    #[test]
    fn replace_only_touches_cached_rows() {
        let cache = RowCache::new(1 << 20);
        let a = EntityKey::Person(PersonId::new());
        let b = EntityKey::Person(PersonId::new());
        cache.insert(a, None, 10);
        cache.replace(&a, 10, || row(3));
        cache.replace(&b, 10, || row(4));
        assert_eq!(cache.get(&a).unwrap().unwrap().revision, 3);
        assert!(cache.get(&b).is_none());
        cache.remove(&a);
        assert!(cache.get(&a).is_none());
        cache.insert(a, None, 10);
        cache.clear();
        assert!(cache.get(&a).is_none());
    }
}
