//! Cut sled's data file and the journal at random offsets on stopped stores (at least 50
//! cases per CI run, seeded): a store either opens with every acknowledged commit whole or
//! refuses with a typed error, and never panics.
//!
//! Two stopped stores are cut: one built in this process and dropped (sled holds everything
//! durably, the journal holds its last segment), and the image a SIGKILLed crash writer left
//! (several segments, sled behind the journal). Every case copies one, cuts sled's `db` file,
//! one journal segment or both, and opens the copy. The rule: `Ok` with every acknowledged
//! commit whole (each event at its position with its id, in its stream at its revision, found
//! by id, `verify` clean), or one of the typed refusals; never a panic, never a hang.
//!
//! One loss cannot be told from a crash: when the journal's last segment is cut and sled does
//! not hold the commits cut from it (the crash image, or sled cut as well), those commits
//! existed nowhere else; the store may then open without them, but only with a clean prefix of
//! the log that still includes every commit the cut journal holds. Those cases are counted
//! apart.
//!
//! `REFORMLOG_TRUNCATION_SEED` replaces the fixed seed, `REFORMLOG_TRUNCATION_CASES` the case
//! count (60).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use reformlog_store::{
    Commit, Direction, ExpectedRevision, OpenError, Store, StoreConfig, StreamAppend,
};
use tempfile::TempDir;
use uuid::Uuid;

use crate::support::{copy_dir, env_u64, ev, journal_segments, XorShift};

const DEFAULT_SEED: u64 = 0x7472_756e_6361_7465;
const DEFAULT_CASES: u64 = 60;
const SMALL_SEGMENTS: u64 = 4096;
const BIG_SEGMENTS: u64 = 64 * 1024 * 1024;
/// A journal segment's header: magic, version, base commit, base position, base hash, check.
const SEGMENT_HEADER_BYTES: u64 = 76;
/// How long one case may take before it counts as a hang.
const CASE_TIMEOUT: Duration = Duration::from_secs(60);

/// One commit as the store read it back: number, positions, time and every event as
/// (position, id, stream, revision).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Whole {
    number: u64,
    first: u64,
    last: u64,
    recorded_at: i64,
    events: Vec<(u64, Uuid, String, u64)>,
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
struct Fixture {
    name: &'static str,
    dir: TempDir,
    reference: Vec<Whole>,
    acked_last: u64,
    /// Whether sled may lack acknowledged commits that only the journal holds.
    sled_behind: bool,
}

fn open(dir: &Path) -> Result<Store, OpenError> {
    StoreConfig::new(dir)
        .journal_segment_bytes(SMALL_SEGMENTS)
        .lock_wait(Duration::from_millis(500))
        .open()
}

fn all_commits(store: &Store) -> Vec<Whole> {
    store
        .read_commits(1, usize::MAX)
        .unwrap()
        .iter()
        .map(Whole::of)
        .collect()
}

