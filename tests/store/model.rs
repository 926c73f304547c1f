//! Model-based property tests: the store against a plain in-memory model, sequentially and with
//! racing threads.

use std::collections::HashMap;
use std::sync::{Arc, Barrier};

use proptest::prelude::*;
use reformlog_store::{
    AppendError, Direction, EventFilter, ExpectedRevision, NewEvent, Store, StreamAppend,
};

use crate::support::{ev, temp_store};

/// The model: each stream's last revision, and the log as (stream, revision) in order.
#[derive(Default)]
struct Model {
    heads: HashMap<String, u64>,
    log: Vec<(String, u64)>,
}

impl Model {
    fn admits(&self, stream: &str, expected: ExpectedRevision) -> bool {
        let actual = self.heads.get(stream).copied();
        match expected {
            ExpectedRevision::Any => true,
            ExpectedRevision::NoStream => actual.is_none(),
            ExpectedRevision::StreamExists => actual.is_some(),
            ExpectedRevision::Exact(r) => actual == Some(r),
        }
    }

    fn apply(&mut self, appends: &[StreamAppend]) -> Option<Vec<(String, u64)>> {
        if !appends.iter().all(|a| self.admits(&a.stream, a.expected)) {
            return None;
        }
        let mut out = Vec::new();
        for a in appends {
            let mut rev = self.heads.get(&a.stream).map_or(0, |r| r + 1);
            for _ in &a.events {
                self.log.push((a.stream.clone(), rev));
                rev += 1;
            }
            self.heads.insert(a.stream.clone(), rev - 1);
            out.push((a.stream.clone(), rev - 1));
        }
        Some(out)
    }
}

#[derive(Clone, Debug)]
enum Op {
    Append(Vec<(u8, u8, u8)>),
    RetryLast,
}

