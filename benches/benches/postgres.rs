//! P15: durable appends to the log on PostgreSQL against plain insert-and-commit transactions of
//! the same bytes on the same database, at several writer counts, with what the sessions wait on.
//!
//! `REFORMLOG_POSTGRES_URL=postgresql://... cargo bench -p reformlog-benches --bench postgres`
//! runs it; without that variable it says so and exits successfully. Everything lives in a fresh
//! schema of that database, dropped at the end. Knobs, from the environment or after `--`
//! (arguments win):
//!
//! | variable | argument | default | meaning |
//! | --- | --- | --- | --- |
//! | `REFORMLOG_BENCH_SECS` | `--secs S` | 3 | seconds per measurement |
//! | `REFORMLOG_BENCH_REPS` | `--reps R` | 3 | repetitions; odd ones run the subjects in reverse order |
//! | `REFORMLOG_BENCH_WRITERS` | `--writers 1,16,64` | 1,16,64 | writer counts; P15 is the largest |
//! | `REFORMLOG_BENCH_ONLY` | `--only log,batched,plain` | all | subjects: `log`, `batched`, `plain`, `locked`, `async`, `advisory` |
//!
//! Without `--bench` (as under `cargo test --benches`) it makes one tiny pass.

use std::error::Error;

use reformlog_benches::{fmt_num, render, Row, Target};

#[path = "postgres/subjects.rs"]
mod subjects;
// The store bench's writer threads; `run_threads` is its alone.
#[allow(dead_code)]
#[path = "store/threads.rs"]
mod threads;
#[path = "postgres/waits.rs"]
mod waits;

use subjects::{BenchDb, Subject};

type BoxError = Box<dyn Error + Send + Sync>;
type Res<T> = Result<T, BoxError>;

#[derive(Debug)]
struct Settings {
    secs: f64,
    reps: usize,
    writers: Vec<usize>,
    only: Vec<String>,
    full: bool,
}

