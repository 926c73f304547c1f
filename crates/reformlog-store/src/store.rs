//! Opening a store: configuration, the header check, recovery of the writer's state.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::chain::Hash;
use crate::codec;
use crate::durability::Syncer;
use crate::error::{CorruptionError, OpenError, StorageError};
use crate::header::{Header, FORMAT_VERSION};
use crate::keys;
use crate::migrate;
use crate::record::{RecordedEvent, Timestamp};
use crate::upcast::{NoUpcast, Upcaster};

/// How to open a store.
pub struct StoreConfig {
    path: PathBuf,
    cache_capacity: u64,
    recent_capacity: usize,
    lock_wait: Duration,
    upcaster: Arc<dyn Upcaster>,
}

impl fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreConfig")
            .field("path", &self.path)
            .field("cache_capacity", &self.cache_capacity)
            .field("recent_capacity", &self.recent_capacity)
            .field("lock_wait", &self.lock_wait)
            .finish_non_exhaustive()
    }
}

impl StoreConfig {
    /// Defaults for a store in the folder `path` (created when missing).
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
            // sled's memory use can reach several times this (sled #1309), so keep it modest.
            cache_capacity: 32 * 1024 * 1024,
            recent_capacity: 4096,
            lock_wait: Duration::from_secs(2),
            upcaster: Arc::new(NoUpcast),
        }
    }

    /// sled's page cache size in bytes.
    pub fn cache_capacity(mut self, bytes: u64) -> Self {
        self.cache_capacity = bytes;
        self
    }

    /// How many recent events are kept in memory for live subscribers. A subscriber further
    /// behind than this is told it fell behind and catches up from disk.
    pub fn recent_capacity(mut self, events: usize) -> Self {
        self.recent_capacity = events.max(1);
        self
    }

    /// How long `open` keeps trying while the folder's lock is held before it reports
    /// [`OpenError::Locked`]. sled releases its file lock from background threads shortly after
    /// a database is dropped, so an immediate reopen in the same process needs a moment.
    pub fn lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// The hook that upcasts old payload schema versions on read.
    pub fn upcaster(mut self, upcaster: Arc<dyn Upcaster>) -> Self {
        self.upcaster = upcaster;
        self
    }

    /// Opens (or creates) the store.
    pub fn open(self) -> Result<Store, OpenError> {
        Store::open_with(self)
    }
}

/// An append-only, hash-chained event log in a sled database. Cheap to clone; all clones share
/// one database, one writer lock and one group-commit syncer.
#[derive(Clone)]
pub struct Store {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .field("visible", &self.inner.visible.load(Ordering::Acquire))
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) path: PathBuf,
    pub(crate) db: sled::Db,
    pub(crate) tree: sled::Tree,
    pub(crate) writer: Mutex<WriterState>,
    /// Appends waiting for the writer lock; its next holder applies them all in one batch.
    pub(crate) queue: Mutex<Vec<crate::append::Pending>>,
    /// sled batches applied since open (one per group of appends).
    pub(crate) batches: AtomicU64,
    /// Highest position whose batch has been applied to sled.
    pub(crate) committed: AtomicU64,
    /// Highest position known to be on stable storage; readers see exactly the positions up to
    /// it, so nothing a reader saw can be taken back by a crash.
    pub(crate) visible: AtomicU64,
    pub(crate) syncer: Syncer,
    pub(crate) recent: RwLock<VecDeque<RecordedEvent>>,
    pub(crate) recent_capacity: usize,
    pub(crate) upcaster: Arc<dyn Upcaster>,
    /// Wakes blocking subscribers when `visible` moves.
    pub(crate) wake: (Mutex<u64>, Condvar),
    #[cfg(feature = "tokio")]
    pub(crate) wake_async: tokio::sync::watch::Sender<u64>,
}

