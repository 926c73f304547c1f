//! `StoreStats`: counters describing a store's work, read without stopping it.

use std::sync::atomic::Ordering;

use crate::store::{lock, Store};

impl Store {
    /// Counters describing the store's work so far.
    pub fn stats(&self) -> StoreStats {
        let journal = lock(&self.inner.journal);
        StoreStats {
            committed_position: self.inner.committed.load(Ordering::Acquire),
            durable_position: self.inner.acked.load(Ordering::Acquire),
            syncs: journal.syncs(),
            batches: self.inner.batches.load(Ordering::Relaxed),
            head_commit: self.inner.visible_commit.load(Ordering::Acquire),
            persisted_commit: self.inner.shared.persisted_commit.load(Ordering::Acquire),
            persist_rounds: self.inner.shared.rounds.load(Ordering::Relaxed),
            journal_segments: journal.segment_count() as u64,
            journal_bytes: journal.active_len(),
            anchor_position: self.inner.anchor.as_ref().map_or(0, |a| a.status().0),
            anchor_failures: self.inner.anchor.as_ref().map_or(0, |a| a.status().1),
        }
    }
}

/// Counters describing a store's work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreStats {
    /// The last position applied to the database.
    pub committed_position: u64,
    /// The last position journaled on stable storage (and so visible to readers).
    pub durable_position: u64,
    /// How many journal `fdatasync` rounds the store has made since it was opened.
    pub syncs: u64,
    /// How many sled batches commits have been installed in since it was opened (concurrent
    /// appends share one).
    pub batches: u64,
    /// The last visible commit.
    pub head_commit: u64,
    /// The last commit sled holds on stable storage (the journal is trimmed up to it).
    pub persisted_commit: u64,
    /// How many background persist rounds have run.
    pub persist_rounds: u64,
    /// Journal segment files.
    pub journal_segments: u64,
    /// Bytes in the active journal segment.
    pub journal_bytes: u64,
    /// The position the anchor file holds (0 without one, or for an empty log).
    pub anchor_position: u64,
    /// Writes of the anchor file that failed since open (each retried).
    pub anchor_failures: u64,
}
