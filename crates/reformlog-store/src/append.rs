//! Appending: expected-revision checks, idempotency, positions, hashes, one atomic batch.

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::chain::record_hash;
use crate::codec;
use crate::error::{AppendError, CorruptionError, ReadError};
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

impl Inner {
    /// Checks and applies one append under the writer lock. Returns once the batch is in sled
    /// (not yet synced).
    pub(crate) fn commit(&self, appends: &[StreamAppend]) -> Result<AppendOutcome, AppendError> {
        let total = validate(appends)?;
        let mut w = lock(&self.writer);
        if w.poisoned {
            return Err(AppendError::Poisoned);
        }
        if let Some(outcome) = self.find_duplicates(appends, total)? {
            return Ok(outcome);
        }

        let mut heads = Vec::with_capacity(appends.len());
        for a in appends {
            let head = self.stream_head_locked(&mut w, &a.stream)?;
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

        let first_position = w.next_position;
        let mut position = first_position;
        let mut prev_hash = w.last_hash;
        let mut recorded_at = w.last_recorded_at;
        let mut next_stream_no = w.next_stream_no;
        let mut batch = sled::Batch::default();
        let mut records = Vec::with_capacity(total);
        let mut stream_results = Vec::with_capacity(appends.len());
        let mut new_heads = Vec::with_capacity(appends.len());
        for (a, head) in appends.iter().zip(heads) {
            let (stream_no, last_rev) = match head {
                Some(h) => h,
                None => {
                    let no = next_stream_no;
                    next_stream_no += 1;
                    batch.insert(keys::stream(&a.stream), &keys::u64_value(no));
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
                batch.insert(&keys::log(position), bytes);
                batch.insert(
                    &keys::revision(stream_no, revision),
                    &keys::u64_value(position),
                );
                batch.insert(&keys::event_id(&e.id), &keys::u64_value(position));
                prev_hash = record.hash;
                records.push(record);
                position += 1;
                revision += 1;
            }
            let last_revision = revision - 1;
            stream_results.push((a.stream.clone(), last_revision));
            new_heads.push((a.stream.clone(), stream_no, last_revision));
        }
        if next_stream_no != w.next_stream_no {
            batch.insert(&keys::STREAM_COUNTER, &keys::u64_value(next_stream_no));
        }

        if let Err(e) = self.tree.apply_batch(batch) {
            // sled may have applied part of the batch in memory (its log recovers it atomically,
            // but this process's view is now uncertain), so refuse writes until reopened.
            w.poisoned = true;
            return Err(e.into());
        }

        let last_position = position - 1;
        w.next_position = position;
        w.last_hash = prev_hash;
        w.last_recorded_at = recorded_at;
        w.next_stream_no = next_stream_no;
        if w.streams.len() + new_heads.len() > STREAM_CACHE_LIMIT {
            w.streams.clear();
        }
        for (stream, no, rev) in new_heads {
            w.streams.insert(stream, (no, Some(rev)));
        }
        self.remember_recent(records);
        self.committed.store(last_position, Ordering::Release);
        Ok(AppendOutcome {
            first_position,
            last_position,
            streams: stream_results,
            deduplicated: false,
        })
    }

    /// `Some` when every event is stored already with identical content (a retry).
    fn find_duplicates(
        &self,
        appends: &[StreamAppend],
        total: usize,
    ) -> Result<Option<AppendOutcome>, AppendError> {
        let mut found: Vec<RecordedEvent> = Vec::new();
        let mut missing: Option<Uuid> = None;
        for a in appends {
            for e in &a.events {
                match self.tree.get(keys::event_id(&e.id))? {
                    None => missing = Some(e.id),
                    Some(v) => {
                        let position = keys::read_u64(&v)
                            .ok_or_else(|| CorruptionError {
                                at: format!("event id index {}", e.id),
                                reason: "not eight bytes".into(),
                            })
                            .map_err(ReadError::from)?;
                        let stored = self.read_record(position)?;
                        if !stored.same_content(&a.stream, e) {
                            return Err(AppendError::EventIdConflict {
                                event_id: e.id,
                                position,
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
