//! [`ReadModel`]: the read models of one store, their side table, checkpoint and gate, and
//! their caches; opening (a table of another layout version is emptied) and the lookups of
//! rows and relations as of the checkpoint.

use super::cache::{self, CachedRow, RelationCache, RowCache};
use super::keys;
use super::row::{corrupt, load_row, EntityRecord};
use super::spill::Budgets;
use super::tasks;
use crate::codec::to_recorded;
use crate::error::Error;
use crate::event::Recorded;
use crate::ids::EntityKey;
use reformlog_store::{Direction, SideTable, Store};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard};

/// The name of the read models' side table in the store.
const TREE: &str = "rm.domain";

/// The read models of one store.
pub(crate) struct ReadModel {
    pub(crate) store: Store,
    /// Replaced (under `gate` held exclusively) when a rebuild drops the tree.
    pub(super) tree: RwLock<SideTable>,
    /// Decoded rows and relation lookups as of the checkpoint; see [`cache`].
    pub(super) cache: RowCache,
    pub(super) relations: RelationCache,
    /// Every task in memory for reports, once one has asked; see [`tasks`].
    pub(crate) tasks: tasks::TaskTable,
    /// Last log position applied; only changed under `gate` held exclusively.
    pub(super) checkpoint: AtomicU64,
    /// Serialises writers of the tree (catch-up, rebuild).
    pub(super) apply: Mutex<()>,
    /// A rebuild's memory budgets (tests make them tiny, so that small logs spill).
    pub(super) budgets: Mutex<Budgets>,
    /// Shared by readers, exclusive while a batch and its checkpoint are written.
    pub(super) gate: RwLock<()>,
}

impl std::fmt::Debug for ReadModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadModel")
            .field("checkpoint", &self.checkpoint.load(Ordering::Acquire))
            .finish_non_exhaustive()
    }
}

impl ReadModel {
    /// Opens the read-model tree; a tree of another layout version is emptied, to be
    /// rebuilt by the next catch-up.
    pub(crate) fn open(store: Store) -> Result<Self, crate::error::OpenError> {
        let tree = store.side_table(TREE)?;
        let rm = Self {
            store,
            tree: RwLock::new(tree),
            cache: RowCache::new(cache::DEFAULT_BUDGET),
            relations: RelationCache::new(cache::RELATION_BUDGET),
            tasks: tasks::TaskTable::default(),
            checkpoint: AtomicU64::new(0),
            apply: Mutex::new(()),
            budgets: Mutex::new(Budgets::DEFAULT),
            gate: RwLock::new(()),
        };
        let version = rm
            .tree()
            .get(keys::VERSION)
            .map_err(Error::from)?
            .and_then(|v| v.get(..4).and_then(|b| b.try_into().ok()))
            .map(u32::from_be_bytes);
        if version != Some(keys::LAYOUT_VERSION) {
            rm.reset()?;
        }
        let checkpoint = match rm.tree().get(keys::CHECKPOINT).map_err(Error::from)? {
            None => 0,
            Some(v) => keys::read_u64(&v).ok_or_else(|| corrupt("checkpoint"))?,
        };
        rm.checkpoint.store(checkpoint, Ordering::Release);
        Ok(rm)
    }

    /// Empties the tree and marks it as the current layout at checkpoint 0.
    pub(super) fn reset(&self) -> Result<(), Error> {
        let _write = self.gate.write().unwrap_or_else(PoisonError::into_inner);
        let mut tree = self.tree.write().unwrap_or_else(PoisonError::into_inner);
        // Dropping the whole tree is one operation, where clearing it removes key by key
        // (a large share of a rebuild's time).
        self.store.drop_side_table(TREE)?;
        *tree = self.store.side_table(TREE)?;
        self.cache.clear();
        self.relations.clear();
        self.tasks.clear();
        tree.insert(keys::VERSION, keys::LAYOUT_VERSION.to_be_bytes())?;
        tree.insert(keys::CHECKPOINT, keys::u64_bytes(0))?;
        self.checkpoint.store(0, Ordering::Release);
        Ok(())
    }

    pub(crate) fn checkpoint(&self) -> u64 {
        self.checkpoint.load(Ordering::Acquire)
    }

