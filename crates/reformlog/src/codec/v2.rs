//! Payload schema 2, as builds before progress reports named evidence documents wrote it:
//! read and turned into today's events, a report's free-text evidence kept as its note.
//!
//! The layout is frozen: schema 2's variants and fields in their stored order, those it shares
//! with schema 1 listed once in [`super::frozen`], and never changed again. Schema 1 is read by
//! turning it into this one.

use super::frozen::*;
use crate::event::Event;
use crate::evidence::Evidence;
use crate::payload::{DeadlineExtension, TaskAssignment, TaskProgress, TaskStatusChange};

/// A progress report as schema 2 stores it, its evidence free text.
#[derive(serde::Deserialize)]
pub(crate) struct ProgressV2 {
    pub(super) task: TaskId,
    pub(super) percent: u8,
    pub(super) note: String,
    pub(super) evidence: Option<String>,
    pub(super) on: Date,
    pub(super) decision: Option<DecisionId>,
}

impl Corrects for EventV2 {
    fn correcting(target: EventId, corrected: Box<Self>) -> Self {
        Self::Corrected(Correction { target, corrected })
    }
}

schema_1_or_2! {
    /// An event as payload schema 2 stores it.
    EventV2 into Event {
        tasks {
            TaskAssigned(TaskAssignment),
            TaskReassigned(TaskAssignment),
            TaskDeadlineExtended(DeadlineExtension),
            TaskProgressReported(ProgressV2) => |p| {
                Event::TaskProgressReported(TaskProgress {
                    task: p.task,
                    percent: p.percent,
                    note: p.note,
                    evidence: p.evidence.map(Evidence::note).unwrap_or_default(),
                    on: p.on,
                    decision: p.decision,
                })
            },
            TaskCompleted(TaskStatusChange),
            TaskCancelled(TaskStatusChange),
            TaskReopened(TaskStatusChange),
        }
    }
}
