//! The installing thread: journaled commits go into sled in commit order, off the
//! acknowledgement path, and become visible to readers as they land.
//!
//! An append is acknowledged once its frame is durable in the journal; sled's inserts (tens of
//! microseconds for a commit) then run here, overlapping the next round's `fdatasync`. Readers wait for it only when they ask for something acknowledged and not yet
//! installed (`Inner::settle`), so a caller reads its own writes.
//!
//! The installer may fall behind the journal (a fast disk, many appenders): then rounds wait
//! for it once the commits acknowledged and not yet installed pass [`backlog_limit`]. Without
//! that, it took thousands of commits in one batch, whose writes to sled outgrew the space
//! kept reserved for sled's file (renewed between batches) and met a full disk, which sled
//! does not survive.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread::{JoinHandle, ThreadId};

use crate::commit::StagedCommit;
use crate::install;
use crate::round::Failure;
use crate::store::{lock, Inner};

/// The least [`backlog_limit`], so that a small reserve still lets installs overlap rounds.
const MIN_BACKLOG_BYTES: u64 = 64 * 1024;

/// How many bytes of journal frames may be acknowledged and not yet installed before a round
/// waits for the installer: a sixteenth of the space kept reserved for sled's file.
///
/// A batch is at most this plus one round's commits. sled's file grows by about two to three
/// times the bytes of the commits it takes, and at least half the reserve is left whenever a
/// batch starts (it is renewed after each), so a batch fits in it even when the disk has just
/// filled up.
pub(crate) fn backlog_limit(sled_reserve: u64) -> u64 {
    (sled_reserve / 16).max(MIN_BACKLOG_BYTES)
}

#[derive(Default)]
struct Queue {
    /// Each with the size of its journal frame.
    commits: VecDeque<(StagedCommit, u64)>,
    /// Frame bytes of the commits queued or being installed.
    backlog: u64,
    /// The last commit installed (or given up on).
    installed: u64,
    /// The last commit queued.
    pushed: u64,
    /// Set when sled refused a batch: nothing more is installed in this process.
    failed: Option<String>,
    stop: bool,
    /// The stream counter after the last installed commit.
    next_stream_no: u64,
    /// Tests hold the thread to stand for an installer that falls behind.
    #[cfg(test)]
    held: bool,
}

impl Queue {
    /// Whether the thread has a batch to take.
    fn has_work(&self) -> bool {
        #[cfg(test)]
        if self.held {
            return false;
        }
        !self.commits.is_empty()
    }
}

/// The queue and its condition, shared with the thread (which must not keep the store alive).
#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the thread (work or stop) and those waiting for installs.
    moved: Condvar,
}

/// The installing thread and its queue.
pub(crate) struct Installer {
    shared: Arc<Shared>,
    handle: Mutex<Option<(JoinHandle<()>, ThreadId)>>,
    /// Frame bytes past which rounds wait for the installer (`backlog_limit`).
    backlog_limit: u64,
}

impl Installer {
    pub(crate) fn new(installed: u64, next_stream_no: u64, backlog_limit: u64) -> Self {
        Self {
            backlog_limit,
            shared: Arc::new(Shared {
                queue: Mutex::new(Queue {
                    installed,
                    pushed: installed,
                    next_stream_no,
                    ..Queue::default()
                }),
                moved: Condvar::new(),
            }),
            handle: Mutex::new(None),
        }
    }

    /// Starts the thread; it holds the store only while it installs a batch.
    pub(crate) fn start(&self, inner: Weak<Inner>) -> Result<(), std::io::Error> {
        let shared = Arc::clone(&self.shared);
        let handle = std::thread::Builder::new()
            .name("reformlog-install".into())
            .spawn(move || run(&shared, &inner))?;
        let id = handle.thread().id();
        *lock(&self.handle) = Some((handle, id));
        Ok(())
    }

    /// Frame bytes past which rounds wait for this thread.
    pub(crate) fn limit(&self) -> u64 {
        self.backlog_limit
    }

