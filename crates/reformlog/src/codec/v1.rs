//! Payload schema 1, as builds before task events cited decisions wrote it: read and turned
//! into schema 2's events (and through them into today's), each task event citing no decision.
//!
//! The layout is frozen: schema 1's variants and fields in their stored order, those it shares
//! with schema 2 listed once in [`super::frozen`], and never changed again.

use super::frozen::*;
use super::v2::{EventV2, ProgressV2};
use crate::payload::{DeadlineExtension, TaskAssignment, TaskStatusChange};

/// A task's assignment or reassignment as schema 1 stores it.
#[derive(serde::Deserialize)]
pub(crate) struct AssignmentV1 {
    task: TaskId,
    assignment: Assignment,
    on: Date,
}

/// A task's later deadline as schema 1 stores it.
#[derive(serde::Deserialize)]
pub(crate) struct DeadlineV1 {
    task: TaskId,
    deadline: Date,
    on: Date,
}

/// A progress report as schema 1 stores it, its evidence free text.
#[derive(serde::Deserialize)]
pub(crate) struct ProgressV1 {
    task: TaskId,
    percent: u8,
    note: String,
    evidence: Option<String>,
    on: Date,
}

/// A task completed, cancelled or reopened as schema 1 stores it.
#[derive(serde::Deserialize)]
pub(crate) struct StatusV1 {
    task: TaskId,
    on: Date,
}

impl AssignmentV1 {
    /// The assignment as schema 2 stores it: citing no decision, which schema 1 had no room for.
    fn citing_none(self) -> TaskAssignment {
        TaskAssignment {
            task: self.task,
            assignment: self.assignment,
            on: self.on,
            decision: None,
        }
    }
}

impl StatusV1 {
    /// The status change as schema 2 stores it, citing no decision.
    fn citing_none(self) -> TaskStatusChange {
        TaskStatusChange {
            task: self.task,
            on: self.on,
            decision: None,
        }
    }
}

schema_1_or_2! {
    /// An event as payload schema 1 stores it.
    EventV1 into EventV2 {
        tasks {
            TaskAssigned(AssignmentV1) => |t| EventV2::TaskAssigned(t.citing_none()),
            TaskReassigned(AssignmentV1) => |t| EventV2::TaskReassigned(t.citing_none()),
            TaskDeadlineExtended(DeadlineV1) => |t| {
                EventV2::TaskDeadlineExtended(DeadlineExtension {
                    task: t.task,
                    deadline: t.deadline,
                    on: t.on,
                    decision: None,
                })
            },
            TaskProgressReported(ProgressV1) => |p| {
                EventV2::TaskProgressReported(ProgressV2 {
                    task: p.task,
                    percent: p.percent,
                    note: p.note,
                    evidence: p.evidence,
                    on: p.on,
                    decision: None,
                })
            },
            TaskCompleted(StatusV1) => |t| EventV2::TaskCompleted(t.citing_none()),
            TaskCancelled(StatusV1) => |t| EventV2::TaskCancelled(t.citing_none()),
            TaskReopened(StatusV1) => |t| EventV2::TaskReopened(t.citing_none()),
        }
    }
}
