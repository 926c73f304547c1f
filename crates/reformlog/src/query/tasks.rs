//! Reform tasks as they stood on a date: of a unit, of a plan, or overdue.

use super::{decision_ref, person_ref, unit_ref, DecisionRef, PersonRef, UnitRef};
use crate::date::Date;
use crate::ids::{DecisionId, EntityKey, TaskId, UnitId};
use crate::model::TaskStatus;
use crate::source::Source;
use serde::{Deserialize, Serialize};

/// A task as it stood on a date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct TaskOnDate {
    pub task: TaskId,
    pub title: String,
    pub product: String,
    pub plan: Option<DecisionRef>,
    pub lead: Option<UnitRef>,
    pub cooperating: Vec<UnitRef>,
    pub responsible: Option<PersonRef>,
    pub deadline: Option<Date>,
    pub status: TaskStatus,
    pub percent: Option<u8>,
    pub overdue: bool,
}

fn task_on(s: &dyn Source, id: TaskId, on: Date) -> Option<TaskOnDate> {
    let view = s.view(&EntityKey::Task(id))?;
    let t = view.as_task()?;
    let status = t.status_on(on)?;
    let assignment = t.assignments.at(on);
    Some(TaskOnDate {
        task: id,
        title: t.title.clone(),
        product: t.product.clone(),
        plan: t.plan.map(|p| decision_ref(s, p)),
        lead: assignment.map(|a| unit_ref(s, a.lead, on)),
        cooperating: assignment
            .map(|a| a.cooperating.iter().map(|u| unit_ref(s, *u, on)).collect())
            .unwrap_or_default(),
        responsible: assignment
            .and_then(|a| a.responsible)
            .map(|p| person_ref(s, p, on)),
        deadline: t.deadline_on(on),
        status,
        // A completed task is done, whatever its last report said.
        percent: match status {
            TaskStatus::Completed => Some(100),
            _ => t.progress_on(on).map(|p| p.percent),
        },
        overdue: t.overdue_on(on),
    })
}

/// By deadline, then by title as Vietnamese sorts it (so "NV01" before "NV02"), then by id.
fn sorted_tasks(mut v: Vec<TaskOnDate>) -> Vec<TaskOnDate> {
    v.sort_by(|a, b| {
        a.deadline
            .cmp(&b.deadline)
            .then_with(|| crate::collate::collate(&a.title, &b.title))
            .then(a.task.cmp(&b.task))
    });
    v
}

/// Tasks led by or shared with `unit` on `on`.
pub(crate) fn tasks_of_unit(s: &dyn Source, unit: UnitId, on: Date) -> Vec<TaskOnDate> {
    let mut ids = s.tasks_of_unit(unit);
    ids.sort();
    ids.dedup();
    let v = ids
        .into_iter()
        .filter_map(|id| task_on(s, id, on))
        .filter(|t| {
            t.lead.as_ref().is_some_and(|l| l.id == unit)
                || t.cooperating.iter().any(|c| c.id == unit)
        })
        .collect();
    sorted_tasks(v)
}

pub(crate) fn tasks_of_plan(s: &dyn Source, plan: DecisionId, on: Date) -> Vec<TaskOnDate> {
    let mut ids = s.tasks_of_plan(plan);
    ids.sort();
    ids.dedup();
    let v = ids
        .into_iter()
        .filter_map(|id| task_on(s, id, on))
        .filter(|t| t.plan.as_ref().is_some_and(|p| p.id == plan))
        .collect();
    sorted_tasks(v)
}

pub(crate) fn overdue_tasks(s: &dyn Source, on: Date) -> Vec<TaskOnDate> {
    let mut ids = s.all_tasks();
    ids.sort();
    ids.dedup();
    let v = ids
        .into_iter()
        .filter_map(|id| task_on(s, id, on))
        .filter(|t| t.overdue)
        .collect();
    sorted_tasks(v)
}
