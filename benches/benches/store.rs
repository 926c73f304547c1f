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
// clippy configuration keeps out of every crate but the store; measuring it is this bench's job.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::error::Error;
use std::path::Path;
use std::time::Duration;

use reformlog_benches::{fmt_num, render};
use tempfile::TempDir;
#[path = "store/bulk.rs"]
mod bulk;
#[path = "store/child.rs"]
mod child;
#[path = "store/durable.rs"]
mod durable;
#[path = "store/race.rs"]
mod race;
#[path = "store/sled_keys.rs"]
mod sled_keys;
#[path = "store/threads.rs"]
mod threads;

use bulk::bulk_group;
use child::child_main;
use durable::{durable_group, load_average};
use race::race_group;

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
