//! Reading: streams and the global log in either direction, by time, by id, with filters.
//!
//! Every read is bounded by the visible (durable) head, so a reader never sees an event that a
//! crash could take back, nor part of a batch still being applied.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::chain::HeadDigest;
use crate::codec;
use crate::error::{CorruptionError, ReadError, SledResult};
use crate::keys;
use crate::record::{stream_category, RecordedEvent, Timestamp};
use crate::store::{Inner, Store};

/// Which way to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Oldest first.
    #[default]
    Forward,
    /// Newest first.
    Backward,
}

/// Which events a read or subscription passes on. Empty lists mean "all".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    /// Event type names to keep.
    pub event_types: Vec<String>,
    /// Stream categories (the part of a stream id before the first `-`) to keep.
    pub stream_categories: Vec<String>,
}

impl EventFilter {
    /// Keeps every event.
    pub fn all() -> Self {
        Self::default()
    }

    /// Keeps events of these types.
    pub fn event_types<I, S>(types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            event_types: types.into_iter().map(Into::into).collect(),
            stream_categories: Vec::new(),
        }
    }

    /// Keeps events of streams in these categories.
    pub fn stream_categories<I, S>(categories: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            event_types: Vec::new(),
            stream_categories: categories.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether the filter keeps `event`.
    pub fn matches(&self, event: &RecordedEvent) -> bool {
        (self.event_types.is_empty() || self.event_types.contains(&event.event_type))
            && (self.stream_categories.is_empty()
                || self
                    .stream_categories
                    .iter()
                    .any(|c| c == stream_category(&event.stream)))
    }
}

/// A page of the global log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    /// The events, in the order read.
    pub events: Vec<RecordedEvent>,
    /// Where to continue reading in the same direction, or `None` when the read reached the
    /// end (the head going forward, position 1 going backward).
    pub next: Option<u64>,
    /// The visible head when the page was read.
    pub head: u64,
}

impl Store {
    /// The last visible position and its hash, or `None` for an empty log.
    pub fn head(&self) -> Result<Option<HeadDigest>, ReadError> {
        let position = self.inner.settle();
        if position == 0 {
            return Ok(None);
        }
        let record = self.inner.read_record(position)?;
        Ok(Some(HeadDigest {
            position,
            hash: record.hash,
        }))
    }

    /// The last visible position (0 for an empty log); one atomic load.
    pub fn head_position(&self) -> u64 {
        self.inner.settle()
    }

    /// The stream's last visible revision, or `None` when it has no visible event.
    pub fn stream_revision(&self, stream: &str) -> Result<Option<u64>, ReadError> {
        let visible = self.inner.settle();
        match self.inner.stream_number(stream)? {
            None => Ok(None),
            Some(no) => self.inner.last_revision(no, visible),
        }
    }

    /// The event at `position`, if visible.
    pub fn read_event(&self, position: u64) -> Result<Option<RecordedEvent>, ReadError> {
        if position == 0 || position > self.inner.settle() {
            return Ok(None);
        }
        self.inner
            .read_record(position)
            .and_then(|r| self.inner.upcast(r))
            .map(Some)
    }

    /// The event with this id, if visible.
    pub fn find_event(&self, id: Uuid) -> Result<Option<RecordedEvent>, ReadError> {
        self.inner.settle();
        match self.inner.position_of_id(&id)? {
            None => Ok(None),
            Some(position) => self.read_event(position),
        }
    }

