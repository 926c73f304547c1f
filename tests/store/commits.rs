//! Commits against a model: numbers gap-free from 1, one time and metadata per commit, and
//! every lookup by number, position and time answering with whole commits, before and after a
//! reopen.

use std::collections::HashMap;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use reformlog_store::{
    AppendError, AppendOutcome, ExpectedRevision, Metadata, NewEvent, Store, StoreConfig,
    StreamAppend, Timestamp,
};
use uuid::Uuid;

/// One whole commit of the model: what an accepted call wrote. The store's time comes from
/// the outcome's read-back, the rest from the call.
#[derive(Clone, Debug)]
struct ModelCommit {
    number: u64,
    first: u64,
    last: u64,
    metadata: Metadata,
    /// (stream, revision, id, the event's own metadata), in position order.
    events: Vec<(String, u64, Uuid, Metadata)>,
}

#[derive(Default)]
struct Model {
    commits: Vec<ModelCommit>,
    heads: HashMap<String, u64>,
    /// Accepted calls, to retry.
    accepted: Vec<(Vec<StreamAppend>, u64)>,
}

impl Model {
    fn head_position(&self) -> u64 {
        self.commits.last().map_or(0, |c| c.last)
    }

    fn admits(&self, a: &StreamAppend) -> bool {
        let actual = self.heads.get(&a.stream).copied();
        match a.expected {
            ExpectedRevision::Any => true,
            ExpectedRevision::NoStream => actual.is_none(),
            ExpectedRevision::StreamExists => actual.is_some(),
            ExpectedRevision::Exact(r) => actual == Some(r),
        }
    }

    fn apply(&mut self, appends: &[StreamAppend]) -> ModelCommit {
        let number = self.commits.len() as u64 + 1;
        let first = self.head_position() + 1;
        let mut events = Vec::new();
        for a in appends {
            let mut rev = self.heads.get(&a.stream).map_or(0, |r| r + 1);
            for e in &a.events {
                events.push((a.stream.clone(), rev, e.id, e.metadata.clone()));
                rev += 1;
            }
            self.heads.insert(a.stream.clone(), rev - 1);
        }
        let c = ModelCommit {
            number,
            first,
            last: first + events.len() as u64 - 1,
            metadata: appends[0].events[0].metadata.clone(),
            events,
        };
        self.commits.push(c.clone());
        self.accepted.push((appends.to_vec(), number));
        c
    }
}

#[derive(Clone, Debug)]
enum Op {
    /// 1-3 streams with 1-3 events each; right revisions (exact) or `Any`; sometimes the
    /// second event carries metadata of its own.
    Append {
        parts: Vec<(u8, u8)>,
        exact: bool,
        own_metadata: bool,
    },
    /// The same call as an earlier accepted one, same ids: a retry.
    Retry(usize),
    /// A call of which one stream's expected revision is wrong: refused whole.
    Wrong { parts: Vec<(u8, u8)>, wrong: usize },
    /// Let the clock move.
    Sleep,
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let parts = || prop::collection::vec((0u8..4, 1u8..4), 1..4);
    prop_oneof![
        6 => (parts(), any::<bool>(), any::<bool>())
            .prop_map(|(parts, exact, own_metadata)| Op::Append { parts, exact, own_metadata }),
        1 => any::<usize>().prop_map(Op::Retry),
        1 => (parts(), any::<usize>()).prop_map(|(parts, wrong)| Op::Wrong { parts, wrong }),
        1 => Just(Op::Sleep),
    ]
}

fn dedup_streams(parts: &[(u8, u8)]) -> Vec<(String, u8)> {
    let mut seen = std::collections::HashSet::new();
    parts
        .iter()
        .filter(|(s, _)| seen.insert(*s))
        .map(|(s, n)| (format!("ledger-{s}"), *n))
        .collect()
}

fn right_revision(model: &Model, stream: &str) -> ExpectedRevision {
    model
        .heads
        .get(stream)
        .map_or(ExpectedRevision::NoStream, |r| ExpectedRevision::Exact(*r))
}

fn wrong_revision(model: &Model, stream: &str) -> ExpectedRevision {
    match model.heads.get(stream) {
        Some(r) => ExpectedRevision::Exact(r + 1),
        None => ExpectedRevision::StreamExists,
    }
}

fn events(call: usize, stream: &str, n: u8, own_metadata: bool) -> Vec<NewEvent> {
    (0..n)
        .map(|k| {
            let metadata = if own_metadata && k == 1 {
                Metadata::by(format!("reviewer:{call}")).with_reason("its own")
            } else {
                Metadata::by(format!("editor:{call}")).with_reason("call metadata")
            };
            NewEvent::new(
                "LedgerEntryMade",
                1,
                format!("call {call} {stream} event {k}").into_bytes(),
                metadata,
            )
        })
        .collect()
}

fn check_outcome(out: &AppendOutcome, c: &ModelCommit) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        (out.commit, out.first_position, out.last_position),
        (c.number, c.first, c.last)
    );
    Ok(())
}

