//! `Context`: who asks for a write, why, and on what conditions (an optimistic revision check,
//! an idempotency scheme, a latest valid date).

use crate::date::Date;
use uuid::Uuid;

/// Who asks, why, and the caller's concurrency and retry conditions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// The principal making the change (a user or a service account).
    pub actor: String,
    /// Why, in words.
    pub reason: Option<String>,
    /// The authority or document the change rests on.
    pub source: Option<String>,
    /// Groups the events of one business operation; one is made up when absent.
    pub correlation_id: Option<Uuid>,
    /// Optional optimistic check: the stream of the (first) command's main entity must be at
    /// this revision (HTTP `If-Match`).
    pub expected_revision: Option<u64>,
    /// Optional: event ids are derived from this key, so a retried command is a no-op
    /// (HTTP `Idempotency-Key`); the same key with a different command is
    /// [`crate::Error::IdempotencyConflict`].
    pub idempotency_key: Option<String>,
    /// Optional: each command is recorded at most once under its
    /// [`crate::Command::change_key`]. A command already recorded is skipped (listed in
    /// [`crate::Executed::skipped`]); one whose key was recorded with other content is
    /// [`crate::Error::ChangeConflict`]. Excludes `idempotency_key`.
    pub per_change: bool,
    /// Optional: the latest valid date a change may take effect on; an event dated later is
    /// [`crate::Error::BeyondHorizon`] (a completion typed years ahead).
    pub valid_until: Option<Date>,
}

impl Context {
    /// A context naming only the actor.
    pub fn new(actor: impl Into<String>) -> Self {
        Self {
            actor: actor.into(),
            ..Self::default()
        }
    }

    /// Says why the change is made.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Names the authority or document the change rests on.
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Groups the events with others of one business operation under `id`.
    pub fn with_correlation_id(mut self, id: Uuid) -> Self {
        self.correlation_id = Some(id);
        self
    }

    /// Refuses the write unless the main entity's stream is at `revision` (HTTP `If-Match`).
    pub fn with_expected_revision(mut self, revision: u64) -> Self {
        self.expected_revision = Some(revision);
        self
    }

    /// Derives event ids from `key`, so a retry of the same write records nothing new.
    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Records each command at most once under its change key (see [`Context::per_change`]).
    pub fn with_change_keys(mut self) -> Self {
        self.per_change = true;
        self
    }
}
