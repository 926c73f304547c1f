//! Applying log events to the read model: per-entity views folded forward, add-only
//! indexes, actor runs, all written with the checkpoint in one sled batch per chunk.
//!
//! A chunk holds every row it touches in memory until it is written, so that an entity
//! touched many times (a committee with yearly turnover) is decoded and encoded once per
//! chunk; its size is bounded by an estimate of that memory (see [`Chunk::estimated_bytes`]).

use super::keys;
use super::{EntityRecord, ReadModel};
use crate::api_error::Error;
use crate::codec::{decode_event, is_domain_stream};
use crate::event::Event;
use crate::ids::EntityKey;
use crate::text::fold;
use crate::view::{evolve, rebuild_view, EntityView};
use reformlog_store::{encode_payload, RecordedEvent};
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// At most this many events share one actor-run value (16 bytes each), so a run stays a
/// small sled value and a time-range lookup reads little outside the range.
const RUN_CAP: usize = 512;

/// What one event can add to a chunk's memory at most, roughly: a membership, holding or
/// progress entry or a new small view, its index entries, its actor-run entry, and the
/// encoded copies the batch holds when the chunk is written.
const BYTES_PER_EVENT: usize = 320;

/// Memory of one row held by a chunk beyond its encoding: its map slot (the record inline)
/// and the headers of its strings and vectors.
const ROW_OVERHEAD: usize = 512;

/// Index entries a chunk adds.
#[derive(Default)]
struct Index {
    /// Keys without values (names, citing entities).
    plain: HashSet<Vec<u8>>,
    /// Targets by relation prefix, written as one entry per prefix.
    relations: HashMap<[u8; 17], Vec<Uuid>>,
}

impl Index {
    fn relate(&mut self, table: u8, a: Uuid, b: Uuid) {
        self.relations
            .entry(keys::relation_prefix(table, a))
            .or_default()
            .push(b);
    }
}

/// Which membership segments of one committee a chunk changed.
#[derive(Default)]
struct Segments {
    /// Memberships stored before the chunk; every segment from the one holding the first
    /// new membership on is written.
    stored: usize,
    /// Segments holding a membership changed in place (ended).
    changed: BTreeSet<usize>,
    /// The view was refolded (a correction): every segment is written, and stored segments
    /// past the new end removed.
    all: bool,
}

/// The changes a chunk of consecutive log events makes, gathered in memory so that an
/// entity touched many times is decoded and encoded once per chunk.
pub(crate) struct Chunk<'a> {
    rm: &'a ReadModel,
    records: HashMap<EntityKey, EntityRecord>,
    /// For every committee in `records`.
    segments: HashMap<EntityKey, Segments>,
    index: Index,
    /// Open runs by actor, and the finished ones, each keyed by its first event.
    open_runs: HashMap<String, Vec<(u64, i64)>>,
    done_runs: Vec<(Vec<u8>, Vec<u8>)>,
    first_position: u64,
    last_position: u64,
    /// Estimated memory of the rows loaded from the tree.
    loaded_bytes: usize,
    events: usize,
}

impl<'a> Chunk<'a> {
    pub(crate) fn new(rm: &'a ReadModel, after: u64) -> Self {
        Self {
            rm,
            records: HashMap::new(),
            segments: HashMap::new(),
            index: Index::default(),
            open_runs: HashMap::new(),
            done_runs: Vec::new(),
            first_position: after + 1,
            last_position: after,
            loaded_bytes: 0,
            events: 0,
        }
    }

    pub(crate) fn last_position(&self) -> u64 {
        self.last_position
    }

    /// Domain events applied so far.
    pub(crate) fn events(&self) -> usize {
        self.events
    }

