//! Payload schema 1, as builds before task events cited decisions wrote it: read and turned
//! into schema 2's events (and through them into today's), each task event citing no decision.
//!
//! The layout is frozen: schema 1's variants and fields in their stored order, those it shares
//! with schema 2 listed once in [`super::frozen`], and never changed again.

use super::frozen::*;
use super::v2::EventV2;

schema_1_or_2! {
    /// An event as payload schema 1 stores it.
    EventV1 into EventV2 {
        tasks {
            TaskAssigned { task: TaskId, assignment: Assignment, on: Date }
                => EventV2::TaskAssigned { task, assignment, on, decision: None },
            TaskReassigned { task: TaskId, assignment: Assignment, on: Date }
                => EventV2::TaskReassigned { task, assignment, on, decision: None },
            TaskDeadlineExtended { task: TaskId, deadline: Date, on: Date }
                => EventV2::TaskDeadlineExtended { task, deadline, on, decision: None },
            TaskProgressReported {
                task: TaskId,
                percent: u8,
                note: String,
                evidence: Option<String>,
                on: Date,
            } => EventV2::TaskProgressReported {
                task,
                percent,
                note,
                evidence,
                on,
                decision: None,
            },
            TaskCompleted { task: TaskId, on: Date }
                => EventV2::TaskCompleted { task, on, decision: None },
            TaskCancelled { task: TaskId, on: Date }
                => EventV2::TaskCancelled { task, on, decision: None },
            TaskReopened { task: TaskId, on: Date }
                => EventV2::TaskReopened { task, on, decision: None },
        }
    }
}
