//! P1–P3: durable appends, the store against a file, SQLite and raw sled, one writer and many.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::sled_keys::{StoreKeys, STORE_TREE};
use super::threads::{run_threads, run_threads_with_setup};
use super::{progress, sled_config, temp, Res, Settings, POOL, SLICE, WARMUP};
use reformlog_benches::{median, Pool, Row, Target};
use reformlog_store::{ExpectedRevision, Store};

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
    pub(crate) syncs: f64,
    /// Journal bytes per append, when the journal stayed in one segment meanwhile.
    pub(crate) journal_bytes: Option<f64>,
}

pub(crate) fn durable_group(s: &Settings, rows: &mut Vec<Row>, notes: &mut Vec<String>) -> Res<()> {
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
        rows.push(rates(
            "P1",
            "Store::append, 1 event, 1 thread",
            "plain file: write_all + sync_data of the layout-4 record bytes",
            one.clone(),
            file.clone(),
            Target::AtLeast(0.85),
        ));
    }
    if s.wants("P2") {
        rows.push(rates(
            "P2",
            format!("Store::append, {w} threads"),
            "Store::append, 1 thread",
            many.clone(),
            one.clone(),
            Target::AtLeast(15.0),
        ));
    }
    if s.wants("P3") {
        rows.push(rates("P3", format!("Store::append, {w} threads"), format!(
                "SQLite WAL, synchronous=FULL, {w} connections, 1 txn/event (stream id + layout-4 record)"
            ), many, sqlite, Target::AtLeast(5.0)));
    }
    if s.wants("P1") {
        // D1 stays because the store still installs each commit in sled (in memory) before it
        // acknowledges it: its rate says what that install costs beside the baseline's I/O.
        rows.push(rates("D1", "raw sled: the store's entries for 1 event in 1 apply_batch, no flush (flush + fdatasync once per slice), 1 thread", "plain file: write_all + sync_data", sled_apply, file.clone(), Target::Info));
        // D2 and D3 stay as the floor format 3 could not pass (sled's flush and fdatasync on
        // the acknowledgement path); the journal is meant to take the store past it, so D3
        // says how far it did.
        rows.push(rates(
            "D2",
            "raw sled: apply_batch + flush + fdatasync per event (format 3's ack path), 1 thread",
            "plain file: write_all + sync_data",
            sled_sync.clone(),
            file,
            Target::Info,
        ));
        rows.push(rates(
            "D3",
            "Store::append, 1 thread",
            "raw sled: apply_batch + flush + fdatasync (D2)",
            one,
            sled_sync,
            Target::Info,
        ));
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

/// A row comparing two rates in events per second.
fn rates(
    id: &'static str,
    subject: impl Into<String>,
    baseline: impl Into<String>,
    subject_runs: Vec<f64>,
    baseline_runs: Vec<f64>,
    target: Target,
) -> Row {
    Row {
        id,
        subject: subject.into(),
        baseline: baseline.into(),
        unit: "events/s",
        subject_runs,
        baseline_runs,
        target,
    }
}

/// The 1-, 5- and 15-minute load averages, to show how busy the shared machine was.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// One event's worth of work for a single-threaded subject; called with a running count.
pub(crate) type Step<'a> = Box<dyn FnMut(u64) -> Res<()> + 'a>;
/// Work a subject has left for the background at the end of its slice, done (and timed) before
/// the next subject's slice starts, so that none of it lands in another subject's time.
pub(crate) type Drain<'a> = Box<dyn FnMut() -> Res<()> + 'a>;

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
pub(crate) fn sled_step<'a>(
    pool: &'a Pool,
    dir: &Path,
    sync: bool,
) -> Res<(Step<'a>, Option<Drain<'a>>)> {
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