/// One random append of 1-3 events over five streams, sometimes several streams at once.
fn random_append(rng: &mut XorShift, i: u64) -> Vec<StreamAppend> {
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
fn build_in_process(
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
fn append_random(
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
fn build_crash_image(events: usize) -> Fixture {
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
fn frames_of(segment: &Path) -> (u64, Vec<u64>) {
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

fn truncate(path: &Path, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

/// One file cut: which, from what length to what offset, and how the offset was picked.
#[derive(Debug, Clone)]
struct Cut {
    /// The path inside the store folder, e.g. `db` or `journal/00000000000000000281.wal`.
    file: PathBuf,
    len: u64,
    offset: u64,
    how: &'static str,
}

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} -> {} ({})",
            self.file.display(),
            self.len,
            self.offset,
            self.how
        )
    }
}

fn pick_offset(rng: &mut XorShift, len: u64, frame_ends: &[u64]) -> (u64, &'static str) {
    if len <= 1 {
        return (0, "zero");
    }
    let boundaries: Vec<u64> = frame_ends.iter().copied().filter(|&e| e < len).collect();
    match rng.below(8) {
        0 => (0, "zero"),
        1 => (1 + rng.below(len.min(16) - 1), "tiny"),
        2 => (len / 10, "10 %"),
        3 => (len / 2, "50 %"),
        4 => (len - 1 - rng.below(len.min(9) - 1), "a few bytes short"),
        5 if !boundaries.is_empty() => (
            boundaries[rng.below(boundaries.len() as u64) as usize],
            "a frame boundary",
        ),
        _ => (rng.below(len), "random"),
    }
}

/// What one case came to.
enum Outcome {
    /// Opened with every acknowledged commit; the label says what recovery did.
    Ok(String),
    /// Opened with a clean prefix that lacks acknowledged commits whose only copy was cut.
    TailLost { head: u64 },
    /// A typed refusal: its kind and the details.
    Refused(&'static str, String),
}

/// What the checks of a case know about the cuts.
struct Expect {
    /// The last journal segment was cut and sled may lack what was cut from it.
    only_copy_cut: bool,
    /// The commit the journal still holds after the cut of its last segment, when it was cut.
    journal_floor: Option<u64>,
    /// When the last segment was cut inside a frame: where recovery must cut it back to.
    torn_at: Option<u64>,
    /// No journal segment was cut.
    journal_whole: bool,
}

fn run_case(store_dir: &Path, fixture: &Fixture, expect: &Expect) -> Result<Outcome, String> {
    let opened = catch_unwind(AssertUnwindSafe(|| open(store_dir)))
        .map_err(|p| format!("open panicked: {}", panic_text(&p)))?;
    let store = match opened {
        Ok(store) => store,
        Err(e) => return refusal(e, fixture, expect),
    };
    let checked = catch_unwind(AssertUnwindSafe(|| check_open(&store, fixture, expect)))
        .map_err(|p| format!("a read of the opened store panicked: {}", panic_text(&p)))?;
    let outcome = checked?;
    // The recovered store takes writes and keeps them across a reopen.
    let head = store.head_commit();
    let out = store
        .append(
            "ledger-after",
            ExpectedRevision::Any,
            vec![ev("E", "after")],
        )
        .map_err(|e| format!("append after recovery failed: {e}"))?;
    if out.commit != head + 1 {
        return Err(format!(
            "append after recovery got commit {}, head was {head}",
            out.commit
        ));
    }
    drop(store);
    let again = open(store_dir).map_err(|e| format!("second open failed: {e}"))?;
    if again.head_commit() != head + 1 || !again.verify().map_err(|e| e.to_string())?.is_ok() {
        return Err(format!(
            "second open: head {} (want {}), or verify failed",
            again.head_commit(),
            head + 1
        ));
    }
    Ok(outcome)
}

fn refusal(e: OpenError, fixture: &Fixture, expect: &Expect) -> Result<Outcome, String> {
    let line = |c: u64| fixture.reference.get((c as usize).wrapping_sub(1));
    match e {
        OpenError::LogBehindAcknowledged { log, acknowledged } => {
            if log.commit >= acknowledged.commit {
                return Err(format!(
                    "LogBehindAcknowledged with log {log} not behind {acknowledged}"
                ));
            }
            if expect.journal_whole && acknowledged.commit < fixture.acked_last {
                return Err(format!(
                    "LogBehindAcknowledged names {acknowledged} but commit {} was acknowledged \
                     and the journal is whole",
                    fixture.acked_last
                ));
            }
            for (what, head) in [("log", log), ("acknowledged", acknowledged)] {
                if head.commit == 0 {
                    continue;
                }
                match line(head.commit) {
                    Some(w) if w.last == head.position => {}
                    Some(w) => {
                        return Err(format!(
                            "LogBehindAcknowledged: {what} {head}, but commit {} ends at {}",
                            w.number, w.last
                        ))
                    }
                    None => {
                        return Err(format!(
                            "LogBehindAcknowledged: {what} {head} beyond the log"
                        ))
                    }
                }
            }
            Ok(Outcome::Refused(
                "LogBehindAcknowledged",
                format!("log {log}, acknowledged {acknowledged}"),
            ))
        }
        OpenError::Corrupt(c) => Ok(Outcome::Refused("Corrupt", c.to_string())),
        OpenError::JournalMissing { path } => Ok(Outcome::Refused(
            "JournalMissing",
            path.display().to_string(),
        )),
        OpenError::NotAStore { path } => {
            Ok(Outcome::Refused("NotAStore", path.display().to_string()))
        }
        OpenError::Storage(s) => Ok(Outcome::Refused("Storage", s.to_string())),
        other => Err(format!("an unexpected refusal: {other:?}")),
    }
}

fn check_open(store: &Store, fixture: &Fixture, expect: &Expect) -> Result<Outcome, String> {
    let head = store.head_commit();
    let ref_head = fixture.reference.len() as u64;
    if head > ref_head {
        return Err(format!(
            "opened with head commit {head}, the log only ever had {ref_head}"
        ));
    }
    let report = store.verify().map_err(|e| format!("verify failed: {e}"))?;
    if !report.is_ok() {
        return Err(format!("verify: {report:?}"));
    }
    let got = all_commits(store);
    if got.len() as u64 != head {
        return Err(format!(
            "read_commits gave {} commits, head is {head}",
            got.len()
        ));
    }
    for (g, want) in got.iter().zip(&fixture.reference) {
        if g != want {
            return Err(format!("commit {} differs: {g:?} != {want:?}", want.number));
        }
    }
    let head_position = got.last().map_or(0, |w| w.last);
    if store.head_position() != head_position {
        return Err(format!(
            "head position {} but the last commit ends at {head_position}",
            store.head_position()
        ));
    }
    // The indexes agree with the records: each event found by id and in its stream.
    let mut revisions: BTreeMap<&str, u64> = BTreeMap::new();
    for (position, id, stream, revision) in got.iter().flat_map(|w| &w.events) {
        let by_id = store.find_event(*id).map_err(|e| e.to_string())?;
        if by_id.as_ref().map(|e| e.position) != Some(*position) {
            return Err(format!(
                "event {id} (position {position}) found by id at {by_id:?}"
            ));
        }
        let in_stream = store
            .read_stream(stream, Some(*revision), Direction::Forward, 1)
            .map_err(|e| e.to_string())?;
        if in_stream.first().map(|e| e.position) != Some(*position) {
            return Err(format!(
                "{stream} revision {revision}: not position {position}"
            ));
        }
        revisions.insert(stream, *revision);
    }
    for (stream, revision) in revisions {
        let r = store.stream_revision(stream).map_err(|e| e.to_string())?;
        if r != Some(revision) {
            return Err(format!("{stream}: revision {r:?}, want {revision}"));
        }
    }
    let torn = store.recovery().torn_tail.clone();
    if let Some(at) = expect.torn_at {
        match &torn {
            Some(t) if t.offset == at => {}
            other => {
                return Err(format!(
                "the journal was cut inside a frame (frame start {at}), recovery says {other:?}"
            ))
            }
        }
    }
    if head >= fixture.acked_last {
        let label = match (&torn, store.recovery().reapplied_commits) {
            (Some(_), 0) => "ok, torn tail cut".to_string(),
            (Some(_), _) => "ok, torn tail cut, commits re-applied".to_string(),
            (None, 0) => "ok".to_string(),
            (None, _) => "ok, commits re-applied".to_string(),
        };
        return Ok(Outcome::Ok(label));
    }
    if !expect.only_copy_cut {
        return Err(format!(
            "opened with head commit {head}, below the acknowledged {}",
            fixture.acked_last
        ));
    }
    let floor = expect
        .journal_floor
        .unwrap_or(fixture.acked_last)
        .min(fixture.acked_last);
    if head < floor {
        return Err(format!(
            "opened with head commit {head}, but the cut journal still holds up to commit {floor}"
        ));
    }
    Ok(Outcome::TailLost { head })
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

#[test]
fn cut_files_never_open_with_fewer_commits_than_acknowledged() {
    let seed = env_u64("REFORMLOG_TRUNCATION_SEED").unwrap_or(DEFAULT_SEED);
    let cases = env_u64("REFORMLOG_TRUNCATION_CASES").unwrap_or(DEFAULT_CASES);
    println!("truncation: seed {seed:#x} (REFORMLOG_TRUNCATION_SEED), {cases} cases");
    let started = Instant::now();
    // 300 commits with small segments, trimmed at a persist halfway; then 40 more with one
    // big segment, which the journal keeps beside sled's copy.
    let (dir, _) = build_in_process(seed, SMALL_SEGMENTS, 300, Some(150));
    let reference = append_random(dir.path(), seed, BIG_SEGMENTS, 40, None);
    let in_process = Arc::new(Fixture {
        name: "in-process",
        dir,
        acked_last: reference.len() as u64,
        reference,
        sled_behind: false,
    });
    let crash = Arc::new(build_crash_image(600));
    for f in [&in_process, &crash] {
        let segments = journal_segments(f.dir.path());
        println!(
            "fixture {}: {} commits ({} acknowledged), {} journal segments, db {} bytes",
            f.name,
            f.reference.len(),
            f.acked_last,
            segments.len(),
            std::fs::metadata(f.dir.path().join("db")).unwrap().len()
        );
    }
    println!("fixtures built in {:?}", started.elapsed());

    let mut rng = XorShift::new(seed);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in 0..cases {
        let case_seed = rng.next_u64();
        let mut crng = XorShift::new(case_seed);
        let fixture = if crng.below(2) == 0 {
            &in_process
        } else {
            &crash
        };
        let work = tempfile::tempdir().unwrap();
        let store_dir = work.path().join("store");
        copy_dir(fixture.dir.path(), &store_dir);
        let segments = journal_segments(&store_dir);
        let target = crng.below(3);
        let mut cuts = Vec::new();
        let mut expect = Expect {
            only_copy_cut: false,
            journal_floor: None,
            torn_at: None,
            journal_whole: true,
        };
        let mut sled_cut = false;
        if target != 1 {
            let path = store_dir.join("db");
            let len = std::fs::metadata(&path).unwrap().len();
            let (offset, how) = pick_offset(&mut crng, len, &[]);
            truncate(&path, offset);
            sled_cut = true;
            cuts.push(Cut {
                file: "db".into(),
                len,
                offset,
                how,
            });
        }
        if target != 0 && !segments.is_empty() {
            let i = crng.below(segments.len() as u64) as usize;
            let path = &segments[i];
            let len = std::fs::metadata(path).unwrap().len();
            let (base, ends) = frames_of(path);
            let before = std::fs::read(path).unwrap();
            let (offset, how) = pick_offset(&mut crng, len, &ends);
            truncate(path, offset);
            expect.journal_whole = false;
            if i + 1 == segments.len() {
                expect.only_copy_cut = sled_cut || fixture.sled_behind;
                if offset >= SEGMENT_HEADER_BYTES {
                    let whole: Vec<u64> = ends.iter().copied().filter(|&e| e <= offset).collect();
                    expect.journal_floor = Some(base + whole.len() as u64);
                    let last_end = whole.last().copied().unwrap_or(SEGMENT_HEADER_BYTES);
                    // Past the last frame the segment is allocated space reading as zeros: a
                    // cut there tears no frame.
                    let data_end = ends.last().copied().unwrap_or(SEGMENT_HEADER_BYTES);
                    // What is left of the torn frame may be zeros only (the high bytes of its
                    // length), which read as unwritten space: nothing to cut then.
                    let left = &before[last_end as usize..offset as usize];
                    if last_end != offset && offset < data_end && left.iter().any(|&b| b != 0) {
                        expect.torn_at = Some(last_end);
                    }
                }
            }
            cuts.push(Cut {
                file: path.strip_prefix(&store_dir).unwrap().to_path_buf(),
                len,
                offset,
                how,
            });
        }
        let what = cuts
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" and ");
        let (tx, rx) = mpsc::channel();
        let f = Arc::clone(fixture);
        let d = store_dir.clone();
        std::thread::spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(|| run_case(&d, &f, &expect)))
                .unwrap_or_else(|p| Err(format!("the case panicked: {}", panic_text(&p))));
            let _ = tx.send(r);
        });
        let result = rx
            .recv_timeout(CASE_TIMEOUT)
            .unwrap_or_else(|_| Err(format!("no answer in {CASE_TIMEOUT:?} (a hang)")));
        let label = match result {
            Ok(Outcome::Ok(label)) => label,
            Ok(Outcome::TailLost { head }) => {
                format!("ok, acknowledged tail lost with its only copy (head {head})")
            }
            Ok(Outcome::Refused(kind, detail)) => format!("{kind} ({detail})"),
            Err(why) => {
                failures.push(format!(
                    "seed {seed:#x} case {case} (case seed {case_seed:#x}, {}): {what}: {why}",
                    fixture.name
                ));
                format!("FAILED ({why})")
            }
        };
        println!("case {case} ({}): {what}: {label}", fixture.name);
        let key = label.split(" (").next().unwrap_or(&label).to_string();
        *counts
            .entry(format!("{:<11} {key}", fixture.name))
            .or_default() += 1;
    }
    println!("truncation outcomes over {cases} cases (seed {seed:#x}):");
    for (k, n) in &counts {
        println!("  {n:>4}  {k}");
    }
    println!("took {:?}", started.elapsed());
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every commit of `store`, checked to be exactly `want`, with a clean `verify`.
fn assert_log_is(store: &Store, want: &[Whole]) {
    assert_eq!(store.head_commit(), want.len() as u64);
    assert_eq!(all_commits(store), want);
    let report = store.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    for (position, id, _, _) in want.iter().flat_map(|w| &w.events) {
        assert_eq!(store.find_event(*id).unwrap().unwrap().position, *position);
    }
}

/// The first commit each journal segment of the store in `dir` holds, by its name.
fn segment_starts(dir: &Path) -> Vec<u64> {
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
fn put_back_sled_files(dir: &Path, from: &Path) {
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

#[test]
fn a_db_cut_to_zero_is_rebuilt_from_a_journal_that_covers_every_commit() {
    let (dir, want) = build_in_process(11, BIG_SEGMENTS, 60, None);
    assert_eq!(
        segment_starts(dir.path()),
        vec![1],
        "one segment from commit 1"
    );
    truncate(&dir.path().join("db"), 0);
    let store = open(dir.path()).unwrap();
    assert_eq!(store.recovery().reapplied_commits, 60);
    assert_eq!(store.recovery().torn_tail, None);
    assert_log_is(&store, &want);
    drop(store);
    // Rebuilt for good: the next open re-applies nothing.
    let store = open(dir.path()).unwrap();
    assert_eq!(store.recovery().reapplied_commits, 0);
    assert_log_is(&store, &want);
}

#[test]
fn all_of_sleds_files_lost_are_rebuilt_from_a_journal_that_covers_every_commit() {
    let (dir, want) = build_in_process(12, BIG_SEGMENTS, 40, None);
    let empty = tempfile::tempdir().unwrap();
    put_back_sled_files(dir.path(), empty.path());
    let store = open(dir.path()).unwrap();
    assert_eq!(store.recovery().reapplied_commits, 40);
    assert_log_is(&store, &want);
}

#[test]
fn a_db_cut_to_zero_after_trimming_is_refused_naming_both_heads() {
    let (dir, want) = build_in_process(13, SMALL_SEGMENTS, 300, Some(150));
    assert!(
        segment_starts(dir.path())[0] > 151,
        "trimmed past the persist: {:?}",
        segment_starts(dir.path())
    );
    let last = want.last().unwrap();
    truncate(&dir.path().join("db"), 0);
    for attempt in 0..2 {
        match open(dir.path()) {
            Err(OpenError::LogBehindAcknowledged { log, acknowledged }) => {
                assert_eq!((log.commit, log.position), (0, 0), "attempt {attempt}");
                assert_eq!(
                    (acknowledged.commit, acknowledged.position),
                    (last.number, last.last),
                    "attempt {attempt}"
                );
            }
            other => panic!("attempt {attempt}: {other:?}"),
        }
    }
}

#[test]
fn a_torn_frame_after_the_last_acknowledged_one_is_cut_and_nothing_is_lost() {
    let (dir, want) = build_in_process(14, BIG_SEGMENTS, 30, None);
    let segment = journal_segments(dir.path()).pop().unwrap();
    let (_, ends) = frames_of(&segment);
    let mut bytes = std::fs::read(&segment).unwrap();
    let len = bytes.len() as u64;
    // The segment is allocated whole: past its last frame it reads as zeros.
    let data_end = *ends.last().unwrap() as usize;
    assert!(bytes[data_end..].iter().all(|&b| b == 0));
    // A copy of the last frame, short by five bytes: a write the crash cut off.
    let start = ends[ends.len() - 2] as usize;
    let torn: Vec<u8> = bytes[start..data_end - 5].to_vec();
    bytes[data_end..data_end + torn.len()].copy_from_slice(&torn);
    std::fs::write(&segment, &bytes).unwrap();
    let store = open(dir.path()).unwrap();
    let cut = store
        .recovery()
        .torn_tail
        .clone()
        .expect("a torn tail reported");
    assert_eq!(
        (cut.offset, cut.bytes_cut),
        (data_end as u64, reported_cut(&torn))
    );
    assert_eq!(cut.segment, segment);
    assert_eq!(store.recovery().reapplied_commits, 0);
    assert_log_is(&store, &want);
    // Cut by zeroing, so the segment keeps its allocated size.
    assert_eq!(std::fs::metadata(&segment).unwrap().len(), len);
    assert!(std::fs::read(&segment).unwrap()[data_end..]
        .iter()
        .all(|&b| b == 0));
    drop(store);
    let store = open(dir.path()).unwrap();
    assert_eq!(store.recovery().torn_tail, None);
    assert_log_is(&store, &want);
}

#[test]
fn the_last_frame_cut_short_is_a_torn_tail_and_sled_still_holds_its_commit() {
    // A cleanly closed store: sled holds every commit durably, so cutting the journal's last
    // frame loses nothing (head stays at 30), though it was acknowledged.
    let (dir, want) = build_in_process(15, BIG_SEGMENTS, 30, None);
    let segment = journal_segments(dir.path()).pop().unwrap();
    let (_, ends) = frames_of(&segment);
    let len = *ends.last().unwrap();
    truncate(&segment, len - 3);
    let start = ends[ends.len() - 2];
    let torn = std::fs::read(&segment).unwrap()[start as usize..].to_vec();
    assert_eq!(torn.len() as u64, len - 3 - start);
    let store = open(dir.path()).unwrap();
    let cut = store
        .recovery()
        .torn_tail
        .clone()
        .expect("a torn tail reported");
    assert_eq!((cut.offset, cut.bytes_cut), (start, reported_cut(&torn)));
    assert_log_is(&store, &want);
    // The store goes on from sled's head, with a journal that continues it.
    let out = store
        .append("ledger-9", ExpectedRevision::Any, vec![ev("E", "next")])
        .unwrap();
    assert_eq!(out.commit, 31);
    drop(store);
    let store = open(dir.path()).unwrap();
    assert_eq!(store.head_commit(), 31);
    assert!(store.verify().unwrap().is_ok());
}

/// What open reports as cut from a torn tail of `torn` bytes: the bytes up to its last
/// non-zero one, which it zeroes. A torn write's own trailing zeros read like the segment's
/// space not written yet, so they are not counted.
///
/// The torn frames above end inside their last event's hash, random from run to run, so one
/// byte in 256 is zero there: counting every torn byte made those tests fail that often.
fn reported_cut(torn: &[u8]) -> u64 {
    torn.iter()
        .rposition(|&b| b != 0)
        .map_or(0, |i| i as u64 + 1)
}

#[test]
fn a_torn_frame_ending_in_zero_bytes_is_reported_up_to_its_last_non_zero_byte() {
    // The torn write ends in 1, 2 or 3 zero bytes: once where the segment's allocated space
    // follows it, once at the end of a file cut short.
    for zeros in 1..=3usize {
        for at_file_end in [false, true] {
            let case = format!("{zeros} zero bytes, at the file's end: {at_file_end}");
            // One segment of 1 MiB holds all twelve commits.
            let (dir, want) = build_in_process(18 + zeros as u64, 1 << 20, 12, None);
            let segment = journal_segments(dir.path()).pop().unwrap();
            let (_, ends) = frames_of(&segment);
            let mut bytes = std::fs::read(&segment).unwrap();
            let data_end = *ends.last().unwrap() as usize;
            let start = ends[ends.len() - 2] as usize;
            // The last frame short by five bytes, its last bytes written as zeros.
            let mut torn = bytes[start..data_end - 5].to_vec();
            let n = torn.len();
            torn[n - zeros..].fill(0);
            torn[n - zeros - 1] = 0x5a;
            let offset = if at_file_end {
                bytes.truncate(start);
                bytes.extend_from_slice(&torn);
                start
            } else {
                bytes[data_end..data_end + n].copy_from_slice(&torn);
                data_end
            };
            std::fs::write(&segment, &bytes).unwrap();
            // A cleanly closed store: sled holds the cut commit, so nothing is lost.
            let store = open(dir.path()).unwrap();
            let cut = store
                .recovery()
                .torn_tail
                .clone()
                .unwrap_or_else(|| panic!("{case}: no torn tail reported"));
            assert_eq!(
                (cut.offset, cut.bytes_cut),
                (offset as u64, (n - zeros) as u64),
                "{case}"
            );
            assert_eq!(reported_cut(&torn), (n - zeros) as u64, "{case}");
            assert_log_is(&store, &want);
            if !at_file_end {
                // Zeroed in place. (Cut where the file ends, the journal lacks a commit sled
                // holds, so it starts again at sled's head.)
                assert!(
                    std::fs::read(&segment).unwrap()[offset..]
                        .iter()
                        .all(|&b| b == 0),
                    "{case}: the torn bytes are zeroed"
                );
            }
            // The journal goes on from where the cut left it, and holds up on the next open.
            let out = store
                .append("ledger-9", ExpectedRevision::Any, vec![ev("E", "next")])
                .unwrap();
            assert_eq!(out.commit, want.len() as u64 + 1, "{case}");
            drop(store);
            let store = open(dir.path()).unwrap();
            assert_eq!(store.recovery().torn_tail, None, "{case}");
            assert_eq!(store.head_commit(), want.len() as u64 + 1, "{case}");
            assert!(store.verify().unwrap().is_ok(), "{case}");
        }
    }
}

/// A store whose sled files are from commit `old` while its journal (one big segment from
/// commit 1) holds `old + more` commits: sled lacks acknowledged commits only the journal has.
fn sled_behind_journal(seed: u64, old: u64, more: u64) -> (TempDir, Vec<Whole>) {
    let (dir, _) = build_in_process(seed, BIG_SEGMENTS, old, None);
    let saved = tempfile::tempdir().unwrap();
    copy_dir(dir.path(), saved.path());
    let want = append_random(dir.path(), seed, BIG_SEGMENTS, more, None);
    put_back_sled_files(dir.path(), saved.path());
    (dir, want)
}

#[test]
fn a_flipped_byte_in_a_frame_before_a_good_one_is_corrupt_naming_its_commit() {
    let (dir, _) = sled_behind_journal(16, 10, 20);
    let segment = journal_segments(dir.path()).pop().unwrap();
    let (base, ends) = frames_of(&segment);
    assert_eq!((base, ends.len()), (0, 30));
    let original = std::fs::read(&segment).unwrap();
    // The frame of commit 15: its check (bytes 4..12 of the frame) and body bytes.
    let start = ends[13] as usize;
    let end = ends[14] as usize;
    let mut offsets: Vec<usize> = (start + 4..start + 12).collect();
    offsets.extend((start + 12..end).step_by(((end - start) / 16).max(1)));
    for at in offsets {
        let mut bytes = original.clone();
        bytes[at] ^= 0x10;
        std::fs::write(&segment, &bytes).unwrap();
        match open(dir.path()) {
            Err(OpenError::Corrupt(c)) => {
                assert!(
                    c.at.contains("at commit 15 "),
                    "byte {} of the frame: {c}",
                    at - start
                );
            }
            other => panic!("byte {} of the frame: {other:?}", at - start),
        }
    }
}

#[test]
fn a_flipped_length_byte_in_a_frame_before_a_good_one_is_corrupt() {
    let (dir, want) = sled_behind_journal(17, 10, 20);
    let segment = journal_segments(dir.path()).pop().unwrap();
    let (_, ends) = frames_of(&segment);
    let original = std::fs::read(&segment).unwrap();
    let start = ends[13] as usize;
    let mut wrong = Vec::new();
    for at in start..start + 4 {
        for bit in [0x01u8, 0x80] {
            let mut bytes = original.clone();
            bytes[at] ^= bit;
            let work = tempfile::tempdir().unwrap();
            copy_dir(dir.path(), work.path());
            let seg = work.path().join(segment.strip_prefix(dir.path()).unwrap());
            std::fs::write(&seg, &bytes).unwrap();
            match open(work.path()) {
                Err(OpenError::Corrupt(c)) if c.at.contains("at commit 15 ") => {}
                Ok(store) => wrong.push(format!(
                    "length byte {} ^ {bit:#04x}: opened with head commit {} of {} \
                     acknowledged, torn tail {:?}",
                    at - start,
                    store.head_commit(),
                    want.len(),
                    store.recovery().torn_tail
                )),
                other => wrong.push(format!(
                    "length byte {} ^ {bit:#04x}: {other:?}",
                    at - start
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_deleted_or_emptied_journal_is_refused_as_missing() {
    let (dir, _) = build_in_process(18, SMALL_SEGMENTS, 50, None);
    std::fs::remove_dir_all(dir.path().join("journal")).unwrap();
    for attempt in 0..2 {
        match open(dir.path()) {
            Err(OpenError::JournalMissing { path }) => {
                assert_eq!(path, dir.path().join("journal"), "attempt {attempt}")
            }
            other => panic!("attempt {attempt}: {other:?}"),
        }
    }
    std::fs::create_dir(dir.path().join("journal")).unwrap();
    assert!(matches!(
        open(dir.path()),
        Err(OpenError::JournalMissing { .. })
    ));
}

#[test]
fn older_sled_files_are_brought_forward_by_a_journal_that_covers_them() {
    let (dir, want) = sled_behind_journal(19, 20, 30);
    let store = open(dir.path()).unwrap();
    assert_eq!(store.recovery().reapplied_commits, 30);
    assert_log_is(&store, &want);
    drop(store);
    let store = open(dir.path()).unwrap();
    assert_eq!(store.recovery().reapplied_commits, 0);
    assert_log_is(&store, &want);
}

#[test]
fn older_sled_files_behind_a_trimmed_journal_are_refused_naming_both_heads() {
    let (dir, old) = build_in_process(20, SMALL_SEGMENTS, 100, Some(100));
    let saved = tempfile::tempdir().unwrap();
    copy_dir(dir.path(), saved.path());
    let want = append_random(dir.path(), 20, SMALL_SEGMENTS, 200, Some(150));
    assert!(
        segment_starts(dir.path())[0] > 101,
        "{:?}",
        segment_starts(dir.path())
    );
    put_back_sled_files(dir.path(), saved.path());
    let (old_last, new_last) = (old.last().unwrap(), want.last().unwrap());
    match open(dir.path()) {
        Err(OpenError::LogBehindAcknowledged { log, acknowledged }) => {
            assert_eq!((log.commit, log.position), (100, old_last.last));
            assert_eq!(
                (acknowledged.commit, acknowledged.position),
                (300, new_last.last)
            );
        }
        other => panic!("{other:?}"),
    }
}
