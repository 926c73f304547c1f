//! Payload schema 2, as builds before progress reports named evidence documents wrote it:
//! read and turned into today's events, a report's free-text evidence kept as its note.
//!
//! The layout is frozen: schema 2's variants and fields in their stored order, those it shares
//! with schema 1 listed once in [`super::frozen`], and never changed again. Schema 1 is read by
//! turning it into this one.

use super::frozen::*;
use crate::event::Event;
use crate::evidence::Evidence;

schema_1_or_2! {
    /// An event as payload schema 2 stores it.
    EventV2 into Event {
        tasks {
            TaskAssigned {
                task: TaskId,
                assignment: Assignment,
                on: Date,
                decision: Option<DecisionId>,
            },
            TaskReassigned {
                task: TaskId,
                assignment: Assignment,
                on: Date,
                decision: Option<DecisionId>,
            },
            TaskDeadlineExtended {
                task: TaskId,
                deadline: Date,
                on: Date,
                decision: Option<DecisionId>,
            },
            TaskProgressReported {
                task: TaskId,
                percent: u8,
                note: String,
                evidence: Option<String>,
                on: Date,
                decision: Option<DecisionId>,
            } => Event::TaskProgressReported {
                task,
                percent,
                note,
                evidence: evidence.map(Evidence::note).unwrap_or_default(),
                on,
                decision,
            },
            TaskCompleted { task: TaskId, on: Date, decision: Option<DecisionId> },
            TaskCancelled { task: TaskId, on: Date, decision: Option<DecisionId> },
            TaskReopened { task: TaskId, on: Date, decision: Option<DecisionId> },
        }
    }
}
