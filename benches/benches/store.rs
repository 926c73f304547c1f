//! The store benchmarks P1–P5, P10 and P13: each figure is a ratio against a baseline measured
//! in the same run (P13: attempts against successes).
//!
//! `cargo bench -p reformlog-benches --bench store` runs the full set. Sizes come from
//! environment variables or arguments after `--` (arguments win):
//!
//! | variable | argument | default | meaning |
//! | --- | --- | --- | --- |
//! | `REFORMLOG_BENCH_EVENTS` | `--events N` | 1000000 | events for P4, P5, P10 |
//! | `REFORMLOG_BENCH_SECS` | `--secs S` | 3 | seconds per durable-append measurement (P1–P3) |
//! | `REFORMLOG_BENCH_REPS` | `--reps R` | 3 | repetitions, interleaved with the baselines |
//! | `REFORMLOG_BENCH_WRITERS` | `--writers W` | 64 | concurrent writers for P2, P3, P13 |
//! | `REFORMLOG_BENCH_SUCCESSES` | `--successes K` | 16 | appends each P13 writer must get in |
//! | `REFORMLOG_BENCH_PAGE` | `--page N` | 1000 | `read_all` page size for P5 |
//! | `REFORMLOG_BENCH_ONLY` | `--only P1,P4` | all | which groups to run |
//! | `REFORMLOG_BENCH_STRICT` | `--strict` | off | exit with an error when a target is missed |
//!
//! Without `--bench` (as under `cargo test --benches`) it makes one tiny pass, so a test run of
//! all targets stays fast. Each bulk import and the replay run in a child process of this same
//! binary (see `child_main`); the durable appends and the P13 race run in the parent.
//!
//! The baselines write the bytes the store writes for each event: its layout-4 record
//! (`benches/src/lib.rs`, `record_bytes`). The store's journal frame for a one-event commit is
//! somewhat larger (it also holds the commit's metadata and the previous hash); the bench prints
//! the journal bytes per append beside the record size.

// The baselines are raw sled (what the store's engine costs by itself), which the workspace's
// clippy configuration keeps out of every crate but the store; measuring it is this file's job.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::collections::HashMap;
use std::error::Error;
use std::fs::File;
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use reformlog_benches::{
    commit_entry_bytes, dir_size, fmt_num, median, mix, render, Bulk, Pool, Row, Target,
};
use reformlog_store::{AppendError, Direction, EventFilter, ExpectedRevision, Metadata, Store};
use tempfile::TempDir;
use uuid::Uuid;

type BoxError = Box<dyn Error + Send + Sync>;
type Res<T> = Result<T, BoxError>;

/// `StoreConfig`'s default page cache, given to raw sled too so both sides cache alike.
const CACHE_BYTES: u64 = 32 * 1024 * 1024;
/// Events appended before timing starts, so stream creation and first-touch costs are paid.
const WARMUP: u64 = 50;
/// How long each single-threaded subject runs before the next one takes over.
const SLICE: Duration = Duration::from_millis(200);
/// Distinct events cycled through by the durable-append runs.
const POOL: u64 = 20_000;

#[derive(Debug)]
struct Settings {
    events: u64,
    secs: f64,
    reps: usize,
    writers: usize,
    successes: u64,
    batch: usize,
    page: usize,
    only: Vec<String>,
    strict: bool,
    full: bool,
}

impl Settings {
    fn load() -> Res<Self> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let full = args.iter().any(|a| a == "--bench");
        let mut s = if full {
            Settings {
                events: 1_000_000,
                secs: 3.0,
                reps: 3,
                writers: 64,
                successes: 16,
                batch: 1_000,
                page: 1_000,
                only: Vec::new(),
                strict: false,
                full,
            }
        } else {
            Settings {
                events: 5_000,
                secs: 0.2,
                reps: 1,
                writers: 8,
                successes: 4,
                batch: 1_000,
                page: 1_000,
                only: Vec::new(),
                strict: false,
                full,
            }
        };
        let env = |name: &str| std::env::var(name).ok();
        if let Some(v) = env("REFORMLOG_BENCH_EVENTS") {
            s.events = parse(&v)?;
        }
        if let Some(v) = env("REFORMLOG_BENCH_SECS") {
            s.secs = parse(&v)?;
        }
        if let Some(v) = env("REFORMLOG_BENCH_REPS") {
            s.reps = parse(&v)?;
        }
        if let Some(v) = env("REFORMLOG_BENCH_WRITERS") {
            s.writers = parse(&v)?;
        }
        if let Some(v) = env("REFORMLOG_BENCH_SUCCESSES") {
            s.successes = parse(&v)?;
        }
        if let Some(v) = env("REFORMLOG_BENCH_PAGE") {
            s.page = parse(&v)?;
        }
        if let Some(v) = env("REFORMLOG_BENCH_ONLY") {
            s.only = split_list(&v);
        }
        if env("REFORMLOG_BENCH_STRICT").is_some_and(|v| v != "0") {
            s.strict = true;
        }
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
            match a.as_str() {
                "--events" => s.events = parse(value()?)?,
                "--secs" => s.secs = parse(value()?)?,
                "--reps" => s.reps = parse(value()?)?,
                "--writers" => s.writers = parse(value()?)?,
                "--successes" => s.successes = parse(value()?)?,
                "--page" => s.page = parse(value()?)?,
                "--only" => s.only = split_list(value()?),
                "--strict" => s.strict = true,
                // cargo passes --bench and possibly a name filter; neither concerns this binary.
                _ => {}
            }
        }
        s.reps = s.reps.max(1);
        s.writers = s.writers.max(1);
        s.successes = s.successes.max(1);
        s.events = s.events.max(1);
        s.page = s.page.max(1);
        Ok(s)
    }

    fn wants(&self, id: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o.eq_ignore_ascii_case(id))
    }

    fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.secs.max(0.01))
    }
}

fn parse<T: std::str::FromStr>(v: &str) -> Res<T> {
    v.replace('_', "")
        .parse()
        .map_err(|_| format!("not a number: {v:?}").into())
}

fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn temp() -> Res<TempDir> {
    Ok(tempfile::Builder::new()
        .prefix("reformlog-bench-")
        .tempdir()?)
}

/// Raw sled with the store's page cache. The store turns sled's own periodic flush off and
/// persists from a thread of its own, off the acknowledgement path; raw sled keeps its
/// background flush every 500 ms, which does that work here (the bulk baselines flush once at
/// the end anyway).
fn sled_config(path: &Path) -> sled::Config {
    sled::Config::new()
        .path(path)
        .cache_capacity(CACHE_BYTES)
        .flush_every_ms(Some(500))
}

