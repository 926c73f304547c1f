//! One transaction holding several commits: the head row locked once, each commit checked and
//! chained after the ones before it in the round, all written by one statement, one `COMMIT`.

use std::collections::HashMap;
use std::sync::Arc;

use postgres::{IsolationLevel, Statement, Transaction};
use reformlog_store::{
    AppendError, AppendOutcome, ExpectedRevision, Hash, RecordedEvent, StreamAppend, Timestamp,
};
use uuid::Uuid;

use crate::error::PgError;
use crate::rows::{self, big};
use crate::PgLog;

/// One commit's answer inside a round that committed: its outcome (a retry's is the earlier
/// one), or the refusal that left it out.
pub(crate) type Answer = Result<AppendOutcome, AppendError>;

/// The log's end as the round has moved it so far.
pub(crate) struct Head {
    pub(crate) commit: u64,
    pub(crate) position: u64,
    pub(crate) hash: Hash,
    pub(crate) recorded_at: i64,
}

impl Head {
    /// The head row, read with the lock taken by `lock_head`.
    pub(crate) fn locked(tx: &mut Transaction<'_>, lock_head: &Statement) -> Result<Self, PgError> {
        let row = tx.query_one(lock_head, &[])?;
        Ok(Self {
            commit: rows::unsigned(row.try_get(0)?, "the head row")?,
            position: rows::unsigned(row.try_get(1)?, "the head row")?,
            hash: rows::hash(row.try_get(2)?, "the head row")?,
            recorded_at: row.try_get(3)?,
        })
    }
}

/// What the round knows of the log: the rows read under the lock, and every commit the round
/// itself has planned since, which count for the later ones as if they were stored.
struct View {
    head: Head,
    events: HashMap<Uuid, RecordedEvent>,
    revisions: HashMap<String, Option<u64>>,
    clock: i64,
}

impl PgLog {
    /// Runs `commits` (each already validated) as one transaction on this connection. `Ok` is
    /// the `COMMIT` having returned, with each commit's own answer in order; `Err` is the round
    /// as a whole failing: rolled back ([`PgError::Postgres`]) or lost during the `COMMIT`
    /// ([`PgError::OutcomeUnknown`]), which goes for every commit of the round.
    pub(crate) fn run_round(&self, commits: &[Vec<StreamAppend>]) -> Result<Vec<Answer>, PgError> {
        let (mut client, st) = self.appending();
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()?;
        // Read committed on purpose: once the lock is ours, each later statement sees every
        // commit made before it, the one that held the lock last included.
        let head = Head::locked(&mut tx, &st.lock_head)?;

        let ids: Vec<Uuid> = commits
            .iter()
            .flatten()
            .flat_map(|a| a.events.iter().map(|e| e.id))
            .collect();
        let mut events = HashMap::new();
        for row in tx.query(&st.find_events, &[&ids])? {
            let r = rows::event(&row)?;
            events.insert(r.event_id, r);
        }
        let mut streams: Vec<&str> = commits
            .iter()
            .flatten()
            .map(|a| a.stream.as_str())
            .collect();
        streams.sort_unstable();
        streams.dedup();
        let mut revisions = HashMap::with_capacity(streams.len());
        let mut clock = i64::MIN;
        for row in tx.query(&st.stream_heads, &[&streams])? {
            let stream: String = row.try_get(0)?;
            let revision = match row.try_get::<_, Option<i64>>(1)? {
                Some(r) => Some(rows::unsigned(r, &format!("stream {stream:?}"))?),
                None => None,
            };
            revisions.insert(stream, revision);
            clock = clock.max(row.try_get(2)?);
        }
        let mut view = View {
            head,
            events,
            revisions,
            clock,
        };

        let mut answers = Vec::with_capacity(commits.len());
        let mut written: Vec<Planned> = Vec::new();
        for appends in commits {
            answers.push(match view.plan(appends, || self.forced_time()) {
                Ok(Plan::Retry(outcome)) => Ok(outcome),
                Ok(Plan::Write(planned)) => {
                    let outcome = planned.outcome.clone();
                    written.push(planned);
                    Ok(outcome)
                }
                Err(e) => Err(e),
            });
        }

        // The notification rides on the round's one statement: queued by the transaction and
        // sent by PostgreSQL only once it commits, so a subscriber woken by it always finds
        // every commit of the round visible.
        if !written.is_empty() {
            write_round(&mut tx, st.write(self.notifies()), &written, &view.head)?;
        }
        commit(tx)?;
        Ok(answers)
    }
}

