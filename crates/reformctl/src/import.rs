//! `reformctl import`: read seed-format (TOML/JSON) and Popolo files, turn them into domain
//! commands, check them all on an empty model before sending anything, group them into atomic
//! writes (one per decision, with the changes citing it), and send each with an idempotency
//! key derived from the file's content, so that re-running the same import changes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use reformlog::{Command, DecisionId, EventId, EventMeta, Knowledge, Recorded, Seed, Timestamp};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::cli::{ImportArgs, Kind};
use crate::client::Client;
use crate::error::Error;
use crate::progress::Progress;
use crate::resolve::LATEST;

/// The daemon takes at most this many commands in one atomic write.
const MAX_BATCH: usize = 500;

/// One atomic write.
#[derive(Debug, Clone)]
pub(crate) struct Batch {
    /// What the batch is, for people.
    pub title: String,
    /// The `record_decision` command, for a decision's batch.
    pub decision: Option<Command>,
    /// The other commands (a decision's changes, or commands citing no decision here).
    pub commands: Vec<Command>,
    /// The Idempotency-Key: the file's content hash, the reason and the batch's index.
    pub key: String,
}

/// An input file turned into commands in an order that satisfies every reference.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    /// The file's name as given.
    pub file: String,
    /// BLAKE3 of the file's bytes.
    pub digest: String,
    /// The commands.
    pub commands: Vec<Command>,
}

/// Reads one file: the seed format (TOML, or JSON with `records_from`) or Popolo JSON.
pub(crate) fn load(path: &Path) -> Result<Loaded, Error> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
    let digest = blake3::hash(&bytes).to_hex().to_string();
    let text = String::from_utf8(bytes).map_err(|_| Error::input(&file, "not UTF-8 text"))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{');
    let commands = if is_json {
        let v: Value = serde_json::from_str(&text).map_err(|e| Error::input(&file, e))?;
        if v.get("records_from").is_some() {
            let seed: Seed = serde_json::from_value(v).map_err(|e| Error::input(&file, e))?;
            seed.commands().map_err(|e| Error::input(&file, e))?
        } else if crate::popolo::is_popolo(&v) {
            let doc = serde_json::from_value(v).map_err(|e| {
                Error::input(
                    &file,
                    format!("not Popolo JSON as reformctl exports it: {e}"),
                )
            })?;
            crate::popolo::to_commands(&doc).map_err(|e| Error::input(&file, e))?
        } else {
            return Err(Error::input(
                &file,
                "JSON that is neither the seed format (records_from, units, ...) nor Popolo (persons, organizations, memberships)",
            ));
        }
    } else {
        let seed = Seed::parse(&text).map_err(|e| Error::input(&file, e))?;
        seed.commands().map_err(|e| Error::input(&file, e))?
    };
    Ok(Loaded {
        file,
        digest,
        commands,
    })
}

/// The decision a command cites (for a task, the plan it belongs to).
pub(crate) fn cited_decision(c: &Command) -> Option<DecisionId> {
    match c {
        Command::EstablishUnit { decision, .. }
        | Command::RenameUnit { decision, .. }
        | Command::MoveUnit { decision, .. }
        | Command::MergeUnit { decision, .. }
        | Command::DissolveUnit { decision, .. }
        | Command::CreatePost { decision, .. }
        | Command::AppointToPost { decision, .. }
        | Command::EndPostHolding { decision, .. }
        | Command::AbolishPost { decision, .. } => *decision,
        Command::EstablishCommittee { decision, .. }
        | Command::RenameCommittee { decision, .. }
        | Command::SetDuties { decision, .. }
        | Command::CreateSeat { decision, .. }
        | Command::AbolishSeat { decision, .. }
        | Command::StartMembership { decision, .. }
        | Command::EndMembership { decision, .. }
        | Command::ReplaceSeatHolder { decision, .. }
        | Command::MoveMember { decision, .. }
        | Command::Reconstitute { decision, .. }
        | Command::DissolveCommittee { decision, .. } => Some(*decision),
        Command::CreateTask { plan, .. } => *plan,
        _ => None,
    }
}

/// The entity a command brings into being, if it creates one.
pub(crate) fn created(c: &Command) -> Option<(Kind, Uuid)> {
    Some(match c {
        Command::EstablishUnit { unit, .. } => (Kind::Unit, unit.as_uuid()),
        Command::RegisterPerson { person, .. } => (Kind::Person, person.as_uuid()),
        Command::CreatePost { post, .. } => (Kind::Post, post.as_uuid()),
        Command::RecordDecision { decision, .. } => (Kind::Decision, decision.as_uuid()),
        Command::EstablishCommittee { committee, .. } => (Kind::Committee, committee.as_uuid()),
        Command::CreateTask { task, .. } => (Kind::Task, task.as_uuid()),
        _ => return None,
    })
}

