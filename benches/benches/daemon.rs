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
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reformd::Role as TokenRole;
use reformlog::{Answer, CommitteeId, Context, Query, Reformlog, Seed};
use reformlog_benches::domain_log::{date, generate, Rng, FIRST_YEAR, YEARS};
use reformlog_benches::{env_u64, percentile};

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

/// The seed case the daemon loads with `--demo`, loaded here first so the in-library
/// baseline can ask about its committee (the daemon's load is then a no-op).
const DEMO_SEED: &str = include_str!("../../tests/data/seed-decision-34.toml");

/// What the P8 composition costs inside the library, without HTTP, as p50 wall time and
/// mean CPU time of this thread (the machine is shared, so wall time alone overstates it).
struct LibraryCost {
    /// `Reformlog::query` alone.
    query: (Duration, Duration),
    /// The query, then its answer to a `serde_json::Value` and to bytes, as the route does.
    as_routed: (Duration, Duration),
    /// The query, then its answer straight to bytes.
    direct: (Duration, Duration),
    json_bytes: usize,
}

fn thread_cpu(ticks: f64) -> Res<Duration> {
    cpu_of("thread-self", ticks)
}

fn library_cost(log: &Reformlog, rounds: usize, ticks: f64) -> Res<LibraryCost> {
    let query = Query::Composition {
        committee: CommitteeId::from_slug(COMMITTEE)?,
        on: ON.parse()?,
    };
    let mut json_bytes = 0;
    let mut timed = |mode: u8| -> Res<(Duration, Duration)> {
        let mut wall = Vec::with_capacity(rounds);
        let cpu = thread_cpu(ticks)?;
        for _ in 0..rounds {
            let t = Instant::now();
            let answer = log.query(&query, None)?;
            let Answer::Composition(a) = answer else {
                return Err("not a composition".into());
            };
            match mode {
                0 => {
                    black_box(a);
                }
                1 => {
                    let value = serde_json::to_value(&a)?;
                    let body = serde_json::json!({ "answer": value, "position": 0 });
                    json_bytes = black_box(serde_json::to_vec(&body)?).len();
                }
                _ => {
                    black_box(serde_json::to_vec(&a)?);
                }
            }
            wall.push(t.elapsed());
        }
        let cpu = thread_cpu(ticks)?.saturating_sub(cpu) / rounds as u32;
        wall.sort();
        Ok((percentile(&wall, 0.5), cpu))
    };
    let query = timed(0)?;
    let as_routed = timed(1)?;
    let direct = timed(2)?;
    Ok(LibraryCost {
        query,
        as_routed,
        direct,
        json_bytes,
    })
}

/// Fills `<data_dir>/store` with about `events` generated events and the seed case, read
/// models caught up (the daemon would otherwise project them at start), measures the library
/// baseline, and closes it. Returns the committees, the log head and the baseline.
fn build_data(
    data_dir: &Path,
    events: u64,
    ticks: f64,
) -> Res<(Vec<CommitteeId>, u64, LibraryCost)> {
    let log = Reformlog::open_with(
        reformlog::Options::new(data_dir.join("store")).cache_capacity(CACHE_BYTES),
    )?;
    let (appends, committees) = generate(events)?;
    {
        let mut bulk = log.store().bulk_import_flushed_at_end();
        for a in appends {
            bulk.append_multi(&[a])?;
        }
        bulk.finish()?;
    }
    log.catch_up()?;
    let seed = Seed::parse(DEMO_SEED)?;
    let ctx =
        Context::new("system:demo").with_reason("demo data: Decision 34/QĐ-BTTTT (seed case)");
    log.load_seed(&seed, &ctx)?;
    let cost = library_cost(&log, 2_000, ticks)?;
    log.store().sync()?;
    let head = log.store().head_position();
    Ok((committees, head, cost))
}

// ---------------------------------------------------------------------------------------------
// The daemon as a child process

/// VmRSS and VmHWM (peak) of a process, in bytes, and its thread count.
#[derive(Clone, Copy)]
struct Memory {
    rss: u64,
    peak: u64,
    threads: u64,
}

fn memory_of(pid: u32) -> Res<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |key: &str| -> Res<u64> {
        let line = status
            .lines()
            .find(|l| l.starts_with(key))
            .ok_or_else(|| format!("no {key} in /proc/{pid}/status"))?;
        Ok(line[key.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()?)
    };
    Ok(Memory {
        rss: field("VmRSS:")? * 1024,
        peak: field("VmHWM:")? * 1024,
        threads: field("Threads:")?,
    })
}

