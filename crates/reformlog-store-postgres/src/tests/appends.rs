//! Appends against a real PostgreSQL: concurrency, expected-revision races, whole commits.

use std::collections::BTreeMap;

use reformlog_store::{
    AppendError, Direction, EventFilter, ExpectedRevision, Metadata, StreamAppend,
};

use super::{event, race_on_one_stream, TestDb};
use crate::PgError;

#[test]
fn sixteen_connections_get_gap_free_positions_and_commits_in_commit_order() {
    let Some(db) = TestDb::new() else { return };
    const THREADS: u64 = 16;
    const APPENDS: u64 = 12;
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let log = db.log();
            std::thread::spawn(move || {
                let mut outcomes = Vec::new();
                for i in 0..APPENDS {
                    // One to three events, to a stream of the thread's own and, every third
                    // append, also to one all threads share.
                    let own = StreamAppend::new(
                        format!("membership-thành-viên-{t}"),
                        ExpectedRevision::Any,
                        (0..=i % 3).map(|k| event("MembershipStarted", k)).collect(),
                    );
                    let mut appends = vec![own];
                    if i % 3 == 0 {
                        appends.push(StreamAppend::new(
                            "committee-bcd",
                            ExpectedRevision::Any,
                            vec![event("MemberAdded", i)],
                        ));
                    }
                    outcomes.push(log.append_multi(appends).unwrap());
                }
                outcomes
            })
        })
        .collect();
    let mut by_commit = BTreeMap::new();
    for h in handles {
        for o in h.join().unwrap() {
            assert!(
                by_commit.insert(o.commit, o).is_none(),
                "a commit number twice"
            );
        }
    }
    let commits = THREADS * APPENDS;
    assert_eq!(
        by_commit.keys().copied().collect::<Vec<_>>(),
        (1..=commits).collect::<Vec<_>>()
    );
    // Commit order is position order, with no gap between one commit and the next.
    let mut next = 1;
    for o in by_commit.values() {
        assert_eq!(o.first_position, next, "commit {}", o.commit);
        next = o.last_position + 1;
    }
    let log = db.log();
    assert_eq!(log.head_position().unwrap(), next - 1);
    assert_eq!(log.head_commit().unwrap(), commits);
    let page = log
        .read_all(None, Direction::Forward, usize::MAX, &EventFilter::all())
        .unwrap();
    assert_eq!(page.events.len() as u64, next - 1);
    // One time per commit, strictly increasing from one commit to the next.
    let mut last: Option<(u64, reformlog_store::Timestamp)> = None;
    for (i, e) in page.events.iter().enumerate() {
        assert_eq!(e.position, i as u64 + 1);
        match last {
            Some((c, t)) if c == e.commit => assert_eq!(e.recorded_at, t),
            Some((c, t)) => {
                assert_eq!(e.commit, c + 1);
                assert!(e.recorded_at > t);
            }
            None => assert_eq!(e.commit, 1),
        }
        last = Some((e.commit, e.recorded_at));
    }
    let report = log.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.checked, next - 1);
    assert_eq!(report.head, log.head().unwrap());
}

#[test]
fn racing_appends_on_one_stream_have_exactly_one_winner_per_revision() {
    let Some(db) = TestDb::new() else { return };
    const THREADS: usize = 8;
    const ROUNDS: u64 = 10;
    race_on_one_stream(THREADS, ROUNDS, |_| {
        let log = db.log();
        move |expected, e| log.append("committee-bcd", expected, vec![e])
    });
    let log = db.log();
    assert_eq!(
        log.stream_revision("committee-bcd").unwrap(),
        Some(ROUNDS - 1)
    );
    assert_eq!(log.head_position().unwrap(), ROUNDS);
    assert!(log.verify().unwrap().is_ok());
}

