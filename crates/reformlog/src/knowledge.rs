//! `Knowledge`: everything a log prefix says, held in memory; the brute-force fold that
//! `decide` runs against (the public `decide` takes one) and that the read models are tested
//! against.

use crate::command::Command;
use crate::date::{Date, KnownAt, Timestamp};
use crate::decide::decide_write;
use crate::domain_error::DomainError;
use crate::event::{Event, Recorded};
use crate::ids::EntityKind;
use crate::ids::{CommitteeId, DecisionId, EntityKey, EventId, PersonId, PostId, TaskId, UnitId};
use crate::payload::DecisionRecord;
use crate::query::answers::{answer, Answer, Query};
use crate::query::composition::Composition;
use crate::query::diff::CompositionDiff;
use crate::query::error::QueryError;
use crate::query::history::{DecisionChanges, HistoryEntry};
use crate::query::person::PersonHistory;
use crate::query::search::SearchHit;
use crate::query::tasks::TaskOnDate;
use crate::source::{Source, ViewRef, Views};
use crate::text::{fold, folded_contains};
use crate::view::{evolve, rebuild_view, EntityView};
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug, Default)]
struct EntityRecord {
    raw: Vec<Recorded>,
    view: Option<EntityView>,
}

/// What the log said up to some position: every entity's raw stream and current view.
///
/// Build it with [`Knowledge::from_log`] (optionally bounded "as known at") or by
/// [`Knowledge::apply`]-ing recorded events in log order.
#[derive(Clone, Debug, Default)]
pub struct Knowledge {
    records: BTreeMap<EntityKey, EntityRecord>,
    events: HashMap<EventId, EntityKey>,
    last_position: u64,
}

impl Knowledge {
    /// Empty knowledge: the state before the first event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds the events of `log` that were known at `known_at` (all of them for `None`).
    /// `log` must be in position order. A commit is known whole or not at all: a position
    /// inside one stands for its end.
    pub fn from_log<'a>(
        log: impl IntoIterator<Item = &'a Recorded>,
        known_at: Option<KnownAt>,
    ) -> Self {
        let log: Vec<&Recorded> = log.into_iter().collect();
        let whole_commit = match known_at {
            Some(KnownAt::Position(p)) => log
                .iter()
                .take_while(|r| r.meta.position <= p)
                .last()
                .map(|r| r.meta.commit),
            _ => None,
        };
        let mut k = Self::new();
        for r in log {
            if r.known_at(known_at) || Some(r.meta.commit) == whole_commit {
                k.apply(r.clone());
            }
        }
        k
    }

    /// Folds one recorded event in; events must come in position order.
    pub fn apply(&mut self, recorded: Recorded) {
        let key = recorded.event.entity();
        self.last_position = self.last_position.max(recorded.meta.position);
        self.events.insert(recorded.meta.event_id, key);
        let record = self.records.entry(key).or_default();
        let is_fact = recorded.event.is_fact();
        let event = recorded.event.clone();
        record.raw.push(recorded);
        record.view = if is_fact {
            evolve(record.view.take(), &event)
        } else {
            // A correction may touch any earlier fact, so the view is refolded from the
            // stream; streams are per entity, so this stays small.
            rebuild_view(&record.raw)
        };
    }

    /// The highest position folded in (0 when empty).
    pub fn last_position(&self) -> u64 {
        self.last_position
    }

    /// Number of entities known.
    pub fn entity_count(&self) -> usize {
        self.records.len()
    }

    /// The stream revision of an entity: how many events its stream holds.
    pub fn stream_len(&self, key: &EntityKey) -> usize {
        self.records.get(key).map_or(0, |r| r.raw.len())
    }

    pub(crate) fn views(&self) -> impl Iterator<Item = &EntityView> {
        self.records.values().filter_map(|r| r.view.as_ref())
    }
}

impl Views for Knowledge {
    fn view(&self, key: &EntityKey) -> Option<ViewRef<'_>> {
        self.records
            .get(key)
            .and_then(|r| r.view.as_ref())
            .map(ViewRef::Borrowed)
    }
}

impl Source for Knowledge {
    fn children(&self, committee: CommitteeId) -> Vec<CommitteeId> {
        self.views()
            .filter_map(EntityView::as_committee)
            .filter(|c| c.parent == Some(committee))
            .map(|c| c.id)
            .collect()
    }

    fn committees_of_person(&self, person: PersonId) -> Vec<CommitteeId> {
        self.views()
            .filter_map(EntityView::as_committee)
            .filter(|c| c.memberships.iter().any(|m| m.person == person))
            .map(|c| c.id)
            .collect()
    }

    fn posts_of_person(&self, person: PersonId) -> Vec<EntityKey> {
        self.views()
            .filter_map(EntityView::as_post)
            .filter(|p| p.holdings.iter().any(|h| h.person == person))
            .map(|p| EntityKey::Post(p.id))
            .collect()
    }

    fn committees_seating_post(&self, post: PostId) -> Vec<CommitteeId> {
        self.views()
            .filter_map(EntityView::as_committee)
            .filter(|c| c.seats.iter().any(|s| s.ex_officio == Some(post)))
            .map(|c| c.id)
            .collect()
    }

    fn tasks_of_unit(&self, unit: UnitId) -> Vec<TaskId> {
        self.views()
            .filter_map(EntityView::as_task)
            .filter(|t| {
                t.assignments
                    .values()
                    .any(|a| a.lead == unit || a.cooperating.contains(&unit))
            })
            .map(|t| t.id)
            .collect()
    }