/// Commits a round's transaction: a refusal from the server rolled it back; a lost connection
/// leaves it unknown.
pub(crate) fn commit(tx: Transaction<'_>) -> Result<(), PgError> {
    tx.commit().map_err(|e| {
        if e.as_db_error().is_some() {
            PgError::Postgres(e)
        } else {
            PgError::OutcomeUnknown(Arc::new(e))
        }
    })
}

enum Plan {
    /// Every event is stored already with the same content: the earlier outcome.
    Retry(AppendOutcome),
    Write(Planned),
}

/// A commit the round writes.
pub(crate) struct Planned {
    pub(crate) records: Vec<RecordedEvent>,
    pub(crate) metadata: reformlog_store::Metadata,
    pub(crate) outcome: AppendOutcome,
}

impl View {
    /// Checks one commit against the log as the round has left it and, unless it is refused
    /// or a retry, numbers and chains it after the round's last commit.
    fn plan(
        &mut self,
        appends: &[StreamAppend],
        forced: impl FnOnce() -> Option<Timestamp>,
    ) -> Result<Plan, AppendError> {
        let total: usize = appends.iter().map(|a| a.events.len()).sum();
        if let Some(outcome) = find_duplicates(&self.events, appends, total)? {
            return Ok(Plan::Retry(outcome));
        }
        let mut first_revisions = Vec::with_capacity(appends.len());
        for a in appends {
            let actual = self.revisions.get(&a.stream).copied().flatten();
            if !admits(a.expected, actual) {
                return Err(AppendError::WrongExpectedRevision {
                    stream: a.stream.clone(),
                    expected: a.expected,
                    actual,
                });
            }
            first_revisions.push(actual.map_or(0, |r| r + 1));
        }

        // Asked only for a commit that is written, as a test hands out one time per commit.
        let now = forced().map_or(self.clock, Timestamp::as_micros);
        // One time for each commit, strictly after the previous commit's, whatever the clocks
        // of the daemons sharing the database say; a round's commits get one microsecond each.
        let recorded_at = Timestamp::from_micros(now.max(self.head.recorded_at.saturating_add(1)));
        let number = self.head.commit + 1;
        let first_position = self.head.position + 1;
        let metadata = appends[0].events[0].metadata.clone();

        let mut records: Vec<RecordedEvent> = Vec::with_capacity(total);
        let mut outcome_streams = Vec::with_capacity(appends.len());
        let mut prev_hash = self.head.hash;
        for (a, first_revision) in appends.iter().zip(first_revisions) {
            let mut revision = first_revision;
            for e in &a.events {
                let record = RecordedEvent::chained(
                    e,
                    &a.stream,
                    first_position + records.len() as u64,
                    number,
                    revision,
                    recorded_at,
                    prev_hash,
                );
                prev_hash = record.hash;
                records.push(record);
                revision += 1;
            }
            outcome_streams.push((a.stream.clone(), revision - 1));
        }
        let last = first_position + total as u64 - 1;
        for (stream, revision) in &outcome_streams {
            self.revisions.insert(stream.clone(), Some(*revision));
        }
        for r in &records {
            self.events.insert(r.event_id, r.clone());
        }
        self.head = Head {
            commit: number,
            position: last,
            hash: prev_hash,
            recorded_at: recorded_at.as_micros(),
        };
        Ok(Plan::Write(Planned {
            records,
            metadata,
            outcome: AppendOutcome::new(first_position, last, outcome_streams, number, false),
        }))
    }
}

/// The sled store's `ExpectedRevision::admits`.
fn admits(expected: ExpectedRevision, actual: Option<u64>) -> bool {
    match expected {
        ExpectedRevision::Any => true,
        ExpectedRevision::NoStream => actual.is_none(),
        ExpectedRevision::StreamExists => actual.is_some(),
        ExpectedRevision::Exact(r) => actual == Some(r),
    }
}

