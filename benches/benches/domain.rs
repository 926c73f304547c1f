//! The domain benchmarks P6 (composition latency as the log grows) and P7 (read-model
//! rebuild against plain replay), each a ratio against a baseline measured in the same run.
//!
//! `cargo bench -p reformlog-benches --bench domain` builds a log of plausible domain events
//! (units, people, posts, committees with yearly turnover, reform tasks with progress) with
//! the store's bulk import, then measures:
//!
//! - P6: p50/p99 of `Query::Composition` of one committee (24 seats and a 27-seat sub-body,
//!   like Decision 34) on a random date, in a small log and in the big one; target p99
//!   ≤ 1 ms and big-log p99 ÷ small-log p99 ≤ 1.5.
//! - P7: `Reformlog::rebuild` time ÷ a plain replay of the same log (`read_all` and
//!   `decode_event` of every event); target ≤ 2.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `REFORMLOG_BENCH_DOMAIN_EVENTS` | 1000000 | events in the big log |
//! | `REFORMLOG_BENCH_DOMAIN_SMALL` | 10000 | events in the small log |
//! | `REFORMLOG_BENCH_DOMAIN_QUERIES` | 2000 | timed queries per log |
//! | `REFORMLOG_BENCH_QUICK` | off | `1` for a quick run (100000 / 10000 events, 500 queries) |
//!
//! Without `--bench` (as under `cargo test --benches`) it makes one tiny pass.

use std::hint::black_box;
use std::time::{Duration, Instant};

use reformlog::{decode_event, Answer, CommitteeId, Query, Reformlog};
use reformlog_benches::domain_log::{date, generate, Res, Rng, FIRST_YEAR, YEARS};
use reformlog_store::{Direction, EventFilter};

/// `StoreConfig`'s default page cache.
const CACHE_BYTES: u64 = 32 * 1024 * 1024;
struct Settings {
    big: u64,
    small: u64,
    queries: usize,
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

impl Settings {
    fn load() -> Self {
        let full = std::env::args().any(|a| a == "--bench");
        let quick = std::env::var("REFORMLOG_BENCH_QUICK").is_ok_and(|v| v == "1");
        let (big, small, queries) = match (full, quick) {
            (false, _) => (4_000, 2_000, 50),
            (true, true) => (100_000, 10_000, 500),
            (true, false) => (1_000_000, 10_000, 2_000),
        };
        Self {
            big: env_u64("REFORMLOG_BENCH_DOMAIN_EVENTS").unwrap_or(big),
            small: env_u64("REFORMLOG_BENCH_DOMAIN_SMALL").unwrap_or(small),
            queries: env_u64("REFORMLOG_BENCH_DOMAIN_QUERIES").map_or(queries, |q| q as usize),
        }
    }
}

/// A store holding a generated log of about `events` events, read models caught up.
fn build(events: u64) -> Res<(tempfile::TempDir, Reformlog, CommitteeId, Duration)> {
    let dir = tempfile::tempdir()?;
    let log =
        Reformlog::open_with(reformlog::Options::new(dir.path()).cache_capacity(CACHE_BYTES))?;
    let (appends, committees) = generate(events)?;
    let main = committees[0];
    {
        let mut bulk = log.store().bulk_import_flushed_at_end();
        for a in appends {
            bulk.append_multi(&[a])?;
        }
        bulk.finish()?;
    }
    let started = Instant::now();
    log.catch_up()?;
    Ok((dir, log, main, started.elapsed()))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// p50 and p99 of the composition of `committee` on random dates.
fn p6(log: &Reformlog, committee: CommitteeId, queries: usize) -> Res<(Duration, Duration, usize)> {
    let mut rng = Rng(42);
    let random_query = |rng: &mut Rng| Query::Composition {
        committee,
        on: date(
            FIRST_YEAR + rng.below(YEARS as u64) as i32,
            rng.below(365) as u32,
        ),
    };
    let mut holders = 0;
    for _ in 0..queries / 4 + 10 {
        black_box(log.query(&random_query(&mut rng), None)?);
    }
    let mut times = Vec::with_capacity(queries);
    for _ in 0..queries {
        let q = random_query(&mut rng);
        let t = Instant::now();
        let answer = log.query(&q, None)?;
        times.push(t.elapsed());
        if let Answer::Composition(c) = black_box(answer) {
            holders = holders.max(c.holder_count());
        }
    }
    times.sort();
    Ok((percentile(&times, 0.5), percentile(&times, 0.99), holders))
}

/// `read_all` of the whole log and `decode_event` of every event: the replay baseline.
fn replay(log: &Reformlog) -> Res<(Duration, u64)> {
    let t = Instant::now();
    let mut from = Some(1);
    let mut n = 0u64;
    while let Some(start) = from {
        let page =
            log.store()
                .read_all(Some(start), Direction::Forward, 20_000, &EventFilter::all())?;
        for e in &page.events {
            black_box(decode_event(e)?);
            n += 1;
        }
        from = page.next;
    }
    Ok((t.elapsed(), n))
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() -> Res<()> {
    let s = Settings::load();
    println!(
        "domain benchmarks: big log {} events, small log {} events, {} queries",
        s.big, s.small, s.queries
    );

    let (_small_dir, small, small_main, _) = build(s.small)?;
    let (s50, s99, holders) = p6(&small, small_main, s.queries)?;
    println!(
        "P6 small log ({} events): composition ({holders} holders) p50 {}, p99 {}",
        small.store().head_position(),
        ms(s50),
        ms(s99)
    );
    drop(small);

    let t = Instant::now();
    let (_big_dir, big, big_main, projected) = build(s.big)?;
    let events = big.store().head_position();
    println!(
        "built the big log: {events} events in {:.1} s (projection {:.1} s)",
        t.elapsed().as_secs_f64(),
        projected.as_secs_f64()
    );
    let (b50, b99, holders) = p6(&big, big_main, s.queries)?;
    let ratio = b99.as_secs_f64() / s99.as_secs_f64().max(1e-9);
    println!(
        "P6 big log ({events} events): composition ({holders} holders) p50 {}, p99 {}",
        ms(b50),
        ms(b99)
    );
    println!(
        "P6 p99 big ÷ small = {ratio:.2} (target ≤ 1.5); p99 {} (target ≤ 1 ms): {}",
        ms(b99),
        if ratio <= 1.5 && b99 <= Duration::from_millis(1) {
            "met"
        } else {
            "MISSED"
        }
    );

    let (replay1, n) = replay(&big)?;
    let t = Instant::now();
    big.rebuild()?;
    let rebuild = t.elapsed();
    let (replay2, _) = replay(&big)?;
    let replay = replay1.min(replay2);
    let ratio = rebuild.as_secs_f64() / replay.as_secs_f64().max(1e-9);
    println!(
        "P7 rebuild {:.2} s ÷ replay {:.2} s ({n} events) = {ratio:.2} (target ≤ 2): {}",
        rebuild.as_secs_f64(),
        replay.as_secs_f64(),
        if ratio <= 2.0 { "met" } else { "MISSED" }
    );
    let (c50, c99, _) = p6(&big, big_main, s.queries)?;
    println!("P6 big log after rebuild: p50 {}, p99 {}", ms(c50), ms(c99));
    Ok(())
}
