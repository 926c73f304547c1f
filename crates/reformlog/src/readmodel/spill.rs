//! A rebuild's spills: what its chunk writes when over [`Budgets`], handed to a writing
//! thread and readable, laid over the table, until that thread has written it.

use super::keys;
use super::row::{corrupt, decode_row, EntityRecord, Entry};
use crate::error::Error;
use crate::ids::EntityKey;
use reformlog_store::{SideBytes, SideTable, Store};
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A rebuild's budgets, by estimated memory, and how long a tail may grow.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budgets {
    /// Rows: past this, the rows changed least recently are written until `keep_rows`
    /// remain.
    pub(crate) rows: usize,
    pub(crate) keep_rows: usize,
    /// Index entries and tails, written together when they pass this.
    pub(crate) index: usize,
    /// Finished actor runs (appended in key order per actor), written when they pass this.
    pub(crate) runs: usize,
    /// A row is held again once this many of its events wait in its tail, so that no tail
    /// a reader folds is long.
    pub(crate) tail_max: usize,
    /// Events a decoding thread reads and decodes at a time. Small pages keep little in
    /// flight: at a million events, pages of 10 000 took the rebuild's peak memory from
    /// about 410 to 500 MB and were no faster than pages of 1 000.
    pub(crate) page: usize,
}

impl Budgets {
    /// Rows: enough for the rows a large log keeps changing (every committee, the tasks
    /// still reporting progress) to stay decoded. Index: the relations and names of about a
    /// million events, so that most are written once, in key order. In all about 64 MiB,
    /// freed when the rebuild ends.
    pub(crate) const DEFAULT: Self = Self {
        rows: 44 << 20,
        keep_rows: 34 << 20,
        index: 16 << 20,
        runs: 4 << 20,
        tail_max: 8,
        page: 1_000,
    };
}

/// The applying side of a rebuild's writing thread: what a chunk spills is written while the
/// chunk goes on applying the log (writing to the table is about a third of a rebuild's work).
/// Spills are numbered from 1 in the order handed over.
///
/// The spills not yet written stay readable here, so that a row spilled a moment ago can be
/// read back at once (see [`Spiller::get`]) instead of waiting for the writer, which may be
/// in the middle of a spill of a hundred thousand keys: waiting cost a 1M-event rebuild
/// about 3 s in 1 700 waits.
pub(crate) struct Spiller {
    to_writer: SyncSender<Arc<Vec<Entry>>>,
    /// Spills handed over and perhaps not yet written, oldest first, with their numbers.
    in_flight: Mutex<VecDeque<(u64, Arc<Vec<Entry>>)>>,
    sent: AtomicU64,
    /// Spills written, in order; set by the writing thread.
    written: Arc<AtomicU64>,
}

/// The writing side's end of a [`Spiller`].
pub(crate) struct Spills {
    from_applier: Receiver<Arc<Vec<Entry>>>,
    written: Arc<AtomicU64>,
}

impl Spiller {
    /// The channel holds one spill, so at most two (one being written) wait for the writer.
    pub(crate) fn new() -> (Self, Spills) {
        let (to_writer, from_applier) = sync_channel(1);
        let written = Arc::new(AtomicU64::new(0));
        let spiller = Self {
            to_writer,
            in_flight: Mutex::new(VecDeque::new()),
            sent: AtomicU64::new(0),
            written: written.clone(),
        };
        (
            spiller,
            Spills {
                from_applier,
                written,
            },
        )
    }

    /// Hands `entries` (sorted by key) to the writer, waiting while it has a spill queued.
    pub(crate) fn write(&self, entries: Vec<Entry>) -> Result<(), Error> {
        let entries = Arc::new(entries);
        let number = self.sent.fetch_add(1, Ordering::Relaxed) + 1;
        self.in_flight().push_back((number, entries.clone()));
        self.to_writer.send(entries).map_err(|_| stopped())
    }

    /// The number the next spill handed over will have.
    pub(crate) fn next_spill(&self) -> u64 {
        self.sent.load(Ordering::Relaxed) + 1
    }

    /// How many spills are in the tree.
    pub(crate) fn written(&self) -> u64 {
        self.written.load(Ordering::Acquire)
    }

    /// The spills not known to be written, oldest first (forgetting those that are).
    fn in_flight(&self) -> MutexGuard<'_, VecDeque<(u64, Arc<Vec<Entry>>)>> {
        let mut spills = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let written = self.written();
        while spills.front().is_some_and(|(n, _)| *n <= written) {
            spills.pop_front();
        }
        spills
    }

    /// The value of `key` as `tree` will hold it once every spill handed over is written.
    pub(crate) fn get(&self, tree: &SideTable, key: &[u8]) -> Result<Option<SideBytes>, Error> {
        // Whatever the writer finishes meanwhile, the spills taken here are applied on top
        // of what the tree is read to hold, so the answer does not depend on its progress.
        let spills = self.in_flight();
        for (_, entries) in spills.iter().rev() {
            if let Ok(i) = entries.binary_search_by(|e| e.0.as_slice().cmp(key)) {
                return Ok(entries
                    .get(i)
                    .and_then(|e| e.1.as_deref())
                    .map(SideBytes::from));
            }
        }
        Ok(tree.get(key)?)
    }

    /// The entries under `prefix`, in key order, as `tree` will hold them once every spill
    /// handed over is written.
    pub(crate) fn scan_prefix(
        &self,
        tree: &SideTable,
        prefix: &[u8],
    ) -> Result<Vec<(SideBytes, SideBytes)>, Error> {
        let spills = self.in_flight();
        let mut found = BTreeMap::new();
        for item in tree.scan_prefix(prefix) {
            let (k, v) = item?;
            found.insert(k, v);
        }
        for (_, entries) in spills.iter() {
            let start = entries.partition_point(|e| e.0.as_slice() < prefix);
            let under = entries.get(start..).unwrap_or_default();
            for (k, v) in under.iter().take_while(|e| e.0.starts_with(prefix)) {
                match v {
                    Some(v) => {
                        found.insert(SideBytes::from(k.as_slice()), SideBytes::from(v.as_slice()))
                    }
                    None => found.remove(k.as_slice()),
                };
            }
        }
        Ok(found.into_iter().collect())
    }
}

