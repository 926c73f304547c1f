//! A chunk: the changes a run of consecutive log events makes to the read models (views
//! folded forward, add-only index entries, actor runs), written as one batch with the
//! checkpoint it reaches.
//!
//! A chunk holds every row it touches in memory until it is written, so that an entity
//! touched many times (a committee with yearly turnover) is decoded and encoded once per
//! chunk; its size is bounded by an estimate of that memory (see [`Chunk::estimated_bytes`]).
//!
//! A rebuild (a catch-up from position 0) uses one chunk for the whole log and writes the
//! checkpoint only at the end: when the chunk outgrows its [`Budgets`] it
//! [spills](Chunk::spill) its index entries and the rows it changed least recently
//! (committees last), and keeps the rest. Hot rows stay decoded for the whole rebuild
//! instead of being read back and rewritten every fifty thousand events, and an event of a
//! row already written is not a reason to read it back: its position goes into the row's
//! tail (see `keys`), which readers fold. The rebuild's threads are in `rebuild`; what it
//! spills goes to the table through `spill`.

use super::cache::IdHash;
use super::index::{index_keys, Index, INDEX_ENTRY_OVERHEAD};
use super::keys;
use super::row::{encode_row, members_of, EntityRecord, Entry, Segments};
use super::spill::{Budgets, Spiller};
use super::state::ReadModel;
use crate::codec::{decode_event, is_domain_stream};
use crate::error::Error;
use crate::event::Event;
use crate::ids::EntityKey;
use crate::payload::MembershipEnd;
use crate::view::{evolve, rebuild_view, EntityView};
use reformlog_store::{RecordedEvent, SideBatch};
use std::collections::{HashMap, HashSet};

/// At most this many events share one actor-run value (16 bytes each), so a run stays a
/// small value and a time-range lookup reads little outside the range.
const RUN_CAP: usize = 512;

/// What one event can add to a chunk's memory at most, roughly: a membership, holding or
/// progress entry or a new small view, its index entries, its actor-run entry, and the
/// encoded copies the batch holds when the chunk is written.
const BYTES_PER_EVENT: usize = 320;

/// Memory of one row held by a chunk beyond its encoding: its map slot (the record inline)
/// and the headers of its strings and vectors.
const ROW_OVERHEAD: usize = 512;

/// What a chunk needs of a stored event besides its body.
pub(crate) struct Stamp<'a> {
    pub(crate) position: u64,
    pub(crate) revision: u64,
    /// Microseconds since the epoch.
    pub(crate) recorded_at: i64,
    pub(crate) actor: &'a str,
}

impl<'a> Stamp<'a> {
    pub(crate) fn of(recorded: &'a RecordedEvent) -> Self {
        Self {
            position: recorded.position,
            revision: recorded.revision,
            recorded_at: recorded.recorded_at.as_micros(),
            actor: &recorded.metadata.actor,
        }
    }
}

/// The changes a chunk of consecutive log events makes, gathered in memory so that an
/// entity touched many times is decoded and encoded once per chunk.
pub(crate) struct Chunk<'a> {
    rm: &'a ReadModel,
    records: HashMap<EntityKey, Held, IdHash>,
    /// For every committee in `records`.
    segments: HashMap<EntityKey, Segments, IdHash>,
    index: Index,
    /// Open runs by actor, and the finished ones, each keyed by its first event.
    open_runs: HashMap<String, Vec<(u64, i64)>>,
    done_runs: Vec<(Vec<u8>, Vec<u8>)>,
    /// The first position whose index entries `index` holds: it names the relation entries
    /// written from them, so entries of different spills never share a key.
    first_position: u64,
    last_position: u64,
    /// Estimated memory of the rows loaded from the tree.
    loaded_bytes: usize,
    /// Estimated memory of every row held (see [`Held::weight`]).
    row_bytes: usize,
    /// Estimated memory of `done_runs`.
    runs_bytes: usize,
    /// A rebuild's tails (see `keys`): fact events of rows it has written and not read back,
    /// as (position, revision), by entity.
    pending: HashMap<EntityKey, Vec<(u64, u64)>, IdHash>,
    /// Estimated memory of `pending`.
    pending_bytes: usize,
    events: usize,
    /// Look rows up in the tree only, never in the row cache: a rebuild's tree holds rows
    /// it spilled, which are newer than anything a reader may have cached meanwhile.
    from_tree: bool,
    /// A rebuild's writing thread, through which rows it may not have written yet are read.
    spiller: Option<&'a Spiller>,
    /// For a rebuild: the entities whose row, segments or tails are in a spill that may not
    /// be written yet, with the number of the last such spill; read through the spiller.
    in_flight: HashMap<EntityKey, u64, IdHash>,
    budgets: Budgets,
}

