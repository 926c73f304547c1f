//! The task report an office sends upward: for a plan, a unit or everything, on a date (and
//! optionally only the tasks due in a period), counts by status, the completion rate, and
//! each task with its completion date and how many days late it is.

use super::error::QueryError;
use super::refs::{decision_ref, unit_ref, DecisionRef, UnitRef};
use crate::date::Date;
use crate::ids::{DecisionId, EntityKey, TaskId, UnitId};
use crate::model::TaskStatus;
use crate::source::{Source, TitleOrder};
use crate::view::TaskFacts;
use serde::{Deserialize, Serialize};

/// Which tasks a report covers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportScope {
    /// The tasks of one plan.
    Plan(DecisionId),
    /// The tasks a unit leads on the date.
    Unit(UnitId),
    /// Every task.
    All,
}

/// Where one task stands in a report.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStanding {
    /// Open, with its deadline not yet passed.
    Open,
    /// Open past its deadline.
    Overdue,
    /// Completed on or before its deadline.
    CompletedOnTime,
    /// Completed after its deadline.
    CompletedLate,
    /// Cancelled.
    Cancelled,
}

/// One task of a report.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportLine {
    /// The task's id.
    pub task: TaskId,
    /// The task's title.
    pub title: String,
    /// The plan it belongs to, if any.
    pub plan: Option<DecisionRef>,
    /// The lead unit on the report's date, if assigned.
    pub lead: Option<UnitRef>,
    /// The deadline as it stood on the report's date (for a completed task, on its
    /// completion date).
    pub deadline: Option<Date>,
    /// Where the task stands on the report's date.
    pub standing: ReportStanding,
    /// The day it was completed, if it stood completed on the report's date.
    pub completed_on: Option<Date>,
    /// Days past the deadline: at completion, or on the report's date for an overdue task.
    pub days_late: Option<i32>,
    /// What makes the task's assignment or plan doubtful on the report's date (open tasks).
    #[serde(default)]
    pub warnings: Vec<super::warnings::TaskWarning>,
}

/// Counts by standing.
#[derive(Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportCounts {
    /// Tasks covered by the report.
    pub total: usize,
    /// Open and not past the deadline.
    pub open: usize,
    /// Open past the deadline.
    pub overdue: usize,
    /// Completed on or before the deadline.
    pub completed_on_time: usize,
    /// Completed after the deadline.
    pub completed_late: usize,
    /// Cancelled.
    pub cancelled: usize,
}

/// The report.
#[derive(Clone, PartialEq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskReport {
    /// What the report covers: a plan, a unit or every task.
    pub scope: ReportScope,
    /// The report's date (`YYYY-MM-DD`): each task as it stood then.
    pub on: Date,
    /// With a period: only the tasks whose deadline falls from this date to `on`.
    pub from: Option<Date>,
    /// The tasks covered, counted by standing.
    pub counts: ReportCounts,
    /// Completed ÷ tasks not cancelled, in percent (one decimal); none without such tasks.
    pub completion_rate: Option<f64>,
    /// Every task covered, by deadline then title.
    pub tasks: Vec<ReportLine>,
}

// f64 is never NaN here (a ratio of counts), so equality is total.
impl Eq for TaskReport {}

/// The value of a timeline on `on`: the last entry dated on or before it (entries of one
/// date keep recording order, so the later-recorded one wins), as `Timeline::at` reads it.
fn at<T>(timeline: &[(Date, T)], on: Date) -> Option<&T> {
    let idx = timeline.partition_point(|(d, _)| *d <= on);
    idx.checked_sub(1)
        .and_then(|i| timeline.get(i))
        .map(|(_, v)| v)
}

/// The date the task was completed, if it stood completed on `on`.
fn completed_on(t: &TaskFacts<'_>, on: Date) -> Option<Date> {
    if at(t.statuses, on) != Some(&TaskStatus::Completed) {
        return None;
    }
    t.statuses
        .iter()
        .rev()
        .find(|(d, s)| *d <= on && *s == TaskStatus::Completed)
        .map(|(d, _)| *d)
}

/// The units already named in one report: a few hundred units lead 130 000 tasks.
type UnitRefs = std::collections::HashMap<UnitId, UnitRef, crate::readmodel::IdHash>;