impl Spiller {
    /// The row of `key` (with its parts and tails, folded as [`decode_row`] does) as `tree`
    /// will hold it once every spill handed over is written.
    pub(crate) fn record(
        &self,
        store: &Store,
        tree: &SideTable,
        key: &EntityKey,
    ) -> Result<Option<(EntityRecord, usize, usize)>, Error> {
        let Some(bytes) = self.get(tree, &keys::entity(key))? else {
            return Ok(None);
        };
        let members = match key {
            EntityKey::Committee(_) => self.scan_prefix(tree, &keys::members_prefix(key))?,
            _ => Vec::new(),
        };
        let tails = self.scan_prefix(tree, &keys::tail_prefix(key))?;
        decode_row(
            store,
            &bytes,
            members.into_iter().map(|(_, v)| Ok(v)),
            tails.into_iter().map(Ok),
        )
        .map(Some)
    }
}

impl std::fmt::Debug for Spiller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spiller").finish_non_exhaustive()
    }
}

/// The writing thread stopped, which it does only on an error (reported when it is joined).
fn stopped() -> Error {
    corrupt("the rebuild's writing thread stopped")
}

/// The writing thread of a rebuild: writes what it is handed until the channel closes.
pub(crate) fn write_spills(tree: &SideTable, spills: Spills) -> Result<(), Error> {
    for entries in spills.from_applier {
        write_entries(tree, &entries)?;
        // The applying thread made the entries and frees them (see `decode_log` for why):
        // its copy is the last once this one is dropped before the spill counts as written.
        drop(entries);
        spills.written.fetch_add(1, Ordering::Release);
    }
    Ok(())
}

/// Writes `entries` (sorted by key) one by one; for what a rebuild spills, which needs no
/// atomicity. Not as a [`reformlog_store::SideBatch`]: the store's engine (sled) applies a
/// batch holding its process-wide concurrency-control lock exclusively, which would stop
/// the rebuild's decoding threads (reading the log takes it shared) for as long as the
/// batch takes; single writes take it shared, and cost less per key.
pub(crate) fn write_entries(tree: &SideTable, entries: &[Entry]) -> Result<(), Error> {
    for (key, value) in entries {
        match value {
            Some(v) => {
                tree.insert(key.as_slice(), v.as_slice())?;
            }
            None => {
                tree.remove(key.as_slice())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn put(k: &str, v: &str) -> Entry {
        (k.as_bytes().to_vec(), Some(v.as_bytes().to_vec()))
    }

    fn del(k: &str) -> Entry {
        (k.as_bytes().to_vec(), None)
    }

    fn text(v: Option<SideBytes>) -> Option<String> {
        v.map(|v| String::from_utf8(v.to_vec()).unwrap())
    }

    fn scan(spiller: &Spiller, tree: &SideTable, prefix: &str) -> Vec<(String, String)> {
        let found = spiller.scan_prefix(tree, prefix.as_bytes()).unwrap();
        found
            .into_iter()
            .map(|(k, v)| (text(Some(k)).unwrap(), text(Some(v)).unwrap()))
            .collect()
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn spills_not_yet_written_read_as_the_tree_will_hold_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let tree = store.side_table("rm").unwrap();
        for (k, v) in [
            ("a1", "old"),
            ("a2", "kept"),
            ("a4", "doomed"),
            ("b1", "other"),
        ] {
            tree.insert(k, v).unwrap();
        }
        let (spiller, spills) = Spiller::new();
        spiller
            .write(vec![put("a1", "new"), put("a3", "added"), del("a4")])
            .unwrap();
        // Taken off the channel but not written: the writer is busy with it.
        let first = spills.from_applier.recv().unwrap();
        spiller.write(vec![del("a1"), put("a3", "again")]).unwrap();

        let expected = pairs(&[("a2", "kept"), ("a3", "again")]);
        let check = |tree: &SideTable| {
            assert_eq!(text(spiller.get(tree, b"a1").unwrap()), None);
            assert_eq!(text(spiller.get(tree, b"a2").unwrap()).unwrap(), "kept");
            assert_eq!(text(spiller.get(tree, b"a3").unwrap()).unwrap(), "again");
            assert_eq!(text(spiller.get(tree, b"a4").unwrap()), None);
            assert_eq!(text(spiller.get(tree, b"b1").unwrap()).unwrap(), "other");
            assert_eq!(scan(&spiller, tree, "a"), expected);
            assert_eq!(scan(&spiller, tree, "b"), pairs(&[("b1", "other")]));
        };
        assert_eq!(text(tree.get("a1").unwrap()).unwrap(), "old");
        check(&tree);

        // The first spill lands; the answers do not move, and it is forgotten.
        write_entries(&tree, &first).unwrap();
        drop(first);
        spills.written.fetch_add(1, Ordering::Release);
        check(&tree);
        assert_eq!(spiller.in_flight().len(), 1);

        // The writer takes the rest; the tree now holds what was answered.
        drop(spiller);
        write_spills(&tree, spills).unwrap();
        let stored: Vec<(String, String)> = tree
            .scan_prefix("a")
            .map(|r| {
                let (k, v) = r.unwrap();
                (text(Some(k)).unwrap(), text(Some(v)).unwrap())
            })
            .collect();
        assert_eq!(stored, expected);
    }
}
