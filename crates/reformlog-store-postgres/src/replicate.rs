//! The log read and written by whole commits as another log recorded them: `read_commits` for
//! a copy to follow this log, `append_recorded` for this log to take another's commits (a sled
//! store migrated here), every number and hash checked against the head under its lock.

use std::collections::{HashMap, HashSet};

use postgres::IsolationLevel;
use reformlog_store::raw::check_recorded_commit;
use reformlog_store::{AppendOutcome, Commit};
use uuid::Uuid;

use crate::error::PgError;
use crate::read::commits_from;
use crate::round::{self, write_round, Head, Planned};
use crate::rows;
use crate::PgLog;

impl PgLog {
    /// Up to `limit` commits from number `from` on, each with its events: the log read by
    /// commit, from one snapshot.
    pub fn read_commits(&self, from: u64, limit: usize) -> Result<Vec<Commit>, PgError> {
        self.snapshot(|tx| commits_from(tx, from, limit))
    }

    /// Appends `commits`, recorded by another log, exactly as they were recorded (commit
    /// numbers, positions, revisions, event ids, times, metadata, payloads and hashes), all in
    /// one transaction: when this returns `Ok`, PostgreSQL has committed every one of them.
    ///
    /// Nothing is written unless they continue this log where it ends, as the sled store's
    /// `Store::append_recorded` requires: each the next commit number and position, each
    /// record's revision next in its stream and its event id new, the first previous-hash link
    /// the head's hash, every record hashing to its hash and naming its commit, and every
    /// commit recorded after the one before it. A refusal is [`PgError::Mismatch`].
    pub fn append_recorded(&self, commits: &[Commit]) -> Result<(), PgError> {
        for commit in commits {
            check_recorded_commit(commit).map_err(PgError::Mismatch)?;
        }
        if commits.is_empty() {
            return Ok(());
        }
        let (mut client, st) = self.appending();
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()?;
        let mut head = Head::locked(&mut tx, &st.lock_head)?;

        let records = || commits.iter().flat_map(|c| c.events.iter());
        let ids: Vec<Uuid> = records().map(|r| r.event_id).collect();
        if let Some(row) = tx.query(&st.find_events, &[&ids])?.first() {
            let stored = rows::event(row)?;
            return Err(PgError::Mismatch(format!(
                "event {} is stored already, at position {}",
                stored.event_id, stored.position
            )));
        }
        let mut streams: Vec<&str> = records().map(|r| r.stream.as_str()).collect();
        streams.sort_unstable();
        streams.dedup();
        let mut next_revision: HashMap<String, u64> = HashMap::with_capacity(streams.len());
        for row in tx.query(&st.stream_heads, &[&streams])? {
            let stream: String = row.try_get(0)?;
            let next = match row.try_get::<_, Option<i64>>(1)? {
                Some(r) => rows::unsigned(r, &format!("stream {stream:?}"))? + 1,
                None => 0,
            };
            next_revision.insert(stream, next);
        }

        let mut seen: HashSet<Uuid> = HashSet::with_capacity(ids.len());
        let mut planned = Vec::with_capacity(commits.len());
        for commit in commits {
            planned.push(continue_head(
                &mut head,
                &mut next_revision,
                &mut seen,
                commit,
            )?);
        }
        write_round(&mut tx, st.write(self.notifies()), &planned, &head)?;
        round::commit(tx)
    }
}

/// Checks that `commit` continues the log as `head` and the streams' next revisions stand, and
/// moves them past it.
fn continue_head(
    head: &mut Head,
    next_revision: &mut HashMap<String, u64>,
    seen: &mut HashSet<Uuid>,
    commit: &Commit,
) -> Result<Planned, PgError> {
    let info = &commit.info;
    let mismatch = |reason: String| Err(PgError::Mismatch(reason));
    if info.number != head.commit + 1 || info.first_position != head.position + 1 {
        return mismatch(format!(
            "commit {} at position {} does not follow commit {} at position {}",
            info.number, info.first_position, head.commit, head.position
        ));
    }
    if info.recorded_at.as_micros() <= head.recorded_at {
        return mismatch(format!(
            "commit {} is recorded at {}, not after commit {}",
            info.number, info.recorded_at, head.commit
        ));
    }
    if commit.events.first().map(|r| r.prev_hash) != Some(head.hash) {
        return mismatch(format!(
            "position {}: its previous-hash link does not match the head {}",
            info.first_position, head.position
        ));
    }
    let mut streams: Vec<(String, u64)> = Vec::new();
    for r in &commit.events {
        if !seen.insert(r.event_id) {
            return mismatch(format!(
                "event {} is at two positions, one of them {}",
                r.event_id, r.position
            ));
        }
        let next = next_revision.entry(r.stream.clone()).or_insert(0);
        if r.revision != *next {
            return mismatch(format!(
                "position {} is revision {} of {:?}, where this log is at {next}",
                r.position, r.revision, r.stream
            ));
        }
        *next += 1;
        match streams.last_mut() {
            Some(run) if run.0 == r.stream => run.1 = r.revision,
            _ => {
                if streams.iter().any(|(s, _)| *s == r.stream) {
                    // The sled store keeps a commit's streams as runs, one each.
                    return mismatch(format!(
                        "commit {} holds stream {:?} in two runs",
                        info.number, r.stream
                    ));
                }
                streams.push((r.stream.clone(), r.revision));
            }
        }
    }
    *head = Head {
        commit: info.number,
        position: info.last_position,
        hash: commit.events.last().map_or(head.hash, |r| r.hash),
        recorded_at: info.recorded_at.as_micros(),
    };
    Ok(Planned {
        records: commit.events.clone(),
        metadata: info.metadata.clone(),
        outcome: AppendOutcome::new(
            info.first_position,
            info.last_position,
            streams,
            info.number,
            false,
        ),
    })
}