/// The warnings already worked out in one report, by what they depend on (lead, responsible
/// person, plan): most tasks share them, so the report asks for each set once.
type Warned = std::collections::HashMap<
    (
        Option<UnitId>,
        Option<crate::ids::PersonId>,
        Option<crate::ids::DecisionId>,
    ),
    Vec<super::warnings::TaskWarning>,
>;

/// What one report remembers across its lines.
#[derive(Default)]
struct Memo {
    units: UnitRefs,
    warned: Warned,
}

fn line(
    s: &dyn Source,
    id: TaskId,
    t: &TaskFacts<'_>,
    on: Date,
    memo: &mut Memo,
) -> Option<ReportLine> {
    let status = *at(t.statuses, on)?;
    let done = completed_on(t, on);
    let when = done.unwrap_or(on);
    // As `TaskView::deadline_on`: the deadline then, or the first one before any.
    let deadline = at(t.deadlines, when)
        .or_else(|| t.deadlines.first().map(|(_, v)| v))
        .copied();
    let late = |at: Date| deadline.map(|d| at.julian_day() - d.julian_day());
    let (standing, days_late) = match status {
        TaskStatus::Cancelled => (ReportStanding::Cancelled, None),
        TaskStatus::Completed => {
            let at = done.unwrap_or(on);
            match late(at) {
                Some(n) if n > 0 => (ReportStanding::CompletedLate, Some(n)),
                _ => (ReportStanding::CompletedOnTime, None),
            }
        }
        TaskStatus::Open => match late(on) {
            Some(n) if n > 0 => (ReportStanding::Overdue, Some(n)),
            _ => (ReportStanding::Open, None),
        },
    };
    Some(ReportLine {
        task: id,
        title: t.title.to_owned(),
        plan: t.plan.map(|p| decision_ref(s, p)),
        lead: at(t.leads, on).map(|lead| {
            memo.units
                .entry(*lead)
                .or_insert_with(|| unit_ref(s, *lead, on))
                .clone()
        }),
        deadline,
        standing,
        completed_on: done,
        days_late,
        // Only an open task is warned about (as `task_warnings` does).
        warnings: if status == TaskStatus::Open {
            let i = t.leads.iter().rposition(|(d, _)| *d <= on);
            let lead = i.and_then(|i| t.leads.get(i)).map(|(_, u)| *u);
            let responsible = i.and_then(|i| t.responsibles.get(i).copied().flatten());
            memo.warned
                .entry((lead, responsible, t.plan))
                .or_insert_with(|| super::warnings::warnings_for(s, lead, responsible, t.plan, on))
                .clone()
        } else {
            Vec::new()
        },
    })
}

/// Where a line's title sorts: a rank from the source's table, or a collation key.
enum By {
    Rank(u32),
    Key(Box<[u8]>),
}

impl From<TitleOrder<'_>> for By {
    fn from(o: TitleOrder<'_>) -> Self {
        match o {
            TitleOrder::Rank(r) => By::Rank(r),
            TitleOrder::Key(k) => By::Key(k.into()),
        }
    }
}

