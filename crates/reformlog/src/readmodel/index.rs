//! The index entries an event adds: folded names, citations, and the two-UUID relations
//! (children, a person's committees and posts, a post's committees, a unit's and a plan's
//! tasks), gathered per chunk with an estimate of their memory.

use super::keys;
use crate::event::Event;
use crate::ids::EntityKey;
use crate::payload::{
    CommitteeEstablishment, CommitteeRenaming, DecisionRecord, MembershipStart, PersonName,
    PostAppointment, PostCreation, SeatCreation, TaskAssignment, TaskCreation, UnitEstablishment,
    UnitRenaming,
};
use crate::text::fold;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Estimated memory of one index target or key held until written: the bytes and their
/// share of the map or set holding them.
pub(crate) const INDEX_ENTRY_OVERHEAD: usize = 48;

/// Index entries a chunk adds.
#[derive(Default)]
pub(crate) struct Index {
    /// Keys without values (names, citing entities).
    pub(crate) plain: HashSet<Vec<u8>>,
    /// Targets by relation prefix, written as one entry per prefix.
    pub(crate) relations: HashMap<[u8; 17], Vec<Uuid>>,
    /// Estimated memory of the above.
    pub(crate) bytes: usize,
}

impl Index {
    pub(crate) fn relate(&mut self, table: u8, a: Uuid, b: Uuid) {
        let targets = self
            .relations
            .entry(keys::relation_prefix(table, a))
            .or_default();
        if targets.is_empty() {
            self.bytes += 17 + INDEX_ENTRY_OVERHEAD;
        }
        targets.push(b);
        self.bytes += 16;
    }

    pub(crate) fn plain(&mut self, key: Vec<u8>) {
        let len = key.len();
        if self.plain.insert(key) {
            self.bytes += len + INDEX_ENTRY_OVERHEAD;
        }
    }
}

/// The index entries one event adds. Indexes are add-only: an entry stays when a later
/// correction removes the relation, which makes every index a superset of the relation as
/// known at any position; readers re-check candidates against the view at their bound.
pub(crate) fn index_keys(event: &Event, key: EntityKey, out: &mut Index) {
    use crate::ids::EntityKey as K;
    use Event as E;
    let mut name = |n: &crate::text::Name| {
        out.plain(keys::name(&fold(n.as_str()), &key));
    };
    match event {
        E::UnitEstablished(UnitEstablishment { name: n, .. })
        | E::UnitRenamed(UnitRenaming { name: n, .. })
        | E::PersonRegistered(PersonName { name: n, .. })
        | E::PersonRenamed(PersonName { name: n, .. })
        | E::CommitteeRenamed(CommitteeRenaming { name: n, .. }) => name(n),
        E::PostCreated(PostCreation { title, .. }) => name(title),
        E::CommitteeEstablished(CommitteeEstablishment {
            name: n, parent, ..
        }) => {
            name(n);
            if let Some(p) = parent {
                out.relate(keys::CHILDREN, p.as_uuid(), key.uuid());
            }
        }
        _ => {}
    }
    match event {
        E::MembershipStarted(MembershipStart { person, .. }) => {
            out.relate(keys::PERSON_COMMITTEES, person.as_uuid(), key.uuid());
        }
        E::PostHolderAppointed(PostAppointment { person, .. }) => {
            out.relate(keys::PERSON_POSTS, person.as_uuid(), key.uuid());
        }
        E::SeatCreated(SeatCreation {
            ex_officio: Some(post),
            ..
        }) => {
            out.relate(keys::POST_COMMITTEES, post.as_uuid(), key.uuid());
        }
        E::TaskCreated(TaskCreation {
            plan, assignment, ..
        }) => {
            if let Some(p) = plan {
                out.relate(keys::PLAN_TASKS, p.as_uuid(), key.uuid());
            }
            if let Some(a) = assignment {
                assignment_keys(a, key, out);
            }
        }
        E::TaskAssigned(TaskAssignment { assignment, .. })
        | E::TaskReassigned(TaskAssignment { assignment, .. }) => {
            assignment_keys(assignment, key, out);
        }
        // A decision that amends, replaces or repeals another cites it.
        E::DecisionRecorded(DecisionRecord {
            amends,
            replaces,
            repeals,
            ..
        }) => {
            for d in amends.iter().chain(replaces).chain(repeals) {
                out.plain(keys::citing(*d, &key));
            }
        }
        E::Corrected { corrected, .. } => index_keys(corrected, key, out),
        _ => {}
    }
    if let Some(d) = event.decision() {
        if key != K::Decision(d) {
            out.plain(keys::citing(d, &key));
        }
    }
}

fn assignment_keys(a: &crate::model::Assignment, task: EntityKey, out: &mut Index) {
    for unit in std::iter::once(&a.lead).chain(&a.cooperating) {
        out.relate(keys::UNIT_TASKS, unit.as_uuid(), task.uuid());
    }
}
