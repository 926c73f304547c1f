//! The read models as a [`Source`] bounded "as known at" a log position: point lookups of
//! views (refolded from the entity's own stream when it changed after the bound) and index
//! scans, so the query and decide code written for the in-memory fold runs unchanged.

use super::cache::{CachedRow, IdHash};
use super::keys;
use super::row::{corrupt, EntityRecord};
use super::state::ReadModel;
use crate::date::Timestamp;
use crate::error::Error;
use crate::event::Recorded;
use crate::ids::EntityKind;
use crate::ids::{CommitteeId, DecisionId, EntityKey, EventId, PersonId, PostId, TaskId, UnitId};
use crate::source::{Source, ViewRef, Views};
use crate::text::folded_contains;
use crate::view::{rebuild_view, EntityView};
use reformlog_store::SideTable;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// A read of the read models as known at `bound` (a position no later than the checkpoint
/// under the gate the caller holds).
///
/// The trait methods cannot fail, so the first storage or decoding error is kept and the
/// lookup answers as if the data were absent: an answer, or a domain error such as "unknown
/// committee", computed from such a lookup is wrong. So a source exists only inside
/// [`RmSource::with`], which hands back what was computed from it only once no lookup met
/// an error, and reports that error otherwise.
pub(crate) struct RmSource<'a> {
    rm: &'a ReadModel,
    /// The tree as of the gate the caller holds.
    tree: SideTable,
    bound: u64,
    /// Views looked up during this read: a composition asks for the same people, units and
    /// decisions many times, and views refolded for an earlier bound are not cached.
    memo: Memo,
    /// Views looked up by [`Views::header`] that `memo` does not hold: a committee's may
    /// lack its memberships, so `view` never answers from here.
    headers: Memo,
    error: RefCell<Option<Error>>,
}

impl<'a> RmSource<'a> {
    /// Runs `f` on the read models as known at `bound`, and returns what it computed only
    /// if every lookup it made succeeded; otherwise the first storage or decoding error,
    /// whatever `f` returned (a domain error `f` found may stem from a failed lookup).
    /// Callers hold the gate shared.
    pub(crate) fn with<T>(
        rm: &'a ReadModel,
        bound: u64,
        f: impl FnOnce(&RmSource<'a>) -> T,
    ) -> Result<T, Error> {
        let source = Self::new(rm, bound);
        let out = f(&source);
        source.finish()?;
        Ok(out)
    }

    fn new(rm: &'a ReadModel, bound: u64) -> Self {
        Self {
            rm,
            tree: rm.tree(),
            bound,
            // Room for a large composition's people, posts, units and decisions without
            // growing the table step by step.
            memo: RefCell::new(HashMap::with_capacity_and_hasher(256, IdHash::new())),
            headers: RefCell::new(HashMap::with_hasher(IdHash::new())),
            error: RefCell::new(None),
        }
    }

    /// The first error any lookup met, if any.
    fn finish(&self) -> Result<(), Error> {
        match self.error.borrow_mut().take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn keep<T>(&self, r: Result<T, Error>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                let mut slot = self.error.borrow_mut();
                if slot.is_none() {
                    *slot = Some(e);
                }
                None
            }
        }
    }

    /// The entity's view as known at the bound.
    fn load(&self, key: &EntityKey) -> Result<Option<Arc<EntityView>>, Error> {
        let row = self.rm.row(&self.tree, key)?;
        self.at_bound(key, row)
    }

    /// [`RmSource::load`] through [`ReadModel::header_row`]: a committee's view may lack
    /// its memberships.
    fn load_header(&self, key: &EntityKey) -> Result<Option<Arc<EntityView>>, Error> {
        let row = self.rm.header_row(&self.tree, key)?;
        self.at_bound(key, row)
    }

    /// The view of `row` (the entity's, as of the checkpoint) as known at the bound: none if
    /// the entity began after it, refolded from its stream if it changed after it.
    fn at_bound(
        &self,
        key: &EntityKey,
        row: Option<CachedRow>,
    ) -> Result<Option<Arc<EntityView>>, Error> {
        let Some(row) = row else {
            return Ok(None);
        };
        if row.first > self.bound {
            Ok(None)
        } else if row.last <= self.bound {
            Ok(row.view)
        } else {
            Ok(rebuild_view(&self.rm.stream_at(key, self.bound)?).map(Arc::new))
        }
    }