/// State only the writer (holding the lock) reads or changes.
pub(crate) struct WriterState {
    pub(crate) next_position: u64,
    pub(crate) last_hash: Hash,
    pub(crate) last_recorded_at: Timestamp,
    pub(crate) next_stream_no: u64,
    /// Stream id -> (stream number, last revision). A cache over the tree, bounded by clearing.
    pub(crate) streams: HashMap<String, (u64, Option<u64>)>,
    /// Set when a batch failed half-way: sled's in-memory tree may then hold part of it.
    pub(crate) poisoned: bool,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding one of the store's locks cannot leave its data half-changed (every
    // change is a single assignment after the fallible work), so the poison flag carries no
    // information worth failing for.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Store {
    /// Opens (or creates) a store in the folder `path` with default settings.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, OpenError> {
        StoreConfig::new(path).open()
    }

    fn open_with(config: StoreConfig) -> Result<Store, OpenError> {
        let path = config.path;
        let db = open_sled(&path, config.cache_capacity, config.lock_wait)?;
        let tree = db.open_tree(keys::LOG_TREE).map_err(StorageError::from)?;
        check_or_write_header(&tree, &path)?;

        let last = match tree
            .scan_prefix([keys::log(0)[0]])
            .next_back()
            .transpose()
            .map_err(StorageError::from)?
        {
            None => None,
            Some((key, value)) => {
                let position = keys::log_position(&key).ok_or_else(|| CorruptionError {
                    at: "last log key".into(),
                    reason: "malformed key".into(),
                })?;
                let record = codec::decode_record(&value)
                    .map_err(|e| CorruptionError::at_position(position, e))?;
                if record.position != position {
                    return Err(CorruptionError::at_position(
                        position,
                        "position field differs from key",
                    )
                    .into());
                }
                Some(record)
            }
        };
        let next_stream_no = match tree.get(keys::STREAM_COUNTER).map_err(StorageError::from)? {
            None => 0,
            Some(v) => keys::read_u64(&v).ok_or_else(|| CorruptionError {
                at: "stream counter".into(),
                reason: "not eight bytes".into(),
            })?,
        };
        let head = last.as_ref().map_or(0, |r| r.position);
        let writer = WriterState {
            next_position: head + 1,
            last_hash: last.as_ref().map_or(Hash::ZERO, |r| r.hash),
            last_recorded_at: last
                .as_ref()
                .map_or(Timestamp::from_micros(i64::MIN), |r| r.recorded_at),
            next_stream_no,
            streams: HashMap::new(),
            poisoned: false,
        };
        let syncer = Syncer::new(&path, db.clone())?;
        // What sled recovered may so far live only in the OS page cache; make it stable before
        // anyone can read it, so readers never see what a power loss could take back.
        syncer.sync_now().map_err(OpenError::Storage)?;
        syncer.mark_durable(head);
        #[cfg(feature = "tokio")]
        let (wake_async, _) = tokio::sync::watch::channel(head);
        Ok(Store {
            inner: Arc::new(Inner {
                path,
                db,
                tree,
                writer: Mutex::new(writer),
                queue: Mutex::new(Vec::new()),
                batches: AtomicU64::new(0),
                committed: AtomicU64::new(head),
                visible: AtomicU64::new(head),
                syncer,
                recent: RwLock::new(VecDeque::with_capacity(config.recent_capacity)),
                recent_capacity: config.recent_capacity,
                upcaster: config.upcaster,
                wake: (Mutex::new(head), Condvar::new()),
                #[cfg(feature = "tokio")]
                wake_async,
            }),
        })
    }

    /// The folder the store lives in.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// An auxiliary sled tree in the same database, for read models kept beside the log.
    /// Names starting with `reformlog.` are reserved for the store.
    pub fn aux_tree(&self, name: &str) -> Result<sled::Tree, StorageError> {
        if name.starts_with("reformlog.") || name == "__sled__default" {
            return Err(StorageError::io(
                "aux_tree",
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "reserved tree name"),
            ));
        }
        Ok(self.inner.db.open_tree(name)?)
    }

    /// Drops an auxiliary tree and everything in it at once (cheaper than clearing it key by
    /// key, e.g. before a read-model rebuild). Returns whether it existed.
    pub fn drop_aux_tree(&self, name: &str) -> Result<bool, StorageError> {
        if name.starts_with("reformlog.") || name == "__sled__default" {
            return Err(StorageError::io(
                "drop_aux_tree",
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "reserved tree name"),
            ));
        }
        Ok(self.inner.db.drop_tree(name)?)
    }

    /// Bytes the database occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64, StorageError> {
        Ok(self.inner.db.size_on_disk()?)
    }

    /// Counters describing the store's work so far.
    pub fn stats(&self) -> StoreStats {
        StoreStats {
            committed_position: self.inner.committed.load(Ordering::Acquire),
            durable_position: self.inner.visible.load(Ordering::Acquire),
            syncs: self.inner.syncer.sync_count(),
            batches: self.inner.batches.load(Ordering::Relaxed),
        }
    }
}

/// Counters describing a store's work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreStats {
    /// The last position applied to the database.
    pub committed_position: u64,
    /// The last position on stable storage (and so visible to readers).
    pub durable_position: u64,
    /// How many flush-and-fsync rounds the store has made since it was opened.
    pub syncs: u64,
    /// How many sled batches appends have been applied in since it was opened (concurrent
    /// appends share one).
    pub batches: u64,
}

fn open_sled(path: &Path, cache_capacity: u64, lock_wait: Duration) -> Result<sled::Db, OpenError> {
    let deadline = Instant::now() + lock_wait;
    loop {
        let opened = sled::Config::new()
            .path(path)
            .cache_capacity(cache_capacity)
            // sled's own periodic flush and fsync; never turned off.
            .flush_every_ms(Some(500))
            .open();
        match opened.map_err(|e| classify_open_error(e, path)) {
            Err(OpenError::Locked { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

fn classify_open_error(e: sled::Error, path: &Path) -> OpenError {
    match &e {
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
            OpenError::Locked {
                path: path.to_path_buf(),
            }
        }
        _ => OpenError::Storage(e.into()),
    }
}

fn check_or_write_header(tree: &sled::Tree, path: &Path) -> Result<(), OpenError> {
    match tree.get(keys::HEADER).map_err(StorageError::from)? {
        None => {
            if tree.first().map_err(StorageError::from)?.is_some() {
                return Err(OpenError::NotAStore {
                    path: path.to_path_buf(),
                });
            }
            tree.insert(keys::HEADER, Header::current().encode())
                .map_err(StorageError::from)?;
            Ok(())
        }
        Some(bytes) => {
            let header = Header::decode(&bytes).ok_or_else(|| OpenError::NotAStore {
                path: path.to_path_buf(),
            })?;
            if header.format_version > FORMAT_VERSION {
                return Err(OpenError::NewerFormat {
                    found: header.format_version,
                    supported: FORMAT_VERSION,
                });
            }
            if header.format_version == 0 {
                return Err(OpenError::NotAStore {
                    path: path.to_path_buf(),
                });
            }
            if header.codec != codec::CODEC_NAME {
                return Err(OpenError::CodecMismatch {
                    found: header.codec,
                    expected: codec::CODEC_NAME.to_string(),
                });
            }
            if header.format_version < FORMAT_VERSION {
                migrate::upgrade(tree, Header::current().encode())
            } else {
                migrate::remove_legacy(tree)
            }
        }
    }
}