/// Groups one file's commands: first those citing no decision of the file (units, people,
/// posts), then each decision with the changes citing it (in the file's order), then the rest.
pub(crate) fn plan(loaded: &Loaded, reason: &str) -> Result<Vec<Batch>, Error> {
    let mut decisions: Vec<(DecisionId, Command, Vec<Command>)> = Vec::new();
    for c in &loaded.commands {
        if let Command::RecordDecision { decision, .. } = c {
            decisions.push((*decision, c.clone(), Vec::new()));
        }
    }
    let index: HashMap<DecisionId, usize> = decisions
        .iter()
        .enumerate()
        .map(|(i, (d, _, _))| (*d, i))
        .collect();
    let mut base = Vec::new();
    for c in &loaded.commands {
        if matches!(c, Command::RecordDecision { .. }) {
            continue;
        }
        match cited_decision(c).and_then(|d| index.get(&d)) {
            Some(&i) => decisions[i].2.push(c.clone()),
            None => base.push(c.clone()),
        }
    }
    let root = blake3::hash(format!("{}\n{reason}", loaded.digest).as_bytes()).to_hex();
    let key_root = root.get(..32).unwrap_or(root.as_str()).to_string();
    let key = |i: usize| format!("reformctl-import-{key_root}-{i}");
    let mut batches = Vec::new();
    for chunk in base.chunks(MAX_BATCH) {
        let i = batches.len();
        batches.push(Batch {
            title: format!("{} commands citing no decision of the file", chunk.len()),
            decision: None,
            commands: chunk.to_vec(),
            key: key(i),
        });
    }
    for (_, decision, changes) in decisions {
        let number = match &decision {
            Command::RecordDecision { number, .. } => number.clone(),
            _ => String::new(),
        };
        if changes.len() + 1 > MAX_BATCH {
            return Err(Error::input(
                &loaded.file,
                format!(
                    "decision {number} makes {} changes; one atomic write takes at most {}",
                    changes.len(),
                    MAX_BATCH - 1
                ),
            ));
        }
        let i = batches.len();
        batches.push(Batch {
            title: format!(
                "decision {number} and the {} changes it makes",
                changes.len()
            ),
            decision: Some(decision),
            commands: changes,
            key: key(i),
        });
    }
    Ok(batches)
}

