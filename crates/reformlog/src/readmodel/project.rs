//! Applying log events to the read model: per-entity views folded forward, add-only
//! indexes, actor runs, all written with the checkpoint in one sled batch per chunk.
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
//! tail (see `keys`), which readers fold.
//!
//! A rebuild runs on four threads: two read and decode the log, taking pages in turn (see
//! [`decode_log`]); one applies the decoded events in position order to the chunk; one
//! writes what the chunk spills (see [`Spiller`]), which stays readable to the applying
//! thread until it is in the tree.

use super::keys;
use super::IdHash;
use super::{EntityRecord, ReadModel};
use crate::codec::{decode_event, is_domain_stream};
use crate::error::Error;
use crate::event::Event;
use crate::ids::EntityKey;
use crate::text::fold;
use crate::view::{evolve, rebuild_view, EntityView};
use reformlog_store::{encode_payload, Direction, EventFilter, RecordedEvent, Store};
use sled::IVec;
use std::collections::{BTreeMap, VecDeque};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
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

/// Estimated memory of one index target or key held until written: the bytes and their
/// share of the map or set holding them.
const INDEX_ENTRY_OVERHEAD: usize = 48;

/// A rebuild's budgets, by estimated memory, and how long a tail may grow.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budgets {
    /// Rows: past this, the rows changed least recently are written until `keep_rows`
    /// remain.
    pub(crate) rows: usize,
    pub(crate) keep_rows: usize,
    /// Index entries and tails, written together when they pass this.
    pub(crate) index: usize,
    /// Finished actor runs (appended in key order per actor), written when they pass this.
    pub(crate) runs: usize,
    /// A row is held again once this many of its events wait in its tail, so that no tail
    /// a reader folds is long.
    pub(crate) tail_max: usize,
    /// Events a decoding thread reads and decodes at a time. Small pages keep little in
    /// flight: at a million events, pages of 10 000 took the rebuild's peak memory from
    /// about 410 to 500 MB and were no faster than pages of 1 000.
    pub(crate) page: usize,
}

impl Budgets {
    /// Rows: enough for the rows a large log keeps changing (every committee, the tasks
    /// still reporting progress) to stay decoded. Index: the relations and names of about a
    /// million events, so that most are written once, in key order. In all about 64 MiB,
    /// freed when the rebuild ends.
    pub(crate) const DEFAULT: Self = Self {
        rows: 44 << 20,
        keep_rows: 34 << 20,
        index: 16 << 20,
        runs: 4 << 20,
        tail_max: 8,
        page: 1_000,
    };
}

/// One key to write (`Some` value) or remove (`None`).
pub(crate) type Entry = (Vec<u8>, Option<Vec<u8>>);

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

/// Index entries a chunk adds.
#[derive(Default)]
struct Index {
    /// Keys without values (names, citing entities).
    plain: HashSet<Vec<u8>>,
    /// Targets by relation prefix, written as one entry per prefix.
    relations: HashMap<[u8; 17], Vec<Uuid>>,
    /// Estimated memory of the above.
    bytes: usize,
}

