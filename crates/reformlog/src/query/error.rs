//! Why a question cannot be answered, and the check that an entity asked about is known.

use crate::date::Date;
use crate::ids::EntityKey;
use crate::source::Source;

/// A question that cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The question names an entity not known as of the position asked about.
    #[error("{0} is not known (as of the position asked about)")]
    NotFound(EntityKey),
    /// A period's start (`from`) is after its end (`to`).
    #[error("the date range is empty: {from} is after {to}")]
    EmptyRange {
        /// The start given.
        from: Date,
        /// The end given.
        to: Date,
    },
    /// A reminder cursor was made for a different due-soon window than asked for.
    #[error("the cursor was made for due-soon reminders {cursor} days ahead, not {asked}")]
    CursorDays {
        /// The days ahead the cursor was made with.
        cursor: u32,
        /// The days ahead asked for.
        asked: u32,
    },
    /// The due-soon window asked for is larger than
    /// [`MAX_DUE_SOON_DAYS`](crate::MAX_DUE_SOON_DAYS).
    #[error("due-soon reminders come at most {max} days ahead, not {days}")]
    DueSoonDays {
        /// The days ahead asked for.
        days: u32,
        /// The most allowed.
        max: u32,
    },
}

/// `NotFound` for an entity the source does not know: a question about a typo is not an
/// empty answer.
pub(crate) fn known(s: &dyn Source, key: EntityKey) -> Result<(), QueryError> {
    match s.header(&key) {
        Some(_) => Ok(()),
        None => Err(QueryError::NotFound(key)),
    }
}
