//! Idempotent retries, and the same calls on the sled store and here: the same outcomes, the
//! same refusals, the same records, the same head digest.

use std::sync::{Arc, Barrier};

use reformlog_store::{
    AppendError, Direction, EventFilter, ExpectedRevision, Metadata, NewEvent, Store, StreamAppend,
};

use super::{event, TestDb};

#[test]
fn a_retry_gets_the_earlier_outcome_and_a_changed_event_is_refused_writing_nothing() {
    let Some(db) = TestDb::new() else { return };
    let log = db.log();
    let events = vec![event("MemberAdded", 1), event("MemberAdded", 2)];
    let first = log
        .append("committee-bcd", ExpectedRevision::NoStream, events.clone())
        .unwrap();
    // The retry's expected revision no longer holds; it is still the same append.
    let again = log
        .append("committee-bcd", ExpectedRevision::NoStream, events.clone())
        .unwrap();
    assert!(again.deduplicated);
    assert_eq!(
        again,
        reformlog_store::AppendOutcome::new(
            first.first_position,
            first.last_position,
            first.streams.clone(),
            first.commit,
            true
        )
    );
    let head = log.head().unwrap();

    let mut changed = events.clone();
    changed[1].payload = b"{\"n\":3}".to_vec();
    let err = log
        .append("committee-bcd", ExpectedRevision::Any, changed)
        .unwrap_err();
    assert!(
        matches!(err.as_append(), Some(AppendError::EventIdConflict { event_id, position: 2 }) if *event_id == events[1].id),
        "{err}"
    );
    let err = log
        .append(
            "committee-bcd",
            ExpectedRevision::Any,
            vec![events[0].clone(), event("MemberAdded", 4)],
        )
        .unwrap_err();
    assert!(
        matches!(err.as_append(), Some(AppendError::PartialDuplicate { event_id }) if *event_id == events[0].id),
        "{err}"
    );
    // The same event to another stream is other content.
    let err = log
        .append("committee-other", ExpectedRevision::Any, events.clone())
        .unwrap_err();
    assert!(
        matches!(err.as_append(), Some(AppendError::EventIdConflict { .. })),
        "{err}"
    );
    assert_eq!(log.head().unwrap(), head);
    assert_eq!(log.head_commit().unwrap(), 1);
}

#[test]
fn racing_retries_of_one_append_write_it_once() {
    let Some(db) = TestDb::new() else { return };
    const THREADS: usize = 8;
    let events = vec![event("MemberAdded", 1), event("MemberAdded", 2)];
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let log = db.log();
            let barrier = Arc::clone(&barrier);
            let events = events.clone();
            std::thread::spawn(move || {
                barrier.wait();
                log.append("committee-bcd", ExpectedRevision::NoStream, events)
                    .unwrap()
            })
        })
        .collect();
    let outcomes: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(outcomes.iter().filter(|o| !o.deduplicated).count(), 1);
    assert!(outcomes
        .iter()
        .all(|o| (o.commit, o.first_position, o.last_position) == (1, 1, 2)));
    assert_eq!(db.log().head_position().unwrap(), 2);
}