fn progress(what: &str, figure: f64, unit: &str) {
    eprintln!("  {what}: {} {unit}", fmt_num(figure));
}

fn main() -> Res<()> {
    let s = Settings::load()?;
    if let Some(result) = child_main(&s) {
        return result;
    }
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!(
        "reformlog store benchmarks ({} pass): events={} secs={} reps={} writers={} successes={} batch={} page={} cores={cores} load={}",
        if s.full { "full" } else { "smoke" },
        s.events,
        s.secs,
        s.reps,
        s.writers,
        s.successes,
        s.batch,
        s.page,
        load_average(),
    );
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    if ["P1", "P2", "P3"].iter().any(|id| s.wants(id)) {
        durable_group(&s, &mut rows, &mut notes)?;
    }
    if s.wants("P13") {
        race_group(&s, &mut rows, &mut notes)?;
    }
    if ["P4", "P5", "P10"].iter().any(|id| s.wants(id)) {
        bulk_group(&s, &mut rows, &mut notes)?;
    }
    println!("\nfinished at load {}\n", load_average());
    print!("{}", render(&rows));
    if !notes.is_empty() {
        println!("\nNotes:");
        for n in &notes {
            println!("  {n}");
        }
    }
    let missed: Vec<&str> = rows
        .iter()
        .filter(|r| r.verdict() == "FAIL")
        .map(|r| r.id)
        .collect();
    if s.strict && !missed.is_empty() {
        return Err(format!("targets missed: {}", missed.join(", ")).into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// P1–P3: durable appends.

#[derive(Clone, Copy, Debug)]
enum Durable {
    File,
    StoreOne,
    StoreMany,
    Sqlite,
    /// D1: raw sled installing the store's entries for one event, no flush per event.
    SledApply,
    /// D2: raw sled installing, flushing and syncing per event (format 3's acknowledgement).
    SledFlushSync,
}

/// What one repetition's single-thread slices found about the store's appends.
struct OneAppender {
    /// Journal `fdatasync` rounds per append.
    syncs: f64,
    /// Journal bytes per append, when the journal stayed in one segment meanwhile.
    journal_bytes: Option<f64>,
}

fn durable_group(s: &Settings, rows: &mut Vec<Row>, notes: &mut Vec<String>) -> Res<()> {
    let pool = Pool::new(POOL)?;
    let avg_record = pool.records.iter().map(Vec::len).sum::<usize>() as f64 / POOL as f64;
    let avg_payload = pool
        .events
        .iter()
        .map(|(_, e)| e.payload.len())
        .sum::<usize>() as f64
        / POOL as f64;
    notes.push(format!(
        "durable appends: payload {avg_payload:.0} B and layout-4 record {avg_record:.0} B on \
         average (what the P1 and P3 baselines write per event)"
    ));
    // Only what the wanted targets need; the diagnostics explain P1.
    let mut kinds = Vec::new();
    if s.wants("P1") {
        kinds.push(Durable::File);
    }
    kinds.push(Durable::StoreOne);
    if s.wants("P2") || s.wants("P3") {
        kinds.push(Durable::StoreMany);
    }
    if s.wants("P3") {
        kinds.push(Durable::Sqlite);
    }
    if s.wants("P1") {
        kinds.push(Durable::SledApply);
        kinds.push(Durable::SledFlushSync);
    }
    eprintln!(
        "durable appends: {POOL} pooled events, {} s per measurement, {} measurements per \
         repetition; the single-thread ones alternate in {} ms slices",
        s.secs,
        kinds.len(),
        SLICE.as_millis()
    );
    let d = s.duration();
    let w = s.writers;
    let mut runs: HashMap<&'static str, Vec<f64>> = HashMap::new();
    let mut one_syncs = Vec::new();
    let mut one_journal = Vec::new();
    let mut many_per_round = Vec::new();
    let single: Vec<Durable> = kinds
        .iter()
        .copied()
        .filter(|k| !matches!(k, Durable::StoreMany | Durable::Sqlite))
        .collect();
    let multi: Vec<Durable> = kinds
        .iter()
        .copied()
        .filter(|k| matches!(k, Durable::StoreMany | Durable::Sqlite))
        .collect();
    for rep in 0..s.reps {
        eprintln!(" repetition {} (load {})", rep + 1, load_average());
        // Odd repetitions run backwards so neither side always goes first.
        let mut phases = [true, false];
        if rep % 2 == 1 {
            phases.reverse();
        }
        for single_phase in phases {
            if single_phase {
                let (rates, one) = single_thread_slices(&pool, &single, d)?;
                one_syncs.push(one.syncs);
                one_journal.extend(one.journal_bytes);
                for (kind, r) in single.iter().zip(rates) {
                    let (key, what) = match kind {
                        Durable::File => ("file", "file write_all + sync_data"),
                        Durable::StoreOne => ("one", "Store::append, 1 thread"),
                        Durable::SledApply => ("sled_apply", "raw sled apply_batch, no flush"),
                        _ => ("sled_sync", "raw sled batch + flush + fdatasync"),
                    };
                    progress(what, r, "events/s");
                    runs.entry(key).or_default().push(r);
                }
                continue;
            }
            let mut order = multi.clone();
            if rep % 2 == 1 {
                order.reverse();
            }
            for kind in order {
                if let Durable::StoreMany = kind {
                    let (r, per_round) = store_appenders(&pool, d, w)?;
                    many_per_round.push(per_round);
                    progress(&format!("Store::append, {w} threads"), r, "events/s");
                    runs.entry("many").or_default().push(r);
                } else {
                    let r = sqlite_appenders(&pool, d, w)?;
                    progress(&format!("SQLite, {w} connections"), r, "events/s");
                    runs.entry("sqlite").or_default().push(r);
                }
            }
        }
    }
    let mut take = |k: &str| runs.remove(k).unwrap_or_default();
    let (file, one, many, sqlite) = (take("file"), take("one"), take("many"), take("sqlite"));
    let (sled_apply, sled_sync) = (take("sled_apply"), take("sled_sync"));
    if s.wants("P1") {
        rows.push(Row {
            id: "P1",
            subject: "Store::append, 1 event, 1 thread".into(),
            baseline: "plain file: write_all + sync_data of the layout-4 record bytes".into(),
            unit: "events/s",
            subject_runs: one.clone(),
            baseline_runs: file.clone(),
            target: Target::AtLeast(0.85),
        });
    }
    if s.wants("P2") {
        rows.push(Row {
            id: "P2",
            subject: format!("Store::append, {w} threads"),
            baseline: "Store::append, 1 thread".into(),
            unit: "events/s",
            subject_runs: many.clone(),
            baseline_runs: one.clone(),
            target: Target::AtLeast(15.0),
        });
    }
    if s.wants("P3") {
        rows.push(Row {
            id: "P3",
            subject: format!("Store::append, {w} threads"),
            baseline: format!(
                "SQLite WAL, synchronous=FULL, {w} connections, 1 txn/event (stream id + layout-4 record)"
            ),
            unit: "events/s",
            subject_runs: many,
            baseline_runs: sqlite,
            target: Target::AtLeast(5.0),
        });
    }
    if s.wants("P1") {
        // D1 stays because the store still installs each commit in sled (in memory) before it
        // acknowledges it: its rate says what that install costs beside the baseline's I/O.
        rows.push(Row {
            id: "D1",
            subject: "raw sled: the store's entries for 1 event in 1 apply_batch, no flush (flush + fdatasync once per slice), 1 thread".into(),
            baseline: "plain file: write_all + sync_data".into(),
            unit: "events/s",
            subject_runs: sled_apply,
            baseline_runs: file.clone(),
            target: Target::Info,
        });
        // D2 and D3 stay as the floor format 3 could not pass (sled's flush and fdatasync on
        // the acknowledgement path); the journal is meant to take the store past it, so D3
        // says how far it did.
        rows.push(Row {
            id: "D2",
            subject: "raw sled: apply_batch + flush + fdatasync per event (format 3's ack path), 1 thread".into(),
            baseline: "plain file: write_all + sync_data".into(),
            unit: "events/s",
            subject_runs: sled_sync.clone(),
            baseline_runs: file,
            target: Target::Info,
        });
        rows.push(Row {
            id: "D3",
            subject: "Store::append, 1 thread".into(),
            baseline: "raw sled: apply_batch + flush + fdatasync (D2)".into(),
            unit: "events/s",
            subject_runs: one,
            baseline_runs: sled_sync,
            target: Target::Info,
        });
    }
    notes.push(format!(
        "journal sync rounds per append, 1 thread: {:.3}",
        median(&one_syncs)
    ));
    if !one_journal.is_empty() {
        notes.push(format!(
            "journal bytes per append, 1 thread: {:.1} (frame head, the commit's metadata and \
             previous hash, the event; the baseline writes the {avg_record:.0}-byte record)",
            median(&one_journal)
        ));
    }
    if !many_per_round.is_empty() {
        notes.push(format!(
            "events per journal sync round, {w} threads: {:.1}",
            median(&many_per_round)
        ));
    }
    Ok(())
}

/// The 1-, 5- and 15-minute load averages, to show how busy the shared machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// One event's worth of work for a single-threaded subject; called with a running count.
type Step<'a> = Box<dyn FnMut(u64) -> Res<()> + 'a>;
/// Work a subject has left for the background at the end of its slice, done (and timed) before
/// the next subject's slice starts, so that none of it lands in another subject's time.
type Drain<'a> = Box<dyn FnMut() -> Res<()> + 'a>;

/// The single-threaded subjects (the file baseline, one store appender, the raw sled
/// diagnostics) run in alternating slices of [`SLICE`] until each has had `d`, so a change in
/// the shared disk's speed during the repetition hits them all alike. Returns each subject's
/// rate, in `kinds` order, and what the store's appends cost in journal rounds and bytes.
fn single_thread_slices(
    pool: &Pool,
    kinds: &[Durable],
    d: Duration,
) -> Res<(Vec<f64>, OneAppender)> {
    let file_dir = temp()?;
    let store_dir = temp()?;
    let sled_dirs = [temp()?, temp()?];
    let mut sled_dirs = sled_dirs.iter();
    let store = Store::open(store_dir.path())?;
    let mut subjects: Vec<(Step<'_>, Option<Drain<'_>>)> = Vec::new();
    for kind in kinds {
        let (mut step, drain): (Step<'_>, Option<Drain<'_>>) = match kind {
            Durable::File => {
                let mut f = File::create(file_dir.path().join("log"))?;
                let step: Step<'_> = Box::new(move |k| {
                    f.write_all(pool.record(k))?;
                    f.sync_data()?;
                    Ok(())
                });
                (step, None)
            }
            Durable::StoreOne => {
                let store = &store;
                let step: Step<'_> = Box::new(move |k| {
                    let (stream, event) = pool.event(k);
                    store.append(stream, ExpectedRevision::Any, vec![event])?;
                    Ok(())
                });
                // The store's persisting thread makes sled durable behind the appends; what it
                // has not done when the slice ends is done now, in the store's time.
                let drain: Drain<'_> = Box::new(move || Ok(store.persist()?));
                (step, Some(drain))
            }
            Durable::SledApply | Durable::SledFlushSync => {
                let dir = sled_dirs.next().ok_or("one folder per raw sled subject")?;
                sled_step(pool, dir.path(), matches!(kind, Durable::SledFlushSync))?
            }
            Durable::StoreMany | Durable::Sqlite => {
                return Err("multi-threaded subjects do not run in slices".into())
            }
        };
        for k in 0..WARMUP {
            step(k)?;
        }
        subjects.push((step, drain));
    }
    let before = store.stats();
    let mut counts = vec![WARMUP; subjects.len()];
    let mut spent = vec![Duration::ZERO; subjects.len()];
    let rounds = (d.as_secs_f64() / SLICE.as_secs_f64()).ceil().max(1.0) as usize;
    for round in 0..rounds {
        for j in 0..subjects.len() {
            // Rotate who goes first in each round.
            let i = (j + round) % subjects.len();
            let (step, drain) = &mut subjects[i];
            let start = Instant::now();
            while start.elapsed() < SLICE {
                step(counts[i])?;
                counts[i] += 1;
            }
            if let Some(drain) = drain {
                drain()?;
            }
            spent[i] += start.elapsed();
        }
    }
    drop(subjects);
    let rates = counts
        .iter()
        .zip(&spent)
        .map(|(n, t)| (n - WARMUP) as f64 / t.as_secs_f64())
        .collect();
    let store_appends = kinds
        .iter()
        .position(|k| matches!(k, Durable::StoreOne))
        .map_or(0, |i| counts[i] - WARMUP)
        .max(1) as f64;
    let after = store.stats();
    let journal_bytes = (after.journal_segments == before.journal_segments
        && after.journal_bytes >= before.journal_bytes)
        .then(|| (after.journal_bytes - before.journal_bytes) as f64 / store_appends);
    Ok((
        rates,
        OneAppender {
            syncs: (after.syncs - before.syncs) as f64 / store_appends,
            journal_bytes,
        },
    ))
}

