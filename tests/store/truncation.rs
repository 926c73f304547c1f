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
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use reformlog_store::{Direction, ExpectedRevision, OpenError, Store};

use crate::support::{copy_dir, env_u64, ev, journal_segments, XorShift};
use stores::{
    all_commits, append_random, build_crash_image, build_in_process, frames_of, open, truncate,
    Fixture, BIG_SEGMENTS, SEGMENT_HEADER_BYTES, SMALL_SEGMENTS,
};

// Hand-picked cuts: sled's files lost or behind, torn and flipped frames, a lost journal.
#[path = "truncation/recovery.rs"]
mod recovery;
// The stopped stores cut here and the surgery on their files.
#[path = "truncation/stores.rs"]
mod stores;

const DEFAULT_SEED: u64 = 0x7472_756e_6361_7465;
const DEFAULT_CASES: u64 = 60;
/// How long one case may take before it counts as a hang.
const CASE_TIMEOUT: Duration = Duration::from_secs(60);

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
