//! Appending: expected-revision checks, idempotency, positions, hashes, one atomic batch.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::chain::record_hash;
use crate::codec;
use crate::error::{AppendError, CorruptionError, ReadError};
use crate::index::IndexOverlay;
use crate::keys;
use crate::record::{
    NewEvent, RecordedEvent, Timestamp, MAX_EVENT_TYPE_BYTES, MAX_PAYLOAD_BYTES, MAX_RECORD_BYTES,
    MAX_STREAM_ID_BYTES,
};
use crate::store::{lock, Inner, Store, WriterState};

/// Past this many cached stream heads the cache is cleared; heads are re-read from the tree.
const STREAM_CACHE_LIMIT: usize = 100_000;

/// What the caller believes about a stream before appending to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedRevision {
    /// Append whatever the stream's state.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must exist.
    StreamExists,
    /// The stream's last revision must be exactly this.
    Exact(u64),
}

impl fmt::Display for ExpectedRevision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("any revision"),
            Self::NoStream => f.write_str("no stream"),
            Self::StreamExists => f.write_str("an existing stream"),
            Self::Exact(r) => write!(f, "revision {r}"),
        }
    }
}

impl ExpectedRevision {
    fn admits(self, actual: Option<u64>) -> bool {
        match self {
            Self::Any => true,
            Self::NoStream => actual.is_none(),
            Self::StreamExists => actual.is_some(),
            Self::Exact(r) => actual == Some(r),
        }
    }
}

/// Events for one stream within a (possibly multi-stream) append.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamAppend {
    /// The stream id; its category is the part before the first `-`.
    pub stream: String,
    /// The condition the stream must meet.
    pub expected: ExpectedRevision,
    /// The events, in order.
    pub events: Vec<NewEvent>,
}

impl StreamAppend {
    /// Events for `stream` under the condition `expected`.
    pub fn new(
        stream: impl Into<String>,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Self {
        Self {
            stream: stream.into(),
            expected,
            events,
        }
    }
}

/// Where an append's events landed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AppendOutcome {
    /// The position of the first event.
    pub first_position: u64,
    /// The position of the last event; the log head right after the append.
    pub last_position: u64,
    /// Each stream's last revision after the append, in the order the streams were given.
    pub streams: Vec<(String, u64)>,
    /// True when every event was stored already and nothing was appended.
    pub deduplicated: bool,
}

impl Store {
    /// Appends events to one stream, durably: when this returns `Ok` the events are on stable
    /// storage and visible to readers.
    pub fn append(
        &self,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, AppendError> {
        self.append_multi(vec![StreamAppend::new(stream, expected, events)])
    }

    /// Appends to several streams in one all-or-nothing step, durably. Either every stream's
    /// condition holds and all events are appended at consecutive positions, or nothing is.
    pub fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<AppendOutcome, AppendError> {
        let outcome = self.inner.commit(&appends)?;
        self.inner.sync_to(outcome.last_position)?;
        Ok(outcome)
    }

    /// Starts a bulk import whose appends are not synced one by one: they become durable and
    /// visible only at [`BulkImportFlushedAtEnd::finish`] (or any other sync). For loading large
    /// histories, where one sync per append would dominate.
    pub fn bulk_import_flushed_at_end(&self) -> BulkImportFlushedAtEnd<'_> {
        BulkImportFlushedAtEnd {
            store: self,
            appended: 0,
        }
    }
}

/// A bulk import: appends with the same checks as [`Store::append_multi`], but no sync until
/// [`finish`](Self::finish). Dropping it without `finish` still syncs, best effort.
#[derive(Debug)]
pub struct BulkImportFlushedAtEnd<'a> {
    store: &'a Store,
    appended: u64,
}

impl BulkImportFlushedAtEnd<'_> {
    /// Appends without waiting for stable storage; not visible to readers until the sync.
    pub fn append_multi(&mut self, appends: &[StreamAppend]) -> Result<AppendOutcome, AppendError> {
        let outcome = self.store.inner.commit(appends)?;
        if !outcome.deduplicated {
            self.appended += outcome.last_position - outcome.first_position + 1;
        }
        Ok(outcome)
    }

    /// Syncs everything appended; returns how many events this import appended.
    pub fn finish(mut self) -> Result<u64, AppendError> {
        self.store.sync()?;
        let n = self.appended;
        self.appended = 0;
        Ok(n)
    }
}