pub(crate) fn task_report(
    s: &dyn Source,
    scope: ReportScope,
    on: Date,
    from: Option<Date>,
) -> Result<TaskReport, QueryError> {
    if let Some(from) = from {
        if from > on {
            return Err(QueryError::EmptyRange { from, to: on });
        }
    }
    let in_period = |l: &ReportLine| match from {
        Some(from) => l.deadline.is_some_and(|d| from <= d && d <= on),
        None => true,
    };
    // The lines, each in a slot it is taken from in sorted order, and beside them what they
    // sort by, so the sort moves small items, collates no title, and no line moves twice.
    let mut lines: Vec<Option<ReportLine>> = Vec::new();
    let mut memo = Memo::default();
    let mut by: Vec<(Option<Date>, By, u32)> = Vec::new();
    if scope == ReportScope::All {
        if let Some(n) = s.task_count_hint() {
            lines.reserve(n);
            by.reserve(n);
        }
    }
    let mut add = |l: ReportLine, title: By| {
        if in_period(&l) {
            by.push((l.deadline, title, lines.len() as u32));
            lines.push(Some(l));
        }
    };
    // Every task: from the source's table when it holds one (no row read per task).
    let held = scope == ReportScope::All
        && s.for_each_task(&mut |id, t, order| {
            if let Some(l) = line(s, id, &t, on, &mut memo) {
                add(l, By::from(order));
            }
        });
    if !held {
        let mut ids = match scope {
            ReportScope::Plan(p) => {
                super::error::known(s, EntityKey::Decision(p))?;
                s.tasks_of_plan(p)
            }
            ReportScope::Unit(u) => {
                super::error::known(s, EntityKey::Unit(u))?;
                s.tasks_of_unit(u)
            }
            ReportScope::All => s.all_tasks(),
        };
        ids.sort();
        ids.dedup();
        for id in ids {
            let Some(view) = s.view(&EntityKey::Task(id)) else {
                continue;
            };
            let Some(t) = view.as_task() else { continue };
            let in_scope = match scope {
                ReportScope::Plan(p) => t.plan == Some(p),
                ReportScope::Unit(u) => t.assignments.at(on).is_some_and(|a| a.lead == u),
                ReportScope::All => true,
            };
            if !in_scope {
                continue;
            }
            let (leads, responsibles) = (t.leads(), t.responsibles());
            if let Some(l) = line(s, id, &t.facts(&leads, &responsibles), on, &mut memo) {
                let key = crate::collate::sort_key(&l.title).into_boxed_slice();
                add(l, By::Key(key));
            }
        }
    }
    // By deadline, then title as `collate` orders them (its key, then the title's bytes),
    // then id. Ranks are unique and already in that title order, so with ranks alone the
    // sort compares two integers.
    let ranked: Option<Vec<(u64, u32, u32)>> = by
        .iter()
        .map(|(d, t, i)| match t {
            // No deadline first, then by day.
            By::Rank(r) => Some((
                d.map_or(0, |d| {
                    (i64::from(d.julian_day()) - i64::from(i32::MIN) + 1) as u64
                }),
                *r,
                *i,
            )),
            By::Key(_) => None,
        })
        .collect();
    let order: Vec<u32> = match ranked {
        Some(mut ranked) => {
            ranked.sort_unstable();
            ranked.into_iter().map(|(_, _, i)| i).collect()
        }
        None => {
            by.sort_unstable_by(|(da, ta, ia), (db, tb, ib)| {
                da.cmp(db).then_with(|| match (ta, tb) {
                    (By::Rank(a), By::Rank(b)) => a.cmp(b),
                    (By::Key(a), By::Key(b)) => a.cmp(b).then_with(|| {
                        let line = |i: &u32| lines.get(*i as usize).and_then(Option::as_ref);
                        match (line(ia), line(ib)) {
                            (Some(la), Some(lb)) => {
                                la.title.cmp(&lb.title).then(la.task.cmp(&lb.task))
                            }
                            _ => std::cmp::Ordering::Equal,
                        }
                    }),
                    // One source call gives ranks or keys, never both; any fixed order would do.
                    (By::Rank(_), By::Key(_)) => std::cmp::Ordering::Less,
                    (By::Key(_), By::Rank(_)) => std::cmp::Ordering::Greater,
                })
            });
            by.iter().map(|(_, _, i)| *i).collect()
        }
    };
    let mut slots = lines;
    let tasks: Vec<ReportLine> = order
        .iter()
        .filter_map(|i| slots.get_mut(*i as usize).and_then(Option::take))
        .collect();
    let mut counts = ReportCounts {
        total: tasks.len(),
        ..ReportCounts::default()
    };
    for l in &tasks {
        match l.standing {
            ReportStanding::Open => counts.open += 1,
            ReportStanding::Overdue => counts.overdue += 1,
            ReportStanding::CompletedOnTime => counts.completed_on_time += 1,
            ReportStanding::CompletedLate => counts.completed_late += 1,
            ReportStanding::Cancelled => counts.cancelled += 1,
        }
    }
    let counted = counts.total - counts.cancelled;
    let done = counts.completed_on_time + counts.completed_late;
    let completion_rate =
        (counted > 0).then(|| (done as f64 * 1000.0 / counted as f64).round() / 10.0);
    Ok(TaskReport {
        scope,
        on,
        from,
        counts,
        completion_rate,
        tasks,
    })
}
