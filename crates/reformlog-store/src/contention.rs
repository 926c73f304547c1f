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
#[derive(Debug, Default)]
pub(crate) struct Contention {
    lines: Mutex<HashMap<String, Line>>,
    moved: Condvar,
    /// How many lines exist, so that commits on uncontended streams skip the lock.
    count: AtomicUsize,
}

impl Contention {
    /// Waits for this loser's turn on `stream`.
    pub(crate) fn wait_turn(&self, stream: &str) {
        let mut lines = lock(&self.lines);
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
            if waited >= QUIET {
                // The one before us never committed (it gave up, or lost to a newcomer).
                line.released = line.released.max(place);
                line.moved = Instant::now();
                break;
            }
            lines = self
                .moved
                .wait_timeout(lines, QUIET - waited)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        // The last place handed out has gone: nobody is left in line.
        if let Some(line) = lines.get(stream) {
            if line.released + 1 >= line.next && place + 1 == line.next {
                lines.remove(stream);
                self.count.fetch_sub(1, Ordering::AcqRel);
            }
        }
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
    fn losers_go_one_per_landing_and_the_line_is_removed() {
        let c = Arc::new(Contention::default());
        // The first loser goes at once.
        c.wait_turn("s");
        assert_eq!(c.count.load(Ordering::Acquire), 0);
        let order = Arc::new(Mutex::new(Vec::new()));
        let first_in = Arc::new(std::sync::Barrier::new(2));
        let c2 = Arc::clone(&c);
        let o2 = Arc::clone(&order);
        let b2 = Arc::clone(&first_in);
        let holder = std::thread::spawn(move || {
            // Holds place 0 open by taking it and not leaving until told.
            let mut lines = lock(&c2.lines);
            lines.insert(
                "t".into(),
                Line {
                    next: 1,
                    released: 0,
                    moved: Instant::now(),
                },
            );
            c2.count.fetch_add(1, Ordering::AcqRel);
            drop(lines);
            b2.wait();
            c2.wait_turn("t");
            lock(&o2).push("second");
        });
        first_in.wait();
        let start = Instant::now();
        c.landed(["t"].into_iter());
        holder.join().ok();
        assert!(start.elapsed() < QUIET * 5);
        assert_eq!(*lock(&order), vec!["second"]);
        assert_eq!(c.count.load(Ordering::Acquire), 0);
    }

    #[test]
    fn a_loser_whose_predecessor_never_commits_goes_after_the_quiet_time() {
        let c = Contention::default();
        {
            let mut lines = lock(&c.lines);
            lines.insert(
                "s".into(),
                Line {
                    next: 1,
                    released: 0,
                    moved: Instant::now(),
                },
            );
            c.count.fetch_add(1, Ordering::AcqRel);
        }
        let start = Instant::now();
        c.wait_turn("s");
        assert!(start.elapsed() >= QUIET);
        assert_eq!(c.count.load(Ordering::Acquire), 0);
    }
}