/// Runs the ops against a fresh store and the model; returns the model.
fn run(store: &Store, ops: &[Op]) -> Result<Model, TestCaseError> {
    let mut model = Model::default();
    for (call, op) in ops.iter().enumerate() {
        match op {
            Op::Append {
                parts,
                exact,
                own_metadata,
            } => {
                let appends: Vec<StreamAppend> = dedup_streams(parts)
                    .into_iter()
                    .map(|(stream, n)| {
                        let expected = if *exact {
                            right_revision(&model, &stream)
                        } else {
                            ExpectedRevision::Any
                        };
                        let evs = events(call, &stream, n, *own_metadata);
                        StreamAppend::new(stream, expected, evs)
                    })
                    .collect();
                prop_assert!(appends.iter().all(|a| model.admits(a)));
                let out = store.append_multi(appends.clone());
                let c = model.apply(&appends);
                let out = out.map_err(|e| TestCaseError::fail(format!("call {call}: {e}")))?;
                prop_assert!(!out.deduplicated);
                check_outcome(&out, &c)?;
            }
            Op::Retry(k) => {
                if model.accepted.is_empty() {
                    continue;
                }
                let (appends, number) = model.accepted[k % model.accepted.len()].clone();
                let c = model.commits[number as usize - 1].clone();
                let out = store
                    .append_multi(appends)
                    .map_err(|e| TestCaseError::fail(format!("retry of commit {number}: {e}")))?;
                prop_assert!(out.deduplicated, "retry of commit {}", number);
                check_outcome(&out, &c)?;
            }
            Op::Wrong { parts, wrong } => {
                let streams = dedup_streams(parts);
                let wrong = wrong % streams.len();
                let appends: Vec<StreamAppend> = streams
                    .into_iter()
                    .enumerate()
                    .map(|(i, (stream, n))| {
                        let expected = if i == wrong {
                            wrong_revision(&model, &stream)
                        } else {
                            right_revision(&model, &stream)
                        };
                        let evs = events(call, &stream, n, false);
                        StreamAppend::new(stream, expected, evs)
                    })
                    .collect();
                let head = store.head_commit();
                match store.append_multi(appends) {
                    Err(AppendError::WrongExpectedRevision { .. }) => {}
                    other => {
                        prop_assert!(false, "call {}: a wrong revision gave {:?}", call, other)
                    }
                }
                prop_assert_eq!(store.head_commit(), head);
            }
            Op::Sleep => std::thread::sleep(Duration::from_millis(1)),
        }
    }
    Ok(model)
}

