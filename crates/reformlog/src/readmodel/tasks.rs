//! The task table: what reports show of every task, in memory, laid out in a few arenas in
//! the order tasks were read (so a walk reads memory in sequence), with each title's
//! collation key and rank in title order, so a report over all tasks (about 130 000 at a
//! million events) reads no stored row and collates no title. Built by the first report after
//! an open or a rebuild, kept current by every batch the read models write, dropped with
//! the tree.

use super::cache::IdHash;
use super::keys;
use super::row::{corrupt, load_row, EntityRecord};
use crate::date::Date;
use crate::error::Error;
use crate::ids::{DecisionId, EntityKey, PersonId, TaskId, UnitId};
use crate::model::TaskStatus;
use crate::view::TaskFacts;
use crate::view::{EntityView, TaskView};
use reformlog_store::{SideTable, Store};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{PoisonError, RwLock};

/// One task as of the checkpoint; its title and timelines are ranges of the arenas.
#[derive(Clone, Debug)]
pub(crate) struct TaskEntry {
    pub(crate) id: TaskId,
    /// Where the task's stream starts and ends in the log, to answer "as known at".
    pub(crate) first: u64,
    pub(crate) last: u64,
    /// The task's place when every task is sorted by title (key, then bytes, then id);
    /// valid while the table is ranked.
    pub(crate) rank: u32,
    /// [`crate::collate::sort_key`] of the title.
    pub(crate) order: Box<[u8]>,
    plan: Option<DecisionId>,
    title: Range<usize>,
    deadlines: Range<usize>,
    statuses: Range<usize>,
    leads: Range<usize>,
}

/// The titles and timelines of every entry, each entry's parts one after the other.
#[derive(Debug, Default)]
pub(crate) struct Arenas {
    titles: String,
    deadlines: Vec<(Date, Date)>,
    statuses: Vec<(Date, TaskStatus)>,
    leads: Vec<(Date, UnitId)>,
    /// The responsible person of each assignment, at the same index as its lead.
    responsibles: Vec<Option<PersonId>>,
}

impl Arenas {
    fn len(&self) -> usize {
        self.titles.len() + self.deadlines.len() + self.statuses.len() + self.leads.len()
    }

    fn push(&mut self, id: TaskId, first: u64, last: u64, t: &TaskView) -> TaskEntry {
        let start = self.titles.len();
        self.titles.push_str(&t.title);
        let title = start..self.titles.len();
        let start = self.deadlines.len();
        self.deadlines.extend_from_slice(&t.deadlines.0);
        let deadlines = start..self.deadlines.len();
        let start = self.statuses.len();
        self.statuses.extend_from_slice(&t.statuses.0);
        let statuses = start..self.statuses.len();
        let start = self.leads.len();
        self.leads
            .extend(t.assignments.0.iter().map(|(d, a)| (*d, a.lead)));
        self.responsibles
            .extend(t.assignments.0.iter().map(|(_, a)| a.responsible));
        let leads = start..self.leads.len();
        TaskEntry {
            id,
            first,
            last,
            rank: 0,
            order: crate::collate::sort_key(&t.title).into(),
            plan: t.plan,
            title,
            deadlines,
            statuses,
            leads,
        }
    }

    /// The entry's parts (empty where a range is out of bounds, which the arenas never are).
    pub(crate) fn facts<'a>(&'a self, e: &TaskEntry) -> TaskFacts<'a> {
        TaskFacts {
            title: self.titles.get(e.title.clone()).unwrap_or_default(),
            plan: e.plan,
            deadlines: self.deadlines.get(e.deadlines.clone()).unwrap_or_default(),
            statuses: self.statuses.get(e.statuses.clone()).unwrap_or_default(),
            leads: self.leads.get(e.leads.clone()).unwrap_or_default(),
            responsibles: self.responsibles.get(e.leads.clone()).unwrap_or_default(),
        }
    }

    /// The entry's parts copied into `into`, with the entry's ranges moved there.
    fn copy(&self, e: &mut TaskEntry, into: &mut Arenas) {
        let f = self.facts(e);
        let start = into.titles.len();
        into.titles.push_str(f.title);
        e.title = start..into.titles.len();
        let start = into.deadlines.len();
        into.deadlines.extend_from_slice(f.deadlines);
        e.deadlines = start..into.deadlines.len();
        let start = into.statuses.len();
        into.statuses.extend_from_slice(f.statuses);
        e.statuses = start..into.statuses.len();
        let start = into.leads.len();
        into.leads.extend_from_slice(f.leads);
        into.responsibles.extend_from_slice(f.responsibles);
        e.leads = start..into.leads.len();
    }
}

/// The entries in the order they were read from the tree (task key order, with tasks
/// created since at the end), and the arenas their parts are in.
#[derive(Debug, Default)]
pub(crate) struct Entries {
    pub(crate) entries: Vec<TaskEntry>,
    pub(crate) arenas: Arenas,
}

#[derive(Debug)]
struct Table {
    tasks: Entries,
    /// Where each task's entry is.
    at: HashMap<TaskId, usize, IdHash>,
    /// Whether every entry's rank is current (a new task or title makes it stale).
    ranked: bool,
    /// Arena items the entries use; the rest is left over from replaced entries.
    live: usize,
}

