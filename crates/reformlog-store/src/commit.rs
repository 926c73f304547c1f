//! Commits: each append is one, with a number, one recorded-at time, its metadata once, and
//! its first and last position; reading commits and resolving positions and times to them.

use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::error::{CorruptionError, ReadError, SledResult};
use crate::hash::Hash;
use crate::keys;
use crate::record::{Metadata, RecordedEvent, Timestamp};
use crate::store::{Inner, Store};

/// One commit: what a single `append`/`append_multi` call wrote, all or nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CommitInfo {
    /// The commit number: from 1, gap-free, in position order.
    pub number: u64,
    /// The position of the commit's first event.
    pub first_position: u64,
    /// The position of the commit's last event.
    pub last_position: u64,
    /// When the store recorded the commit; every event of it has this time.
    pub recorded_at: Timestamp,
    /// The commit's metadata: that of its first event (an event whose metadata differs keeps
    /// its own).
    pub metadata: Metadata,
}

impl CommitInfo {
    /// A commit entry as another backend of the same log reads it; this crate's store builds
    /// its own.
    pub fn new(
        number: u64,
        first_position: u64,
        last_position: u64,
        recorded_at: Timestamp,
        metadata: Metadata,
    ) -> Self {
        Self {
            number,
            first_position,
            last_position,
            recorded_at,
            metadata,
        }
    }

    /// How many events the commit holds.
    pub fn len(&self) -> u64 {
        self.last_position - self.first_position + 1
    }

    /// Never true: a commit holds at least one event.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether `position` belongs to this commit.
    pub fn contains(&self, position: u64) -> bool {
        (self.first_position..=self.last_position).contains(&position)
    }
}

/// A commit with its events, as read back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Commit {
    /// The commit's number, positions, time and metadata.
    pub info: CommitInfo,
    /// Its events, in position order.
    pub events: Vec<RecordedEvent>,
}

impl Commit {
    /// A commit with its events as another backend of the same log reads it.
    pub fn new(info: CommitInfo, events: Vec<RecordedEvent>) -> Self {
        Self { info, events }
    }
}

/// A stream's part of a staged commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StagedStream {
    pub(crate) stream: String,
    pub(crate) stream_no: u64,
    /// The commit creates the stream (and so its stream-table entry).
    pub(crate) created: bool,
    pub(crate) first_revision: u64,
    /// How many of the commit's records, in order, belong to this stream.
    pub(crate) events: usize,
}

/// A commit decided by the writer, journaled and installed in sled in that order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StagedCommit {
    pub(crate) info: CommitInfo,
    /// The hash of the record before the commit's first one.
    pub(crate) prev_hash: Hash,
    pub(crate) streams: Vec<StagedStream>,
    pub(crate) records: Vec<RecordedEvent>,
}

impl StagedCommit {
    /// The hash of the commit's last record.
    pub(crate) fn last_hash(&self) -> Hash {
        self.records.last().map_or(self.prev_hash, |r| r.hash)
    }
}

impl Store {
    /// The visible commit numbered `number`, with its events.
    pub fn commit(&self, number: u64) -> Result<Option<Commit>, ReadError> {
        let Some(info) = self.commit_info(number)? else {
            return Ok(None);
        };
        let mut events = Vec::with_capacity(usize::try_from(info.len()).unwrap_or(0));
        for position in info.first_position..=info.last_position {
            let record = self.inner.read_record(position)?;
            events.push(self.inner.upcast(record)?);
        }
        Ok(Some(Commit { info, events }))
    }

    /// The visible commit numbered `number`, without its events.
    pub fn commit_info(&self, number: u64) -> Result<Option<CommitInfo>, ReadError> {
        if number == 0 || number > self.inner.visible_commit() {
            return Ok(None);
        }
        self.inner.commit_info(number).map(Some)
    }

    /// The visible commit that holds `position`.
    pub fn commit_of(&self, position: u64) -> Result<Option<CommitInfo>, ReadError> {
        if position == 0 || position > self.head_position() {
            return Ok(None);
        }
        let number = self.inner.commit_number_of(position)?;
        self.inner.commit_info(number).map(Some)
    }

    /// The last visible commit number (0 for an empty log).
    pub fn head_commit(&self) -> u64 {
        self.inner.visible_commit()
    }

    /// Up to `limit` visible commits from number `from` on, each with its events: the log read
    /// by commit.
    pub fn read_commits(&self, from: u64, limit: usize) -> Result<Vec<Commit>, ReadError> {
        let head = self.inner.visible_commit();
        let mut out = Vec::new();
        let mut n = from.max(1);
        while n <= head && out.len() < limit {
            if let Some(c) = self.commit(n)? {
                out.push(c);
            }
            n += 1;
        }
        Ok(out)
    }

