//! Questions and answers over any `Source`: composition on a date, histories, diffs, tasks,
//! audit trails and name search. Every date-dependent name is the one in force on that date.

mod diff;
mod history;
mod person;
mod reminders;
mod report;
mod tasks;
mod warnings;

pub(crate) use diff::composition_diff;
pub use diff::{CompositionDiff, DiffChange, DiffEntry};
pub(crate) use history::{changes_by, decision_changes, history};
pub(crate) use person::person_history;
pub use person::{ExOfficioRecord, MembershipRecord, NameFrom, PersonHistory, PositionRecord};
pub(crate) use reminders::reminders;
pub use reminders::{
    Reminder, ReminderAsk, ReminderCursor, ReminderCursorError, ReminderKind, ReminderPage,
    DEFAULT_DUE_SOON_DAYS, MAX_DUE_SOON_DAYS,
};
pub use report::{ReportCounts, ReportLine, ReportScope, ReportStanding, TaskReport};
pub(crate) use tasks::{overdue_tasks, tasks_of_plan, tasks_of_unit};
pub use tasks::{TaskFilter, TaskOnDate};
pub(crate) use warnings::{task_warnings, unit_tie, warnings_for, UnitTie};
pub use warnings::{TaskWarning, TaskWarningCode};

use crate::collate::collate;
use crate::date::{Date, Timestamp};
use crate::event::Event;
use crate::ids::{
    CommitteeId, DecisionId, EntityKey, EventId, MembershipId, PersonId, PostId, SeatId, UnitId,
};
use crate::model::{DecisionKind, Role};
use crate::source::Source;
use crate::text::{fold, folded_contains, Name};
use crate::view::{covers, EntityView, Membership};
use serde::{Deserialize, Serialize};

/// A question that cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    #[error("{0} is not known (as of the position asked about)")]
    NotFound(EntityKey),
    #[error("the date range is empty: {from} is after {to}")]
    EmptyRange { from: Date, to: Date },
    #[error("the cursor was made for due-soon reminders {cursor} days ahead, not {asked}")]
    CursorDays { cursor: u32, asked: u32 },
    #[error("due-soon reminders come at most {max} days ahead, not {days}")]
    DueSoonDays { days: u32, max: u32 },
}

/// A unit, named as on the date asked about.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct UnitRef {
    pub id: UnitId,
    pub name: Option<Name>,
}

/// A person, named as on the date asked about.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct PersonRef {
    pub id: PersonId,
    pub name: Option<Name>,
}

/// A post with the unit it belongs to.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct PostRef {
    pub id: PostId,
    pub title: Option<Name>,
    pub unit: Option<UnitRef>,
}

/// A decision by number.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct DecisionRef {
    pub id: DecisionId,
    pub number: Option<String>,
}

/// Someone holding a seat on a date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct SeatHolding {
    pub person: PersonRef,
    pub since: Date,
    /// `None` for an ex-officio holder (the holding is of the post, not the seat).
    pub membership: Option<MembershipId>,
    pub decision: Option<DecisionRef>,
    /// Posts the person held on the date.
    pub positions: Vec<PostRef>,
}

/// One seat of a committee on a date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct SeatOnDate {
    pub seat: SeatId,
    pub role: Role,
    pub label: Option<String>,
    pub on_behalf_of: Option<UnitRef>,
    pub ex_officio: Option<PostRef>,
    pub holders: Vec<SeatHolding>,
    pub since: Date,
    pub decision: DecisionRef,
}

/// Who sat on a committee (and its sub-bodies) on a date.
///
/// Seats come in the order they were created, which is the order of the decisions that
/// created them and, within one decision, the order it lists them in (the `seats` of a
/// reconstitution; seats created one by one come after, in the order they were recorded).
/// Sub-bodies come in Vietnamese alphabetical order of their names on the date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct Composition {
    pub committee: CommitteeId,
    pub name: Option<Name>,
    pub on: Date,
    /// Whether the committee existed on the date.
    pub active: bool,
    pub duties: Vec<String>,
    pub seats: Vec<SeatOnDate>,
    pub sub_bodies: Vec<Composition>,
}

impl Composition {
    /// Every (committee, seat, person) on the date, sub-bodies included.
    pub fn seated(&self) -> Vec<(CommitteeId, SeatId, Option<PersonId>)> {
        let mut out = Vec::new();
        for s in &self.seats {
            if s.holders.is_empty() {
                out.push((self.committee, s.seat, None));
            }
            for h in &s.holders {
                out.push((self.committee, s.seat, Some(h.person.id)));
            }
        }
        for b in &self.sub_bodies {
            out.extend(b.seated());
        }
        out
    }

    /// Number of people holding a seat, sub-bodies included (a person counts once per seat).
    pub fn holder_count(&self) -> usize {
        self.seated().iter().filter(|(_, _, p)| p.is_some()).count()
    }
}