    /// Takes the gate shared; the checkpoint read under it is what the tree holds.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, ()> {
        self.gate.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The stored row of one entity, to fold more events into, with its encoded size
    /// (the writer's lookup: served from the cache when it is there and `from_tree` is
    /// false, but never added to it, so that a rebuild does not churn the cache).
    /// Also returns how many memberships a committee's stored segments hold (the rest
    /// came from tails).
    pub(crate) fn record(
        &self,
        key: &EntityKey,
        from_tree: bool,
    ) -> Result<Option<(EntityRecord, usize, usize)>, Error> {
        if let Some(entry) = self.cache.get(key).filter(|_| !from_tree) {
            return Ok(entry.map(|row| {
                let record = EntityRecord {
                    first: row.first,
                    last: row.last,
                    revision: row.revision,
                    view: row.view.map(Arc::unwrap_or_clone),
                    tails: row.tails.to_vec(),
                };
                (record, row.encoded, row.stored_members)
            }));
        }
        let tree = self.tree();
        match tree.get(keys::entity(key))? {
            Some(bytes) => Ok(Some(load_row(&self.store, &tree, key, &bytes)?)),
            None => Ok(None),
        }
    }

    /// The row of one entity as of the checkpoint, shared with the cache. Callers hold the
    /// gate shared, so what they read from the tree is the checkpoint's state and may be
    /// cached.
    // Hot in every composition and called from another module, as `related` is.
    #[inline]
    pub(crate) fn row(
        &self,
        tree: &SideTable,
        key: &EntityKey,
    ) -> Result<Option<CachedRow>, Error> {
        if let Some(entry) = self.cache.get(key) {
            return Ok(entry);
        }
        let (entry, weight) = match tree.get(keys::entity(key))? {
            Some(bytes) => {
                let (record, encoded, stored_members) = load_row(&self.store, tree, key, &bytes)?;
                (
                    Some(CachedRow::from_record(record, encoded, stored_members)),
                    cache::weight(encoded),
                )
            }
            None => (None, cache::weight(0)),
        };
        self.cache.insert(*key, entry.clone(), weight);
        Ok(entry)
    }

    /// [`ReadModel::row`] for answers that show nothing of a committee's memberships: from
    /// the cache when it is there; otherwise, for a committee whose row has no tails, the
    /// row alone, without its membership segments and not cached. A page of committee
    /// summaries would otherwise load every membership each committee ever had (about 540
    /// at a million events) and push the rows compositions use out of the cache.
    pub(crate) fn header_row(
        &self,
        tree: &SideTable,
        key: &EntityKey,
    ) -> Result<Option<CachedRow>, Error> {
        if !matches!(key, EntityKey::Committee(_)) {
            return self.row(tree, key);
        }
        if let Some(entry) = self.cache.get(key) {
            return Ok(entry);
        }
        let Some(bytes) = tree.get(keys::entity(key))? else {
            return Ok(None);
        };
        // Tails may change any part of the view; folding them needs the whole row.
        if tree.scan_prefix(keys::tail_prefix(key)).next().is_some() {
            return self.row(tree, key);
        }
        let record = EntityRecord::decode(&bytes)?;
        Ok(Some(CachedRow::from_record(record, bytes.len(), 0)))
    }

    /// The raw events of one entity's stream up to position `bound`, decoded.
    pub(crate) fn stream_at(&self, key: &EntityKey, bound: u64) -> Result<Vec<Recorded>, Error> {
        let stored =
            self.store
                .read_stream(&key.stream_name(), None, Direction::Forward, usize::MAX)?;
        stored
            .iter()
            .take_while(|r| r.position <= bound)
            .map(to_recorded)
            .collect()
    }

    /// The targets of every relation `[table][a]` as of the checkpoint, sorted and unique,
    /// shared with the cache (callers hold the gate shared, as for [`ReadModel::row`]).
    // Hot in every composition and called from another module: without the hint the split
    // into files left it out of line, about 6 % of a composition (measured with perf).
    #[inline]
    pub(crate) fn related(
        &self,
        tree: &SideTable,
        table: u8,
        a: uuid::Uuid,
    ) -> Result<Arc<[uuid::Uuid]>, Error> {
        let prefix = keys::relation_prefix(table, a);
        if let Some(hit) = self.relations.get(&prefix) {
            return Ok(hit);
        }
        let mut out = Vec::new();
        for item in tree.scan_prefix(prefix) {
            let (_, value) = item?;
            out.extend(keys::decode_targets(&value).ok_or_else(|| corrupt("relation entry"))?);
        }
        // Entries of different batches may name the same target.
        out.sort_unstable();
        out.dedup();
        let out: Arc<[uuid::Uuid]> = out.into();
        self.relations
            .insert(prefix, out.clone(), cache::weight(16 * out.len()));
        Ok(out)
    }

    /// The current tree (a cheap handle; a rebuild swaps in a new one).
    pub(crate) fn tree(&self) -> SideTable {
        self.tree
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
