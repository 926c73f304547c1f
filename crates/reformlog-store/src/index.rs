//! The packed indexes: a stream's positions in chunks of 16 revisions, event ids in buckets.

use std::collections::HashMap;

use uuid::Uuid;

use crate::error::{CorruptionError, ReadError, SledResult};
use crate::keys::{self, ID_ENTRY_BYTES, REVISIONS_PER_CHUNK};
use crate::read::Direction;
use crate::store::Inner;

/// The positions in a revision-index chunk value, checked for shape.
fn chunk_slots<'a>(
    key: &[u8],
    value: &'a [u8],
) -> Result<impl DoubleEndedIterator<Item = u64> + ExactSizeIterator + 'a, CorruptionError> {
    let slots = value.len() / 8;
    if value.is_empty() || !value.len().is_multiple_of(8) || slots as u64 > REVISIONS_PER_CHUNK {
        return Err(CorruptionError {
            at: format!("revision index chunk {key:02x?}"),
            reason: format!(
                "{} bytes is not 1 to {REVISIONS_PER_CHUNK} positions",
                value.len()
            ),
        });
    }
    Ok(value.chunks_exact(8).map(|c| {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        u64::from_be_bytes(b)
    }))
}

/// The position an event-id bucket value gives `id`, if it holds it.
fn bucket_find(key: &[u8], value: &[u8], id: &Uuid) -> Result<Option<u64>, CorruptionError> {
    if !value.len().is_multiple_of(ID_ENTRY_BYTES) {
        return Err(CorruptionError {
            at: format!("event id bucket {key:02x?}"),
            reason: format!("{} bytes is not whole entries", value.len()),
        });
    }
    Ok(value
        .chunks_exact(ID_ENTRY_BYTES)
        .find(|e| &e[..16] == id.as_bytes())
        .and_then(|e| keys::read_u64(&e[16..])))
}

fn id_entry(id: &Uuid, position: u64) -> [u8; ID_ENTRY_BYTES] {
    let mut e = [0u8; ID_ENTRY_BYTES];
    e[..16].copy_from_slice(id.as_bytes());
    e[16..].copy_from_slice(&position.to_be_bytes());
    e
}

impl Inner {
    /// The position of the event with this id, committed (visible or not).
    pub(crate) fn position_of_id(&self, id: &Uuid) -> Result<Option<u64>, ReadError> {
        let key = keys::id_bucket(id);
        match self.tree.get(key).storage()? {
            None => Ok(None),
            Some(v) => Ok(bucket_find(&key, &v, id)?),
        }
    }

    /// The position of revision `revision` of stream `no`, committed (visible or not).
    pub(crate) fn position_of_revision(
        &self,
        no: u64,
        revision: u64,
    ) -> Result<Option<u64>, ReadError> {
        let key = keys::revision_chunk(no, revision);
        match self.tree.get(key).storage()? {
            None => Ok(None),
            Some(v) => {
                let slot = (revision % REVISIONS_PER_CHUNK) as usize;
                Ok(chunk_slots(&key, &v)?.nth(slot))
            }
        }
    }

    /// The last revision of stream `no` at a position no later than `bound`.
    pub(crate) fn last_revision(&self, no: u64, bound: u64) -> Result<Option<u64>, ReadError> {
        let range = self
            .tree
            .range(keys::revision_chunk(no, 0)..=keys::revision_chunk(no, u64::MAX))
            .rev();
        for item in range {
            let (key, value) = item.storage()?;
            let first = chunk_first(&key)?;
            // A stream's positions grow with its revisions, so the last slot within the bound
            // is the answer.
            let within = chunk_slots(&key, &value)?.filter(|&p| p <= bound).count() as u64;
            if within > 0 {
                return Ok(Some(first + within - 1));
            }
        }
        Ok(None)
    }

