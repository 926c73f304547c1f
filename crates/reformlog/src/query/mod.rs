//! Questions and answers over any `Source`: composition on a date, histories, diffs, tasks,
//! audit trails and name search. Every date-dependent name is the one in force on that date.
//!
//! This file names the modules, one job each, and the public types; code inside the crate
//! imports from the module that does the job.

pub(crate) mod answers;
pub(crate) mod composition;
pub(crate) mod diff;
pub(crate) mod error;
pub(crate) mod history;
pub(crate) mod person;
mod recorded_time;
pub(crate) mod refs;
pub(crate) mod reminders;
pub(crate) mod report;
pub(crate) mod search;
pub(crate) mod tasks;
pub(crate) mod warnings;

pub use answers::{Answer, Query};
pub use composition::{Composition, SeatHolding, SeatOnDate};
pub use diff::{CompositionDiff, DiffChange, DiffEntry};
pub use error::QueryError;
pub use history::{DecisionChanges, DecisionSummary, HistoryEntry, Standing};
pub use person::{ExOfficioRecord, MembershipRecord, NameFrom, PersonHistory, PositionRecord};
pub use refs::{DecisionRef, PersonRef, PostRef, TextLink, UnitRef};
pub use reminders::{
    Reminder, ReminderAsk, ReminderCursor, ReminderCursorError, ReminderKind, ReminderPage,
    DEFAULT_DUE_SOON_DAYS, MAX_DUE_SOON_DAYS,
};
pub use report::{ReportCounts, ReportLine, ReportScope, ReportStanding, TaskReport};
pub use search::SearchHit;
pub use tasks::{TaskFilter, TaskOnDate};
pub use warnings::{TaskWarning, TaskWarningCode};
