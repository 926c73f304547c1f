//! Crash safety: a child process appends durably from several threads and prints every
//! acknowledgement; it is SIGKILLed at random moments, and after each kill the reopened store
//! must hold every acknowledged event, gap-free, with contiguous stream revisions and a chain
//! that verifies.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reformlog_store::{Direction, Store};

/// One acknowledged event, as the child printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ack {
    stream: String,
    revision: u64,
    event_id: String,
}

/// A small xorshift generator: kill timing needs variety, not quality, and no extra crate.
struct Rng(u64);

impl Rng {
    fn seeded() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        Self(nanos | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn kill_cycles(kills: usize) {
    kill_cycles_with(kills, None);
}

/// The kill loop; with `segment_bytes` the child's journal starts a new segment past that
/// size, so kills land while segments are started and trimmed. Returns the most journal
/// segments a kill left, and the latest first commit of the oldest one (how far trimming got).
fn kill_cycles_with(kills: usize, segment_bytes: Option<u64>) -> (u64, u64) {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::seeded();
    let mut acked: BTreeMap<u64, Ack> = BTreeMap::new();
    let (mut most_segments, mut trimmed_to) = (0, 0);
    for cycle in 0..kills {
        let mut command = Command::new(env!("CARGO_BIN_EXE_crash-writer"));
        command.arg(dir.path()).args(["4", "0"]);
        if let Some(bytes) = segment_bytes {
            command.env("REFORMLOG_JOURNAL_SEGMENT_BYTES", bytes.to_string());
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (opened, ready) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => {
                        if l == "ready" {
                            let _ = opened.send(());
                        }
                        lines.push(l);
                    }
                    Err(_) => break,
                }
            }
            lines
        });
        // Kill at a random moment after the store opened (its "ready" line; opening takes
        // longer on a loaded machine): sometimes at once, sometimes after many appends.
        let _ = ready.recv_timeout(Duration::from_secs(60));
        let delay = Duration::from_millis(rng.below(250));
        let started = Instant::now();
        while started.elapsed() < delay {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        record_acks(&lines, &mut acked);
        // What the child left: how many segments, and from which commit the oldest starts.
        let segments = crate::support::journal_segments(dir.path());
        let oldest = segments
            .first()
            .and_then(|p| p.file_stem()?.to_str()?.parse::<u64>().ok())
            .unwrap_or(0);
        if segment_bytes.is_some() {
            most_segments = most_segments.max(segments.len() as u64);
            trimmed_to = trimmed_to.max(oldest);
        }
        let store = Store::open(dir.path()).unwrap();
        check_store(&store, &acked, cycle);
    }
    assert!(!acked.is_empty(), "the child never acknowledged an append");
    (most_segments, trimmed_to)
}

/// Adds the child's whole `ack` lines to `acked`.
fn record_acks(lines: &[String], acked: &mut BTreeMap<u64, Ack>) {
    for line in lines.iter().filter(|l| l.starts_with("ack ")) {
        let parts: Vec<&str> = line.split(' ').collect();
        if parts.len() != 5 || parts[4].len() != 36 {
            // The kill can cut the last line short; a partial line was never a complete
            // acknowledgement.
            continue;
        }
        let position: u64 = parts[1].parse().unwrap();
        let ack = Ack {
            stream: parts[2].to_string(),
            revision: parts[3].parse().unwrap(),
            event_id: parts[4].to_string(),
        };
        if let Some(old) = acked.insert(position, ack.clone()) {
            assert_eq!(
                old, ack,
                "position {position} acknowledged twice with different events"
            );
        }
    }
}

fn check_store(store: &Store, acked: &BTreeMap<u64, Ack>, cycle: usize) {
    let report = store.verify().unwrap();
    assert!(report.is_ok(), "cycle {cycle}: {report:?}");
    let head = store.head_position();
    if let Some((&last, _)) = acked.iter().next_back() {
        assert!(
            head >= last,
            "cycle {cycle}: head {head} below acknowledged {last}"
        );
    }
    for (&position, ack) in acked {
        let e = store
            .read_event(position)
            .unwrap()
            .unwrap_or_else(|| panic!("cycle {cycle}: acknowledged position {position} lost"));
        assert_eq!(
            e.event_id.to_string(),
            ack.event_id,
            "cycle {cycle}: position {position}"
        );
        assert_eq!((&e.stream, e.revision), (&ack.stream, ack.revision));
    }
    // Every stream's revisions are contiguous from 0 and its positions increase.
    let mut streams: HashMap<String, Vec<(u64, u64)>> = HashMap::new();
    let all = store
        .read_all(
            None,
            Direction::Forward,
            usize::MAX,
            &reformlog_store::EventFilter::all(),
        )
        .unwrap()
        .events;
    assert_eq!(all.len() as u64, head);
    for e in all {
        streams
            .entry(e.stream)
            .or_default()
            .push((e.revision, e.position));
    }
    for (stream, entries) in streams {
        for (i, (rev, _)) in entries.iter().enumerate() {
            assert_eq!(
                *rev, i as u64,
                "cycle {cycle}: stream {stream} revisions not contiguous"
            );
        }
        let by_stream = store
            .read_stream(&stream, None, Direction::Forward, usize::MAX)
            .unwrap();
        assert_eq!(by_stream.len(), entries.len());
    }
}

