//! Group commit through `PgWriter` against a real PostgreSQL: rounds from many threads, a round
//! mixing refusals and retries, races between two writers, subscribers, a refused write.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reformlog_store::{
    AppendError, AppendOutcome, Direction, EventFilter, ExpectedRevision, NewEvent, StreamAppend,
    SubscribeFrom, SubscriptionMessage,
};

use super::{event, race_on_one_stream, TestDb};
use crate::{PgError, PgWriter};

impl TestDb {
    fn writer(&self, connections: usize) -> PgWriter {
        PgWriter::connect_with(&self.config, connections).unwrap()
    }
}

/// Runs `appends` through `writer` as one round, in this order, each from a thread of its own:
/// the connections are held until all have queued (or been refused before queuing, as invalid
/// input is).
fn one_round(
    writer: &Arc<PgWriter>,
    appends: Vec<Vec<StreamAppend>>,
) -> Vec<Result<AppendOutcome, PgError>> {
    let held = writer.hold();
    let mut queued = 0;
    let handles: Vec<_> = appends
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let w = Arc::clone(writer);
            let handle = std::thread::spawn(move || w.append_multi(a));
            // Queued one after the other, so the round's order is the list's. While the
            // connections are held, a thread that has finished never queued.
            let deadline = Instant::now() + Duration::from_secs(10);
            while writer.queued() <= queued && !handle.is_finished() {
                assert!(Instant::now() < deadline, "append {i} never queued");
                std::thread::sleep(Duration::from_millis(1));
            }
            if writer.queued() > queued {
                queued += 1;
            }
            handle
        })
        .collect();
    writer.release(held);
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn thirty_two_threads_through_one_writer_get_gap_free_positions_and_their_own_outcomes() {
    let Some(db) = TestDb::new() else { return };
    const THREADS: u64 = 32;
    const APPENDS: u64 = 10;
    let writer = Arc::new(db.writer(2));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let writer = Arc::clone(&writer);
            std::thread::spawn(move || {
                let mut outcomes = Vec::new();
                for i in 0..APPENDS {
                    let mut appends = vec![StreamAppend::new(
                        format!("membership-thành-viên-{t}"),
                        ExpectedRevision::Any,
                        (0..=i % 3).map(|k| event("MembershipStarted", k)).collect(),
                    )];
                    if i % 3 == 0 {
                        appends.push(StreamAppend::new(
                            "committee-bcd",
                            ExpectedRevision::Any,
                            vec![event("MemberAdded", i)],
                        ));
                    }
                    let ids: Vec<_> = appends
                        .iter()
                        .flat_map(|a| a.events.iter().map(|e| e.id))
                        .collect();
                    outcomes.push((ids, writer.append_multi(appends).unwrap()));
                }
                outcomes
            })
        })
        .collect();
    let mut by_commit = BTreeMap::new();
    for h in handles {
        for (ids, o) in h.join().unwrap() {
            assert!(!o.deduplicated);
            assert!(
                by_commit.insert(o.commit, (ids, o)).is_none(),
                "a commit twice"
            );
        }
    }
    let commits = THREADS * APPENDS;
    assert_eq!(
        by_commit.keys().copied().collect::<Vec<_>>(),
        (1..=commits).collect::<Vec<_>>()
    );
    let log = db.log();
    let events = log
        .read_all(None, Direction::Forward, usize::MAX, &EventFilter::all())
        .unwrap()
        .events;
    // Every caller's outcome is what the log shows: its events, at its positions, in its
    // commit, each commit one time, strictly later than the one before.
    let mut next = 1;
    let mut last_time = None;
    for (ids, o) in by_commit.values() {
        assert_eq!(o.first_position, next, "commit {}", o.commit);
        assert_eq!(o.last_position - o.first_position + 1, ids.len() as u64);
        let stored = &events[(o.first_position - 1) as usize..o.last_position as usize];
        assert_eq!(stored.iter().map(|e| e.event_id).collect::<Vec<_>>(), *ids);
        assert!(stored.iter().all(|e| e.commit == o.commit));
        for (stream, revision) in &o.streams {
            let last = stored.iter().rfind(|e| &e.stream == stream).unwrap();
            assert_eq!(last.revision, *revision);
        }
        let t = stored[0].recorded_at;
        assert!(stored.iter().all(|e| e.recorded_at == t));
        assert!(last_time.is_none_or(|l| t > l));
        last_time = Some(t);
        next = o.last_position + 1;
    }
    assert_eq!(events.len() as u64, next - 1);
    assert_eq!(log.head_commit().unwrap(), commits);
    let report = log.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.head, log.head().unwrap());
}