/// The table, absent until first asked for.
#[derive(Debug, Default)]
pub(crate) struct TaskTable {
    table: RwLock<Option<Table>>,
}

/// Numbers the entries in title order.
fn rank(entries: &mut Entries) {
    let mut order: Vec<(&[u8], &str, TaskId, usize)> = entries
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (&*e.order, entries.arenas.facts(e).title, e.id, i))
        .collect();
    order.sort_unstable();
    let ranks: Vec<usize> = order.iter().map(|(_, _, _, i)| *i).collect();
    for (r, i) in ranks.into_iter().enumerate() {
        if let Some(e) = entries.entries.get_mut(i) {
            e.rank = u32::try_from(r).unwrap_or(u32::MAX);
        }
    }
}

impl Table {
    fn new(tasks: Entries) -> Self {
        let mut at = HashMap::with_capacity_and_hasher(tasks.entries.len(), IdHash::new());
        for (i, e) in tasks.entries.iter().enumerate() {
            at.insert(e.id, i);
        }
        let live = tasks.arenas.len();
        Self {
            tasks,
            at,
            ranked: false,
            live,
        }
    }

    /// Copies the live parts into fresh arenas once replaced entries left more behind than
    /// the entries use, so the arenas stay within twice what the tasks need.
    fn compact_if_wasteful(&mut self) {
        if self.tasks.arenas.len() <= 2 * self.live + 4096 {
            return;
        }
        let mut fresh = Arenas::default();
        let old = std::mem::take(&mut self.tasks.arenas);
        for e in &mut self.tasks.entries {
            old.copy(e, &mut fresh);
        }
        self.live = fresh.len();
        self.tasks.arenas = fresh;
    }
}

fn parts(e: &TaskEntry) -> usize {
    e.title.len() + e.deadlines.len() + e.statuses.len() + e.leads.len()
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
        let view = record.view.as_ref().and_then(EntityView::as_task);
        let old = table.at.get(id).copied();
        match (view, old) {
            (Some(t), Some(i)) => {
                let mut e = table.tasks.arenas.push(*id, record.first, record.last, t);
                if let Some(slot) = table.tasks.entries.get_mut(i) {
                    if slot.order == e.order && table.tasks.arenas.facts(slot).title == t.title {
                        e.rank = slot.rank;
                    } else {
                        table.ranked = false;
                    }
                    table.live = table.live.saturating_sub(parts(slot)) + parts(&e);
                    *slot = e;
                }
            }
            (Some(t), None) => {
                let e = table.tasks.arenas.push(*id, record.first, record.last, t);
                table.live += parts(&e);
                table.at.insert(*id, table.tasks.entries.len());
                table.tasks.entries.push(e);
                table.ranked = false;
            }
            (None, Some(i)) => {
                table.at.remove(id);
                let gone = table.tasks.entries.swap_remove(i);
                table.live = table.live.saturating_sub(parts(&gone));
                if let Some(moved) = table.tasks.entries.get(i) {
                    table.at.insert(moved.id, i);
                }
            }
            (None, None) => {}
        }
        table.compact_if_wasteful();
    }

    /// How many tasks the table holds, if it is built.
    pub(crate) fn len(&self) -> Option<usize> {
        let guard = self.table.read().unwrap_or_else(PoisonError::into_inner);
        guard.as_ref().map(|t| t.tasks.entries.len())
    }

    /// Runs `f` over the entries as of the checkpoint, ranked, building them from `tree`
    /// first if need be. Callers hold the gate shared, so the tree is the checkpoint's.
    pub(crate) fn with<R>(
        &self,
        store: &Store,
        tree: &SideTable,
        f: impl FnOnce(&Entries) -> R,
    ) -> Result<R, Error> {
        {
            let guard = self.table.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(table) = guard.as_ref().filter(|t| t.ranked) {
                return Ok(f(&table.tasks));
            }
        }
        let mut guard = self.table.write().unwrap_or_else(PoisonError::into_inner);
        if guard.is_none() {
            *guard = Some(Table::new(build(store, tree)?));
        }
        match guard.as_mut() {
            Some(table) => {
                if !table.ranked {
                    rank(&mut table.tasks);
                    table.ranked = true;
                }
                Ok(f(&table.tasks))
            }
            None => Err(corrupt("task table")),
        }
    }
}

/// Every task row of `tree`, its tails folded in, as entries.
fn build(store: &Store, tree: &SideTable) -> Result<Entries, Error> {
    let mut out = Entries::default();
    let task = keys::kind_byte_of(crate::ids::EntityKind::Task);
    for item in tree.scan_prefix(keys::entity_kind_prefix(task)) {
        let (k, v) = item?;
        let key = k
            .get(1..)
            .and_then(keys::parse_entity_key)
            .ok_or_else(|| corrupt("entity key"))?;
        let EntityKey::Task(id) = key else {
            return Err(corrupt("a task key of another kind"));
        };
        let (record, _, _) = load_row(store, tree, &key, &v)?;
        if let Some(t) = record.view.as_ref().and_then(EntityView::as_task) {
            let e = out.arenas.push(id, record.first, record.last, t);
            out.entries.push(e);
        }
    }
    Ok(out)
}
