//! Group commit: staged commits are journaled together with one `fdatasync` per round and
//! acknowledged; the installer puts them in sled and they become visible; a failed round
//! takes back everything staged after it.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use crate::append::{AppendOutcome, Staged, StreamAppend};
use crate::chain::HeadDigest;
use crate::commit::StagedCommit;
use crate::error::AppendError;
use crate::journal::{JournalError, JournalHead};
use crate::store::{lock, Inner, Journaled};

/// One staged commit waiting for its round: the commit, its encoded journal frame, and where
/// its result goes.
pub(crate) struct Queued {
    pub(crate) commit: StagedCommit,
    pub(crate) frame: Vec<u8>,
    pub(crate) ticket: Arc<Ticket>,
}

/// Why a round failed, for every commit it takes back.
#[derive(Clone, Debug)]
pub(crate) enum Failure {
    Full(String),
    Lost(std::path::PathBuf),
    Io(String),
    /// Journaled durably, but sled refused it.
    Unknown(String),
}

impl Failure {
    pub(crate) fn to_error(&self) -> AppendError {
        match self {
            Failure::Full(m) => AppendError::StorageFull(m.clone()),
            Failure::Lost(p) => AppendError::StoreLost(p.clone()),
            Failure::Io(m) => AppendError::JournalFailed(m.clone()),
            Failure::Unknown(m) => AppendError::OutcomeUnknown(m.clone()),
        }
    }
}

/// Where a round leaves one commit's result: written (journaled and installed, not yet
/// synced), then done.
#[derive(Default)]
pub(crate) struct Ticket(Mutex<TicketState>);

#[derive(Clone, Default)]
enum TicketState {
    #[default]
    Pending,
    Written,
    Done(Result<(), Failure>),
}

impl Ticket {
    fn put(&self, r: Result<(), Failure>) {
        *lock(&self.0) = TicketState::Done(r);
    }

    fn written(&self) {
        let mut st = lock(&self.0);
        if matches!(*st, TicketState::Pending) {
            *st = TicketState::Written;
        }
    }

    /// The final result, once there is one.
    fn get(&self) -> Option<Result<(), Failure>> {
        match &*lock(&self.0) {
            TicketState::Done(r) => Some(r.clone()),
            _ => None,
        }
    }

    /// Whether the commit was written or has its final result.
    fn get_written(&self) -> Option<Result<(), Failure>> {
        match &*lock(&self.0) {
            TicketState::Done(r) => Some(r.clone()),
            TicketState::Written => Some(Ok(())),
            TicketState::Pending => None,
        }
    }
}

/// Whether a round leader is at work; the others wait for it.
#[derive(Default)]
pub(crate) struct RoundState {
    leading: bool,
}

impl Inner {
    /// Stages one append and returns once its commit is durable (acknowledged); every read
    /// from then on sees it.
    pub(crate) fn append_durably(
        &self,
        appends: &[StreamAppend],
    ) -> Result<AppendOutcome, AppendError> {
        loop {
            match self.stage(appends)? {
                Staged::Commit(outcome, ticket) => {
                    self.wait_durable(&ticket)?;
                    return Ok(outcome);
                }
                Staged::Duplicate(outcome, wait) => match wait {
                    None => return Ok(outcome),
                    // The original is still in flight: the retry succeeds only with it, and
                    // if it failed this is a first attempt again.
                    Some(ticket) => {
                        if self.wait_durable(&ticket).is_ok() {
                            return Ok(outcome);
                        }
                    }
                },
                Staged::Conflict(error, wait) => {
                    if let Some(ticket) = wait {
                        // Whatever the winner's fate, the caller's retry must not read the
                        // state from before it.
                        let _ = self.wait_durable(&ticket);
                    }
                    if let AppendError::WrongExpectedRevision { stream, .. } = &error {
                        self.contention.wait_turn(stream);
                    }
                    return Err(error);
                }
            }
        }
    }

    /// Stages one append and writes its commit to the journal and to sled without a sync:
    /// durable and visible at the next sync. For bulk imports.
    pub(crate) fn append_unsynced(
        &self,
        appends: &[StreamAppend],
    ) -> Result<AppendOutcome, AppendError> {
        match self.stage(appends)? {
            Staged::Commit(outcome, ticket) => {
                self.run_round(false);
                match ticket.get_written() {
                    Some(Ok(())) => Ok(outcome),
                    Some(Err(f)) => Err(f.to_error()),
                    // Rounds run one at a time and ours took the queue after our staging, so
                    // the commit has a state; wait for the final one all the same.
                    None => self.wait_durable(&ticket).map(|()| outcome),
                }
            }
            Staged::Duplicate(outcome, wait) => {
                if let Some(t) = wait {
                    self.wait_durable(&t)?;
                }
                Ok(outcome)
            }
            Staged::Conflict(error, _) => Err(error),
        }
    }