impl Drop for BulkImportFlushedAtEnd<'_> {
    fn drop(&mut self) {
        if self.appended > 0 {
            // An error here has no caller to go to; the next sync retries the same work.
            let _ = self.store.sync();
        }
    }
}

fn next_stream_no_changed(w: &WriterState, g: &Group) -> bool {
    g.next_stream_no != w.next_stream_no
}

fn validate(appends: &[StreamAppend]) -> Result<usize, AppendError> {
    if appends.is_empty() {
        return Err(AppendError::Empty);
    }
    let mut streams = HashSet::with_capacity(appends.len());
    let mut ids = HashSet::new();
    let mut total = 0;
    for a in appends {
        validate_name(&a.stream, MAX_STREAM_ID_BYTES).map_err(|reason| {
            AppendError::InvalidStreamId {
                stream: a.stream.clone(),
                reason,
            }
        })?;
        if !streams.insert(a.stream.as_str()) {
            return Err(AppendError::DuplicateStreamInRequest(a.stream.clone()));
        }
        if a.events.is_empty() {
            return Err(AppendError::Empty);
        }
        for e in &a.events {
            validate_name(&e.event_type, MAX_EVENT_TYPE_BYTES).map_err(|reason| {
                AppendError::InvalidEventType {
                    event_type: e.event_type.clone(),
                    reason,
                }
            })?;
            if e.payload.len() > MAX_PAYLOAD_BYTES {
                return Err(AppendError::TooLarge {
                    event_id: e.id,
                    size: e.payload.len(),
                    limit: MAX_PAYLOAD_BYTES,
                });
            }
            if !ids.insert(e.id) {
                return Err(AppendError::DuplicateIdInRequest(e.id));
            }
            total += 1;
        }
    }
    Ok(total)
}

fn validate_name(name: &str, max: usize) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty");
    }
    if name.len() > max {
        return Err("too long");
    }
    if name.chars().any(char::is_control) {
        return Err("contains control characters");
    }
    Ok(())
}

/// One caller's append waiting for a group commit, and where its result goes.
pub(crate) type Pending = (Vec<StreamAppend>, Arc<Ticket>);

/// Where the committer leaves one caller's result.
#[derive(Default)]
pub(crate) struct Ticket(Mutex<Option<Result<AppendOutcome, AppendError>>>);

impl Ticket {
    fn put(&self, r: Result<AppendOutcome, AppendError>) {
        *lock(&self.0) = Some(r);
    }

    fn take(&self) -> Option<Result<AppendOutcome, AppendError>> {
        lock(&self.0).take()
    }
}

/// What the appends of one group have decided so far, before their single sled batch.
struct Group {
    next_position: u64,
    last_hash: crate::chain::Hash,
    last_recorded_at: Timestamp,
    next_stream_no: u64,
    /// Streams this group appended to: (stream number, last revision).
    heads: HashMap<String, (u64, Option<u64>)>,
    /// This group's records by event id, for retries within the same group.
    ids: HashMap<Uuid, RecordedEvent>,
    /// Index values the group has read or changed; the changed ones join the batch.
    index: IndexOverlay,
    batch: sled::Batch,
    records: Vec<RecordedEvent>,
}

impl Group {
    fn new(w: &WriterState) -> Self {
        Self {
            next_position: w.next_position,
            last_hash: w.last_hash,
            last_recorded_at: w.last_recorded_at,
            next_stream_no: w.next_stream_no,
            heads: HashMap::new(),
            ids: HashMap::new(),
            index: IndexOverlay::default(),
            batch: sled::Batch::default(),
            records: Vec::new(),
        }
    }
}

impl Inner {
    /// Checks and applies one append. Returns once its batch is in sled (not yet synced).
    ///
    /// Appends that arrive while another is being applied queue up, and the next holder of
    /// the writer lock applies all of them in one sled batch: sled's batch (not the checks)
    /// is the serialized cost, so concurrent appenders share it as they share the sync.
    pub(crate) fn commit(&self, appends: &[StreamAppend]) -> Result<AppendOutcome, AppendError> {
        validate(appends)?;
        let ticket = Arc::new(Ticket::default());
        lock(&self.queue).push((appends.to_vec(), Arc::clone(&ticket)));
        let mut w = lock(&self.writer);
        // A committer that held the lock before us may have taken our append with its own.
        if let Some(result) = ticket.take() {
            return result;
        }
        let pending = std::mem::take(&mut *lock(&self.queue));
        self.commit_group(&mut w, pending);
        drop(w);
        // Our append was in the queue we drained, so its result is there.
        ticket.take().unwrap_or(Err(AppendError::Poisoned))
    }