#[test]
fn a_commit_is_whole_one_time_its_metadata_once_and_known_at_resolves_to_its_end() {
    let Some(db) = TestDb::new() else { return };
    let log = db.log();
    log.append(
        "committee-bcd",
        ExpectedRevision::NoStream,
        vec![event("CommitteeEstablished", 0)],
    )
    .unwrap();
    let other = Metadata::by("Phạm Minh Tiến").with_source("Quyết định 34/QĐ");
    let mut own = event("MembershipStarted", 2);
    own.metadata = other.clone();
    let outcome = log
        .append_multi(vec![
            StreamAppend::new(
                "committee-bcd",
                ExpectedRevision::Exact(0),
                vec![event("MemberAdded", 1), event("MemberAdded", 2)],
            ),
            StreamAppend::new(
                "membership-đỗ-công-anh",
                ExpectedRevision::NoStream,
                vec![own],
            ),
        ])
        .unwrap();
    assert_eq!(
        (
            outcome.commit,
            outcome.first_position,
            outcome.last_position
        ),
        (2, 2, 4)
    );
    assert_eq!(
        outcome.streams,
        vec![
            ("committee-bcd".to_string(), 2),
            ("membership-đỗ-công-anh".to_string(), 0)
        ]
    );
    log.append(
        "committee-bcd",
        ExpectedRevision::Exact(2),
        vec![event("Met", 5), event("Met", 6)],
    )
    .unwrap();

    let commit = log.commit(2).unwrap().unwrap();
    assert_eq!(
        (commit.info.first_position, commit.info.last_position),
        (2, 4)
    );
    assert_eq!(commit.info.metadata, event("x", 0).metadata);
    assert_eq!(commit.events.len(), 3);
    assert!(commit
        .events
        .iter()
        .all(|e| e.recorded_at == commit.info.recorded_at));
    assert_eq!(
        commit.events[2].metadata, other,
        "an event with other metadata keeps its own"
    );
    assert!(log.commit(4).unwrap().is_none());
    assert_eq!(log.commit_of(3).unwrap().unwrap().number, 2);
    assert!(log.commit_of(7).unwrap().is_none());

    // The metadata is stored once per commit: only the event whose metadata differs has its own.
    let mut client = db.config.connect(postgres::NoTls).unwrap();
    let own: i64 = client
        .query_one(
            "SELECT count(*) FROM reformlog_events WHERE metadata IS NOT NULL",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(own, 1);

    let known: Vec<u64> = (0..=8).map(|p| log.known_at_position(p).unwrap()).collect();
    assert_eq!(known, vec![0, 1, 4, 4, 4, 6, 6, 6, 6]);
    let t = commit.info.recorded_at;
    assert_eq!(log.position_at_or_before(t).unwrap(), 4);
    let before = reformlog_store::Timestamp::from_micros(t.as_micros() - 1);
    assert_eq!(log.position_at_or_before(before).unwrap(), 1);
    let first = log.commit(1).unwrap().unwrap().info.recorded_at;
    let earlier = reformlog_store::Timestamp::from_micros(first.as_micros() - 1);
    assert_eq!(log.position_at_or_before(earlier).unwrap(), 0);
}

#[test]
fn a_multi_stream_append_with_one_failing_stream_writes_nothing() {
    let Some(db) = TestDb::new() else { return };
    let log = db.log();
    log.append(
        "committee-bcd",
        ExpectedRevision::NoStream,
        vec![event("Est", 0)],
    )
    .unwrap();
    let before = log.head().unwrap();
    let err = log
        .append_multi(vec![
            StreamAppend::new(
                "membership-phạm-minh-tiến",
                ExpectedRevision::NoStream,
                vec![event("MembershipStarted", 1), event("RoleAssigned", 2)],
            ),
            StreamAppend::new(
                "committee-bcd",
                ExpectedRevision::Exact(5),
                vec![event("MemberAdded", 3)],
            ),
        ])
        .unwrap_err();
    assert!(
        matches!(
            err.as_append(),
            Some(AppendError::WrongExpectedRevision { stream, expected: ExpectedRevision::Exact(5), actual: Some(0) })
                if stream == "committee-bcd"
        ),
        "{err}"
    );
    assert_eq!(log.head().unwrap(), before);
    assert_eq!(
        log.stream_revision("membership-phạm-minh-tiến").unwrap(),
        None
    );

    // A failure inside the transaction, after the commit row is written: the server refuses
    // one stream's rows, and the commit row goes with them.
    db.sql(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$; \
         CREATE TRIGGER refuse BEFORE INSERT ON reformlog_events FOR EACH ROW \
             WHEN (NEW.stream = 'committee-refused') EXECUTE FUNCTION refuse();",
    );
    let err = log
        .append_multi(vec![
            StreamAppend::new(
                "membership-phạm-minh-tiến",
                ExpectedRevision::NoStream,
                vec![event("MembershipStarted", 1)],
            ),
            StreamAppend::new(
                "committee-refused",
                ExpectedRevision::Any,
                vec![event("Est", 4)],
            ),
        ])
        .unwrap_err();
    assert!(matches!(err, PgError::Postgres(_)), "{err}");
    assert_eq!(log.head().unwrap(), before);
    assert_eq!(log.head_commit().unwrap(), 1);
    assert!(log.commit(2).unwrap().is_none());
    assert_eq!(
        log.stream_revision("membership-phạm-minh-tiến").unwrap(),
        None
    );
    // The next commit takes the number and positions the refused one did not keep.
    let o = log
        .append(
            "membership-phạm-minh-tiến",
            ExpectedRevision::NoStream,
            vec![event("MembershipStarted", 5)],
        )
        .unwrap();
    assert_eq!((o.commit, o.first_position), (2, 2));
    assert!(log.verify().unwrap().is_ok());
}
