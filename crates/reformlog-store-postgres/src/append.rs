//! Appending one commit on the log's own connection: a round of one (see `round`), and the
//! test hooks the rounds read (forced recorded-at times, commits that notify nobody).

use reformlog_store::raw::validate_appends;
use reformlog_store::{AppendOutcome, ExpectedRevision, NewEvent, StreamAppend, Timestamp};

use crate::error::PgError;
use crate::rows;
use crate::PgLog;

impl PgLog {
    /// Appends events to one stream as one commit; when this returns `Ok`, PostgreSQL has
    /// committed it durably.
    pub fn append(
        &self,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, PgError> {
        self.append_multi(vec![StreamAppend::new(stream, expected, events)])
    }

    /// Appends to several streams as one commit, all or nothing: every stream's condition holds
    /// and all events get consecutive positions, one commit number and one recorded-at time,
    /// or nothing is written. The same events again give the earlier outcome
    /// (`deduplicated`); a stored event id with other content is refused as the sled store
    /// refuses it.
    pub fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<AppendOutcome, PgError> {
        validate_appends(&appends)?;
        // A round of one: the same checks, numbering and write as a `PgWriter`'s rounds.
        let mut answers = self.run_round(std::slice::from_ref(&appends))?;
        match answers.pop() {
            Some(answer) => Ok(answer?),
            None => Err(rows::corrupt("a round", "no answer for its commit")),
        }
    }

    #[cfg(test)]
    pub(crate) fn forced_time(&self) -> Option<Timestamp> {
        self.forced_times
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop_front()
    }

    #[cfg(not(test))]
    pub(crate) fn forced_time(&self) -> Option<Timestamp> {
        None
    }

    #[cfg(test)]
    pub(crate) fn notifies(&self) -> bool {
        !self.silent.load(std::sync::atomic::Ordering::Relaxed)
    }

    #[cfg(not(test))]
    pub(crate) fn notifies(&self) -> bool {
        true
    }

    /// Makes this log's next commits send no notification.
    #[cfg(test)]
    pub(crate) fn suppress_notifications(&self) {
        self.silent
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Gives the next commits these recorded-at times instead of the server's clock.
    #[cfg(test)]
    pub(crate) fn force_recorded_at(&self, times: impl IntoIterator<Item = Timestamp>) {
        self.forced_times
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(times);
    }
}
