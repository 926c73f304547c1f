//! Background persistence: sled takes the journaled commits durably off the acknowledgement
//! path (`flush`, then `fdatasync` of its files), and the journal is trimmed behind it.
//!
//! sled's `flush` writes its buffers but on Linux only calls `sync_file_range`, which neither
//! flushes the drive's write cache nor file metadata (sled issue #1452), so this thread calls
//! `fdatasync` on sled's data file itself, and on any blob files sled wrote (sled never syncs
//! those). Only then does it count the commits as held by sled.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::{SledResult, StorageError};
use crate::journal::Journal;
use crate::store::lock;

/// How often sled is made durable while commits arrive.
const INTERVAL: Duration = Duration::from_millis(200);

/// Progress counters shared with the persisting thread.
#[derive(Default)]
pub(crate) struct Shared {
    /// The last commit installed in sled (in memory).
    pub(crate) installed_commit: AtomicU64,
    /// The last commit sled holds on stable storage.
    pub(crate) persisted_commit: AtomicU64,
    /// Persist rounds done.
    pub(crate) rounds: AtomicU64,
    /// Set while the disk has no room for the space kept free for sled: appends are refused
    /// with `StorageFull` then, so that sled, which cannot recover from a failed write in the
    /// same process (sled keeps the first write error for good), never meets a full disk.
    pub(crate) reserve_short: AtomicBool,
    /// Set when a journal write met a full disk, cleared by the next that does not: until
    /// then `Store::write_health` looks for room in the journal.
    pub(crate) journal_short: AtomicBool,
    /// sled's data file, opened for writing to reserve space in it.
    pub(crate) data_file: Option<File>,
    /// Bytes kept allocated past the end of sled's data file.
    pub(crate) reserve_bytes: u64,
    /// Where the space reserved last time ends.
    reserved_to: AtomicU64,
}

impl Shared {
    /// Renews the reserve once sled's file has grown into its second half: sled writes as
    /// fast as commits are installed, which can be faster than the persisting thread's pace.
    pub(crate) fn keep_reserve(&self) {
        let (Some(file), reserved_to) = (&self.data_file, self.reserved_to.load(Ordering::Acquire))
        else {
            return;
        };
        let len = file.metadata().map_or(0, |m| m.len());
        if len + self.reserve_bytes / 2 >= reserved_to {
            self.reserve();
        }
    }

    pub(crate) fn new(folder: &Path, reserve_bytes: u64) -> Result<Self, StorageError> {
        let data_file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(folder.join("db"))
            .map_err(|e| StorageError::io("open sled data file", e))?;
        let shared = Self {
            data_file: Some(data_file),
            reserve_bytes,
            ..Self::default()
        };
        shared.reserve();
        Ok(shared)
    }

    /// Keeps `reserve_bytes` allocated past the end of sled's data file (sled writes there as
    /// its log grows), and notes whether the disk had room for it. Returns whether it did.
    pub(crate) fn reserve(&self) -> bool {
        let Some(file) = &self.data_file else {
            return true;
        };
        if self.reserve_bytes == 0 {
            return true;
        }
        let done = file.metadata().and_then(|m| {
            rustix::fs::fallocate(
                file,
                rustix::fs::FallocateFlags::KEEP_SIZE,
                m.len(),
                self.reserve_bytes,
            )
            .map_err(std::io::Error::from)
        });
        let ok = match done {
            Ok(()) => {
                if let Ok(m) = file.metadata() {
                    self.reserved_to
                        .store(m.len() + self.reserve_bytes, Ordering::Release);
                }
                true
            }
            Err(e) if crate::error::is_full(&e) => false,
            // A file system without fallocate: sled's writes then take their chances.
            Err(_) => true,
        };
        self.reserve_short.store(!ok, Ordering::Release);
        ok
    }
}

struct Control {
    stop: bool,
    nudged: bool,
}

/// The persisting thread and how to stop it.
pub(crate) struct Persister {
    control: Arc<(Mutex<Control>, Condvar)>,
    handle: Mutex<Option<JoinHandle<()>>>,
}

/// What the thread works on: its own handles, so that it never keeps the store alive.
pub(crate) struct Work {
    pub(crate) db: sled::Db,
    pub(crate) folder: PathBuf,
    pub(crate) journal: Arc<Mutex<Journal>>,
    pub(crate) shared: Arc<Shared>,
}