/// A row a chunk holds, with when it was last changed and its estimated memory.
struct Held {
    record: EntityRecord,
    /// The position of the last event applied to it.
    touched: u64,
    /// Its estimated memory: in a rebuild, what [`held_memory`] says after the last event;
    /// otherwise its encoding when it was loaded (or a fixed share when the chunk made it).
    weight: usize,
}

impl<'a> Chunk<'a> {
    pub(crate) fn new(rm: &'a ReadModel, after: u64) -> Self {
        Self {
            rm,
            records: HashMap::with_hasher(IdHash::new()),
            segments: HashMap::with_hasher(IdHash::new()),
            index: Index::default(),
            open_runs: HashMap::new(),
            done_runs: Vec::new(),
            first_position: after + 1,
            last_position: after,
            loaded_bytes: 0,
            row_bytes: 0,
            runs_bytes: 0,
            pending: HashMap::with_hasher(IdHash::new()),
            pending_bytes: 0,
            events: 0,
            from_tree: false,
            spiller: None,
            in_flight: HashMap::with_hasher(IdHash::new()),
            budgets: Budgets::DEFAULT,
        }
    }

    /// The one chunk of a rebuild from position 1, holding rows across spills, whose
    /// spills `spiller` writes.
    pub(crate) fn for_rebuild(rm: &'a ReadModel, spiller: &'a Spiller, budgets: Budgets) -> Self {
        Self {
            from_tree: true,
            spiller: Some(spiller),
            budgets,
            ..Self::new(rm, 0)
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

    /// Whether a rebuild's chunk holds more than its budgets (see [`Chunk::spill`]).
    pub(crate) fn needs_spill(&self) -> bool {
        self.row_bytes > self.budgets.rows
            || self.index.bytes + self.pending_bytes > self.budgets.index
            || self.runs_bytes > self.budgets.runs
    }

    /// Folds one event in; events must come in position order, each once.
    pub(crate) fn apply(&mut self, recorded: &RecordedEvent) -> Result<(), Error> {
        let event = if is_domain_stream(&recorded.stream) {
            Some(decode_event(recorded)?)
        } else {
            None
        };
        self.apply_decoded(&Stamp::of(recorded), event.as_ref())
    }

    /// [`Chunk::apply`] for an event decoded already (`None` if not a domain event).
    pub(crate) fn apply_decoded(
        &mut self,
        stamp: &Stamp<'_>,
        event: Option<&Event>,
    ) -> Result<(), Error> {
        self.last_position = stamp.position;
        let Some(event) = event else {
            return Ok(());
        };
        let key = event.entity();
        let position = stamp.position;
        let revision = stamp.revision;
        self.events += 1;
        index_keys(event, key, &mut self.index);
        self.note_actor(stamp);

        let held = self.records.remove(&key);
        if held.is_none() && self.from_tree && revision > 0 && event.is_fact() {
            // In a rebuild every row is made in memory by its stream's first event and
            // leaves memory only by being written, so this one is in the tree: note the
            // event in its tail instead of reading the row back (see `keys`), until the
            // tail is long enough that holding the row again is cheaper.
            let tail = self.pending.entry(key).or_default();
            if tail.is_empty() {
                self.pending_bytes += keys::ENTITY_KEY_LEN + INDEX_ENTRY_OVERHEAD;
            }
            tail.push((position, revision));
            self.pending_bytes += 16;
            if tail.len() < self.budgets.tail_max {
                return Ok(());
            }
        }
        let (mut record, weight, applied) = match held {
            Some(held) => {
                self.row_bytes = self.row_bytes.saturating_sub(held.weight);
                (held.record, held.weight, false)
            }
            None => self.load(&key, position, revision)?,
        };
        if !applied {
            record.view = if event.is_fact() {
                evolve(record.view.take(), event)
            } else {
                // A correction may change any earlier fact of the stream, so the view is
                // refolded from the stream as it stood at this event; streams are per
                // entity, so small.
                if let Some(s) = self.segments.get_mut(&key) {
                    s.all = true;
                }
                rebuild_view(&self.rm.stream_at(&key, position)?)
            };
            if let (Event::MembershipEnded(MembershipEnd { membership, .. }), Some(s)) =
                (event, self.segments.get_mut(&key))
            {
                // The membership `evolve` just ended (the first with this id, as there).
                if let Some(i) = members_of(&record.view)
                    .and_then(|m| m.iter().position(|x| x.id == *membership))
                {
                    s.changed.insert(i / keys::SEGMENT);
                }
            }
            record.last = position;
            record.revision = revision;
        }
        let weight = if self.from_tree {
            held_memory(&record)
        } else {
            weight
        };
        self.row_bytes = self.row_bytes.saturating_add(weight);
        self.records.insert(
            key,
            Held {
                record,
                touched: position,
                weight,
            },
        );
        Ok(())
    }

    /// The row of an entity the chunk does not hold, as stored with its tails folded in
    /// (and the tail the chunk noted, which may end with `recorded`), or a new one; its
    /// estimated memory; whether `recorded` is folded in already.
    fn load(
        &mut self,
        key: &EntityKey,
        position: u64,
        revision: u64,
    ) -> Result<(EntityRecord, usize, bool), Error> {
        let pending = self.pending.remove(key);
        if let Some(p) = &pending {
            self.pending_bytes = self
                .pending_bytes
                .saturating_sub(keys::ENTITY_KEY_LEN + INDEX_ENTRY_OVERHEAD + 16 * p.len());
        }
        // The first event of a stream: its entity has no row yet (rows are made by the
        // events of their own stream, applied in log order), so skip the lookup, which a
        // rebuild would otherwise pay for every entity.
        let stored = match self.spiller {
            _ if revision == 0 && pending.is_none() => None,
            // Part of the row may still be on its way to the tree.
            Some(spiller) if self.in_flight.contains_key(key) => {
                spiller.record(&self.rm.store, &self.rm.tree(), key)?
            }
            _ => self.rm.record(key, self.from_tree)?,
        };
        let (mut record, weight, stored_members) = match stored {
            Some((r, encoded, stored_members)) => {
                // A decoded view takes about its encoding plus the string and vector
                // headers; memberships, the bulk of large views, have none.
                let estimate = encoded + ROW_OVERHEAD;
                self.loaded_bytes = self.loaded_bytes.saturating_add(estimate);
                (r, estimate, stored_members)
            }
            None => (
                EntityRecord {
                    first: position,
                    last: position - 1,
                    revision,
                    view: None,
                    tails: Vec::new(),
                },
                ROW_OVERHEAD,
                0,
            ),
        };
        let folded_tails = !record.tails.is_empty() || pending.is_some();
        if let Some(p) = &pending {
            record.fold_tail(&self.rm.store, p)?;
        }
        if let EntityKey::Committee(_) = key {
            // Events from tails may have ended stored memberships: write every segment.
            self.segments.insert(
                *key,
                Segments {
                    stored: stored_members,
                    all: folded_tails,
                    ..Segments::default()
                },
            );
        }
        let applied = record.last >= position;
        Ok((record, weight, applied))
    }

    /// Adds the event to its actor's open run, finishing the run when it is full.
    fn note_actor(&mut self, stamp: &Stamp<'_>) {
        let actor = stamp.actor;
        let entry = (stamp.position, stamp.recorded_at);
        let run = match self.open_runs.get_mut(actor) {
            Some(run) => run,
            None => self.open_runs.entry(actor.to_owned()).or_default(),
        };
        run.push(entry);
        if run.len() >= RUN_CAP {
            let full = std::mem::take(run);
            let (key, value) = finish_run(actor, &full);
            self.runs_bytes += key.len() + value.len() + INDEX_ENTRY_OVERHEAD;
            self.done_runs.push((key, value));
        }
    }

    /// Everything the chunk changes, with the new checkpoint, as one batch; and what the
    /// batch writes, for the caches.
    pub(crate) fn into_batch(mut self) -> Result<Flushed, Error> {
        let mut entries = Vec::new();
        let mut rows = Vec::with_capacity(self.records.len());
        for (key, held) in std::mem::take(&mut self.records) {
            let mut record = held.record;
            let encoded = encode_row(&key, &mut record, self.segments.get(&key), &mut entries)?;
            rows.push((key, record, encoded));
        }
        let relations = self.take_index(&mut entries);
        self.take_runs(true, &mut entries);
        let mut batch = SideBatch::default();
        for (key, value) in entries {
            match value {
                Some(v) => batch.insert(key, v),
                None => batch.remove(key),
            }
        }
        batch.insert(keys::CHECKPOINT, keys::u64_bytes(self.last_position));
        Ok(Flushed {
            batch,
            rows,
            relations,
        })
    }

    /// For a rebuild, what is over budget, sorted by key: the finished actor runs, the
    /// index entries and tails, the rows changed least recently until `keep_rows` remain.
    /// The rest stays held.
    pub(crate) fn spill(&mut self) -> Result<Vec<Entry>, Error> {
        let number = match self.spiller {
            Some(spiller) => {
                let written = spiller.written();
                self.in_flight.retain(|_, n| *n > written);
                spiller.next_spill()
            }
            None => 0,
        };
        let mut entries = Vec::new();
        if self.index.bytes + self.pending_bytes > self.budgets.index {
            for key in self.pending.keys() {
                self.in_flight.insert(*key, number);
            }
            self.take_index(&mut entries);
        }
        if self.runs_bytes > self.budgets.runs {
            self.take_runs(false, &mut entries);
        }
        let keep_rows = self.budgets.keep_rows;
        if self.row_bytes > self.budgets.rows {
            // Committees last: every chunk of a long log changes every committee, and each
            // is large to read back and write again; the many small rows (tasks) are written
            // once and mostly never changed again.
            let mut by_age: Vec<(bool, u64, EntityKey)> = self
                .records
                .iter()
                .map(|(k, h)| (matches!(k, EntityKey::Committee(_)), h.touched, *k))
                .collect();
            by_age.sort_unstable();
            for (_, _, key) in by_age {
                if self.row_bytes <= keep_rows {
                    break;
                }
                let Some(held) = self.records.remove(&key) else {
                    continue;
                };
                self.row_bytes = self.row_bytes.saturating_sub(held.weight);
                let mut record = held.record;
                encode_row(&key, &mut record, self.segments.get(&key), &mut entries)?;
                self.segments.remove(&key);
                self.in_flight.insert(key, number);
            }
            self.loaded_bytes = 0;
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(entries)
    }

    /// For a rebuild: everything still held, sorted by key (the checkpoint is not among
    /// them; the caller writes it last).
    pub(crate) fn finish(mut self) -> Result<Vec<Entry>, Error> {
        let mut entries = Vec::new();
        for (key, held) in std::mem::take(&mut self.records) {
            let mut record = held.record;
            encode_row(&key, &mut record, self.segments.get(&key), &mut entries)?;
        }
        self.take_index(&mut entries);
        self.take_runs(true, &mut entries);
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(entries)
    }

    /// Moves the index entries and tails into `out`; returns the relation prefixes written.
    /// Later entries are named by a later position, so they never overwrite these.
    fn take_index(&mut self, out: &mut Vec<Entry>) -> HashSet<[u8; 17]> {
        for (key, tail) in std::mem::take(&mut self.pending) {
            if let Some(&(first, _)) = tail.first() {
                out.push((keys::tail(&key, first), Some(keys::encode_tail(&tail))));
            }
        }
        self.pending_bytes = 0;
        let index = std::mem::take(&mut self.index);
        for key in index.plain {
            out.push((key, Some(Vec::new())));
        }
        let mut relations = HashSet::with_capacity(index.relations.len());
        for (prefix, mut targets) in index.relations {
            targets.sort_unstable();
            targets.dedup();
            out.push((
                keys::relation_entry(&prefix, self.first_position),
                Some(keys::encode_targets(&targets)),
            ));
            relations.insert(prefix);
        }
        self.first_position = self.last_position + 1;
        relations
    }

    /// Moves the finished actor runs into `out`, and with `open`, the unfinished ones too.
    fn take_runs(&mut self, open: bool, out: &mut Vec<Entry>) {
        for (key, value) in self.done_runs.drain(..) {
            out.push((key, Some(value)));
        }
        self.runs_bytes = 0;
        if open {
            for (actor, run) in &self.open_runs {
                if !run.is_empty() {
                    let (key, value) = finish_run(actor, run);
                    out.push((key, Some(value)));
                }
            }
            self.open_runs.clear();
        }
    }
}

/// About the memory a decoded row takes: the record and its map slot, and the heap blocks
/// of its view's vectors (by capacity) and texts, each with an allocator header. Cheap
/// enough to recompute after every event: it walks only short lists (names, seats,
/// progress notes), not memberships or holdings.
fn held_memory(record: &EntityRecord) -> usize {
    use crate::view::{Holding, Membership, Progress, Seat};
    use std::mem::size_of;
    const BLOCK: usize = 16;
    fn vec<T>(v: &Vec<T>) -> usize {
        v.capacity() * size_of::<T>() + BLOCK
    }
    fn text(len: usize) -> usize {
        len + 2 * BLOCK
    }
    fn names(t: &crate::view::Timeline<crate::text::Name>) -> usize {
        vec(&t.0)
            + t.0
                .iter()
                .map(|(_, n)| text(n.as_str().len()))
                .sum::<usize>()
    }
    let view = match &record.view {
        None => 0,
        Some(EntityView::Unit(u)) => names(&u.names) + vec(&u.parents.0),
        Some(EntityView::Person(p)) => names(&p.names),
        Some(EntityView::Post(p)) => {
            text(p.title.as_str().len()) + p.holdings.capacity() * size_of::<Holding>() + BLOCK
        }
        Some(EntityView::Decision(v)) => {
            let d = &v.record;
            text(d.number.len())
                + text(d.title.len())
                + vec(&d.amends)
                + vec(&d.replaces)
                + vec(&d.repeals)
                + vec(&v.links)
                + v.links
                    .iter()
                    .map(|l| text(l.url.len()) + l.note.as_ref().map_or(0, |n| text(n.len())))
                    .sum::<usize>()
        }
        Some(EntityView::Committee(c)) => {
            names(&c.names)
                + vec(&c.duties.0)
                + c.duties
                    .0
                    .iter()
                    .flat_map(|(_, d)| d.iter().map(|x| text(x.len())))
                    .sum::<usize>()
                + c.seats.capacity() * size_of::<Seat>()
                + c.seats
                    .iter()
                    .filter_map(|x| x.label.as_ref().map(|l| text(l.len())))
                    .sum::<usize>()
                + c.memberships.capacity() * size_of::<Membership>()
                + 2 * BLOCK
        }
        Some(EntityView::Task(t)) => {
            text(t.title.len())
                + text(t.product.len())
                + vec(&t.deadlines.0)
                + vec(&t.assignments.0)
                + t.assignments
                    .0
                    .iter()
                    .map(|(_, a)| vec(&a.cooperating))
                    .sum::<usize>()
                + t.progress.capacity() * size_of::<Progress>()
                + t.progress
                    .iter()
                    .map(|p| {
                        text(p.note.len())
                            + p.evidence.documents.capacity()
                                * size_of::<crate::evidence::EvidenceDocument>()
                            + p.evidence.text_len()
                    })
                    .sum::<usize>()
                + vec(&t.statuses.0)
        }
    };
    size_of::<(EntityKey, Held)>() + 2 * size_of::<usize>() + view
}

/// A chunk's batch and what it writes.
pub(crate) struct Flushed {
    pub(crate) batch: SideBatch,
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
