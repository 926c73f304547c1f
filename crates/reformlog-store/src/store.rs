//! Opening a store: configuration, the header check, recovery of the writer's state.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::anchor::Anchor;
use crate::commit::CommitCache;
use crate::contention::Contention;
use crate::error::{CorruptionError, OpenError, SledResult, StorageError};
use crate::hash::Hash;
use crate::install;
use crate::installer::Installer;
use crate::journal::{Journal, JournalHead, TornTail};
use crate::keys;
use crate::open::{check_or_write_header, commit_time, create_folder, log_head, open_sled};
use crate::persist::{Persister, Shared, Work};
use crate::record::{RecordedEvent, Timestamp};
use crate::round::{Failure, Queue, RoundState, Ticket};
use crate::upcast::{NoUpcast, Upcaster};

/// How to open a store.
pub struct StoreConfig {
    path: PathBuf,
    cache_capacity: u64,
    recent_capacity: usize,
    lock_wait: Duration,
    upcaster: Arc<dyn Upcaster>,
    segment_bytes: u64,
    sled_reserve: u64,
    anchor_file: Option<PathBuf>,
}

impl fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreConfig")
            .field("path", &self.path)
            .field("cache_capacity", &self.cache_capacity)
            .field("recent_capacity", &self.recent_capacity)
            .field("lock_wait", &self.lock_wait)
            .field("segment_bytes", &self.segment_bytes)
            .field("sled_reserve", &self.sled_reserve)
            .field("anchor_file", &self.anchor_file)
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
            segment_bytes: crate::journal::SEGMENT_BYTES,
            // Sixteen of sled's 512 KiB segments.
            sled_reserve: 8 * 1024 * 1024,
            anchor_file: None,
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

    /// The size past which the journal starts a new segment file; older segments are deleted
    /// once sled holds their commits durably. Small values trim often (tests use this).
    pub fn journal_segment_bytes(mut self, bytes: u64) -> Self {
        self.segment_bytes = bytes;
        self
    }

    /// How much disk space to keep allocated ahead of sled's data file. sled cannot recover
    /// from a failed write without being reopened, so appends are refused with
    /// `StorageFull` while this much cannot be reserved, and go on once it can.
    pub fn sled_space_reserve(mut self, bytes: u64) -> Self {
        self.sled_reserve = bytes;
        self
    }

    /// Keeps the log's head digest in the file `path` too, outside the store (best on another
    /// disk): rewritten durably after each round that acknowledges commits, and checked on
    /// every open, which refuses a log that does not extend it
    /// ([`OpenError::AnchorNotExtended`]): one rolled back, truncated or rewritten by
    /// something outside the process. A missing file is written at open; its folder must
    /// exist. The file's one line, `POSITION:HASH`, is what `verify_extends` and
    /// `reformctl verify --expect-head` take.
    pub fn anchor_file(mut self, path: impl AsRef<Path>) -> Self {
        self.anchor_file = Some(path.as_ref().to_path_buf());
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

/// An append-only, hash-chained event log in a sled database, made durable by its journal.
/// Cheap to clone; all clones share one database, one writer and one journal.
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
    /// Commits staged and not yet journaled, in commit order.
    pub(crate) queue: Queue,
    /// Callers of `sync` waiting for the next round.
    pub(crate) sync_requests: Mutex<Vec<Arc<Ticket>>>,
    /// Commits written by unsynced (bulk) rounds, done at the next sync.
    pub(crate) unsynced: Mutex<Vec<Arc<Ticket>>>,
    pub(crate) journal: Arc<Mutex<Journal>>,
    pub(crate) round: Mutex<RoundState>,
    /// Lines of writers that lost a race on a stream.
    pub(crate) contention: Contention,
    pub(crate) round_done: Condvar,
    /// sled batches applied since open (one per round).
    pub(crate) batches: AtomicU64,
    /// Journal `fdatasync` calls since open.
    pub(crate) syncs: AtomicU64,
    /// Highest position installed in sled (its commit is `shared.installed_commit`, stored
    /// after it, so a reader of both never pairs a position with a later commit).
    pub(crate) committed: AtomicU64,
    /// Highest position (and its commit) acknowledged: journaled with an `fdatasync`.
    pub(crate) acked: AtomicU64,
    pub(crate) acked_commit: AtomicU64,
    /// Installs journaled commits in sled, in order.
    pub(crate) installer: Installer,
    /// Highest position (and its commit) acknowledged and installed; readers see exactly
    /// the positions up to it, so nothing a reader saw can be taken back by a crash.
    pub(crate) visible: AtomicU64,
    pub(crate) visible_commit: AtomicU64,
    /// Commits before format 4: one per event, numbered as its position.
    pub(crate) legacy_commits: u64,
    pub(crate) commit_cache: CommitCache,
    pub(crate) shared: Arc<Shared>,
    pub(crate) persister: Persister,
    /// Keeps the anchor file at the acknowledged head, when there is one.
    pub(crate) anchor: Option<Anchor>,
    pub(crate) recovery: Recovery,
    pub(crate) recent: RwLock<VecDeque<RecordedEvent>>,
    pub(crate) recent_capacity: usize,
    pub(crate) upcaster: Arc<dyn Upcaster>,
    /// Wakes blocking subscribers and waiters when `visible` moves.
    pub(crate) wake: (Mutex<u64>, Condvar),
    #[cfg(feature = "tokio")]
    pub(crate) wake_async: tokio::sync::watch::Sender<u64>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.installer.stop();
        self.persister.stop();
        if let Some(a) = &self.anchor {
            a.stop();
        }
    }
}

