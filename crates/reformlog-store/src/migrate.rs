//! Upgrading an older store on open: indexes rebuilt from the records in today's layout, and
//! the start of commits and the journal at the log's head.
//!
//! Format 3 to 4 keeps the records in layout 1: a store before format 4 did not mark commits,
//! so each of its events becomes a commit of its own, numbered as its position (the count is
//! stored under `0x02`). The journal then starts at the log's head.
//!
//! Formats 1 and 2 differ from today's only in their indexes (format 1: one key per entry,
//! prefixes `0x20` and `0x30`; format 2: chunks of 64 revisions and 2^16 id buckets, `0x21`
//! and `0x31`). The records, the stream table and the header layout are unchanged, so the
//! upgrade reads the records, never the old indexes.
//!
//! Crash-safe without a transaction: the new indexes are written beside the old ones, then the
//! header moves to the current format (sled recovers a prefix of its log, so a durable header
//! implies durable indexes before it), then the old keys are deleted. An interrupted upgrade is
//! redone from the start while the header still names the old format, and an interrupted
//! cleanup is finished on the next open.

use std::collections::HashMap;

use crate::codec;
use crate::error::{CorruptionError, OpenError, SledResult};
use crate::journal::JournalHead;
use crate::keys::{self, REVISIONS_PER_CHUNK};

/// Index values written per sled batch during the upgrade.
const BATCH: usize = 10_000;
/// Index entries gathered in memory per pass over the records (at most about 100 bytes each).
const ENTRIES_PER_PASS: u64 = 500_000;

/// Rebuilds the indexes from the records and writes `header` (the current format's).
pub(crate) fn upgrade(tree: &sled::Tree, header: Vec<u8>) -> Result<(), OpenError> {
    delete_prefix(tree, keys::REVISION_CHUNK)?;
    delete_prefix(tree, keys::ID_BUCKET)?;
    let streams = stream_table(tree)?;
    let records = tree
        .range(keys::prefix_range(keys::log(0)[0]))
        .keys()
        .count() as u64;
    let passes = records.div_ceil(ENTRIES_PER_PASS).max(1);

    // Revision chunks, by ranges of stream numbers.
    let stream_count = streams.values().copied().max().map_or(0, |m| m + 1);
    let per_pass = stream_count.div_ceil(passes).max(1);
    for pass in 0..passes {
        let range = pass * per_pass..(pass + 1) * per_pass;
        let mut chunks: HashMap<[u8; 17], Vec<u8>> = HashMap::new();
        for_each_record(tree, |position, record| {
            let Some(&no) = streams.get(&record.stream) else {
                return Err(corrupt(position, "stream missing from the stream table"));
            };
            if !range.contains(&no) {
                return Ok(());
            }
            let value = chunks
                .entry(keys::revision_chunk(no, record.revision))
                .or_default();
            if value.len() as u64 != (record.revision % REVISIONS_PER_CHUNK) * 8 {
                return Err(corrupt(position, "stream revisions not consecutive"));
            }
            value.extend_from_slice(&position.to_be_bytes());
            Ok(())
        })?;
        write_all(tree, chunks)?;
    }

    // Event-id buckets, by ranges of bucket numbers.
    let buckets = 1u64 << keys::ID_BUCKET_BITS;
    let per_pass = buckets.div_ceil(passes);
    for pass in 0..passes {
        let range = pass * per_pass..(pass + 1) * per_pass;
        let mut values: HashMap<[u8; 5], Vec<u8>> = HashMap::new();
        for_each_record(tree, |position, record| {
            if range.contains(&u64::from(keys::id_bucket_number(&record.event_id))) {
                // Records arrive in position order, as appends fill a bucket.
                let value = values.entry(keys::id_bucket(&record.event_id)).or_default();
                value.extend_from_slice(record.event_id.as_bytes());
                value.extend_from_slice(&position.to_be_bytes());
            }
            Ok(())
        })?;
        write_all(tree, values)?;
    }

    tree.insert(keys::HEADER, header).storage()?;
    tree.flush().storage()?;
    remove_legacy(tree)
}

