//! Turn-taking for writers that lost a race on one stream: their conflicts are reported one at
//! a time, each after a commit on the stream lands, so their retries do not all collide again.
//!
//! Without it, N writers racing `Exact(n)` on one stream all retry after every winning commit
//! and all but one lose again: about N²/2 attempts for N commits. With it, the losers form a
//! line; the first is told at once, the next when a commit on the stream lands (normally the
//! retry of the one before it) or when the stream has been quiet for a short while, so a
//! writer that gives up instead of retrying delays the line by that while at most.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::store::lock;

/// How long a waiting loser waits for a commit on its stream before it goes anyway.
const QUIET: Duration = Duration::from_millis(20);
/// Past this many lines, idle ones (nobody waiting, quiet for a while) are dropped: a stream
/// whose last loser gave up keeps its line until the next commit on it otherwise.
const MAX_LINES: usize = 4096;

#[derive(Debug)]
struct Line {
    /// The next place to hand out.
    next: u64,
    /// Places up to here may go.
    released: u64,
    /// When `released` last moved.
    moved: Instant,
}

/// The lines of losers, by stream.
#[derive(Debug)]
pub(crate) struct Contention {
    lines: Mutex<HashMap<String, Line>>,
    moved: Condvar,
    /// How many lines exist, so that commits on uncontended streams skip the lock.
    count: AtomicUsize,
    /// [`QUIET`] in the store; a test sets it long, so that a loser that goes before it can
    /// only have been let go by a landing, whatever the scheduler does.
    quiet: Duration,
}

impl Default for Contention {
    fn default() -> Self {
        Self::with_quiet(QUIET)
    }
}

impl Contention {
    fn with_quiet(quiet: Duration) -> Self {
        Self {
            lines: Mutex::default(),
            moved: Condvar::new(),
            count: AtomicUsize::new(0),
            quiet,
        }
    }

    /// Waits for this loser's turn on `stream`.
    pub(crate) fn wait_turn(&self, stream: &str) {
        let mut lines = lock(&self.lines);
        if lines.len() >= MAX_LINES {
            lines.retain(|_, l| l.released + 1 < l.next || l.moved.elapsed() < self.quiet);
            self.count.store(lines.len(), Ordering::Release);
        }
        let line = lines.entry(stream.to_string()).or_insert_with(|| {
            self.count.fetch_add(1, Ordering::AcqRel);
            Line {
                next: 0,
                released: 0,
                moved: Instant::now(),
            }
        });
        let place = line.next;
        line.next += 1;
        loop {
            let Some(line) = lines.get_mut(stream) else {
                return;
            };
            if place <= line.released {
                break;
            }
            let waited = line.moved.elapsed();
            if waited >= self.quiet {
                // The one before us never committed (it gave up, or lost to a newcomer).
                line.released = line.released.max(place);
                line.moved = Instant::now();
                break;
            }
            lines = self
                .moved
                .wait_timeout(lines, self.quiet - waited)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        // The line stays while its last one out retries, so that losers of that retry join
        // it; the next landing with nobody waiting removes it.
        drop(lines);
        self.moved.notify_all();
    }

    /// A commit on these streams became visible: the next loser in each line may go.
    pub(crate) fn landed<'a>(&self, streams: impl Iterator<Item = &'a str>) {
        if self.count.load(Ordering::Acquire) == 0 {
            return;
        }
        let mut lines = lock(&self.lines);
        let mut any = false;
        for s in streams {
            if let Some(line) = lines.get_mut(s) {
                if line.released + 1 < line.next {
                    line.released += 1;
                    line.moved = Instant::now();
                    any = true;
                } else {
                    lines.remove(s);
                    self.count.fetch_sub(1, Ordering::AcqRel);
                }
            }
        }
        drop(lines);
        if any {
            self.moved.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_first_loser_goes_at_once_and_the_next_after_a_landing() {
        // A quiet time no test run reaches: the second loser can only go on the landing.
        let quiet = Duration::from_secs(30);
        let c = Arc::new(Contention::with_quiet(quiet));
        c.wait_turn("s");
        // The line stays for losers of the first one's retry.
        assert_eq!(c.count.load(Ordering::Acquire), 1);
        let c2 = Arc::clone(&c);
        let second = std::thread::spawn(move || {
            let start = Instant::now();
            c2.wait_turn("s");
            start.elapsed()
        });
        // Land a commit on the stream once the second loser has taken its place.
        while lock(&c.lines).get("s").map_or(0, |l| l.next) < 2 {
            std::thread::sleep(Duration::from_millis(1));
        }
        c.landed(["s"].into_iter());
        let waited = second.join().unwrap_or(Duration::MAX);
        assert!(waited < quiet, "the second loser waited {waited:?}");
        // A landing with nobody waiting removes the line.
        c.landed(["s"].into_iter());
        assert_eq!(c.count.load(Ordering::Acquire), 0);
    }

    #[test]
    fn a_loser_whose_predecessor_never_commits_goes_after_the_quiet_time() {
        let c = Contention::default();
        // The quiet time runs from when the line last moved, which is when the first loser
        // went: time taken before it, so a pause of this thread between the two calls (a
        // loaded machine) cannot make the wait look short.
        let start = Instant::now();
        c.wait_turn("s");
        c.wait_turn("s");
        assert!(start.elapsed() >= QUIET);
        c.landed(["s"].into_iter());
        assert_eq!(c.count.load(Ordering::Acquire), 0);
    }

    #[test]
    fn commits_on_streams_without_a_line_touch_nothing() {
        let c = Contention::default();
        c.landed(["a", "b"].into_iter());
        assert_eq!(c.count.load(Ordering::Acquire), 0);
        assert!(lock(&c.lines).is_empty());
    }
}