    /// The stream revision of the entity as known at the bound.
    pub(crate) fn revision_at(&self, key: &EntityKey) -> Result<Option<u64>, Error> {
        // The row's positions and revision are all that is needed: no membership segments.
        let Some(row) = self.rm.header_row(&self.tree, key)? else {
            return Ok(None);
        };
        if row.first > self.bound {
            Ok(None)
        } else if row.last <= self.bound {
            Ok(Some(row.revision))
        } else {
            let n = self.rm.stream_at(key, self.bound)?.len() as u64;
            Ok(n.checked_sub(1))
        }
    }

    /// Every entity of one kind known at the bound, in key order.
    pub(crate) fn keys_of_kind(&self, kind_byte: u8) -> Result<Vec<EntityKey>, Error> {
        self.keys_of_kind_after(kind_byte, None, usize::MAX)
    }

    /// Like `keys_of_kind`, from just after `after`, stopping at `max` keys.
    pub(crate) fn keys_of_kind_after(
        &self,
        kind_byte: u8,
        after: Option<EntityKey>,
        max: usize,
    ) -> Result<Vec<EntityKey>, Error> {
        let prefix = keys::entity_kind_prefix(kind_byte);
        let start = match &after {
            // The smallest key greater than `after`'s: its bytes with a zero appended.
            Some(a) => {
                let mut k = keys::entity(a);
                k.push(0);
                k
            }
            None => prefix.to_vec(),
        };
        let mut out = Vec::new();
        for item in self.rm.tree().range(start..) {
            let (k, v) = item?;
            if !k.starts_with(&prefix) || out.len() >= max {
                break;
            }
            let key = k
                .get(1..)
                .and_then(keys::parse_entity_key)
                .ok_or_else(|| corrupt("entity key"))?;
            let (first, _, _) = EntityRecord::header(&v)?;
            if first <= self.bound {
                out.push(key);
            }
        }
        Ok(out)
    }

    fn related(&self, table: u8, a: Uuid) -> Result<Vec<Uuid>, Error> {
        Ok(self.rm.related(&self.tree, table, a)?.to_vec())
    }

    fn related_or_log<T>(&self, table: u8, a: Uuid, id: fn(Uuid) -> T) -> Vec<T> {
        let r = self.related(table, a);
        let ids = self.keep(r).unwrap_or_default();
        ids.into_iter().map(id).collect()
    }

    fn citing_keys(&self, decision: DecisionId) -> Result<Vec<EntityKey>, Error> {
        let mut out = Vec::new();
        let prefix = keys::relation_prefix(keys::CITING, decision.as_uuid());
        for item in self.tree.scan_prefix(prefix) {
            let (k, _) = item?;
            out.push(keys::citing_target(&k).ok_or_else(|| corrupt("citing key"))?);
        }
        Ok(out)
    }

    fn named_keys(&self, folded_query: &str) -> Result<Vec<EntityKey>, Error> {
        // Substring search cannot use the key order, so this walks the name index: one short
        // key per name ever given, far smaller than the log.
        let mut out = Vec::new();
        for item in self.tree.scan_prefix([keys::NAMES]) {
            let (k, _) = item?;
            let (name, key) = keys::parse_name(&k).ok_or_else(|| corrupt("name key"))?;
            if folded_contains(name, folded_query) {
                out.push(key);
            }
        }
        Ok(out)
    }

