//! The event types callers hand in and get back: new events, recorded events, metadata.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::hash::Hash;

/// Largest payload one event may carry. Kept well under sled's blob threshold (a quarter of a
/// 512 KiB segment) because sled writes blobs to their own files without fsync, and a record
/// that became a blob could not be made durable by the store's sync.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
/// Largest encoded record (payload plus envelope).
pub const MAX_RECORD_BYTES: usize = 96 * 1024;
/// Longest stream id, in bytes.
pub const MAX_STREAM_ID_BYTES: usize = 200;
/// Longest event type name, in bytes.
pub const MAX_EVENT_TYPE_BYTES: usize = 128;

/// A point in time, UTC, in microseconds since the Unix epoch.
///
/// The store assigns `recorded_at` once per commit: every event of one commit shares it, and
/// it never decreases with position (it strictly increases from one commit to the next), so
/// "the log as known at T" always ends at a commit boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The timestamp `micros` microseconds after 1970-01-01T00:00:00Z.
    pub const fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    /// Microseconds since the Unix epoch.
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// The current wall-clock time.
    pub fn now() -> Self {
        let micros = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
            // A clock before 1970 is a misconfigured machine; the store still orders events by
            // forcing each timestamp past the previous one.
            Err(e) => -i64::try_from(e.duration().as_micros()).unwrap_or(i64::MAX),
        };
        Self(micros)
    }
}

/// RFC 3339 in UTC with exactly six fractional digits.
const RFC3339_MICROS: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
);

impl Timestamp {
    /// The same instant in the `time` crate's terms, when that crate can hold it.
    fn utc(self) -> Option<time::OffsetDateTime> {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1000).ok()
    }

    /// RFC 3339 in UTC with only the fractional digits the time needs (none on a whole
    /// second), as answers over HTTP show times. A time past what RFC 3339 writes (year 9999)
    /// is shown as [`Display`](fmt::Display) shows it.
    pub fn to_rfc3339(self) -> String {
        self.utc()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| self.to_string())
    }

    /// RFC 3339 in UTC with exactly six fractional digits, so that times in a column line
    /// up. A time past year 9999 is shown as [`Display`](fmt::Display) shows it.
    pub fn to_rfc3339_micros(self) -> String {
        self.utc()
            .and_then(|t| t.format(RFC3339_MICROS).ok())
            .unwrap_or_else(|| self.to_string())
    }

    /// An RFC 3339 time with any offset, to the microsecond (finer digits are dropped);
    /// `None` for other text or a time past what a `Timestamp` holds.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .ok()?;
        i64::try_from(t.unix_timestamp_nanos() / 1000)
            .ok()
            .map(Self)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}us", self.0)
    }
}

/// Who made a change, why, and how it relates to other changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// The principal that made the change (a user or a service account).
    pub actor: String,
    /// Why the change was made, in words.
    pub reason: Option<String>,
    /// The authority or document the change rests on (e.g. a decision number).
    pub source: Option<String>,
    /// Groups the events of one business operation across streams and appends.
    pub correlation_id: Option<Uuid>,
    /// The event or command that caused this one.
    pub causation_id: Option<Uuid>,
    /// Free key-value pairs; sorted so that the hash of a record does not depend on insertion order.
    pub extra: BTreeMap<String, String>,
}

impl Metadata {
    /// Metadata naming only the actor.
    pub fn by(actor: impl Into<String>) -> Self {
        Self {
            actor: actor.into(),
            ..Self::default()
        }
    }

    /// Sets the reason.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Sets the source reference.
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Sets the correlation id.
    pub fn with_correlation(mut self, id: Uuid) -> Self {
        self.correlation_id = Some(id);
        self
    }

    /// Sets the causation id.
    pub fn with_causation(mut self, id: Uuid) -> Self {
        self.causation_id = Some(id);
        self
    }

    /// Adds a free key-value pair.
    pub fn with_extra(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }
}

