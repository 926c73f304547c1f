//! The installing thread: journaled commits go into sled in commit order, off the
//! acknowledgement path, and become visible to readers as they land.
//!
//! An append is acknowledged once its frame is durable in the journal; sled's inserts (tens of
//! microseconds for a commit) then run here, overlapping the next round's `fdatasync`. Readers wait for it only when they ask for something acknowledged and not yet
//! installed (`Inner::settle`), so a caller reads its own writes.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread::{JoinHandle, ThreadId};

use crate::commit::StagedCommit;
use crate::install;
use crate::round::Failure;
use crate::store::{lock, Inner};

#[derive(Default)]
struct Queue {
    commits: VecDeque<StagedCommit>,
    /// The last commit installed (or given up on).
    installed: u64,
    /// The last commit queued.
    pushed: u64,
    /// Set when sled refused a batch: nothing more is installed in this process.
    failed: Option<String>,
    stop: bool,
    /// The stream counter after the last installed commit.
    next_stream_no: u64,
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
}

impl Installer {
    pub(crate) fn new(installed: u64, next_stream_no: u64) -> Self {
        Self {
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

    /// Queues journaled commits, in commit order.
    pub(crate) fn push(&self, commits: Vec<StagedCommit>) {
        let mut q = lock(&self.shared.queue);
        if let Some(last) = commits.last() {
            q.pushed = last.info.number;
        }
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

    fn installed(&self, number: u64, next_stream_no: u64) {
        let mut q = lock(&self.shared.queue);
        q.installed = number;
        q.next_stream_no = next_stream_no;
        drop(q);
        self.shared.moved.notify_all();
    }

    fn give_up(&self, why: String) {
        let mut q = lock(&self.shared.queue);
        q.failed = Some(why);
        q.commits.clear();
        drop(q);
        self.shared.moved.notify_all();
    }
}

fn run(shared: &Shared, weak: &Weak<Inner>) {
    loop {
        let (batch, next_stream_no) = {
            let mut q = lock(&shared.queue);
            while q.commits.is_empty() && !q.stop && q.failed.is_none() {
                q = shared
                    .moved
                    .wait(q)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            if q.stop || q.failed.is_some() {
                return;
            }
            (q.commits.drain(..).collect::<Vec<_>>(), q.next_stream_no)
        };
        let Some(inner) = weak.upgrade() else {
            return;
        };
        install_batch(&inner, batch, next_stream_no);
    }
}

fn install_batch(inner: &Inner, commits: Vec<StagedCommit>, next_stream_no: u64) {
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
            inner.installer.installed(last_number, n);
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
