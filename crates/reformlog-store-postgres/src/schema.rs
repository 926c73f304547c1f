//! Versioned schema migrations, applied on connect under an advisory lock, and refused when the
//! database is newer than this build.

use postgres::Client;

use crate::error::PgError;

/// The migrations in order; the schema's version is how many have been applied.
///
/// Positions, commit numbers and revisions are `bigint` (the store's `u64`s never reach
/// `i64::MAX`); times are microseconds since the epoch, as [`reformlog_store::Timestamp`]
/// holds them, so no conversion can round them. Metadata is `json`, not `jsonb`: `json` keeps
/// the text as written and accepts every string the store accepts (`jsonb` refuses `\u0000`).
const MIGRATIONS: &[&str] = &[
    // 1: the log.
    "CREATE TABLE reformlog_head (
         singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
         commit_number bigint NOT NULL,
         position bigint NOT NULL,
         hash bytea NOT NULL,
         recorded_at bigint NOT NULL
     );
     INSERT INTO reformlog_head (commit_number, position, hash, recorded_at)
         VALUES (0, 0, '\\x0000000000000000000000000000000000000000000000000000000000000000', -9223372036854775808);
     CREATE TABLE reformlog_commits (
         number bigint PRIMARY KEY,
         first_position bigint NOT NULL UNIQUE,
         last_position bigint NOT NULL UNIQUE,
         recorded_at bigint NOT NULL,
         metadata json NOT NULL
     );
     CREATE TABLE reformlog_events (
         position bigint PRIMARY KEY,
         commit_number bigint NOT NULL REFERENCES reformlog_commits (number),
         stream text NOT NULL,
         revision bigint NOT NULL,
         event_id uuid NOT NULL UNIQUE,
         event_type text NOT NULL,
         schema_version bigint NOT NULL,
         metadata json,
         payload bytea NOT NULL,
         prev_hash bytea NOT NULL,
         hash bytea NOT NULL,
         UNIQUE (stream, revision)
     );
     CREATE INDEX reformlog_events_commit ON reformlog_events (commit_number);
     CREATE INDEX reformlog_commits_recorded_at ON reformlog_commits (recorded_at);",
];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Brings the schema in the connection's `search_path` up to [`SCHEMA_VERSION`], in one
/// transaction; daemons starting together take turns on an advisory lock.
pub(crate) fn migrate(client: &mut Client) -> Result<i32, PgError> {
    let mut tx = client.transaction()?;
    // The lock's key names the schema, so logs in different schemas migrate independently.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('reformlog_schema:' || coalesce(current_schema(), '')))",
        &[],
    )?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS reformlog_schema (version integer NOT NULL)")?;
    let found: i32 = match tx.query_opt("SELECT version FROM reformlog_schema", &[])? {
        Some(row) => row.get(0),
        None => {
            tx.execute("INSERT INTO reformlog_schema (version) VALUES (0)", &[])?;
            0
        }
    };
    if found > SCHEMA_VERSION {
        return Err(PgError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (done, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        tx.batch_execute(sql)?;
        let version = i32::try_from(done + 1).unwrap_or(i32::MAX);
        tx.execute("UPDATE reformlog_schema SET version = $1", &[&version])?;
    }
    tx.commit()?;
    Ok(found)
}