    /// Decides every pending append in order against the state the ones before it leave,
    /// applies the accepted ones in one sled batch, and hands each caller its result.
    fn commit_group(&self, w: &mut WriterState, pending: Vec<Pending>) {
        if w.poisoned {
            for (_, ticket) in pending {
                ticket.put(Err(AppendError::Poisoned));
            }
            return;
        }
        let mut g = Group::new(w);
        let first_position = g.next_position;
        let results: Vec<(Arc<Ticket>, Result<AppendOutcome, AppendError>)> = pending
            .into_iter()
            .map(|(appends, ticket)| {
                let r = self.stage(w, &mut g, &appends);
                (ticket, r)
            })
            .collect();
        if !g.records.is_empty() {
            if next_stream_no_changed(w, &g) {
                g.batch
                    .insert(&keys::STREAM_COUNTER, &keys::u64_value(g.next_stream_no));
            }
            std::mem::take(&mut g.index).write_into(&mut g.batch);
            if let Err(e) = self.tree.apply_batch(std::mem::take(&mut g.batch)) {
                // sled may have applied part of the batch in memory (its log recovers it
                // atomically, but this process's view is now uncertain), so refuse writes
                // until reopened. Every answer of this group that rests on the batch fails.
                w.poisoned = true;
                for (ticket, r) in results {
                    ticket.put(match r {
                        Ok(o) if o.last_position >= first_position => {
                            Err(AppendError::Storage(e.clone().into()))
                        }
                        other => other,
                    });
                }
                return;
            }
            self.batches.fetch_add(1, Ordering::Relaxed);
            let last_position = g.next_position - 1;
            w.next_position = g.next_position;
            w.last_hash = g.last_hash;
            w.last_recorded_at = g.last_recorded_at;
            w.next_stream_no = g.next_stream_no;
            if w.streams.len() + g.heads.len() > STREAM_CACHE_LIMIT {
                w.streams.clear();
            }
            w.streams.extend(g.heads);
            self.remember_recent(g.records);
            self.committed.store(last_position, Ordering::Release);
        }
        for (ticket, r) in results {
            ticket.put(r);
        }
    }

    /// Checks one append against the group so far and adds its records to the group's batch;
    /// a refused append adds nothing.
    fn stage(
        &self,
        w: &mut WriterState,
        g: &mut Group,
        appends: &[StreamAppend],
    ) -> Result<AppendOutcome, AppendError> {
        let total: usize = appends.iter().map(|a| a.events.len()).sum();
        if let Some(outcome) = self.find_duplicates(g, appends, total)? {
            return Ok(outcome);
        }

        let mut heads = Vec::with_capacity(appends.len());
        for a in appends {
            let head = match g.heads.get(&a.stream) {
                Some(&h) => Some(h),
                None => self.stream_head_locked(w, &a.stream)?,
            };
            let actual = head.and_then(|(_, rev)| rev);
            if !a.expected.admits(actual) {
                return Err(AppendError::WrongExpectedRevision {
                    stream: a.stream.clone(),
                    expected: a.expected,
                    actual,
                });
            }
            heads.push(head);
        }

        let first_position = g.next_position;
        let mut position = first_position;
        let mut prev_hash = g.last_hash;
        let mut recorded_at = g.last_recorded_at;
        let mut next_stream_no = g.next_stream_no;
        let mut inserts: Vec<(Vec<u8>, Vec<u8>)> = Vec::with_capacity(total + appends.len());
        let mut index = IndexOverlay::default();
        let mut records = Vec::with_capacity(total);
        let mut stream_results = Vec::with_capacity(appends.len());
        let mut new_heads = Vec::with_capacity(appends.len());
        for (a, head) in appends.iter().zip(heads) {
            let (stream_no, last_rev) = match head {
                Some(h) => h,
                None => {
                    let no = next_stream_no;
                    next_stream_no += 1;
                    inserts.push((keys::stream(&a.stream), keys::u64_value(no).to_vec()));
                    (no, None)
                }
            };
            let mut revision = last_rev.map_or(0, |r| r + 1);
            for e in &a.events {
                let now = Timestamp::now();
                recorded_at = if now > recorded_at {
                    now
                } else {
                    Timestamp::from_micros(recorded_at.as_micros().saturating_add(1))
                };
                let mut record = RecordedEvent {
                    position,
                    stream: a.stream.clone(),
                    revision,
                    event_id: e.id,
                    event_type: e.event_type.clone(),
                    schema_version: e.schema_version,
                    recorded_at,
                    metadata: e.metadata.clone(),
                    payload: e.payload.clone(),
                    prev_hash,
                    hash: prev_hash,
                };
                record.hash = record_hash(&record);
                let bytes = codec::encode_record(&record)
                    .map_err(|err| CorruptionError::at_position(position, err))
                    .map_err(ReadError::from)?;
                if bytes.len() > MAX_RECORD_BYTES {
                    return Err(AppendError::TooLarge {
                        event_id: e.id,
                        size: bytes.len(),
                        limit: MAX_RECORD_BYTES,
                    });
                }
                inserts.push((keys::log(position).to_vec(), bytes));
                index.add_revision(&g.index, &self.tree, stream_no, revision, position)?;
                index.add_id(&g.index, &self.tree, &e.id, position)?;
                prev_hash = record.hash;
                records.push(record);
                position += 1;
                revision += 1;
            }
            let last_revision = revision - 1;
            stream_results.push((a.stream.clone(), last_revision));
            new_heads.push((a.stream.clone(), stream_no, last_revision));
        }

        // Accepted: only now does anything reach the group.
        for (k, v) in inserts {
            g.batch.insert(k, v);
        }
        g.index.absorb(index);
        for (stream, no, rev) in new_heads {
            g.heads.insert(stream, (no, Some(rev)));
        }
        for r in &records {
            g.ids.insert(r.event_id, r.clone());
        }
        g.records.extend(records);
        g.next_position = position;
        g.last_hash = prev_hash;
        g.last_recorded_at = recorded_at;
        g.next_stream_no = next_stream_no;
        Ok(AppendOutcome {
            first_position,
            last_position: position - 1,
            streams: stream_results,
            deduplicated: false,
        })
    }