/// `writers` threads appending one event per call to one store for `d`. Returns the rate and
/// the appends per sync round (how well group commit shares a round).
fn store_appenders(pool: &Pool, d: Duration, writers: usize) -> Res<(f64, f64)> {
    let dir = temp()?;
    let store = Store::open(dir.path())?;
    for k in 0..WARMUP {
        let (stream, event) = pool.event(k);
        store.append(stream, ExpectedRevision::Any, vec![event])?;
    }
    let syncs_before = store.stats().syncs;
    let (n, elapsed) = run_threads(writers, d, |t, stop| {
        let mut n = 0u64;
        // Each writer walks its own part of the pool; streams are shared across writers.
        let mut k = WARMUP + t as u64 * 7_919;
        while !stop.load(Ordering::Relaxed) {
            let (stream, event) = pool.event(k);
            store.append(stream, ExpectedRevision::Any, vec![event])?;
            n += 1;
            k += 1;
        }
        Ok(n)
    })?;
    let syncs = (store.stats().syncs - syncs_before) as f64;
    let rate = n as f64 / elapsed.as_secs_f64();
    Ok((rate, n as f64 / syncs.max(1.0)))
}

/// `writers` SQLite connections in WAL mode with synchronous=FULL, one autocommit INSERT of the
/// stream id and record bytes per event.
fn sqlite_appenders(pool: &Pool, d: Duration, writers: usize) -> Res<f64> {
    let dir = temp()?;
    let path = dir.path().join("events.db");
    {
        let c = rusqlite::Connection::open(&path)?;
        let mode: String = c.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(format!("SQLite refused WAL mode: {mode}").into());
        }
        c.execute_batch(
            "CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, body BLOB NOT NULL);",
        )?;
    }
    let (n, elapsed) = run_threads_with_setup(
        writers,
        d,
        |_| -> Res<rusqlite::Connection> {
            let c = rusqlite::Connection::open(&path)?;
            c.busy_timeout(Duration::from_secs(60))?;
            c.execute_batch("PRAGMA synchronous=FULL;")?;
            Ok(c)
        },
        |t, stop, c: rusqlite::Connection| {
            let mut insert = c.prepare("INSERT INTO events (stream, body) VALUES (?1, ?2)")?;
            let mut n = 0u64;
            let mut k = t as u64 * 7_919;
            while !stop.load(Ordering::Relaxed) {
                let (stream, _) = &pool.events[(k % POOL) as usize];
                insert.execute(rusqlite::params![stream, pool.record(k)])?;
                n += 1;
                k += 1;
            }
            Ok(n)
        },
    )?;
    Ok(n as f64 / elapsed.as_secs_f64())
}

