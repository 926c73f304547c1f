//! The events the benchmarks append: a pool cycled by the durable appends, and bulk-import
//! batches with the records raw sled writes for them.

use std::collections::HashMap;

use super::layout::record_bytes;
use super::workload::{logical_bytes, make_event};
use reformlog_store::{CodecError, ExpectedRevision, Metadata, NewEvent, StreamAppend};
use uuid::Uuid;

/// Events for the durable-append benchmarks, cycled; each use gets a fresh id.
#[derive(Debug)]
pub struct Pool {
    /// (stream id, event) pairs.
    pub events: Vec<(String, NewEvent)>,
    /// The record bytes of each event as a commit of its own (layout 4), for the file and
    /// SQLite baselines.
    pub records: Vec<Vec<u8>>,
}

impl Pool {
    /// `n` workload events.
    pub fn new(n: u64) -> Result<Self, CodecError> {
        let mut events = Vec::new();
        let mut records = Vec::new();
        for i in 0..n {
            let (stream, event) = make_event(i)?;
            records.push(record_bytes(
                i + 1,
                i + 1,
                &stream,
                0,
                &event,
                &event.metadata,
            )?);
            events.push((stream, event));
        }
        Ok(Self { events, records })
    }

    /// The `k`-th event to append (cycling), with a fresh id so the store never sees a retry.
    pub fn event(&self, k: u64) -> (&str, NewEvent) {
        let (stream, event) = &self.events[self.index(k)];
        (stream.as_str(), event.clone().with_id(Uuid::now_v7()))
    }

    /// The `k`-th record's bytes (cycling).
    pub fn record(&self, k: u64) -> &[u8] {
        &self.records[self.index(k)]
    }

    fn index(&self, k: u64) -> usize {
        usize::try_from(k % self.events.len() as u64).unwrap_or(0)
    }
}

/// A bulk-import workload: batches for the store and the same records for raw sled.
#[derive(Debug)]
pub struct Bulk {
    /// `append_multi` calls: each groups one batch's events by stream (a stream may appear once
    /// per call), so positions follow the order of streams within the batch.
    pub batches: Vec<Vec<StreamAppend>>,
    /// The record bytes in position order (position = index + 1), in layout 4 as the store
    /// writes them: each batch is one commit (numbered from 1) with its first event's metadata.
    pub records: Vec<Vec<u8>>,
    /// Total events.
    pub events: u64,
    /// Sum of [`logical_bytes`] over all events.
    pub logical_bytes: u64,
    /// Sum of record lengths (what the store writes under the record keys, before keys,
    /// indexes and commit entries).
    pub record_bytes: u64,
    /// How many streams the events touch.
    pub streams: u64,
}

impl Bulk {
    /// `events` workload events in batches of `per_batch`.
    pub fn new(events: u64, per_batch: usize) -> Result<Self, CodecError> {
        let per_batch = per_batch.max(1) as u64;
        let mut batches = Vec::new();
        let mut records = Vec::with_capacity(usize::try_from(events).unwrap_or(0));
        let mut revisions: HashMap<String, u64> = HashMap::new();
        let (mut logical, mut record_total) = (0u64, 0u64);
        let mut position = 1u64;
        let mut next = 0u64;
        while next < events {
            let end = (next + per_batch).min(events);
            let mut order: HashMap<String, usize> = HashMap::new();
            let mut batch: Vec<StreamAppend> = Vec::new();
            for seed in next..end {
                let (stream, event) = make_event(seed)?;
                logical += logical_bytes(&stream, &event);
                let slot = *order.entry(stream.clone()).or_insert_with(|| {
                    batch.push(StreamAppend::new(
                        stream.clone(),
                        ExpectedRevision::Any,
                        Vec::new(),
                    ));
                    batch.len() - 1
                });
                batch[slot].events.push(event);
            }
            let commit = batches.len() as u64 + 1;
            let commit_metadata = batch
                .first()
                .and_then(|a| a.events.first())
                .map(|e| e.metadata.clone())
                .unwrap_or_default();
            for a in &batch {
                for e in &a.events {
                    let rev = revisions.entry(a.stream.clone()).or_insert(0);
                    let bytes =
                        record_bytes(position, commit, &a.stream, *rev, e, &commit_metadata)?;
                    if commit == 1 {
                        check_record(&bytes, commit, &a.stream, *rev, e, &commit_metadata)?;
                    }
                    record_total += bytes.len() as u64;
                    records.push(bytes);
                    *rev += 1;
                    position += 1;
                }
            }
            batches.push(batch);
            next = end;
        }
        Ok(Self {
            batches,
            records,
            events,
            logical_bytes: logical,
            record_bytes: record_total,
            streams: revisions.len() as u64,
        })
    }
}