impl Index {
    fn relate(&mut self, table: u8, a: Uuid, b: Uuid) {
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

    fn plain(&mut self, key: Vec<u8>) {
        let len = key.len();
        if self.plain.insert(key) {
            self.bytes += len + INDEX_ENTRY_OVERHEAD;
        }
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
            if let (Event::MembershipEnded { membership, .. }, Some(s)) =
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
                self.rm.record_spilled(key, spiller)?
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
        let mut batch = sled::Batch::default();
        for (key, value) in entries {
            match value {
                Some(v) => batch.insert(key, v),
                None => batch.remove(key),
            }
        }
        batch.insert(&keys::CHECKPOINT, &keys::u64_bytes(self.last_position));
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
        Some(EntityView::Decision(d)) => {
            text(d.number.len())
                + text(d.title.len())
                + vec(&d.amends)
                + vec(&d.replaces)
                + vec(&d.repeals)
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

/// Encodes one row into `out` (a committee's memberships into the segments `changes` says
/// were changed), leaving `record` as it was; returns about the size of its encoding.
fn encode_row(
    key: &EntityKey,
    record: &mut EntityRecord,
    changes: Option<&Segments>,
    out: &mut Vec<Entry>,
) -> Result<usize, Error> {
    // A committee's row is written without its memberships, which go to segments.
    let members = match &mut record.view {
        Some(EntityView::Committee(c)) => std::mem::take(&mut c.memberships),
        _ => Vec::new(),
    };
    let bytes = record.encode();
    if let Some(EntityView::Committee(c)) = &mut record.view {
        c.memberships = members;
    }
    let bytes = bytes?;
    let mut encoded = bytes.len();
    out.push((keys::entity(key), Some(bytes)));
    // The row now holds what its tails held.
    for tail in record.tails.drain(..) {
        out.push((tail, None));
    }
    if let EntityKey::Committee(_) = key {
        let members = members_of(&record.view).map_or(&[][..], Vec::as_slice);
        encoded += write_segments(out, key, members, changes)?;
    }
    Ok(encoded)
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
    out: &mut Vec<Entry>,
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
        out.push((keys::members(key, s), Some(encode_payload(&part)?)));
    }
    if all {
        // A refolded view can have fewer memberships than were stored.
        for s in count..stored.div_ceil(keys::SEGMENT) {
            out.push((keys::members(key, s), None));
        }
    }
    Ok(members.len() * MEMBERSHIP_BYTES)
}

/// The applying side of a rebuild's writing thread: what a chunk spills is written while the
/// chunk goes on applying the log (sled's writes are about a third of a rebuild's work).
/// Spills are numbered from 1 in the order handed over.
///
/// The spills not yet written stay readable here, so that a row spilled a moment ago can be
/// read back at once (see [`Spiller::get`]) instead of waiting for the writer, which may be
/// in the middle of a spill of a hundred thousand keys: waiting cost a 1M-event rebuild
/// about 3 s in 1 700 waits.
pub(crate) struct Spiller {
    to_writer: SyncSender<Arc<Vec<Entry>>>,
    /// Spills handed over and perhaps not yet written, oldest first, with their numbers.
    in_flight: Mutex<VecDeque<(u64, Arc<Vec<Entry>>)>>,
    sent: AtomicU64,
    /// Spills written, in order; set by the writing thread.
    written: Arc<AtomicU64>,
}

/// The writing side's end of a [`Spiller`].
pub(crate) struct Spills {
    from_applier: Receiver<Arc<Vec<Entry>>>,
    written: Arc<AtomicU64>,
}

impl Spiller {
    /// The channel holds one spill, so at most two (one being written) wait for the writer.
    pub(crate) fn new() -> (Self, Spills) {
        let (to_writer, from_applier) = sync_channel(1);
        let written = Arc::new(AtomicU64::new(0));
        let spiller = Self {
            to_writer,
            in_flight: Mutex::new(VecDeque::new()),
            sent: AtomicU64::new(0),
            written: written.clone(),
        };
        (
            spiller,
            Spills {
                from_applier,
                written,
            },
        )
    }

    /// Hands `entries` (sorted by key) to the writer, waiting while it has a spill queued.
    pub(crate) fn write(&self, entries: Vec<Entry>) -> Result<(), Error> {
        let entries = Arc::new(entries);
        let number = self.sent.fetch_add(1, Ordering::Relaxed) + 1;
        self.in_flight().push_back((number, entries.clone()));
        self.to_writer.send(entries).map_err(|_| stopped())
    }

    /// The number the next spill handed over will have.
    fn next_spill(&self) -> u64 {
        self.sent.load(Ordering::Relaxed) + 1
    }

    /// How many spills are in the tree.
    fn written(&self) -> u64 {
        self.written.load(Ordering::Acquire)
    }

    /// The spills not known to be written, oldest first (forgetting those that are).
    fn in_flight(&self) -> MutexGuard<'_, VecDeque<(u64, Arc<Vec<Entry>>)>> {
        let mut spills = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let written = self.written();
        while spills.front().is_some_and(|(n, _)| *n <= written) {
            spills.pop_front();
        }
        spills
    }

    /// The value of `key` as `tree` will hold it once every spill handed over is written.
    pub(crate) fn get(&self, tree: &sled::Tree, key: &[u8]) -> Result<Option<IVec>, Error> {
        // Whatever the writer finishes meanwhile, the spills taken here are applied on top
        // of what the tree is read to hold, so the answer does not depend on its progress.
        let spills = self.in_flight();
        for (_, entries) in spills.iter().rev() {
            if let Ok(i) = entries.binary_search_by(|e| e.0.as_slice().cmp(key)) {
                return Ok(entries.get(i).and_then(|e| e.1.as_deref()).map(IVec::from));
            }
        }
        Ok(tree.get(key)?)
    }

    /// The entries under `prefix`, in key order, as `tree` will hold them once every spill
    /// handed over is written.
    pub(crate) fn scan_prefix(
        &self,
        tree: &sled::Tree,
        prefix: &[u8],
    ) -> Result<Vec<(IVec, IVec)>, Error> {
        let spills = self.in_flight();
        let mut found = BTreeMap::new();
        for item in tree.scan_prefix(prefix) {
            let (k, v) = item?;
            found.insert(k, v);
        }
        for (_, entries) in spills.iter() {
            let start = entries.partition_point(|e| e.0.as_slice() < prefix);
            let under = entries.get(start..).unwrap_or_default();
            for (k, v) in under.iter().take_while(|e| e.0.starts_with(prefix)) {
                match v {
                    Some(v) => found.insert(IVec::from(k.as_slice()), IVec::from(v.as_slice())),
                    None => found.remove(k.as_slice()),
                };
            }
        }
        Ok(found.into_iter().collect())
    }
}

impl std::fmt::Debug for Spiller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spiller").finish_non_exhaustive()
    }
}

