//! What an import is made of: each command with the file entry it comes from (`Item`), one
//! file's commands (`Loaded`), the atomic writes they are sent in (`Batch`, grouped by
//! `plan`: a decision with the run of changes citing it, in file order; a log export by
//! commit), and a daemon refusal named by the entry it is about (`refusal`).

use std::collections::HashMap;

use reformlog::{
    Command, DecisionId, DecisionLink, DecisionRecord, Origin, TaskCreation, Translation,
};

use crate::error::Error;

/// The daemon takes at most this many commands in one atomic write.
const MAX_BATCH: usize = 500;

/// One command and the entry of the file it comes from.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub origin: Origin,
    pub command: Command,
}

/// One atomic write.
#[derive(Debug, Clone)]
pub(crate) struct Batch {
    /// What the batch is, for people.
    pub title: String,
    /// The `record_decision` command, for a decision's first batch.
    pub decision: Option<Item>,
    /// The other commands (a decision's changes, or commands citing no decision).
    pub items: Vec<Item>,
}

impl Batch {
    pub(crate) fn all(&self) -> impl Iterator<Item = &Item> {
        self.decision.iter().chain(&self.items)
    }
}

/// An input file turned into commands in an order that satisfies every reference.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    /// The file's name as given.
    pub file: String,
    /// BLAKE3 of the file's bytes.
    pub digest: String,
    /// The commands, with where each comes from.
    pub items: Vec<Item>,
    /// For a log export: the commit each item was recorded in (empty otherwise).
    pub commits: Vec<u64>,
    /// What reading it found worth telling (a sheet's rows and the columns it did not read).
    pub notes: Vec<String>,
}

/// The decision a command cites (for a task, the plan it belongs to; for a link, the decision
/// linked).
pub(crate) fn cited_decision(c: &Command) -> Option<DecisionId> {
    match c {
        // A plan's tasks are written with the plan, a decision's links with the decision.
        Command::CreateTask(TaskCreation { plan, .. }) => *plan,
        Command::LinkDecision(DecisionLink { decision, .. }) => Some(*decision),
        other => other.decision(),
    }
}

fn number_of(c: &Command) -> String {
    match c {
        Command::RecordDecision(DecisionRecord { number, .. }) => number.clone(),
        _ => String::new(),
    }
}

/// Groups one file's commands into atomic writes, keeping their order: a run of commands
/// citing the same decision is one write, with the decision itself when the file records it
/// and no earlier write did. A decision no command cites is a write of its own, made before
/// the first write of a decision listed after it, so references between decisions hold.
pub(crate) fn plan(loaded: &Loaded) -> Vec<Batch> {
    if !loaded.commits.is_empty() {
        return by_commit(loaded);
    }
    let mut order: Vec<DecisionId> = Vec::new();
    let mut pending: HashMap<DecisionId, Item> = HashMap::new();
    let mut runs: Vec<(Option<DecisionId>, Vec<Item>)> = Vec::new();
    for item in &loaded.items {
        if let Command::RecordDecision(DecisionRecord { decision, .. }) = &item.command {
            order.push(*decision);
            pending.insert(*decision, item.clone());
            continue;
        }
        let group = cited_decision(&item.command);
        match runs.last_mut() {
            Some((g, list)) if *g == group && list.len() < MAX_BATCH - 1 => list.push(item.clone()),
            _ => runs.push((group, vec![item.clone()])),
        }
    }
    let mut batches = Vec::new();
    let flush_before =
        |batches: &mut Vec<Batch>, pending: &mut HashMap<DecisionId, Item>, upto: Option<usize>| {
            let end = upto.unwrap_or(order.len());
            for d in &order[..end] {
                if let Some(item) = pending.remove(d) {
                    batches.push(Batch {
                        title: format!("decision {}", number_of(&item.command)),
                        decision: Some(item),
                        items: Vec::new(),
                    });
                }
            }
        };
    for (group, items) in runs {
        let decision = match group {
            Some(d) => {
                let place = order.iter().position(|x| *x == d);
                flush_before(&mut batches, &mut pending, place);
                pending.remove(&d)
            }
            None => None,
        };
        let title = match (&decision, group) {
            (Some(d), _) => format!(
                "decision {} and {} of the changes it makes",
                number_of(&d.command),
                items.len()
            ),
            (None, Some(_)) => format!(
                "{} changes citing decision {}",
                items.len(),
                describe_decision(&loaded.items, group)
            ),
            (None, None) => format!("{} commands citing no decision", items.len()),
        };
        batches.push(Batch {
            title,
            decision,
            items,
        });
    }
    flush_before(&mut batches, &mut pending, None);
    batches
}

/// A log export's writes: one per commit it was recorded in (split where a commit holds more
/// than one write takes).
fn by_commit(loaded: &Loaded) -> Vec<Batch> {
    let mut batches: Vec<(u64, Batch)> = Vec::new();
    for (item, commit) in loaded.items.iter().zip(&loaded.commits) {
        match batches.last_mut() {
            Some((c, b)) if c == commit && b.items.len() < MAX_BATCH => b.items.push(item.clone()),
            _ => batches.push((
                *commit,
                Batch {
                    title: format!("commit {commit} of the exported log"),
                    decision: None,
                    items: vec![item.clone()],
                },
            )),
        }
    }
    batches.into_iter().map(|(_, b)| b).collect()
}

fn describe_decision(items: &[Item], d: Option<DecisionId>) -> String {
    items
        .iter()
        .find_map(|i| match &i.command {
            Command::RecordDecision(DecisionRecord {
                decision, number, ..
            }) if Some(*decision) == d => Some(number.clone()),
            _ => None,
        })
        .or_else(|| d.map(|d| d.to_string()))
        .unwrap_or_default()
}

/// Names the entry of `batch` a daemon refusal is about, with ids replaced by slugs.
pub(crate) fn refusal(e: Error, batch: &Batch, t: &Translation) -> Error {
    match e {
        Error::Refused {
            status,
            code,
            detail,
            change,
        } => {
            let item = change.and_then(|i| batch.all().nth(i));
            let detail = t.describe(&detail);
            let detail = match item {
                Some(item) => format!(
                    "{}: {detail} ({})",
                    item.origin,
                    crate::describe::command_title(&item.command)
                ),
                None => format!("{detail} (in {})", batch.title),
            };
            Error::Refused {
                status,
                code,
                detail,
                change,
            }
        }
        other => other,
    }
}