/// Deletes what is left of older formats' indexes (an upgrade stopped during its cleanup).
pub(crate) fn remove_legacy(tree: &sled::Tree) -> Result<(), OpenError> {
    let mut deleted = 0;
    for prefix in keys::LEGACY_INDEXES {
        deleted += delete_prefix(tree, prefix)?;
    }
    if deleted > 0 {
        tree.flush().storage()?;
    }
    Ok(())
}

/// The head of a log written before format 4: its last record's position and hash, which is
/// also its last commit.
pub(crate) fn legacy_head(tree: &sled::Tree) -> Result<JournalHead, OpenError> {
    let last = tree
        .range(keys::prefix_range(keys::log(0)[0]))
        .next_back()
        .transpose()
        .storage()?;
    let Some((key, value)) = last else {
        return Ok(JournalHead::EMPTY);
    };
    let position = keys::log_position(&key).ok_or_else(|| CorruptionError {
        at: "last log key".into(),
        reason: "malformed key".into(),
    })?;
    let record =
        codec::decode_record(&value).map_err(|e| CorruptionError::at_position(position, e))?;
    if record.position != position {
        return Err(corrupt(position, "position field differs from key"));
    }
    Ok(JournalHead {
        commit: position,
        position,
        hash: record.hash,
    })
}

fn stream_table(tree: &sled::Tree) -> Result<HashMap<String, u64>, OpenError> {
    let mut streams = HashMap::new();
    for item in tree.range(keys::prefix_range(keys::stream("")[0])) {
        let (key, value) = item.storage()?;
        let (Ok(name), Some(no)) = (
            std::str::from_utf8(key.get(1..).unwrap_or_default()),
            keys::read_u64(&value),
        ) else {
            return Err(CorruptionError {
                at: format!("stream table key {key:02x?}"),
                reason: "malformed entry".into(),
            }
            .into());
        };
        streams.insert(name.to_string(), no);
    }
    Ok(streams)
}

fn for_each_record(
    tree: &sled::Tree,
    mut f: impl FnMut(u64, &crate::record::RecordedEvent) -> Result<(), OpenError>,
) -> Result<(), OpenError> {
    for item in tree.range(keys::prefix_range(keys::log(0)[0])) {
        let (key, value) = item.storage()?;
        let position = keys::log_position(&key).ok_or_else(|| CorruptionError {
            at: "log key".into(),
            reason: "malformed".into(),
        })?;
        let record =
            codec::decode_record(&value).map_err(|e| CorruptionError::at_position(position, e))?;
        f(position, &record)?;
    }
    Ok(())
}

fn write_all<K: AsRef<[u8]>>(
    tree: &sled::Tree,
    values: HashMap<K, Vec<u8>>,
) -> Result<(), OpenError> {
    let mut batch = sled::Batch::default();
    let mut in_batch = 0;
    for (key, value) in values {
        batch.insert(key.as_ref(), value);
        in_batch += 1;
        if in_batch >= BATCH {
            tree.apply_batch(std::mem::take(&mut batch)).storage()?;
            in_batch = 0;
        }
    }
    tree.apply_batch(batch).storage()?;
    Ok(())
}

fn delete_prefix(tree: &sled::Tree, prefix: u8) -> Result<usize, OpenError> {
    let mut deleted = 0;
    loop {
        let mut batch = sled::Batch::default();
        let mut n = 0;
        for item in tree.range(keys::prefix_range(prefix)).keys().take(BATCH) {
            batch.remove(item.storage()?);
            n += 1;
        }
        if n == 0 {
            return Ok(deleted);
        }
        tree.apply_batch(batch).storage()?;
        deleted += n;
    }
}

fn corrupt(position: u64, reason: &str) -> OpenError {
    CorruptionError::at_position(position, reason).into()
}
