//! Per-entity views: what one entity's effective events say, with every attribute kept as a
//! timeline over valid time, and the rule (`evolve`) that folds one event into a view.
//!
//! `evolve` is total: an event that does not fit (say, the end of a membership that a
//! correction has since removed) is ignored rather than failing, because `decide` is where
//! inconsistent input is refused, and replaying the log must never fail.

use crate::date::Date;
use crate::ids::{
    CommitteeId, DecisionId, HoldingId, MembershipId, PersonId, PostId, SeatId, TaskId, UnitId,
};
use crate::model::{Assignment, Role, TaskStatus, UnitKind};
use crate::text::Name;
use serde::{Deserialize, Serialize};

/// Values over valid time: each entry holds from its date until the next entry's date.
/// Entries on the same date keep recording order, so the later-recorded one wins.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct Timeline<T>(pub(crate) Vec<(Date, T)>);

impl<T> Default for Timeline<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> Timeline<T> {
    pub(crate) fn starting(on: Date, value: T) -> Self {
        Self(vec![(on, value)])
    }

    pub(crate) fn insert(&mut self, on: Date, value: T) {
        let idx = self.0.partition_point(|(d, _)| *d <= on);
        self.0.insert(idx, (on, value));
    }

    /// The value in force on `on`, if any entry starts on or before it.
    pub(crate) fn at(&self, on: Date) -> Option<&T> {
        let idx = self.0.partition_point(|(d, _)| *d <= on);
        idx.checked_sub(1)
            .and_then(|i| self.0.get(i))
            .map(|(_, v)| v)
    }

    /// The value on `on`, or the earliest one for dates before the first entry (names of an
    /// entity asked about before it was established are shown as first known).
    pub(crate) fn at_or_first(&self, on: Date) -> Option<&T> {
        self.at(on).or_else(|| self.0.first().map(|(_, v)| v))
    }

    pub(crate) fn latest(&self) -> Option<&T> {
        self.0.last().map(|(_, v)| v)
    }

    pub(crate) fn last_date(&self) -> Option<Date> {
        self.0.last().map(|(d, _)| *d)
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().map(|(_, v)| v)
    }
}

/// Whether `[from, ended_on)` covers `on`.
pub(crate) fn covers(from: Date, ended_on: Option<Date>, on: Date) -> bool {
    from <= on && ended_on.is_none_or(|e| on < e)
}

