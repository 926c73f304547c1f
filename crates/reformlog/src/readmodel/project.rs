//! Applying log events to the read model: per-entity views folded forward, add-only
//! indexes, actor runs, all written with the checkpoint in one sled batch per chunk.

use super::keys;
use super::{EntityRecord, ReadModel};
use crate::api_error::Error;
use crate::codec::{decode_event, is_domain_stream};
use crate::event::Event;
use crate::ids::EntityKey;
use crate::text::fold;
use crate::view::{evolve, rebuild_view};
use reformlog_store::RecordedEvent;
use std::collections::{HashMap, HashSet};

/// At most this many events share one actor-run value (16 bytes each), so a run stays a
/// small sled value and a time-range lookup reads little outside the range.
const RUN_CAP: usize = 512;

/// The changes a chunk of consecutive log events makes, gathered in memory so that an
/// entity touched many times is decoded and encoded once per chunk.
pub(crate) struct Chunk<'a> {
    rm: &'a ReadModel,
    records: HashMap<EntityKey, EntityRecord>,
    index: HashSet<Vec<u8>>,
    /// Open runs by actor, and the finished ones, each keyed by its first event.
    open_runs: HashMap<String, Vec<(u64, i64)>>,
    done_runs: Vec<(Vec<u8>, Vec<u8>)>,
    last_position: u64,
}

impl<'a> Chunk<'a> {
    pub(crate) fn new(rm: &'a ReadModel, after: u64) -> Self {
        Self {
            rm,
            records: HashMap::new(),
            index: HashSet::new(),
            open_runs: HashMap::new(),
            done_runs: Vec::new(),
            last_position: after,
        }
    }

    pub(crate) fn last_position(&self) -> u64 {
        self.last_position
    }

    /// Folds one event in; events must come in position order, each once.
    pub(crate) fn apply(&mut self, recorded: &RecordedEvent) -> Result<(), Error> {
        self.last_position = recorded.position;
        if !is_domain_stream(&recorded.stream) {
            return Ok(());
        }
        let event = decode_event(recorded)?;
        let key = event.entity();
        let position = recorded.position;

        let record = match self.records.remove(&key) {
            Some(r) => Some(r),
            None => self.rm.record(&key)?,
        };
        let mut record = record.unwrap_or(EntityRecord {
            first: position,
            last: position,
            revision: recorded.revision,
            view: None,
        });
        record.view = if event.is_fact() {
            evolve(record.view.take(), &event)
        } else {
            // A correction may change any earlier fact of the stream, so the view is refolded
            // from the stream as it stood at this event; streams are per entity, so small.
            rebuild_view(&self.rm.stream_at(&key, position)?)
        };
        record.last = position;
        record.revision = recorded.revision;
        self.records.insert(key, record);

        index_keys(&event, key, &mut self.index);

        let actor = &recorded.metadata.actor;
        let at = recorded.recorded_at.as_micros();
        let run = self.open_runs.entry(actor.clone()).or_default();
        run.push((position, at));
        if run.len() >= RUN_CAP {
            let full = std::mem::take(run);
            self.done_runs.push(finish_run(actor, &full));
        }
        Ok(())
    }

    /// Everything the chunk changes, with the new checkpoint, as one batch.
    pub(crate) fn into_batch(self) -> Result<sled::Batch, Error> {
        let mut batch = sled::Batch::default();
        for (key, record) in &self.records {
            batch.insert(keys::entity(key), record.encode()?);
        }
        for key in self.index {
            batch.insert(key, &[] as &[u8]);
        }
        for (key, value) in self.done_runs {
            batch.insert(key, value);
        }
        for (actor, run) in &self.open_runs {
            if !run.is_empty() {
                let (key, value) = finish_run(actor, run);
                batch.insert(key, value);
            }
        }
        batch.insert(&keys::CHECKPOINT, &keys::u64_bytes(self.last_position));
        Ok(batch)
    }
}

fn finish_run(actor: &str, run: &[(u64, i64)]) -> (Vec<u8>, Vec<u8>) {
    let (first_position, first_at) = run.first().copied().unwrap_or((0, 0));
    (
        keys::actor_run(actor, first_at, first_position),
        keys::encode_run(run),
    )
}

/// The index entries one event adds. Indexes are add-only: an entry stays when a later
/// correction removes the relation, which makes every index a superset of the relation as
/// known at any position; readers re-check candidates against the view at their bound.
fn index_keys(event: &Event, key: EntityKey, out: &mut HashSet<Vec<u8>>) {
    use crate::ids::EntityKey as K;
    use Event as E;
    let mut name = |n: &crate::text::Name| {
        out.insert(keys::name(&fold(n.as_str()), &key));
    };
    match event {
        E::UnitEstablished { name: n, .. }
        | E::UnitRenamed { name: n, .. }
        | E::PersonRegistered { name: n, .. }
        | E::PersonRenamed { name: n, .. }
        | E::CommitteeRenamed { name: n, .. } => name(n),
        E::PostCreated { title, .. } => name(title),
        E::CommitteeEstablished {
            name: n, parent, ..
        } => {
            name(n);
            if let Some(p) = parent {
                out.insert(keys::relation(keys::CHILDREN, p.as_uuid(), key.uuid()));
            }
        }
        _ => {}
    }
    match event {
        E::MembershipStarted { person, .. } => {
            out.insert(keys::relation(
                keys::PERSON_COMMITTEES,
                person.as_uuid(),
                key.uuid(),
            ));
        }
        E::PostHolderAppointed { person, .. } => {
            out.insert(keys::relation(
                keys::PERSON_POSTS,
                person.as_uuid(),
                key.uuid(),
            ));
        }
        E::TaskCreated {
            plan, assignment, ..
        } => {
            if let Some(p) = plan {
                out.insert(keys::relation(keys::PLAN_TASKS, p.as_uuid(), key.uuid()));
            }
            if let Some(a) = assignment {
                assignment_keys(a, key, out);
            }
        }
        E::TaskAssigned { assignment, .. } | E::TaskReassigned { assignment, .. } => {
            assignment_keys(assignment, key, out);
        }
        E::Corrected { corrected, .. } => index_keys(corrected, key, out),
        _ => {}
    }
    if let Some(d) = event.decision() {
        if key != K::Decision(d) {
            out.insert(keys::citing(d, &key));
        }
    }
}

fn assignment_keys(a: &crate::model::Assignment, task: EntityKey, out: &mut HashSet<Vec<u8>>) {
    for unit in std::iter::once(&a.lead).chain(&a.cooperating) {
        out.insert(keys::relation(
            keys::UNIT_TASKS,
            unit.as_uuid(),
            task.uuid(),
        ));
    }
}
