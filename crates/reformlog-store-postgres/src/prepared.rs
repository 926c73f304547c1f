//! The append path's statements, prepared once per connection and as few as the locking
//! allows: every round trip of an append is made while the head row is locked, and a statement
//! sent as text costs one more (to prepare it) and is parsed and planned on every call.

use postgres::{Client, Statement};

use crate::error::PgError;
use crate::rows::{EVENT_COLUMNS, EVENT_FROM};
use crate::subscription::CHANNEL;

/// One connection's prepared append statements, in the order an append runs them.
pub(crate) struct Prepared {
    pub(crate) lock_head: Statement,
    pub(crate) find_events: Statement,
    pub(crate) stream_heads: Statement,
    /// [`WRITE_COMMIT`], notifying subscribers of the commit's last position.
    write_commit: Statement,
    /// [`WRITE_COMMIT`] alone, for tests of a commit nobody was told of.
    #[cfg(test)]
    write_commit_silent: Statement,
}

/// The commit row, its events and the head row in one statement. The events' foreign key is
/// checked at the statement's end, when the commit row is there.
const WRITE_COMMIT: &str = "WITH c AS (INSERT INTO reformlog_commits \
        (number, first_position, last_position, recorded_at, metadata) \
        VALUES ($1, $12, $13, $14, $15::text::json)), \
    e AS (INSERT INTO reformlog_events (position, commit_number, stream, revision, \
        event_id, event_type, schema_version, metadata, payload, prev_hash, hash) \
        SELECT p, $1, s, r, i, t, v, m::json, b, ph, h \
        FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::uuid[], \
            $6::text[], $7::bigint[], $8::text[], $9::bytea[], $10::bytea[], \
            $11::bytea[]) AS u(p, s, r, i, t, v, m, b, ph, h)) \
    UPDATE reformlog_head SET commit_number = $1, position = $13, hash = $16, \
        recorded_at = $14";

impl Prepared {
    /// The statement that writes a commit, with or without its notification.
    #[cfg(test)]
    pub(crate) fn write(&self, notify: bool) -> &Statement {
        if notify {
            &self.write_commit
        } else {
            &self.write_commit_silent
        }
    }

    /// The statement that writes a commit, with its notification.
    #[cfg(not(test))]
    pub(crate) fn write(&self, _notify: bool) -> &Statement {
        &self.write_commit
    }

    /// Prepares them on `client`, whose schema is migrated: names resolve in its
    /// `search_path` now, once.
    pub(crate) fn new(client: &mut Client) -> Result<Self, PgError> {
        Ok(Self {
            lock_head: client.prepare(
                "SELECT commit_number, position, hash, recorded_at FROM reformlog_head FOR UPDATE",
            )?,
            find_events: client.prepare(&format!(
                "SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} WHERE e.event_id = ANY($1)"
            ))?,
            // The server's clock is read here, after the head row's lock is ours.
            stream_heads: client.prepare(
                "SELECT s, (SELECT revision FROM reformlog_events WHERE stream = s \
                     ORDER BY revision DESC LIMIT 1), \
                     (extract(epoch FROM clock_timestamp()) * 1000000)::bigint \
                 FROM unnest($1::text[]) AS s",
            )?,
            write_commit: client.prepare(&format!(
                "{WRITE_COMMIT} RETURNING pg_notify({CHANNEL}, $13::text)"
            ))?,
            #[cfg(test)]
            write_commit_silent: client.prepare(WRITE_COMMIT)?,
        })
    }
}