    /// Up to `limit` positions of stream `no` no later than `visible`, starting at revision
    /// `from` (inclusive; `None` = the first going forward, the last going backward).
    pub(crate) fn stream_positions(
        &self,
        no: u64,
        from: Option<u64>,
        direction: Direction,
        visible: u64,
        limit: usize,
    ) -> Result<Vec<u64>, ReadError> {
        let mut out = Vec::with_capacity(limit.min(1024));
        if limit == 0 {
            return Ok(out);
        }
        match direction {
            Direction::Forward => {
                let from = from.unwrap_or(0);
                let range = self
                    .tree
                    .range(keys::revision_chunk(no, from)..=keys::revision_chunk(no, u64::MAX));
                for item in range {
                    let (key, value) = item.storage()?;
                    let first = chunk_first(&key)?;
                    let skip = from.saturating_sub(first) as usize;
                    for p in chunk_slots(&key, &value)?.skip(skip) {
                        // Everything after a position beyond the visible head is newer still.
                        if p > visible || out.len() >= limit {
                            return Ok(out);
                        }
                        out.push(p);
                    }
                }
            }
            Direction::Backward => {
                let from = from.unwrap_or(u64::MAX);
                let range = self
                    .tree
                    .range(keys::revision_chunk(no, 0)..=keys::revision_chunk(no, from))
                    .rev();
                for item in range {
                    let (key, value) = item.storage()?;
                    let first = chunk_first(&key)?;
                    let slots = chunk_slots(&key, &value)?;
                    let len = slots.len() as u64;
                    let keep = (from.saturating_sub(first)).saturating_add(1).min(len);
                    for p in slots.take(keep as usize).rev() {
                        if out.len() >= limit {
                            return Ok(out);
                        }
                        // Older entries follow; only ones past the visible head are skipped.
                        if p <= visible {
                            out.push(p);
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

fn chunk_first(key: &[u8]) -> Result<u64, CorruptionError> {
    keys::chunk_first_revision(key).ok_or_else(|| CorruptionError {
        at: format!("revision index key {key:02x?}"),
        reason: "malformed".into(),
    })
}

/// Index values as the commits of one batch leave them, over the tree's: each value is read
/// from the tree once and then changed here, and the changed values join the batch.
#[derive(Default)]
pub(crate) struct IndexOverlay {
    values: HashMap<Vec<u8>, Vec<u8>>,
}

impl IndexOverlay {
    /// The value of `key` as this overlay, then the tree, have it.
    fn current(&self, tree: &sled::Tree, key: &[u8]) -> Result<Vec<u8>, ReadError> {
        if let Some(v) = self.values.get(key) {
            return Ok(v.clone());
        }
        Ok(tree
            .get(key)
            .storage()?
            .map(|v| v.to_vec())
            .unwrap_or_default())
    }

    /// Records that revision `revision` of stream `no` is at `position`; the revisions before
    /// it must be indexed already.
    pub(crate) fn add_revision(
        &mut self,
        tree: &sled::Tree,
        no: u64,
        revision: u64,
        position: u64,
    ) -> Result<(), ReadError> {
        let key = keys::revision_chunk(no, revision);
        let slot = revision % REVISIONS_PER_CHUNK;
        // A chunk's first revision always starts a new value: nothing to read.
        let mut value = self.current(tree, &key)?;
        if slot == 0 && value.len() >= 8 && value[..8] != position.to_be_bytes() {
            // A chunk's first revision starts a new value; what is there is left over.
            value.clear();
        }
        let at = (slot * 8) as usize;
        if value.len() >= at + 8 && value[at..at + 8] == position.to_be_bytes() {
            // Installed already (the journal installs a commit again after a crash).
            return Ok(());
        }
        if value.len() as u64 != slot * 8 {
            return Err(CorruptionError {
                at: format!("revision index chunk {key:02x?}"),
                reason: format!(
                    "holds {} bytes where revision {revision} needs {}",
                    value.len(),
                    slot * 8
                ),
            }
            .into());
        }
        value.extend_from_slice(&position.to_be_bytes());
        self.values.insert(key.to_vec(), value);
        Ok(())
    }

    /// Records that the event `id` is at `position`.
    pub(crate) fn add_id(
        &mut self,
        tree: &sled::Tree,
        id: &Uuid,
        position: u64,
    ) -> Result<(), ReadError> {
        let key = keys::id_bucket(id);
        let mut value = self.current(tree, &key)?;
        let entry = id_entry(id, position);
        if value.chunks_exact(ID_ENTRY_BYTES).any(|e| e == entry) {
            return Ok(());
        }
        value.extend_from_slice(&entry);
        self.values.insert(key.to_vec(), value);
        Ok(())
    }

    /// Every changed value, to write.
    pub(crate) fn into_writes(self) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> {
        self.values.into_iter()
    }
}

/// Removes the index entries of the record at `position` (stream `stream`, revision
/// `revision`, id `id`), left by a commit a crash cut short.
pub(crate) fn forget(
    tree: &sled::Tree,
    stream: &str,
    revision: u64,
    id: &Uuid,
    position: u64,
) -> Result<(), ReadError> {
    if let Some(no) = tree
        .get(keys::stream(stream))
        .storage()?
        .and_then(|v| keys::read_u64(&v))
    {
        let key = keys::revision_chunk(no, revision);
        if let Some(v) = tree.get(key).storage()? {
            let at = ((revision % REVISIONS_PER_CHUNK) * 8) as usize;
            if v.len() >= at + 8 && v[at..at + 8] == position.to_be_bytes() {
                if at == 0 {
                    tree.remove(key).storage()?;
                } else {
                    tree.insert(key, &v[..at]).storage()?;
                }
            }
        }
    }
    let key = keys::id_bucket(id);
    if let Some(v) = tree.get(key).storage()? {
        let entry = id_entry(id, position);
        let kept: Vec<u8> = v
            .chunks_exact(ID_ENTRY_BYTES)
            .filter(|e| *e != entry)
            .flatten()
            .copied()
            .collect();
        if kept.len() != v.len() {
            tree.insert(key, kept).storage()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_values_are_corruption_not_panics() {
        let key = keys::revision_chunk(1, 0);
        assert!(chunk_slots(&key, &[]).is_err());
        assert!(chunk_slots(&key, &[0; 7]).is_err());
        assert!(chunk_slots(&key, &[0; 8 * (REVISIONS_PER_CHUNK as usize + 1)]).is_err());
        assert_eq!(
            chunk_slots(&key, &[0; 16]).map(Iterator::count).ok(),
            Some(2)
        );
        let id = Uuid::from_u128(5);
        let bkey = keys::id_bucket(&id);
        assert!(bucket_find(&bkey, &[0; 23], &id).is_err());
        let mut v = id_entry(&Uuid::from_u128(4), 9).to_vec();
        v.extend_from_slice(&id_entry(&id, 11));
        assert_eq!(bucket_find(&bkey, &v, &id).ok(), Some(Some(11)));
        assert_eq!(bucket_find(&bkey, &v, &Uuid::from_u128(6)).ok(), Some(None));
    }
}
