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
// Subscriptions: every position once and in order under 8 writers, the seam at random
// moments, the periodic read, filters, drop, a lost connection.
mod subscriptions;
// Group commit through `PgWriter`: 32 threads, a round of refusals and retries, a write the
// server refuses, races between two writers, a subscriber woken only by rounds.
mod writer;

use postgres::{Config, NoTls};
use reformlog_store::{Metadata, NewEvent};

use crate::PgLog;

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
