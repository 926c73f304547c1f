//! The rules a reform task's events keep beyond its status: a plan in force and of the plan
//! kind, a product, a lead that is not also cooperating, a responsible person on record and
//! not gone from the lead unit, a deadline after creation, and no completion before a
//! progress report.

use crate::date::Date;
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::ids::EntityKey;
use crate::model::{Assignment, DecisionKind};
use crate::payload::{TaskAssignment, TaskCreation, TaskStatusChange};
use crate::query::warnings::{unit_tie, UnitTie};
use crate::source::{Source, Views};
use crate::view::EntityView;

/// Checks `event` (a task event) on the state `v`, with `this` the task's view before it.
pub(crate) fn check(
    v: &dyn Views,
    this: Option<&EntityView>,
    event: &Event,
) -> Result<(), DomainError> {
    use Event as E;
    match event {
        E::TaskCreated(TaskCreation {
            task,
            plan,
            product,
            deadline,
            assignment,
            on,
            ..
        }) => {
            if product.trim().is_empty() {
                return Err(DomainError::Empty("task product"));
            }
            if deadline < on {
                return Err(DomainError::DeadlineBeforeCreation {
                    task: *task,
                    deadline: *deadline,
                    created: *on,
                });
            }
            if let Some(p) = plan {
                let view = v.view(&EntityKey::Decision(*p));
                if let Some(d) = view
                    .as_deref()
                    .and_then(EntityView::as_decision)
                    .map(|d| &d.record)
                {
                    if d.kind != DecisionKind::Plan {
                        return Err(DomainError::NotAPlan {
                            decision: *p,
                            kind: d.kind,
                        });
                    }
                    if *on < d.in_force_on {
                        return Err(DomainError::PlanNotInForce {
                            plan: *p,
                            in_force_on: d.in_force_on,
                            on: *on,
                        });
                    }
                }
            }
            if let Some(a) = assignment {
                check_assignment(v, a, *on)?;
            }
        }
        E::TaskAssigned(TaskAssignment { assignment, on, .. })
        | E::TaskReassigned(TaskAssignment { assignment, on, .. }) => {
            check_assignment(v, assignment, *on)?;
        }
        E::TaskCompleted(TaskStatusChange { task, on, .. }) => {
            if let Some(t) = this.and_then(EntityView::as_task) {
                if let Some(p) = t.progress.iter().find(|p| p.on > *on) {
                    return Err(DomainError::ProgressAfterCompletion {
                        task: *task,
                        reported: p.on,
                        completed: *on,
                    });
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// A lead that does not also cooperate, each cooperating unit once, and a responsible person
/// registered by `on`.
fn check_assignment(v: &dyn Views, a: &Assignment, on: Date) -> Result<(), DomainError> {
    if a.cooperating.contains(&a.lead) {
        return Err(DomainError::LeadAlsoCooperating(a.lead));
    }
    for (i, u) in a.cooperating.iter().enumerate() {
        if a.cooperating[..i].contains(u) {
            return Err(DomainError::DuplicateId(u.to_string()));
        }
    }
    if let Some(p) = a.responsible {
        let key = EntityKey::Person(p);
        let view = v.view(&key).ok_or(DomainError::UnknownPerson(p))?;
        if let Some(person) = view.as_person() {
            if on < person.registered_on {
                return Err(DomainError::BeforeStart { entity: key, on });
            }
        }
    }
    Ok(())
}

/// The assignment an event makes, with its date.
pub(crate) fn assignment_of(event: &Event) -> Option<(&Assignment, Date)> {
    match event {
        Event::TaskCreated(TaskCreation {
            assignment: Some(a),
            on,
            ..
        })
        | Event::TaskAssigned(TaskAssignment {
            assignment: a, on, ..
        })
        | Event::TaskReassigned(TaskAssignment {
            assignment: a, on, ..
        }) => Some((a, *on)),
        _ => None,
    }
}

/// A responsible person is not one who has left every post of the lead unit by the date of
/// the assignment: a person on record as gone from the unit is a mistake of person or date.
/// One who never held a post there is accepted (their posts may simply not be on record);
/// answers warn about both, and about a person who leaves after being assigned.
pub(crate) fn check_responsible(s: &dyn Source, event: &Event) -> Result<(), DomainError> {
    let Some((a, on)) = assignment_of(event) else {
        return Ok(());
    };
    let Some(person) = a.responsible else {
        return Ok(());
    };
    match unit_tie(s, person, a.lead, on) {
        UnitTie::Left(left_on) => Err(DomainError::ResponsibleLeftUnit {
            person,
            unit: a.lead,
            left_on,
            on,
        }),
        UnitTie::Holds | UnitTie::Never => Ok(()),
    }
}