/// Diagnostic: the entries the store writes for a one-event commit, written by raw sled with
/// none of the store's logic, one commit per batch. With `sync` (D2) every event is also flushed
/// and its data file `fdatasync`ed, as format 3 did before acknowledging; without (D1) sled
/// only installs it in memory, as the store does before acknowledging, and is made durable once
/// at the end of each slice, as the store's persisting thread does in the background.
fn sled_step<'a>(pool: &'a Pool, dir: &Path, sync: bool) -> Res<(Step<'a>, Option<Drain<'a>>)> {
    let db = sled_config(dir).flush_every_ms(None).open()?;
    let tree = db.open_tree(STORE_TREE)?;
    // Shared by the step (D2) and the drain (D1).
    let data = std::sync::Arc::new(File::open(dir.join("db"))?);
    let mut keys = StoreKeys::default();
    let durable = move |db: &sled::Db| -> Res<()> {
        db.flush()?;
        data.sync_data()?;
        Ok(())
    };
    let (step_durable, step_db) = (durable.clone(), db.clone());
    let step: Step<'a> = Box::new(move |k| {
        let (stream, event) = pool.event(k);
        let mut batch = sled::Batch::default();
        keys.add_commit(
            &mut batch,
            &event.metadata,
            [(stream, &event.id, pool.record(k))],
        );
        tree.apply_batch(batch)?;
        if sync {
            step_durable(&step_db)?;
        }
        Ok(())
    });
    let drain = (!sync).then(|| -> Drain<'a> { Box::new(move || durable(&db)) });
    Ok((step, drain))
}

/// The sled tree the store keeps its log in.
const STORE_TREE: &str = "reformlog.log.v1";

/// Builds the entries the store (format 4) writes for each commit, so raw sled can be timed
/// doing the same writes: the record under 0x10, the stream's revision-index chunk of 16
/// positions under 0x22 and the event id's bucket under 0x32 (each rewritten whole, once per
/// commit), the stream table under 0x40 and the stream counter under 0x01 for a new stream,
/// and the commit entry under 0x50.
///
/// Unlike the store, it keeps the index values in memory instead of reading them back from
/// sled, and picks an id's bucket with the benchmarks' mixer instead of BLAKE3 (any uniform
/// hash spreads the ids alike).
#[derive(Debug, Default)]
struct StoreKeys {
    /// Stream id -> (stream number, next revision, its last chunk's positions).
    streams: HashMap<String, (u64, u64, Vec<u8>)>,
    /// Id bucket -> (id, position) entries.
    buckets: HashMap<u32, Vec<u8>>,
    position: u64,
    commit: u64,
}