    /// A fence in recorded time: `(at, position)` such that every commit recorded at or
    /// before `at` ends at or below `position`, and every commit staged from now on is
    /// recorded strictly after `at`. A reader answering "everything recorded up to a time"
    /// takes a fence, waits until `position` is visible ([`Store::wait_visible`]) and reads:
    /// no commit can later appear at a time it covered, however the clock moves and
    /// whatever is in flight (a commit staged before the fence may still fail, and its
    /// positions go to commits recorded after `at`).
    pub fn time_fence(&self) -> (Timestamp, u64) {
        let mut w = crate::store::lock(&self.inner.writer);
        let at = Timestamp::now().max(w.last_recorded_at);
        // Later commits are stamped after the last one's time, so after `at` too.
        w.last_recorded_at = at;
        (at, w.next_position.saturating_sub(1))
    }

    /// "As known at `position`": the last position of the commit holding it, since a commit is
    /// seen whole or not at all. Positions past the visible head give the head; 0 gives 0.
    pub fn known_at_position(&self, position: u64) -> Result<u64, ReadError> {
        let head = self.head_position();
        if position == 0 {
            return Ok(0);
        }
        if position >= head {
            return Ok(head);
        }
        let number = self.inner.commit_number_of(position)?;
        Ok(self.inner.commit_info(number)?.last_position)
    }
}

impl Inner {
    /// The last visible commit number, once every acknowledged commit is visible.
    pub(crate) fn visible_commit(&self) -> u64 {
        self.settle();
        self.visible_commit.load(Ordering::Acquire)
    }

    /// Commit `number`'s entry; commits of a store upgraded from an older format are one per
    /// event, made from the record.
    pub(crate) fn commit_info(&self, number: u64) -> Result<CommitInfo, ReadError> {
        if let Some(c) = self.commit_cache.get(number) {
            return Ok(c);
        }
        let info = if number <= self.legacy_commits {
            let r = self.read_record(number)?;
            CommitInfo {
                number,
                first_position: number,
                last_position: number,
                recorded_at: r.recorded_at,
                metadata: r.metadata,
            }
        } else {
            match self.tree.get(keys::commit(number)).storage()? {
                None => {
                    return Err(CorruptionError {
                        at: format!("commit {number}"),
                        reason: "commit entry missing".into(),
                    }
                    .into())
                }
                Some(v) => codec::decode_commit(number, &v).map_err(|e| CorruptionError {
                    at: format!("commit {number}"),
                    reason: e.to_string(),
                })?,
            }
        };
        self.commit_cache.put(&info);
        Ok(info)
    }

    /// The number of the commit holding `position` (which must be stored).
    pub(crate) fn commit_number_of(&self, position: u64) -> Result<u64, ReadError> {
        if position <= self.legacy_commits {
            return Ok(position);
        }
        let bytes = self
            .tree
            .get(keys::log(position))
            .storage()?
            .ok_or_else(|| CorruptionError::at_position(position, "record missing"))?;
        match codec::decode_stored(&bytes).map_err(|e| CorruptionError::at_position(position, e))? {
            codec::Stored::V1(r) => Ok(r.commit),
            codec::Stored::V4(s) => Ok(s.commit),
        }
    }

    /// The last commit recorded at or before `at` (0 when none), by binary search over the
    /// visible commits.
    pub(crate) fn commit_at_or_before(&self, at: Timestamp) -> Result<u64, ReadError> {
        let head = self.visible_commit();
        // Invariant: every commit < lo is at or before `at`; every commit >= hi is after it.
        let (mut lo, mut hi) = (1u64, head + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.commit_info(mid)?.recorded_at <= at {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(lo - 1)
    }
}

/// A small cache of commit entries: readers of consecutive records ask for the same commit.
pub(crate) struct CommitCache {
    slots: Vec<std::sync::Mutex<Option<CommitInfo>>>,
}

impl CommitCache {
    pub(crate) fn new(slots: usize) -> Self {
        Self {
            slots: (0..slots.max(1))
                .map(|_| std::sync::Mutex::new(None))
                .collect(),
        }
    }

    fn slot(&self, number: u64) -> &std::sync::Mutex<Option<CommitInfo>> {
        let i = usize::try_from(number % self.slots.len() as u64).unwrap_or(0);
        &self.slots[i]
    }

    pub(crate) fn get(&self, number: u64) -> Option<CommitInfo> {
        let slot = crate::store::lock(self.slot(number));
        slot.as_ref().filter(|c| c.number == number).cloned()
    }

    pub(crate) fn put(&self, info: &CommitInfo) {
        *crate::store::lock(self.slot(info.number)) = Some(info.clone());
    }
}