impl Persister {
    pub(crate) fn start(work: Work) -> Result<Self, StorageError> {
        let data_file = File::open(work.folder.join("db"))
            .map_err(|e| StorageError::io("open sled data file", e))?;
        let control = Arc::new((
            Mutex::new(Control {
                stop: false,
                nudged: false,
            }),
            Condvar::new(),
        ));
        let c = Arc::clone(&control);
        let handle = std::thread::Builder::new()
            .name("reformlog-persist".into())
            .spawn(move || run(&work, &data_file, &c))
            .map_err(|e| StorageError::io("start the persisting thread", e))?;
        Ok(Self {
            control,
            handle: Mutex::new(Some(handle)),
        })
    }

    /// Asks for a round now (commits were re-applied on open, or the journal's active segment
    /// is full).
    pub(crate) fn nudge(&self) {
        let (m, cv) = &*self.control;
        let mut c = lock(m);
        if !c.nudged {
            c.nudged = true;
            cv.notify_one();
        }
    }

    /// Stops the thread after one last round, and waits for it.
    pub(crate) fn stop(&self) {
        {
            let (m, cv) = &*self.control;
            lock(m).stop = true;
            cv.notify_one();
        }
        if let Some(h) = lock(&self.handle).take() {
            // A panic in the thread has nothing left to report to.
            let _ = h.join();
        }
    }
}

fn run(work: &Work, data_file: &File, control: &(Mutex<Control>, Condvar)) {
    let mut synced_blobs = HashSet::new();
    loop {
        let stop = {
            let (m, cv) = control;
            let mut c = lock(m);
            if !c.stop && !c.nudged {
                c = cv
                    .wait_timeout(c, INTERVAL)
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .0;
            }
            c.nudged = false;
            c.stop
        };
        // A failed round is retried on the next one; the journal keeps the commits meanwhile.
        let _ = persist_once(work, data_file, &mut synced_blobs);
        if stop {
            return;
        }
    }
}

/// Makes what sled holds durable, then trims the journal behind it.
pub(crate) fn persist_once(
    work: &Work,
    data_file: &File,
    synced_blobs: &mut HashSet<PathBuf>,
) -> Result<(), StorageError> {
    let target = work.shared.installed_commit.load(Ordering::Acquire);
    // Without the reserve, sled's flush could meet a full disk, which it does not survive:
    // then wait, with the commits safe in the journal.
    if !work.shared.reserve() {
        return Ok(());
    }
    if target > work.shared.persisted_commit.load(Ordering::Acquire) {
        work.db.flush().storage()?;
        data_file
            .sync_data()
            .map_err(|e| StorageError::io("fdatasync sled data file", e))?;
        sync_new_blobs(&work.folder, synced_blobs)?;
        work.shared
            .persisted_commit
            .fetch_max(target, Ordering::AcqRel);
        work.shared.rounds.fetch_add(1, Ordering::Relaxed);
        work.shared.reserve();
    }
    let persisted = work.shared.persisted_commit.load(Ordering::Acquire);
    let mut journal = lock(&work.journal);
    journal.rotate_if_large()?;
    journal.trim(persisted)?;
    Ok(())
}

fn sync_new_blobs(folder: &Path, synced: &mut HashSet<PathBuf>) -> Result<(), StorageError> {
    let blobs = folder.join("blobs");
    let entries = match std::fs::read_dir(&blobs) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StorageError::io("list sled blobs", e)),
    };
    let mut any = false;
    for entry in entries {
        let path = entry
            .map_err(|e| StorageError::io("list sled blobs", e))?
            .path();
        if synced.contains(&path) {
            continue;
        }
        match File::open(&path) {
            Ok(f) => f
                .sync_all()
                .map_err(|e| StorageError::io("fsync sled blob", e))?,
            // sled removes blobs it no longer needs; one gone is one not to sync.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(StorageError::io("open sled blob", e)),
        }
        synced.insert(path);
        any = true;
    }
    if any {
        sync_dir(&blobs)?;
        sync_dir(folder)?;
    }
    Ok(())
}

pub(crate) fn sync_dir(dir: &Path) -> Result<(), StorageError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StorageError::io("fsync folder", e))
}
