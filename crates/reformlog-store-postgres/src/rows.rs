//! Rows to the store's types and back: `bigint`s to `u64`s, `bytea` to hashes, `json` to
//! metadata, each failure a [`CorruptionError`] naming where.

use postgres::Row;
use reformlog_store::{CommitInfo, CorruptionError, Hash, Metadata, RecordedEvent, Timestamp};

use crate::error::PgError;

/// The columns [`event`] reads, in its order; `e` is `reformlog_events`, `c` its commit.
pub(crate) const EVENT_COLUMNS: &str = "e.position, e.commit_number, e.stream, e.revision, \
     e.event_id, e.event_type, e.schema_version, c.recorded_at, \
     coalesce(e.metadata, c.metadata)::text, e.payload, e.prev_hash, e.hash";

/// The `FROM` clause for [`EVENT_COLUMNS`].
pub(crate) const EVENT_FROM: &str =
    "reformlog_events e JOIN reformlog_commits c ON c.number = e.commit_number";

/// The columns [`commit_info`] reads, in its order, from `reformlog_commits`.
pub(crate) const COMMIT_COLUMNS: &str =
    "number, first_position, last_position, recorded_at, metadata::text";

pub(crate) fn corrupt(at: impl Into<String>, reason: impl Into<String>) -> PgError {
    PgError::Corrupt(CorruptionError {
        at: at.into(),
        reason: reason.into(),
    })
}

/// A `u64` as a `bigint`; the store's counters stay far below `i64::MAX`.
pub(crate) fn big(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn unsigned(n: i64, at: &str) -> Result<u64, PgError> {
    u64::try_from(n).map_err(|_| corrupt(at, format!("negative value {n}")))
}

pub(crate) fn hash(bytes: &[u8], at: &str) -> Result<Hash, PgError> {
    <[u8; 32]>::try_from(bytes)
        .map(Hash)
        .map_err(|_| corrupt(at, format!("hash of {} bytes", bytes.len())))
}

pub(crate) fn metadata(text: &str, at: &str) -> Result<Metadata, PgError> {
    serde_json::from_str(text).map_err(|e| corrupt(at, format!("metadata: {e}")))
}

pub(crate) fn metadata_json(m: &Metadata) -> String {
    // Metadata is strings, ids and a string map: serializing it cannot fail.
    serde_json::to_string(m).unwrap_or_default()
}

/// A row of [`EVENT_COLUMNS`].
pub(crate) fn event(row: &Row) -> Result<RecordedEvent, PgError> {
    let position = unsigned(row.try_get(0)?, "an event's position")?;
    let at = format!("position {position}");
    let schema_version: i64 = row.try_get(6)?;
    Ok(RecordedEvent {
        position,
        commit: unsigned(row.try_get(1)?, &at)?,
        stream: row.try_get(2)?,
        revision: unsigned(row.try_get(3)?, &at)?,
        event_id: row.try_get(4)?,
        event_type: row.try_get(5)?,
        schema_version: u32::try_from(schema_version)
            .map_err(|_| corrupt(&at, format!("schema version {schema_version}")))?,
        recorded_at: Timestamp::from_micros(row.try_get(7)?),
        metadata: metadata(row.try_get(8)?, &at)?,
        payload: row.try_get(9)?,
        prev_hash: hash(row.try_get(10)?, &at)?,
        hash: hash(row.try_get(11)?, &at)?,
    })
}

/// A row of [`COMMIT_COLUMNS`].
pub(crate) fn commit_info(row: &Row) -> Result<CommitInfo, PgError> {
    let number = unsigned(row.try_get(0)?, "a commit's number")?;
    let at = format!("commit {number}");
    Ok(CommitInfo::new(
        number,
        unsigned(row.try_get(1)?, &at)?,
        unsigned(row.try_get(2)?, &at)?,
        Timestamp::from_micros(row.try_get(3)?),
        metadata(row.try_get(4)?, &at)?,
    ))
}
