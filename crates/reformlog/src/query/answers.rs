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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Query {
    /// Who sat on a committee and its sub-bodies on a date, seat by seat; answered by
    /// [`Answer::Composition`].
    Composition {
        /// The committee asked about; an unknown one is [`QueryError::NotFound`].
        committee: CommitteeId,
        /// The valid date (`YYYY-MM-DD`).
        on: Date,
    },
    /// Every post and seat a person held, with dates; answered by [`Answer::PersonHistory`].
    PersonHistory {
        /// The person asked about; an unknown one is [`QueryError::NotFound`].
        person: PersonId,
    },
    /// What a decision changed, with the decision's own record; answered by
    /// [`Answer::DecisionChanges`].
    DecisionChanges {
        /// The decision asked about; an unknown one is [`QueryError::NotFound`].
        decision: DecisionId,
    },
    /// Who joined, left or changed seat in a committee between two dates; answered by
    /// [`Answer::CompositionDiff`].
    CompositionDiff {
        /// The committee asked about.
        committee: CommitteeId,
        /// The earlier date.
        before: Date,
        /// The later date.
        after: Date,
    },
    /// The tasks a unit leads or cooperates on, on a date; answered by [`Answer::Tasks`].
    TasksOfUnit {
        /// The unit asked about; an unknown one is [`QueryError::NotFound`].
        unit: UnitId,
        /// The valid date.
        on: Date,
    },
    /// The tasks of a plan on a date; answered by [`Answer::Tasks`].
    TasksOfPlan {
        /// The plan (a decision) asked about; an unknown one is [`QueryError::NotFound`].
        plan: DecisionId,
        /// The valid date.
        on: Date,
    },
    /// Every task open and past its deadline on a date; answered by [`Answer::Tasks`].
    OverdueTasks {
        /// The valid date.
        on: Date,
    },
    /// Every recorded change to one entity, with its standing; answered by [`Answer::History`].
    History {
        /// The entity asked about; one with no events is [`QueryError::NotFound`].
        entity: EntityKey,
    },
    /// The changes one actor recorded in a span of recorded time; answered by [`Answer::History`].
    ChangesBy {
        /// Who recorded the changes, as the log's metadata names them.
        actor: String,
        /// The start of the span (included).
        #[cfg_attr(feature = "openapi", schema(value_type = i64))]
        from: Timestamp,
        /// The end of the span (excluded).
        #[cfg_attr(feature = "openapi", schema(value_type = i64))]
        to: Timestamp,
    },
    /// People, units, posts and committees by any name they have borne; answered by
    /// [`Answer::Search`].
    Search {
        /// The text searched for; case and diacritics are ignored (`Pham Minh Tien` finds `Phạm
        /// Minh Tiến`).
        text: String,
    },
    /// The task report for a plan, a unit or everything on a date; with `from`, only the
    /// tasks due from `from` to `on`.
    TaskReport {
        /// A plan, a unit or all tasks.
        scope: ReportScope,
        /// The date the counts are taken on.
        on: Date,
        /// The start of the period of deadlines counted; a `from` after `on` is
        /// [`QueryError::EmptyRange`].
        from: Option<Date>,
    },
    /// The tasks a filter keeps on a date.
    FilteredTasks {
        /// What a task must match to be kept.
        filter: TaskFilter,
        /// The valid date.
        on: Date,
    },
    /// A unit's parent, sub-units, successor and predecessors on a date.
    UnitLineage {
        /// The unit asked about; an unknown one is [`QueryError::NotFound`].
        unit: UnitId,
        /// The valid date.
        on: Date,
    },
}

/// The answer to a [`Query`], one variant per question.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Answer {
    /// The answer to [`Query::Composition`].
    Composition(Composition),
    /// The answer to [`Query::PersonHistory`].
    PersonHistory(PersonHistory),
    /// The answer to [`Query::DecisionChanges`].
    DecisionChanges(DecisionChanges),
    /// The answer to [`Query::CompositionDiff`].
    CompositionDiff(CompositionDiff),
    /// The answer to the task listings: [`Query::TasksOfUnit`], [`Query::TasksOfPlan`],
    /// [`Query::OverdueTasks`], [`Query::FilteredTasks`].
    Tasks(Vec<TaskOnDate>),
    /// The answer to [`Query::History`] and [`Query::ChangesBy`], in recording order.
    History(Vec<HistoryEntry>),
    /// The answer to [`Query::Search`], in Vietnamese alphabetical order.
    Search(Vec<SearchHit>),
    /// The answer to [`Query::UnitLineage`].
    UnitLineage(UnitLineage),
    /// The answer to [`Query::TaskReport`].
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
