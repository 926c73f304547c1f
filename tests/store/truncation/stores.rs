//! The stopped stores the truncation tests cut, and the surgery on their files: stores built
//! in this process or left by a killed crash writer, every commit read back whole, journal
//! frames located, files cut, sled's files swapped under a journal.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use reformlog_store::{Commit, ExpectedRevision, OpenError, Store, StoreConfig, StreamAppend};
use tempfile::TempDir;
use uuid::Uuid;

use crate::support::{copy_dir, ev, journal_segments, XorShift};

pub(super) const SMALL_SEGMENTS: u64 = 4096;
pub(super) const BIG_SEGMENTS: u64 = 64 * 1024 * 1024;
/// A journal segment's header: magic, version, base commit, base position, base hash, check.
pub(super) const SEGMENT_HEADER_BYTES: u64 = 76;

/// One commit as the store read it back: number, positions, time and every event as
/// (position, id, stream, revision).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Whole {
    pub(super) number: u64,
    pub(super) first: u64,
    pub(super) last: u64,
    pub(super) recorded_at: i64,
    pub(super) events: Vec<(u64, Uuid, String, u64)>,
}

impl Whole {
    fn of(c: &Commit) -> Self {
        Self {
            number: c.info.number,
            first: c.info.first_position,
            last: c.info.last_position,
            recorded_at: c.info.recorded_at.as_micros(),
            events: c
                .events
                .iter()
                .map(|e| (e.position, e.event_id, e.stream.clone(), e.revision))
                .collect(),
        }
    }
}

/// A stopped store to cut copies of: every commit a clean open of it shows, and the last one
/// that was acknowledged.
pub(super) struct Fixture {
    pub(super) name: &'static str,
    pub(super) dir: TempDir,
    pub(super) reference: Vec<Whole>,
    pub(super) acked_last: u64,
    /// Whether sled may lack acknowledged commits that only the journal holds.
    pub(super) sled_behind: bool,
}

pub(super) fn open(dir: &Path) -> Result<Store, OpenError> {
    StoreConfig::new(dir)
        .journal_segment_bytes(SMALL_SEGMENTS)
        .lock_wait(Duration::from_millis(500))
        .open()
}

pub(super) fn all_commits(store: &Store) -> Vec<Whole> {
    store
        .read_commits(1, usize::MAX)
        .unwrap()
        .iter()
        .map(Whole::of)
        .collect()
}

/// One random append of 1-3 events over five streams, sometimes several streams at once.
pub(super) fn random_append(rng: &mut XorShift, i: u64) -> Vec<StreamAppend> {
    let total = 1 + rng.below(3);
    let streams = if total > 1 && rng.below(3) == 0 {
        2 + rng.below(total - 1)
    } else {
        1
    };
    let mut names: Vec<u64> = (0..5).collect();
    for k in (1..names.len()).rev() {
        names.swap(k, rng.below(k as u64 + 1) as usize);
    }
    (0..streams)
        .map(|s| {
            let n = if s == 0 { total - (streams - 1) } else { 1 };
            let events = (0..n)
                .map(|k| {
                    ev(
                        "LedgerEntryMade",
                        &format!("commit {i} stream {s} event {k}"),
                    )
                })
                .collect();
            StreamAppend::new(
                format!("ledger-{}", names[s as usize]),
                ExpectedRevision::Any,
                events,
            )
        })
        .collect()
}

/// A store built in this process: `commits` random appends, `persist()` after `persist_at`
/// of them, then dropped. Returns the folder and every commit, checked against the outcomes.
pub(super) fn build_in_process(
    seed: u64,
    segment_bytes: u64,
    commits: u64,
    persist_at: Option<u64>,
) -> (TempDir, Vec<Whole>) {
    let dir = tempfile::tempdir().unwrap();
    let all = append_random(dir.path(), seed, segment_bytes, commits, persist_at);
    (dir, all)
}

/// Opens the store in `dir`, makes `commits` more random appends (`persist()` after
/// `persist_at` of them) and drops it; returns every commit of the log, checked against the
/// outcomes.
pub(super) fn append_random(
    dir: &Path,
    seed: u64,
    segment_bytes: u64,
    commits: u64,
    persist_at: Option<u64>,
) -> Vec<Whole> {
    let store = StoreConfig::new(dir)
        .journal_segment_bytes(segment_bytes)
        .open()
        .unwrap();
    let before = store.head_commit();
    let mut rng = XorShift::new(seed ^ before);
    let mut outcomes = Vec::new();
    for i in before..before + commits {
        let appends = random_append(&mut rng, i);
        let ids: Vec<Uuid> = appends
            .iter()
            .flat_map(|a| a.events.iter().map(|e| e.id))
            .collect();
        let out = store.append_multi(appends).unwrap();
        assert_eq!(out.commit, i + 1, "commit numbers from 1 without gaps");
        outcomes.push((out, ids));
        if persist_at == Some(i + 1) {
            store.persist().unwrap();
            assert_eq!(store.stats().persisted_commit, i + 1);
        }
    }
    let all = all_commits(&store);
    assert_eq!(all.len() as u64, before + commits);
    for (w, (out, ids)) in all[before as usize..].iter().zip(&outcomes) {
        assert_eq!(
            (w.number, w.first, w.last),
            (out.commit, out.first_position, out.last_position)
        );
        let got: Vec<Uuid> = w.events.iter().map(|e| e.1).collect();
        assert_eq!(&got, ids, "commit {}", w.number);
    }
    drop(store);
    all
}