    fn actor_events(
        &self,
        actor: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Recorded>, Error> {
        let tree = &self.tree;
        let prefix = keys::actor_prefix(actor);
        let start = keys::actor_from(actor, from.as_micros());
        let end = keys::actor_from(actor, to.as_micros());
        let mut runs = Vec::new();
        // Runs of one actor partition its events in log order, so only the last run starting
        // before `from` can hold events at or after it.
        if let Some(item) = tree.range_rev(prefix..start.clone()).next() {
            runs.push(item?.1);
        }
        if start < end {
            for item in tree.range(start..end) {
                runs.push(item?.1);
            }
        }
        let mut out = Vec::new();
        for run in runs {
            let entries = keys::decode_run(&run).ok_or_else(|| corrupt("actor run"))?;
            for (position, at) in entries {
                if position > self.bound || at < from.as_micros() || at >= to.as_micros() {
                    continue;
                }
                let Some(stored) = self.rm.store.read_event(position)? else {
                    continue;
                };
                if stored.metadata.actor == actor {
                    out.push(crate::codec::to_recorded(&stored)?);
                }
            }
        }
        out.sort_by_key(|r| r.meta.position);
        Ok(out)
    }

    fn event_entity(&self, id: EventId) -> Result<Option<EntityKey>, Error> {
        let Some(stored) = self.rm.store.find_event(id.as_uuid())? else {
            return Ok(None);
        };
        if stored.position > self.bound {
            return Ok(None);
        }
        Ok(EntityKey::from_stream_name(&stored.stream).ok())
    }
}

/// Views looked up during one read, by entity.
type Memo = RefCell<HashMap<EntityKey, Option<Arc<EntityView>>, IdHash>>;

impl RmSource<'_> {
    /// The view in `memo`, or loaded with `load` and kept there.
    fn memoized(
        &self,
        memo: &Memo,
        key: &EntityKey,
        load: impl FnOnce() -> Result<Option<Arc<EntityView>>, Error>,
    ) -> Option<ViewRef<'_>> {
        if let Some(v) = memo.borrow().get(key) {
            return v.clone().map(ViewRef::Shared);
        }
        let view = self.keep(load()).flatten();
        memo.borrow_mut().insert(*key, view.clone());
        view.map(ViewRef::Shared)
    }
}

impl Views for RmSource<'_> {
    fn view(&self, key: &EntityKey) -> Option<ViewRef<'_>> {
        self.memoized(&self.memo, key, || self.load(key))
    }

    fn header(&self, key: &EntityKey) -> Option<ViewRef<'_>> {
        // A whole view looked up already serves as well.
        if let Some(v) = self.memo.borrow().get(key) {
            return v.clone().map(ViewRef::Shared);
        }
        self.memoized(&self.headers, key, || self.load_header(key))
    }
}

