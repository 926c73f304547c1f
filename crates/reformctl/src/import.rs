//! `reformctl import`: read seed-format (TOML/JSON), Popolo files and task sheets (CSV,
//! XLSX: `sheet`), turn them into domain
//! commands (several seed files as one whole, in order), check them all on an empty model
//! before sending anything, group them into atomic writes (a decision with the changes citing
//! it, in file order), and send each asking the daemon to record every change at most once,
//! so that importing a file again writes only what it adds.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use reformlog::{
    Command, EventId, EventMeta, Knowledge, Origin, Recorded, Seed, Timestamp, Translation,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::batch::{plan, refusal, Batch, Item, Loaded};
use crate::cli::ImportArgs;
use crate::client::{Client, WriteResult};
use crate::error::Error;
use crate::progress::Progress;

/// Reads one file: the seed format (TOML, or JSON with `records_from`) or Popolo JSON. Seed
/// files share `t`, so entities an earlier file defined are not recorded twice.
#[cfg(test)]
pub(crate) fn load(path: &Path, t: &mut Translation) -> Result<Loaded, Error> {
    load_citing(path, t, None)
}

/// [`load`], with the decision a Popolo file's records cite when they cite none (`--cite`).
pub(crate) fn load_citing(
    path: &Path,
    t: &mut Translation,
    cite: Option<&str>,
) -> Result<Loaded, Error> {
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
        /// A seed file in JSON says which format it is in.
        #[derive(serde::Deserialize)]
        struct SeedProbe {
            #[serde(default, deserialize_with = "crate::answer::present")]
            records_from: bool,
        }
        let is_seed = SeedProbe::deserialize(&v).is_ok_and(|p| p.records_from);
        if is_seed {
            serde_json::from_value::<Seed>(v).map_err(|e| Error::input(&file, e))?
        } else if crate::popolo::is_popolo(&v) {
            let doc = serde_json::from_value(v).map_err(|e| {
                Error::input(&file, format!("not Popolo JSON reformctl reads: {e}"))
            })?;
            let popolo =
                crate::popolo::to_commands(&doc, cite).map_err(|e| Error::input(&file, e))?;
            let items = popolo
                .commands
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
                notes: popolo.notes,
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
    json: bool,
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
            load_citing(path, &mut t, args.cite.as_deref())?
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
        return crate::dry_run::run(client, out, (&files, &names, &t), json);
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
    bar.finish_and_clear();
    if json {
        let v = json!({
            "writes": total,
            "writes_written": summary.get("written").copied().unwrap_or(0),
            "writes_already_recorded": summary.get("already recorded").copied().unwrap_or(0),
            "changes_written": written,
            "changes_already_recorded": recorded,
            "notes": files.iter().flat_map(|(l, _)| &l.notes).collect::<Vec<_>>(),
        });
        return crate::answer::print_json(out, &v);
    }
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
            Some(Command::RecordDecision(_))
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
        let replacement = include_str!("../../../tests/data/seed-replacement-120.toml");
        let extra = r#"
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
        std::fs::write(&path, format!("format = 2\n{text}\n{replacement}{extra}")).unwrap();
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