/// One statement for the whole round: its commit rows, all their events and the head row; an
/// event whose metadata is its commit's stores none of its own.
pub(crate) fn write_round(
    tx: &mut Transaction<'_>,
    statement: &Statement,
    commits: &[Planned],
    head: &Head,
) -> Result<(), PgError> {
    let numbers: Vec<i64> = commits.iter().map(|c| big(c.outcome.commit)).collect();
    let firsts: Vec<i64> = commits
        .iter()
        .map(|c| big(c.outcome.first_position))
        .collect();
    let lasts: Vec<i64> = commits
        .iter()
        .map(|c| big(c.outcome.last_position))
        .collect();
    let times: Vec<i64> = commits
        .iter()
        .map(|c| c.records.first().map_or(0, |r| r.recorded_at.as_micros()))
        .collect();
    let commit_metadata: Vec<String> = commits
        .iter()
        .map(|c| rows::metadata_json(&c.metadata))
        .collect();
    let records = || commits.iter().flat_map(|c| c.records.iter());
    let positions: Vec<i64> = records().map(|r| big(r.position)).collect();
    let commit_numbers: Vec<i64> = records().map(|r| big(r.commit)).collect();
    let streams: Vec<&str> = records().map(|r| r.stream.as_str()).collect();
    let revisions: Vec<i64> = records().map(|r| big(r.revision)).collect();
    let ids: Vec<Uuid> = records().map(|r| r.event_id).collect();
    let types: Vec<&str> = records().map(|r| r.event_type.as_str()).collect();
    let versions: Vec<i64> = records().map(|r| i64::from(r.schema_version)).collect();
    let metadata: Vec<Option<String>> = commits
        .iter()
        .flat_map(|c| {
            c.records
                .iter()
                .map(|r| (r.metadata != c.metadata).then(|| rows::metadata_json(&r.metadata)))
        })
        .collect();
    let payloads: Vec<&[u8]> = records().map(|r| r.payload.as_slice()).collect();
    let prev: Vec<&[u8]> = records().map(|r| &r.prev_hash.0[..]).collect();
    let hashes: Vec<&[u8]> = records().map(|r| &r.hash.0[..]).collect();
    tx.execute(
        statement,
        &[
            &numbers,
            &firsts,
            &lasts,
            &times,
            &commit_metadata,
            &positions,
            &commit_numbers,
            &streams,
            &revisions,
            &ids,
            &types,
            &versions,
            &metadata,
            &payloads,
            &prev,
            &hashes,
            &big(head.commit),
            &big(head.position),
            &&head.hash.0[..],
            &head.recorded_at,
        ],
    )?;
    Ok(())
}

/// `Some` when every event is stored already (or written earlier in the round) with identical
/// content: a retry, answered with the earlier outcome. The sled store's rules, in its order:
/// an id stored with other content is a conflict; some ids stored and others not is a partial
/// duplicate.
fn find_duplicates(
    stored: &HashMap<Uuid, RecordedEvent>,
    appends: &[StreamAppend],
    total: usize,
) -> Result<Option<AppendOutcome>, AppendError> {
    let mut found: Vec<&RecordedEvent> = Vec::new();
    let mut missing = false;
    let mut first_id = None;
    for a in appends {
        for e in &a.events {
            first_id.get_or_insert(e.id);
            match stored.get(&e.id) {
                None => missing = true,
                Some(r) if !r.same_content(&a.stream, e) => {
                    return Err(AppendError::EventIdConflict {
                        event_id: e.id,
                        position: r.position,
                    })
                }
                Some(r) => found.push(r),
            }
        }
    }
    if found.is_empty() {
        return Ok(None);
    }
    if missing || found.len() != total {
        let event_id = found
            .first()
            .map_or(first_id.unwrap_or_default(), |r| r.event_id);
        return Err(AppendError::PartialDuplicate { event_id });
    }
    Ok(Some(AppendOutcome::of_retry(appends, &found)))
}
