//! `reformctl import`: read seed-format (TOML/JSON), Popolo files and task sheets (CSV,
//! XLSX: `sheet`), turn them into domain
//! commands (several seed files as one whole, in order), check them all on an empty model
//! before sending anything, group them into atomic writes (a decision with the changes citing
//! it, in file order), and send each asking the daemon to record every change at most once,
//! so that importing a file again writes only what it adds.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use reformlog::{
    Command, DecisionId, EventId, EventMeta, Knowledge, Origin, Recorded, Seed, Timestamp,
    Translation,
};
use serde_json::{json, Value};

use crate::cli::ImportArgs;
use crate::client::{Client, WriteResult};
use crate::error::Error;
use crate::progress::Progress;

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

/// Reads one file: the seed format (TOML, or JSON with `records_from`) or Popolo JSON. Seed
/// files share `t`, so entities an earlier file defined are not recorded twice.
pub(crate) fn load(path: &Path, t: &mut Translation) -> Result<Loaded, Error> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
    let digest = blake3::hash(&bytes).to_hex().to_string();
    let text = String::from_utf8(bytes).map_err(|_| Error::input(&file, "not UTF-8 text"))?;
    if crate::replay::is_log(&text) {
        let (items, commits) = crate::replay::load_log(&file, &text)?;
        return Ok(Loaded {
            file,
            digest,
            items,
            commits,
            notes: Vec::new(),
        });
    }
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{');
    let seed = if is_json {
        let v: Value = serde_json::from_str(&text).map_err(|e| Error::input(&file, e))?;
        if v.get("records_from").is_some() {
            serde_json::from_value::<Seed>(v).map_err(|e| Error::input(&file, e))?
        } else if crate::popolo::is_popolo(&v) {
            let doc = serde_json::from_value(v).map_err(|e| {
                Error::input(
                    &file,
                    format!("not Popolo JSON as reformctl exports it: {e}"),
                )
            })?;
            let commands = crate::popolo::to_commands(&doc).map_err(|e| Error::input(&file, e))?;
            let items = commands
                .into_iter()
                .enumerate()
                .map(|(i, command)| Item {
                    origin: Origin {
                        file: file.clone(),
                        line: None,
                        section: "popolo",
                        index: i + 1,
                    },
                    command,
                })
                .collect();
            return Ok(Loaded {
                file,
                digest,
                items,
                commits: Vec::new(),
                notes: Vec::new(),
            });
        } else {
            return Err(Error::input(
                &file,
                "JSON that is neither the seed format (records_from, units, ...) nor Popolo (persons, organizations, memberships)",
            ));
        }
    } else {
        Seed::parse(&text).map_err(|e| Error::input(&file, e))?
    };
    let items = seed
        .translate(&file, t)
        .map_err(|e| match e {
            reformlog::SeedError::At { at, error } => {
                Error::input(at.to_string(), t.describe(&error.to_string()))
            }
            other => Error::input(&file, t.describe(&other.to_string())),
        })?
        .into_iter()
        .map(|(origin, command)| Item { origin, command })
        .collect();
    Ok(Loaded {
        file,
        digest,
        items,
        commits: Vec::new(),
        notes: Vec::new(),
    })
}

/// The decision a command cites (for a task, the plan it belongs to).
pub(crate) fn cited_decision(c: &Command) -> Option<DecisionId> {
    match c {
        // A plan's tasks are written with the plan.
        Command::CreateTask { plan, .. } => *plan,
        other => other.decision(),
    }
}

fn number_of(c: &Command) -> String {
    match c {
        Command::RecordDecision { number, .. } => number.clone(),
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
        if let Command::RecordDecision { decision, .. } = &item.command {
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
            Command::RecordDecision {
                decision, number, ..
            } if Some(*decision) == d => Some(number.clone()),
            _ => None,
        })
        .or_else(|| d.map(|d| d.to_string()))
        .unwrap_or_default()
}

