//! Why a question cannot be answered, and the check that an entity asked about is known.

use crate::date::Date;
use crate::ids::EntityKey;
use crate::source::Source;

/// A question that cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    #[error("{0} is not known (as of the position asked about)")]
    NotFound(EntityKey),
    #[error("the date range is empty: {from} is after {to}")]
    EmptyRange { from: Date, to: Date },
    #[error("the cursor was made for due-soon reminders {cursor} days ahead, not {asked}")]
    CursorDays { cursor: u32, asked: u32 },
    #[error("due-soon reminders come at most {max} days ahead, not {days}")]
    DueSoonDays { days: u32, max: u32 },
}

/// `NotFound` for an entity the source does not know: a question about a typo is not an
/// empty answer.
pub(crate) fn known(s: &dyn Source, key: EntityKey) -> Result<(), QueryError> {
    match s.header(&key) {
        Some(_) => Ok(()),
        None => Err(QueryError::NotFound(key)),
    }
}
