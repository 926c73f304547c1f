//! The read models: per-entity views and secondary indexes in one sled tree beside the log,
//! kept up to date from the log behind a checkpoint, and read through [`crate::source`].
//!
//! Writers of the tree are serialised by one lock and each chunk of events is one sled batch
//! (views, indexes and checkpoint together), written while holding the gate exclusively, so
//! a reader holding the gate shared sees the tree exactly as of the checkpoint it reads.
//! A rebuild writes as it goes while the checkpoint stays 0 (which hides all of it from
//! readers) and marks the tree complete with the checkpoint in its last batch.

mod cache;
mod keys;
mod project;
mod source;
mod tasks;

pub(crate) use source::RmSource;

use crate::codec::{decode_event, to_recorded};
use crate::error::Error;
use crate::event::Recorded;
use crate::ids::EntityKey;
use crate::view::{evolve, EntityView, Membership};
use cache::{CachedRow, RelationCache, RowCache};
use reformlog_store::{decode_payload, encode_payload, CodecError, Direction, EventFilter, Store};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};

/// The hash of the read models' in-memory maps, whose keys are ids: ahash, keyed at random per
/// process. With SipHash, hashing was about a third of a cached composition's instructions.
pub(crate) type IdHash = ahash::RandomState;

/// The read-model tree's name in the store's database.
const TREE: &str = "rm.domain";

/// Events read from the log at a time while catching up.
const PAGE: usize = 10_000;

/// Threads that read and decode the log in a rebuild, taking pages in turn. Reading and
/// decoding is the larger part of a rebuild; with two such threads the applying thread
/// waits on them about as long as on the writing thread (measured at 1M events; a third
/// gained nothing on two cores).
const DECODERS: u64 = 2;

/// A rebuild's channels to one decoding thread: decoded pages, and pages to free.
type LaneEnds = (
    Receiver<Result<project::Decoded, Error>>,
    std::sync::mpsc::Sender<Vec<project::DecodedEvent>>,
);

/// The estimated memory (see `Chunk::estimated_bytes`) past which a chunk of applied events
/// is written. Large enough that a rebuild writes hot entities (committees, whose views grow
/// with their history) and relation entries once per a hundred thousand events or more;
/// small enough to keep the daemon's memory bounded while it catches up.
const CHUNK_BUDGET: usize = 48 << 20;

/// Events a chunk takes before the budget is looked at: with a large log, rows that grow
/// with history (every committee's memberships) can fill most of the budget by themselves,
/// and each chunk reloads and rewrites them, so chunks must not shrink below this.
const MIN_CHUNK_EVENTS: usize = 50_000;

/// One entity's row: where its stream starts and ends in the log, and its current view.
#[derive(Clone, Debug)]
pub(crate) struct EntityRecord {
    pub(crate) first: u64,
    pub(crate) last: u64,
    pub(crate) revision: u64,
    pub(crate) view: Option<EntityView>,
    /// The keys of the stored tails folded into this record (not encoded): whoever writes
    /// the record removes them.
    pub(crate) tails: Vec<Vec<u8>>,
}

impl EntityRecord {
    fn encode(&self) -> Result<Vec<u8>, Error> {
        let view = encode_payload(&self.view)?;
        let mut out = Vec::with_capacity(24 + view.len());
        out.extend_from_slice(&self.first.to_be_bytes());
        out.extend_from_slice(&self.last.to_be_bytes());
        out.extend_from_slice(&self.revision.to_be_bytes());
        out.extend_from_slice(&view);
        Ok(out)
    }

    /// The three positions only, without decoding the view.
    fn header(bytes: &[u8]) -> Result<(u64, u64, u64), Error> {
        let field = |i: usize| keys::read_u64(bytes.get(i * 8..).unwrap_or_default());
        match (field(0), field(1), field(2)) {
            (Some(f), Some(l), Some(r)) => Ok((f, l, r)),
            _ => Err(corrupt("entity record shorter than its header")),
        }
    }

    fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let (first, last, revision) = Self::header(bytes)?;
        let view = decode_payload(bytes.get(24..).unwrap_or_default())?;
        Ok(Self {
            first,
            last,
            revision,
            view,
            tails: Vec::new(),
        })
    }

    /// Folds the fact events at `positions` (with their stream revisions), read from the
    /// log, into the record; those not after its last position are in it already.
    pub(crate) fn fold_tail(
        &mut self,
        store: &Store,
        positions: &[(u64, u64)],
    ) -> Result<(), Error> {
        for &(position, revision) in positions {
            if position <= self.last {
                continue;
            }
            let stored = store
                .read_event(position)?
                .ok_or_else(|| corrupt("a tail names an event the log does not hold"))?;
            let event = decode_event(&stored)?;
            self.view = evolve(self.view.take(), &event);
            self.last = position;
            self.revision = revision;
        }
        Ok(())
    }
}