/// Whether `[a0, a1)` and `[b0, b1)` share a day (`None` = open-ended).
pub(crate) fn overlaps(a0: Date, a1: Option<Date>, b0: Date, b1: Option<Date>) -> bool {
    a1.is_none_or(|a1| b0 < a1) && b1.is_none_or(|b1| a0 < b1)
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct UnitEnd {
    pub(crate) on: Date,
    pub(crate) merged_into: Option<UnitId>,
    pub(crate) decision: Option<DecisionId>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct UnitView {
    pub(crate) id: UnitId,
    pub(crate) kind: UnitKind,
    pub(crate) established_on: Date,
    pub(crate) names: Timeline<Name>,
    pub(crate) parents: Timeline<Option<UnitId>>,
    pub(crate) end: Option<UnitEnd>,
}

impl UnitView {
    pub(crate) fn alive_on(&self, on: Date) -> bool {
        covers(self.established_on, self.end.as_ref().map(|e| e.on), on)
    }

    pub(crate) fn name_on(&self, on: Date) -> Option<&Name> {
        self.names.at_or_first(on)
    }

    /// The last date on which anything about this unit changed.
    pub(crate) fn last_change(&self) -> Date {
        [self.names.last_date(), self.parents.last_date()]
            .into_iter()
            .flatten()
            .fold(self.established_on, Date::max)
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct PersonView {
    pub(crate) id: PersonId,
    pub(crate) registered_on: Date,
    pub(crate) names: Timeline<Name>,
}

impl PersonView {
    pub(crate) fn name_on(&self, on: Date) -> Option<&Name> {
        self.names.at_or_first(on)
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct Holding {
    pub(crate) id: HoldingId,
    pub(crate) person: PersonId,
    pub(crate) from: Date,
    pub(crate) ended_on: Option<Date>,
    pub(crate) decision: Option<DecisionId>,
    pub(crate) end_decision: Option<DecisionId>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct PostView {
    pub(crate) id: PostId,
    pub(crate) title: Name,
    pub(crate) unit: Option<UnitId>,
    pub(crate) max_holders: u16,
    pub(crate) created_on: Date,
    pub(crate) abolished_on: Option<Date>,
    pub(crate) holdings: Vec<Holding>,
}

impl PostView {
    pub(crate) fn alive_on(&self, on: Date) -> bool {
        covers(self.created_on, self.abolished_on, on)
    }

    pub(crate) fn holders_on(&self, on: Date) -> impl Iterator<Item = &Holding> {
        self.holdings
            .iter()
            .filter(move |h| covers(h.from, h.ended_on, on))
    }
}

/// A decision's view: its record, which only a correction replaces, and the links to its
/// published text in recording order.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct DecisionView {
    pub(crate) record: crate::payload::DecisionRecord,
    pub(crate) links: Vec<crate::payload::DecisionLink>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct Seat {
    pub(crate) id: SeatId,
    pub(crate) role: Role,
    pub(crate) on_behalf_of: Option<UnitId>,
    pub(crate) ex_officio: Option<PostId>,
    pub(crate) label: Option<String>,
    pub(crate) from: Date,
    pub(crate) ended_on: Option<Date>,
    pub(crate) decision: DecisionId,
    pub(crate) end_decision: Option<DecisionId>,
    /// For an ex-officio seat whose post several people hold at once: who of them sits,
    /// from when, by which decision, in date order. Before the first, every holder sits.
    pub(crate) designations: Vec<Designation>,
}

/// One designation of an ex-officio seat's holder.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct Designation {
    pub(crate) person: PersonId,
    pub(crate) from: Date,
    pub(crate) decision: DecisionId,
}

impl Seat {
    /// Whether a holder `person` of the seat's post on `on` sits in the seat that day: every
    /// holder before the first designation, then only the one designated last.
    pub(crate) fn seats_holder(&self, person: PersonId, on: Date) -> bool {
        match self.designations.iter().rev().find(|d| d.from <= on) {
            Some(d) => d.person == person,
            None => true,
        }
    }

    /// The periods in which `person`, while holding the post, sits in the seat: `[from,
    /// until)` with the designating decision (none before the first designation).
    pub(crate) fn sitting_periods(
        &self,
        person: PersonId,
    ) -> Vec<(Date, Option<Date>, Option<DecisionId>)> {
        let mut out = Vec::new();
        let first = self.designations.first().map(|d| d.from);
        if first.is_none_or(|f| self.from < f) {
            out.push((self.from, first, None));
        }
        for (i, d) in self.designations.iter().enumerate() {
            if d.person == person {
                let until = self.designations.get(i + 1).map(|n| n.from);
                out.push((d.from, until, Some(d.decision)));
            }
        }
        out
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct Membership {
    pub(crate) id: MembershipId,
    pub(crate) seat: SeatId,
    pub(crate) person: PersonId,
    pub(crate) from: Date,
    pub(crate) ended_on: Option<Date>,
    pub(crate) decision: DecisionId,
    pub(crate) end_decision: Option<DecisionId>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct CommitteeView {
    pub(crate) id: CommitteeId,
    pub(crate) names: Timeline<Name>,
    pub(crate) parent: Option<CommitteeId>,
    pub(crate) unit: Option<UnitId>,
    pub(crate) established_on: Date,
    pub(crate) established_by: DecisionId,
    pub(crate) dissolved_on: Option<Date>,
    pub(crate) duties: Timeline<Vec<String>>,
    pub(crate) seats: Vec<Seat>,
    pub(crate) memberships: Vec<Membership>,
}

impl CommitteeView {
    pub(crate) fn alive_on(&self, on: Date) -> bool {
        covers(self.established_on, self.dissolved_on, on)
    }

    pub(crate) fn seat(&self, id: SeatId) -> Option<&Seat> {
        self.seats.iter().find(|s| s.id == id)
    }

    pub(crate) fn membership(&self, id: MembershipId) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.id == id)
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct Progress {
    pub(crate) on: Date,
    pub(crate) percent: u8,
    pub(crate) note: String,
    pub(crate) evidence: crate::evidence::Evidence,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) struct TaskView {
    pub(crate) id: TaskId,
    pub(crate) plan: Option<DecisionId>,
    pub(crate) title: String,
    pub(crate) product: String,
    pub(crate) created_on: Date,
    pub(crate) deadlines: Timeline<Date>,
    pub(crate) assignments: Timeline<Assignment>,
    pub(crate) progress: Vec<Progress>,
    pub(crate) statuses: Timeline<TaskStatus>,
}

impl TaskView {
    pub(crate) fn status_on(&self, on: Date) -> Option<TaskStatus> {
        self.statuses.at(on).copied()
    }

    pub(crate) fn deadline_on(&self, on: Date) -> Option<Date> {
        self.deadlines.at_or_first(on).copied()
    }

    /// Past its deadline (as it stood on `on`) and neither completed nor cancelled on `on`.
    pub(crate) fn overdue_on(&self, on: Date) -> bool {
        self.status_on(on) == Some(TaskStatus::Open) && self.deadline_on(on).is_some_and(|d| d < on)
    }

    /// The lead unit's timeline, for [`TaskView::facts`].
    pub(crate) fn leads(&self) -> Vec<(Date, UnitId)> {
        self.assignments
            .0
            .iter()
            .map(|(d, a)| (*d, a.lead))
            .collect()
    }

    /// The responsible person of each assignment, for [`TaskView::facts`].
    pub(crate) fn responsibles(&self) -> Vec<Option<crate::ids::PersonId>> {
        self.assignments
            .0
            .iter()
            .map(|(_, a)| a.responsible)
            .collect()
    }

    /// What reports show of the task; `leads` is [`TaskView::leads`], `responsibles`
    /// [`TaskView::responsibles`].
    pub(crate) fn facts<'a>(
        &'a self,
        leads: &'a [(Date, UnitId)],
        responsibles: &'a [Option<crate::ids::PersonId>],
    ) -> TaskFacts<'a> {
        TaskFacts {
            title: &self.title,
            plan: self.plan,
            deadlines: &self.deadlines.0,
            statuses: &self.statuses.0,
            leads,
            responsibles,
        }
    }

    pub(crate) fn progress_on(&self, on: Date) -> Option<&Progress> {
        self.progress
            .iter()
            .filter(|p| p.on <= on)
            .max_by_key(|p| p.on)
    }
}

/// The view of any one entity.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) enum EntityView {
    Unit(UnitView),
    Person(PersonView),
    Post(PostView),
    Decision(DecisionView),
    Committee(CommitteeView),
    Task(TaskView),
}

impl EntityView {
    pub(crate) fn as_unit(&self) -> Option<&UnitView> {
        match self {
            Self::Unit(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn as_person(&self) -> Option<&PersonView> {
        match self {
            Self::Person(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn as_post(&self) -> Option<&PostView> {
        match self {
            Self::Post(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn as_decision(&self) -> Option<&DecisionView> {
        match self {
            Self::Decision(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn as_committee(&self) -> Option<&CommitteeView> {
        match self {
            Self::Committee(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn as_task(&self) -> Option<&TaskView> {
        match self {
            Self::Task(v) => Some(v),
            _ => None,
        }
    }

    /// Every name this entity has had (for the search index).
    pub(crate) fn names(&self) -> Vec<&Name> {
        match self {
            Self::Unit(v) => v.names.values().collect(),
            Self::Person(v) => v.names.values().collect(),
            Self::Post(v) => vec![&v.title],
            Self::Committee(v) => v.names.values().collect(),
            Self::Decision(_) | Self::Task(_) => Vec::new(),
        }
    }
}

mod evolve;
pub(crate) use evolve::{
    effective_events, evolve, fact_statuses, key_of, rebuild_view, FactStatus,
};

/// What reports show of a task, borrowed from its view or from the read models' table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TaskFacts<'a> {
    pub(crate) title: &'a str,
    pub(crate) plan: Option<DecisionId>,
    /// The deadline timeline (valid date, deadline).
    pub(crate) deadlines: &'a [(Date, Date)],
    pub(crate) statuses: &'a [(Date, TaskStatus)],
    /// The lead unit's timeline, from the assignments.
    pub(crate) leads: &'a [(Date, UnitId)],
    /// The responsible person of each assignment, at the same index as its lead.
    pub(crate) responsibles: &'a [Option<PersonId>],
}
