//! Reform tasks as they stood on a date: of a unit, of a plan, or overdue.

use super::refs::{decision_ref, person_ref, unit_ref, DecisionRef, PersonRef, UnitRef};
use crate::date::Date;
use crate::ids::{DecisionId, EntityKey, TaskId, UnitId};
use crate::model::TaskStatus;
use crate::source::Source;
use crate::view::TaskView;
use serde::{Deserialize, Serialize};

/// A task as it stood on a date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskOnDate {
    /// The task's id.
    pub task: TaskId,
    /// What is to be done.
    pub title: String,
    /// The expected product (a report, a plan, a regulation).
    pub product: String,
    /// The plan it belongs to, if any.
    pub plan: Option<DecisionRef>,
    /// The lead unit on the date, if assigned.
    pub lead: Option<UnitRef>,
    /// The cooperating units on the date.
    pub cooperating: Vec<UnitRef>,
    /// The responsible person on the date, if any.
    pub responsible: Option<PersonRef>,
    /// The day the task was created (assigned by its plan).
    pub created_on: Date,
    /// The deadline on the date (after any extension by then); `None` before the task was created.
    pub deadline: Option<Date>,
    /// Its status on the date.
    pub status: TaskStatus,
    /// The latest reported progress on or before the date, 0 to 100.
    pub percent: Option<u8>,
    /// Open on the date and past its deadline.
    pub overdue: bool,
    /// What makes the task's assignment or plan doubtful on the date (open tasks only).
    #[serde(default)]
    pub warnings: Vec<super::warnings::TaskWarning>,
}

/// What a task names, as answers name it on a date: its plan and whom it was assigned to.
pub(crate) struct TaskRefs {
    pub(crate) plan: Option<DecisionRef>,
    pub(crate) lead: Option<UnitRef>,
    pub(crate) cooperating: Vec<UnitRef>,
    pub(crate) responsible: Option<PersonRef>,
}

/// The plan and assignment of a task on `on`.
pub(crate) fn task_refs(s: &dyn Source, t: &TaskView, on: Date) -> TaskRefs {
    let assignment = t.assignments.at(on);
    TaskRefs {
        plan: t.plan.map(|p| decision_ref(s, p)),
        lead: assignment.map(|a| unit_ref(s, a.lead, on)),
        cooperating: assignment
            .map(|a| a.cooperating.iter().map(|u| unit_ref(s, *u, on)).collect())
            .unwrap_or_default(),
        responsible: assignment
            .and_then(|a| a.responsible)
            .map(|p| person_ref(s, p, on)),
    }
}

fn task_on(s: &dyn Source, id: TaskId, on: Date) -> Option<TaskOnDate> {
    let view = s.view(&EntityKey::Task(id))?;
    let t = view.as_task()?;
    let status = t.status_on(on)?;
    let refs = task_refs(s, t, on);
    Some(TaskOnDate {
        task: id,
        title: t.title.clone(),
        product: t.product.clone(),
        plan: refs.plan,
        lead: refs.lead,
        cooperating: refs.cooperating,
        responsible: refs.responsible,
        created_on: t.created_on,
        deadline: t.deadline_on(on),
        status,
        // A completed task is done, whatever its last report said.
        percent: match status {
            TaskStatus::Completed => Some(100),
            _ => t.progress_on(on).map(|p| p.percent),
        },
        overdue: t.overdue_on(on),
        warnings: super::warnings::task_warnings(s, t, on),
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

/// Which tasks a filtered listing keeps; every condition given must hold on the date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaskFilter {
    /// Only tasks in this status.
    pub status: Option<TaskStatus>,
    /// Only tasks past their deadline and still open (true), or not (false).
    pub overdue: Option<bool>,
    /// Only tasks this unit leads or cooperates on.
    pub unit: Option<UnitId>,
    /// With `unit`: only those it leads (true) or only those it cooperates on (false).
    pub leads: Option<bool>,
    /// Only tasks this person is responsible for.
    pub responsible: Option<crate::ids::PersonId>,
    /// Only tasks of this plan.
    pub plan: Option<DecisionId>,
    /// Only tasks whose deadline is on or after this date.
    pub deadline_from: Option<Date>,
    /// Only tasks whose deadline is on or before this date.
    pub deadline_to: Option<Date>,
    /// Only open tasks due within this many days from the date (overdue ones excluded).
    pub due_within_days: Option<u32>,
}

impl TaskFilter {
    fn keeps(&self, t: &TaskOnDate, on: Date) -> bool {
        let lead = t.lead.as_ref().map(|l| l.id);
        let unit_ok = self.unit.is_none_or(|u| {
            let leads = lead == Some(u);
            let cooperates = t.cooperating.iter().any(|c| c.id == u);
            match self.leads {
                Some(true) => leads,
                Some(false) => cooperates,
                None => leads || cooperates,
            }
        });
        let due_ok = self.due_within_days.is_none_or(|n| {
            let last = i64::from(on.julian_day()) + i64::from(n);
            t.status == TaskStatus::Open
                && t.deadline
                    .is_some_and(|d| d >= on && i64::from(d.julian_day()) <= last)
        });
        unit_ok
            && due_ok
            && self.status.is_none_or(|s| t.status == s)
            && self.overdue.is_none_or(|o| t.overdue == o)
            && self
                .responsible
                .is_none_or(|p| t.responsible.as_ref().is_some_and(|r| r.id == p))
            && self
                .plan
                .is_none_or(|p| t.plan.as_ref().is_some_and(|x| x.id == p))
            && self
                .deadline_from
                .is_none_or(|f| t.deadline.is_some_and(|d| d >= f))
            && self
                .deadline_to
                .is_none_or(|to| t.deadline.is_some_and(|d| d <= to))
    }
}

/// The tasks `filter` keeps, as they stood on `on`.
pub(crate) fn filtered_tasks(s: &dyn Source, filter: &TaskFilter, on: Date) -> Vec<TaskOnDate> {
    let mut ids = match (filter.unit, filter.plan) {
        (Some(u), _) => s.tasks_of_unit(u),
        (None, Some(p)) => s.tasks_of_plan(p),
        (None, None) => s.all_tasks(),
    };
    ids.sort();
    ids.dedup();
    let v = ids
        .into_iter()
        .filter_map(|id| task_on(s, id, on))
        .filter(|t| filter.keeps(t, on))
        .collect();
    sorted_tasks(v)
}
