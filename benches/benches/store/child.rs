//! Each bulk import and the replay in a fresh process of this binary, and what those
//! processes run: the imports, the replays, the sizes they leave.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::sled_keys::{StoreKeys, STORE_TREE};
use super::{parse, progress, sled_config, Res, Settings};
use reformlog_benches::{dir_size, Bulk};
use reformlog_store::{Direction, EventFilter, Store};

#[derive(Default)]
pub(crate) struct Sizes {
    pub(crate) open_size_on_disk: u64,
    pub(crate) apparent: u64,
    pub(crate) allocated: u64,
    /// Bytes in the store's active journal segment just before the import's final sync (an
    /// import's commits are not synced one by one, so the segment cannot be started anew or
    /// trimmed until then), and the journal folder's allocated bytes after close; zero for raw
    /// sled.
    pub(crate) journal_peak: u64,
    pub(crate) journal_closed: u64,
}

/// The bulk measurements, each run in a fresh process of this binary (see [`child_main`]).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Bulk3 {
    RawRecords,
    Store,
    RawStoreKeys,
}

impl Bulk3 {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Bulk3::RawRecords => "import-raw",
            Bulk3::Store => "import-store",
            Bulk3::RawStoreKeys => "import-keys",
        }
    }
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

pub(crate) fn import_in_child(s: &Settings, kind: Bulk3, dir: &Path) -> Res<(f64, Sizes)> {
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

pub(crate) fn replay_in_child(
    s: &Settings,
    store_dir: &Path,
    sled_dir: &Path,
) -> Res<(Vec<f64>, Vec<f64>)> {
    let mut cmd = child_command(s, "replay")?;
    cmd.env(DIR_VAR, store_dir).env(SLED_DIR_VAR, sled_dir);
    let v = child_result(cmd)?;
    let (store, sled) = v.split_at(v.len() / 2);
    Ok((store.to_vec(), sled.to_vec()))
}

/// The child side: `Some(result)` when this process was started as a benchmark child.
pub(crate) fn child_main(s: &Settings) -> Option<Res<()>> {
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
pub(crate) fn replay(s: &Settings, store_dir: &Path, sled_dir: &Path) -> Res<(Vec<f64>, Vec<f64>)> {
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