/// Decides every batch, in order, on a model that starts empty: the files must be consistent
/// on their own (references, dates, roles) before anything is sent.
pub(crate) fn validate(files: &[(Loaded, Vec<Batch>)], t: &Translation) -> Result<(), Error> {
    let mut known = Knowledge::new();
    for (_, batches) in files {
        for batch in batches {
            for item in batch.all() {
                let events = known.decide(&item.command).map_err(|e| {
                    Error::input(
                        item.origin.to_string(),
                        format!(
                            "{} ({})",
                            t.describe(&e.to_string()),
                            crate::describe::command_title(&item.command)
                        ),
                    )
                })?;
                for (j, event) in events.into_iter().enumerate() {
                    // The id the daemon gives it, so a correction later in the files finds it.
                    let event_id = item
                        .command
                        .change_event_id(j as u64)
                        .unwrap_or_else(|_| EventId::new());
                    let meta = EventMeta {
                        position: known.last_position() + 1,
                        commit: known.last_position() + 1,
                        event_id,
                        recorded_at: Timestamp::from_micros(
                            i64::try_from(known.last_position()).unwrap_or(i64::MAX),
                        ),
                        actor: "reformctl:validate".into(),
                        reason: None,
                    };
                    known.apply(Recorded { meta, event });
                }
            }
        }
    }
    Ok(())
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

/// Sends one batch; the daemon skips what it has recorded already.
fn send(client: &Client, batch: &Batch, reason: &str) -> Result<WriteResult, Error> {
    let changes: Vec<&Command> = batch.items.iter().map(|i| &i.command).collect();
    match &batch.decision {
        Some(d) => client.post_changes(
            "/v1/decisions",
            &json!({"reason": reason, "decision": d.command, "changes": changes, "skip_recorded": true}),
        ),
        None => client.post_changes(
            "/v1/commands",
            &json!({"reason": reason, "source": Value::Null, "commands": changes, "skip_recorded": true}),
        ),
    }
}

/// Runs `reformctl import`.
pub(crate) fn run(
    client: &Client,
    out: &mut dyn Write,
    args: &ImportArgs,
    progress: &Progress,
) -> Result<(), Error> {
    let mut t = Translation::new();
    let mut files: Vec<(Loaded, Vec<Batch>)> = Vec::new();
    let sheets = crate::sheet::Options {
        plan: args.plan.clone(),
        sheet: args.sheet.clone(),
    };
    for path in &args.files {
        let loaded = if crate::sheet::is_sheet(path) {
            let earlier = files
                .iter()
                .flat_map(|(l, _)| l.items.iter().map(|i| &i.command));
            crate::sheet::load(path, &mut t, earlier, &sheets)?
        } else {
            load(path, &mut t)?
        };
        for note in &loaded.notes {
            progress.note(note);
        }
        let mut batches = plan(&loaded);
        for batch in &mut batches {
            // A decision an earlier file records is named by its slug, not its id.
            batch.title = t.describe(&batch.title);
        }
        files.push((loaded, batches));
    }
    validate(&files, &t)?;
    let names = crate::describe::Names::from_commands(
        files
            .iter()
            .flat_map(|(l, _)| l.items.iter().map(|i| &i.command)),
    );
    if args.dry_run {
        return crate::dry_run::run(client, out, &files, &names, &t);
    }
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    let bar = progress.bar(total as u64, "import");
    let mut summary: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut written, mut recorded) = (0usize, 0usize);
    for (_, batches) in &files {
        for batch in batches {
            let result = send(client, batch, &args.reason).map_err(|e| refusal(e, batch, &t))?;
            let size = batch.all().count();
            recorded += result.skipped.len();
            written += size - result.skipped.len();
            let state = if result.skipped.len() == size {
                "already recorded"
            } else {
                "written"
            };
            *summary.entry(state).or_default() += 1;
            progress.note(&format!(
                "{state}: {} — {} events, {} of {size} changes recorded before",
                batch.title,
                result.events.len(),
                result.skipped.len()
            ));
            bar.inc(1);
        }
    }
    bar.finish();
    let parts: Vec<String> = summary.iter().map(|(k, v)| format!("{v} {k}")).collect();
    writeln!(
        out,
        "import done: {total} atomic writes ({}); {written} changes written, {recorded} already recorded",
        parts.join(", ")
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn seed_file() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/seed-decision-34.toml")
    }

    fn load_one(path: &Path) -> Result<Loaded, Error> {
        load(path, &mut Translation::new())
    }

    #[test]
    fn the_seed_case_plans_into_base_then_one_write_for_decision_34() {
        let loaded = load_one(&seed_file()).unwrap();
        let batches = plan(&loaded);
        let titles: Vec<_> = batches.iter().map(|b| &b.title).collect();
        assert_eq!(batches.len(), 2, "{titles:?}");
        assert!(batches[0].decision.is_none());
        let d = &batches[1];
        assert!(matches!(
            d.decision.as_ref().map(|i| &i.command),
            Some(Command::RecordDecision { .. })
        ));
        // The committee, its working group and the reconstitution all cite Decision 34.
        assert_eq!(d.items.len(), 3);
        let t = Translation::new();
        validate(&[(loaded, batches)], &t).unwrap();
    }

    #[test]
    fn changes_keep_their_file_order_across_decisions() {
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(seed_file()).unwrap();
        let extra = r#"
[[decisions]]
slug = "qd-120-2023"
number = "120/QĐ-BTTTT"
kind = "decision"
issuer = "bo-tttt"
signed_on = "2023-05-10"
in_force_on = "2023-05-10"
title = "Thay đổi thành viên (giả định)"

[[people]]
slug = "thanh-vien-22"
name = "Thành viên 22"

[[changes]]
type = "replace_seat_holder"
committee = "bcd-cchc-bo-tttt"
seat = "thanh-vien-vu-buu-chinh"
person = "thanh-vien-22"
on = "2023-05-10"
decision = "qd-120-2023"

[[changes]]
type = "rename_person"
person = "thanh-vien-22"
name = "Thành viên 22 (đổi tên)"
on = "2023-06-01"

[[changes]]
type = "end_membership"
committee = "bcd-cchc-bo-tttt"
seat = "thanh-vien-vu-buu-chinh"
on = "2023-07-01"
decision = "qd-120-2023"
"#;
        let path = dir.path().join("v2.toml");
        std::fs::write(&path, format!("format = 2\n{text}\n{extra}")).unwrap();
        let loaded = load_one(&path).unwrap();
        let batches = plan(&loaded);
        let titles: Vec<_> = batches.iter().map(|b| b.title.as_str()).collect();
        assert_eq!(
            titles,
            vec![
                "83 commands citing no decision",
                "decision 34/QĐ-BTTTT and 3 of the changes it makes",
                "decision 120/QĐ-BTTTT and 1 of the changes it makes",
                "1 commands citing no decision",
                "1 changes citing decision 120/QĐ-BTTTT",
            ],
        );
        validate(&[(loaded, batches)], &Translation::new()).unwrap();
    }

    #[test]
    fn an_inconsistent_file_is_refused_before_sending_naming_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(seed_file()).unwrap();
        // The committee is now established after the reconstitution that fills it.
        let broken = text.replacen(
            "established = \"2022-01-14\"",
            "established = \"2023-01-14\"",
            1,
        );
        let path = dir.path().join("broken.toml");
        std::fs::write(&path, broken).unwrap();
        let mut t = Translation::new();
        let loaded = load(&path, &mut t).unwrap();
        let batches = plan(&loaded);
        let err = validate(&[(loaded, batches)], &t).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::INVALID_INPUT, "{err}");
        // The working group is established before the committee it belongs to.
        let line = text
            .lines()
            .position(|l| l.trim() == "slug = \"to-giup-viec\"")
            .unwrap();
        let message = err.to_string();
        assert!(
            message.contains(&format!("broken.toml:{line} (committees #2)")),
            "{message}"
        );
        // Entities are named by their slugs, not their ids.
        assert!(
            message.contains("committee \"bcd-cchc-bo-tttt\""),
            "{message}"
        );

        let typo = text.replacen(
            "holder = \"nguyen-huy-dung\"",
            "holder = \"nguyen-huy-dungg\"",
            1,
        );
        std::fs::write(&path, typo).unwrap();
        let err = load_one(&path).unwrap_err();
        assert!(err.to_string().contains("nguyen-huy-dungg"), "{err}");
    }
}