    /// Writes every queued commit to the journal and to sled in one round without a sync, as
    /// a bulk import does; they become durable and visible at the next sync. Fails with the
    /// first of `tickets` that failed.
    pub(crate) fn write_queued_unsynced(&self, tickets: &[Arc<Ticket>]) -> Result<(), AppendError> {
        self.run_round(false);
        for ticket in tickets {
            match ticket.get_written() {
                Some(Ok(())) => {}
                Some(Err(f)) => return Err(f.to_error()),
                None => self.wait_durable(ticket)?,
            }
        }
        Ok(())
    }

    /// Makes everything written so far durable and visible (one round, shared).
    pub(crate) fn sync_all(&self) -> Result<(), AppendError> {
        let ticket = Arc::new(Ticket::default());
        // An empty entry in the queue asks the next round to sync and reports to us.
        lock(&self.sync_requests).push(Arc::clone(&ticket));
        self.wait_durable(&ticket)
    }

    /// Returns once `ticket` has its result, leading rounds while no one else does.
    pub(crate) fn wait_durable(&self, ticket: &Ticket) -> Result<(), AppendError> {
        let mut st = lock(&self.round);
        loop {
            if let Some(r) = ticket.get() {
                return r.map_err(|f| f.to_error());
            }
            if st.leading {
                st = self
                    .round_done
                    .wait(st)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                continue;
            }
            st.leading = true;
            drop(st);
            self.run_round(true);
            st = lock(&self.round);
            st.leading = false;
            self.round_done.notify_all();
        }
    }

    /// One round: journal every queued commit (with one `fdatasync` when `sync`), hand them
    /// to the installer in commit order, and acknowledge them. An unsynced (bulk) round waits
    /// for the install instead, and is acknowledged by the next sync.
    fn run_round(&self, sync: bool) {
        let mut journal = lock(&self.journal);
        if sync {
            // While the installer is far behind, acknowledge no more: sled must not take more
            // in one batch than the space kept for it holds, nor readers wait long in `settle`.
            self.installer.wait_room();
        }
        let queued: Vec<Queued> = lock(&self.queue).drain(..).collect();
        let requests: Vec<Arc<Ticket>> = if sync {
            std::mem::take(&mut *lock(&self.sync_requests))
        } else {
            Vec::new()
        };
        if queued.is_empty() && requests.is_empty() {
            return;
        }
        if let Some(failure) = lock(&self.writer).failure.clone() {
            self.fail_all(queued, requests, &failure);
            return;
        }
        let mut frames = Vec::with_capacity(queued.iter().map(|q| q.frame.len()).sum());
        for q in &queued {
            frames.extend_from_slice(&q.frame);
        }
        let head = queued.last().map_or(journal.head(), |q| JournalHead {
            commit: q.commit.info.number,
            position: q.commit.info.last_position,
            hash: q.commit.last_hash(),
        });
        if let Err(e) = journal.append(&frames, head, sync) {
            let failure = match e {
                JournalError::Full(m) => {
                    self.shared.journal_short.store(true, Ordering::Release);
                    Failure::Full(m)
                }
                JournalError::Lost(p) => Failure::Lost(p),
                JournalError::Io(e) => Failure::Io(e.to_string()),
            };
            // Commits installed by unsynced rounds cannot be taken back out of sled.
            let unsynced: Vec<Arc<Ticket>> = std::mem::take(&mut *lock(&self.unsynced));
            let permanent = matches!(failure, Failure::Lost(_)) || !unsynced.is_empty();
            for t in unsynced {
                t.put(Err(failure.clone()));
            }
            self.take_back(queued, requests, &failure, permanent);
            return;
        }
        if !frames.is_empty() {
            self.shared.journal_short.store(false, Ordering::Release);
        }
        self.syncs.store(journal.syncs(), Ordering::Relaxed);
        if journal.is_due_for_rotation() {
            // Persisting lets the journal start a new segment and drop the old ones.
            self.persister.nudge();
        }
        if let Some(last) = queued.last() {
            let created = queued
                .iter()
                .flat_map(|q| q.commit.streams.iter())
                .filter(|s| s.created)
                .map(|s| s.stream_no + 1)
                .max()
                .unwrap_or(0);
            let mut w = lock(&self.writer);
            let next_stream_no = w.journaled.next_stream_no.max(created);
            w.journaled = Journaled {
                next_position: last.commit.info.last_position + 1,
                last_hash: last.commit.last_hash(),
                last_recorded_at: last.commit.info.recorded_at,
                next_commit: last.commit.info.number + 1,
                next_stream_no,
            };
        }
        let last_commit = head.commit;
        let (commits, tickets): (Vec<(StagedCommit, u64)>, Vec<Arc<Ticket>>) = queued
            .into_iter()
            .map(|q| ((q.commit, q.frame.len() as u64), q.ticket))
            .unzip();
        let streams: Vec<String> = commits
            .iter()
            .flat_map(|(c, _)| c.streams.iter().map(|s| s.stream.clone()))
            .collect();
        if !sync {
            if !commits.is_empty() {
                self.installer.push(commits);
            }
            drop(journal);
            let failed = self.installer.wait_installed(last_commit);
            let mut unsynced = lock(&self.unsynced);
            for t in tickets {
                match &failed {
                    None => {
                        t.written();
                        unsynced.push(t);
                    }
                    Some(m) => t.put(Err(Failure::Unknown(m.clone()))),
                }
            }
            return;
        }
        // Durable: every frame written so far, earlier unsynced (bulk) rounds' too.
        let acked = journal.head();
        self.acked_commit.store(acked.commit, Ordering::Release);
        self.acked.store(acked.position, Ordering::Release);
        if let (Some(anchor), true) = (&self.anchor, acked.commit > 0) {
            anchor.note(HeadDigest {
                position: acked.position,
                hash: acked.hash,
            });
        }
        // Installed only once acknowledged, so what sled holds is always visible the moment
        // the installer publishes it; still in commit order, under the journal lock.
        if !commits.is_empty() {
            self.installer.push(commits);
        }
        drop(journal);
        self.advance_visible();
        let unsynced: Vec<Arc<Ticket>> = std::mem::take(&mut *lock(&self.unsynced));
        for t in unsynced.into_iter().chain(requests) {
            t.put(Ok(()));
        }
        self.contention.landed(streams.iter().map(String::as_str));
        for t in tickets {
            t.put(Ok(()));
        }
    }