/// The writing thread stopped, which it does only on an error (reported when it is joined).
fn stopped() -> Error {
    super::corrupt("the rebuild's writing thread stopped")
}

/// An event as a rebuild's decoding thread hands it over: its body decoded (`None` if it is
/// not a domain event) and what the chunk needs of its record.
pub(crate) struct DecodedEvent {
    position: u64,
    revision: u64,
    recorded_at: i64,
    actor: String,
    event: Option<Event>,
}

impl DecodedEvent {
    /// Folds the event into `chunk`.
    pub(crate) fn apply_to(&self, chunk: &mut Chunk<'_>) -> Result<(), Error> {
        let stamp = Stamp {
            position: self.position,
            revision: self.revision,
            recorded_at: self.recorded_at,
            actor: &self.actor,
        };
        chunk.apply_decoded(&stamp, self.event.as_ref())
    }
}

/// What a rebuild's decoding thread sends: pages of events in position order, then `End`.
pub(crate) enum Decoded {
    Page(Vec<DecodedEvent>),
    End,
}

/// Which pages of the log one decoding thread of a rebuild reads: pages of `page`
/// positions, numbered from 0, every `stride`th from `first`, up to `head`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lane {
    pub(crate) first: u64,
    pub(crate) stride: u64,
    pub(crate) page: u64,
    pub(crate) head: u64,
}

/// A decoding thread of a rebuild: reads its lane of the log and decodes every domain
/// event, page by page, so that the applying thread only folds them in. Reading and
/// decoding the stored records is most of the work of a rebuild, and what a plain replay
/// does alone; here it overlaps the rest. Stops at the first error, which it sends, or when
/// the applying thread has gone.
///
/// The applying thread hands every page back through `used`, to be freed here: with glibc's
/// allocator, a thread that frees what another allocated takes the other's arena lock for
/// most blocks; at a million events that waiting took a fifth of the rebuild's time.
pub(crate) fn decode_log(
    store: &Store,
    lane: Lane,
    out: &SyncSender<Result<Decoded, Error>>,
    used: &Receiver<Vec<DecodedEvent>>,
) {
    let mut number = lane.first;
    loop {
        let start = number.saturating_mul(lane.page).saturating_add(1);
        if start > lane.head {
            break;
        }
        while let Ok(done) = used.try_recv() {
            drop(done);
        }
        let count = lane.page.min(lane.head - start + 1);
        let sent = match decode_page(store, start, count) {
            Ok(events) => out.send(Ok(Decoded::Page(events))),
            Err(e) => {
                let _ = out.send(Err(e));
                return;
            }
        };
        if sent.is_err() {
            return;
        }
        number = number.saturating_add(lane.stride);
    }
    // The applying thread may have stopped on an error of its own, which it reports.
    let _ = out.send(Ok(Decoded::End));
}

/// The `count` events from position `start`, decoded.
fn decode_page(store: &Store, start: u64, count: u64) -> Result<Vec<DecodedEvent>, Error> {
    let limit = usize::try_from(count).unwrap_or(usize::MAX);
    let read = store.read_all(Some(start), Direction::Forward, limit, &EventFilter::all())?;
    let mut events = Vec::with_capacity(read.events.len());
    for (expected, mut recorded) in (start..).zip(read.events) {
        // Lanes split the log by position, which is gap-free; a page must hold all of its.
        if recorded.position != expected {
            return Err(super::corrupt("a gap in the log's positions"));
        }
        let event = if is_domain_stream(&recorded.stream) {
            Some(decode_event(&recorded)?)
        } else {
            None
        };
        events.push(DecodedEvent {
            position: recorded.position,
            revision: recorded.revision,
            recorded_at: recorded.recorded_at.as_micros(),
            actor: std::mem::take(&mut recorded.metadata.actor),
            event,
        });
    }
    if events.len() != limit {
        return Err(super::corrupt("a page of the log ended early"));
    }
    Ok(events)
}