impl Source for RmSource<'_> {
    fn for_each_task(
        &self,
        f: &mut dyn FnMut(TaskId, crate::view::TaskFacts<'_>, crate::source::TitleOrder<'_>),
    ) -> bool {
        use crate::source::TitleOrder;
        // Bound at the checkpoint: the table is exactly what is known, ranks included.
        let current = self.bound >= self.rm.checkpoint();
        let table = self.rm.tasks.with(&self.rm.store, &self.tree, |tasks| {
            let mut changed = Vec::new();
            for e in &tasks.entries {
                if current {
                    f(e.id, tasks.arenas.facts(e), TitleOrder::Rank(e.rank));
                } else if e.first > self.bound {
                    continue;
                } else if e.last <= self.bound {
                    f(e.id, tasks.arenas.facts(e), TitleOrder::Key(&e.order));
                } else {
                    changed.push(e.id);
                }
            }
            changed
        });
        let Some(changed) = self.keep(table) else {
            return false;
        };
        // Tasks changed after the bound are refolded as known at it, as `view` does.
        for id in changed {
            if let Some(view) = self.view(&EntityKey::Task(id)) {
                if let Some(t) = view.as_task() {
                    let (leads, responsibles) = (t.leads(), t.responsibles());
                    let key = crate::collate::sort_key(&t.title);
                    f(id, t.facts(&leads, &responsibles), TitleOrder::Key(&key));
                }
            }
        }
        true
    }

    fn task_count_hint(&self) -> Option<usize> {
        self.rm.tasks.len()
    }

    fn children(&self, committee: CommitteeId) -> Vec<CommitteeId> {
        // Exact, not a superset: `decide` dissolves every child it is given.
        self.related_or_log(keys::CHILDREN, committee.as_uuid(), CommitteeId::from_uuid)
            .into_iter()
            .filter(|c| {
                // The parent is in the row: no need for the child's memberships.
                self.header(&EntityKey::Committee(*c))
                    .and_then(|v| v.as_committee().map(|x| x.parent == Some(committee)))
                    .unwrap_or(false)
            })
            .collect()
    }

    fn committees_of_person(&self, person: PersonId) -> Vec<CommitteeId> {
        self.related_or_log(
            keys::PERSON_COMMITTEES,
            person.as_uuid(),
            CommitteeId::from_uuid,
        )
    }

    fn posts_of_person(&self, person: PersonId) -> Vec<EntityKey> {
        // Asked for every holder of a composition: mapped straight from the cached list.
        let r = self
            .rm
            .related(&self.tree, keys::PERSON_POSTS, person.as_uuid());
        self.keep(r).map_or_else(Vec::new, |posts| {
            posts
                .iter()
                .map(|p| EntityKey::Post(PostId::from_uuid(*p)))
                .collect()
        })
    }

    fn committees_seating_post(&self, post: PostId) -> Vec<CommitteeId> {
        self.related_or_log(
            keys::POST_COMMITTEES,
            post.as_uuid(),
            CommitteeId::from_uuid,
        )
    }

    fn tasks_of_unit(&self, unit: UnitId) -> Vec<TaskId> {
        self.related_or_log(keys::UNIT_TASKS, unit.as_uuid(), TaskId::from_uuid)
    }

    fn tasks_of_plan(&self, plan: DecisionId) -> Vec<TaskId> {
        self.related_or_log(keys::PLAN_TASKS, plan.as_uuid(), TaskId::from_uuid)
    }

    fn all_tasks(&self) -> Vec<TaskId> {
        self.entities_of_kind(EntityKind::Task)
            .into_iter()
            .filter_map(|k| match k {
                EntityKey::Task(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    fn citing(&self, decision: DecisionId) -> Vec<EntityKey> {
        let r = self.citing_keys(decision);
        self.keep(r).unwrap_or_default()
    }

    fn named(&self, folded_query: &str) -> Vec<EntityKey> {
        let r = self.named_keys(folded_query);
        self.keep(r).unwrap_or_default()
    }

    fn stream(&self, key: &EntityKey) -> Vec<Recorded> {
        let r = self.rm.stream_at(key, self.bound);
        self.keep(r).unwrap_or_default()
    }

    fn entity_of_event(&self, id: EventId) -> Option<EntityKey> {
        let r = self.event_entity(id);
        self.keep(r).flatten()
    }

    fn by_actor(&self, actor: &str, from: Timestamp, to: Timestamp) -> Vec<Recorded> {
        let r = self.actor_events(actor, from, to);
        self.keep(r).unwrap_or_default()
    }

    fn revision(&self, key: &EntityKey) -> Option<u64> {
        let r = self.revision_at(key);
        self.keep(r).flatten()
    }

    fn entities_of_kind(&self, kind: EntityKind) -> Vec<EntityKey> {
        let r = self.keys_of_kind(keys::kind_byte_of(kind));
        self.keep(r).unwrap_or_default()
    }

    fn entities_of_kind_after(
        &self,
        kind: EntityKind,
        after: Option<EntityKey>,
        max: usize,
    ) -> Vec<EntityKey> {
        let r = self.keys_of_kind_after(keys::kind_byte_of(kind), after, max);
        self.keep(r).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::ids::CommitteeId;

    #[test]
    fn a_failed_lookup_is_reported_instead_of_what_was_computed_from_it() {
        let dir = tempfile::tempdir().unwrap();
        let rm = ReadModel::open(reformlog_store::Store::open(dir.path()).unwrap()).unwrap();
        let key = EntityKey::Committee(CommitteeId::new());
        // A row too short for its header: the lookup fails and reads as "absent".
        rm.tree().insert(keys::entity(&key), [1, 2, 3]).unwrap();
        let answer = {
            let _read = rm.read();
            RmSource::with(&rm, rm.checkpoint(), |s| s.view(&key).is_none())
        };
        assert!(matches!(answer, Err(Error::Codec(_))), "{answer:?}");
        rm.tree().remove(keys::entity(&key)).unwrap();
        let _read = rm.read();
        let answer = RmSource::with(&rm, rm.checkpoint(), |s| s.view(&key).is_none());
        assert!(answer.unwrap(), "with the row gone, absent is the answer");
    }
}
