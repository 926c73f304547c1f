//! The read models: per-entity views and secondary indexes in one sled tree beside the log,
//! kept up to date from the log behind a checkpoint, and read through [`crate::source`].
//!
//! Writers of the tree are serialised by one lock and each chunk of events is one sled batch
//! (views, indexes and checkpoint together), written while holding the gate exclusively, so
//! a reader holding the gate shared sees the tree exactly as of the checkpoint it reads.

mod keys;
mod project;
mod source;

pub(crate) use source::RmSource;

use crate::api_error::Error;
use crate::codec::to_recorded;
use crate::event::Recorded;
use crate::ids::EntityKey;
use crate::view::EntityView;
use reformlog_store::{decode_payload, encode_payload, CodecError, Direction, EventFilter, Store};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};

/// The read-model tree's name in the store's database.
const TREE: &str = "rm.domain";

/// Events read and applied per batch while catching up. Large enough that hot entities are
/// encoded once per many events during a rebuild; small enough to bound memory.
const CHUNK: usize = 50_000;

/// One entity's row: where its stream starts and ends in the log, and its current view.
#[derive(Clone, Debug)]
pub(crate) struct EntityRecord {
    pub(crate) first: u64,
    pub(crate) last: u64,
    pub(crate) revision: u64,
    pub(crate) view: Option<EntityView>,
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
        })
    }
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
    tree: sled::Tree,
    /// Last log position applied; only changed under `gate` held exclusively.
    checkpoint: AtomicU64,
    /// Serialises writers of the tree (catch-up, rebuild).
    apply: Mutex<()>,
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
    pub(crate) fn open(store: Store) -> Result<Self, crate::api_error::OpenError> {
        let tree = store.aux_tree(TREE)?;
        let rm = Self {
            store,
            tree,
            checkpoint: AtomicU64::new(0),
            apply: Mutex::new(()),
            gate: RwLock::new(()),
        };
        let version = rm
            .tree
            .get(keys::VERSION)
            .map_err(Error::from)?
            .and_then(|v| v.get(..4).and_then(|b| b.try_into().ok()))
            .map(u32::from_be_bytes);
        if version != Some(keys::LAYOUT_VERSION) {
            rm.reset()?;
        }
        let checkpoint = match rm.tree.get(keys::CHECKPOINT).map_err(Error::from)? {
            None => 0,
            Some(v) => keys::read_u64(&v).ok_or_else(|| corrupt("checkpoint"))?,
        };
        rm.checkpoint.store(checkpoint, Ordering::Release);
        Ok(rm)
    }

    /// Empties the tree and marks it as the current layout at checkpoint 0.
    fn reset(&self) -> Result<(), Error> {
        let _write = self.gate.write().unwrap_or_else(PoisonError::into_inner);
        self.tree.clear()?;
        self.tree
            .insert(keys::VERSION, &keys::LAYOUT_VERSION.to_be_bytes())?;
        self.tree.insert(keys::CHECKPOINT, &keys::u64_bytes(0))?;
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
        loop {
            let from = self.checkpoint() + 1;
            if from > self.store.head_position() {
                return Ok(self.checkpoint());
            }
            let page =
                self.store
                    .read_all(Some(from), Direction::Forward, CHUNK, &EventFilter::all())?;
            if page.events.is_empty() {
                return Ok(self.checkpoint());
            }
            let mut chunk = project::Chunk::new(self, from - 1);
            for e in &page.events {
                chunk.apply(e)?;
            }
            let last = chunk.last_position();
            let batch = chunk.into_batch()?;
            let _write = self.gate.write().unwrap_or_else(PoisonError::into_inner);
            self.tree.apply_batch(batch)?;
            self.checkpoint.store(last, Ordering::Release);
        }
    }

    /// Drops the read model and rebuilds it from position 1.
    pub(crate) fn rebuild(&self) -> Result<(), Error> {
        let _apply = lock(&self.apply);
        self.reset()?;
        self.catch_up_locked().map(|_| ())
    }

    /// The stored row of one entity.
    pub(crate) fn record(&self, key: &EntityKey) -> Result<Option<EntityRecord>, Error> {
        self.tree
            .get(keys::entity(key))?
            .map(|v| EntityRecord::decode(&v))
            .transpose()
    }

    /// First position, last position and revision of one entity, without its view.
    pub(crate) fn record_header(&self, key: &EntityKey) -> Result<Option<(u64, u64, u64)>, Error> {
        self.tree
            .get(keys::entity(key))?
            .map(|v| EntityRecord::header(&v))
            .transpose()
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

    pub(crate) fn tree(&self) -> &sled::Tree {
        &self.tree
    }
}
