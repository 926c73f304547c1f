//! `Store::snapshot_to`: a copy of the log up to one commit boundary, taken while appends go
//! on, written under a temporary name and renamed into place only once it verifies.
//!
//! The copy is logical, not a copy of sled's files (which change under a running store): every
//! commit up to the head seen at the start is read back and re-staged into a fresh store with
//! the same numbers, positions, revisions, times, metadata, payloads and hashes, through the
//! same journal frames and installs as a bulk import. Records at or below the visible head
//! never change, so reading them needs no lock and appends carry on meanwhile.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::chain::{record_hash, HeadDigest};
use crate::commit::CommitInfo;
use crate::error::{ReadError, SledResult, SnapshotError};
use crate::hash::Hash;
use crate::keys;
use crate::record::RecordedEvent;
use crate::replicate::{StageFault, StreamNumbers};
use crate::round::Ticket;
use crate::store::{Inner, Store, StoreConfig};

/// sled's cache for the copy while it is written: it is read back only by its own checks.
const COPY_CACHE_BYTES: u64 = 4 * 1024 * 1024;

/// What a snapshot holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Snapshot {
    /// Its last commit (0 for an empty log).
    pub commit: u64,
    /// Its head digest; `None` for an empty log.
    pub head: Option<HeadDigest>,
    /// How many records it holds (its head position).
    pub records: u64,
}