    /// `Some` when every event is stored already (or earlier in this group) with identical
    /// content: a retry.
    fn find_duplicates(
        &self,
        g: &mut Group,
        appends: &[StreamAppend],
        total: usize,
    ) -> Result<Option<AppendOutcome>, AppendError> {
        let mut found: Vec<RecordedEvent> = Vec::new();
        let mut missing: Option<Uuid> = None;
        for a in appends {
            for e in &a.events {
                let stored = match g.ids.get(&e.id) {
                    Some(r) => Some(r.clone()),
                    None => match g.index.find_id(&self.tree, &e.id)? {
                        None => None,
                        Some(position) => Some(self.read_record(position)?),
                    },
                };
                match stored {
                    None => missing = Some(e.id),
                    Some(stored) => {
                        if !stored.same_content(&a.stream, e) {
                            return Err(AppendError::EventIdConflict {
                                event_id: e.id,
                                position: stored.position,
                            });
                        }
                        found.push(stored);
                    }
                }
            }
        }
        if found.is_empty() {
            return Ok(None);
        }
        if missing.is_some() || found.len() != total {
            return Err(AppendError::PartialDuplicate {
                event_id: found[0].event_id,
            });
        }
        let first_position = found.iter().map(|r| r.position).min().unwrap_or(0);
        let last_position = found.iter().map(|r| r.position).max().unwrap_or(0);
        let streams = appends
            .iter()
            .map(|a| {
                let last = found
                    .iter()
                    .filter(|r| r.stream == a.stream)
                    .map(|r| r.revision)
                    .max()
                    .unwrap_or(0);
                (a.stream.clone(), last)
            })
            .collect();
        Ok(Some(AppendOutcome {
            first_position,
            last_position,
            streams,
            deduplicated: true,
        }))
    }

    /// The stream's number and last committed revision, through the writer's cache.
    fn stream_head_locked(
        &self,
        w: &mut WriterState,
        stream: &str,
    ) -> Result<Option<(u64, Option<u64>)>, ReadError> {
        if let Some(&head) = w.streams.get(stream) {
            return Ok(Some(head));
        }
        let Some(no) = self.stream_number(stream)? else {
            return Ok(None);
        };
        let last = self.last_revision(no, u64::MAX)?;
        w.streams.insert(stream.to_string(), (no, last));
        Ok(Some((no, last)))
    }

    fn remember_recent(&self, records: Vec<RecordedEvent>) {
        let mut recent = self
            .recent
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for r in records {
            if recent.len() == self.recent_capacity {
                recent.pop_front();
            }
            recent.push_back(r);
        }
    }
}
