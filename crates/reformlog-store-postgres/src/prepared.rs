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
    /// [`WRITE_ROUND`], notifying subscribers of the round's last position.
    write_round: Statement,
    /// [`WRITE_ROUND`] alone, for tests of a commit nobody was told of.
    #[cfg(test)]
    write_round_silent: Statement,
}

/// A round's commit rows, their events and the head row in one statement. The events' foreign
/// key is checked at the statement's end, when the commit rows are there.
const WRITE_ROUND: &str = "WITH c AS (INSERT INTO reformlog_commits \
        (number, first_position, last_position, recorded_at, metadata) \
        SELECT n, f, l, t, m::json \
        FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[]) \
            AS u(n, f, l, t, m)), \
    e AS (INSERT INTO reformlog_events (position, commit_number, stream, revision, \
        event_id, event_type, schema_version, metadata, payload, prev_hash, hash) \
        SELECT p, n, s, r, i, t, v, m::json, b, ph, h \
        FROM unnest($6::bigint[], $7::bigint[], $8::text[], $9::bigint[], $10::uuid[], \
            $11::text[], $12::bigint[], $13::text[], $14::bytea[], $15::bytea[], \
            $16::bytea[]) AS u(p, n, s, r, i, t, v, m, b, ph, h)) \
    UPDATE reformlog_head SET commit_number = $17::bigint, position = $18::bigint, \
        hash = $19::bytea, recorded_at = $20::bigint";

impl Prepared {
    /// The statement that writes a round, with or without its notification.
    #[cfg(test)]
    pub(crate) fn write(&self, notify: bool) -> &Statement {
        if notify {
            &self.write_round
        } else {
            &self.write_round_silent
        }
    }

    /// The statement that writes a round, with its notification.
    #[cfg(not(test))]
    pub(crate) fn write(&self, _notify: bool) -> &Statement {
        &self.write_round
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
            write_round: client.prepare(&format!(
                "{WRITE_ROUND} RETURNING pg_notify({CHANNEL}, $18::bigint::text)"
            ))?,
            #[cfg(test)]
            write_round_silent: client.prepare(WRITE_ROUND)?,
        })
    }
}