    /// Up to `limit` events of one stream, starting at revision `from` (inclusive; `None` =
    /// the first revision going forward, the last going backward).
    pub fn read_stream(
        &self,
        stream: &str,
        from: Option<u64>,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, ReadError> {
        let visible = self.inner.settle();
        let Some(no) = self.inner.stream_number(stream)? else {
            return Ok(Vec::new());
        };
        let positions = self
            .inner
            .stream_positions(no, from, direction, visible, limit)?;
        let mut out = Vec::with_capacity(positions.len());
        for position in positions {
            let record = self.inner.read_record(position)?;
            out.push(self.inner.upcast(record)?);
        }
        Ok(out)
    }

    /// Up to `limit` events of the global log matching `filter`, starting at position `from`
    /// (inclusive; `None` = the start going forward, the head going backward).
    pub fn read_all(
        &self,
        from: Option<u64>,
        direction: Direction,
        limit: usize,
        filter: &EventFilter,
    ) -> Result<LogPage, ReadError> {
        let visible = self.inner.settle();
        let (lo, hi) = match direction {
            Direction::Forward => (from.unwrap_or(1).max(1), visible),
            Direction::Backward => (1, from.unwrap_or(visible).min(visible)),
        };
        let mut events = Vec::with_capacity(limit.min(1024));
        if lo > hi {
            return Ok(LogPage {
                events,
                next: None,
                head: visible,
            });
        }
        if limit == 0 {
            let next = match direction {
                Direction::Forward => lo,
                Direction::Backward => hi,
            };
            return Ok(LogPage {
                events,
                next: Some(next),
                head: visible,
            });
        }
        let range = self.inner.tree.range(keys::log(lo)..=keys::log(hi));
        let iter: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> = match direction
        {
            Direction::Forward => Box::new(range),
            Direction::Backward => Box::new(range.rev()),
        };
        let mut next = None;
        // Going forward, each record's previous hash is the one just read.
        let mut prev: Option<(u64, crate::hash::Hash)> = None;
        let mut commit = None;
        for item in iter {
            let (key, value) = item.storage()?;
            let position = keys::log_position(&key).ok_or_else(|| CorruptionError {
                at: "log key".into(),
                reason: "malformed".into(),
            })?;
            if events.len() >= limit {
                next = Some(position);
                break;
            }
            let known_prev = prev.filter(|(p, _)| *p + 1 == position).map(|(_, h)| h);
            let record = self
                .inner
                .complete(position, &value, known_prev, &mut commit)?;
            if direction == Direction::Forward {
                prev = Some((position, record.hash));
            }
            if filter.matches(&record) {
                events.push(self.inner.upcast(record)?);
            }
        }
        Ok(LogPage {
            events,
            next,
            head: visible,
        })
    }

    /// The first visible position recorded at or after `at` (the first position of the first
    /// commit recorded then or later), or `None` when every commit is older. A binary search
    /// over the commits: O(log n) point reads.
    pub fn position_at_or_after(&self, at: Timestamp) -> Result<Option<u64>, ReadError> {
        let before = match at.as_micros().checked_sub(1) {
            Some(t) => self.inner.commit_at_or_before(Timestamp::from_micros(t))?,
            None => 0,
        };
        if before >= self.inner.visible_commit() {
            return Ok(None);
        }
        Ok(Some(self.inner.commit_info(before + 1)?.first_position))
    }

    /// The last visible position recorded at or before `at` (0 when none): "the log as known
    /// at time `at`", which always ends at a commit boundary.
    pub fn position_at_or_before(&self, at: Timestamp) -> Result<u64, ReadError> {
        let commit = self.inner.commit_at_or_before(at)?;
        if commit == 0 {
            return Ok(0);
        }
        Ok(self.inner.commit_info(commit)?.last_position)
    }
}

impl Inner {
    /// The stored record at `position`, decoded; missing is corruption (callers only ask for
    /// positions they know exist).
    pub(crate) fn read_record(&self, position: u64) -> Result<RecordedEvent, ReadError> {
        match self.tree.get(keys::log(position)).storage()? {
            None => Err(CorruptionError::at_position(position, "record missing").into()),
            Some(bytes) => self.complete(position, &bytes, None, &mut None),
        }
    }

    /// The stored hash of the record at `position` (the zero hash before position 1).
    pub(crate) fn hash_at(&self, position: u64) -> Result<crate::hash::Hash, ReadError> {
        if position == 0 {
            return Ok(crate::hash::Hash::ZERO);
        }
        match self.tree.get(keys::log(position)).storage()? {
            None => Err(CorruptionError::at_position(position, "record missing").into()),
            Some(bytes) => Ok(codec::record_hash_of(&bytes)
                .map_err(|e| CorruptionError::at_position(position, e))?),
        }
    }

    /// A whole record from its stored bytes: a layout-4 record takes its time and metadata from
    /// its commit and its previous hash from the record before it (`prev` when the caller has
    /// it).
    /// `commit` is the caller's last commit, reused when it holds this record too (a scan
    /// reads many records of one commit).
    pub(crate) fn complete(
        &self,
        position: u64,
        bytes: &[u8],
        prev: Option<crate::hash::Hash>,
        commit: &mut Option<crate::commit::CommitInfo>,
    ) -> Result<RecordedEvent, ReadError> {
        match codec::decode_stored(bytes).map_err(|e| CorruptionError::at_position(position, e))? {
            codec::Stored::V1(record) => {
                if record.position != position {
                    return Err(CorruptionError::at_position(
                        position,
                        format!("record says position {}", record.position),
                    )
                    .into());
                }
                Ok(record)
            }
            codec::Stored::V4(stored) => {
                if commit.as_ref().map(|c| c.number) != Some(stored.commit) {
                    *commit = Some(self.commit_info(stored.commit)?);
                }
                let Some(commit) = commit.as_ref() else {
                    return Err(CorruptionError::at_position(position, "commit missing").into());
                };
                if !commit.contains(position) {
                    return Err(CorruptionError::at_position(
                        position,
                        format!(
                            "record names commit {}, which does not hold it",
                            stored.commit
                        ),
                    )
                    .into());
                }
                let prev_hash = match prev {
                    Some(h) => h,
                    None => self.hash_at(position - 1)?,
                };
                Ok(stored.complete(position, commit, prev_hash))
            }
        }
    }

    pub(crate) fn upcast(&self, record: RecordedEvent) -> Result<RecordedEvent, ReadError> {
        let position = record.position;
        self.upcaster
            .upcast(record)
            .map_err(|reason| ReadError::Upcast { position, reason })
    }

    pub(crate) fn stream_number(&self, stream: &str) -> Result<Option<u64>, ReadError> {
        match self.tree.get(keys::stream(stream)).storage()? {
            None => Ok(None),
            Some(v) => Ok(Some(keys::read_u64(&v).ok_or_else(|| CorruptionError {
                at: format!("stream table entry {stream:?}"),
                reason: "not eight bytes".into(),
            })?)),
        }
    }
}