    fn tasks_of_plan(&self, plan: DecisionId) -> Vec<TaskId> {
        self.views()
            .filter_map(EntityView::as_task)
            .filter(|t| t.plan == Some(plan))
            .map(|t| t.id)
            .collect()
    }

    fn all_tasks(&self) -> Vec<TaskId> {
        self.views()
            .filter_map(EntityView::as_task)
            .map(|t| t.id)
            .collect()
    }

    fn citing(&self, decision: DecisionId) -> Vec<EntityKey> {
        self.records
            .iter()
            .filter(|(_, r)| {
                crate::view::effective_events(&r.raw).iter().any(|(_, e)| {
                    e.decision() == Some(decision)
                        || matches!(e, Event::DecisionRecorded(DecisionRecord { amends, replaces, repeals, .. })
                            if amends.iter().chain(replaces).chain(repeals).any(|d| *d == decision))
                })
            })
            .map(|(k, _)| *k)
            .filter(|k| *k != EntityKey::Decision(decision))
            .collect()
    }

    fn named(&self, folded_query: &str) -> Vec<EntityKey> {
        self.views()
            .filter(|v| {
                v.names()
                    .iter()
                    .any(|n| folded_contains(&fold(n.as_str()), folded_query))
            })
            .map(crate::view::key_of)
            .collect()
    }

    fn stream(&self, key: &EntityKey) -> Vec<Recorded> {
        self.records
            .get(key)
            .map(|r| r.raw.clone())
            .unwrap_or_default()
    }

    fn entity_of_event(&self, id: EventId) -> Option<EntityKey> {
        self.events.get(&id).copied()
    }

    fn by_actor(&self, actor: &str, from: Timestamp, to: Timestamp) -> Vec<Recorded> {
        let mut out: Vec<Recorded> = self
            .records
            .values()
            .flat_map(|r| r.raw.iter())
            .filter(|r| {
                r.meta.actor == actor && from <= r.meta.recorded_at && r.meta.recorded_at < to
            })
            .cloned()
            .collect();
        out.sort_by_key(|r| r.meta.position);
        out
    }

    fn revision(&self, key: &EntityKey) -> Option<u64> {
        self.records
            .get(key)
            .and_then(|r| (r.raw.len() as u64).checked_sub(1))
    }

    fn entities_of_kind(&self, kind: EntityKind) -> Vec<EntityKey> {
        self.records
            .keys()
            .filter(|k| EntityKind::of(k) == kind)
            .copied()
            .collect()
    }
}

/// Questions about what this knowledge says; see [`crate::Query`] for the list.
impl Knowledge {
    /// Answers any [`crate::Query`].
    pub fn answer(&self, query: &Query) -> Result<Answer, QueryError> {
        answer(self, query)
    }

    /// Who sat on `committee` (and its sub-bodies) on `on`, ex-officio seats resolved.
    pub fn composition(&self, committee: CommitteeId, on: Date) -> Result<Composition, QueryError> {
        crate::query::composition::composition(self, committee, on)
    }

    /// A person's names, memberships and positions over time.
    pub fn person_history(&self, person: PersonId) -> Result<PersonHistory, QueryError> {
        crate::query::person::person_history(self, person)
    }

    /// What `decision` changed.
    pub fn decision_changes(&self, decision: DecisionId) -> Result<DecisionChanges, QueryError> {
        crate::query::history::decision_changes(self, decision)
    }

    /// How the composition of `committee` differs between two dates.
    pub fn composition_diff(
        &self,
        committee: CommitteeId,
        before: Date,
        after: Date,
    ) -> Result<CompositionDiff, QueryError> {
        crate::query::diff::composition_diff(self, committee, before, after)
    }

    /// Tasks led by or shared with `unit` on `on`.
    pub fn tasks_of_unit(&self, unit: UnitId, on: Date) -> Vec<TaskOnDate> {
        crate::query::tasks::tasks_of_unit(self, unit, on)
    }

    /// Tasks of a plan on `on`.
    pub fn tasks_of_plan(&self, plan: DecisionId, on: Date) -> Vec<TaskOnDate> {
        crate::query::tasks::tasks_of_plan(self, plan, on)
    }

    /// Tasks overdue on `on`.
    pub fn overdue_tasks(&self, on: Date) -> Vec<TaskOnDate> {
        crate::query::tasks::overdue_tasks(self, on)
    }

    /// Every recorded change to one entity.
    pub fn history(&self, entity: EntityKey) -> Vec<HistoryEntry> {
        crate::query::history::history(self, entity)
    }

    /// Every change recorded by `actor` in `[from, to)`.
    pub fn changes_by(&self, actor: &str, from: Timestamp, to: Timestamp) -> Vec<HistoryEntry> {
        crate::query::history::changes_by(self, actor, from, to)
    }

    /// Name search over people, units, posts and committees.
    pub fn search(&self, text: &str) -> Vec<SearchHit> {
        crate::query::search::search(self, text)
    }

    /// What `command` would record, or why it is refused.
    pub fn decide(&self, command: &Command) -> Result<Vec<Event>, DomainError> {
        decide_write(self, command)
    }
}

/// Decides what a command means: the events to record, or why it is refused.
pub fn decide(state: &Knowledge, command: &Command) -> Result<Vec<Event>, DomainError> {
    decide_write(state, command)
}