#[test]
fn sigkill_never_loses_an_acknowledged_append() {
    let kills = std::env::var("REFORMLOG_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    kill_cycles(kills);
}

#[test]
#[ignore = "long mode: 200 kills; run with --ignored"]
fn sigkill_never_loses_an_acknowledged_append_long() {
    kill_cycles(200);
}

/// Kills land while the child's journal starts segments (every 4 KiB) and trims them behind
/// sled's background persistence: every acknowledged event survives, and the journal stays
/// a few segments long (trimming keeps up).
#[test]
fn sigkill_during_segment_rotation_and_trimming_never_loses_an_acknowledged_append() {
    let kills = std::env::var("REFORMLOG_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let started = Instant::now();
    let (most, trimmed_to) = kill_cycles_with(kills, Some(4096));
    println!(
        "{kills} kills with 4 KiB journal segments in {:?}: at most {most} segments left by a \
         kill; the oldest segment left started as late as commit {trimmed_to}",
        started.elapsed()
    );
    assert!(trimmed_to > 1, "the journal was never trimmed");
    assert!(
        most <= 16,
        "{most} journal segments after a kill: trimming did not keep up"
    );
}

/// A format-1 store of `events` events over 200 streams; returns its folder and the events.
fn format_1_store(events: u64) -> (tempfile::TempDir, Vec<reformlog_store::RecordedEvent>) {
    use reformlog_store::{EventFilter, ExpectedRevision, StreamAppend};
    let dir = tempfile::tempdir().unwrap();
    let records = {
        let store = Store::open(dir.path()).unwrap();
        let mut import = store.bulk_import_flushed_at_end();
        for i in 0..events / 10 {
            let events = (0..10)
                .map(|k| crate::support::ev("LedgerEntryMade", &format!("entry {i} {k}")))
                .collect();
            import
                .append_multi(&[StreamAppend::new(
                    format!("ledger-{}", i % 200),
                    ExpectedRevision::Any,
                    events,
                )])
                .unwrap();
        }
        import.finish().unwrap();
        store
            .read_all(None, Direction::Forward, usize::MAX, &EventFilter::all())
            .unwrap()
            .events
    };
    assert_eq!(records.len() as u64, events / 10 * 10);
    crate::store_upgrade::downgrade_to_v1(dir.path(), &records);
    (dir, records)
}

/// Starts the crash writer on `dir` and kills it after `delay`; returns its output lines.
fn run_and_kill(dir: &std::path::Path, delay: Duration) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
        .arg(dir)
        .args(["2", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    std::thread::sleep(delay);
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap()
}

/// The crash writer started on a format-1 store and killed at a random moment, mostly in the
/// middle of the upgrade its open runs; in half the cycles a second child then resumes the
/// interrupted upgrade and is killed too. After the kills the store opens with every
/// original event and every acknowledged one, and the chain verifies.
///
/// The kill comes 0-300 ms after the time an uninterrupted child takes to finish its open
/// (measured first), so kills spread over the whole upgrade and just past it. The store has
/// `REFORMLOG_UPGRADE_EVENTS` events (5 000: the upgrade of 20 000 takes seconds in a debug
/// build, too long for 20 cycles).
#[test]
fn sigkill_during_the_format_upgrade_never_loses_an_event() {
    let kills: usize = std::env::var("REFORMLOG_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let events: u64 = std::env::var("REFORMLOG_UPGRADE_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let started = Instant::now();
    let (image, originals) = format_1_store(events);
    // How long an uninterrupted child takes to upgrade and open.
    let ready = {
        let copy = tempfile::tempdir().unwrap();
        crate::support::copy_dir(image.path(), copy.path());
        let t = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .arg(copy.path())
            .args(["2", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let first = BufReader::new(child.stdout.take().unwrap()).lines().next();
        let ready = t.elapsed();
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(first.map(Result::unwrap).as_deref(), Some("ready"));
        ready
    };
    println!(
        "format-1 store of {} events built in {:?}; a child's open upgrades it in {ready:?}",
        originals.len(),
        started.elapsed()
    );
    let window = ready.as_millis() as u64 + 300;
    let mut rng = Rng::seeded();
    let (mut mid_upgrade, mut acked_total, mut resumed) = (0, 0, 0);
    for cycle in 0..kills {
        let dir = tempfile::tempdir().unwrap();
        crate::support::copy_dir(image.path(), dir.path());
        let mut acked: BTreeMap<u64, Ack> = BTreeMap::new();
        let children = 1 + rng.below(2);
        for _ in 0..children {
            let lines = run_and_kill(dir.path(), Duration::from_millis(rng.below(window)));
            if !lines.iter().any(|l| l == "ready") {
                mid_upgrade += 1;
            }
            record_acks(&lines, &mut acked);
        }
        let store = Store::open(dir.path()).unwrap();
        if store.recovery().upgraded_from.is_some() {
            resumed += 1;
        }
        let read = store
            .read_all(
                None,
                Direction::Forward,
                originals.len(),
                &reformlog_store::EventFilter::all(),
            )
            .unwrap()
            .events;
        assert_eq!(read.len(), originals.len(), "cycle {cycle}: originals lost");
        for (e, r) in read.iter().zip(&originals) {
            assert_eq!(
                (e.position, &e.event_id, &e.stream, e.revision, &e.payload),
                (r.position, &r.event_id, &r.stream, r.revision, &r.payload),
                "cycle {cycle}: position {}",
                r.position
            );
        }
        check_store(&store, &acked, cycle);
        for r in originals.iter().step_by(97) {
            let found = store.find_event(r.event_id).unwrap().map(|e| e.position);
            assert_eq!(
                found,
                Some(r.position),
                "cycle {cycle}: original found by id"
            );
        }
        let last = originals.last().unwrap();
        assert_eq!(
            store.commit_of(last.position).unwrap().map(|c| c.number),
            Some(last.position),
            "cycle {cycle}: each format-1 event is a commit of its own"
        );
        acked_total += acked.len();
    }
    println!(
        "{kills} cycles in {:?}: {mid_upgrade} kills before the child's open finished, {resumed} \
         upgrades finished by the check's open, {acked_total} events acknowledged",
        started.elapsed()
    );
}