/// User plus system CPU time a process has used (all its threads), so a phase can say how the
/// two shared cores were split between the daemon and the load generator.
fn cpu_of(pid: &str, ticks_per_s: f64) -> Res<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("malformed stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11).ok_or("no utime")?.parse()?;
    let stime: f64 = fields.get(12).ok_or("no stime")?.parse()?;
    Ok(Duration::from_secs_f64((utime + stime) / ticks_per_s))
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// A daemon serving the data folder on an ephemeral loopback port, stopped on drop.
struct Daemon {
    child: Child,
    base: String,
    /// Held open so the child never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
}

impl Daemon {
    fn start(exe: &Path, reexec: bool, data_dir: &Path) -> Res<Daemon> {
        let mut cmd = Command::new(exe);
        if reexec {
            cmd.env(SERVE_ENV, "1");
        }
        if std::env::var_os("RUST_LOG").is_none() {
            // Startup lines only would interleave with the report; warnings still show.
            cmd.env("RUST_LOG", "warn");
        }
        let mut child = cmd
            .args(["serve", "--bind", "127.0.0.1:0", "--demo", "--data-dir"])
            .arg(data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("the daemon did not start: {line:?}"))?
            .to_string();
        if !base.starts_with("http://127.0.0.1:") {
            return Err(format!("the daemon is not on loopback: {base}").into());
        }
        Ok(Daemon {
            child,
            base,
            _stdout: stdout,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn memory(&self) -> Res<Memory> {
        memory_of(self.pid())
    }

    /// SIGTERM (a graceful stop that syncs the store), then SIGKILL if it takes too long.
    fn stop(mut self) -> Res<()> {
        Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                if !status.success() {
                    return Err(format!("the daemon exited with {status}").into());
                }
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err("the daemon did not stop within 60 s of SIGTERM".into())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // Only does something when `stop` was not reached (an error or a panic).
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The load generator

/// What every request of a phase sends.
#[derive(Clone)]
enum Target {
    Get {
        url: String,
        token: Option<String>,
    },
    /// The composition on a different date for each request, so no answer is asked twice
    /// and the daemon's answer cache cannot help.
    CompositionEachDay {
        base: String,
        token: String,
    },
    RegisterPerson {
        url: String,
        token: String,
    },
}

/// The outcome of one phase.
struct Phase {
    ok: u64,
    errors: u64,
    first_error: Option<String>,
    elapsed: Duration,
    /// Latency of each successful request, sorted.
    latencies: Vec<Duration>,
    server_cpu: Duration,
    client_cpu: Duration,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    fn p(&self, q: f64) -> Duration {
        percentile(&self.latencies, q)
    }
    fn merge(&mut self, other: Phase) {
        self.ok += other.ok;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
        self.latencies.sort();
        self.server_cpu += other.server_cpu;
        self.client_cpu += other.client_cpu;
    }
    /// Server CPU per successful request.
    fn server_cpu_per_request(&self) -> Duration {
        self.server_cpu / (self.ok.max(1) as u32)
    }
}

/// One request; `Ok(())` only for the status the target expects, with the whole body read.
async fn send(client: &reqwest::Client, target: &Target, n: u64) -> Result<(), String> {
    let (request, expected) = match target {
        Target::Get { url, token } => {
            let mut r = client.get(url);
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            (r, 200)
        }
        Target::CompositionEachDay { base, token } => {
            let on = date(
                FIRST_YEAR + ((n / 365) % YEARS as u64) as i32,
                (n % 365) as u32,
            );
            let url = format!("{base}/v1/committees/{COMMITTEE}/composition?on={on}");
            (client.get(url).bearer_auth(token), 200)
        }
        Target::RegisterPerson { url, token } => {
            let body = serde_json::json!({
                "reason": "load test",
                "commands": [{ "register_person": {
                    "person": uuid::Uuid::now_v7().to_string(),
                    "name": format!("Người thử tải {n}"),
                    "on": ON,
                } }],
            });
            let r = client
                .post(url)
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(&body).map_err(|e| e.to_string())?);
            (r, 201)
        }
    };
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if status == expected {
        Ok(())
    } else {
        Err(format!(
            "status {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ))
    }
}

/// Drives `target` from every client at once (one keep-alive connection each, a request in
/// flight on each) for `duration`, or until `MAX_REQUESTS` have been sent.
async fn load(
    clients: &[reqwest::Client],
    target: &Target,
    duration: Duration,
    server_pid: &str,
    ticks: f64,
) -> Res<Phase> {
    let sent = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(Mutex::new(None::<String>));
    let server_before = cpu_of(server_pid, ticks)?;
    let client_before = cpu_of("self", ticks)?;
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients.len());
    for client in clients {
        let client = client.clone();
        let target = target.clone();
        let sent = Arc::clone(&sent);
        let first_error = Arc::clone(&first_error);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let n = sent.fetch_add(1, Ordering::Relaxed);
                if n >= MAX_REQUESTS {
                    break;
                }
                let t = Instant::now();
                match send(&client, &target, n).await {
                    Ok(()) => latencies.push(t.elapsed()),
                    Err(e) => {
                        errors += 1;
                        first_error.lock().unwrap().get_or_insert(e);
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let first_error = first_error.lock().unwrap().take();
    Ok(Phase {
        ok: latencies.len() as u64,
        errors,
        first_error,
        elapsed,
        latencies,
        server_cpu: cpu_of(server_pid, ticks)?.saturating_sub(server_before),
        client_cpu: cpu_of("self", ticks)?.saturating_sub(client_before),
    })
}

/// One GET from one client, its body as JSON and its latency.
async fn get_json(
    client: &reqwest::Client,
    url: &str,
    token: &str,
) -> Res<(serde_json::Value, Duration)> {
    let t = Instant::now();
    let response = client.get(url).bearer_auth(token).send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    let elapsed = t.elapsed();
    if !status.is_success() {
        return Err(format!("GET {url}: {status}: {}", String::from_utf8_lossy(&body)).into());
    }
    Ok((serde_json::from_slice(&body)?, elapsed))
}

// ---------------------------------------------------------------------------------------------
// Report

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / MIB)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

fn describe(name: &str, p: &Phase, clients: usize) {
    println!(
        "  {name}: {:.0} req/s ({} ok, {} errors in {:.2} s, {clients} connections); p50 {}, p99 {}, max {}",
        p.rate(),
        p.ok,
        p.errors,
        p.elapsed.as_secs_f64(),
        ms(p.p(0.5)),
        ms(p.p(0.99)),
        ms(p.p(1.0)),
    );
    println!(
        "    CPU: daemon {:.2} s ({:.0} µs per request), load generator {:.2} s",
        p.server_cpu.as_secs_f64(),
        p.server_cpu_per_request().as_secs_f64() * 1e6,
        p.client_cpu.as_secs_f64(),
    );
    if let Some(e) = &p.first_error {
        println!("    first error: {e}");
    }
}

// ---------------------------------------------------------------------------------------------

/// What `measure` found.
struct Measured {
    at_ready: Memory,
    after_queries: Memory,
    trivial: Phase,
    reads: Phase,
    cold_reads: Phase,
    writes: Phase,
    after_load: Memory,
}

/// Waits for readiness, runs the P9 queries, then the P8 load phases.
async fn measure(
    s: &Settings,
    daemon: &Daemon,
    committees: &[CommitteeId],
    reader: &str,
    writer: &str,
    t: Instant,
    ticks: f64,
) -> Res<Measured> {
    let pid = daemon.pid().to_string();
    let make_client = || {
        reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(1)
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(60))
            .build()
    };
    let clients = (0..s.connections)
        .map(|_| make_client())
        .collect::<Result<Vec<_>, _>>()?;
    let base = &daemon.base;
    let c0 = &clients[0];

    // Ready: the read models have reached the log head as it was at start.
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let r = c0.get(format!("{base}/readyz")).send().await?;
        if r.status().is_success() {
            break;
        }
        if Instant::now() > deadline {
            return Err("not ready after 600 s".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ready = t.elapsed();
    let at_ready = daemon.memory()?;
    println!(
        "ready after {:.2} s; VmRSS {}",
        ready.as_secs_f64(),
        mib(at_ready.rss)
    );

    // P9: compositions of generated committees on dates across the log's years (and the
    // seed committee), then lists of every kind with their second pages.
    let mut rng = Rng(7);
    let mut comp = Vec::with_capacity(s.queries);
    for i in 0..s.queries {
        let committee = if i % 10 == 0 {
            COMMITTEE.to_string()
        } else {
            committees[rng.below(committees.len() as u64) as usize].to_string()
        };
        let on = date(
            FIRST_YEAR + rng.below(YEARS as u64) as i32,
            rng.below(365) as u32,
        );
        let url = format!("{base}/v1/committees/{committee}/composition?on={on}");
        comp.push(get_json(c0, &url, reader).await?.1);
    }
    comp.sort();
    println!(
        "P9 queries: {} compositions p50 {}, p99 {}",
        comp.len(),
        ms(percentile(&comp, 0.5)),
        ms(percentile(&comp, 0.99))
    );
    let kinds = [
        "units",
        "people",
        "posts",
        "committees",
        "decisions",
        "tasks",
    ];
    let lists = (s.queries / 3).max(kinds.len());
    let mut by_kind: Vec<Vec<Duration>> = vec![Vec::new(); kinds.len()];
    for i in 0..lists {
        let k = i % kinds.len();
        let on = date(FIRST_YEAR + rng.below(YEARS as u64) as i32, 200);
        let url = format!("{base}/v1/{}?on={on}&limit=100", kinds[k]);
        let (page, took) = get_json(c0, &url, reader).await?;
        by_kind[k].push(took);
        if let Some(cursor) = page.get("next_cursor").and_then(|c| c.as_str()) {
            let (_, took) = get_json(c0, &format!("{url}&cursor={cursor}"), reader).await?;
            by_kind[k].push(took);
        }
    }
    let after_queries = daemon.memory()?;
    for (k, times) in kinds.iter().zip(&mut by_kind) {
        times.sort();
        println!(
            "P9 queries: list {k} (limit 100): {} pages, p50 {}, max {}",
            times.len(),
            ms(percentile(times, 0.5)),
            ms(percentile(times, 1.0))
        );
    }
    println!(
        "P9 VmRSS after the queries {} (peak so far {}); target ≤ 150 MiB: {}",
        mib(after_queries.rss),
        mib(after_queries.peak),
        verdict(after_queries.rss as f64 <= 150.0 * MIB)
    );

    // P8: the same connections, the same duration, the trivial route then composition.
    let healthz = Target::Get {
        url: format!("{base}/healthz"),
        token: None,
    };
    let composition = Target::Get {
        url: format!("{base}/v1/committees/{COMMITTEE}/composition?on={ON}"),
        token: Some(reader.to_string()),
    };
    load(&clients, &composition, s.warmup, &pid, ticks).await?;
    load(&clients, &healthz, s.warmup, &pid, ticks).await?;
    // Alternating halves, so a change in the machine's other load hits both routes alike.
    let half = s.load / 2;
    let mut trivial = load(&clients, &healthz, half, &pid, ticks).await?;
    let mut reads = load(&clients, &composition, half, &pid, ticks).await?;
    trivial.merge(load(&clients, &healthz, half, &pid, ticks).await?);
    reads.merge(load(&clients, &composition, half, &pid, ticks).await?);
    let each_day = Target::CompositionEachDay {
        base: base.to_string(),
        token: reader.to_string(),
    };
    let cold_reads = load(&clients, &each_day, half, &pid, ticks).await?;
    let writes = load(
        &clients,
        &Target::RegisterPerson {
            url: format!("{base}/v1/commands"),
            token: writer.to_string(),
        },
        s.load,
        &pid,
        ticks,
    )
    .await?;
    let after_load = daemon.memory()?;
    Ok(Measured {
        at_ready,
        after_queries,
        trivial,
        reads,
        cold_reads,
        writes,
        after_load,
    })
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
    let Measured {
        at_ready,
        after_queries,
        trivial,
        reads,
        cold_reads,
        writes,
        after_load,
    } = match measured {
        Ok(m) => m,
        Err(e) => {
            drop(daemon);
            return Err(e);
        }
    };

    println!("P8 load ({} connections each):", s.connections);
    describe("GET /healthz", &trivial, s.connections);
    describe(
        &format!("GET /v1/committees/{COMMITTEE}/composition?on={ON}"),
        &reads,
        s.connections,
    );
    describe(
        &format!("GET /v1/committees/{COMMITTEE}/composition, a different date per request"),
        &cold_reads,
        s.connections,
    );
    describe(
        "POST /v1/commands (register a person, durable)",
        &writes,
        s.connections,
    );
    let ratio = reads.rate() / trivial.rate().max(1e-9);
    let p99 = reads.p(0.99);
    let clean = trivial.errors + reads.errors + writes.errors == 0;
    println!(
        "P8 composition {:.0} req/s ÷ healthz {:.0} req/s = {ratio:.2} (target ≥ 0.5): {}",
        reads.rate(),
        trivial.rate(),
        verdict(ratio >= 0.5 && clean)
    );
    println!(
        "P8 composition p50 {}, p99 {} (target p99 ≤ 10 ms): {}",
        ms(reads.p(0.5)),
        ms(p99),
        verdict(p99 <= Duration::from_millis(10) && clean)
    );
    println!(
        "P8 without repeated questions (no answer-cache hits): composition {:.0} req/s ÷ healthz = {:.2}; p50 {}, p99 {}",
        cold_reads.rate(),
        cold_reads.rate() / trivial.rate().max(1e-9),
        ms(cold_reads.p(0.5)),
        ms(cold_reads.p(0.99))
    );
    println!(
        "P8 durable writes: {:.0} writes/s, p50 {}, p99 {}",
        writes.rate(),
        ms(writes.p(0.5)),
        ms(writes.p(0.99))
    );
    println!(
        "P9 VmRSS: at start {}, ready {}, after the queries {} (target ≤ 150 MiB: {}), after the P8 load {}, peak {}",
        mib(at_start.rss),
        mib(at_ready.rss),
        mib(after_queries.rss),
        verdict(after_queries.rss as f64 <= 150.0 * MIB),
        mib(after_load.rss),
        mib(after_load.peak),
    );
    println!(
        "daemon threads: at start {}, after the queries {}, after the P8 load {}",
        at_start.threads, after_queries.threads, after_load.threads
    );
    daemon.stop()?;
    Ok(())
}
