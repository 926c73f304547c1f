//! Subscriptions against a real PostgreSQL: every position once and in order under concurrent
//! writers, no gap at the seam, the periodic read, filters, drop and a lost connection.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use postgres::NoTls;
use reformlog_store::{
    Direction, EventFilter, ExpectedRevision, RecordedEvent, StreamAppend, SubscribeFrom,
    SubscriptionMessage,
};

use super::{event, TestDb};
use crate::{PgError, PgLog, PgSubscription};

fn everything(log: &PgLog) -> Vec<RecordedEvent> {
    log.read_all(None, Direction::Forward, usize::MAX, &EventFilter::all())
        .unwrap()
        .events
}

/// `threads` connections appending until `stop` is set or each has made `commits` commits: one
/// to three events to a stream of its own, every fourth commit also one to a shared stream.
fn writers(db: &TestDb, threads: u64, commits: u64, stop: &Arc<AtomicBool>) -> Vec<JoinHandle<()>> {
    (0..threads)
        .map(|t| {
            let log = db.log();
            let stop = Arc::clone(stop);
            std::thread::spawn(move || {
                for i in 0..commits {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let mut appends = vec![StreamAppend::new(
                        format!("membership-thành-viên-{t}"),
                        ExpectedRevision::Any,
                        (0..=i % 3).map(|k| event("MembershipStarted", k)).collect(),
                    )];
                    if i % 4 == 0 {
                        appends.push(StreamAppend::new(
                            "committee-bcd",
                            ExpectedRevision::Any,
                            vec![event("MemberAdded", i)],
                        ));
                    }
                    log.append_multi(appends).unwrap();
                }
            })
        })
        .collect()
}

/// What one subscription delivered: its events, checked consecutive from its start as they
/// came, and how many times it said it caught up.
struct Delivered {
    start: u64,
    events: Vec<RecordedEvent>,
    caught_up: usize,
    /// How many events came before the `CaughtUp` (the catch-up side of the seam).
    before_caught_up: usize,
}

/// Takes messages until it has caught up and an event at position `until` (read on every turn,
/// so another thread can set it) has been delivered.
fn deliver_until(mut sub: PgSubscription, until: &AtomicU64) -> Delivered {
    let start = sub.last_seen();
    let mut d = Delivered {
        start,
        events: Vec::new(),
        caught_up: 0,
        before_caught_up: 0,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = start;
    while d.caught_up == 0 || last < until.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "stuck after position {last}");
        match sub.next_timeout(Duration::from_millis(50)).unwrap() {
            Some(SubscriptionMessage::Event(e)) => {
                assert_eq!(e.position, last + 1, "from {start}: a gap or a duplicate");
                last = e.position;
                d.events.push(e);
            }
            Some(SubscriptionMessage::CaughtUp { position }) => {
                assert_eq!(position, last, "caught up at what was delivered");
                d.caught_up += 1;
                d.before_caught_up = d.events.len();
            }
            Some(other) => panic!("unexpected {other:?}"),
            None => {}
        }
    }
    d
}

#[test]
fn two_subscribers_get_every_position_once_in_order_while_eight_connections_append() {
    let Some(db) = TestDb::new() else { return };
    let log = db.log();
    for i in 0..20 {
        log.append(
            &format!("committee-{i}"),
            ExpectedRevision::NoStream,
            vec![event("CommitteeEstablished", i)],
        )
        .unwrap();
    }
    let from_start = log
        .subscribe(SubscribeFrom::Start, EventFilter::all())
        .unwrap();
    let from_head = log
        .subscribe(SubscribeFrom::Now, EventFilter::all())
        .unwrap();
    assert_eq!(from_head.last_seen(), 20);

    let until = Arc::new(AtomicU64::new(u64::MAX));
    let stop = Arc::new(AtomicBool::new(false));
    let subscribers: Vec<_> = [from_start, from_head]
        .into_iter()
        .map(|sub| {
            let until = Arc::clone(&until);
            std::thread::spawn(move || deliver_until(sub, &until))
        })
        .collect();
    for w in writers(&db, 8, 12, &stop) {
        w.join().unwrap();
    }
    let head = log.head_position().unwrap();
    until.store(head, Ordering::SeqCst);
    let delivered: Vec<Delivered> = subscribers.into_iter().map(|h| h.join().unwrap()).collect();

    let all = everything(&log);
    assert_eq!(all.len() as u64, head);
    assert!(head > 8 * 12, "{head}");
    assert_eq!(
        delivered[0].events, all,
        "from the start: the records read_all gives"
    );
    assert_eq!(delivered[1].events, all[20..], "from the head");
    for d in &delivered {
        assert_eq!(d.caught_up, 1);
    }
}

struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A small xorshift, so the test needs no random-number crate; the seed is printed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn subscribers_started_at_random_moments_of_a_load_see_no_gap_at_the_seam() {
    let Some(db) = TestDb::new() else { return };
    const ROUNDS: u64 = 24;
    const TAKE: u64 = 12;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("seed {seed}");
    let mut rng = Rng(seed);
    let log = db.log();
    let stop = Arc::new(AtomicBool::new(false));
    let load = writers(&db, 8, u64::MAX, &stop);
    // Stops the load if a round fails, too.
    let _stop_on_exit = StopOnDrop(Arc::clone(&stop));
    let mut rounds = Vec::new();
    for round in 0..ROUNDS {
        std::thread::sleep(Duration::from_millis(rng.below(15)));
        // Half start at the head; half from a checkpoint up to 700 positions back, so the
        // catch-up is sometimes more than one page.
        let from = if round % 2 == 0 {
            SubscribeFrom::Now
        } else {
            let head = log.head_position().unwrap();
            SubscribeFrom::After(head.saturating_sub(rng.below(700)))
        };
        let sub = log.subscribe(from, EventFilter::all()).unwrap();
        // Past the head as it is now, so the live side of the seam has events too.
        let until = AtomicU64::new(log.head_position().unwrap() + TAKE);
        rounds.push(deliver_until(sub, &until));
    }
    stop.store(true, Ordering::Relaxed);
    for w in load {
        w.join().unwrap();
    }
    let all = everything(&log);
    let mut seams = 0;
    for d in &rounds {
        assert_eq!(d.caught_up, 1);
        let start = d.start as usize;
        assert_eq!(d.events, all[start..start + d.events.len()], "from {start}");
        // A seam crossed under load: events on both sides of the CaughtUp.
        if d.before_caught_up > 0 && d.before_caught_up < d.events.len() {
            seams += 1;
        }
    }
    eprintln!("{seams} of {ROUNDS} rounds delivered events on both sides of the seam");
    assert!(seams > 0, "the load never reached a seam");
}

#[test]
fn a_commit_without_a_notification_is_delivered_by_the_periodic_read() {
    let Some(db) = TestDb::new() else { return };
    let log = db.log();
    log.append(
        "committee-bcd",
        ExpectedRevision::NoStream,
        vec![event("CommitteeEstablished", 0)],
    )
    .unwrap();
    // A channel, not a barrier: a thread that fails drops its sender instead of leaving the
    // test waiting.
    let (ready, is_ready) = mpsc::channel();
    let waiting = |interval: Duration, wait: Duration| {
        let mut sub = log
            .subscribe(SubscribeFrom::Now, EventFilter::all())
            .unwrap()
            .with_poll_interval(interval);
        let ready = ready.clone();
        std::thread::spawn(move || {
            assert_eq!(
                sub.next_timeout(Duration::from_secs(2)).unwrap(),
                Some(SubscriptionMessage::CaughtUp { position: 1 })
            );
            ready.send(()).unwrap();
            let got = sub.next_timeout(wait).unwrap();
            (sub, got)
        })
    };
    // One polls often; the other would take a minute, so what it gets came by notification.
    let polling = waiting(Duration::from_millis(150), Duration::from_secs(3));
    let notified_only = waiting(Duration::from_secs(60), Duration::from_millis(800));
    drop(ready);
    for _ in 0..2 {
        is_ready.recv_timeout(Duration::from_secs(5)).unwrap();
    }
    // Both are waiting on their connections by now.
    std::thread::sleep(Duration::from_millis(200));
    let silent = db.log();
    silent.suppress_notifications();
    let quiet = silent
        .append(
            "committee-bcd",
            ExpectedRevision::Exact(0),
            vec![event("Met", 1)],
        )
        .unwrap();

    let (_, got) = polling.join().unwrap();
    match got {
        Some(SubscriptionMessage::Event(e)) => assert_eq!(e.position, quiet.last_position),
        other => panic!("the periodic read did not deliver it: {other:?}"),
    }
    let (mut sub, got) = notified_only.join().unwrap();
    assert_eq!(got, None, "no notification was sent");
    // The next commit's notification brings both, in order.
    let loud = log
        .append(
            "committee-bcd",
            ExpectedRevision::Exact(1),
            vec![event("Met", 2)],
        )
        .unwrap();
    let mut positions = Vec::new();
    while let Some(SubscriptionMessage::Event(e)) =
        sub.next_timeout(Duration::from_secs(2)).unwrap()
    {
        positions.push(e.position);
        if e.position == loud.last_position {
            break;
        }
    }
    assert_eq!(positions, vec![quiet.last_position, loud.last_position]);
}

