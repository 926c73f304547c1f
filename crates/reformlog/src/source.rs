//! The read interface that both the in-memory fold and the sled read models offer, so that
//! invariant checks and queries are written once.
//!
//! Index methods may return a superset (ids that were related at some point as known now);
//! callers re-check every candidate against its view, which is exact for the chosen
//! "known at" bound. `children` is the exception: it must be exact, because `decide`
//! dissolves every child it is given.

use crate::date::Timestamp;
use crate::event::Recorded;
use crate::ids::EntityKind;
use crate::ids::{CommitteeId, DecisionId, EntityKey, EventId, PersonId, PostId, TaskId, UnitId};
use crate::view::{EntityView, TaskFacts};
use std::ops::Deref;

/// Where a task's title sorts among all tasks' (see [`Source::for_each_task`]).
#[derive(Clone, Copy, Debug)]
pub(crate) enum TitleOrder<'a> {
    /// Its place when every task is sorted by title: unique, so it settles ties.
    Rank(u32),
    /// Its title's [`crate::collate::sort_key`]; ties go to the title's bytes, then the id.
    Key(&'a [u8]),
}
use std::sync::Arc;

/// A view handed out by a [`Views`]: borrowed from the source, or shared with the read
/// models' cache, so that a lookup never copies a view (a committee's grows with its
/// history).
#[derive(Debug, Clone)]
pub(crate) enum ViewRef<'a> {
    Borrowed(&'a EntityView),
    Shared(Arc<EntityView>),
}

impl ViewRef<'_> {
    /// An owned copy, for callers that fold more events into it.
    pub(crate) fn into_owned(self) -> EntityView {
        match self {
            Self::Borrowed(v) => v.clone(),
            Self::Shared(v) => Arc::unwrap_or_clone(v),
        }
    }
}

impl Deref for ViewRef<'_> {
    type Target = EntityView;
    fn deref(&self) -> &EntityView {
        match self {
            Self::Borrowed(v) => v,
            Self::Shared(v) => v,
        }
    }
}

impl AsRef<EntityView> for ViewRef<'_> {
    fn as_ref(&self) -> &EntityView {
        self
    }
}

/// Point lookups of entity views.
pub(crate) trait Views {
    fn view(&self, key: &EntityKey) -> Option<ViewRef<'_>>;

    /// The view, or for a committee possibly its view without its memberships (the part
    /// that grows with history): for answers that show none of them, such as summaries.
    /// Sources that keep memberships apart (the read models) override this.
    fn header(&self, key: &EntityKey) -> Option<ViewRef<'_>> {
        self.view(key)
    }
}

/// Views plus the secondary indexes and raw streams that queries need.
pub(crate) trait Source: Views {
    fn children(&self, committee: CommitteeId) -> Vec<CommitteeId>;
    fn committees_of_person(&self, person: PersonId) -> Vec<CommitteeId>;
    fn posts_of_person(&self, person: PersonId) -> Vec<EntityKey>;
    /// Committees with a seat that goes with `post` (held ex officio by its holders).
    fn committees_seating_post(&self, post: PostId) -> Vec<CommitteeId>;
    fn tasks_of_unit(&self, unit: UnitId) -> Vec<TaskId>;
    fn tasks_of_plan(&self, plan: DecisionId) -> Vec<TaskId>;
    fn all_tasks(&self) -> Vec<TaskId>;
    /// Entities with an event citing `decision`, and decisions amending, replacing or
    /// repealing it.
    fn citing(&self, decision: DecisionId) -> Vec<EntityKey>;
    /// Entities any of whose names, folded, contain `folded_query`.
    fn named(&self, folded_query: &str) -> Vec<EntityKey>;
    /// The raw events of one stream, in recording order.
    fn stream(&self, key: &EntityKey) -> Vec<Recorded>;
    /// The entity that holds the event with this id.
    fn entity_of_event(&self, id: EventId) -> Option<EntityKey>;
    /// Raw events recorded by `actor` with `from <= recorded_at < to`, by position.
    fn by_actor(&self, actor: &str, from: Timestamp, to: Timestamp) -> Vec<Recorded>;
    /// The last revision of the entity's stream (its event count less one).
    fn revision(&self, key: &EntityKey) -> Option<u64>;
    /// Every entity of one kind that has a stream, in key order.
    fn entities_of_kind(&self, kind: EntityKind) -> Vec<EntityKey>;
    /// Calls `f` with every task known, in no order, each with what reports show of it and
    /// where its title sorts, when the source holds them ready (the read models' task
    /// table); `false` (without calling `f`) to have the caller look tasks up one by one.
    /// One call gives every task a rank or every task a key, never both.
    fn for_each_task(&self, f: &mut dyn FnMut(TaskId, TaskFacts<'_>, TitleOrder<'_>)) -> bool {
        let _ = f;
        false
    }
    /// About how many tasks [`Source::for_each_task`] gives, when the source knows.
    fn task_count_hint(&self) -> Option<usize> {
        None
    }
    /// At most `max` entities of one kind after `after`, in key order. Sources that can seek
    /// (the read models) override this so a page does not touch the whole kind.
    fn entities_of_kind_after(
        &self,
        kind: EntityKind,
        after: Option<EntityKey>,
        max: usize,
    ) -> Vec<EntityKey> {
        let mut keys = self.entities_of_kind(kind);
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| after.is_none_or(|a| *k > a))
            .take(max)
            .collect()
    }
}