fn expected_of(kind: u8, model: &Model, stream: &str) -> ExpectedRevision {
    let head = model.heads.get(stream).copied();
    match kind % 6 {
        0 => ExpectedRevision::Any,
        1 => ExpectedRevision::NoStream,
        2 => ExpectedRevision::StreamExists,
        // Usually right, sometimes stale, sometimes ahead.
        3 | 4 => ExpectedRevision::Exact(head.unwrap_or(0)),
        _ => ExpectedRevision::Exact(head.map_or(1, |h| h.saturating_sub(1))),
    }
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => prop::collection::vec((0u8..4, 0u8..6, 1u8..4), 1..3).prop_map(Op::Append),
        1 => Just(Op::RetryLast),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sequential_appends_match_the_model(ops in prop::collection::vec(op_strategy(), 1..40)) {
        let (_d, store) = temp_store();
        let mut model = Model::default();
        let mut last_ok: Option<(Vec<StreamAppend>, u64, u64)> = None;
        for op in ops {
            match op {
                Op::Append(parts) => {
                    let mut seen = std::collections::HashSet::new();
                    let appends: Vec<StreamAppend> = parts
                        .into_iter()
                        .filter(|(s, _, _)| seen.insert(*s))
                        .map(|(s, kind, n)| {
                            let stream = format!("s-{s}");
                            let expected = expected_of(kind, &model, &stream);
                            let events = (0..n).map(|_| ev("E", "x")).collect();
                            StreamAppend::new(stream, expected, events)
                        })
                        .collect();
                    let before = model.log.len() as u64;
                    let want = model.apply(&appends);
                    let got = store.append_multi(appends.clone());
                    match (want, got) {
                        (Some(streams), Ok(out)) => {
                            prop_assert_eq!(&out.streams, &streams);
                            prop_assert_eq!(out.first_position, before + 1);
                            prop_assert_eq!(out.last_position, model.log.len() as u64);
                            last_ok = Some((appends, out.first_position, out.last_position));
                        }
                        (None, Err(AppendError::WrongExpectedRevision { .. })) => {}
                        (w, g) => prop_assert!(false, "model {:?} store {:?}", w, g),
                    }
                }
                Op::RetryLast => {
                    if let Some((appends, first, last)) = &last_ok {
                        let out = store.append_multi(appends.clone()).unwrap();
                        prop_assert!(out.deduplicated);
                        prop_assert_eq!((out.first_position, out.last_position), (*first, *last));
                    }
                }
            }
            prop_assert_eq!(store.head_position(), model.log.len() as u64);
        }
        let all = store.read_all(None, Direction::Forward, usize::MAX, &EventFilter::all()).unwrap().events;
        let got: Vec<(String, u64)> = all.into_iter().map(|e| (e.stream, e.revision)).collect();
        prop_assert_eq!(got, model.log);
        prop_assert!(store.verify().unwrap().is_ok());
    }

    #[test]
    fn concurrent_appends_linearize_in_position_order(
        plans in prop::collection::vec(prop::collection::vec((0u8..3, 0u8..4, 1u8..3), 1..12), 2..5)
    ) {
        let (_d, store) = temp_store();
        let barrier = Arc::new(Barrier::new(plans.len()));
        let handles: Vec<_> = plans
            .into_iter()
            .map(|plan| {
                let store = store.clone();
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    plan.into_iter()
                        .map(|(s, kind, n)| run_one(&store, s, kind, n))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut succeeded: Vec<(u64, StreamAppend)> = Vec::new();
        for h in handles {
            for (append, result) in h.join().unwrap() {
                match result {
                    Ok(first) => succeeded.push((first, append)),
                    Err(AppendError::WrongExpectedRevision { .. }) => {}
                    Err(e) => prop_assert!(false, "unexpected error {e}"),
                }
            }
        }
        // Replaying the successful appends in position order, each one's condition held
        // against the model at that point, and the log is exactly their events in that order.
        succeeded.sort_by_key(|(first, _)| *first);
        let mut model = Model::default();
        for (first, append) in &succeeded {
            prop_assert_eq!(*first, model.log.len() as u64 + 1);
            prop_assert!(model.apply(std::slice::from_ref(append)).is_some(), "condition did not hold at {}", first);
        }
        let all = store.read_all(None, Direction::Forward, usize::MAX, &EventFilter::all()).unwrap().events;
        let got: Vec<(String, u64)> = all.into_iter().map(|e| (e.stream, e.revision)).collect();
        prop_assert_eq!(got, model.log);
        prop_assert!(store.verify().unwrap().is_ok());
    }
}

/// One thread's append: it reads the stream head, then appends expecting what it read (or
/// another condition), racing the other threads between the two.
fn run_one(store: &Store, s: u8, kind: u8, n: u8) -> (StreamAppend, Result<u64, AppendError>) {
    let stream = format!("s-{s}");
    let head = store.stream_revision(&stream).unwrap();
    let expected = match kind {
        0 => ExpectedRevision::Any,
        1 => head.map_or(ExpectedRevision::NoStream, ExpectedRevision::Exact),
        2 => ExpectedRevision::StreamExists,
        _ => ExpectedRevision::NoStream,
    };
    let events: Vec<NewEvent> = (0..n).map(|_| ev("E", "x")).collect();
    let append = StreamAppend::new(stream, expected, events);
    let result = store
        .append_multi(vec![append.clone()])
        .map(|o| o.first_position);
    (append, result)
}

#[test]
fn racing_exact_appends_have_exactly_one_winner() {
    let (_d, store) = temp_store();
    store
        .append(
            "committee-1",
            ExpectedRevision::NoStream,
            vec![ev("E", "0")],
        )
        .unwrap();
    for round in 0..30u64 {
        let racers = 8;
        let barrier = Arc::new(Barrier::new(racers));
        let handles: Vec<_> = (0..racers)
            .map(|_| {
                let store = store.clone();
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    store.append(
                        "committee-1",
                        ExpectedRevision::Exact(round),
                        vec![ev("E", "r")],
                    )
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "round {round}"
        );
        for r in results.iter().filter_map(|r| r.as_ref().err()) {
            assert!(matches!(
                r,
                AppendError::WrongExpectedRevision { actual: Some(a), .. } if *a == round + 1
            ));
        }
    }
    assert_eq!(store.stream_revision("committee-1").unwrap(), Some(30));
}
