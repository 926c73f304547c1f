//! The errors of the embedding API: what `Reformlog` reports when a command, a query or the
//! storage underneath fails.

use crate::domain_error::DomainError;
use crate::query::error::QueryError;

/// Why a call on [`crate::Reformlog`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The command breaks an invariant or names something unknown.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The question cannot be answered.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The caller's optimistic check failed: the entity's stream is not at the revision the
    /// caller last saw (HTTP `If-Match`).
    #[error("{entity} is at revision {}, not {expected}", describe(*.actual))]
    RevisionMismatch {
        /// The stream name of the entity.
        entity: String,
        /// The revision the caller expected.
        expected: u64,
        /// The stream's revision, or `None` when it does not exist.
        actual: Option<u64>,
    },
    /// The idempotency key was already used for a different command, or with another
    /// reason or source.
    #[error("idempotency key {key:?} was already used for a different request (commands, reason or source)")]
    IdempotencyConflict {
        /// The key as given.
        key: String,
    },
    /// With per-change keys: the change at `index` of the list is recorded already, with
    /// other content (e.g. a task created again with another deadline). Record the
    /// difference as a change of its own instead.
    #[error("change {index} of the list is already recorded with other content (key {key:?})")]
    ChangeConflict {
        /// Its index in the list of commands.
        index: usize,
        /// Its change key.
        key: String,
    },
    /// With per-change keys: the change at `index` of the list breaks a domain rule.
    #[error("change {index} of the list: {source}")]
    Refused {
        /// Its index in the list of commands.
        index: usize,
        /// The rule it breaks.
        source: DomainError,
    },
    /// The change at `index` of the list takes effect after the latest date allowed.
    #[error("change {index} of the list takes effect on {date}, after the latest date allowed ({until})")]
    BeyondHorizon {
        /// Its index in the list of commands.
        index: usize,
        /// The date it takes effect on.
        date: crate::date::Date,
        /// The latest date allowed.
        until: crate::date::Date,
    },
    /// The call's options contradict each other.
    #[error("invalid options: {0}")]
    Options(&'static str),
    /// Something the call refers to is not stored.
    #[error("not found: {0}")]
    NotFound(String),
    /// The log refused the append (including the last `WrongExpectedRevision` when
    /// concurrent writers kept changing the same streams).
    #[error(transparent)]
    Append(#[from] reformlog_store::AppendError),
    /// Reading the log failed.
    #[error(transparent)]
    Read(#[from] reformlog_store::ReadError),
    /// The read-model trees could not be read or written.
    #[error(transparent)]
    Storage(#[from] reformlog_store::StorageError),
    /// A payload or a read-model entry could not be encoded or decoded.
    #[error(transparent)]
    Codec(#[from] reformlog_store::CodecError),
    /// A seed file could not be turned into commands.
    #[error(transparent)]
    Seed(#[from] crate::seed::SeedError),
}

fn describe(actual: Option<u64>) -> String {
    actual.map_or_else(|| "no stream".to_owned(), |r| r.to_string())
}

/// Why [`crate::Reformlog::open`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The event log could not be opened.
    #[error(transparent)]
    Store(#[from] reformlog_store::OpenError),
    /// The read-model tree could not be opened.
    #[error(transparent)]
    Storage(#[from] reformlog_store::StorageError),
    /// Bringing the read models up to the log failed.
    #[error("cannot bring the read models up to date: {0}")]
    ReadModel(#[source] Box<Error>),
}

impl From<Error> for OpenError {
    fn from(e: Error) -> Self {
        Self::ReadModel(Box::new(e))
    }
}