/// The calls both stores get, in order: new commits, retries and refusals of each kind.
pub(super) fn script() -> Vec<Vec<StreamAppend>> {
    let est = event("CommitteeEstablished", 0);
    let a = event("MemberAdded", 1);
    let b = event("MemberAdded", 2);
    let mut changed = b.clone();
    changed.payload = b"{\"n\":20}".to_vec();
    let mut own = event("RoleAssigned", 3);
    own.metadata = Metadata::by("Đỗ Công Anh")
        .with_correlation(uuid::Uuid::now_v7())
        .with_extra("văn bản", "34/QĐ-BCĐ");
    let one = |stream: &str, expected, events: Vec<NewEvent>| {
        vec![StreamAppend::new(stream, expected, events)]
    };
    vec![
        one(
            "committee-bcd",
            ExpectedRevision::NoStream,
            vec![est.clone()],
        ),
        one(
            "committee-bcd",
            ExpectedRevision::NoStream,
            vec![event("X", 9)],
        ),
        vec![
            StreamAppend::new(
                "committee-bcd",
                ExpectedRevision::Exact(0),
                vec![a.clone(), b.clone()],
            ),
            StreamAppend::new(
                "membership-thành-viên-17",
                ExpectedRevision::NoStream,
                vec![own.clone()],
            ),
        ],
        one("committee-bcd", ExpectedRevision::Any, vec![est]),
        one(
            "committee-bcd",
            ExpectedRevision::Any,
            vec![a.clone(), changed],
        ),
        one(
            "committee-bcd",
            ExpectedRevision::Any,
            vec![a, event("MemberAdded", 5)],
        ),
        one(
            "membership-thành-viên-17",
            ExpectedRevision::StreamExists,
            vec![event("RoleEnded", 6)],
        ),
        one(
            "membership-nguyễn-huy-dũng",
            ExpectedRevision::StreamExists,
            vec![event("RoleEnded", 7)],
        ),
        one("", ExpectedRevision::Any, vec![event("Bad", 8)]),
        vec![],
        one(
            "committee-bcd",
            ExpectedRevision::Exact(2),
            (10..14).map(|n| event("Met", n)).collect(),
        ),
    ]
}

#[test]
fn the_same_calls_give_the_sled_store_s_answers_records_and_head_digest() {
    let Some(db) = TestDb::new() else { return };
    let log = db.log();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for (i, call) in script().into_iter().enumerate() {
        let sled = store.append_multi(call.clone());
        // The record hash covers the recorded-at time, which each store takes from its own
        // clock: the log here is handed the sled store's time for each new commit.
        if let Ok(o) = &sled {
            if !o.deduplicated {
                let info = store.commit_info(o.commit).unwrap().unwrap();
                log.force_recorded_at([info.recorded_at]);
            }
        }
        let pg = log.append_multi(call);
        match (sled, pg) {
            (Ok(s), Ok(p)) => assert_eq!(s, p, "call {i}"),
            (Err(s), Err(p)) => {
                let p = p.as_append().unwrap_or_else(|| panic!("call {i}: {p}"));
                assert_eq!(s.to_string(), p.to_string(), "call {i}");
            }
            (s, p) => panic!("call {i}: sled {s:?}, PostgreSQL {p:?}"),
        }
    }
    assert!(store.head().unwrap().is_some());
    assert_eq!(store.head().unwrap(), log.head().unwrap());
    let all = EventFilter::all();
    let sled = store.read_all(None, Direction::Forward, 100, &all).unwrap();
    let pg = log.read_all(None, Direction::Forward, 100, &all).unwrap();
    assert_eq!(sled, pg);
    assert_eq!(store.verify().unwrap(), log.verify().unwrap());
    // Pages, directions and filters as the sled store answers them.
    let filters = [
        all,
        EventFilter::event_types(["MemberAdded", "Met"]),
        EventFilter::stream_categories(["membership"]),
    ];
    for filter in &filters {
        for direction in [Direction::Forward, Direction::Backward] {
            for from in [None, Some(0), Some(1), Some(3), Some(8), Some(20)] {
                for limit in [0, 1, 2, 3, 100] {
                    let s = store.read_all(from, direction, limit, filter).unwrap();
                    let p = log.read_all(from, direction, limit, filter).unwrap();
                    assert_eq!(s, p, "{filter:?} {direction:?} from {from:?} limit {limit}");
                }
            }
        }
    }
    for stream in ["committee-bcd", "membership-thành-viên-17", "nothing"] {
        for direction in [Direction::Forward, Direction::Backward] {
            for from in [None, Some(0), Some(2), Some(9)] {
                let s = store.read_stream(stream, from, direction, 3).unwrap();
                let p = log.read_stream(stream, from, direction, 3).unwrap();
                assert_eq!(s, p, "{stream} {direction:?} from {from:?}");
            }
        }
    }
    for n in 0..=6 {
        assert_eq!(
            store.commit(n).unwrap(),
            log.commit(n).unwrap(),
            "commit {n}"
        );
    }
    for p in 0..=12 {
        assert_eq!(
            store.known_at_position(p).unwrap(),
            log.known_at_position(p).unwrap(),
            "known at {p}"
        );
    }
}
