//! The daemon benchmarks P8 (composition requests/s against a trivial route of the same server,
//! and durable writes/s, under 64 connections) and P9 (the daemon's resident memory with a
//! million events), measured on a real reformd process over loopback HTTP.
//!
//! `cargo bench -p reformlog-benches --bench daemon` builds a data folder holding a log of
//! plausible domain events (the generator of the `domain` bench, bulk-imported) plus tokens,
//! starts the daemon on it as a child process (`--demo --bind 127.0.0.1:0`), and measures:
//!
//! - P9: VmRSS (from `/proc/<pid>/status`) right after the daemon starts listening, once
//!   `/readyz` answers, and after a few hundred composition and list queries; target ≤ 150 MiB
//!   after the queries.
//! - P8: requests/s of `GET /v1/committees/bcd-cchc-bo-tttt/composition?on=2022-02-01` ÷
//!   requests/s of `GET /healthz`, each driven for the same time by the same keep-alive
//!   connections; target ≥ 0.5, and composition p99 ≤ 10 ms. A repeated question is served
//!   from the daemon's answer cache, so the same composition on a different date per request
//!   is measured too (no cache hits). Then `POST /v1/commands`
//!   registering fresh people (each acknowledged only once durable) from as many writers.
//!
//! The child is this bench binary re-executed with `REFORMLOG_BENCH_DAEMON_SERVE=1`, which runs
//! exactly what the `reformd` binary's `main` runs (`reformd::run_cli`), so the bench needs no
//! separate build; `REFORMD_BIN=target/release/reformd` measures a prebuilt binary instead
//! (`cargo build --release -p reformd` first).
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `REFORMLOG_BENCH_DAEMON_EVENTS` | 1000000 | generated events in the log |
//! | `REFORMLOG_BENCH_DAEMON_SECS` | 10 | seconds of load per P8 phase |
//! | `REFORMLOG_BENCH_DAEMON_CONNECTIONS` | 64 | concurrent keep-alive connections |
//! | `REFORMLOG_BENCH_DAEMON_QUERIES` | 300 | P9 composition queries (and a third as many lists) |
//! | `REFORMLOG_BENCH_QUICK` | off | `1` for a quick run (100000 events, 3 s phases) |
//! | `REFORMD_BIN` | unset | a reformd binary to start instead of this bench re-executed |
//!
//! Without `--bench` (as under `cargo test --benches`) it makes one tiny pass.

#![allow(clippy::unwrap_used)]

use std::error::Error;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use reformd::Role as TokenRole;
use reformlog_benches::env_u64;
#[path = "daemon/data.rs"]
mod data;
#[path = "daemon/load.rs"]
mod load;
#[path = "daemon/measure.rs"]
mod measure;
#[path = "daemon/process.rs"]
mod process;
#[path = "daemon/report.rs"]
mod report;

use data::build_data;
use measure::measure;
use process::{clock_ticks, Daemon};
use report::{describe, mib, ms, verdict};

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// Set in the child's environment: the process serves instead of benchmarking.
const SERVE_ENV: &str = "REFORMLOG_BENCH_DAEMON_SERVE";
/// The seed case's committee and a date on which it sits (Decision 34).
const COMMITTEE: &str = "bcd-cchc-bo-tttt";
const ON: &str = "2022-02-01";
/// The daemon's default page cache, so the data folder is built the way the daemon reads it.
const CACHE_BYTES: u64 = 32 * 1024 * 1024;
/// Hard bound on the requests of one load phase, whatever its duration.
const MAX_REQUESTS: u64 = 20_000_000;
const MIB: f64 = 1024.0 * 1024.0;

// ---------------------------------------------------------------------------------------------
// Settings

struct Settings {
    events: u64,
    load: Duration,
    warmup: Duration,
    connections: usize,
    queries: usize,
}

impl Settings {
    fn load() -> Self {
        let full = std::env::args().any(|a| a == "--bench");
        let quick = std::env::var("REFORMLOG_BENCH_QUICK").is_ok_and(|v| v == "1");
        let (events, load_ms, connections, queries) = match (full, quick) {
            (false, _) => (5_000, 500, 8, 20),
            (true, true) => (100_000, 3_000, 64, 300),
            (true, false) => (1_000_000, 10_000, 64, 300),
        };
        let load = env_u64("REFORMLOG_BENCH_DAEMON_SECS")
            .map_or(Duration::from_millis(load_ms), Duration::from_secs);
        Self {
            events: env_u64("REFORMLOG_BENCH_DAEMON_EVENTS").unwrap_or(events),
            load,
            // Enough to open every connection and warm the caches, short against the phases.
            warmup: (load / 3).min(Duration::from_secs(1)),
            connections: env_u64("REFORMLOG_BENCH_DAEMON_CONNECTIONS")
                .map_or(connections, |c| c.clamp(1, 1024) as usize),
            queries: env_u64("REFORMLOG_BENCH_DAEMON_QUERIES")
                .map_or(queries, |q| q.max(1) as usize),
        }
    }
}

