//! The reformlog event log on PostgreSQL: the sled store's commits, hash chain, expected
//! revisions and idempotency, in one database that several daemons can share.
//!
//! Appends go in rounds, each one PostgreSQL transaction: a [`PgLog`] runs each append as a
//! round of one, a [`PgWriter`] runs the appends waiting in its process together (group commit:
//! one lock, one `COMMIT` and one WAL flush for all of them, each still its own commit). Rounds
//! are serialized on the one row of `reformlog_head`, taken `FOR UPDATE` first, so positions and
//! commit numbers are global, gap-free, and in commit order (a sequence would leave gaps on
//! rollback and hand out numbers in an order other than the commits'). The record hash is the
//! sled store's ([`reformlog_store::raw::record_hash`]), so the same commits with the same
//! recorded-at times have the same head digest on either backend. An append is acknowledged by
//! PostgreSQL's `COMMIT` with `synchronous_commit` set on for the session.
//!
//! [`PgLog::subscribe`] catches up from a position and turns live, on a connection of its own
//! that LISTENs for the notification every round sends once it has committed; see
//! [`PgSubscription`].
//!
//! The client is [`postgres`], the blocking one: the store's API is blocking and the daemon
//! calls it from `spawn_blocking`. Like that client, a [`PgLog`] must not be used from inside
//! an async task's thread (it runs a runtime of its own).
//!
//! ```no_run
//! use reformlog_store::{ExpectedRevision, Metadata, NewEvent};
//! use reformlog_store_postgres::PgLog;
//!
//! let log = PgLog::connect("postgresql://reformlog@127.0.0.1/reformlog")?;
//! let event = NewEvent::new("CommitteeEstablished", 1, b"{}".to_vec(), Metadata::by("clerk"));
//! let outcome = log.append("committee-bcd", ExpectedRevision::NoStream, vec![event])?;
//! assert_eq!(log.head_position()?, outcome.last_position);
//! assert!(log.verify()?.is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Every public item is documented; CI's warnings-as-errors keeps it so.
#![warn(missing_docs)]

mod append;
mod error;
mod prepared;
mod read;
mod replicate;
mod round;
mod rows;
mod schema;
mod subscription;
#[cfg(test)]
mod tests;
mod verify;
mod writer;

use std::sync::{Mutex, MutexGuard, PoisonError};

use postgres::{Client, Config, NoTls};

pub use error::PgError;
use prepared::Prepared;
pub use schema::SCHEMA_VERSION;
pub use subscription::{PgSubscription, DEFAULT_POLL_INTERVAL};
pub use writer::PgWriter;

/// One connection to a reformlog database. Its methods take `&self` and use the connection in
/// turn; threads that should append in parallel each connect their own.
pub struct PgLog {
    client: Mutex<Client>,
    /// How this log connected, so a subscription can open a connection of its own to the same
    /// database and schema.
    config: Config,
    /// The append statements, prepared on `client` (so used only while holding it).
    prepared: Prepared,
    /// Recorded-at times handed to the next commits instead of the server's clock, so a test
    /// can give this log the times another store recorded.
    #[cfg(test)]
    forced_times: Mutex<std::collections::VecDeque<reformlog_store::Timestamp>>,
    /// Set to commit without the notification, as a writer that does not send one would.
    #[cfg(test)]
    silent: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for PgLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLog").finish_non_exhaustive()
    }
}

impl PgLog {
    /// Connects (without TLS) to the database `url` names, as `postgresql://user@host/db`
    /// or `host=... user=... dbname=...`, and brings its schema up to this build's version.
    pub fn connect(url: &str) -> Result<Self, PgError> {
        let config: Config = url.parse()?;
        Self::connect_with(&config)
    }

    /// Connects with a prepared configuration (say, one whose `options` set a `search_path`, to
    /// keep the log in a schema of its own) and brings the schema up to date.
    pub fn connect_with(config: &Config) -> Result<Self, PgError> {
        let mut client = config.connect(NoTls)?;
        // The acknowledgement is the COMMIT: it must wait for the WAL flush whatever the
        // server's or the role's default says.
        client.batch_execute("SET synchronous_commit = on")?;
        schema::migrate(&mut client)?;
        let prepared = Prepared::new(&mut client)?;
        Ok(Self {
            client: Mutex::new(client),
            config: config.clone(),
            prepared,
            #[cfg(test)]
            forced_times: Mutex::default(),
            #[cfg(test)]
            silent: std::sync::atomic::AtomicBool::new(false),
        })
    }

    fn client(&self) -> MutexGuard<'_, Client> {
        // A panic while holding the connection left no transaction open: a dropped
        // transaction rolls back.
        self.client.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the server or the network has closed this log's connection.
    fn is_closed(&self) -> bool {
        self.client().is_closed()
    }

    /// The connection with the append statements prepared on it.
    fn appending(&self) -> (MutexGuard<'_, Client>, &Prepared) {
        (self.client(), &self.prepared)
    }
}
