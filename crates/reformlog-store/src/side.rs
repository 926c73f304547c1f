//! Side tables: named, ordered byte tables in the store's database beside the log, for
//! what a caller keeps next to it and can rebuild from it (the domain's read models).
//!
//! This is the whole of what a caller may ask of the engine underneath, so that engine can
//! change without the caller knowing; every engine keeps this contract (sled today; a SQL
//! database would keep it with one table of `key BLOB PRIMARY KEY, value BLOB` per side
//! table, its scans `ORDER BY key` with `WHERE key >= ? AND key < ?`, a batch one
//! transaction):
//!
//! - Keys and values are byte strings of any length, the empty one included. A table is
//!   ordered by key, bytewise (a key sorts before every longer key it is a prefix of), and
//!   every scan returns entries in that order, or in its reverse for [`SideTable::range_rev`].
//! - A single [`SideTable::insert`] or [`SideTable::remove`] is seen by every later read,
//!   through any handle of the table.
//! - A [`SideBatch`] is atomic: a read sees all of its writes or none, and so does the
//!   table after a crash. The read models rely on it: each chunk of applied events is one
//!   batch with the checkpoint it reaches, so the table always holds exactly the state at
//!   one checkpoint.
//! - A scan is not a snapshot: it sees each key as some write left it, and writes made while
//!   it runs may or may not show. A caller that needs a scan consistent with a batch keeps
//!   its writers out meanwhile (the read models' gate does).
//! - Durability is the engine's: writes reach stable storage when the store next persists
//!   or on [`SideTable::flush`], and a crash keeps a prefix of the writes made in order
//!   (whole batches only). Side tables hold nothing the log does not, so nothing here is on
//!   an append's acknowledgement path.
//! - [`crate::Store::drop_side_table`] removes a table and everything in it at once; a
//!   handle taken before it is stale and must not be used again: take a new one.
//! - Names starting with `reformlog.` are the store's own and refused.
//!
//! Errors are [`StorageError`]s: no type of the engine is part of this interface.

use std::borrow::Borrow;
use std::ops::{Deref, RangeBounds};

use crate::error::{SledResult, StorageError};

/// The prefix of the store's own tree names, and sled's default tree, neither of which a
/// side table may be.
fn reserved(name: &str) -> bool {
    name.starts_with("reformlog.") || name == "__sled__default"
}

fn refuse_reserved(what: &str, name: &str) -> Result<(), StorageError> {
    if reserved(name) {
        return Err(StorageError::io(
            what,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("reserved table name {name:?}"),
            ),
        ));
    }
    Ok(())
}

/// Opens (creating it if need be) the side table `name` of `db`.
pub(crate) fn open(db: &sled::Db, name: &str) -> Result<SideTable, StorageError> {
    refuse_reserved("side table", name)?;
    Ok(SideTable {
        tree: db.open_tree(name).storage()?,
    })
}

/// Drops the side table `name` of `db`; whether it existed.
pub(crate) fn drop_table(db: &sled::Db, name: &str) -> Result<bool, StorageError> {
    refuse_reserved("drop side table", name)?;
    db.drop_tree(name).storage()
}

/// A key or value read from a side table: bytes, shared with the engine where it can, so a
/// read need not copy them.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SideBytes(sled::IVec);

impl Deref for SideBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for SideBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Borrow<[u8]> for SideBytes {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl From<&[u8]> for SideBytes {
    fn from(bytes: &[u8]) -> Self {
        Self(sled::IVec::from(bytes))
    }
}

impl From<Vec<u8>> for SideBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(sled::IVec::from(bytes))
    }
}

impl std::fmt::Debug for SideBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SideBytes").field(&&*self.0).finish()
    }
}

/// A handle of one side table (cheap to clone; every clone is the same table).
#[derive(Clone)]
pub struct SideTable {
    tree: sled::Tree,
}

impl std::fmt::Debug for SideTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SideTable")
            .field("name", &String::from_utf8_lossy(&self.tree.name()))
            .finish_non_exhaustive()
    }
}

impl SideTable {
    /// The value stored under `key`.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<SideBytes>, StorageError> {
        Ok(self.tree.get(key).storage()?.map(SideBytes))
    }

    /// Stores `value` under `key`, replacing what was there.
    pub fn insert(
        &self,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<(), StorageError> {
        self.tree
            .insert(key.as_ref(), value.as_ref())
            .storage()
            .map(|_| ())
    }

    /// Removes `key` (nothing happens if it is absent).
    pub fn remove(&self, key: impl AsRef<[u8]>) -> Result<(), StorageError> {
        self.tree.remove(key).storage().map(|_| ())
    }

    /// Every entry whose key starts with `prefix`, in key order.
    pub fn scan_prefix(&self, prefix: impl AsRef<[u8]>) -> SideIter {
        SideIter::forward(self.tree.scan_prefix(prefix))
    }

    /// Every entry whose key is in `range`, in key order.
    pub fn range<K: AsRef<[u8]>, R: RangeBounds<K>>(&self, range: R) -> SideIter {
        SideIter::forward(self.tree.range(range))
    }

    /// Every entry whose key is in `range`, from the greatest key down.
    pub fn range_rev<K: AsRef<[u8]>, R: RangeBounds<K>>(&self, range: R) -> SideIter {
        SideIter {
            inner: self.tree.range(range),
            reverse: true,
        }
    }

    /// Applies every write of `batch` at once (see the module documentation).
    pub fn apply(&self, batch: SideBatch) -> Result<(), StorageError> {
        self.tree.apply_batch(batch.inner).storage()
    }

    /// Makes every write made so far durable now rather than when the store next persists.
    pub fn flush(&self) -> Result<(), StorageError> {
        self.tree.flush().storage().map(|_| ())
    }
}

