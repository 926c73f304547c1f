//! Appending: expected-revision checks, idempotency, positions, hashes: each call one commit.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codec;
use crate::commit::{CommitInfo, StagedCommit, StagedStream};
use crate::error::{AppendError, CorruptionError, ReadError};
use crate::journal;
use crate::record::{
    NewEvent, RecordedEvent, Timestamp, MAX_EVENT_TYPE_BYTES, MAX_PAYLOAD_BYTES, MAX_RECORD_BYTES,
    MAX_STREAM_ID_BYTES,
};
use crate::round::{Queued, Ticket};
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
    /// The commit the append is (for a deduplicated retry, the commit that holds the events).
    pub commit: u64,
    /// True when every event was stored already and nothing was appended.
    pub deduplicated: bool,
}

impl AppendOutcome {
    /// An outcome as another backend of the same log reports it; this crate's store builds
    /// its own.
    pub fn new(
        first_position: u64,
        last_position: u64,
        streams: Vec<(String, u64)>,
        commit: u64,
        deduplicated: bool,
    ) -> Self {
        Self {
            first_position,
            last_position,
            streams,
            commit,
            deduplicated,
        }
    }

    /// The outcome a retry is answered with: `found` holds the recorded events of every event
    /// of `appends` (a retry records nothing new), and the outcome is the one of the commit
    /// that recorded them, marked deduplicated.
    pub fn of_retry<R: std::borrow::Borrow<RecordedEvent>>(
        appends: &[StreamAppend],
        found: &[R],
    ) -> Self {
        let found = || found.iter().map(R::borrow);
        let first_position = found().map(|r| r.position).min().unwrap_or(0);
        let last_position = found().map(|r| r.position).max().unwrap_or(0);
        let commit = found().map(|r| r.commit).max().unwrap_or(0);
        let streams = appends
            .iter()
            .map(|a| {
                let last = found()
                    .filter(|r| r.stream == a.stream)
                    .map(|r| r.revision)
                    .max()
                    .unwrap_or(0);
                (a.stream.clone(), last)
            })
            .collect();
        Self {
            first_position,
            last_position,
            streams,
            commit,
            deduplicated: true,
        }
    }
}