/// Decodes an entity row (`bytes`, stored under `key`) with, for a committee, the
/// membership segments stored beside it, and folds in its tails; and the encoded size of
/// all of it. Also returns how many memberships the segments hold.
fn load_row(
    store: &Store,
    tree: &sled::Tree,
    key: &EntityKey,
    bytes: &[u8],
) -> Result<(EntityRecord, usize, usize), Error> {
    let members = match key {
        EntityKey::Committee(_) => Some(tree.scan_prefix(keys::members_prefix(key)).values()),
        _ => None,
    };
    let tails = tree.scan_prefix(keys::tail_prefix(key));
    decode_row(
        store,
        bytes,
        members
            .into_iter()
            .flatten()
            .map(|r| r.map_err(Error::from)),
        tails.map(|r| r.map_err(Error::from)),
    )
}

/// [`load_row`] from the parts read: the segments' values and the tails, in key order.
fn decode_row(
    store: &Store,
    bytes: &[u8],
    members: impl Iterator<Item = Result<sled::IVec, Error>>,
    tails: impl Iterator<Item = Result<(sled::IVec, sled::IVec), Error>>,
) -> Result<(EntityRecord, usize, usize), Error> {
    let mut record = EntityRecord::decode(bytes)?;
    let mut encoded = bytes.len();
    let mut stored_members = 0;
    if let Some(EntityView::Committee(c)) = &mut record.view {
        for value in members {
            let value = value?;
            encoded += value.len();
            let mut part: Vec<Membership> = decode_payload(&value)?;
            c.memberships.append(&mut part);
        }
        stored_members = c.memberships.len();
    }
    for item in tails {
        let (k, value) = item?;
        encoded += value.len();
        let tail = keys::decode_tail(&value).ok_or_else(|| corrupt("tail"))?;
        record.fold_tail(store, &tail)?;
        record.tails.push(k.to_vec());
    }
    Ok((record, encoded, stored_members))
}

/// Starts a named thread of a rebuild in `scope`. A thread that cannot be started is an
/// error to report, not a reason to panic; threads started before it end when the rebuild
/// drops their channels.
fn thread<'scope, 'env, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    name: String,
    f: impl FnOnce() -> T + Send + 'scope,
) -> Result<std::thread::ScopedJoinHandle<'scope, T>, Error> {
    std::thread::Builder::new()
        .name(name)
        .spawn_scoped(scope, f)
        .map_err(|e| reformlog_store::StorageError::io("cannot start a rebuild thread", e).into())
}