/// Decodes record bytes made by [`record_bytes`] with the store's decoder and checks they hold
/// the event as given, so a change to layout 4 cannot leave the baselines writing other bytes.
fn check_record(
    bytes: &[u8],
    commit: u64,
    stream: &str,
    revision: u64,
    e: &NewEvent,
    commit_metadata: &Metadata,
) -> Result<(), CodecError> {
    let r = reformlog_store::raw::decode_record_v4_bytes(bytes)?;
    // A record without metadata of its own decodes with empty metadata.
    let own = if e.metadata == *commit_metadata {
        Metadata::default()
    } else {
        e.metadata.clone()
    };
    let same = r.commit == commit
        && r.stream == stream
        && r.revision == revision
        && r.event_id == e.id
        && r.event_type == e.event_type
        && r.payload == e.payload
        && r.metadata == own;
    if same {
        Ok(())
    } else {
        Err(CodecError::Invalid(format!(
            "benchmark record bytes for {stream} revision {revision} decode to something else"
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bulk_records_follow_commits_and_revisions() {
        let bulk = Bulk::new(2_500, 1_000).unwrap();
        assert_eq!(bulk.records.len(), 2_500);
        let mut revisions: HashMap<String, u64> = HashMap::new();
        let mut own_metadata = 0;
        for (i, bytes) in bulk.records.iter().enumerate() {
            let r = reformlog_store::raw::decode_record_v4_bytes(bytes).unwrap();
            assert_eq!(r.commit, i as u64 / 1_000 + 1);
            let rev = revisions.entry(r.stream.clone()).or_insert(0);
            assert_eq!(r.revision, *rev);
            *rev += 1;
            if r.metadata != Metadata::default() {
                own_metadata += 1;
            }
        }
        // The workload varies actor and reason, so most events differ from their commit's.
        assert!(own_metadata > 2_000, "{own_metadata}");
        assert_eq!(
            bulk.record_bytes,
            bulk.records.iter().map(|r| r.len() as u64).sum::<u64>()
        );
    }

    #[test]
    fn records_with_their_own_metadata_decode_whole() {
        let commit_metadata = Metadata::by("clerk:other");
        for (i, seed) in (0..200u64).enumerate() {
            let (stream, mut e) = make_event(seed).unwrap();
            e.metadata = e
                .metadata
                .with_source("import")
                .with_correlation(Uuid::from_u128(u128::from(seed)))
                .with_extra("k", "v".repeat(300));
            let position = 70_000 + i as u64;
            let bytes =
                record_bytes(position, position, &stream, 300, &e, &commit_metadata).unwrap();
            check_record(&bytes, position, &stream, 300, &e, &commit_metadata).unwrap();
            let plain = record_bytes(position, position, &stream, 300, &e, &e.metadata).unwrap();
            check_record(&plain, position, &stream, 300, &e, &e.metadata).unwrap();
        }
    }

    #[test]
    #[allow(
        clippy::disallowed_methods,
        reason = "compares the baselines' bytes with what the store put in sled, read raw"
    )]
    fn bulk_records_are_the_stores_bytes_but_the_hash() {
        let bulk = Bulk::new(3_000, 1_000).unwrap();
        let dir = tempfile::tempdir().unwrap();
        {
            let store = reformlog_store::Store::open(dir.path()).unwrap();
            let mut import = store.bulk_import_flushed_at_end();
            for batch in &bulk.batches {
                import.append_multi(batch).unwrap();
            }
            assert_eq!(import.finish().unwrap(), 3_000);
        }
        // sled lets go of its lock from background threads shortly after the store closes.
        let db = (0..100)
            .find_map(|_| {
                sled::open(dir.path())
                    .map_err(|_| std::thread::sleep(std::time::Duration::from_millis(50)))
                    .ok()
            })
            .unwrap();
        let tree = db.open_tree("reformlog.log.v1").unwrap();
        for (i, ours) in bulk.records.iter().enumerate() {
            let mut key = vec![0x10u8];
            key.extend_from_slice(&(i as u64 + 1).to_be_bytes());
            let stored = tree.get(&key).unwrap().unwrap();
            assert_eq!(stored.len(), ours.len(), "position {}", i + 1);
            assert_eq!(&stored[..stored.len() - 32], &ours[..ours.len() - 32]);
        }
    }
}
