//! Tasks: what their commands record (an assignment is a reassignment once the task has a
//! lead) and the rules their events hold (open on the date, a later deadline, a percentage,
//! no reopening of an open task), with the task rules of `task_rules`.

use super::check::Subject;
use super::dates::unit_alive;
use crate::command::Command;
use crate::date::Date;
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::ids::{EntityKey, TaskId};
use crate::model::TaskStatus;
use crate::payload::{DeadlineExtension, TaskCreation, TaskProgress, TaskStatusChange};
use crate::source::Source;
use crate::view::{EntityView, TaskView};

/// The events a task's creation (text trimmed) or assignment (a reassignment once the task has
/// a lead) records; none for any other command.
pub(super) fn translate(state: &dyn Source, command: &Command) -> Result<Vec<Event>, DomainError> {
    use Command as C;
    use Event as E;
    Ok(vec![match command.clone() {
        C::CreateTask(t) => E::TaskCreated(TaskCreation {
            title: t.title.trim().to_owned(),
            product: t.product.trim().to_owned(),
            ..t
        }),
        C::AssignTask(a) => {
            let view = state
                .view(&EntityKey::Task(a.task))
                .ok_or(DomainError::UnknownTask(a.task))?;
            let has_lead = view
                .as_task()
                .is_some_and(|t| t.assignments.at(a.on).is_some());
            if has_lead {
                E::TaskReassigned(a)
            } else {
                E::TaskAssigned(a)
            }
        }
        _ => return Ok(Vec::new()),
    }])
}

/// The rules a task event holds beyond those of every event.
pub(super) fn check(subject: Subject<'_>, event: &Event) -> Result<(), DomainError> {
    let Subject { v, key, this } = subject;
    use Event as E;
    match event {
        E::TaskCreated(TaskCreation {
            title,
            assignment,
            on,
            ..
        }) => {
            crate::task_rules::check(v, this, event)?;
            if title.is_empty() {
                return Err(DomainError::Empty("task title"));
            }
            if let Some(a) = assignment {
                unit_alive(v, a.lead, *on)?;
                for u in &a.cooperating {
                    unit_alive(v, *u, *on)?;
                }
            }
        }
        E::TaskAssigned(a) | E::TaskReassigned(a) => {
            let t = task_open(this, a.task, a.on)?;
            crate::task_rules::check(v, this, event)?;
            let had = t.assignments.at(a.on).is_some();
            if had != matches!(event, E::TaskReassigned(_)) {
                return Err(DomainError::LaterChanges {
                    entity: key,
                    on: a.on,
                });
            }
            unit_alive(v, a.assignment.lead, a.on)?;
            for u in &a.assignment.cooperating {
                unit_alive(v, *u, a.on)?;
            }
        }
        E::TaskDeadlineExtended(DeadlineExtension {
            task, deadline, on, ..
        }) => {
            let t = task_open(this, *task, *on)?;
            if let Some(current) = t.deadline_on(*on) {
                if *deadline <= current {
                    return Err(DomainError::DeadlineNotLater {
                        deadline: *deadline,
                        current,
                    });
                }
            }
        }
        E::TaskProgressReported(TaskProgress {
            task,
            percent,
            evidence,
            on,
            ..
        }) => {
            if *percent > 100 {
                return Err(DomainError::InvalidPercent(*percent));
            }
            evidence.check()?;
            task_open(this, *task, *on)?;
        }
        E::TaskCompleted(TaskStatusChange { task, on, .. })
        | E::TaskCancelled(TaskStatusChange { task, on, .. }) => {
            let t = task_open(this, *task, *on)?;
            crate::task_rules::check(v, this, event)?;
            if t.statuses.last_date().is_some_and(|d| d > *on) {
                return Err(DomainError::LaterChanges {
                    entity: key,
                    on: *on,
                });
            }
        }
        E::TaskReopened(TaskStatusChange { task, on, .. }) => {
            let t = this
                .and_then(EntityView::as_task)
                .ok_or(DomainError::UnknownTask(*task))?;
            match t.status_on(*on) {
                None => {
                    return Err(DomainError::BeforeStart {
                        entity: key,
                        on: *on,
                    })
                }
                Some(TaskStatus::Open) => {
                    return Err(DomainError::TaskNotClosed {
                        task: *task,
                        on: *on,
                    })
                }
                Some(_) => {}
            }
            if t.statuses.last_date().is_some_and(|d| d > *on) {
                return Err(DomainError::LaterChanges {
                    entity: key,
                    on: *on,
                });
            }
        }
        _ => {}
    }
    Ok(())
}

fn task_open(this: Option<&EntityView>, task: TaskId, on: Date) -> Result<&TaskView, DomainError> {
    let t = this
        .and_then(EntityView::as_task)
        .ok_or(DomainError::UnknownTask(task))?;
    match t.status_on(on) {
        None => Err(DomainError::BeforeStart {
            entity: EntityKey::Task(task),
            on,
        }),
        Some(TaskStatus::Open) => Ok(t),
        Some(status) => Err(DomainError::TaskNotOpen { task, status, on }),
    }
}