    /// Fails a round's commits and everything staged after them (which may build on them),
    /// and puts the writer back where sled's log ends.
    fn take_back(
        &self,
        queued: Vec<Queued>,
        requests: Vec<Arc<Ticket>>,
        failure: &Failure,
        permanent: bool,
    ) {
        // The writer goes back to the last journaled commit, which its caches must read from
        // sled: let the installer get there first.
        self.installer.wait_drained();
        let mut w = lock(&self.writer);
        let later: Vec<Queued> = lock(&self.queue).drain(..).collect();
        w.roll_back();
        if permanent {
            w.failure = Some(failure.clone());
        }
        drop(w);
        self.fail_all(queued.into_iter().chain(later).collect(), requests, failure);
    }

    fn fail_all(&self, queued: Vec<Queued>, requests: Vec<Arc<Ticket>>, failure: &Failure) {
        for q in queued {
            q.ticket.put(Err(failure.clone()));
        }
        for t in requests {
            t.put(Err(failure.clone()));
        }
    }

    /// Moves the visible head to the last commit both acknowledged and installed, and wakes
    /// subscribers and readers waiting for it.
    pub(crate) fn advance_visible(&self) {
        let (position, commit) = {
            let acked = self.acked.load(Ordering::Acquire);
            let installed = self.committed.load(Ordering::Acquire);
            if acked <= installed {
                (acked, self.acked_commit.load(Ordering::Acquire))
            } else {
                (
                    installed,
                    self.shared.installed_commit.load(Ordering::Acquire),
                )
            }
        };
        self.publish(position, commit);
    }

    /// Makes positions up to `position` (commit `commit`) visible to readers and wakes
    /// subscribers.
    fn publish(&self, position: u64, commit: u64) {
        self.visible_commit.fetch_max(commit, Ordering::AcqRel);
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

    /// Waits until everything acknowledged when it is called is installed and visible, so a
    /// reader sees every write acknowledged before its read.
    pub(crate) fn settle(&self) -> u64 {
        let target = self.acked.load(Ordering::Acquire);
        let visible = self.visible.load(Ordering::Acquire);
        if visible >= target {
            return visible;
        }
        let (m, cv) = &self.wake;
        let mut seen = lock(m);
        loop {
            let visible = self.visible.load(Ordering::Acquire);
            if visible >= target || self.installer.failed() {
                return visible;
            }
            seen = cv
                .wait_timeout(seen, std::time::Duration::from_millis(50))
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }

    pub(crate) fn remember_recent(&self, records: Vec<crate::record::RecordedEvent>) {
        let mut recent = self
            .recent
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for r in records {
            if recent.len() == self.recent_capacity {
                recent.pop_front();
            }
            recent.push_back(r);
        }
    }
}

/// Commits staged and not yet journaled, in commit order.
pub(crate) type Queue = Mutex<VecDeque<Queued>>;
