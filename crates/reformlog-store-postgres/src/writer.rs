//! Group commit for one process: appends from many threads queue up, and whoever finds a free
//! connection runs the waiting ones as one round (one lock on the head row, one `COMMIT`, one
//! WAL flush) and hands each caller its own answer.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use postgres::Config;
use reformlog_store::raw::validate_appends;
use reformlog_store::{AppendOutcome, ExpectedRevision, NewEvent, StreamAppend};

use crate::error::PgError;
use crate::PgLog;

/// The most commits one round takes; the rest wait for the next. Bounds the one statement's
/// size and the time the head row stays locked.
const MAX_ROUND: usize = 256;

/// Appends from many threads of one process, combined into rounds: each round is one
/// PostgreSQL transaction that locks the head row once, checks and writes its commits in
/// queue order, and commits once, so the lock hand-over and the WAL flush are paid per round
/// rather than per commit.
///
/// Every promise of [`PgLog::append_multi`] holds for each append: gap-free positions and
/// commit numbers in commit order, one recorded-at time per commit, strictly increasing;
/// expected revisions and idempotency checked per commit against the log as the earlier
/// commits of the round leave it (a retry of an append earlier in the same round gets that
/// append's outcome); a refused append refuses only itself and the rest of the round commits;
/// nothing is answered before the round's `COMMIT` returns; and a `COMMIT` whose outcome is
/// lost is [`PgError::OutcomeUnknown`] for every append of the round. If the server refuses
/// the round's write or the connection fails before the `COMMIT` (the round rolled back), each
/// of its appends is run again as a round of its own, so that one append the server refuses
/// does not take the others with it.
///
/// Several writers (in one process or in several daemons) share a database as several
/// [`PgLog`]s do: their rounds take turns on the head row.
pub struct PgWriter {
    config: Config,
    shared: Mutex<Shared>,
    /// Signalled when a round has answered, or a connection is free again.
    wake: Condvar,
}

struct Shared {
    /// The appends no round has taken yet, in arrival order.
    queue: Vec<Waiting>,
    /// The connections no round is using.
    idle: Vec<PgLog>,
    /// Answers not yet picked up, by ticket.
    done: HashMap<u64, Answer>,
    next_ticket: u64,
}

/// One append's answer, as its caller gets it.
type Answer = Result<AppendOutcome, PgError>;

struct Waiting {
    ticket: u64,
    appends: Vec<StreamAppend>,
}

impl std::fmt::Debug for PgWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgWriter").finish_non_exhaustive()
    }
}

impl PgWriter {
    /// Connects `connections` times (at least once) to the database `url` names, as
    /// [`PgLog::connect`] does. Two connections let one round wait for the head row while the
    /// one before it commits; more only add waiters on the same lock.
    pub fn connect(url: &str, connections: usize) -> Result<Self, PgError> {
        let config: Config = url.parse()?;
        Self::connect_with(&config, connections)
    }

    /// Connects `connections` times (at least once) with a prepared configuration, as
    /// [`PgLog::connect_with`] does.
    pub fn connect_with(config: &Config, connections: usize) -> Result<Self, PgError> {
        let idle = (0..connections.max(1))
            .map(|_| PgLog::connect_with(config))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            config: config.clone(),
            shared: Mutex::new(Shared {
                queue: Vec::new(),
                idle,
                done: HashMap::new(),
                next_ticket: 0,
            }),
            wake: Condvar::new(),
        })
    }

    /// [`PgLog::append`], in the next round.
    pub fn append(
        &self,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, PgError> {
        self.append_multi(vec![StreamAppend::new(stream, expected, events)])
    }

    /// [`PgLog::append_multi`], in the next round: blocks until the round holding it has
    /// committed (or failed), then gives this append's own answer.
    pub fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<AppendOutcome, PgError> {
        // Invalid input is refused here, before it can take a place in a round.
        validate_appends(&appends)?;
        let mut shared = self.lock();
        let ticket = shared.next_ticket;
        shared.next_ticket += 1;
        shared.queue.push(Waiting { ticket, appends });
        loop {
            if let Some(answer) = shared.done.remove(&ticket) {
                return answer;
            }
            if !shared.queue.is_empty() {
                if let Some(log) = shared.idle.pop() {
                    // This caller leads a round: whatever is waiting, its own append included
                    // unless another round took it already.
                    let n = shared.queue.len().min(MAX_ROUND);
                    let round: Vec<Waiting> = shared.queue.drain(..n).collect();
                    drop(shared);
                    let (log, answers) = self.run(log, round);
                    shared = self.lock();
                    shared.idle.push(log);
                    shared.done.extend(answers);
                    self.wake.notify_all();
                    continue;
                }
            }
            shared = self
                .wake
                .wait(shared)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // The state is only queues and answers, each change made whole under the lock.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs one round on `log` and answers each of its appends.
    fn run(&self, log: PgLog, round: Vec<Waiting>) -> (PgLog, Vec<(u64, Answer)>) {
        let (tickets, commits): (Vec<u64>, Vec<Vec<StreamAppend>>) =
            round.into_iter().map(|w| (w.ticket, w.appends)).unzip();
        let log = self.reconnected(log);
        match log.run_round(&commits) {
            Ok(answers) => {
                let answers = answers.into_iter().map(|a| a.map_err(PgError::from));
                (log, tickets.into_iter().zip(answers).collect())
            }
            Err(PgError::OutcomeUnknown(e)) => {
                let answers = tickets
                    .into_iter()
                    .map(|t| (t, Err(PgError::OutcomeUnknown(e.clone()))))
                    .collect();
                (log, answers)
            }
            Err(e) if commits.len() == 1 => (log, vec![(tickets[0], Err(e))]),
            // Rolled back: nothing of the round was written. Alone, each append meets only its
            // own refusal.
            Err(_) => {
                let mut log = log;
                let mut answers = Vec::with_capacity(tickets.len());
                for (ticket, appends) in tickets.into_iter().zip(commits) {
                    log = self.reconnected(log);
                    let answer = match log.run_round(std::slice::from_ref(&appends)) {
                        Ok(mut a) => {
                            a.pop()
                                .map(|a| a.map_err(PgError::from))
                                .unwrap_or_else(|| {
                                    Err(crate::rows::corrupt("a round", "no answer for its commit"))
                                })
                        }
                        Err(e) => Err(e),
                    };
                    answers.push((ticket, answer));
                }
                (log, answers)
            }
        }
    }

    /// `log`, or a new connection in its place when the server or the network closed it (the
    /// old one is kept when reconnecting fails: its next round fails and tries again).
    fn reconnected(&self, log: PgLog) -> PgLog {
        if !log.is_closed() {
            return log;
        }
        PgLog::connect_with(&self.config).unwrap_or(log)
    }

    /// Takes every connection away, so appends queue up and no round starts.
    #[cfg(test)]
    pub(crate) fn hold(&self) -> Vec<PgLog> {
        std::mem::take(&mut self.lock().idle)
    }

    /// How many appends are waiting for a round.
    #[cfg(test)]
    pub(crate) fn queued(&self) -> usize {
        self.lock().queue.len()
    }

    /// Gives the connections back: the next round takes all that queued meanwhile.
    #[cfg(test)]
    pub(crate) fn release(&self, logs: Vec<PgLog>) {
        self.lock().idle.extend(logs);
        self.wake.notify_all();
    }
}