/// An event to append.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    /// Unique over the whole log; appending the same id again with the same content is a no-op.
    pub id: Uuid,
    /// The event's type name (past tense, e.g. `MembershipStarted`).
    pub event_type: String,
    /// The schema version of `payload`, for upcasting on read.
    pub schema_version: u32,
    /// The encoded event body.
    pub payload: Vec<u8>,
    /// Who, why, and related ids.
    pub metadata: Metadata,
}

impl NewEvent {
    /// A new event with a fresh time-ordered (v7) id.
    pub fn new(
        event_type: impl Into<String>,
        schema_version: u32,
        payload: Vec<u8>,
        metadata: Metadata,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            event_type: event_type.into(),
            schema_version,
            payload,
            metadata,
        }
    }

    /// The same event with a caller-chosen id (for idempotent retries).
    pub fn with_id(mut self, id: Uuid) -> Self {
        self.id = id;
        self
    }
}

/// An event as stored: the envelope the store adds around a [`NewEvent`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// Global position, from 1, gap-free; commit order equals position order.
    pub position: u64,
    /// The commit (one `append`/`append_multi` call) the event was written in: from 1,
    /// gap-free, in position order.
    pub commit: u64,
    /// The stream the event belongs to.
    pub stream: String,
    /// The event's revision within its stream, from 0, gap-free.
    pub revision: u64,
    /// The event id given at append.
    pub event_id: Uuid,
    /// The event's type name.
    pub event_type: String,
    /// The payload's schema version (after upcasting, when an upcaster is configured).
    pub schema_version: u32,
    /// When the store recorded the event's commit: equal within a commit, non-decreasing with
    /// position.
    pub recorded_at: Timestamp,
    /// Who, why, and related ids.
    pub metadata: Metadata,
    /// The encoded event body.
    pub payload: Vec<u8>,
    /// The hash of the record at `position - 1` (all zeros for position 1).
    pub prev_hash: Hash,
    /// The hash of this record's canonical encoding, which includes `prev_hash`.
    pub hash: Hash,
}

impl RecordedEvent {
    /// The stream's category: the part of the stream id before the first `-`.
    pub fn category(&self) -> &str {
        stream_category(&self.stream)
    }

    /// Whether the stored content equals what `new` asks to append to `stream`: the rule by
    /// which an append of an event id recorded already is a retry (same stream, id, type,
    /// schema version, payload and metadata) rather than a conflict. Public so that every
    /// backend of the log applies the same rule.
    pub fn same_content(&self, stream: &str, new: &NewEvent) -> bool {
        self.stream == stream
            && self.event_id == new.id
            && self.event_type == new.event_type
            && self.schema_version == new.schema_version
            && self.payload == new.payload
            && self.metadata == new.metadata
    }
}

/// The category of a stream id: the part before the first `-`, or the whole id.
pub fn stream_category(stream: &str) -> &str {
    stream.split_once('-').map_or(stream, |(c, _)| c)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::Timestamp;

    #[test]
    fn microseconds_read_as_utc() {
        let micros_rfc3339 = |m| Timestamp::from_micros(m).to_rfc3339_micros();
        assert_eq!(micros_rfc3339(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            micros_rfc3339(1_642_118_399_999_999),
            "2022-01-13T23:59:59.999999Z"
        );
        assert_eq!(micros_rfc3339(-1), "1969-12-31T23:59:59.999999Z");
    }

    #[test]
    fn rfc3339_shows_the_digits_a_time_needs_and_reads_any_offset() {
        let t = Timestamp::parse_rfc3339("2022-01-20T08:00:00+07:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2022-01-20T01:00:00Z");
        let t = Timestamp::parse_rfc3339("2022-01-20T16:59:59.999999Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2022-01-20T16:59:59.999999Z");
        assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()), Some(t));
        for bad in ["2022-01-20", "2022-01-20T25:00:00Z", "soon", ""] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad:?}");
        }
        // Past year 9999 there is no RFC 3339 text: the microseconds are shown.
        assert_eq!(
            Timestamp::from_micros(i64::MAX).to_rfc3339(),
            format!("{}us", i64::MAX)
        );
    }
}
