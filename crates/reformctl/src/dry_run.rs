//! `reformctl import --dry-run`: the daemon decides the whole import on its current state and
//! appends nothing; each command is shown as new (`+`) or already recorded (`=`), each file's
//! notes as `!` lines, as a diff or (`--json`) as one JSON document.

use std::io::Write;

use reformlog::{Command, Translation};
use serde_json::{json, Value};

use crate::batch::{refusal, Batch, Item, Loaded};
use crate::client::Client;
use crate::error::Error;

/// The daemon decides at most this many commands in one dry run.
const MAX_DRY_RUN: usize = 10_000;

/// `--dry-run`: the daemon decides the whole import on its current state and appends nothing;
/// each command is shown as new (`+`) or already recorded (`=`).
pub(crate) fn run(
    client: &Client,
    out: &mut dyn Write,
    (files, names, t): (
        &[(Loaded, Vec<Batch>)],
        &crate::describe::Names,
        &Translation,
    ),
    json: bool,
) -> Result<(), Error> {
    let all: Vec<&Item> = files
        .iter()
        .flat_map(|(_, batches)| batches.iter().flat_map(Batch::all))
        .collect();
    if all.len() > MAX_DRY_RUN {
        return Err(Error::Usage(format!(
            "{} commands are too many for one dry run (at most {MAX_DRY_RUN}); dry-run the files in parts",
            all.len()
        )));
    }
    let commands: Vec<&Command> = all.iter().map(|i| &i.command).collect();
    let whole = Batch {
        title: "the whole import".into(),
        decision: None,
        items: all.iter().map(|i| (*i).clone()).collect(),
    };
    let planned = client
        .post_changes(
            "/v1/commands",
            &json!({"reason": "dry run", "commands": commands, "skip_recorded": true, "dry_run": true}),
        )
        .map_err(|e| refusal(e, &whole, t))?;
    let skipped: std::collections::HashSet<usize> = planned.skipped.iter().copied().collect();
    if json {
        let v = plan_json(files, names, &skipped, planned.events.len());
        return crate::answer::print_json(out, &v);
    }
    let mut index = 0;
    let (mut new, mut old) = (0usize, 0usize);
    for (loaded, batches) in files {
        writeln!(
            out,
            "--- {} (sha {})",
            loaded.file,
            loaded.digest.get(..12).unwrap_or("")
        )?;
        // What reading the file found worth telling (what a Popolo file carries that is not
        // kept) is part of what a reviewer decides on, so it is here, not only on stderr.
        for note in &loaded.notes {
            writeln!(out, "! {note}")?;
        }
        for (i, batch) in batches.iter().enumerate() {
            writeln!(
                out,
                "@@ write {}/{}: {} @@",
                i + 1,
                batches.len(),
                batch.title
            )?;
            for item in batch.all() {
                let mark = if skipped.contains(&index) {
                    old += 1;
                    "="
                } else {
                    new += 1;
                    "+"
                };
                index += 1;
                let lines = crate::describe::command_lines(&item.command, names);
                let note = if mark == "=" {
                    " (already recorded)"
                } else {
                    ""
                };
                for (n, line) in lines.iter().enumerate() {
                    match n {
                        0 => writeln!(out, "{mark} {line}{note}")?,
                        _ if mark == "+" => writeln!(out, "{mark} {line}")?,
                        _ => {}
                    }
                }
            }
        }
    }
    writeln!(
        out,
        "dry run, nothing sent: {new} changes to write, {old} already recorded, {} events",
        planned.events.len()
    )?;
    Ok(())
}

/// The dry run as data: per file and write, each change described, new or already recorded,
/// and the totals the diff's last line gives.
fn plan_json(
    files: &[(Loaded, Vec<Batch>)],
    names: &crate::describe::Names,
    skipped: &std::collections::HashSet<usize>,
    events: usize,
) -> Value {
    let mut index = 0;
    let (mut new, mut old) = (0usize, 0usize);
    let mut described = Vec::new();
    for (loaded, batches) in files {
        let mut writes = Vec::new();
        for batch in batches {
            let mut changes = Vec::new();
            for item in batch.all() {
                let recorded = skipped.contains(&index);
                index += 1;
                if recorded {
                    old += 1;
                } else {
                    new += 1;
                }
                changes.push(json!({
                    "state": if recorded { "already_recorded" } else { "new" },
                    "lines": crate::describe::command_lines(&item.command, names),
                }));
            }
            writes.push(json!({"title": batch.title, "changes": changes}));
        }
        described.push(json!({
            "file": loaded.file, "blake3": loaded.digest, "notes": loaded.notes, "writes": writes,
        }));
    }
    json!({
        "dry_run": true,
        "files": described,
        "changes_new": new,
        "changes_already_recorded": old,
        "events": events,
    })
}