#[test]
fn one_round_answers_each_append_as_the_earlier_ones_leave_the_log() {
    let Some(db) = TestDb::new() else { return };
    let writer = Arc::new(db.writer(1));
    let stored_before = event("CommitteeEstablished", 0);
    writer
        .append(
            "committee-bcd",
            ExpectedRevision::NoStream,
            vec![stored_before.clone()],
        )
        .unwrap();
    let first = event("MembershipStarted", 1);
    let mut conflicting: NewEvent = event("MembershipStarted", 99);
    conflicting.id = first.id;
    let member = "membership-phạm-minh-tiến";
    let answers = one_round(
        &writer,
        vec![
            // Good.
            vec![StreamAppend::new(
                member,
                ExpectedRevision::NoStream,
                vec![first.clone()],
            )],
            // Wrong only because of the commit just before it in the round.
            vec![StreamAppend::new(
                member,
                ExpectedRevision::NoStream,
                vec![event("MembershipStarted", 2)],
            )],
            // A retry of the round's first append, and one of a commit stored before.
            vec![StreamAppend::new(
                member,
                ExpectedRevision::NoStream,
                vec![first.clone()],
            )],
            vec![StreamAppend::new(
                "committee-bcd",
                ExpectedRevision::NoStream,
                vec![stored_before.clone()],
            )],
            // The round's first event id with other content.
            vec![StreamAppend::new(
                member,
                ExpectedRevision::Any,
                vec![conflicting],
            )],
            // Good, after the refusals, expecting the first append's revision.
            vec![StreamAppend::new(
                member,
                ExpectedRevision::Exact(0),
                vec![event("RoleAssigned", 3), event("RoleAssigned", 4)],
            )],
        ],
    );
    let [good, wrong, retry, retry_before, conflict, second] = &answers[..] else {
        panic!("{answers:?}")
    };
    let good = good.as_ref().unwrap();
    assert_eq!(
        (good.commit, good.first_position, good.last_position),
        (2, 2, 2)
    );
    assert!(matches!(
        wrong,
        Err(PgError::Append(AppendError::WrongExpectedRevision {
            actual: Some(0),
            ..
        }))
    ));
    let retry = retry.as_ref().unwrap();
    assert!(retry.deduplicated);
    assert_eq!(
        (retry.commit, retry.first_position, &retry.streams),
        (2, 2, &good.streams)
    );
    let retry_before = retry_before.as_ref().unwrap();
    assert!(retry_before.deduplicated);
    assert_eq!((retry_before.commit, retry_before.first_position), (1, 1));
    assert!(
        matches!(
            conflict,
            Err(PgError::Append(AppendError::EventIdConflict { event_id, position: 2 }))
                if *event_id == first.id
        ),
        "{conflict:?}"
    );
    let second = second.as_ref().unwrap();
    assert_eq!(
        (second.commit, second.first_position, second.last_position),
        (3, 3, 4)
    );
    assert_eq!(second.streams, vec![(member.to_string(), 2)]);

    // Only the good ones are written.
    let log = db.log();
    let events = log
        .read_all(None, Direction::Forward, usize::MAX, &EventFilter::all())
        .unwrap()
        .events;
    let types: Vec<(u64, &str)> = events
        .iter()
        .map(|e| (e.commit, e.event_type.as_str()))
        .collect();
    assert_eq!(
        types,
        vec![
            (1, "CommitteeEstablished"),
            (2, "MembershipStarted"),
            (3, "RoleAssigned"),
            (3, "RoleAssigned")
        ]
    );
    assert_eq!(events[1].payload, first.payload);
    assert!(events[2].recorded_at > events[1].recorded_at);
    assert!(log.verify().unwrap().is_ok());
}

#[test]
fn a_round_whose_write_the_server_refuses_commits_the_others_alone() {
    let Some(db) = TestDb::new() else { return };
    // Connecting makes the tables the trigger is on.
    let writer = Arc::new(db.writer(1));
    db.sql(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$; \
         CREATE TRIGGER refuse BEFORE INSERT ON reformlog_events FOR EACH ROW \
             WHEN (NEW.stream = 'committee-refused') EXECUTE FUNCTION refuse();",
    );
    let answers = one_round(
        &writer,
        vec![
            vec![StreamAppend::new(
                "committee-bcd",
                ExpectedRevision::NoStream,
                vec![event("Est", 1)],
            )],
            vec![StreamAppend::new(
                "committee-refused",
                ExpectedRevision::Any,
                vec![event("Est", 2)],
            )],
            vec![StreamAppend::new(
                "committee-bcd",
                ExpectedRevision::Exact(0),
                vec![event("Met", 3)],
            )],
        ],
    );
    assert_eq!(answers[0].as_ref().unwrap().commit, 1);
    assert!(
        matches!(answers[1], Err(PgError::Postgres(_))),
        "{:?}",
        answers[1]
    );
    let third = answers[2].as_ref().unwrap();
    assert_eq!((third.commit, third.first_position), (2, 2));
    let log = db.log();
    assert_eq!(log.head_commit().unwrap(), 2);
    assert_eq!(log.stream_revision("committee-refused").unwrap(), None);
    assert!(log.verify().unwrap().is_ok());
}