/// Writes applied together by [`SideTable::apply`]; a later write of a key in the same batch
/// replaces an earlier one.
#[derive(Default)]
pub struct SideBatch {
    inner: sled::Batch,
}

impl std::fmt::Debug for SideBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SideBatch").finish_non_exhaustive()
    }
}

impl SideBatch {
    /// Stores `value` under `key` when the batch is applied.
    pub fn insert(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        self.inner.insert(key.as_ref(), value.as_ref());
    }

    /// Removes `key` when the batch is applied.
    pub fn remove(&mut self, key: impl AsRef<[u8]>) {
        self.inner.remove(key.as_ref());
    }
}

/// The entries of a scan, in its order; the first error ends what it means to read (later
/// items may still come, but callers stop at it).
pub struct SideIter {
    inner: sled::Iter,
    reverse: bool,
}

impl SideIter {
    fn forward(inner: sled::Iter) -> Self {
        Self {
            inner,
            reverse: false,
        }
    }
}

impl std::fmt::Debug for SideIter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SideIter")
            .field("reverse", &self.reverse)
            .finish_non_exhaustive()
    }
}

impl Iterator for SideIter {
    type Item = Result<(SideBytes, SideBytes), StorageError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = if self.reverse {
            self.inner.next_back()
        } else {
            self.inner.next()
        };
        item.map(|r| r.storage().map(|(k, v)| (SideBytes(k), SideBytes(v))))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn entries(iter: SideIter) -> Vec<(Vec<u8>, Vec<u8>)> {
        iter.map(|r| {
            let (k, v) = r.unwrap();
            (k.to_vec(), v.to_vec())
        })
        .collect()
    }

    fn kv(k: &[u8], v: &[u8]) -> (Vec<u8>, Vec<u8>) {
        (k.to_vec(), v.to_vec())
    }

    #[test]
    fn a_table_is_ordered_bytewise_and_scans_in_both_directions() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(dir.path()).unwrap();
        let t = store.side_table("side.test").unwrap();
        for k in [&b"b\x01"[..], b"a", b"b", b"b\x00\x02", b"c", b""] {
            t.insert(k, [k.len() as u8]).unwrap();
        }
        assert_eq!(t.get(b"b\x00\x02").unwrap().unwrap().to_vec(), vec![3]);
        assert_eq!(t.get(b"zz").unwrap(), None);
        assert_eq!(
            entries(t.scan_prefix(b"b")),
            vec![kv(b"b", &[1]), kv(b"b\x00\x02", &[3]), kv(b"b\x01", &[2])]
        );
        assert_eq!(
            entries(t.range(b"".to_vec()..b"b".to_vec())),
            vec![kv(b"", &[0]), kv(b"a", &[1])]
        );
        assert_eq!(
            entries(t.range_rev(b"a".to_vec()..=b"b".to_vec())),
            vec![kv(b"b", &[1]), kv(b"a", &[1])]
        );
        assert_eq!(entries(t.range(b"b\x02".to_vec()..)), vec![kv(b"c", &[1])]);
        t.remove(b"b").unwrap();
        t.remove(b"never there").unwrap();
        assert_eq!(t.scan_prefix(b"b").count(), 2);
        // Another handle of the same name is the same table.
        let again = store.side_table("side.test").unwrap();
        assert_eq!(again.get(b"c").unwrap().unwrap().to_vec(), vec![1]);
    }

    #[test]
    fn a_batch_applies_its_writes_in_order_and_a_dropped_table_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(dir.path()).unwrap();
        let t = store.side_table("side.test").unwrap();
        t.insert(b"gone", b"x").unwrap();
        let mut batch = SideBatch::default();
        batch.insert(b"k", b"first");
        batch.insert(b"k", b"second");
        batch.insert(b"other", b"y");
        batch.remove(b"gone");
        assert_eq!(t.get(b"k").unwrap(), None, "nothing before apply");
        t.apply(batch).unwrap();
        assert_eq!(
            entries(t.scan_prefix(b"")),
            vec![kv(b"k", b"second"), kv(b"other", b"y")]
        );
        assert!(store.drop_side_table("side.test").unwrap());
        assert!(!store.drop_side_table("side.test").unwrap());
        let fresh = store.side_table("side.test").unwrap();
        assert_eq!(fresh.scan_prefix(b"").count(), 0);
    }

    #[test]
    fn the_stores_own_trees_are_not_side_tables() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(dir.path()).unwrap();
        assert!(store.side_table(crate::keys::LOG_TREE).is_err());
        assert!(store.side_table("__sled__default").is_err());
        assert!(store.drop_side_table(crate::keys::LOG_TREE).is_err());
        assert!(store.verify().unwrap().is_ok(), "the log is untouched");
    }

    #[test]
    fn side_tables_outlive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = crate::Store::open(dir.path()).unwrap();
            let t = store.side_table("side.test").unwrap();
            let mut batch = SideBatch::default();
            batch.insert(b"a", b"1");
            t.apply(batch).unwrap();
            t.flush().unwrap();
        }
        let store = (0..100)
            .find_map(|_| {
                crate::Store::open(dir.path())
                    .map_err(|_| std::thread::sleep(std::time::Duration::from_millis(20)))
                    .ok()
            })
            .unwrap();
        let t = store.side_table("side.test").unwrap();
        assert_eq!(t.get(b"a").unwrap().unwrap().to_vec(), b"1".to_vec());
    }
}