/// A decision's own record.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct DecisionSummary {
    pub id: DecisionId,
    pub number: String,
    pub kind: DecisionKind,
    /// The kind's Vietnamese name, e.g. "Nghị định".
    pub kind_name: String,
    pub issuer: UnitRef,
    pub signer: Option<PersonRef>,
    pub signed_on: Date,
    pub in_force_on: Date,
    /// The decision took effect before the day it was signed (retroactive effect).
    pub in_force_before_signed: bool,
    pub title: String,
    pub amends: Vec<DecisionRef>,
    pub replaces: Vec<DecisionRef>,
    pub repeals: Vec<DecisionRef>,
}

/// How a recorded event stands now.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Effective,
    CorrectedBy(EventId),
    RetractedBy(EventId),
    /// This event corrects another.
    Correction(EventId),
    /// This event retracts another.
    Retraction(EventId),
}

/// One recorded change to an entity, with its audit trail.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct HistoryEntry {
    pub entity: EntityKey,
    pub position: u64,
    /// The commit the change was recorded in: changes of one commit were made together.
    pub commit: u64,
    pub event_id: EventId,
    pub what: String,
    pub valid_from: Date,
    pub recorded_at: Timestamp,
    pub actor: String,
    pub reason: Option<String>,
    pub decision: Option<DecisionRef>,
    pub standing: Standing,
    pub event: Event,
}

/// What a decision changed: the changes citing it and, per committee, who sat there the
/// day before it took effect and on the day.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct DecisionChanges {
    pub decision: DecisionSummary,
    pub changes: Vec<HistoryEntry>,
    pub compositions: Vec<CompositionDiff>,
}

/// A name-search result.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct SearchHit {
    pub entity: EntityKey,
    /// The latest name.
    pub name: Name,
    /// The name that matched (an earlier one, if the entity was renamed).
    pub matched: Name,
}

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
    UnitLineage(crate::lineage::UnitLineage),
    TaskReport(TaskReport),
}

/// `NotFound` for an entity the source does not know: a question about a typo is not an
/// empty answer.
pub(crate) fn known(s: &dyn Source, key: EntityKey) -> Result<(), QueryError> {
    match s.header(&key) {
        Some(_) => Ok(()),
        None => Err(QueryError::NotFound(key)),
    }
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
            Answer::Tasks(tasks::filtered_tasks(s, filter, *on))
        }
        Query::TaskReport { scope, on, from } => {
            Answer::TaskReport(report::task_report(s, *scope, *on, *from)?)
        }
        Query::UnitLineage { unit, on } => {
            Answer::UnitLineage(crate::lineage::unit_lineage(s, *unit, *on)?)
        }
    })
}

pub(crate) fn unit_ref(s: &dyn Source, id: UnitId, on: Date) -> UnitRef {
    let name = s
        .view(&EntityKey::Unit(id))
        .and_then(|v| v.as_unit().and_then(|u| u.name_on(on).cloned()));
    UnitRef { id, name }
}

pub(crate) fn person_ref(s: &dyn Source, id: PersonId, on: Date) -> PersonRef {
    let name = s
        .view(&EntityKey::Person(id))
        .and_then(|v| v.as_person().and_then(|p| p.name_on(on).cloned()));
    PersonRef { id, name }
}

pub(crate) fn post_ref(s: &dyn Source, id: PostId, on: Date) -> PostRef {
    let view = s.view(&EntityKey::Post(id));
    let post = view.as_deref().and_then(EntityView::as_post);
    PostRef {
        id,
        title: post.map(|p| p.title.clone()),
        unit: post.and_then(|p| p.unit).map(|u| unit_ref(s, u, on)),
    }
}

pub(crate) fn decision_ref(s: &dyn Source, id: DecisionId) -> DecisionRef {
    let number = s
        .view(&EntityKey::Decision(id))
        .and_then(|v| v.as_decision().map(|d| d.number.clone()));
    DecisionRef { id, number }
}

pub(crate) fn positions_on(s: &dyn Source, person: PersonId, on: Date) -> Vec<PostRef> {
    let mut out = Vec::new();
    for key in s.posts_of_person(person) {
        let EntityKey::Post(post) = key else { continue };
        // The person first: a post's holdings grow with its history, most of them others'.
        let holds = s
            .view(&key)
            .and_then(|v| {
                v.as_post().map(|p| {
                    p.holdings
                        .iter()
                        .any(|h| h.person == person && covers(h.from, h.ended_on, on))
                })
            })
            .unwrap_or(false);
        if holds {
            out.push(post_ref(s, post, on));
        }
    }
    out.sort_by(|a, b| {
        collate(name_str(&a.title), name_str(&b.title)).then_with(|| a.id.cmp(&b.id))
    });
    out
}

/// A name for collation; an entity without one comes first.
fn name_str(name: &Option<Name>) -> &str {
    name.as_ref().map_or("", Name::as_str)
}

/// Who sat on `committee` (and, recursively, its sub-bodies) on `on`.
pub(crate) fn composition(
    s: &dyn Source,
    committee: CommitteeId,
    on: Date,
) -> Result<Composition, QueryError> {
    composition_depth(s, committee, on, 0)
}

