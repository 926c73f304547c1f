//! Group commit: appenders that want durability share one flush-and-fsync round.
//!
//! sled's `flush` writes its buffers but on Linux only calls `sync_file_range`, which neither
//! flushes the drive's write cache nor file metadata (sled issue #1452); its full `fsync` runs
//! only in the background flusher. So after each `flush` this module calls `fdatasync` on
//! sled's data file itself, and on any blob files sled wrote (sled never syncs those).

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};

use crate::error::StorageError;
use crate::store::{lock, Inner, Store};

pub(crate) struct Syncer {
    db: sled::Db,
    data_file: File,
    folder: PathBuf,
    blobs: PathBuf,
    synced_blobs: Mutex<HashSet<PathBuf>>,
    state: Mutex<SyncState>,
    done: Condvar,
    syncs: AtomicU64,
}

struct SyncState {
    durable: u64,
    in_progress: bool,
}

impl Syncer {
    pub(crate) fn new(folder: &Path, db: sled::Db) -> Result<Self, StorageError> {
        let data_path = folder.join("db");
        let data_file =
            File::open(&data_path).map_err(|e| StorageError::io("open sled data file", e))?;
        // The folder's own entry for the data file must be stable too, once.
        sync_dir(folder)?;
        Ok(Self {
            db,
            data_file,
            folder: folder.to_path_buf(),
            blobs: folder.join("blobs"),
            synced_blobs: Mutex::new(HashSet::new()),
            state: Mutex::new(SyncState {
                durable: 0,
                in_progress: false,
            }),
            done: Condvar::new(),
            syncs: AtomicU64::new(0),
        })
    }

    pub(crate) fn sync_count(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }

    pub(crate) fn mark_durable(&self, position: u64) {
        let mut st = lock(&self.state);
        st.durable = st.durable.max(position);
    }

    /// One flush-and-fsync round: everything sled accepted before the call is on stable
    /// storage when it returns `Ok`.
    pub(crate) fn sync_now(&self) -> Result<(), StorageError> {
        self.db.flush().map_err(StorageError::from)?;
        self.data_file
            .sync_data()
            .map_err(|e| StorageError::io("fdatasync sled data file", e))?;
        self.sync_new_blobs()?;
        self.syncs.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn sync_new_blobs(&self) -> Result<(), StorageError> {
        let entries = match std::fs::read_dir(&self.blobs) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(StorageError::io("list sled blobs", e)),
        };
        let mut synced = lock(&self.synced_blobs);
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
            sync_dir(&self.blobs)?;
            sync_dir(&self.folder)?;
        }
        Ok(())
    }
}

fn sync_dir(dir: &Path) -> Result<(), StorageError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StorageError::io("fsync folder", e))
}

impl Inner {
    /// Returns once every position up to `position` is on stable storage and visible.
    ///
    /// The first caller to find no round in progress leads one; it syncs everything committed
    /// so far, so callers that arrive meanwhile are covered by the next round, not one each.
    pub(crate) fn sync_to(&self, position: u64) -> Result<(), StorageError> {
        let syncer = &self.syncer;
        let mut st = lock(&syncer.state);
        loop {
            if st.durable >= position {
                return Ok(());
            }
            if st.in_progress {
                st = syncer
                    .done
                    .wait(st)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                continue;
            }
            st.in_progress = true;
            drop(st);
            // Read before the flush: everything committed up to here is covered by it.
            let target = self.committed.load(Ordering::Acquire);
            let result = syncer.sync_now();
            st = lock(&syncer.state);
            st.in_progress = false;
            if result.is_ok() {
                st.durable = st.durable.max(target);
                self.publish(st.durable);
            }
            syncer.done.notify_all();
            result?;
        }
    }

    /// Makes positions up to `position` visible to readers and wakes subscribers.
    fn publish(&self, position: u64) {
        self.visible.fetch_max(position, Ordering::AcqRel);
        let (m, cv) = &self.wake;
        let mut seen = lock(m);
        *seen = (*seen).max(position);
        cv.notify_all();
        drop(seen);
        #[cfg(feature = "tokio")]
        self.wake_async.send_if_modified(|v| {
            if *v < position {
                *v = position;
                true
            } else {
                false
            }
        });
    }
}

impl Store {
    /// Makes every committed event durable and visible (one flush-and-fsync round, shared with
    /// concurrent appenders). Appends already do this before they return; bulk imports call it
    /// at the end.
    pub fn sync(&self) -> Result<(), StorageError> {
        let committed = self.inner.committed.load(Ordering::Acquire);
        self.inner.sync_to(committed)
    }
}