/// Where the log ends in the journal: the state a failed round returns the writer to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Journaled {
    pub(crate) next_position: u64,
    pub(crate) last_hash: Hash,
    pub(crate) last_recorded_at: Timestamp,
    pub(crate) next_commit: u64,
    pub(crate) next_stream_no: u64,
}

/// State only the writer (holding the lock) reads or changes: where the log ends with every
/// staged commit, and where it ends in sled.
pub(crate) struct WriterState {
    pub(crate) next_position: u64,
    pub(crate) last_hash: Hash,
    pub(crate) last_recorded_at: Timestamp,
    pub(crate) next_commit: u64,
    pub(crate) next_stream_no: u64,
    /// Stream id -> (stream number, last revision), staged commits included. A cache over the
    /// tree, bounded by clearing while nothing is in flight.
    pub(crate) streams: HashMap<String, (u64, Option<u64>)>,
    /// Events of staged commits not yet installed, for retries that arrive meanwhile.
    pub(crate) inflight_ids: HashMap<uuid::Uuid, (RecordedEvent, Arc<Ticket>)>,
    /// How many staged commits are not yet installed.
    pub(crate) inflight: usize,
    /// The last staged commit's ticket.
    pub(crate) last_ticket: Option<Arc<Ticket>>,
    pub(crate) journaled: Journaled,
    /// Set when writes must stop for good in this process (files lost, or sled refused a
    /// journaled commit).
    pub(crate) failure: Option<Failure>,
}

impl WriterState {
    fn new(journaled: Journaled) -> Self {
        Self {
            next_position: journaled.next_position,
            last_hash: journaled.last_hash,
            last_recorded_at: journaled.last_recorded_at,
            next_commit: journaled.next_commit,
            next_stream_no: journaled.next_stream_no,
            streams: HashMap::new(),
            inflight_ids: HashMap::new(),
            inflight: 0,
            last_ticket: None,
            journaled,
            failure: None,
        }
    }

    /// Forgets every staged commit: the log ends where the journal's does.
    pub(crate) fn roll_back(&mut self) {
        let failure = self.failure.take();
        // Times given out (to taken-back commits, or by a time fence) are never given again.
        let stamped = self.last_recorded_at;
        *self = Self::new(self.journaled);
        self.last_recorded_at = self.last_recorded_at.max(stamped);
        self.failure = failure;
    }

    /// The error every append gets while writes are stopped.
    pub(crate) fn refusal(&self) -> Option<crate::error::AppendError> {
        self.failure.as_ref().map(|f| match f {
            // Only the commit that met the failure may be in the journal; later appends were
            // never written.
            Failure::Unknown(_) | Failure::Io(_) => crate::error::AppendError::Poisoned,
            other => other.to_error(),
        })
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding one of the store's locks cannot leave its data half-changed (every
    // change is a single assignment after the fallible work), so the poison flag carries no
    // information worth failing for.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What opening the store found and did about it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Recovery {
    /// Commits the journal held that sled had not durably taken, installed again on open.
    pub reapplied_commits: u64,
    /// A torn frame cut from the journal's tail (a crash while writing it).
    pub torn_tail: Option<TornTail>,
    /// The store was upgraded from this older format on open.
    pub upgraded_from: Option<u32>,
}

impl Store {
    /// Opens (or creates) a store in the folder `path` with default settings.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, OpenError> {
        StoreConfig::new(path).open()
    }