fn composition_depth(
    s: &dyn Source,
    committee: CommitteeId,
    on: Date,
    depth: usize,
) -> Result<Composition, QueryError> {
    let key = EntityKey::Committee(committee);
    let view = s.view(&key).ok_or(QueryError::NotFound(key))?;
    let c = view.as_committee().ok_or(QueryError::NotFound(key))?;
    let active = c.alive_on(on);
    let mut seats = Vec::new();
    if active {
        // The memberships in force on the date, in the view's order: one pass over the
        // committee's history (a date comparison each) and nothing built per membership
        // that is not in force.
        let seated: Vec<&Membership> = c
            .memberships
            .iter()
            .filter(|m| covers(m.from, m.ended_on, on))
            .collect();
        seats.reserve(c.seats.len());
        // Seats in the view's order, which is the order they were created in (log position,
        // then the order of the events of one command): the order the decision lists them.
        for seat in c.seats.iter().filter(|x| covers(x.from, x.ended_on, on)) {
            let holders = match seat.ex_officio {
                Some(post) => s
                    .view(&EntityKey::Post(post))
                    .and_then(|v| {
                        v.as_post().map(|p| {
                            // A designation, when there is one, names which holder sits.
                            let designated = seat.designations.iter().rev().find(|d| d.from <= on);
                            p.holders_on(on)
                                .filter(|h| seat.seats_holder(h.person, on))
                                .map(|h| SeatHolding {
                                    person: person_ref(s, h.person, on),
                                    since: h
                                        .from
                                        .max(seat.from)
                                        .max(designated.map_or(seat.from, |d| d.from)),
                                    membership: None,
                                    decision: designated
                                        .map(|d| d.decision)
                                        .or(h.decision)
                                        .map(|d| decision_ref(s, d)),
                                    positions: positions_on(s, h.person, on),
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .unwrap_or_default(),
                None => seated
                    .iter()
                    .filter(|m| m.seat == seat.id)
                    .map(|m| SeatHolding {
                        person: person_ref(s, m.person, on),
                        since: m.from,
                        membership: Some(m.id),
                        decision: Some(decision_ref(s, m.decision)),
                        positions: positions_on(s, m.person, on),
                    })
                    .collect(),
            };
            seats.push(SeatOnDate {
                seat: seat.id,
                role: seat.role,
                label: seat.label.clone(),
                on_behalf_of: seat.on_behalf_of.map(|u| unit_ref(s, u, on)),
                ex_officio: seat.ex_officio.map(|p| post_ref(s, p, on)),
                holders,
                since: seat.from,
                decision: decision_ref(s, seat.decision),
            });
        }
    }
    let mut sub_bodies = Vec::new();
    // Sub-bodies nest a level or two in practice; the bound only guards against a cycle.
    if depth < 16 {
        let mut children: Vec<CommitteeId> = s
            .children(committee)
            .into_iter()
            .filter(|child| {
                s.view(&EntityKey::Committee(*child))
                    .and_then(|v| v.as_committee().map(|x| x.parent == Some(committee)))
                    .unwrap_or(false)
            })
            .collect();
        children.sort();
        children.dedup();
        for child in children {
            let sub = composition_depth(s, child, on, depth + 1)?;
            if sub.active {
                sub_bodies.push(sub);
            }
        }
        // A list of committees: by name, as a Vietnamese reader looks one up.
        sub_bodies.sort_by(|a, b| {
            collate(name_str(&a.name), name_str(&b.name))
                .then_with(|| a.committee.cmp(&b.committee))
        });
    }
    Ok(Composition {
        committee,
        name: c.names.at_or_first(on).cloned(),
        on,
        active,
        duties: c.duties.at(on).cloned().unwrap_or_default(),
        seats,
        sub_bodies,
    })
}

/// People, units, posts and committees whose name (any they have borne) matches `text`,
/// ignoring case, diacritics and Unicode normal form.
pub(crate) fn search(s: &dyn Source, text: &str) -> Vec<SearchHit> {
    let needle = fold(text);
    if needle.is_empty() {
        return Vec::new();
    }
    let mut keys = s.named(&needle);
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        let Some(view) = s.view(&key) else { continue };
        let names = view.names();
        let Some(matched) = names
            .iter()
            .rev()
            .find(|n| folded_contains(&n.folded(), &needle))
        else {
            continue;
        };
        let latest = match view.as_ref() {
            EntityView::Unit(u) => u.names.latest().cloned(),
            EntityView::Person(p) => p.names.latest().cloned(),
            EntityView::Committee(c) => c.names.latest().cloned(),
            EntityView::Post(p) => Some(p.title.clone()),
            _ => None,
        };
        out.push(SearchHit {
            entity: key,
            name: latest.unwrap_or_else(|| (*matched).clone()),
            matched: (*matched).clone(),
        });
    }
    out.sort_by(|a, b| {
        collate(a.name.as_str(), b.name.as_str()).then_with(|| a.entity.cmp(&b.entity))
    });
    out
}