impl Store {
    /// Appends events to one stream as one commit, durably: when this returns `Ok` the commit
    /// is on stable storage and visible to readers.
    pub fn append(
        &self,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, AppendError> {
        self.append_multi(vec![StreamAppend::new(stream, expected, events)])
    }

    /// Appends to several streams as one commit, all or nothing, durably. Either every
    /// stream's condition holds and all events are appended at consecutive positions with one
    /// commit number and one recorded-at time, or nothing is.
    ///
    /// A [`AppendError::WrongExpectedRevision`] is returned only once the commit that changed
    /// the stream is visible, so a retry that re-reads the stream sees it.
    pub fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<AppendOutcome, AppendError> {
        self.inner.append_durably(&appends)
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
    /// Appends as one commit without waiting for stable storage; not visible to readers until
    /// the sync.
    pub fn append_multi(&mut self, appends: &[StreamAppend]) -> Result<AppendOutcome, AppendError> {
        let outcome = self.store.inner.append_unsynced(appends)?;
        if !outcome.deduplicated {
            self.appended += outcome.last_position - outcome.first_position + 1;
        }
        Ok(outcome)
    }

    /// Syncs everything appended; returns how many events this import appended.
    pub fn finish(mut self) -> Result<u64, AppendError> {
        self.store.inner.sync_all()?;
        let n = self.appended;
        self.appended = 0;
        Ok(n)
    }
}

impl Drop for BulkImportFlushedAtEnd<'_> {
    fn drop(&mut self) {
        if self.appended > 0 {
            // An error here has no caller to go to; the next sync retries the same work.
            let _ = self.store.inner.sync_all();
        }
    }
}

/// The checks every append passes before anything is read: at least one event per stream,
/// valid stream ids and event types, payloads within the limit, no stream or event id twice.
/// Returns the number of events. Public so that another backend refuses exactly what this
/// store refuses, with the same errors.
pub fn validate(appends: &[StreamAppend]) -> Result<usize, AppendError> {
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

/// More than a record's layout-4 encoding can take: every string and byte field with a
/// length of at most 10 bytes (a variable-length integer), the fixed fields and the hash.
fn size_bound(r: &RecordedEvent) -> usize {
    let m = &r.metadata;
    let strings = [
        r.stream.len(),
        r.event_type.len(),
        r.payload.len(),
        m.actor.len(),
        m.reason.as_ref().map_or(0, String::len),
        m.source.as_ref().map_or(0, String::len),
    ];
    let extra: usize = m.extra.iter().map(|(k, v)| k.len() + v.len() + 20).sum();
    strings.iter().map(|n| n + 10).sum::<usize>() + extra + 1 + 3 * 10 + 16 + 2 * 17 + 10 + 32
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

/// A retry's outcome, and the in-flight commit it must wait for.
type Retry = (AppendOutcome, Option<Arc<Ticket>>);

/// What staging one append decided.
pub(crate) enum Staged {
    /// A new commit, queued for the next journal round.
    Commit(AppendOutcome, Arc<Ticket>),
    /// Every event is stored already; `wait` is the in-flight commit holding some of them,
    /// which must become durable before the retry may report success.
    Duplicate(AppendOutcome, Option<Arc<Ticket>>),
    /// The stream's revision differs; `wait` is the in-flight commit that set it, which must
    /// become visible before the conflict is reported.
    Conflict(AppendError, Option<Arc<Ticket>>),
}

impl Inner {
    /// Decides one append against everything staged so far and queues its commit. Nothing
    /// reaches sled here: commits are installed only after they are journaled.
    pub(crate) fn stage(&self, appends: &[StreamAppend]) -> Result<Staged, AppendError> {
        let total = validate(appends)?;
        if self
            .shared
            .reserve_short
            .load(std::sync::atomic::Ordering::Acquire)
            && !self.shared.reserve()
        {
            return Err(AppendError::StorageFull(
                "no room for the space kept free for sled's files".into(),
            ));
        }
        let mut w = lock(&self.writer);
        if let Some(e) = w.refusal() {
            return Err(e);
        }
        if let Some((outcome, wait)) = self.find_duplicates(&w, appends, total)? {
            return Ok(Staged::Duplicate(outcome, wait));
        }

        let mut heads = Vec::with_capacity(appends.len());
        for a in appends {
            let head = self.stream_head_locked(&mut w, &a.stream)?;
            let actual = head.and_then(|(_, rev)| rev);
            if !a.expected.admits(actual) {
                let wait = w.last_ticket.clone().filter(|_| w.inflight > 0);
                return Ok(Staged::Conflict(
                    AppendError::WrongExpectedRevision {
                        stream: a.stream.clone(),
                        expected: a.expected,
                        actual,
                    },
                    wait,
                ));
            }
            heads.push(head);
        }

        let number = w.next_commit;
        let first_position = w.next_position;
        let now = Timestamp::now();
        // One time for the whole commit, strictly after the previous commit's.
        let recorded_at = if now > w.last_recorded_at {
            now
        } else {
            Timestamp::from_micros(w.last_recorded_at.as_micros().saturating_add(1))
        };
        let metadata = appends
            .first()
            .and_then(|a| a.events.first())
            .map(|e| e.metadata.clone())
            .unwrap_or_default();
        let mut position = first_position;
        let mut prev_hash = w.last_hash;
        let mut next_stream_no = w.next_stream_no;
        let mut records = Vec::with_capacity(total);
        let mut streams = Vec::with_capacity(appends.len());
        let mut stream_results = Vec::with_capacity(appends.len());
        for (a, head) in appends.iter().zip(heads) {
            let (stream_no, last_rev, created) = match head {
                Some((no, rev)) => (no, rev, false),
                None => {
                    let no = next_stream_no;
                    next_stream_no += 1;
                    (no, None, true)
                }
            };
            let first_revision = last_rev.map_or(0, |r| r + 1);
            let mut revision = first_revision;
            for e in &a.events {
                let record = RecordedEvent::chained(
                    e,
                    &a.stream,
                    position,
                    number,
                    revision,
                    recorded_at,
                    prev_hash,
                );
                // Encode only when a bound on the size does not settle it: this is the
                // acknowledgement path, and the installer encodes the record anyway.
                let size = if size_bound(&record) <= MAX_RECORD_BYTES {
                    0
                } else {
                    codec::encode_record_v4(&record, &metadata)
                        .map_err(|err| CorruptionError::at_position(position, err))
                        .map_err(ReadError::from)?
                        .len()
                };
                if size > MAX_RECORD_BYTES {
                    return Err(AppendError::TooLarge {
                        event_id: e.id,
                        size,
                        limit: MAX_RECORD_BYTES,
                    });
                }
                prev_hash = record.hash;
                records.push(record);
                position += 1;
                revision += 1;
            }
            streams.push(StagedStream {
                stream: a.stream.clone(),
                stream_no,
                created,
                first_revision,
                events: a.events.len(),
            });
            stream_results.push((a.stream.clone(), revision - 1));
        }
        let commit = StagedCommit {
            info: CommitInfo {
                number,
                first_position,
                last_position: position - 1,
                recorded_at,
                metadata,
            },
            prev_hash: w.last_hash,
            streams,
            records,
        };
        let mut frame = Vec::new();
        journal::encode_frame(&commit, &mut frame)?;
        let ticket = self.enqueue(&mut w, commit, frame, next_stream_no);
        let outcome = AppendOutcome {
            first_position,
            last_position: position - 1,
            streams: stream_results,
            deduplicated: false,
            commit: number,
        };
        Ok(Staged::Commit(outcome, ticket))
    }

    /// Accepts a staged commit: the writer's state moves past it and it joins the queue for
    /// the next round. The caller holds the writer lock and has checked everything.
    pub(crate) fn enqueue(
        &self,
        w: &mut WriterState,
        commit: StagedCommit,
        frame: Vec<u8>,
        next_stream_no: u64,
    ) -> Arc<Ticket> {
        let ticket = Arc::new(Ticket::default());
        for s in &commit.streams {
            let last = s.first_revision + s.events as u64 - 1;
            w.streams
                .insert(s.stream.clone(), (s.stream_no, Some(last)));
        }
        for r in &commit.records {
            w.inflight_ids
                .insert(r.event_id, (r.clone(), Arc::clone(&ticket)));
        }
        w.next_commit = commit.info.number + 1;
        w.next_position = commit.info.last_position + 1;
        w.last_hash = commit.last_hash();
        w.last_recorded_at = commit.info.recorded_at;
        w.next_stream_no = next_stream_no;
        w.inflight += 1;
        w.last_ticket = Some(Arc::clone(&ticket));
        lock(&self.queue).push_back(Queued {
            commit,
            frame,
            ticket: Arc::clone(&ticket),
        });
        ticket
    }

    /// `Some` when every event is stored already (or staged) with identical content: a retry.
    fn find_duplicates(
        &self,
        w: &WriterState,
        appends: &[StreamAppend],
        total: usize,
    ) -> Result<Option<Retry>, AppendError> {
        let mut found: Vec<RecordedEvent> = Vec::new();
        let mut missing: Option<Uuid> = None;
        let mut wait: Option<Arc<Ticket>> = None;
        for a in appends {
            for e in &a.events {
                let stored = match w.inflight_ids.get(&e.id) {
                    Some((r, ticket)) => {
                        wait = Some(Arc::clone(ticket));
                        Some(r.clone())
                    }
                    None => match self.position_of_id(&e.id)? {
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
        Ok(Some((AppendOutcome::of_retry(appends, &found), wait)))
    }

    /// The stream's number and last revision, staged commits included, through the writer's
    /// cache.
    pub(crate) fn stream_head_locked(
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
        // Clearing is safe only while nothing is in flight: staged heads live only here.
        if w.streams.len() >= STREAM_CACHE_LIMIT && w.inflight == 0 {
            w.streams.clear();
        }
        w.streams.insert(stream.to_string(), (no, last));
        Ok(Some((no, last)))
    }
}