#[test]
fn a_filtered_subscription_passes_over_what_does_not_match_and_keeps_its_checkpoint() {
    let Some(db) = TestDb::new() else { return };
    let log = db.log();
    let append = |stream: &str, event_type: &str, n: u64| {
        log.append(stream, ExpectedRevision::Any, vec![event(event_type, n)])
            .unwrap()
            .last_position
    };
    let mut wanted = vec![append("committee-bcd", "MemberAdded", 1)];
    append("committee-bcd", "Met", 2);
    append("membership-đỗ-công-anh", "MemberAdded", 3);
    wanted.push(append("committee-bcd", "MemberAdded", 4));
    append("membership-phạm-minh-tiến", "MembershipStarted", 5);
    let filter = EventFilter {
        event_types: vec!["MemberAdded".to_string()],
        stream_categories: vec!["committee".to_string()],
    };
    let mut sub = log.subscribe(SubscribeFrom::Start, filter).unwrap();
    let mut got = Vec::new();
    loop {
        match sub.next_timeout(Duration::from_secs(2)).unwrap() {
            Some(SubscriptionMessage::Event(e)) => got.push(e.position),
            Some(SubscriptionMessage::CaughtUp { position }) => {
                assert_eq!(position, 5, "caught up with the head, matching or not");
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(got, wanted);
    assert_eq!(sub.last_seen(), 5);
    // Live: only the match is delivered, and the checkpoint moves past what was passed over.
    append("committee-bcd", "Met", 6);
    let live = append("committee-bcd", "MemberAdded", 7);
    append("membership-đỗ-công-anh", "MemberAdded", 8);
    match sub.next_timeout(Duration::from_secs(2)).unwrap() {
        Some(SubscriptionMessage::Event(e)) => assert_eq!(e.position, live),
        other => panic!("{other:?}"),
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while sub.last_seen() < 8 {
        assert!(Instant::now() < deadline);
        assert_eq!(sub.next_timeout(Duration::from_millis(100)).unwrap(), None);
    }
}

/// Whether the server still has a backend with this process id.
fn backend_alive(db: &TestDb, pid: i32) -> bool {
    let mut admin = db.config.connect(NoTls).unwrap();
    let n: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
            &[&pid],
        )
        .unwrap()
        .get(0);
    n > 0
}

#[test]
fn dropping_a_subscription_closes_its_connection() {
    let Some(db) = TestDb::new() else { return };
    let log = db.log();
    let mut sub = log
        .subscribe(SubscribeFrom::Now, EventFilter::all())
        .unwrap();
    assert!(matches!(
        sub.next_timeout(Duration::from_secs(2)).unwrap(),
        Some(SubscriptionMessage::CaughtUp { position: 0 })
    ));
    let pid = sub.backend_pid();
    let mut admin = db.config.connect(NoTls).unwrap();
    let name: String = admin
        .query_one(
            "SELECT application_name FROM pg_stat_activity WHERE pid = $1",
            &[&pid],
        )
        .unwrap()
        .get(0);
    assert_eq!(name, "reformlog subscription");
    drop(sub);
    let deadline = Instant::now() + Duration::from_secs(3);
    while backend_alive(&db, pid) {
        assert!(Instant::now() < deadline, "the listener is still connected");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Commits still go through with nobody listening.
    log.append(
        "committee-bcd",
        ExpectedRevision::NoStream,
        vec![event("CommitteeEstablished", 0)],
    )
    .unwrap();
}

#[test]
fn a_lost_connection_ends_the_subscription_with_where_to_resume() {
    let Some(db) = TestDb::new() else { return };
    let log = db.log();
    for n in 1..=3 {
        log.append(
            "committee-bcd",
            ExpectedRevision::Any,
            vec![event("Met", n)],
        )
        .unwrap();
    }
    let mut sub = log
        .subscribe(SubscribeFrom::Start, EventFilter::all())
        .unwrap();
    for expected in 1..=3 {
        match sub.next().unwrap().unwrap() {
            SubscriptionMessage::Event(e) => assert_eq!(e.position, expected),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        sub.next().unwrap().unwrap(),
        SubscriptionMessage::CaughtUp { position: 3 }
    ));
    let mut admin = db.config.connect(NoTls).unwrap();
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&sub.backend_pid()])
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(3);
    while backend_alive(&db, sub.backend_pid()) {
        assert!(
            Instant::now() < deadline,
            "the backend outlived its termination"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    log.append(
        "committee-bcd",
        ExpectedRevision::Any,
        vec![event("Met", 4)],
    )
    .unwrap();
    let err = sub.next_timeout(Duration::from_secs(3)).unwrap_err();
    assert!(
        matches!(err, PgError::SubscriptionLost { last_seen: 3, .. }),
        "{err}"
    );
    // Over: every later call says so again, and the iterator ends.
    assert!(matches!(
        sub.try_next(),
        Err(PgError::SubscriptionLost { last_seen: 3, .. })
    ));
    assert!(sub.next().is_none());
    drop(sub);
    let mut resumed = log
        .subscribe(SubscribeFrom::After(3), EventFilter::all())
        .unwrap();
    match resumed.next().unwrap().unwrap() {
        SubscriptionMessage::Event(e) => assert_eq!(e.position, 4),
        other => panic!("{other:?}"),
    }
}