    fn open_with(config: StoreConfig) -> Result<Store, OpenError> {
        let path = config.path.clone();
        // Damage sled finds in its own files, at open or in the first reads, is corruption.
        Self::open_checked(config).map_err(|e| match e {
            OpenError::Storage(s) if s.is_corruption() => OpenError::Corrupt(CorruptionError {
                at: format!("sled files in {}", path.display()),
                reason: s.to_string(),
            }),
            other => other,
        })
    }

    fn open_checked(config: StoreConfig) -> Result<Store, OpenError> {
        let path = config.path;
        create_folder(&path)?;
        // sled's files there before this open: a store, not a new one, even if both its log
        // and its journal are gone. A new store gets its journal before sled makes any file,
        // so that a crash while it is created never leaves sled's files without a journal.
        let existed = path.join("conf").exists();
        if !existed && !Journal::exists(&path) {
            Journal::create(&path, JournalHead::EMPTY, config.segment_bytes)?;
        }
        let db = open_sled(&path, config.cache_capacity, config.lock_wait)?;
        let tree = db.open_tree(keys::LOG_TREE).storage()?;
        let upgraded_from =
            check_or_write_header(&db, &tree, &path, config.segment_bytes, existed)?;
        let legacy_commits = match tree.get(keys::LEGACY_COMMITS).storage()? {
            None => 0,
            Some(v) => keys::read_u64(&v).ok_or_else(|| CorruptionError {
                at: "legacy commit count".into(),
                reason: "not eight bytes".into(),
            })?,
        };
        let sled_head = log_head(&tree, legacy_commits)?;
        let recovered = Journal::recover(&path, sled_head.commit)?;
        let ack = recovered.head;
        if sled_head.commit < ack.commit {
            // sled lacks acknowledged commits: the journal must hold every one of them.
            if recovered.covers_from.commit > sled_head.commit {
                return Err(OpenError::LogBehindAcknowledged {
                    log: sled_head.log_head(),
                    acknowledged: ack.log_head(),
                });
            }
        }
        if let Some(j) = recovered.at_after {
            if j != sled_head {
                return Err(CorruptionError {
                    at: format!("commit {}", sled_head.commit),
                    reason: format!(
                        "sled's log ends at position {} hash {}, the journal has position {} hash {}",
                        sled_head.position, sled_head.hash, j.position, j.hash
                    ),
                }
                .into());
            }
        }
        let next_stream_no = match tree.get(keys::STREAM_COUNTER).storage()? {
            None => 0,
            Some(v) => keys::read_u64(&v).ok_or_else(|| CorruptionError {
                at: "stream counter".into(),
                reason: "not eight bytes".into(),
            })?,
        };
        let reapplied = recovered.commits.len() as u64;
        let mut next_stream_no = next_stream_no;
        let mut head = sled_head;
        if !recovered.commits.is_empty() {
            next_stream_no = install::install(&tree, &recovered.commits, next_stream_no)?;
            if let Some(last) = recovered.commits.last() {
                head = JournalHead {
                    commit: last.info.number,
                    position: last.info.last_position,
                    hash: last.last_hash(),
                };
            }
        }
        let mut journal = recovered.journal;
        if head.commit > journal.head().commit {
            // sled holds commits the journal lost (an unsynced bulk import before a power
            // loss): from now on the journal starts at sled's head.
            drop(journal);
            Journal::create(&path, head, config.segment_bytes)?;
            journal = Journal::recover(&path, head.commit)?.journal;
        }
        let last_recorded_at = if head.commit == 0 {
            Timestamp::from_micros(i64::MIN)
        } else {
            commit_time(&tree, legacy_commits, head)?
        };
        let journaled = Journaled {
            next_position: head.position + 1,
            last_hash: head.hash,
            last_recorded_at,
            next_commit: head.commit + 1,
            next_stream_no,
        };
        journal.set_segment_bytes(config.segment_bytes);
        let anchor = match &config.anchor_file {
            None => None,
            Some(file) => Some(crate::anchor::open(&tree, file, head)?),
        };
        let journal = Arc::new(Mutex::new(journal));
        let shared = Arc::new(Shared::new(&path, config.sled_reserve)?);
        shared
            .installed_commit
            .store(head.commit, Ordering::Release);
        shared.persisted_commit.store(
            if reapplied > 0 {
                sled_head.commit
            } else {
                head.commit
            },
            Ordering::Release,
        );
        let persister = Persister::start(Work {
            db: db.clone(),
            folder: path.clone(),
            journal: Arc::clone(&journal),
            shared: Arc::clone(&shared),
        })?;
        if reapplied > 0 {
            persister.nudge();
        }
        #[cfg(feature = "tokio")]
        let (wake_async, _) = tokio::sync::watch::channel(head.position);
        let store = Store {
            inner: Arc::new(Inner {
                path,
                db,
                tree,
                writer: Mutex::new(WriterState::new(journaled)),
                queue: Mutex::new(VecDeque::new()),
                sync_requests: Mutex::new(Vec::new()),
                unsynced: Mutex::new(Vec::new()),
                journal,
                round: Mutex::new(RoundState::default()),
                contention: Contention::default(),
                round_done: Condvar::new(),
                batches: AtomicU64::new(0),
                syncs: AtomicU64::new(0),
                committed: AtomicU64::new(head.position),
                acked: AtomicU64::new(head.position),
                acked_commit: AtomicU64::new(head.commit),
                installer: Installer::new(
                    head.commit,
                    next_stream_no,
                    crate::installer::backlog_limit(config.sled_reserve),
                ),
                visible: AtomicU64::new(head.position),
                visible_commit: AtomicU64::new(head.commit),
                legacy_commits,
                commit_cache: CommitCache::new(4096),
                shared,
                persister,
                anchor,
                recovery: Recovery {
                    reapplied_commits: reapplied,
                    torn_tail: recovered.torn,
                    upgraded_from,
                },
                recent: RwLock::new(VecDeque::with_capacity(config.recent_capacity)),
                recent_capacity: config.recent_capacity,
                upcaster: config.upcaster,
                wake: (Mutex::new(head.position), Condvar::new()),
                #[cfg(feature = "tokio")]
                wake_async,
            }),
        };
        store
            .inner
            .installer
            .start(Arc::downgrade(&store.inner))
            .map_err(|e| StorageError::io("start the installing thread", e))?;
        Ok(store)
    }

