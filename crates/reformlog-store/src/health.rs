//! Whether the store takes appends now, and if not why: what a readiness probe reports.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use crate::journal::JournalError;
use crate::round::Failure;
use crate::store::{lock, Store};

/// Whether an append would be taken now ([`Store::write_health`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteHealth {
    /// Appends are taken.
    Writable,
    /// The disk (or a quota) is full: appends are refused with
    /// [`crate::AppendError::StorageFull`] and keep nothing. They are taken again, without a
    /// reopen, once space is freed.
    Full(String),
    /// The store's files were deleted or replaced under it: nothing more is acknowledged.
    /// Reopen the store where its files are.
    Lost(PathBuf),
    /// Writes stopped for good in this process after a storage failure (sled refused a
    /// journaled commit, or a sync failed after unsynced bulk writes). Reopening the store
    /// installs what the journal holds and takes appends again.
    Stopped(String),
}

impl WriteHealth {
    /// Whether appends are taken.
    pub fn is_writable(&self) -> bool {
        matches!(self, WriteHealth::Writable)
    }
}

impl Store {
    /// Whether an append would be taken now, and if not why. Where a full disk stopped
    /// appends this looks again, allocating the space appends need as the next append
    /// would, so it turns [`WriteHealth::Writable`] by itself once space is freed; and it
    /// checks that the journal's file is still the store's, so files deleted under an idle
    /// store show as [`WriteHealth::Lost`] before any append meets them.
    pub fn write_health(&self) -> WriteHealth {
        let inner = &self.inner;
        if let Some(failure) = lock(&inner.writer).failure.clone() {
            return match failure {
                Failure::Lost(path) => WriteHealth::Lost(path),
                Failure::Full(m) => WriteHealth::Stopped(format!(
                    "a sync after unsynced bulk writes met a full disk: {m}"
                )),
                Failure::Io(m) => {
                    WriteHealth::Stopped(format!("a sync after unsynced bulk writes failed: {m}"))
                }
                Failure::Unknown(m) => {
                    WriteHealth::Stopped(format!("sled refused a journaled commit: {m}"))
                }
            };
        }
        if inner.installer.failed() {
            return WriteHealth::Stopped("sled refused a journaled commit".into());
        }
        if inner.shared.reserve_short.load(Ordering::Acquire) && !inner.shared.reserve() {
            return WriteHealth::Full("no room for the space kept free for sled's files".into());
        }
        let journal = lock(&inner.journal);
        if let Err(JournalError::Lost(path)) = journal.check_linked() {
            return WriteHealth::Lost(path);
        }
        if inner.shared.journal_short.load(Ordering::Acquire) {
            if !journal.make_room() {
                return WriteHealth::Full("no room for the journal's next frames".into());
            }
            inner.shared.journal_short.store(false, Ordering::Release);
        }
        WriteHealth::Writable
    }
}
