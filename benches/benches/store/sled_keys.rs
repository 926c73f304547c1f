//! The entries the store writes for a commit, built without the store, so raw sled can be
//! timed doing the same writes (the D1/D2 diagnostics and the raw-sled import).

use std::collections::HashMap;

use reformlog_benches::{commit_entry_bytes, mix};
use reformlog_store::Metadata;
use uuid::Uuid;

/// The sled tree the store keeps its log in.
pub(crate) const STORE_TREE: &str = "reformlog.log.v1";

/// Builds the entries the store (format 4) writes for each commit, so raw sled can be timed
/// doing the same writes: the record under 0x10, the stream's revision-index chunk of 16
/// positions under 0x22 and the event id's bucket under 0x32 (each rewritten whole, once per
/// commit), the stream table under 0x40 and the stream counter under 0x01 for a new stream,
/// and the commit entry under 0x50.
///
/// Unlike the store, it keeps the index values in memory instead of reading them back from
/// sled, and picks an id's bucket with the benchmarks' mixer instead of BLAKE3 (any uniform
/// hash spreads the ids alike).
#[derive(Debug, Default)]
pub(crate) struct StoreKeys {
    /// Stream id -> (stream number, next revision, its last chunk's positions).
    pub(crate) streams: HashMap<String, (u64, u64, Vec<u8>)>,
    /// Id bucket -> (id, position) entries.
    pub(crate) buckets: HashMap<u32, Vec<u8>>,
    pub(crate) position: u64,
    pub(crate) commit: u64,
}

impl StoreKeys {
    /// Adds one commit of `events` (stream, id, record bytes), in position order, whose
    /// metadata is `metadata`.
    pub(crate) fn add_commit<'e>(
        &mut self,
        batch: &mut sled::Batch,
        metadata: &Metadata,
        events: impl IntoIterator<Item = (&'e str, &'e Uuid, &'e [u8])>,
    ) {
        self.commit += 1;
        let first = self.position + 1;
        let mut chunks: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
        let mut buckets: Vec<u32> = Vec::new();
        let streams_before = self.streams.len() as u64;
        for (stream, id, record) in events {
            self.position += 1;
            let position = self.position.to_be_bytes();
            let next_no = self.streams.len() as u64;
            let head = self.streams.entry(stream.to_string()).or_insert_with(|| {
                batch.insert(prefixed(0x40, &[stream.as_bytes()]), &next_no.to_be_bytes());
                (next_no, 0, Vec::new())
            });
            batch.insert(prefixed(0x10, &[&position]), record);
            if head.1.is_multiple_of(16) {
                head.2.clear();
            }
            head.2.extend_from_slice(&position);
            let chunk = prefixed(0x22, &[&head.0.to_be_bytes(), &(head.1 / 16).to_be_bytes()]);
            chunks.insert(chunk, head.2.clone());
            head.1 += 1;
            let (hi, lo) = id.as_u64_pair();
            let bucket = (mix(hi ^ mix(lo)) >> 48) as u32;
            let entries = self.buckets.entry(bucket).or_default();
            entries.extend_from_slice(id.as_bytes());
            entries.extend_from_slice(&position);
            buckets.push(bucket);
        }
        if self.streams.len() as u64 != streams_before {
            batch.insert(&[0x01u8], &(self.streams.len() as u64).to_be_bytes());
        }
        for (key, value) in chunks {
            batch.insert(key, value);
        }
        buckets.sort_unstable();
        buckets.dedup();
        for b in buckets {
            if let Some(entries) = self.buckets.get(&b) {
                batch.insert(prefixed(0x32, &[&b.to_be_bytes()]), entries.as_slice());
            }
        }
        let recorded_at = 1_750_000_000_000_000 + self.commit as i64;
        batch.insert(
            prefixed(0x50, &[&self.commit.to_be_bytes()]),
            commit_entry_bytes(first, self.position, recorded_at, metadata),
        );
    }
}

fn prefixed(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut key = vec![prefix];
    for p in parts {
        key.extend_from_slice(p);
    }
    key
}