impl Store {
    /// Writes a consistent copy of the log, up to the last commit visible when it is called,
    /// into the new folder `dir`, while appends to this store go on.
    ///
    /// The copy is built in `.<name>.partial` beside `dir` (a stale one from an interrupted
    /// snapshot is removed first), made durable, reopened and verified whole (chain, indexes,
    /// commit table, head digest equal to this store's at that commit), and only then renamed
    /// to `dir`: a folder under that name is always a complete, verified snapshot. One
    /// snapshot at a time should target a given `dir`. The read models or other auxiliary
    /// trees are not copied.
    pub fn snapshot_to(&self, dir: impl AsRef<Path>) -> Result<Snapshot, SnapshotError> {
        let dir = dir.as_ref();
        let (parent, name) = match (dir.parent(), dir.file_name()) {
            (Some(p), Some(n)) => (p, n.to_string_lossy().into_owned()),
            _ => return Err(SnapshotError::InvalidTarget(dir.to_path_buf())),
        };
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        if dir.exists() {
            return Err(SnapshotError::Exists(dir.to_path_buf()));
        }
        let partial = parent.join(format!(".{name}.partial"));
        if partial.exists() {
            std::fs::remove_dir_all(&partial)
                .map_err(|e| SnapshotError::io("cannot remove the stale", &partial, e))?;
        }
        let commit = self.inner.visible_commit();
        let head = match commit {
            0 => None,
            n => {
                let position = self.inner.commit_info(n)?.last_position;
                Some(HeadDigest {
                    position,
                    hash: self.inner.hash_at(position)?,
                })
            }
        };
        let snapshot = Snapshot {
            commit,
            head,
            records: head.map_or(0, |h| h.position),
        };
        let built = self
            .write_copy(&partial, &snapshot)
            .and_then(|()| check_copy(&partial, &snapshot));
        if let Err(e) = built {
            // What a failed copy wrote would only take space (on a full disk, the space the
            // live store needs); best effort, since the next snapshot removes it anyway.
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
        std::fs::rename(&partial, dir)
            .map_err(|e| SnapshotError::io("cannot rename the snapshot to", dir, e))?;
        std::fs::File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(|e| SnapshotError::io("cannot sync the folder", parent, e))?;
        Ok(snapshot)
    }
}

impl Store {
    /// Creates the store at `partial` and writes the snapshot's commits into it durably.
    fn write_copy(&self, partial: &Path, snapshot: &Snapshot) -> Result<(), SnapshotError> {
        let copy = StoreConfig::new(partial)
            .cache_capacity(COPY_CACHE_BYTES)
            .recent_capacity(1)
            .open()
            .map_err(|e| SnapshotError::open(partial, e))?;
        copy_commits(&self.inner, &copy.inner, snapshot, partial)?;
        copy.sync().map_err(|e| SnapshotError::write(partial, e))?;
        copy.persist()
            .map_err(|e| SnapshotError::write(partial, e.into()))
    }
}

/// Re-stages the commits of `source` up to `head` into the empty store `copy`, read in one
/// pass over the log and each record checked against the chain, in unsynced rounds of at
/// most the installer's backlog limit of frame bytes (sled's space reserve bounds what one
/// round may put in it).
fn copy_commits(
    source: &Inner,
    copy: &Inner,
    head: &Snapshot,
    path: &Path,
) -> Result<(), SnapshotError> {
    let Some(last) = head.head else {
        return Ok(());
    };
    let limit = copy.installer.limit();
    let mut prev = Hash::ZERO;
    let mut expected = 1u64;
    let mut cached: Option<CommitInfo> = None;
    let mut open: Option<(CommitInfo, Vec<RecordedEvent>)> = None;
    let mut tickets: Vec<Arc<Ticket>> = Vec::new();
    let mut bytes = 0u64;
    let mut stage = |commit: Option<(CommitInfo, Vec<RecordedEvent>)>,
                     done: bool|
     -> Result<(), SnapshotError> {
        if let Some((info, records)) = commit {
            let (ticket, frame_bytes) = copy.stage_copy(source, info, records, path)?;
            tickets.push(ticket);
            bytes += frame_bytes;
        }
        if bytes >= limit || (done && !tickets.is_empty()) {
            copy.write_queued_unsynced(&tickets)
                .map_err(|e| SnapshotError::write(path, e))?;
            tickets.clear();
            bytes = 0;
        }
        Ok(())
    };
    for item in source.tree.range(keys::log(1)..=keys::log(last.position)) {
        let (key, value) = item.storage().map_err(ReadError::from)?;
        let broken = |position: u64, reason: &str| SnapshotError::Broken {
            position,
            reason: reason.into(),
        };
        if keys::log_position(&key) != Some(expected) {
            return Err(broken(expected, "record missing"));
        }
        let position = expected;
        let mut record = source.complete(position, &value, Some(prev), &mut cached)?;
        if record.prev_hash != prev {
            return Err(broken(
                position,
                "previous-hash link does not match the previous record",
            ));
        }
        if record_hash(&record) != record.hash {
            return Err(broken(position, "content does not match its hash"));
        }
        prev = record.hash;
        expected += 1;
        if open
            .as_ref()
            .is_some_and(|(info, _)| info.contains(position))
        {
            if let Some((_, records)) = open.as_mut() {
                records.push(record);
            }
            continue;
        }
        // The record starts the next commit: the one before it is whole.
        let want = open.as_ref().map_or(1, |(info, _)| info.number + 1);
        let info = match &cached {
            Some(c) if c.number == record.commit => c.clone(),
            // A record from before format 4 is a commit of its own, numbered as its position.
            _ => source.commit_info(record.commit)?,
        };
        if info.number != want || info.first_position != position {
            return Err(broken(
                position,
                &format!(
                    "the record names commit {}, where commit {want} starts",
                    info.number
                ),
            ));
        }
        record.commit = info.number;
        stage(open.replace((info, vec![record])), false)?;
    }
    if expected != last.position + 1 {
        return Err(SnapshotError::Broken {
            position: expected,
            reason: "record missing".into(),
        });
    }
    match &open {
        Some((info, _)) if info.number == head.commit && info.last_position == last.position => {}
        _ => {
            return Err(SnapshotError::Broken {
                position: last.position,
                reason: format!("the log does not end commit {} there", head.commit),
            })
        }
    }
    stage(open.take(), true)
}

impl Inner {
    /// Stages a commit read from `source` exactly as it was recorded, continuing this store's
    /// log; returns its ticket and the size of its journal frame. Streams keep their numbers,
    /// so that the copy's keys are the source's and the source's journal frames (which name
    /// stream numbers) can be installed on the copy: restoring sled's files from a snapshot
    /// and keeping a newer journal re-applies the journal's commits after it.
    fn stage_copy(
        &self,
        source: &Inner,
        info: CommitInfo,
        records: Vec<RecordedEvent>,
        path: &Path,
    ) -> Result<(Arc<Ticket>, u64), SnapshotError> {
        let numbering = StreamNumbers::From(source);
        self.stage_recorded(info, records, numbering)
            .map_err(|fault| match fault {
                StageFault::Refused(e) => SnapshotError::write(path, e),
                StageFault::Read(e) => SnapshotError::Read(e),
                StageFault::Mismatch(reason) => SnapshotError::Mismatch {
                    path: path.to_path_buf(),
                    reason,
                },
            })
    }
}

/// Reopens the finished copy and verifies it whole against the snapshot it should be.
fn check_copy(path: &Path, snapshot: &Snapshot) -> Result<(), SnapshotError> {
    let mismatch = |reason: String| SnapshotError::Mismatch {
        path: path.to_path_buf(),
        reason,
    };
    // sled lets go of the copy's lock from its own threads a moment after it is dropped.
    let copy = StoreConfig::new(path)
        .cache_capacity(COPY_CACHE_BYTES)
        .recent_capacity(1)
        .lock_wait(Duration::from_secs(10))
        .open()
        .map_err(|e| SnapshotError::open(path, e))?;
    let report = copy.verify()?;
    if let Some(b) = report.first_break {
        return Err(mismatch(format!("{b}")));
    }
    if report.head != snapshot.head || copy.head_commit() != snapshot.commit {
        return Err(mismatch(format!(
            "it ends at commit {} with head {}, the snapshot at commit {} with head {}",
            copy.head_commit(),
            describe(report.head.as_ref()),
            snapshot.commit,
            describe(snapshot.head.as_ref())
        )));
    }
    Ok(())
}

fn describe(head: Option<&HeadDigest>) -> String {
    head.map_or_else(
        || "none (empty)".to_string(),
        |h| format!("{}:{}", h.position, h.hash),
    )
}

impl SnapshotError {
    fn io(context: &'static str, path: &Path, source: std::io::Error) -> Self {
        SnapshotError::Io {
            context,
            path: path.to_path_buf(),
            source,
        }
    }

    fn open(path: &Path, source: crate::error::OpenError) -> Self {
        SnapshotError::Open {
            path: path.to_path_buf(),
            source: Box::new(source),
        }
    }

    fn write(path: &Path, source: crate::error::AppendError) -> Self {
        SnapshotError::Copy {
            path: path.to_path_buf(),
            source,
        }
    }
}