fn main() -> Res<()> {
    if std::env::var_os(SERVE_ENV).is_some() {
        // The child: exactly what the reformd binary's main does.
        return reformd::run_cli(<reformd::Cli as clap::Parser>::parse());
    }
    let s = Settings::load();
    let (exe, reexec) = match std::env::var_os("REFORMD_BIN") {
        Some(bin) => (PathBuf::from(bin), false),
        None => (std::env::current_exe()?, true),
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "daemon benchmarks: {} generated events, {} connections, {:.1} s per load phase, {} cores shared by the daemon and the load generator",
        s.events,
        s.connections,
        s.load.as_secs_f64(),
        cores
    );
    println!(
        "daemon process: {}",
        if reexec {
            "this bench re-executed as reformd (reformd::run_cli)".to_string()
        } else {
            exe.display().to_string()
        }
    );

    let dir = tempfile::tempdir()?;
    let t = Instant::now();
    let ticks = clock_ticks();
    let (committees, head, cost) = build_data(dir.path(), s.events, ticks)?;
    println!(
        "built the data folder: {head} events, {} committees, in {:.1} s",
        committees.len(),
        t.elapsed().as_secs_f64()
    );
    let us = |d: Duration| format!("{:.0} µs", d.as_secs_f64() * 1e6);
    println!(
        "in-library P8 composition (no HTTP; p50 wall / mean CPU): query {} / {}; query + JSON as the route does it (to Value, then bytes) {} / {}; query + JSON straight to bytes {} / {}; {} JSON bytes",
        us(cost.query.0),
        us(cost.query.1),
        us(cost.as_routed.0),
        us(cost.as_routed.1),
        us(cost.direct.0),
        us(cost.direct.1),
        cost.json_bytes
    );
    let reader = reformd::create_token(dir.path(), "bench-reader", TokenRole::Viewer)?;
    let writer = reformd::create_token(dir.path(), "bench-writer", TokenRole::Editor)?;

    let t = Instant::now();
    let daemon = Daemon::start(&exe, reexec, dir.path())?;
    let listening = t.elapsed();
    let at_start = daemon.memory()?;
    println!(
        "daemon pid {} listening on {} after {:.2} s (open + demo load); VmRSS {}",
        daemon.pid(),
        daemon.base,
        listening.as_secs_f64(),
        mib(at_start.rss)
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores.min(2))
        .enable_all()
        .build()?;
    let measured = runtime.block_on(measure(
        &s,
        &daemon,
        &committees,
        &reader,
        &writer,
        t,
        ticks,
    ));
    let m = match measured {
        Ok(m) => m,
        Err(e) => {
            drop(daemon);
            return Err(e);
        }
    };

    println!("P8 load ({} connections each):", s.connections);
    describe("GET /healthz", &m.trivial, s.connections);
    describe(
        &format!("GET /v1/committees/{COMMITTEE}/composition?on={ON}"),
        &m.reads,
        s.connections,
    );
    describe(
        &format!("GET /v1/committees/{COMMITTEE}/composition, a different date per request"),
        &m.cold_reads,
        s.connections,
    );
    describe(
        "POST /v1/commands (register a person, durable)",
        &m.writes,
        s.connections,
    );
    let ratio = m.reads.rate() / m.trivial.rate().max(1e-9);
    let p99 = m.reads.p(0.99);
    let clean = m.trivial.errors + m.reads.errors + m.writes.errors == 0;
    println!(
        "P8 composition {:.0} req/s ÷ healthz {:.0} req/s = {ratio:.2} (target ≥ 0.5): {}",
        m.reads.rate(),
        m.trivial.rate(),
        verdict(ratio >= 0.5 && clean)
    );
    println!(
        "P8 composition p50 {}, p99 {} (target p99 ≤ 10 ms): {}",
        ms(m.reads.p(0.5)),
        ms(p99),
        verdict(p99 <= Duration::from_millis(10) && clean)
    );
    println!(
        "P8 without repeated questions (no answer-cache hits): composition {:.0} req/s ÷ healthz = {:.2}; p50 {}, p99 {}",
        m.cold_reads.rate(),
        m.cold_reads.rate() / m.trivial.rate().max(1e-9),
        ms(m.cold_reads.p(0.5)),
        ms(m.cold_reads.p(0.99))
    );
    println!(
        "P8 durable writes: {:.0} writes/s, p50 {}, p99 {}",
        m.writes.rate(),
        ms(m.writes.p(0.5)),
        ms(m.writes.p(0.99))
    );
    println!(
        "P9 VmRSS: at start {}, ready {}, after the queries {} (target ≤ 150 MiB: {}), after the P8 load {}, peak {}",
        mib(at_start.rss),
        mib(m.at_ready.rss),
        mib(m.after_queries.rss),
        verdict(m.after_queries.rss as f64 <= 150.0 * MIB),
        mib(m.after_load.rss),
        mib(m.after_load.peak),
    );
    println!(
        "daemon threads: at start {}, after the queries {}, after the P8 load {}",
        at_start.threads, m.after_queries.threads, m.after_load.threads
    );
    daemon.stop()?;
    Ok(())
}