    /// What opening the store found: commits re-applied from the journal, a torn tail cut,
    /// an upgrade.
    pub fn recovery(&self) -> &Recovery {
        &self.inner.recovery
    }

    /// Waits until position `position` is visible, or `timeout` passes; returns whether it is.
    pub fn wait_visible(&self, position: u64, timeout: Duration) -> bool {
        // An acknowledged position is visible as soon as the installer has it in sled.
        if position <= self.inner.acked.load(Ordering::Acquire) {
            self.inner.settle();
        }
        let deadline = Instant::now() + timeout;
        let (m, cv) = &self.inner.wake;
        let mut seen = lock(m);
        loop {
            if self.inner.visible.load(Ordering::Acquire) >= position {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            seen = cv
                .wait_timeout(seen, deadline - now)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }

    /// The folder the store lives in.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The side table `name` in the store's database, created if need be: an ordered byte
    /// table for what callers keep beside the log (see [`crate::SideTable`]). Names starting
    /// with `reformlog.` are reserved for the store.
    pub fn side_table(&self, name: &str) -> Result<crate::SideTable, StorageError> {
        crate::side::open(&self.inner.db, name)
    }

    /// Drops a side table and everything in it at once (cheaper than clearing it key by
    /// key, e.g. before a read-model rebuild); handles taken before are stale. Returns
    /// whether it existed.
    pub fn drop_side_table(&self, name: &str) -> Result<bool, StorageError> {
        crate::side::drop_table(&self.inner.db, name)
    }

    /// Bytes the database occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64, StorageError> {
        self.inner.db.size_on_disk().storage()
    }

    /// Makes every commit written so far durable and visible (one journal `fdatasync`,
    /// shared with concurrent appenders). Appends already do this before they return; bulk
    /// imports call it at the end. With an anchor file, also waits (a few seconds at most)
    /// until it holds the head; a failed anchor write shows in
    /// [`crate::StoreStats::anchor_failures`].
    pub fn sync(&self) -> Result<(), crate::error::AppendError> {
        self.inner.sync_all()?;
        if let Some(anchor) = &self.inner.anchor {
            anchor.wait_written(
                self.inner.acked.load(Ordering::Acquire),
                Duration::from_secs(5),
            );
        }
        Ok(())
    }

    /// Makes sled hold every installed commit on stable storage now (it does so in the
    /// background anyway), and trims the journal behind it.
    pub fn persist(&self) -> Result<(), StorageError> {
        self.inner.settle();
        let data_file = std::fs::File::open(self.inner.path.join("db"))
            .map_err(|e| StorageError::io("open sled data file", e))?;
        let work = Work {
            db: self.inner.db.clone(),
            folder: self.inner.path.clone(),
            journal: Arc::clone(&self.inner.journal),
            shared: Arc::clone(&self.inner.shared),
        };
        crate::persist::persist_once(&work, &data_file, &mut std::collections::HashSet::new())
    }
}