impl StoreKeys {
    /// Adds one commit of `events` (stream, id, record bytes), in position order, whose
    /// metadata is `metadata`.
    fn add_commit<'e>(
        &mut self,
        batch: &mut sled::Batch,
        metadata: &Metadata,
        events: impl IntoIterator<Item = (&'e str, &'e Uuid, &'e [u8])>,
    ) {
        self.commit += 1;
        let first = self.position + 1;
        let mut chunks: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
        let mut buckets: Vec<u32> = Vec::new();
        let streams_before = self.streams.len() as u64;
        for (stream, id, record) in events {
            self.position += 1;
            let position = self.position.to_be_bytes();
            let next_no = self.streams.len() as u64;
            let head = self.streams.entry(stream.to_string()).or_insert_with(|| {
                batch.insert(prefixed(0x40, &[stream.as_bytes()]), &next_no.to_be_bytes());
                (next_no, 0, Vec::new())
            });
            batch.insert(prefixed(0x10, &[&position]), record);
            if head.1.is_multiple_of(16) {
                head.2.clear();
            }
            head.2.extend_from_slice(&position);
            let chunk = prefixed(0x22, &[&head.0.to_be_bytes(), &(head.1 / 16).to_be_bytes()]);
            chunks.insert(chunk, head.2.clone());
            head.1 += 1;
            let (hi, lo) = id.as_u64_pair();
            let bucket = (mix(hi ^ mix(lo)) >> 48) as u32;
            let entries = self.buckets.entry(bucket).or_default();
            entries.extend_from_slice(id.as_bytes());
            entries.extend_from_slice(&position);
            buckets.push(bucket);
        }
        if self.streams.len() as u64 != streams_before {
            batch.insert(&[0x01u8], &(self.streams.len() as u64).to_be_bytes());
        }
        for (key, value) in chunks {
            batch.insert(key, value);
        }
        buckets.sort_unstable();
        buckets.dedup();
        for b in buckets {
            if let Some(entries) = self.buckets.get(&b) {
                batch.insert(prefixed(0x32, &[&b.to_be_bytes()]), entries.as_slice());
            }
        }
        let recorded_at = 1_750_000_000_000_000 + self.commit as i64;
        batch.insert(
            prefixed(0x50, &[&self.commit.to_be_bytes()]),
            commit_entry_bytes(first, self.position, recorded_at, metadata),
        );
    }
}

fn prefixed(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut key = vec![prefix];
    for p in parts {
        key.extend_from_slice(p);
    }
    key
}

/// Runs `body(thread, stop)` on `writers` threads, all released together, until `d` has
/// passed; returns the summed counts and the time from release to the last thread's end.
fn run_threads<F>(writers: usize, d: Duration, body: F) -> Res<(u64, Duration)>
where
    F: Fn(usize, &AtomicBool) -> Res<u64> + Sync,
{
    run_threads_with_setup(writers, d, |_| Ok(()), |t, stop, ()| body(t, stop))
}