/// Every commit lookup of `store` against the model.
fn check(store: &Store, model: &Model, seed: u64) -> Result<(), TestCaseError> {
    let n = model.commits.len() as u64;
    let head = model.head_position();
    prop_assert_eq!(store.head_commit(), n);
    prop_assert_eq!(store.head_position(), head);
    prop_assert!(store.verify().unwrap().is_ok());
    prop_assert_eq!(store.commit(0).unwrap(), None);
    prop_assert_eq!(store.commit(n + 1).unwrap(), None);
    prop_assert_eq!(store.commit_info(n + 1).unwrap(), None);
    prop_assert_eq!(store.commit_of(0).unwrap(), None);
    prop_assert_eq!(store.commit_of(head + 1).unwrap(), None);

    // Each commit whole: its events share its number, time and (unless their own) metadata.
    let mut times = Vec::with_capacity(model.commits.len());
    for c in &model.commits {
        let got = store.commit(c.number).unwrap();
        prop_assert!(got.is_some(), "commit {} missing", c.number);
        let got = got.unwrap();
        prop_assert_eq!(
            (
                got.info.number,
                got.info.first_position,
                got.info.last_position
            ),
            (c.number, c.first, c.last)
        );
        prop_assert_eq!(&got.info.metadata, &c.metadata, "commit {}", c.number);
        prop_assert_eq!(got.info.len(), c.events.len() as u64);
        prop_assert_eq!(store.commit_info(c.number).unwrap(), Some(got.info.clone()));
        prop_assert_eq!(got.events.len(), c.events.len());
        for (i, (e, (stream, revision, id, metadata))) in
            got.events.iter().zip(&c.events).enumerate()
        {
            prop_assert_eq!(e.position, c.first + i as u64);
            prop_assert_eq!(e.commit, c.number);
            prop_assert_eq!(
                (&e.stream, e.revision, e.event_id),
                (stream, *revision, *id)
            );
            prop_assert_eq!(&e.metadata, metadata, "position {}", e.position);
            prop_assert_eq!(
                e.recorded_at,
                got.info.recorded_at,
                "position {}",
                e.position
            );
            let read = store.read_event(e.position).unwrap();
            prop_assert_eq!(read.as_ref(), Some(e));
        }
        times.push(got.info.recorded_at.as_micros());
    }
    for w in times.windows(2) {
        prop_assert!(
            w[0] < w[1],
            "recorded_at not strictly increasing between commits: {:?}",
            times
        );
    }

    // By position: the commit holding it, and "as known at" it ends at that commit's end.
    let holding = |p: u64| {
        model
            .commits
            .iter()
            .find(|c| (c.first..=c.last).contains(&p))
    };
    prop_assert_eq!(store.known_at_position(0).unwrap(), 0);
    for p in 1..=head {
        let c = holding(p).unwrap();
        let info = store.commit_of(p).unwrap();
        prop_assert_eq!(info.map(|i| i.number), Some(c.number), "commit_of({})", p);
        prop_assert_eq!(
            store.known_at_position(p).unwrap(),
            c.last,
            "known_at_position({})",
            p
        );
    }
    let mut rng = crate::support::XorShift::new(seed);
    for _ in 0..8 {
        let p = head + 1 + rng.below(1000);
        prop_assert_eq!(
            store.known_at_position(p).unwrap(),
            head,
            "known_at_position({})",
            p
        );
    }

    // By time: every commit's time and the microsecond either side, plus both far ends.
    let mut probes: Vec<i64> = vec![i64::MIN + 1, 0, i64::MAX - 1];
    for &t in &times {
        probes.extend([t - 1, t, t + 1]);
    }
    for _ in 0..8 {
        if let (Some(&lo), Some(&hi)) = (times.first(), times.last()) {
            probes.push(lo - 5 + (rng.below((hi - lo + 10) as u64) as i64));
        }
    }
    for t in probes {
        let at = Timestamp::from_micros(t);
        let before = model
            .commits
            .iter()
            .zip(&times)
            .filter(|(_, &ra)| ra <= t)
            .map(|(c, _)| c.last)
            .next_back()
            .unwrap_or(0);
        let after = model
            .commits
            .iter()
            .zip(&times)
            .find(|(_, &ra)| ra >= t)
            .map(|(c, _)| c.first);
        prop_assert_eq!(
            store.position_at_or_before(at).unwrap(),
            before,
            "position_at_or_before({})",
            t
        );
        prop_assert_eq!(
            store.position_at_or_after(at).unwrap(),
            after,
            "position_at_or_after({})",
            t
        );
    }

    // Reading by commit: all of them, and in pages from anywhere.
    let all = store.read_commits(1, usize::MAX).unwrap();
    prop_assert_eq!(all.len() as u64, n);
    prop_assert!(
        store.read_commits(0, usize::MAX).unwrap() == all,
        "read_commits from 0"
    );
    for from in 1..=n + 1 {
        let page = store.read_commits(from, 2).unwrap();
        let want: Vec<_> = all
            .iter()
            .skip(from as usize - 1)
            .take(2)
            .cloned()
            .collect();
        prop_assert!(page == want, "read_commits({}, 2)", from);
    }
    for (c, got) in model.commits.iter().zip(&all) {
        prop_assert_eq!(got.info.number, c.number);
        prop_assert!(Some(got) == store.commit(c.number).unwrap().as_ref());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn commits_match_the_model_before_and_after_a_reopen(
        ops in prop::collection::vec(op_strategy(), 1..40),
        seed in any::<u64>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let model = run(&store, &ops)?;
        check(&store, &model, seed)?;
        drop(store);
        let store = StoreConfig::new(dir.path())
            .lock_wait(Duration::from_secs(5))
            .open()
            .unwrap();
        check(&store, &model, seed)?;
        // The reopened store numbers the next commit right after the last.
        let out = store
            .append("ledger-9", ExpectedRevision::Any, events(usize::MAX, "ledger-9", 1, false))
            .unwrap();
        prop_assert_eq!(out.commit, model.commits.len() as u64 + 1);
    }
}

/// Readers that take a time fence while others append: what was recorded up to the fence's
/// time, read once its position is visible, never grows afterwards, and every later commit
/// is stamped after it.
#[test]
fn nothing_is_recorded_later_at_a_time_a_fence_covered() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let writing = Arc::new(AtomicBool::new(true));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let store = store.clone();
            let writing = Arc::clone(&writing);
            std::thread::spawn(move || {
                let mut n = 0usize;
                while writing.load(Ordering::Relaxed) && n < 200 {
                    let stream = format!("ledger-{w}");
                    store
                        .append(&stream, ExpectedRevision::Any, events(n, &stream, 1, false))
                        .unwrap();
                    n += 1;
                }
            })
        })
        .collect();
    let mut fences = Vec::new();
    for _ in 0..60 {
        let (at, position) = store.time_fence();
        assert!(store.wait_visible(position, Duration::from_secs(10)));
        fences.push((at, position, store.position_at_or_before(at).unwrap()));
        std::thread::sleep(Duration::from_micros(300));
    }
    writing.store(false, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let after = store
        .append(
            "ledger-x",
            ExpectedRevision::Any,
            events(0, "ledger-x", 1, false),
        )
        .unwrap();
    let last = store.commit_info(after.commit).unwrap().unwrap();
    for (at, position, seen) in fences {
        assert!(seen <= position);
        assert_eq!(
            store.position_at_or_before(at).unwrap(),
            seen,
            "a commit appeared at or before {at:?} after a fence covered it"
        );
        assert!(last.recorded_at > at);
    }
}
