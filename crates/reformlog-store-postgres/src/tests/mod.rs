//! Tests against a real PostgreSQL, each in a schema of its own so they run in parallel: set
//! `REFORMLOG_POSTGRES_URL`; without it they say so and pass, unless
//! `REFORMLOG_REQUIRE_POSTGRES=1`.

#![allow(clippy::unwrap_used)]

// Appends: gap-free positions and commits under 16 racing connections, expected-revision races,
// whole commits and "as known at", all-or-nothing multi-stream appends.
mod appends;
// The integrity walk over rows corrupted with SQL, and schema migrations.
mod chain;
// Idempotent retries, and the same answers and head digest as the sled store for the same
// calls.
mod parity;
// Whole commits across backends: a sled log copied here and back, refusals of commits that do
// not continue the log, appends after a copy.
mod replicate;
// Subscriptions: every position once and in order under 8 writers, the seam at random
// moments, the periodic read, filters, drop, a lost connection.
mod subscriptions;
// Group commit through `PgWriter`: 32 threads, a round of refusals and retries, a write the
// server refuses, races between two writers, a subscriber woken only by rounds.
mod writer;

use postgres::{Config, NoTls};
use std::sync::{mpsc, Arc, Barrier};

use reformlog_store::{AppendError, AppendOutcome, ExpectedRevision, Metadata, NewEvent};

use crate::{PgError, PgLog};

/// A schema of its own in the database `REFORMLOG_POSTGRES_URL` names, dropped at the end.
pub(crate) struct TestDb {
    config: Config,
    schema: String,
}

impl TestDb {
    /// `None` (after saying why) when no database is configured and none is required.
    pub(crate) fn new() -> Option<Self> {
        let Ok(url) = std::env::var("REFORMLOG_POSTGRES_URL") else {
            assert!(
                std::env::var("REFORMLOG_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "REFORMLOG_REQUIRE_POSTGRES=1 but REFORMLOG_POSTGRES_URL is not set"
            );
            eprintln!(
                "skipped: REFORMLOG_POSTGRES_URL is not set; set it to a PostgreSQL database \
                 (and REFORMLOG_REQUIRE_POSTGRES=1 to fail instead of skipping)"
            );
            return None;
        };
        let mut config: Config = url.parse().expect("REFORMLOG_POSTGRES_URL parses");
        let schema = format!("reformlog_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = config
            .connect(NoTls)
            .expect("connect to REFORMLOG_POSTGRES_URL");
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap();
        config.options(&format!("-c search_path={schema}"));
        Some(Self { config, schema })
    }

    /// A new connection to the test's log.
    pub(crate) fn log(&self) -> PgLog {
        PgLog::connect_with(&self.config).unwrap()
    }

    /// Runs SQL in the test's schema, as someone tampering with the database would.
    pub(crate) fn sql(&self, sql: &str) {
        let mut client = self.config.connect(NoTls).unwrap();
        client.batch_execute(sql).unwrap();
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut client) = self.config.connect(NoTls) {
            // Best effort: a schema left behind only costs space in a throwaway database.
            let _ = client.batch_execute(&format!("DROP SCHEMA {} CASCADE", self.schema));
        }
    }
}

/// An event of type `event_type` with a small JSON payload, by a member of the seed case.
pub(crate) fn event(event_type: &str, n: u64) -> NewEvent {
    NewEvent::new(
        event_type,
        1,
        format!("{{\"n\":{n}}}").into_bytes(),
        Metadata::by("Nguyễn Huy Dũng").with_reason("Quyết định 34"),
    )
}

/// `threads` racers on one stream for `rounds` rounds: in each, every racer appends with the
/// round's expected revision (`NoStream`, then `Exact(round - 1)`) through the appender
/// `appender` gives it. Exactly one wins each round, and every loser is told the winner's
/// revision; the log then holds one event per round.
pub(super) fn race_on_one_stream<A>(threads: usize, rounds: u64, appender: impl Fn(usize) -> A)
where
    A: Fn(ExpectedRevision, NewEvent) -> Result<AppendOutcome, PgError> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(threads));
    let (tx, rx) = mpsc::channel();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let append = appender(t);
            let barrier = Arc::clone(&barrier);
            let tx = tx.clone();
            std::thread::spawn(move || {
                for round in 0..rounds {
                    let expected = match round {
                        0 => ExpectedRevision::NoStream,
                        r => ExpectedRevision::Exact(r - 1),
                    };
                    barrier.wait();
                    let result = append(expected, event("Met", t as u64));
                    tx.send((round, result)).unwrap();
                    // Every thread has its answer before the next round starts.
                    barrier.wait();
                }
            })
        })
        .collect();
    drop(tx);
    for h in handles {
        h.join().unwrap();
    }
    let mut winners = vec![0; rounds as usize];
    for (round, result) in rx {
        match result {
            Ok(o) => {
                winners[round as usize] += 1;
                assert_eq!(o.streams, vec![("committee-bcd".to_string(), round)]);
            }
            Err(PgError::Append(AppendError::WrongExpectedRevision { actual, .. })) => {
                assert_eq!(actual, Some(round), "a loser sees the winner's revision");
            }
            Err(e) => panic!("round {round}: {e}"),
        }
    }
    assert_eq!(winners, vec![1; rounds as usize]);
}
