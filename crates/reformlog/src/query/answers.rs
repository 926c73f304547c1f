//! Every question the library answers as data (`Query`, for a daemon to take as JSON), its
//! `Answer`, and `answer`, which hands each question to the module that answers it.

use super::composition::{composition, Composition};
use super::diff::{composition_diff, CompositionDiff};
use super::error::{known, QueryError};
use super::history::{changes_by, decision_changes, history, DecisionChanges, HistoryEntry};
use super::person::{person_history, PersonHistory};
use super::report::{task_report, ReportScope, TaskReport};
use super::search::{search, SearchHit};
use super::tasks::{filtered_tasks, overdue_tasks, tasks_of_plan, tasks_of_unit};
use super::tasks::{TaskFilter, TaskOnDate};
use crate::date::{Date, Timestamp};
use crate::ids::{CommitteeId, DecisionId, EntityKey, PersonId, UnitId};
use crate::lineage::{unit_lineage, UnitLineage};
use crate::source::Source;
use serde::{Deserialize, Serialize};

/// Every question the library answers, as data (for a daemon to take as JSON).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Debug)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Query {
    Composition {
        committee: CommitteeId,
        on: Date,
    },
    PersonHistory {
        person: PersonId,
    },
    DecisionChanges {
        decision: DecisionId,
    },
    CompositionDiff {
        committee: CommitteeId,
        before: Date,
        after: Date,
    },
    TasksOfUnit {
        unit: UnitId,
        on: Date,
    },
    TasksOfPlan {
        plan: DecisionId,
        on: Date,
    },
    OverdueTasks {
        on: Date,
    },
    History {
        entity: EntityKey,
    },
    ChangesBy {
        actor: String,
        from: Timestamp,
        to: Timestamp,
    },
    Search {
        text: String,
    },
    /// The task report for a plan, a unit or everything on a date; with `from`, only the
    /// tasks due from `from` to `on`.
    TaskReport {
        scope: ReportScope,
        on: Date,
        from: Option<Date>,
    },
    /// The tasks a filter keeps on a date.
    FilteredTasks {
        filter: TaskFilter,
        on: Date,
    },
    /// A unit's parent, sub-units, successor and predecessors on a date.
    UnitLineage {
        unit: UnitId,
        on: Date,
    },
}

/// The answer to a [`Query`], one variant per question.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Answer {
    Composition(Composition),
    PersonHistory(PersonHistory),
    DecisionChanges(DecisionChanges),
    CompositionDiff(CompositionDiff),
    Tasks(Vec<TaskOnDate>),
    History(Vec<HistoryEntry>),
    Search(Vec<SearchHit>),
    UnitLineage(UnitLineage),
    TaskReport(TaskReport),
}

pub(crate) fn answer(s: &dyn Source, q: &Query) -> Result<Answer, QueryError> {
    Ok(match q {
        Query::Composition { committee, on } => {
            Answer::Composition(composition(s, *committee, *on)?)
        }
        Query::PersonHistory { person } => Answer::PersonHistory(person_history(s, *person)?),
        Query::DecisionChanges { decision } => {
            Answer::DecisionChanges(decision_changes(s, *decision)?)
        }
        Query::CompositionDiff {
            committee,
            before,
            after,
        } => Answer::CompositionDiff(composition_diff(s, *committee, *before, *after)?),
        Query::TasksOfUnit { unit, on } => {
            known(s, EntityKey::Unit(*unit))?;
            Answer::Tasks(tasks_of_unit(s, *unit, *on))
        }
        Query::TasksOfPlan { plan, on } => {
            known(s, EntityKey::Decision(*plan))?;
            Answer::Tasks(tasks_of_plan(s, *plan, *on))
        }
        Query::OverdueTasks { on } => Answer::Tasks(overdue_tasks(s, *on)),
        Query::History { entity } => {
            let entries = history(s, *entity);
            if entries.is_empty() {
                return Err(QueryError::NotFound(*entity));
            }
            Answer::History(entries)
        }
        Query::ChangesBy { actor, from, to } => Answer::History(changes_by(s, actor, *from, *to)),
        Query::Search { text } => Answer::Search(search(s, text)),
        Query::FilteredTasks { filter, on } => {
            if let Some(u) = filter.unit {
                known(s, EntityKey::Unit(u))?;
            }
            if let Some(p) = filter.plan {
                known(s, EntityKey::Decision(p))?;
            }
            if let Some(p) = filter.responsible {
                known(s, EntityKey::Person(p))?;
            }
            Answer::Tasks(filtered_tasks(s, filter, *on))
        }
        Query::TaskReport { scope, on, from } => {
            Answer::TaskReport(task_report(s, *scope, *on, *from)?)
        }
        Query::UnitLineage { unit, on } => Answer::UnitLineage(unit_lineage(s, *unit, *on)?),
    })
}