/// As [`run_threads`], with per-thread state made by `setup` before the release.
fn run_threads_with_setup<S, F, T>(
    writers: usize,
    d: Duration,
    setup: S,
    body: F,
) -> Res<(u64, Duration)>
where
    S: Fn(usize) -> Res<T> + Sync,
    F: Fn(usize, &AtomicBool, T) -> Res<u64> + Sync,
{
    let stop = AtomicBool::new(false);
    let barrier = Barrier::new(writers + 1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..writers)
            .map(|t| {
                let (stop, barrier, setup, body) = (&stop, &barrier, &setup, &body);
                scope.spawn(move || {
                    let state = setup(t);
                    // Always reach the barrier, so a failed setup cannot hang the others.
                    barrier.wait();
                    body(t, stop, state?)
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        std::thread::sleep(d);
        stop.store(true, Ordering::Relaxed);
        let mut total = 0u64;
        let mut first_error = None;
        for h in handles {
            match h.join() {
                Ok(Ok(n)) => total += n,
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(_) => {
                    first_error.get_or_insert_with(|| "a writer thread panicked".into());
                }
            }
        }
        let elapsed = start.elapsed();
        match first_error {
            Some(e) => Err(e),
            None => Ok((total, elapsed)),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// P13: optimistic concurrency on one stream.

/// The one stream P13's writers race on.
const RACE_STREAM: &str = "committee-race";

/// What one P13 race came to.
struct Race {
    attempts: u64,
    successes: u64,
    /// Writers that stopped at the attempt cap without their successes.
    gave_up: usize,
    wall: Duration,
    syncs: u64,
}

fn race_group(s: &Settings, rows: &mut Vec<Row>, notes: &mut Vec<String>) -> Res<()> {
    let (w, k) = (s.writers, s.successes);
    let pool = Pool::new(1_000)?;
    eprintln!(
        "race: {w} threads on one stream, each reads the stream's revision, appends with \
         Exact(revision) (NoStream while it has none) and retries on WrongExpectedRevision until \
         it has {k} successes"
    );
    let (mut attempts, mut successes, mut walls, mut syncs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut gave_up = 0;
    for rep in 0..s.reps {
        eprintln!(" repetition {} (load {})", rep + 1, load_average());
        let r = race(&pool, w, k)?;
        progress(
            &format!("attempts per success, {w} threads"),
            r.attempts as f64 / r.successes.max(1) as f64,
            "",
        );
        progress("race wall time", r.wall.as_secs_f64() * 1e3, "ms");
        attempts.push(r.attempts as f64);
        successes.push(r.successes as f64);
        walls.push(r.wall.as_secs_f64());
        syncs.push(r.syncs as f64 / r.successes.max(1) as f64);
        gave_up += r.gave_up;
    }
    // The ratio of the medians is attempts per success: every repetition has the same number of
    // successes unless a writer gave up, which the note says.
    rows.push(Row {
        id: "P13",
        subject: format!(
            "attempts: {w} threads racing Exact(n) on one stream until each has {k} successes"
        ),
        baseline: "successes".into(),
        unit: "appends",
        subject_runs: attempts,
        baseline_runs: successes.clone(),
        target: Target::AtMost(20.0),
    });
    let wall = median(&walls);
    notes.push(format!(
        "P13: wall time {:.0} ms for {:.0} successes ({} successes/s), {:.2} journal sync \
         rounds per success{}",
        wall * 1e3,
        median(&successes),
        fmt_num(median(&successes) / wall.max(1e-9)),
        median(&syncs),
        if gave_up > 0 {
            format!(
                "; {gave_up} writer(s) gave up after {} attempts without their successes",
                RACE_ATTEMPT_CAP * k
            )
        } else {
            String::new()
        }
    ));
    Ok(())
}

/// A writer stops after this many attempts per success it needs (a store that never lets a
/// retry through must not hang the bench).
const RACE_ATTEMPT_CAP: u64 = 1_000;

/// `writers` threads, released together, racing on [`RACE_STREAM`] of a fresh store until each
/// has `k` successes.
fn race(pool: &Pool, writers: usize, k: u64) -> Res<Race> {
    let dir = temp()?;
    let store = Store::open(dir.path())?;
    let barrier = Barrier::new(writers + 1);
    let syncs_before = store.stats().syncs;
    let (results, wall) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..writers)
            .map(|t| {
                let (store, barrier) = (&store, &barrier);
                scope.spawn(move || -> Res<(u64, u64)> {
                    barrier.wait();
                    let (mut attempts, mut ok) = (0u64, 0u64);
                    let mut n = t as u64 * 7_919;
                    while ok < k && attempts < RACE_ATTEMPT_CAP * k {
                        let expected = match store.stream_revision(RACE_STREAM)? {
                            None => ExpectedRevision::NoStream,
                            Some(rev) => ExpectedRevision::Exact(rev),
                        };
                        let (_, event) = pool.event(n);
                        n += 1;
                        attempts += 1;
                        match store.append(RACE_STREAM, expected, vec![event]) {
                            Ok(_) => ok += 1,
                            Err(AppendError::WrongExpectedRevision { .. }) => {}
                            Err(e) => return Err(e.into()),
                        }
                    }
                    Ok((attempts, ok))
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a racing thread panicked".into()))
            })
            .collect();
        (results, start.elapsed())
    });
    let mut race = Race {
        attempts: 0,
        successes: 0,
        gave_up: 0,
        wall,
        syncs: store.stats().syncs - syncs_before,
    };
    for r in results {
        let (attempts, ok) = r?;
        race.attempts += attempts;
        race.successes += ok;
        if ok < k {
            race.gave_up += 1;
        }
    }
    let head = store.stream_revision(RACE_STREAM)?.map_or(0, |r| r + 1);
    if head != race.successes {
        return Err(format!(
            "the stream holds {head} events but the writers counted {} successes",
            race.successes
        )
        .into());
    }
    Ok(race)
}

// ---------------------------------------------------------------------------------------------
// P4, P5, P10: bulk import, replay, size on disk.

#[derive(Default)]
struct Sizes {
    open_size_on_disk: u64,
    apparent: u64,
    allocated: u64,
    /// Bytes in the store's active journal segment just before the import's final sync (an
    /// import's commits are not synced one by one, so the segment cannot be started anew or
    /// trimmed until then), and the journal folder's allocated bytes after close; zero for raw
    /// sled.
    journal_peak: u64,
    journal_closed: u64,
}

/// The bulk measurements, each run in a fresh process of this binary (see [`child_main`]).
#[derive(Clone, Copy, Debug)]
enum Bulk3 {
    RawRecords,
    Store,
    RawStoreKeys,
}

impl Bulk3 {
    fn name(self) -> &'static str {
        match self {
            Bulk3::RawRecords => "import-raw",
            Bulk3::Store => "import-store",
            Bulk3::RawStoreKeys => "import-keys",
        }
    }
}

fn bulk_group(s: &Settings, rows: &mut Vec<Row>, notes: &mut Vec<String>) -> Res<()> {
    let t = Instant::now();
    let bulk = Bulk::new(s.events, s.batch)?;
    eprintln!(
        "bulk: {} events over {} streams in batches of {} made in {:.1} s; \
         each import and the replay run in a fresh process",
        bulk.events,
        bulk.streams,
        s.batch,
        t.elapsed().as_secs_f64()
    );
    let (mut import, mut sled_import, mut sled_keys_import) = (Vec::new(), Vec::new(), Vec::new());
    let (mut store_sizes, mut sled_sizes, mut sled_keys_sizes) =
        (Vec::new(), Vec::new(), Vec::new());
    // Every folder stays until the group ends: removing a gigabyte-sized folder makes the file
    // system discard its blocks while the next measurement runs.
    let mut folders: Vec<TempDir> = Vec::new();
    let mut last: Option<(PathBuf, PathBuf)> = None;
    for rep in 0..s.reps {
        eprintln!(" repetition {} (load {})", rep + 1, load_average());
        let mut store_dir = None;
        let mut sled_dir = None;
        let mut order = [Bulk3::RawRecords, Bulk3::Store, Bulk3::RawStoreKeys];
        if rep % 2 == 1 {
            order.reverse();
        }
        for kind in order {
            let dir = temp()?;
            let (rate, size) = import_in_child(s, kind, dir.path())?;
            match kind {
                Bulk3::RawRecords => {
                    progress("raw sled batches + flush", rate, "events/s");
                    sled_import.push(rate);
                    sled_sizes.push(size);
                    sled_dir = Some(dir);
                }
                Bulk3::Store => {
                    progress("store bulk import", rate, "events/s");
                    import.push(rate);
                    store_sizes.push(size);
                    store_dir = Some(dir);
                }
                Bulk3::RawStoreKeys => {
                    progress(
                        "raw sled, the store's keys, batches + flush",
                        rate,
                        "events/s",
                    );
                    sled_keys_import.push(rate);
                    sled_keys_sizes.push(size);
                    folders.push(dir);
                }
            }
        }
        // The last repetition's databases are the ones replayed.
        if let (Some(a), Some(b)) = (store_dir, sled_dir) {
            last = Some((a.path().to_path_buf(), b.path().to_path_buf()));
            folders.push(a);
            folders.push(b);
        }
    }
    if s.wants("P4") {
        rows.push(Row {
            id: "P4",
            subject: format!(
                "bulk_import_flushed_at_end: append_multi of {} events, then finish",
                s.batch
            ),
            baseline: format!(
                "raw sled: Batch of {} inserts (u64 BE keys, the store's layout-4 record bytes), then one flush",
                s.batch
            ),
            unit: "events/s",
            subject_runs: import.clone(),
            baseline_runs: sled_import.clone(),
            target: Target::AtLeast(0.6),
        });
        // D4 stays: what the store's key layout costs raw sled, the floor P4 is held to with
        // this layout.
        rows.push(Row {
            id: "D4",
            subject: format!(
                "raw sled: the store's format-4 entries (record, revision chunk, id bucket, stream, commit), Batch of {} events, one flush",
                s.batch
            ),
            baseline: "raw sled: records only (P4 baseline)".into(),
            unit: "events/s",
            subject_runs: sled_keys_import.clone(),
            baseline_runs: sled_import,
            target: Target::Info,
        });
        // D5 stays: the store over its own layout in raw sled, i.e. the store's logic and its
        // journal writes.
        rows.push(Row {
            id: "D5",
            subject: "store bulk import (P4 subject)".into(),
            baseline: "raw sled: the store's entries (D4)".into(),
            unit: "events/s",
            subject_runs: import,
            baseline_runs: sled_keys_import,
            target: Target::Info,
        });
    }
    if s.wants("P5") {
        if let Some((store_dir, sled_dir)) = &last {
            let (store_runs, sled_runs) = replay_in_child(s, store_dir, sled_dir)?;
            rows.push(Row {
                id: "P5",
                subject: format!("Store::read_all forward, pages of {}", s.page),
                baseline: "raw sled iter + raw::decode_record_v4_bytes".into(),
                unit: "events/s",
                subject_runs: store_runs,
                baseline_runs: sled_runs,
                target: Target::AtLeast(0.8),
            });
        }
    }
    let logical = bulk.logical_bytes as f64;
    if s.wants("P10") {
        let allocated = |v: &[Sizes]| v.iter().map(|z| z.allocated as f64).collect::<Vec<_>>();
        rows.push(Row {
            id: "P10",
            subject: "store folder after close (allocated bytes)".into(),
            baseline: "logical event bytes".into(),
            unit: "bytes",
            subject_runs: allocated(&store_sizes),
            baseline_runs: vec![logical; store_sizes.len()],
            target: Target::AtMost(2.0),
        });
        // D6 and D7 stay: sled's own space for the records alone and for the store's layout,
        // the floors of P10.
        rows.push(Row {
            id: "D6",
            subject: "raw sled folder, records only (allocated bytes)".into(),
            baseline: "logical event bytes".into(),
            unit: "bytes",
            subject_runs: allocated(&sled_sizes),
            baseline_runs: vec![logical; sled_sizes.len()],
            target: Target::Info,
        });
        rows.push(Row {
            id: "D7",
            subject: "raw sled folder, the store's format-4 entries (allocated bytes)".into(),
            baseline: "logical event bytes".into(),
            unit: "bytes",
            subject_runs: allocated(&sled_keys_sizes),
            baseline_runs: vec![logical; sled_keys_sizes.len()],
            target: Target::Info,
        });
        let med = |f: fn(&Sizes) -> u64, v: &[Sizes]| {
            median(&v.iter().map(|z| f(z) as f64).collect::<Vec<_>>())
        };
        let n = bulk.events as f64;
        notes.push(format!(
            "P10 per event: logical {:.1} B (payload + stream id + event type + actor + reason), \
             layout-4 record as stored {:.1} B; store folder {:.1} B allocated (the journal \
             {:.1} B of it; {:.1} B apparent; sled size_on_disk while open {:.1} B); raw sled \
             records only {:.1} B; raw sled with the store's entries {:.1} B",
            logical / n,
            bulk.record_bytes as f64 / n,
            med(|z| z.allocated, &store_sizes) / n,
            med(|z| z.journal_closed, &store_sizes) / n,
            med(|z| z.apparent, &store_sizes) / n,
            med(|z| z.open_size_on_disk, &store_sizes) / n,
            med(|z| z.allocated, &sled_sizes) / n,
            med(|z| z.allocated, &sled_keys_sizes) / n,
        ));
    }
    if s.wants("P4") || s.wants("P10") {
        let journal: Vec<f64> = store_sizes.iter().map(|z| z.journal_peak as f64).collect();
        notes.push(format!(
            "bulk import: the journal's active segment held {} MB ({:.1} B per event) before the \
             final sync; it is trimmed only after that sync, once sled holds the commits",
            fmt_num(median(&journal) / 1e6),
            median(&journal) / bulk.events as f64,
        ));
    }
    drop(folders);
    Ok(())
}

// A bulk import leaves process-wide state behind in sled (its global lock mode, epoch-deferred
// frees of a dropped database's pages): in one process, the store's import ran 3-4x slower
// right after a raw import of the same size. So each import, and the replay, gets a fresh
// process of this binary, told what to do by environment variables.
const CHILD_VAR: &str = "REFORMLOG_BENCH_CHILD";
const DIR_VAR: &str = "REFORMLOG_BENCH_CHILD_DIR";
const SLED_DIR_VAR: &str = "REFORMLOG_BENCH_CHILD_SLED_DIR";

fn child_command(s: &Settings, role: &str) -> Res<std::process::Command> {
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.arg("--bench")
        .args(["--events", &s.events.to_string()])
        .args(["--reps", &s.reps.to_string()])
        .args(["--page", &s.page.to_string()])
        .env(CHILD_VAR, role)
        .env("REFORMLOG_BENCH_BATCH", s.batch.to_string())
        .stderr(std::process::Stdio::inherit());
    Ok(cmd)
}

/// Runs the child and returns the numbers on its one `RESULT` line.
fn child_result(mut cmd: std::process::Command) -> Res<Vec<f64>> {
    let out = cmd.output()?;
    if !out.status.success() {
        return Err(format!("benchmark child failed: {}", out.status).into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .ok_or("benchmark child printed no result")?;
    line.split_whitespace().map(parse::<f64>).collect()
}

fn import_in_child(s: &Settings, kind: Bulk3, dir: &Path) -> Res<(f64, Sizes)> {
    let mut cmd = child_command(s, kind.name())?;
    cmd.env(DIR_VAR, dir);
    match child_result(cmd)?[..] {
        [rate, open, apparent, allocated, journal_peak, journal_closed] => Ok((
            rate,
            Sizes {
                open_size_on_disk: open as u64,
                apparent: apparent as u64,
                allocated: allocated as u64,
                journal_peak: journal_peak as u64,
                journal_closed: journal_closed as u64,
            },
        )),
        _ => Err("malformed import result".into()),
    }
}

fn replay_in_child(s: &Settings, store_dir: &Path, sled_dir: &Path) -> Res<(Vec<f64>, Vec<f64>)> {
    let mut cmd = child_command(s, "replay")?;
    cmd.env(DIR_VAR, store_dir).env(SLED_DIR_VAR, sled_dir);
    let v = child_result(cmd)?;
    let (store, sled) = v.split_at(v.len() / 2);
    Ok((store.to_vec(), sled.to_vec()))
}

/// The child side: `Some(result)` when this process was started as a benchmark child.
fn child_main(s: &Settings) -> Option<Res<()>> {
    let role = std::env::var(CHILD_VAR).ok()?;
    Some((|| -> Res<()> {
        let dir = PathBuf::from(std::env::var_os(DIR_VAR).ok_or("no child folder")?);
        let batch = match std::env::var("REFORMLOG_BENCH_BATCH") {
            Ok(v) => parse(&v)?,
            Err(_) => s.batch,
        };
        let numbers: Vec<f64> = if role == "replay" {
            let sled_dir = PathBuf::from(std::env::var_os(SLED_DIR_VAR).ok_or("no sled folder")?);
            let (store, sled) = replay(s, &dir, &sled_dir)?;
            store.into_iter().chain(sled).collect()
        } else {
            let bulk = Bulk::new(s.events, batch)?;
            let (rate, z) = match role.as_str() {
                "import-raw" => raw_sled_import(&bulk, batch, &dir)?,
                "import-store" => store_import(&bulk, &dir)?,
                "import-keys" => raw_sled_store_keys_import(&bulk, &dir)?,
                other => return Err(format!("unknown child role {other}").into()),
            };
            vec![
                rate,
                z.open_size_on_disk as f64,
                z.apparent as f64,
                z.allocated as f64,
                z.journal_peak as f64,
                z.journal_closed as f64,
            ]
        };
        let text: Vec<String> = numbers.iter().map(|n| format!("{n}")).collect();
        println!("RESULT {}", text.join(" "));
        Ok(())
    })())
}

fn raw_sled_import(bulk: &Bulk, batch: usize, dir: &Path) -> Res<(f64, Sizes)> {
    let db = sled_config(dir).open()?;
    let start = Instant::now();
    let mut position = 1u64;
    for chunk in bulk.records.chunks(batch.max(1)) {
        let mut b = sled::Batch::default();
        for record in chunk {
            b.insert(&position.to_be_bytes(), record.as_slice());
            position += 1;
        }
        db.apply_batch(b)?;
    }
    db.flush()?;
    let rate = bulk.events as f64 / start.elapsed().as_secs_f64();
    Ok((rate, close_and_measure(dir, db)?))
}

/// Diagnostic: every entry the store writes, one sled batch per `append_multi` batch (one
/// commit), no logic.
fn raw_sled_store_keys_import(bulk: &Bulk, dir: &Path) -> Res<(f64, Sizes)> {
    let db = sled_config(dir).open()?;
    let tree = db.open_tree(STORE_TREE)?;
    let mut keys = StoreKeys::default();
    let mut records = bulk.records.iter();
    let start = Instant::now();
    for appends in &bulk.batches {
        let mut b = sled::Batch::default();
        let mut events = Vec::new();
        for a in appends {
            for e in &a.events {
                let record = records.next().ok_or("fewer records than events")?;
                events.push((a.stream.as_str(), &e.id, record.as_slice()));
            }
        }
        // The store's commit takes the metadata of its first event.
        let metadata = appends
            .first()
            .and_then(|a| a.events.first())
            .map(|e| e.metadata.clone())
            .unwrap_or_default();
        keys.add_commit(&mut b, &metadata, events);
        tree.apply_batch(b)?;
    }
    db.flush()?;
    let rate = bulk.events as f64 / start.elapsed().as_secs_f64();
    drop(tree);
    Ok((rate, close_and_measure(dir, db)?))
}

fn close_and_measure(path: &Path, db: sled::Db) -> Res<Sizes> {
    let open_size_on_disk = db.size_on_disk()?;
    drop(db);
    let (apparent, allocated) = dir_size(path)?;
    Ok(Sizes {
        open_size_on_disk,
        apparent,
        allocated,
        ..Sizes::default()
    })
}

fn store_import(bulk: &Bulk, dir: &Path) -> Res<(f64, Sizes)> {
    let store = Store::open(dir)?;
    let start = Instant::now();
    let mut import = store.bulk_import_flushed_at_end();
    for batch in &bulk.batches {
        import.append_multi(batch)?;
    }
    let journal_peak = store.stats().journal_bytes;
    let n = import.finish()?;
    let rate = bulk.events as f64 / start.elapsed().as_secs_f64();
    if n != bulk.events {
        return Err(format!("imported {n} events, expected {}", bulk.events).into());
    }
    let open_size_on_disk = store.size_on_disk()?;
    drop(store);
    let (apparent, allocated) = dir_size(dir)?;
    Ok((
        rate,
        Sizes {
            open_size_on_disk,
            apparent,
            allocated,
            journal_peak,
            journal_closed: dir_size(&dir.join("journal"))?.1,
        },
    ))
}

/// Replays both databases `reps` times, interleaved; returns (store rates, sled rates).
fn replay(s: &Settings, store_dir: &Path, sled_dir: &Path) -> Res<(Vec<f64>, Vec<f64>)> {
    eprintln!("replay: opening both databases");
    let store = Store::open(store_dir)?;
    let db = sled_config(sled_dir).open()?;
    let filter = EventFilter::all();
    let mut store_runs = Vec::new();
    let mut sled_runs = Vec::new();
    // One untimed pass each, so both start from a warm OS page cache.
    let expected = replay_sled(&db)?;
    replay_store(&store, s.page, &filter)?;
    for rep in 0..s.reps {
        eprintln!(" repetition {}", rep + 1);
        for i in 0..2 {
            let sled_turn = (i + rep) % 2 == 0;
            let start = Instant::now();
            let n = if sled_turn {
                replay_sled(&db)?
            } else {
                replay_store(&store, s.page, &filter)?
            };
            let rate = n as f64 / start.elapsed().as_secs_f64();
            if n != expected || n != s.events {
                return Err(format!("replayed {n} events, expected {}", s.events).into());
            }
            if sled_turn {
                progress("raw sled scan + decode", rate, "events/s");
                sled_runs.push(rate);
            } else {
                progress("Store::read_all pages", rate, "events/s");
                store_runs.push(rate);
            }
        }
    }
    Ok((store_runs, sled_runs))
}

fn replay_sled(db: &sled::Db) -> Res<u64> {
    let mut n = 0u64;
    for item in db.iter() {
        let (_, value) = item?;
        // The store's decoding of the stored record, without the commit lookup that
        // completes it in a read.
        let record = reformlog_store::raw::decode_record_v4_bytes(&value)?;
        black_box(&record);
        n += 1;
    }
    Ok(n)
}

fn replay_store(store: &Store, page: usize, filter: &EventFilter) -> Res<u64> {
    let mut n = 0u64;
    let mut from = Some(1);
    while let Some(position) = from {
        let page = store.read_all(Some(position), Direction::Forward, page, filter)?;
        n += page.events.len() as u64;
        black_box(&page.events);
        from = page.next;
    }
    Ok(n)
}