    /// Queues journaled commits, in commit order, each with the size of its journal frame.
    pub(crate) fn push(&self, commits: Vec<(StagedCommit, u64)>) {
        let mut q = lock(&self.shared.queue);
        if let Some((last, _)) = commits.last() {
            q.pushed = last.info.number;
        }
        q.backlog += commits.iter().map(|(_, bytes)| bytes).sum::<u64>();
        q.commits.extend(commits);
        drop(q);
        self.shared.moved.notify_all();
    }

    /// Waits until commit `commit` is installed (or installing has failed); returns the
    /// failure, if any.
    pub(crate) fn wait_installed(&self, commit: u64) -> Option<String> {
        let mut q = lock(&self.shared.queue);
        while q.installed < commit && q.failed.is_none() && !q.stop {
            q = self
                .shared
                .moved
                .wait(q)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        q.failed.clone()
    }

    /// Waits while the commits queued or being installed hold more than the backlog limit
    /// (or until installing has failed).
    pub(crate) fn wait_room(&self) {
        let mut q = lock(&self.shared.queue);
        while q.backlog > self.backlog_limit && q.failed.is_none() && !q.stop {
            q = self
                .shared
                .moved
                .wait(q)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// Frame bytes of the commits queued or being installed.
    #[cfg(test)]
    pub(crate) fn backlog(&self) -> u64 {
        lock(&self.shared.queue).backlog
    }

    /// Holds the thread before its next batch, or lets it go on.
    #[cfg(test)]
    pub(crate) fn hold(&self, held: bool) {
        lock(&self.shared.queue).held = held;
        self.shared.moved.notify_all();
    }

    /// Waits until every queued commit is installed (or installing has failed): not only
    /// taken from the queue, but in sled.
    pub(crate) fn wait_drained(&self) {
        let mut q = lock(&self.shared.queue);
        while q.installed < q.pushed && q.failed.is_none() && !q.stop {
            q = self
                .shared
                .moved
                .wait(q)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// Whether installing has failed for good.
    pub(crate) fn failed(&self) -> bool {
        lock(&self.shared.queue).failed.is_some()
    }

    /// Stops the thread (what is still queued is in the journal, and the next open installs
    /// it) and waits for it, unless this is the thread itself.
    pub(crate) fn stop(&self) {
        lock(&self.shared.queue).stop = true;
        self.shared.moved.notify_all();
        let Some((handle, id)) = lock(&self.handle).take() else {
            return;
        };
        if std::thread::current().id() != id {
            // A panic in the thread has nothing left to report to.
            let _ = handle.join();
        }
    }

    fn installed(&self, number: u64, next_stream_no: u64, bytes: u64) {
        let mut q = lock(&self.shared.queue);
        q.installed = number;
        q.next_stream_no = next_stream_no;
        q.backlog = q.backlog.saturating_sub(bytes);
        drop(q);
        self.shared.moved.notify_all();
    }

    fn give_up(&self, why: String) {
        let mut q = lock(&self.shared.queue);
        q.failed = Some(why);
        q.commits.clear();
        q.backlog = 0;
        drop(q);
        self.shared.moved.notify_all();
    }
}

fn run(shared: &Shared, weak: &Weak<Inner>) {
    loop {
        let (batch, bytes, next_stream_no) = {
            let mut q = lock(&shared.queue);
            while !q.has_work() && !q.stop && q.failed.is_none() {
                q = shared
                    .moved
                    .wait(q)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            if q.stop || q.failed.is_some() {
                return;
            }
            let (batch, sizes): (Vec<StagedCommit>, Vec<u64>) = q.commits.drain(..).unzip();
            (batch, sizes.iter().sum::<u64>(), q.next_stream_no)
        };
        let Some(inner) = weak.upgrade() else {
            return;
        };
        install_batch(&inner, batch, bytes, next_stream_no);
    }
}

/// Installs one batch of commits (`bytes` of journal frames) and makes them visible.
fn install_batch(inner: &Inner, commits: Vec<StagedCommit>, bytes: u64, next_stream_no: u64) {
    let applied =
        install::install(&inner.tree, &commits, next_stream_no).map_err(|e| e.to_string());
    let Some(last) = commits.last() else {
        return;
    };
    let (last_number, last_position) = (last.info.number, last.info.last_position);
    match applied {
        Ok(n) => {
            inner.batches.fetch_add(1, Ordering::Relaxed);
            // Subscribers woken by the visible head read these from the window of recent
            // events, so they go there first.
            let ids: Vec<uuid::Uuid> = commits
                .iter()
                .flat_map(|c| c.records.iter().map(|r| r.event_id))
                .collect();
            let count = commits.len();
            inner.remember_recent(commits.into_iter().flat_map(|c| c.records).collect());
            inner.committed.store(last_position, Ordering::Release);
            inner
                .shared
                .installed_commit
                .store(last_number, Ordering::Release);
            inner.advance_visible();
            {
                // Visible first, then forgotten by the writer: until then a conflict with
                // these commits or a retry of their events waits for their tickets.
                let mut w = lock(&inner.writer);
                for id in &ids {
                    w.inflight_ids.remove(id);
                }
                w.inflight = w.inflight.saturating_sub(count);
            }
            inner.shared.keep_reserve();
            // No nudge to the persisting thread: its own pace batches sled's flushes, and a
            // flush per commit would put a second fdatasync beside every acknowledged one.
            inner.installer.installed(last_number, n, bytes);
        }
        Err(m) => {
            // Journaled but not installed: it comes back on reopen, so the store must not
            // write past it in this process.
            lock(&inner.writer).failure = Some(Failure::Unknown(m.clone()));
            inner.installer.give_up(m);
        }
    }
    // Readers waiting in `settle` look at the visible head, woken here.
    let (m, cv) = &inner.wake;
    let _seen = lock(m);
    cv.notify_all();
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use crate::{ExpectedRevision, Metadata, NewEvent, StoreConfig};

    #[test]
    fn rounds_wait_while_the_installer_is_behind_by_more_than_its_limit() {
        const RESERVE: u64 = 1024 * 1024;
        const COMMITS: u64 = 64;
        let dir = tempfile::tempdir().unwrap();
        let store = StoreConfig::new(dir.path())
            .sled_space_reserve(RESERVE)
            .open()
            .unwrap();
        let limit = super::backlog_limit(RESERVE);
        // Sixty-four commits of 8 KiB are eight times the limit.
        assert_eq!(limit, 64 * 1024);
        store.inner.installer.hold(true);
        let acked = Arc::new(AtomicU64::new(0));
        let writer = {
            let (store, acked) = (store.clone(), Arc::clone(&acked));
            std::thread::spawn(move || {
                for i in 0..COMMITS {
                    let e = NewEvent::new("E", 1, vec![b'x'; 8 * 1024], Metadata::by("test"));
                    store.append("s", ExpectedRevision::Any, vec![e]).unwrap();
                    acked.store(i + 1, Ordering::Release);
                }
            })
        };
        // Until the writer is done, or has had nothing acknowledged for half a second.
        let deadline = Instant::now() + Duration::from_secs(60);
        let (mut seen, mut since) = (0, Instant::now());
        while !writer.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
            let n = acked.load(Ordering::Acquire);
            if n != seen {
                (seen, since) = (n, Instant::now());
            } else if since.elapsed() > Duration::from_millis(500) {
                break;
            }
        }
        assert!(
            !writer.is_finished(),
            "all {COMMITS} appends were acknowledged while nothing was installed"
        );
        let backlog = store.inner.installer.backlog();
        // At most the limit and the frame of the one commit that passed it.
        assert!(
            backlog <= limit + 9 * 1024,
            "{backlog} bytes acknowledged and not installed, limit {limit}"
        );
        assert_eq!(
            store.inner.shared.installed_commit.load(Ordering::Acquire),
            0,
            "nothing installed while held"
        );
        store.inner.installer.hold(false);
        writer.join().unwrap();
        store.inner.installer.wait_drained();
        assert_eq!(store.inner.installer.backlog(), 0);
        let commits = store.read_commits(1, usize::MAX).unwrap();
        assert_eq!(commits.len() as u64, COMMITS);
        assert_eq!(store.head_commit(), COMMITS);
    }
}
