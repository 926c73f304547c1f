//! The task table: every task's row in memory, trimmed to what reports show, with its
//! title's collation key and its rank in title order, so a report over all tasks (about
//! 130 000 at a million events) reads no sled row and collates no title. Built by the first
//! report after an open or a rebuild, kept current by every batch the read models write,
//! dropped with the tree.

use super::{corrupt, keys, load_row, EntityRecord, IdHash, ReadModel};
use crate::api_error::Error;
use crate::ids::{EntityKey, TaskId};
use crate::view::{EntityView, TaskView};
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// One task as of the checkpoint.
#[derive(Clone, Debug)]
pub(crate) struct TaskEntry {
    pub(crate) id: TaskId,
    /// Where the task's stream starts and ends in the log, to answer "as known at".
    pub(crate) first: u64,
    pub(crate) last: u64,
    /// The view without its progress reports and product, which reports do not show.
    pub(crate) view: TaskView,
    /// [`crate::collate::sort_key`] of the title.
    pub(crate) order: Box<[u8]>,
    /// The task's place when every task is sorted by title (key, then bytes, then id);
    /// valid while the table is ranked.
    pub(crate) rank: u32,
}

/// The entries in the order they were read from the tree (task key order, with tasks
/// created since at the end): their views were allocated in that order, so a walk in it
/// reads memory mostly in sequence, where a hash table's order would jump about.
pub(crate) type Entries = Vec<TaskEntry>;

#[derive(Debug)]
struct Table {
    entries: Entries,
    /// Where each task's entry is.
    at: HashMap<TaskId, usize, IdHash>,
    /// Whether every entry's rank is current (a new task or title makes it stale).
    ranked: bool,
}

/// The table, absent until first asked for.
#[derive(Debug, Default)]
pub(crate) struct TaskTable {
    table: RwLock<Option<Table>>,
}

fn entry(id: TaskId, first: u64, last: u64, view: &EntityView) -> Option<TaskEntry> {
    let t = view.as_task()?;
    Some(TaskEntry {
        id,
        first,
        last,
        order: crate::collate::sort_key(&t.title).into(),
        view: TaskView {
            product: String::new(),
            progress: Vec::new(),
            ..t.clone()
        },
        rank: 0,
    })
}

/// Numbers the entries in title order.
fn rank(entries: &mut Entries) {
    let mut order: Vec<(&[u8], &str, TaskId, usize)> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (&*e.order, e.view.title.as_str(), e.id, i))
        .collect();
    order.sort_unstable();
    let ranks: Vec<usize> = order.iter().map(|(_, _, _, i)| *i).collect();
    for (r, i) in ranks.into_iter().enumerate() {
        if let Some(e) = entries.get_mut(i) {
            e.rank = u32::try_from(r).unwrap_or(u32::MAX);
        }
    }
}

impl Table {
    fn new(entries: Entries) -> Self {
        let mut at = HashMap::with_capacity_and_hasher(entries.len(), IdHash::new());
        for (i, e) in entries.iter().enumerate() {
            at.insert(e.id, i);
        }
        Self {
            entries,
            at,
            ranked: false,
        }
    }
}

impl TaskTable {
    /// Forgets every entry (the tree was dropped or rebuilt); the next report builds anew.
    pub(crate) fn clear(&self) {
        *self.table.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// A batch wrote `key`'s row (callers hold the gate exclusively): a built table takes it.
    pub(crate) fn written(&self, key: &EntityKey, record: &EntityRecord) {
        let EntityKey::Task(id) = key else { return };
        let mut guard = self.table.write().unwrap_or_else(PoisonError::into_inner);
        let Some(table) = guard.as_mut() else {
            return;
        };
        let new = record
            .view
            .as_ref()
            .and_then(|v| entry(*id, record.first, record.last, v));
        let old = table.at.get(id).copied();
        match (new, old) {
            (Some(mut e), Some(i)) => {
                if let Some(slot) = table.entries.get_mut(i) {
                    if slot.view.title == e.view.title {
                        e.rank = slot.rank;
                    } else {
                        table.ranked = false;
                    }
                    *slot = e;
                }
            }
            (Some(e), None) => {
                table.at.insert(*id, table.entries.len());
                table.entries.push(e);
                table.ranked = false;
            }
            (None, Some(i)) => {
                table.at.remove(id);
                table.entries.swap_remove(i);
                if let Some(moved) = table.entries.get(i) {
                    table.at.insert(moved.id, i);
                }
            }
            (None, None) => {}
        }
    }

    /// Runs `f` over the entries as of the checkpoint, ranked, building them from `tree`
    /// first if need be. Callers hold the gate shared, so the tree is the checkpoint's.
    pub(crate) fn with<R>(
        &self,
        rm: &ReadModel,
        tree: &sled::Tree,
        f: impl FnOnce(&Entries) -> R,
    ) -> Result<R, Error> {
        {
            let guard = self.table.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(table) = guard.as_ref().filter(|t| t.ranked) {
                return Ok(f(&table.entries));
            }
        }
        let mut guard = self.table.write().unwrap_or_else(PoisonError::into_inner);
        if guard.is_none() {
            *guard = Some(Table::new(build(rm, tree)?));
        }
        match guard.as_mut() {
            Some(table) => {
                if !table.ranked {
                    rank(&mut table.entries);
                    table.ranked = true;
                }
                Ok(f(&table.entries))
            }
            None => Err(corrupt("task table")),
        }
    }
}

/// Every task row of `tree`, its tails folded in, as entries.
fn build(rm: &ReadModel, tree: &sled::Tree) -> Result<Entries, Error> {
    let mut out = Entries::new();
    let task = keys::kind_byte_of(crate::summary::EntityKind::Task);
    for item in tree.scan_prefix(keys::entity_kind_prefix(task)) {
        let (k, v) = item?;
        let key = k
            .get(1..)
            .and_then(keys::parse_entity_key)
            .ok_or_else(|| corrupt("entity key"))?;
        let EntityKey::Task(id) = key else {
            return Err(corrupt("a task key of another kind"));
        };
        let (record, _, _) = load_row(&rm.store, tree, &key, &v)?;
        if let Some(e) = record
            .view
            .as_ref()
            .and_then(|view| entry(id, record.first, record.last, view))
        {
            out.push(e);
        }
    }
    Ok(out)
}
