//! Upgrading a format-1 store's one-key-per-entry indexes to format 2's packed ones.
//!
//! Crash-safe without a transaction: the new indexes are written beside the old ones, then the
//! header moves to format 2 (sled recovers a prefix of its log, so a durable header implies
//! durable indexes before it), then the old keys are deleted. An interrupted upgrade is
//! redone from the start while the header still says 1, and an interrupted cleanup is
//! finished on the next open.

use std::collections::HashMap;

use crate::error::{CorruptionError, OpenError, StorageError};
use crate::keys::{self, ID_ENTRY_BYTES, REVISIONS_PER_CHUNK};

/// Index values written per sled batch during the upgrade.
const BATCH: usize = 10_000;
/// Event-id entries gathered in memory per pass over the old id index (24 bytes each).
const ENTRIES_PER_PASS: usize = 500_000;

/// Builds the packed indexes from a format-1 store's and writes the format-2 header.
pub(crate) fn upgrade_v1(tree: &sled::Tree, header: Vec<u8>) -> Result<(), OpenError> {
    delete_prefix(tree, keys::REVISION_CHUNK)?;
    delete_prefix(tree, keys::ID_BUCKET)?;
    pack_revisions(tree)?;
    pack_ids(tree)?;
    tree.insert(keys::HEADER, header)
        .map_err(StorageError::from)?;
    tree.flush().map_err(StorageError::from)?;
    remove_legacy(tree)
}

/// Deletes what is left of format 1's indexes (an upgrade stopped during its cleanup).
pub(crate) fn remove_legacy(tree: &sled::Tree) -> Result<(), OpenError> {
    let a = delete_prefix(tree, keys::LEGACY_REVISION)?;
    let b = delete_prefix(tree, keys::LEGACY_EVENT_ID)?;
    if a + b > 0 {
        tree.flush().map_err(StorageError::from)?;
    }
    Ok(())
}

fn delete_prefix(tree: &sled::Tree, prefix: u8) -> Result<usize, OpenError> {
    let mut deleted = 0;
    loop {
        let mut batch = sled::Batch::default();
        let mut n = 0;
        for item in tree.range(keys::prefix_range(prefix)).keys().take(BATCH) {
            batch.remove(item.map_err(StorageError::from)?);
            n += 1;
        }
        if n == 0 {
            return Ok(deleted);
        }
        tree.apply_batch(batch).map_err(StorageError::from)?;
        deleted += n;
    }
}

fn corrupt(key: &[u8], reason: impl Into<String>) -> OpenError {
    CorruptionError {
        at: format!("format-1 index key {key:02x?}"),
        reason: reason.into(),
    }
    .into()
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    keys::read_u64(bytes.get(at..at + 8)?)
}

/// Format 1: `0x20 ‖ stream number ‖ revision → position`, in key order, so each stream's
/// revisions arrive in order and every chunk is complete before the next begins.
fn pack_revisions(tree: &sled::Tree) -> Result<(), OpenError> {
    let mut batch = sled::Batch::default();
    let mut in_batch = 0;
    let mut chunk: Option<(u64, u64, Vec<u8>)> = None;
    let flush_chunk = |chunk: (u64, u64, Vec<u8>), batch: &mut sled::Batch| {
        let (no, first, value) = chunk;
        batch.insert(&keys::revision_chunk(no, first), value);
    };
    for item in tree.range(keys::prefix_range(keys::LEGACY_REVISION)) {
        let (key, value) = item.map_err(StorageError::from)?;
        let (Some(no), Some(revision), Some(position), 17, 8) = (
            u64_at(&key, 1),
            u64_at(&key, 9),
            keys::read_u64(&value),
            key.len(),
            value.len(),
        ) else {
            return Err(corrupt(&key, "malformed entry"));
        };
        let first = revision - revision % REVISIONS_PER_CHUNK;
        let expected_len = (revision % REVISIONS_PER_CHUNK) * 8;
        match &mut chunk {
            Some((n, f, v)) if *n == no && *f == first => {
                if v.len() as u64 != expected_len {
                    return Err(corrupt(&key, "revisions not consecutive"));
                }
                v.extend_from_slice(&position.to_be_bytes());
            }
            _ => {
                if expected_len != 0 {
                    return Err(corrupt(&key, "revisions not consecutive"));
                }
                if let Some(done) = chunk.take() {
                    flush_chunk(done, &mut batch);
                    in_batch += 1;
                    if in_batch >= BATCH {
                        tree.apply_batch(std::mem::take(&mut batch))
                            .map_err(StorageError::from)?;
                        in_batch = 0;
                    }
                }
                chunk = Some((no, first, position.to_be_bytes().to_vec()));
            }
        }
    }
    if let Some(done) = chunk.take() {
        flush_chunk(done, &mut batch);
    }
    tree.apply_batch(batch).map_err(StorageError::from)?;
    Ok(())
}

/// Format 1: `0x30 ‖ event id → position`. Buckets are filled in passes over ranges of bucket
/// numbers so that memory stays bounded however long the log.
fn pack_ids(tree: &sled::Tree) -> Result<(), OpenError> {
    let total = tree
        .range(keys::prefix_range(keys::LEGACY_EVENT_ID))
        .count();
    let passes = total.div_ceil(ENTRIES_PER_PASS).max(1);
    let per_pass = (1usize << 16).div_ceil(passes);
    for pass in 0..passes {
        let lo = pass * per_pass;
        let hi = ((pass + 1) * per_pass).min(1 << 16);
        let mut buckets: HashMap<[u8; 3], Vec<(u64, [u8; 16])>> = HashMap::new();
        for item in tree.range(keys::prefix_range(keys::LEGACY_EVENT_ID)) {
            let (key, value) = item.map_err(StorageError::from)?;
            let (Ok(id), Some(position)) = (
                <[u8; 16]>::try_from(key.get(1..).unwrap_or_default()),
                keys::read_u64(&value),
            ) else {
                return Err(corrupt(&key, "malformed entry"));
            };
            let bucket = keys::id_bucket(&uuid::Uuid::from_bytes(id));
            let n = usize::from(u16::from_be_bytes([bucket[1], bucket[2]]));
            if (lo..hi).contains(&n) {
                buckets.entry(bucket).or_default().push((position, id));
            }
        }
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        for (bucket, mut entries) in buckets {
            // Appends fill a bucket in position order; the upgrade writes the same bytes.
            entries.sort_unstable();
            let mut value = Vec::with_capacity(entries.len() * ID_ENTRY_BYTES);
            for (position, id) in entries {
                value.extend_from_slice(&id);
                value.extend_from_slice(&position.to_be_bytes());
            }
            batch.insert(&bucket, value);
            in_batch += 1;
            if in_batch >= BATCH {
                tree.apply_batch(std::mem::take(&mut batch))
                    .map_err(StorageError::from)?;
                in_batch = 0;
            }
        }
        tree.apply_batch(batch).map_err(StorageError::from)?;
    }
    Ok(())
}