/// Decides every batch, in order, on a model that starts empty: the files must be consistent
/// on their own (references, dates, roles) before anything is sent.
pub(crate) fn validate(files: &[(Loaded, Vec<Batch>)]) -> Result<(), Error> {
    let mut known = Knowledge::new();
    for (loaded, batches) in files {
        for batch in batches {
            for c in batch.decision.iter().chain(&batch.commands) {
                let events = known.decide(c).map_err(|e| {
                    Error::input(
                        &loaded.file,
                        format!(
                            "{e} (in {}: {})",
                            batch.title,
                            crate::describe::command_title(c)
                        ),
                    )
                })?;
                for event in events {
                    let meta = EventMeta {
                        position: known.last_position() + 1,
                        commit: known.last_position() + 1,
                        event_id: EventId::new(),
                        recorded_at: Timestamp(
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

/// What import will do with one batch after looking at the daemon's state.
#[derive(Debug, Clone)]
struct Decided {
    /// The commands to send (those whose entity the daemon already has are left out).
    send: Vec<Command>,
    /// Lines of the diff.
    lines: Vec<String>,
    /// The whole batch is already recorded.
    skip: bool,
}

fn exists(
    client: &Client,
    kind: Kind,
    id: Uuid,
    cache: &mut HashMap<Uuid, bool>,
) -> Result<bool, Error> {
    if let Some(&known) = cache.get(&id) {
        return Ok(known);
    }
    let found = client
        .get_opt(
            &format!("/v1/{}/{id}", kind.plural()),
            &[("on", Some(LATEST))],
        )?
        .is_some();
    cache.insert(id, found);
    Ok(found)
}

fn decide_batch(
    client: &Client,
    batch: &Batch,
    names: &crate::describe::Names,
    cache: &mut HashMap<Uuid, bool>,
) -> Result<Decided, Error> {
    let mut lines = Vec::new();
    if let Some(d) = &batch.decision {
        let title = crate::describe::command_title_named(d, names);
        if let Some((kind, id)) = created(d) {
            if exists(client, kind, id, cache)? {
                lines.push(format!(
                    "= {title} (already recorded: its changes are skipped)"
                ));
                return Ok(Decided {
                    send: Vec::new(),
                    lines,
                    skip: true,
                });
            }
        }
        lines.push(format!("+ {title}"));
        for c in &batch.commands {
            for l in crate::describe::command_lines(c, names) {
                lines.push(format!("+   {l}"));
            }
        }
        return Ok(Decided {
            send: batch.commands.clone(),
            lines,
            skip: false,
        });
    }
    // Outside decisions, an entity the daemon already has is left alone (with the holdings
    // recorded with its post), so a second file may repeat the units and people it refers to.
    let mut send = Vec::new();
    let mut skipped_posts: HashSet<Uuid> = HashSet::new();
    for c in &batch.commands {
        let already = match (created(c), c) {
            (Some((kind, id)), _) => exists(client, kind, id, cache)?,
            (None, Command::AppointToPost { post, .. }) => skipped_posts.contains(&post.as_uuid()),
            _ => false,
        };
        let title = crate::describe::command_title_named(c, names);
        if already {
            if let Command::CreatePost { post, .. } = c {
                skipped_posts.insert(post.as_uuid());
            }
            lines.push(format!("= {title} (already recorded)"));
        } else {
            lines.push(format!("+ {title}"));
            send.push(c.clone());
        }
    }
    let skip = send.is_empty();
    Ok(Decided { send, lines, skip })
}

/// Runs `reformctl import`.
pub(crate) fn run(
    client: &Client,
    out: &mut dyn Write,
    args: &ImportArgs,
    progress: &Progress,
) -> Result<(), Error> {
    let mut files = Vec::new();
    for path in &args.files {
        let loaded = load(path)?;
        let batches = plan(&loaded, &args.reason)?;
        files.push((loaded, batches));
    }
    validate(&files)?;
    let names =
        crate::describe::Names::from_commands(files.iter().flat_map(|(l, _)| l.commands.iter()));
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    let bar = progress.bar(total as u64, "import");
    let mut cache = HashMap::new();
    let mut summary: BTreeMap<&str, usize> = BTreeMap::new();
    for (loaded, batches) in &files {
        if args.dry_run {
            writeln!(
                out,
                "--- {} (sha {})",
                loaded.file,
                loaded.digest.get(..12).unwrap_or("")
            )?;
        }
        for (i, batch) in batches.iter().enumerate() {
            let decided = decide_batch(client, batch, &names, &mut cache)?;
            if args.dry_run {
                writeln!(
                    out,
                    "@@ write {}/{}: {} @@",
                    i + 1,
                    batches.len(),
                    batch.title
                )?;
                for l in &decided.lines {
                    writeln!(out, "{l}")?;
                }
                *summary
                    .entry(if decided.skip {
                        "unchanged"
                    } else {
                        "to write"
                    })
                    .or_default() += 1;
            } else if decided.skip {
                *summary.entry("already recorded").or_default() += 1;
            } else {
                let result = match &batch.decision {
                    Some(d) => client.post_write(
                        "/v1/decisions",
                        &json!({"reason": args.reason, "decision": d, "changes": decided.send}),
                        &batch.key,
                    )?,
                    None => client.post_write(
                        "/v1/commands",
                        &json!({"reason": args.reason, "source": Value::Null, "commands": decided.send}),
                        &batch.key,
                    )?,
                };
                let state = if result.deduplicated {
                    "already recorded"
                } else {
                    "written"
                };
                *summary.entry(state).or_default() += 1;
                progress.note(&format!(
                    "{}: {} — {} events, positions {}..{}",
                    state,
                    batch.title,
                    result.events.len(),
                    result.first_position,
                    result.last_position
                ));
            }
            bar.inc(1);
        }
    }
    bar.finish();
    let parts: Vec<String> = summary.iter().map(|(k, v)| format!("{v} {k}")).collect();
    let verb = if args.dry_run {
        "dry run, nothing sent"
    } else {
        "import done"
    };
    writeln!(
        out,
        "{verb}: {} atomic writes ({})",
        total,
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

    #[test]
    fn the_seed_case_plans_into_base_then_one_write_for_decision_34() {
        let loaded = load(&seed_file()).unwrap();
        let batches = plan(&loaded, "import").unwrap();
        assert_eq!(
            batches.len(),
            2,
            "{:?}",
            batches.iter().map(|b| &b.title).collect::<Vec<_>>()
        );
        assert!(batches[0].decision.is_none());
        let d = &batches[1];
        assert!(matches!(d.decision, Some(Command::RecordDecision { .. })));
        // The committee, its working group and the reconstitution all cite Decision 34.
        assert_eq!(d.commands.len(), 3);
        validate(&[(loaded.clone(), batches.clone())]).unwrap();
        // Same content, same keys; another reason, other keys.
        let again = plan(&loaded, "import").unwrap();
        assert_eq!(again[1].key, d.key);
        assert_ne!(plan(&loaded, "other").unwrap()[1].key, d.key);
    }

    #[test]
    fn an_inconsistent_file_is_refused_before_sending() {
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
        let loaded = load(&path).unwrap();
        let batches = plan(&loaded, "import").unwrap();
        let err = validate(&[(loaded, batches)]).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::INVALID_INPUT, "{err}");

        let typo = text.replacen(
            "holder = \"nguyen-huy-dung\"",
            "holder = \"nguyen-huy-dungg\"",
            1,
        );
        std::fs::write(&path, typo).unwrap();
        let err = load(&path).unwrap_err();
        assert!(err.to_string().contains("nguyen-huy-dungg"), "{err}");
    }
}