impl Settings {
    fn load() -> Res<Self> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let full = args.iter().any(|a| a == "--bench");
        let mut s = Settings {
            secs: if full { 3.0 } else { 0.2 },
            reps: if full { 3 } else { 1 },
            writers: if full { vec![1, 16, 64] } else { vec![1, 4] },
            only: Vec::new(),
            full,
        };
        let env = |name: &str| std::env::var(name).ok();
        if let Some(v) = env("REFORMLOG_BENCH_SECS") {
            s.secs = parse(&v)?;
        }
        if let Some(v) = env("REFORMLOG_BENCH_REPS") {
            s.reps = parse(&v)?;
        }
        if let Some(v) = env("REFORMLOG_BENCH_WRITERS") {
            s.writers = split_list(&v)
                .iter()
                .map(|w| parse(w))
                .collect::<Res<_>>()?;
        }
        if let Some(v) = env("REFORMLOG_BENCH_ONLY") {
            s.only = split_list(&v);
        }
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
            match a.as_str() {
                "--secs" => s.secs = parse(value()?)?,
                "--reps" => s.reps = parse(value()?)?,
                "--writers" => {
                    s.writers = split_list(value()?)
                        .iter()
                        .map(|w| parse(w))
                        .collect::<Res<_>>()?;
                }
                "--only" => s.only = split_list(value()?),
                // cargo passes --bench and possibly a name filter; neither concerns this binary.
                _ => {}
            }
        }
        s.reps = s.reps.max(1);
        s.writers.retain(|w| *w > 0);
        s.writers.sort_unstable();
        s.writers.dedup();
        if s.writers.is_empty() {
            s.writers.push(1);
        }
        Ok(s)
    }

    fn wants(&self, subject: Subject) -> bool {
        self.only.is_empty()
            || self
                .only
                .iter()
                .any(|o| o.eq_ignore_ascii_case(subject.key()))
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

fn main() -> Res<()> {
    let s = Settings::load()?;
    let Ok(url) = std::env::var("REFORMLOG_POSTGRES_URL") else {
        println!(
            "postgres bench skipped: REFORMLOG_POSTGRES_URL is not set; set it to a PostgreSQL \
             database (fsync on, as a durable benchmark needs) to measure P15"
        );
        return Ok(());
    };
    let db = BenchDb::create(&url)?;
    let result = run(&s, &db);
    db.drop_schema();
    result
}

fn run(s: &Settings, db: &BenchDb) -> Res<()> {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!(
        "reformlog PostgreSQL benchmark ({} pass): {}; secs={} reps={} writers={:?} cores={cores} load={}",
        if s.full { "full" } else { "smoke" },
        db.describe()?,
        s.secs,
        s.reps,
        s.writers,
        load_average(),
    );
    let subjects: Vec<Subject> = Subject::ALL
        .iter()
        .copied()
        .filter(|k| s.wants(*k))
        .collect();
    let d = std::time::Duration::from_secs_f64(s.secs.max(0.01));
    // rates[writer index][subject index] over the repetitions.
    let mut rates = vec![vec![Vec::new(); subjects.len()]; s.writers.len()];
    let mut waits = vec![vec![waits::Tally::default(); subjects.len()]; s.writers.len()];
    for rep in 0..s.reps {
        eprintln!(" repetition {} (load {})", rep + 1, load_average());
        for (wi, &w) in s.writers.iter().enumerate() {
            let mut order: Vec<usize> = (0..subjects.len()).collect();
            // Odd repetitions run backwards so neither side always goes first.
            if rep % 2 == 1 {
                order.reverse();
            }
            for si in order {
                let (rate, tally) = subjects[si].measure(db, w, d)?;
                eprintln!(
                    "  {}, {w} writers: {} commits/s",
                    subjects[si].describe(),
                    fmt_num(rate)
                );
                rates[wi][si].push(rate);
                waits[wi][si].merge(&tally);
            }
        }
    }
    println!("\nfinished at load {}\n", load_average());
    let rows = rows(s, &subjects, &rates);
    print!("{}", render(&rows));
    println!("\nWhat the writers' sessions were doing (pg_stat_activity, sampled):");
    for (wi, &w) in s.writers.iter().enumerate() {
        for (si, subject) in subjects.iter().enumerate() {
            println!("  {w:>3} x {}: {}", subject.key(), waits[wi][si].summary());
        }
    }
    Ok(())
}

/// P15 at the largest writer count, the same ratio at the others, and the diagnostic
/// subjects against the same baseline.
fn rows(s: &Settings, subjects: &[Subject], rates: &[Vec<Vec<f64>>]) -> Vec<Row> {
    let Some(plain) = subjects.iter().position(|k| *k == Subject::Plain) else {
        return Vec::new();
    };
    let most = s.writers.len() - 1;
    let mut rows = Vec::new();
    for (wi, &w) in s.writers.iter().enumerate() {
        for (si, subject) in subjects.iter().enumerate() {
            if si == plain {
                continue;
            }
            // P15 is the log as a daemon appends to it: through its one group-committing
            // writer. The append on a connection of its own is the figure before it.
            let (id, target) = match subject {
                Subject::Batched if wi == most => ("P15".to_string(), Target::AtLeast(0.5)),
                Subject::Batched => (format!("P15 w{w}"), Target::Info),
                Subject::Log => (format!("P15 single w{w}"), Target::Info),
                Subject::Locked => (format!("D1 w{w}"), Target::Info),
                Subject::Async => (format!("D2 w{w}"), Target::Info),
                _ => (format!("D3 w{w}"), Target::Info),
            };
            rows.push(Row {
                id: Box::leak(id.into_boxed_str()),
                subject: format!("{}, {w} writers", subject.describe()),
                baseline: format!("{}, {w} writers", Subject::Plain.describe()),
                unit: "commits/s",
                subject_runs: rates[wi][si].clone(),
                baseline_runs: rates[wi][plain].clone(),
                target,
            });
        }
    }
    rows
}

/// The 1-minute load average, for the report's header.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}
