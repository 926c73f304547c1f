//! `PopoloError`: why a Popolo document cannot be imported; nothing is sent when there is one.

/// Why a Popolo document cannot be translated into commands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum PopoloError {
    /// A record that needs a decision cites none, and no `--cite` was given.
    #[error(
        "{what} cites no decision: give it a decision_id or a source {urn}<id>, or name one of \
         the file's events for the whole import with --cite (number or id)",
        urn = super::DECISION_URN
    )]
    NoDecision { what: String },
    /// `--cite` names no event of the file.
    #[error("--cite {0:?} names no event of the file (by id, number or reformlog identifier)")]
    UnknownCite(String),
    /// A reference to an id the file does not define (ids that are not UUIDs must be defined
    /// in the file; a UUID may name what an earlier file of the import records).
    #[error("{what}: {field} {id:?} names no {kind} of the file")]
    Dangling {
        what: String,
        field: &'static str,
        id: String,
        kind: &'static str,
    },
    /// Two records of one kind share an id.
    #[error("two {kind}s have the id {id:?}")]
    Duplicate { kind: &'static str, id: String },
    /// Two records of one kind with different ids resolve to one UUID (a `reformlog`
    /// identifier naming another record's id, or an id that is another's UUID).
    #[error("{kind}s {first:?} and {second:?} both resolve to the id {uuid}")]
    SameUuid {
        kind: &'static str,
        first: String,
        second: String,
        uuid: uuid::Uuid,
    },
    /// A record is missing something it needs or holds a value reformlog cannot read.
    #[error("{what}: {problem}")]
    Invalid { what: String, problem: String },
}

impl PopoloError {
    pub(crate) fn invalid(what: &str, problem: impl ToString) -> Self {
        Self::Invalid {
            what: what.to_string(),
            problem: problem.to_string(),
        }
    }
}
