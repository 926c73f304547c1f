//! The PostgreSQL backend's errors: the store's own refusals, and what only PostgreSQL causes.

use reformlog_store::{AppendError, CorruptionError};

/// Why a call on a [`PgLog`](crate::PgLog) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgError {
    /// The append was refused for the reasons the sled store refuses one (a wrong expected
    /// revision, a reused event id, invalid input), with the same error; nothing was written.
    #[error(transparent)]
    Append(#[from] AppendError),
    /// The database holds a schema written by a newer build; this build would misread it.
    #[error("the database's reformlog schema is version {found}, newer than this build supports ({supported})")]
    NewerSchema {
        /// The version in `reformlog_schema`.
        found: i32,
        /// The newest version this build knows.
        supported: i32,
    },
    /// A commit recorded by another log does not continue this one where it ends (its number,
    /// position, revisions, event ids, time, hash links or hashes); nothing was written.
    #[error("the recorded commit does not continue this log: {0}")]
    Mismatch(String),
    /// A stored row is not what the store wrote (a value out of range, a hash of the wrong
    /// length, metadata that does not decode).
    #[error(transparent)]
    Corrupt(#[from] CorruptionError),
    /// The connection failed while PostgreSQL was committing: the commit may or may not have
    /// happened. Retrying with the same event ids settles it (the retry is written, or is found
    /// to be a duplicate of the commit that happened). A [`PgWriter`](crate::PgWriter)'s round
    /// that loses its `COMMIT` gives every append of the round this error, sharing the one
    /// connection error.
    #[error("the connection failed during COMMIT; whether the commit happened is not known ({0})")]
    OutcomeUnknown(#[source] std::sync::Arc<postgres::Error>),
    /// A subscription's connection was lost (closed, broken, or ended by the server); the
    /// subscription is over. Every event up to `last_seen` was delivered or passed over by its
    /// filter: a new subscription from [`SubscribeFrom::After`](reformlog_store::SubscribeFrom)
    /// `last_seen` carries on with no gap and no duplicate.
    #[error("the subscription's connection was lost after position {last_seen} ({source})")]
    SubscriptionLost {
        /// The last position delivered or passed over.
        last_seen: u64,
        /// The connection's error, shared by every call made after it.
        #[source]
        source: std::sync::Arc<postgres::Error>,
    },
    /// PostgreSQL or the connection to it failed; the transaction was rolled back.
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
}

impl PgError {
    /// The store's refusal, when this is one.
    pub fn as_append(&self) -> Option<&AppendError> {
        match self {
            PgError::Append(e) => Some(e),
            _ => None,
        }
    }
}
