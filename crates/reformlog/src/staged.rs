//! A [`Source`] with decided-but-not-yet-appended events laid over it, so that several
//! commands can be decided in sequence and appended as one atomic batch.

use crate::date::Timestamp;
use crate::event::{Event, EventMeta, Recorded};
use crate::ids::EntityKind;
use crate::ids::{CommitteeId, DecisionId, EntityKey, EventId, PersonId, PostId, TaskId, UnitId};
use crate::source::{Source, ViewRef, Views};
use crate::view::{evolve, rebuild_view, EntityView};
use std::collections::{BTreeMap, HashMap};

/// The base state plus staged events. Index answers are the base's plus every staged entity
/// of the right kind (a superset, which query callers re-check); `children` is filtered by
/// the staged views so it stays exact.
pub(crate) struct Staged<'a> {
    base: &'a dyn Source,
    views: BTreeMap<EntityKey, Option<EntityView>>,
    pending: HashMap<EntityKey, Vec<Recorded>>,
    ids: HashMap<EventId, EntityKey>,
    next_position: u64,
}

impl<'a> Staged<'a> {
    /// Staged events get positions after `base_position`, as they will in the log.
    pub(crate) fn new(base: &'a dyn Source, base_position: u64) -> Self {
        Self {
            base,
            views: BTreeMap::new(),
            pending: HashMap::new(),
            ids: HashMap::new(),
            next_position: base_position + 1,
        }
    }

    /// Lays one decided event over the state.
    pub(crate) fn stage(&mut self, id: EventId, event: &Event, actor: &str) {
        let key = event.entity();
        let recorded = Recorded {
            meta: EventMeta {
                position: self.next_position,
                // Not known until the append either; every staged event shares it.
                commit: u64::MAX,
                event_id: id,
                // Not known until the append; `decide` never reads it.
                recorded_at: Timestamp::from_micros(i64::MAX),
                actor: actor.to_owned(),
                reason: None,
            },
            event: event.clone(),
        };
        self.next_position += 1;
        self.ids.insert(id, key);
        self.pending.entry(key).or_default().push(recorded);
        let view = if event.is_fact() {
            let current = match self.views.remove(&key) {
                Some(v) => v,
                None => self.base.view(&key).map(ViewRef::into_owned),
            };
            evolve(current, event)
        } else {
            rebuild_view(&self.stream(&key))
        };
        self.views.insert(key, view);
    }

    fn staged_of_kind(&self, kind: EntityKind) -> impl Iterator<Item = EntityKey> + '_ {
        self.views
            .keys()
            .copied()
            .filter(move |k| EntityKind::of(k) == kind)
    }
}

fn with<T: Ord>(mut base: Vec<T>, extra: impl Iterator<Item = T>) -> Vec<T> {
    base.extend(extra);
    base.sort();
    base.dedup();
    base
}

impl Views for Staged<'_> {
    fn view(&self, key: &EntityKey) -> Option<ViewRef<'_>> {
        match self.views.get(key) {
            Some(v) => v.as_ref().map(ViewRef::Borrowed),
            None => self.base.view(key),
        }
    }
}

impl Source for Staged<'_> {
    fn children(&self, committee: CommitteeId) -> Vec<CommitteeId> {
        let candidates = with(
            self.base.children(committee),
            self.staged_of_kind(EntityKind::Committee)
                .filter_map(|k| match k {
                    EntityKey::Committee(c) => Some(c),
                    _ => None,
                }),
        );
        candidates
            .into_iter()
            .filter(|c| {
                self.view(&EntityKey::Committee(*c))
                    .and_then(|v| v.as_committee().map(|x| x.parent == Some(committee)))
                    .unwrap_or(false)
            })
            .collect()
    }

    fn committees_of_person(&self, person: PersonId) -> Vec<CommitteeId> {
        with(
            self.base.committees_of_person(person),
            self.staged_of_kind(EntityKind::Committee)
                .filter_map(|k| match k {
                    EntityKey::Committee(c) => Some(c),
                    _ => None,
                }),
        )
    }

    fn posts_of_person(&self, person: PersonId) -> Vec<EntityKey> {
        with(
            self.base.posts_of_person(person),
            self.staged_of_kind(EntityKind::Post),
        )
    }

    fn committees_seating_post(&self, post: PostId) -> Vec<CommitteeId> {
        with(
            self.base.committees_seating_post(post),
            self.staged_of_kind(EntityKind::Committee)
                .filter_map(|k| match k {
                    EntityKey::Committee(c) => Some(c),
                    _ => None,
                }),
        )
    }

    fn tasks_of_unit(&self, unit: UnitId) -> Vec<TaskId> {
        with(self.base.tasks_of_unit(unit), self.staged_tasks())
    }

    fn tasks_of_plan(&self, plan: DecisionId) -> Vec<TaskId> {
        with(self.base.tasks_of_plan(plan), self.staged_tasks())
    }

    fn all_tasks(&self) -> Vec<TaskId> {
        with(self.base.all_tasks(), self.staged_tasks())
    }

    fn citing(&self, decision: DecisionId) -> Vec<EntityKey> {
        with(self.base.citing(decision), self.views.keys().copied())
    }

    fn named(&self, folded_query: &str) -> Vec<EntityKey> {
        with(self.base.named(folded_query), self.views.keys().copied())
    }

    fn stream(&self, key: &EntityKey) -> Vec<Recorded> {
        let mut raw = self.base.stream(key);
        if let Some(p) = self.pending.get(key) {
            raw.extend(p.iter().cloned());
        }
        raw
    }

    fn entity_of_event(&self, id: EventId) -> Option<EntityKey> {
        self.ids
            .get(&id)
            .copied()
            .or_else(|| self.base.entity_of_event(id))
    }

    fn by_actor(&self, actor: &str, from: Timestamp, to: Timestamp) -> Vec<Recorded> {
        // Staged events have no recorded time yet, so no time range holds them.
        self.base.by_actor(actor, from, to)
    }

    fn revision(&self, key: &EntityKey) -> Option<u64> {
        let staged = self.pending.get(key).map_or(0, |p| p.len() as u64);
        match (self.base.revision(key), staged) {
            (base, 0) => base,
            (Some(r), n) => Some(r + n),
            (None, n) => Some(n - 1),
        }
    }

    fn entities_of_kind(&self, kind: EntityKind) -> Vec<EntityKey> {
        with(self.base.entities_of_kind(kind), self.staged_of_kind(kind))
    }
}

impl Staged<'_> {
    fn staged_tasks(&self) -> impl Iterator<Item = TaskId> + '_ {
        self.staged_of_kind(EntityKind::Task)
            .filter_map(|k| match k {
                EntityKey::Task(t) => Some(t),
                _ => None,
            })
    }
}