/// The writing thread of a rebuild: writes what it is handed until the channel closes.
pub(crate) fn write_spills(tree: &sled::Tree, spills: Spills) -> Result<(), Error> {
    for entries in spills.from_applier {
        write_entries(tree, &entries)?;
        // The applying thread made the entries and frees them (see `decode_log` for why):
        // its copy is the last once this one is dropped before the spill counts as written.
        drop(entries);
        spills.written.fetch_add(1, Ordering::Release);
    }
    Ok(())
}

/// Writes `entries` (sorted by key) one by one; for what a rebuild spills, which needs no
/// atomicity. Not as a sled batch: applying a batch takes sled's process-wide
/// concurrency-control lock exclusively, which would stop the rebuild's decoding threads
/// (iterating the log takes it shared) for as long as the batch takes; single inserts take
/// it shared, and cost less per key.
pub(crate) fn write_entries(tree: &sled::Tree, entries: &[Entry]) -> Result<(), Error> {
    for (key, value) in entries {
        match value {
            Some(v) => {
                tree.insert(key.as_slice(), v.as_slice())?;
            }
            None => {
                tree.remove(key.as_slice())?;
            }
        }
    }
    Ok(())
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
        out.plain(keys::name(&fold(n.as_str()), &key));
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
        E::SeatCreated {
            ex_officio: Some(post),
            ..
        } => {
            out.relate(keys::POST_COMMITTEES, post.as_uuid(), key.uuid());
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
        // A decision that amends, replaces or repeals another cites it.
        E::DecisionRecorded {
            amends,
            replaces,
            repeals,
            ..
        } => {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn put(k: &str, v: &str) -> Entry {
        (k.as_bytes().to_vec(), Some(v.as_bytes().to_vec()))
    }

    fn del(k: &str) -> Entry {
        (k.as_bytes().to_vec(), None)
    }

    fn text(v: Option<IVec>) -> Option<String> {
        v.map(|v| String::from_utf8(v.to_vec()).unwrap())
    }

    fn scan(spiller: &Spiller, tree: &sled::Tree, prefix: &str) -> Vec<(String, String)> {
        let found = spiller.scan_prefix(tree, prefix.as_bytes()).unwrap();
        found
            .into_iter()
            .map(|(k, v)| (text(Some(k)).unwrap(), text(Some(v)).unwrap()))
            .collect()
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn spills_not_yet_written_read_as_the_tree_will_hold_them() {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let tree = db.open_tree("rm").unwrap();
        for (k, v) in [
            ("a1", "old"),
            ("a2", "kept"),
            ("a4", "doomed"),
            ("b1", "other"),
        ] {
            tree.insert(k, v).unwrap();
        }
        let (spiller, spills) = Spiller::new();
        spiller
            .write(vec![put("a1", "new"), put("a3", "added"), del("a4")])
            .unwrap();
        // Taken off the channel but not written: the writer is busy with it.
        let first = spills.from_applier.recv().unwrap();
        spiller.write(vec![del("a1"), put("a3", "again")]).unwrap();

        let expected = pairs(&[("a2", "kept"), ("a3", "again")]);
        let check = |tree: &sled::Tree| {
            assert_eq!(text(spiller.get(tree, b"a1").unwrap()), None);
            assert_eq!(text(spiller.get(tree, b"a2").unwrap()).unwrap(), "kept");
            assert_eq!(text(spiller.get(tree, b"a3").unwrap()).unwrap(), "again");
            assert_eq!(text(spiller.get(tree, b"a4").unwrap()), None);
            assert_eq!(text(spiller.get(tree, b"b1").unwrap()).unwrap(), "other");
            assert_eq!(scan(&spiller, tree, "a"), expected);
            assert_eq!(scan(&spiller, tree, "b"), pairs(&[("b1", "other")]));
        };
        assert_eq!(text(tree.get("a1").unwrap()).unwrap(), "old");
        check(&tree);

        // The first spill lands; the answers do not move, and it is forgotten.
        write_entries(&tree, &first).unwrap();
        drop(first);
        spills.written.fetch_add(1, Ordering::Release);
        check(&tree);
        assert_eq!(spiller.in_flight().len(), 1);

        // The writer takes the rest; the tree now holds what was answered.
        drop(spiller);
        write_spills(&tree, spills).unwrap();
        let stored: Vec<(String, String)> = tree
            .scan_prefix("a")
            .map(|r| {
                let (k, v) = r.unwrap();
                (text(Some(k)).unwrap(), text(Some(v)).unwrap())
            })
            .collect();
        assert_eq!(stored, expected);
    }
}