/// The image a SIGKILLed crash writer leaves with small journal segments: killed once it has
/// acknowledged `events` events. The reference is a clean open of a copy.
pub(super) fn build_crash_image(events: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
        .arg(dir.path())
        .args(["2", "0"])
        .env(
            "REFORMLOG_JOURNAL_SEGMENT_BYTES",
            SMALL_SEGMENTS.to_string(),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            match line {
                Ok(l) => {
                    if tx.send(l).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while lines
        .iter()
        .filter(|l: &&String| l.starts_with("ack "))
        .count()
        < events
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => lines.push(l),
            Err(_) => break,
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    let mut acks: Vec<(u64, String, u64, Uuid)> = Vec::new();
    for line in lines.iter().filter(|l| l.starts_with("ack ")) {
        let parts: Vec<&str> = line.split(' ').collect();
        // The kill may cut the last line short: that one was never a whole acknowledgement.
        let Some(id) = parts.get(4).and_then(|s| Uuid::parse_str(s).ok()) else {
            continue;
        };
        if parts.len() != 5 {
            continue;
        }
        acks.push((
            parts[1].parse().unwrap(),
            parts[2].to_string(),
            parts[3].parse().unwrap(),
            id,
        ));
    }
    assert!(
        acks.len() >= events / 2,
        "the crash writer acknowledged only {} events",
        acks.len()
    );
    let copy = tempfile::tempdir().unwrap();
    copy_dir(dir.path(), copy.path());
    let store = open(copy.path()).unwrap();
    let mut acked_last = 0;
    for (position, stream, revision, id) in &acks {
        let e = store
            .read_event(*position)
            .unwrap()
            .unwrap_or_else(|| panic!("crash image: acknowledged position {position} missing"));
        assert_eq!(
            (&e.event_id, &e.stream, e.revision),
            (id, stream, *revision),
            "crash image: position {position}"
        );
        acked_last = acked_last.max(e.commit);
    }
    let reference = all_commits(&store);
    assert!(store.verify().unwrap().is_ok());
    drop(store);
    Fixture {
        name: "crash image",
        dir,
        reference,
        // Commits are made visible in order, so every commit up to an acknowledged one was
        // journaled by the same or an earlier fdatasync: all of them are acknowledged.
        acked_last,
        sled_behind: true,
    }
}

/// Where each whole frame of a journal segment ends (by the frames' length fields), and the
/// segment's base commit.
pub(super) fn frames_of(segment: &Path) -> (u64, Vec<u64>) {
    let bytes = std::fs::read(segment).unwrap();
    assert!(bytes.len() as u64 >= SEGMENT_HEADER_BYTES, "{segment:?}");
    let base = u64::from_be_bytes(bytes[20..28].try_into().unwrap());
    let mut ends = Vec::new();
    let mut at = SEGMENT_HEADER_BYTES as usize;
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let end = at + 12 + len;
        if len == 0 || end > bytes.len() {
            break;
        }
        ends.push(end as u64);
        at = end;
    }
    (base, ends)
}

pub(super) fn truncate(path: &Path, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

/// Every commit of `store`, checked to be exactly `want`, with a clean `verify`.
pub(super) fn assert_log_is(store: &Store, want: &[Whole]) {
    assert_eq!(store.head_commit(), want.len() as u64);
    assert_eq!(all_commits(store), want);
    let report = store.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    for (position, id, _, _) in want.iter().flat_map(|w| &w.events) {
        assert_eq!(store.find_event(*id).unwrap().unwrap().position, *position);
    }
}

/// The first commit each journal segment of the store in `dir` holds, by its name.
pub(super) fn segment_starts(dir: &Path) -> Vec<u64> {
    journal_segments(dir)
        .iter()
        .map(|p| {
            p.file_stem()
                .unwrap()
                .to_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
        })
        .collect()
}

/// Replaces sled's files in `dir` (everything but the journal) with those in `from`.
pub(super) fn put_back_sled_files(dir: &Path, from: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == "journal" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            std::fs::remove_dir_all(entry.path()).unwrap();
        } else {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = dir.join(entry.file_name());
        if entry.file_name() == "journal" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A store whose sled files are from commit `old` while its journal (one big segment from
/// commit 1) holds `old + more` commits: sled lacks acknowledged commits only the journal has.
pub(super) fn sled_behind_journal(seed: u64, old: u64, more: u64) -> (TempDir, Vec<Whole>) {
    let (dir, _) = build_in_process(seed, BIG_SEGMENTS, old, None);
    let saved = tempfile::tempdir().unwrap();
    copy_dir(dir.path(), saved.path());
    let want = append_random(dir.path(), seed, BIG_SEGMENTS, more, None);
    put_back_sled_files(dir.path(), saved.path());
    (dir, want)
}