#[test]
fn racing_rounds_of_two_writers_have_exactly_one_winner_per_revision() {
    let Some(db) = TestDb::new() else { return };
    const THREADS: usize = 8;
    const ROUNDS: u64 = 10;
    // Two daemons' writers on one database.
    let writers = [Arc::new(db.writer(2)), Arc::new(db.writer(2))];
    race_on_one_stream(THREADS, ROUNDS, |t| {
        let writer = Arc::clone(&writers[t % 2]);
        move |expected, e| writer.append("committee-bcd", expected, vec![e])
    });
    let log = db.log();
    assert_eq!(log.head_position().unwrap(), ROUNDS);
    assert!(log.verify().unwrap().is_ok());
}

#[test]
fn a_subscriber_sees_every_commit_of_every_round_woken_by_the_rounds_notifications() {
    let Some(db) = TestDb::new() else { return };
    const THREADS: u64 = 16;
    const APPENDS: u64 = 8;
    let log = db.log();
    // No periodic read within the test's time: only the notifications wake it.
    let mut sub = log
        .subscribe(SubscribeFrom::Start, EventFilter::all())
        .unwrap()
        .with_poll_interval(Duration::from_secs(600));
    let writer = Arc::new(db.writer(2));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let writer = Arc::clone(&writer);
            std::thread::spawn(move || {
                for i in 0..APPENDS {
                    writer
                        .append(
                            &format!("membership-thành-viên-{t}"),
                            ExpectedRevision::Any,
                            (0..=i % 2).map(|k| event("MembershipStarted", k)).collect(),
                        )
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let head = log.head_position().unwrap();
    let mut last = 0;
    let deadline = Instant::now() + Duration::from_secs(20);
    while last < head {
        assert!(
            Instant::now() < deadline,
            "stuck after position {last} of {head}"
        );
        match sub.next_timeout(Duration::from_millis(100)).unwrap() {
            Some(SubscriptionMessage::Event(e)) => {
                assert_eq!(e.position, last + 1, "a gap or a duplicate");
                last = e.position;
            }
            Some(SubscriptionMessage::CaughtUp { .. }) | None => {}
            Some(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(last, head);
    assert_eq!(log.head_commit().unwrap(), THREADS * APPENDS);
}

#[test]
fn the_parity_script_as_one_round_gives_the_sled_store_s_answers_and_head_digest() {
    let Some(db) = TestDb::new() else { return };
    let dir = tempfile::tempdir().unwrap();
    let store = reformlog_store::Store::open(dir.path()).unwrap();
    let script = super::parity::script();
    let mut times = Vec::new();
    let sled: Vec<_> = script
        .iter()
        .map(|call| {
            let o = store.append_multi(call.clone());
            if let Ok(o) = &o {
                if !o.deduplicated {
                    times.push(store.commit_info(o.commit).unwrap().unwrap().recorded_at);
                }
            }
            o
        })
        .collect();
    let writer = Arc::new(db.writer(1));
    let held = writer.hold();
    held[0].force_recorded_at(times);
    writer.release(held);
    let answers = one_round(&writer, script);
    for (i, (s, p)) in sled.into_iter().zip(answers).enumerate() {
        match (s, p) {
            (Ok(s), Ok(p)) => assert_eq!(s, p, "call {i}"),
            (Err(s), Err(p)) => {
                let p = p.as_append().unwrap_or_else(|| panic!("call {i}: {p}"));
                assert_eq!(s.to_string(), p.to_string(), "call {i}");
            }
            (s, p) => panic!("call {i}: sled {s:?}, PostgreSQL {p:?}"),
        }
    }
    let log = db.log();
    assert!(store.head().unwrap().is_some());
    assert_eq!(store.head().unwrap(), log.head().unwrap());
    assert_eq!(store.verify().unwrap(), log.verify().unwrap());
}
