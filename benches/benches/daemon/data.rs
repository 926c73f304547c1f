//! The bench's data folder: a generated log bulk-imported with tokens, and what the library
//! itself costs for the questions asked over HTTP.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use super::process::cpu_of;
use super::{Res, CACHE_BYTES, COMMITTEE, ON};
use reformlog::{Answer, CommitteeId, Context, Query, Reformlog, Seed};
use reformlog_benches::domain_log::generate;
use reformlog_benches::percentile;

/// The seed case the daemon loads with `--demo`, loaded here first so the in-library
/// baseline can ask about its committee (the daemon's load is then a no-op).
const DEMO_SEED: &str = include_str!("../../../tests/data/seed-decision-34.toml");

/// What the P8 composition costs inside the library, without HTTP, as p50 wall time and
/// mean CPU time of this thread (the machine is shared, so wall time alone overstates it).
pub(crate) struct LibraryCost {
    /// `Reformlog::query` alone.
    pub(crate) query: (Duration, Duration),
    /// The query, then its answer to a `serde_json::Value` and to bytes, as the route does.
    pub(crate) as_routed: (Duration, Duration),
    /// The query, then its answer straight to bytes.
    pub(crate) direct: (Duration, Duration),
    pub(crate) json_bytes: usize,
}

pub(crate) fn thread_cpu(ticks: f64) -> Res<Duration> {
    cpu_of("thread-self", ticks)
}

pub(crate) fn library_cost(log: &Reformlog, rounds: usize, ticks: f64) -> Res<LibraryCost> {
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
pub(crate) fn build_data(
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
