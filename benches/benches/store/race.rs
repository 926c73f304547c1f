//! P13: optimistic concurrency on one stream, attempts against successes.

use std::sync::Barrier;
use std::time::{Duration, Instant};

use super::durable::load_average;
use super::{progress, temp, Res, Settings};
use reformlog_benches::{fmt_num, median, Pool, Row, Target};
use reformlog_store::{AppendError, ExpectedRevision, Store};

/// The one stream P13's writers race on.
const RACE_STREAM: &str = "committee-race";

/// What one P13 race came to.
struct Race {
    pub(crate) attempts: u64,
    pub(crate) successes: u64,
    /// Writers that stopped at the attempt cap without their successes.
    pub(crate) gave_up: usize,
    pub(crate) wall: Duration,
    pub(crate) syncs: u64,
}

pub(crate) fn race_group(s: &Settings, rows: &mut Vec<Row>, notes: &mut Vec<String>) -> Res<()> {
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
