//! Appending: one transaction per commit, serialized on the head row, with the sled store's
//! checks, idempotency rules and record hash, and a notification for subscribers.

use std::collections::HashMap;

use postgres::{IsolationLevel, Statement, Transaction};
use reformlog_store::raw::{record_hash, validate_appends};
use reformlog_store::{
    AppendError, AppendOutcome, ExpectedRevision, NewEvent, RecordedEvent, StreamAppend, Timestamp,
};
use uuid::Uuid;

use crate::error::PgError;
use crate::prepared::Prepared;
use crate::rows::{self, big};
use crate::PgLog;

impl PgLog {
    /// Appends events to one stream as one commit; when this returns `Ok`, PostgreSQL has
    /// committed it durably.
    pub fn append(
        &self,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, PgError> {
        self.append_multi(vec![StreamAppend::new(stream, expected, events)])
    }

    /// Appends to several streams as one commit, all or nothing: every stream's condition holds
    /// and all events get consecutive positions, one commit number and one recorded-at time,
    /// or nothing is written. The same events again give the earlier outcome
    /// (`deduplicated`); a stored event id with other content is refused as the sled store
    /// refuses it.
    pub fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<AppendOutcome, PgError> {
        let total = validate_appends(&appends)?;
        let (mut client, st) = self.appending();
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()?;
        // Read committed on purpose: once the lock is ours, each later statement sees every
        // commit made before it, the one that held the lock last included.
        let head = tx.query_one(&st.lock_head, &[])?;
        let last_commit = rows::unsigned(head.try_get(0)?, "the head row")?;
        let last_position = rows::unsigned(head.try_get(1)?, "the head row")?;
        let last_hash = rows::hash(head.try_get(2)?, "the head row")?;
        let last_recorded_at: i64 = head.try_get(3)?;

        if let Some(outcome) = find_duplicates(&mut tx, st, &appends, total)? {
            return Ok(outcome);
        }

        let streams: Vec<&str> = appends.iter().map(|a| a.stream.as_str()).collect();
        let mut heads: HashMap<String, Option<i64>> = HashMap::with_capacity(streams.len());
        let mut clock = i64::MIN;
        for row in tx.query(&st.stream_heads, &[&streams])? {
            heads.insert(row.try_get(0)?, row.try_get(1)?);
            clock = clock.max(row.try_get(2)?);
        }
        let mut first_revisions = Vec::with_capacity(appends.len());
        for a in &appends {
            let actual = match heads.get(&a.stream).copied().flatten() {
                Some(r) => Some(rows::unsigned(r, &format!("stream {:?}", a.stream))?),
                None => None,
            };
            if !admits(a.expected, actual) {
                return Err(AppendError::WrongExpectedRevision {
                    stream: a.stream.clone(),
                    expected: a.expected,
                    actual,
                }
                .into());
            }
            first_revisions.push(actual.map_or(0, |r| r + 1));
        }

        let now = match self.forced_time() {
            Some(t) => t.as_micros(),
            None => clock,
        };
        // One time for the whole commit, strictly after the previous commit's, whatever the
        // clocks of the daemons sharing the database say.
        let recorded_at = Timestamp::from_micros(now.max(last_recorded_at.saturating_add(1)));
        let number = last_commit + 1;
        let first_position = last_position + 1;
        let metadata = appends[0].events[0].metadata.clone();

        let mut records: Vec<RecordedEvent> = Vec::with_capacity(total);
        let mut outcome_streams = Vec::with_capacity(appends.len());
        let mut prev_hash = last_hash;
        for (a, first_revision) in appends.iter().zip(first_revisions) {
            let mut revision = first_revision;
            for e in &a.events {
                let mut record = RecordedEvent {
                    position: first_position + records.len() as u64,
                    commit: number,
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
                prev_hash = record.hash;
                records.push(record);
                revision += 1;
            }
            outcome_streams.push((a.stream.clone(), revision - 1));
        }
        let last = first_position + total as u64 - 1;

        // The notification rides on the commit's one statement: queued by the transaction and
        // sent by PostgreSQL only once it commits, so a subscriber woken by it always finds
        // the commit visible.
        write_commit(&mut tx, st.write(self.notifies()), &records, &metadata)?;
        tx.commit().map_err(|e| {
            // A refusal from the server rolled the commit back; a lost connection leaves it
            // unknown.
            if e.as_db_error().is_some() {
                PgError::Postgres(e)
            } else {
                PgError::OutcomeUnknown(e)
            }
        })?;
        Ok(AppendOutcome::new(
            first_position,
            last,
            outcome_streams,
            number,
            false,
        ))
    }

    #[cfg(test)]
    fn forced_time(&self) -> Option<Timestamp> {
        self.forced_times
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop_front()
    }

    #[cfg(not(test))]
    fn forced_time(&self) -> Option<Timestamp> {
        None
    }

    #[cfg(test)]
    fn notifies(&self) -> bool {
        !self.silent.load(std::sync::atomic::Ordering::Relaxed)
    }

    #[cfg(not(test))]
    fn notifies(&self) -> bool {
        true
    }

    /// Makes this log's next commits send no notification.
    #[cfg(test)]
    pub(crate) fn suppress_notifications(&self) {
        self.silent
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Gives the next commits these recorded-at times instead of the server's clock.
    #[cfg(test)]
    pub(crate) fn force_recorded_at(&self, times: impl IntoIterator<Item = Timestamp>) {
        self.forced_times
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(times);
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

/// One statement for the whole commit: its row, all its events and the head row; an event
/// whose metadata is the commit's stores none of its own.
fn write_commit(
    tx: &mut Transaction<'_>,
    statement: &Statement,
    records: &[RecordedEvent],
    commit_metadata: &reformlog_store::Metadata,
) -> Result<(), PgError> {
    let (Some(first), Some(last)) = (records.first(), records.last()) else {
        return Ok(());
    };
    let positions: Vec<i64> = records.iter().map(|r| big(r.position)).collect();
    let streams: Vec<&str> = records.iter().map(|r| r.stream.as_str()).collect();
    let revisions: Vec<i64> = records.iter().map(|r| big(r.revision)).collect();
    let ids: Vec<Uuid> = records.iter().map(|r| r.event_id).collect();
    let types: Vec<&str> = records.iter().map(|r| r.event_type.as_str()).collect();
    let versions: Vec<i64> = records
        .iter()
        .map(|r| i64::from(r.schema_version))
        .collect();
    let metadata: Vec<Option<String>> = records
        .iter()
        .map(|r| (r.metadata != *commit_metadata).then(|| rows::metadata_json(&r.metadata)))
        .collect();
    let payloads: Vec<&[u8]> = records.iter().map(|r| r.payload.as_slice()).collect();
    let prev: Vec<&[u8]> = records.iter().map(|r| &r.prev_hash.0[..]).collect();
    let hashes: Vec<&[u8]> = records.iter().map(|r| &r.hash.0[..]).collect();
    tx.execute(
        statement,
        &[
            &big(last.commit),
            &positions,
            &streams,
            &revisions,
            &ids,
            &types,
            &versions,
            &metadata,
            &payloads,
            &prev,
            &hashes,
            &big(first.position),
            &big(last.position),
            &last.recorded_at.as_micros(),
            &rows::metadata_json(commit_metadata),
            &&last.hash.0[..],
        ],
    )?;
    Ok(())
}

/// `Some` when every event is stored already with identical content: a retry, answered with
/// the earlier outcome. The sled store's rules, in its order: an id stored with other content
/// is a conflict; some ids stored and some not is a partial duplicate.
fn find_duplicates(
    tx: &mut Transaction<'_>,
    st: &Prepared,
    appends: &[StreamAppend],
    total: usize,
) -> Result<Option<AppendOutcome>, PgError> {
    let ids: Vec<Uuid> = appends
        .iter()
        .flat_map(|a| a.events.iter().map(|e| e.id))
        .collect();
    let mut stored: HashMap<Uuid, RecordedEvent> = HashMap::new();
    for row in tx.query(&st.find_events, &[&ids])? {
        let r = rows::event(&row)?;
        stored.insert(r.event_id, r);
    }
    if stored.is_empty() {
        return Ok(None);
    }
    let mut found: Vec<&RecordedEvent> = Vec::new();
    let mut missing = false;
    for a in appends {
        for e in &a.events {
            match stored.get(&e.id) {
                None => missing = true,
                Some(r) if !same_content(r, &a.stream, e) => {
                    return Err(AppendError::EventIdConflict {
                        event_id: e.id,
                        position: r.position,
                    }
                    .into())
                }
                Some(r) => found.push(r),
            }
        }
    }
    if missing || found.len() != total {
        let event_id = found.first().map_or(ids[0], |r| r.event_id);
        return Err(AppendError::PartialDuplicate { event_id }.into());
    }
    let first = found.iter().map(|r| r.position).min().unwrap_or(0);
    let last = found.iter().map(|r| r.position).max().unwrap_or(0);
    let commit = found.iter().map(|r| r.commit).max().unwrap_or(0);
    let streams = appends
        .iter()
        .map(|a| {
            let rev = found
                .iter()
                .filter(|r| r.stream == a.stream)
                .map(|r| r.revision)
                .max()
                .unwrap_or(0);
            (a.stream.clone(), rev)
        })
        .collect();
    Ok(Some(AppendOutcome::new(first, last, streams, commit, true)))
}

/// The sled store's rule for a retry: the same stream, id, type, schema version, payload and
/// metadata.
fn same_content(r: &RecordedEvent, stream: &str, e: &NewEvent) -> bool {
    r.stream == stream
        && r.event_id == e.id
        && r.event_type == e.event_type
        && r.schema_version == e.schema_version
        && r.payload == e.payload
        && r.metadata == e.metadata
}