    /// An upper estimate of the memory the chunk holds, and will hold while it is written.
    pub(crate) fn estimated_bytes(&self) -> usize {
        self.loaded_bytes
            .saturating_add(self.events.saturating_mul(BYTES_PER_EVENT))
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
        self.events += 1;

        let record = match self.records.remove(&key) {
            Some(r) => Some(r),
            // The first event of a stream: its entity has no row yet (rows are made by the
            // events of their own stream, applied in log order), so skip the lookup, which a
            // rebuild would otherwise pay for every entity.
            None if recorded.revision == 0 => None,
            None => match self.rm.record(&key)? {
                Some((r, encoded)) => {
                    // A decoded view takes about its encoding plus the string and vector
                    // headers; memberships, the bulk of large views, have none.
                    let estimate = encoded + ROW_OVERHEAD;
                    self.loaded_bytes = self.loaded_bytes.saturating_add(estimate);
                    Some(r)
                }
                None => None,
            },
        };
        let mut record = record.unwrap_or(EntityRecord {
            first: position,
            last: position,
            revision: recorded.revision,
            view: None,
        });
        if let EntityKey::Committee(_) = key {
            self.segments.entry(key).or_insert_with(|| Segments {
                stored: members_of(&record.view).map_or(0, Vec::len),
                ..Segments::default()
            });
        }
        record.view = if event.is_fact() {
            evolve(record.view.take(), &event)
        } else {
            // A correction may change any earlier fact of the stream, so the view is refolded
            // from the stream as it stood at this event; streams are per entity, so small.
            if let Some(s) = self.segments.get_mut(&key) {
                s.all = true;
            }
            rebuild_view(&self.rm.stream_at(&key, position)?)
        };
        if let (Event::MembershipEnded { membership, .. }, Some(s)) =
            (&event, self.segments.get_mut(&key))
        {
            // The membership `evolve` just ended (the first with this id, as there).
            if let Some(i) =
                members_of(&record.view).and_then(|m| m.iter().position(|x| x.id == *membership))
            {
                s.changed.insert(i / keys::SEGMENT);
            }
        }
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

    /// Everything the chunk changes, with the new checkpoint, as one batch; and what the
    /// batch writes, for the caches.
    pub(crate) fn into_batch(self) -> Result<Flushed, Error> {
        let mut batch = sled::Batch::default();
        let mut rows = Vec::with_capacity(self.records.len());
        for (key, mut record) in self.records {
            // A committee's row is written without its memberships, which go to segments.
            let members = match &mut record.view {
                Some(EntityView::Committee(c)) => std::mem::take(&mut c.memberships),
                _ => Vec::new(),
            };
            let bytes = record.encode()?;
            let mut encoded = bytes.len();
            batch.insert(keys::entity(&key), bytes);
            if let EntityKey::Committee(_) = key {
                encoded += write_segments(&mut batch, &key, &members, self.segments.get(&key))?;
            }
            if let Some(EntityView::Committee(c)) = &mut record.view {
                c.memberships = members;
            }
            rows.push((key, record, encoded));
        }
        for key in self.index.plain {
            batch.insert(key, &[] as &[u8]);
        }
        let mut relations = HashSet::with_capacity(self.index.relations.len());
        for (prefix, mut targets) in self.index.relations {
            targets.sort_unstable();
            targets.dedup();
            batch.insert(
                keys::relation_entry(&prefix, self.first_position),
                keys::encode_targets(&targets),
            );
            relations.insert(prefix);
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
        Ok(Flushed {
            batch,
            rows,
            relations,
        })
    }
}

/// The memberships of a committee's view.
fn members_of(view: &Option<EntityView>) -> Option<&Vec<crate::view::Membership>> {
    match view {
        Some(EntityView::Committee(c)) => Some(&c.memberships),
        _ => None,
    }
}

/// Writes the membership segments of `key` the chunk changed and removes stored ones past
/// the end; returns an estimate of the encoded size of all of them (written or not), for
/// the cache.
fn write_segments(
    batch: &mut sled::Batch,
    key: &EntityKey,
    members: &[crate::view::Membership],
    changes: Option<&Segments>,
) -> Result<usize, Error> {
    /// Encoded bytes of one membership, about (for the estimate only).
    const MEMBERSHIP_BYTES: usize = 96;
    let count = members.len().div_ceil(keys::SEGMENT);
    // Every committee the chunk holds has a record of changes; without one, write all.
    let all = changes.is_none_or(|c| c.all);
    let stored = changes.map_or(0, |c| c.stored);
    let written: BTreeSet<usize> = if all {
        (0..count).collect()
    } else {
        let first_new = stored / keys::SEGMENT;
        changes
            .map(|c| c.changed.iter().copied().filter(|s| *s < count))
            .into_iter()
            .flatten()
            .chain(first_new..count)
            .collect()
    };
    for s in written {
        let end = ((s + 1) * keys::SEGMENT).min(members.len());
        let part = members.get(s * keys::SEGMENT..end).unwrap_or_default();
        batch.insert(keys::members(key, s), encode_payload(&part)?);
    }
    if all {
        // A refolded view can have fewer memberships than were stored.
        for s in count..stored.div_ceil(keys::SEGMENT) {
            batch.remove(keys::members(key, s));
        }
    }
    Ok(members.len() * MEMBERSHIP_BYTES)
}

/// A chunk's batch and what it writes.
pub(crate) struct Flushed {
    pub(crate) batch: sled::Batch,
    /// Every row: the entity, its record and (about) the size of its encoding.
    pub(crate) rows: Vec<(EntityKey, EntityRecord, usize)>,
    /// The `[table][uuid]` prefix of every relation entry written.
    pub(crate) relations: HashSet<[u8; 17]>,
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
fn index_keys(event: &Event, key: EntityKey, out: &mut Index) {
    use crate::ids::EntityKey as K;
    use Event as E;
    let mut name = |n: &crate::text::Name| {
        out.plain.insert(keys::name(&fold(n.as_str()), &key));
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
                out.relate(keys::CHILDREN, p.as_uuid(), key.uuid());
            }
        }
        _ => {}
    }
    match event {
        E::MembershipStarted { person, .. } => {
            out.relate(keys::PERSON_COMMITTEES, person.as_uuid(), key.uuid());
        }
        E::PostHolderAppointed { person, .. } => {
            out.relate(keys::PERSON_POSTS, person.as_uuid(), key.uuid());
        }
        E::TaskCreated {
            plan, assignment, ..
        } => {
            if let Some(p) = plan {
                out.relate(keys::PLAN_TASKS, p.as_uuid(), key.uuid());
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
            out.plain.insert(keys::citing(d, &key));
        }
    }
}

fn assignment_keys(a: &crate::model::Assignment, task: EntityKey, out: &mut Index) {
    for unit in std::iter::once(&a.lead).chain(&a.cooperating) {
        out.relate(keys::UNIT_TASKS, unit.as_uuid(), task.uuid());
    }
}