fn corrupt(what: &str) -> Error {
    Error::Codec(CodecError::Invalid(format!("read model: {what}")))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded data is `()`: the locks only order work, so poisoning carries nothing.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The read models of one store.
pub(crate) struct ReadModel {
    pub(crate) store: Store,
    /// Replaced (under `gate` held exclusively) when a rebuild drops the tree.
    tree: RwLock<sled::Tree>,
    /// Decoded rows and relation lookups as of the checkpoint; see [`cache`].
    cache: RowCache,
    relations: RelationCache,
    /// Every task in memory for reports, once one has asked; see [`tasks`].
    pub(crate) tasks: tasks::TaskTable,
    /// Last log position applied; only changed under `gate` held exclusively.
    checkpoint: AtomicU64,
    /// Serialises writers of the tree (catch-up, rebuild).
    apply: Mutex<()>,
    /// A rebuild's memory budgets (tests make them tiny, so that small logs spill).
    budgets: Mutex<project::Budgets>,
    /// Shared by readers, exclusive while a batch and its checkpoint are written.
    gate: RwLock<()>,
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
        let tree = store.aux_tree(TREE)?;
        let rm = Self {
            store,
            tree: RwLock::new(tree),
            cache: RowCache::new(cache::DEFAULT_BUDGET),
            relations: RelationCache::new(cache::RELATION_BUDGET),
            tasks: tasks::TaskTable::default(),
            checkpoint: AtomicU64::new(0),
            apply: Mutex::new(()),
            budgets: Mutex::new(project::Budgets::DEFAULT),
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
    fn reset(&self) -> Result<(), Error> {
        let _write = self.gate.write().unwrap_or_else(PoisonError::into_inner);
        let mut tree = self.tree.write().unwrap_or_else(PoisonError::into_inner);
        // Dropping the whole tree is one operation, where clearing it removes key by key
        // (a large share of a rebuild's time).
        self.store.drop_aux_tree(TREE)?;
        *tree = self.store.aux_tree(TREE)?;
        self.cache.clear();
        self.relations.clear();
        self.tasks.clear();
        tree.insert(keys::VERSION, &keys::LAYOUT_VERSION.to_be_bytes())?;
        tree.insert(keys::CHECKPOINT, &keys::u64_bytes(0))?;
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

    /// Applies every visible log event past the checkpoint; returns the new checkpoint.
    /// Cheap when nothing is new: one atomic load on each side.
    pub(crate) fn catch_up(&self) -> Result<u64, Error> {
        if self.checkpoint() >= self.store.head_position() {
            return Ok(self.checkpoint());
        }
        let _apply = lock(&self.apply);
        self.catch_up_locked()
    }

    fn catch_up_locked(&self) -> Result<u64, Error> {
        if self.checkpoint() == 0 && self.store.head_position() > 0 {
            return self.rebuild_locked();
        }
        loop {
            let from = self.checkpoint() + 1;
            if from > self.store.head_position() {
                return Ok(self.checkpoint());
            }
            let mut chunk = project::Chunk::new(self, from - 1);
            let mut next = Some(from);
            while let Some(start) = next {
                let page = self.store.read_all(
                    Some(start),
                    Direction::Forward,
                    PAGE,
                    &EventFilter::all(),
                )?;
                for e in &page.events {
                    chunk.apply(e)?;
                }
                next = page.next;
                if chunk.events() >= MIN_CHUNK_EVENTS && chunk.estimated_bytes() >= CHUNK_BUDGET {
                    break;
                }
            }
            let last = chunk.last_position();
            if last < from {
                // Nothing visible past the checkpoint yet.
                return Ok(self.checkpoint());
            }
            let flushed = chunk.into_batch()?;
            let _write = self.gate.write().unwrap_or_else(PoisonError::into_inner);
            self.tree().apply_batch(flushed.batch)?;
            for (key, record, encoded) in flushed.rows {
                self.tasks.written(&key, &record);
                let stored_members = record
                    .view
                    .as_ref()
                    .and_then(EntityView::as_committee)
                    .map_or(0, |c| c.memberships.len());
                self.cache.replace(&key, cache::weight(encoded), || {
                    Some(CachedRow::from_record(record, encoded, stored_members))
                });
            }
            for prefix in &flushed.relations {
                self.relations.remove(prefix);
            }
            self.checkpoint.store(last, Ordering::Release);
        }
    }

    /// Makes every later rebuild spill after each event, hold no row, write every tail at
    /// once and decode pages of three events, so that small logs take every path a large
    /// one does.
    #[cfg(test)]
    pub(crate) fn spill_always(&self) {
        *self.budgets.lock().unwrap_or_else(PoisonError::into_inner) = project::Budgets {
            rows: 0,
            keep_rows: 0,
            index: 0,
            runs: 0,
            tail_max: 2,
            page: 3,
        };
    }

    /// Drops the read model and rebuilds it from position 1.
    pub(crate) fn rebuild(&self) -> Result<(), Error> {
        let _apply = lock(&self.apply);
        if self.store.head_position() == 0 {
            return self.reset();
        }
        self.rebuild_locked().map(|_| ())
    }

    /// Builds the read model from position 1 into an empty tree with one chunk that spills
    /// as it goes (see [`project`]); returns the checkpoint.
    ///
    /// The tree carries no layout version until the last batch, which writes it with the
    /// checkpoint: a build cut short (a crash, an error) leaves a tree that the next open
    /// empties, and the next build here starts by emptying it too. Readers meanwhile see
    /// checkpoint 0, so the bound hides every row written so far; the caches they may have
    /// filled from those rows are emptied when the checkpoint moves.
    fn rebuild_locked(&self) -> Result<u64, Error> {
        self.reset()?;
        let tree = self.tree();
        tree.remove(keys::VERSION)?;
        let budgets = *self.budgets.lock().unwrap_or_else(PoisonError::into_inner);
        let last = std::thread::scope(|scope| {
            let (spiller, spills) = project::Spiller::new();
            let writer_tree = tree.clone();
            let writer = thread(scope, "reformlog-rebuild-write".to_owned(), move || {
                project::write_spills(&writer_tree, spills)
            })?;
            // The rebuild covers the log as it is now; what is appended meanwhile is for the
            // next catch-up. Each lane has one decoded page waiting while it reads the next.
            let head = self.store.head_position();
            let page = budgets.page.max(1) as u64;
            let mut decoders = Vec::new();
            let mut lanes = Vec::new();
            for first in 0..DECODERS {
                let (pages, decoded) = std::sync::mpsc::sync_channel(1);
                let (used, to_free) = std::sync::mpsc::channel();
                let store = &self.store;
                let lane = project::Lane {
                    first,
                    stride: DECODERS,
                    page,
                    head,
                };
                let name = format!("reformlog-rebuild-decode-{first}");
                decoders.push(thread(scope, name, move || {
                    project::decode_log(store, lane, &pages, &to_free)
                })?);
                lanes.push((decoded, used));
            }
            let read = self.rebuild_pass(&spiller, &lanes, budgets);
            // Closing the channels ends the writer once it has written everything, and the
            // decoders if they are still reading.
            drop(spiller);
            drop(lanes);
            for decoder in decoders {
                if let Err(panic) = decoder.join() {
                    std::panic::resume_unwind(panic);
                }
            }
            let written = match writer.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            // The writer's own error explains an applier that found it stopped.
            written.and(read)
        })?;
        let mut done = sled::Batch::default();
        done.insert(&keys::VERSION, &keys::LAYOUT_VERSION.to_be_bytes());
        done.insert(&keys::CHECKPOINT, &keys::u64_bytes(last));
        let _write = self.gate.write().unwrap_or_else(PoisonError::into_inner);
        tree.apply_batch(done)?;
        self.cache.clear();
        self.relations.clear();
        self.tasks.clear();
        self.checkpoint.store(last, Ordering::Release);
        Ok(last)
    }

    /// The applying side of a rebuild: folds the pages of the log that `lanes` decode, in
    /// turn, into one chunk, handing what it spills and finally everything it holds to
    /// `spiller`; returns the last position.
    fn rebuild_pass(
        &self,
        spiller: &project::Spiller,
        lanes: &[LaneEnds],
        budgets: project::Budgets,
    ) -> Result<u64, Error> {
        let mut chunk = project::Chunk::for_rebuild(self, spiller, budgets);
        for (decoded, used) in lanes.iter().cycle() {
            let page = match decoded.recv() {
                Ok(Ok(project::Decoded::Page(page))) => page,
                // Lanes end in turn: the first to end has no page past the last one taken.
                Ok(Ok(project::Decoded::End)) => break,
                Ok(Err(e)) => return Err(e),
                // Only a panic ends a decoder without `End`; joining it re-raises that.
                Err(_) => return Err(corrupt("a decoding thread of the rebuild stopped")),
            };
            for event in &page {
                event.apply_to(&mut chunk)?;
                if chunk.needs_spill() {
                    spiller.write(chunk.spill()?)?;
                }
            }
            // To be freed by the thread that made it; if it has ended, here.
            let _ = used.send(page);
        }
        let last = chunk.last_position();
        spiller.write(chunk.finish()?)?;
        Ok(last)
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

    /// [`ReadModel::record`] for a rebuild, of a row parts of which `spiller` may not have
    /// written yet: read as the tree will be once it has.
    pub(crate) fn record_spilled(
        &self,
        key: &EntityKey,
        spiller: &project::Spiller,
    ) -> Result<Option<(EntityRecord, usize, usize)>, Error> {
        let tree = self.tree();
        let Some(bytes) = spiller.get(&tree, &keys::entity(key))? else {
            return Ok(None);
        };
        let members = match key {
            EntityKey::Committee(_) => spiller.scan_prefix(&tree, &keys::members_prefix(key))?,
            _ => Vec::new(),
        };
        let tails = spiller.scan_prefix(&tree, &keys::tail_prefix(key))?;
        decode_row(
            &self.store,
            &bytes,
            members.into_iter().map(|(_, v)| Ok(v)),
            tails.into_iter().map(Ok),
        )
        .map(Some)
    }

    /// The row of one entity as of the checkpoint, shared with the cache. Callers hold the
    /// gate shared, so what they read from the tree is the checkpoint's state and may be
    /// cached.
    pub(crate) fn row(
        &self,
        tree: &sled::Tree,
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
        tree: &sled::Tree,
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
    pub(crate) fn related(
        &self,
        tree: &sled::Tree,
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
    pub(crate) fn tree(&self) -> sled::Tree {
        self.tree
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
