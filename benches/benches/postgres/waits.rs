//! What the writers' sessions are doing while they run: `pg_stat_activity` sampled from a
//! connection of its own, tallied by state and wait event.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use postgres::{Config, NoTls};

use super::subjects::APP;
use super::Res;

/// How often the sampler looks.
const EVERY: Duration = Duration::from_millis(2);

/// Session samples by what the session was doing.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    counts: BTreeMap<String, u64>,
    /// WAL syncs (`pg_stat_wal.wal_sync`, the whole server's) and the writers' commits meanwhile.
    syncs: i64,
    commits: u64,
}

impl Tally {
    pub(crate) fn merge(&mut self, other: &Tally) {
        for (k, v) in &other.counts {
            *self.counts.entry(k.clone()).or_default() += v;
        }
        self.syncs += other.syncs;
        self.commits += other.commits;
    }

    /// The most frequent states, as shares of all samples.
    pub(crate) fn summary(&self) -> String {
        let total: u64 = self.counts.values().sum();
        if total == 0 {
            return "no samples".into();
        }
        let syncs = self.syncs as f64 / self.commits.max(1) as f64;
        let mut v: Vec<(&String, &u64)> = self.counts.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        v.iter()
            .take(6)
            .map(|(k, n)| format!("{k} {:.0} %", **n as f64 * 100.0 / total as f64))
            .collect::<Vec<_>>()
            .join(", ")
            + &format!("; {syncs:.2} WAL syncs per commit")
    }
}

/// A thread sampling until [`Sampler::finish`].
pub(crate) struct Sampler {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<Tally>,
    config: Config,
    syncs_before: i64,
    commits: u64,
}

impl Sampler {
    pub(crate) fn start(config: &Config) -> Res<Self> {
        let syncs_before = wal_syncs(config)?;
        let mut client = config.connect(NoTls)?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::spawn(move || {
            let mut tally = Tally::default();
            while !flag.load(Ordering::Relaxed) {
                // "idle" and "idle in transaction" are time on the client's side or the wire;
                // "active" without a wait event is the server's CPU.
                let Ok(rows) = client.query(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity \
                     WHERE application_name = $1",
                    &[&APP],
                ) else {
                    break;
                };
                for row in rows {
                    let state: Option<String> = row.get(0);
                    let kind: Option<String> = row.get(1);
                    let event: Option<String> = row.get(2);
                    let state = state.unwrap_or_else(|| "?".into());
                    let key = match (kind, event) {
                        (Some(k), Some(e)) if state == "active" => format!("{k}:{e}"),
                        _ if state == "active" => "active (CPU)".into(),
                        _ => state,
                    };
                    *tally.counts.entry(key).or_default() += 1;
                }
                std::thread::sleep(EVERY);
            }
            tally
        });
        Ok(Self {
            stop,
            handle,
            config: config.clone(),
            syncs_before,
            commits: 0,
        })
    }

    /// The writers' commits, warm-up ones included (as the WAL syncs are).
    pub(crate) fn commits(&mut self, n: u64) {
        self.commits = n;
    }

    pub(crate) fn finish(self) -> Res<Tally> {
        self.stop.store(true, Ordering::Relaxed);
        let mut tally = self.handle.join().unwrap_or_default();
        tally.syncs = wal_syncs(&self.config)? - self.syncs_before;
        tally.commits = self.commits;
        Ok(tally)
    }
}

fn wal_syncs(config: &Config) -> Res<i64> {
    let mut c = config.connect(NoTls)?;
    Ok(c.query_one("SELECT wal_sync FROM pg_stat_wal", &[])?.get(0))
}
