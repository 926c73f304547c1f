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
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::seeded();
    let mut acked: BTreeMap<u64, Ack> = BTreeMap::new();
    for cycle in 0..kills {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .arg(dir.path())
            .args(["4", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => lines.push(l),
                    Err(_) => break,
                }
            }
            lines
        });
        // Kill at a random moment after the store opened: sometimes at once, sometimes after
        // many appends.
        let delay = Duration::from_millis(20 + rng.below(250));
        let started = Instant::now();
        while started.elapsed() < delay {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        for line in lines.iter().filter(|l| l.starts_with("ack ")) {
            let parts: Vec<&str> = line.split(' ').collect();
            if parts.len() != 5 {
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
        check_store(&Store::open(dir.path()).unwrap(), &acked, cycle);
    }
    assert!(!acked.is_empty(), "the child never acknowledged an append");
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
