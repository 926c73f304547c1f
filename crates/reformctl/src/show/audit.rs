//! `audit`: an entity's or an actor's changes as a table, with what each progress report
//! cites below it.

use std::io::Write;

use serde_json::Value;

use crate::answer::{arr, emit, or_dash, s, write_table, Output};
use crate::cli::AuditArgs;
use crate::client::{segment, Client};
use crate::error::Error;
use crate::resolve::resolve;
use crate::table::Table;

pub(super) fn history_table(entries: &[Value]) -> Table {
    let mut t = Table::new(&[
        "POS",
        "WHAT",
        "VALID FROM",
        "RECORDED AT",
        "ACTOR",
        "DECISION",
        "STANDING",
        "REASON",
    ]);
    for e in entries {
        let standing = match e.get("standing") {
            Some(Value::String(x)) => x.clone(),
            Some(Value::Object(m)) => m
                .iter()
                .next()
                .map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or("")))
                .unwrap_or_default(),
            _ => String::new(),
        };
        t.row(vec![
            e.get("position")
                .and_then(Value::as_u64)
                .unwrap_or(0)
                .to_string(),
            s(e, "/what").into(),
            s(e, "/valid_from").into(),
            s(e, "/recorded_at").into(),
            s(e, "/actor").into(),
            or_dash(s(e, "/decision/number")),
            standing,
            or_dash(s(e, "/reason")),
        ]);
    }
    t
}

/// `audit --kind K --entity X` or `audit --actor A`, each optionally within a recorded-time
/// range and a valid-date range. Dates in the recorded range are days in the daemon's time
/// zone, so they are sent as typed.
pub(crate) fn audit(
    client: &Client,
    out: &mut dyn Write,
    args: &AuditArgs,
    o: &Output,
) -> Result<(), Error> {
    let ranges = [
        ("recorded_from", args.recorded_from.as_deref()),
        ("recorded_to", args.recorded_to.as_deref()),
        ("valid_from", args.valid_from.as_deref()),
        ("valid_to", args.valid_to.as_deref()),
    ];
    let v =
        match (&args.kind, &args.entity, &args.actor) {
            (Some(kind), Some(entity), None) => {
                let id = resolve(client, *kind, entity)?;
                let mut query = vec![("known_at", args.known_at.as_deref())];
                query.extend(ranges);
                client.get(
                    &format!("/v1/history/{}/{}", kind.category(), segment(&id)),
                    &query,
                )?
            }
            (None, None, Some(actor)) => {
                let mut query = vec![("actor", Some(actor.as_str()))];
                query.extend(ranges);
                client.get("/v1/audit/changes", &query)?
            }
            _ => return Err(Error::Usage(
                "give --kind and --entity, or --actor (either with --recorded-from/--recorded-to \
                 and --valid-from/--valid-to)"
                    .into(),
            )),
        };
    if emit(out, o, &v)? {
        return Ok(());
    }
    let entries = arr(&v, "/answer");
    if o.is_csv() {
        return write_table(out, o, &history_table(entries));
    }
    if entries.is_empty() {
        writeln!(out, "no changes")?;
    } else {
        write!(out, "{}", history_table(entries).render())?;
        for line in evidence_lines(entries) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// What each progress report of a history cites, one line per note or document, after the
/// table (a document does not fit in a column).
fn evidence_lines(entries: &[Value]) -> Vec<String> {
    let mut lines = Vec::new();
    for e in entries {
        let position = e.get("position").and_then(Value::as_u64).unwrap_or(0);
        let Some(evidence) = e
            .pointer("/event/task_progress_reported/evidence")
            .and_then(|v| serde_json::from_value::<reformlog::Evidence>(v.clone()).ok())
        else {
            continue;
        };
        if let Some(note) = &evidence.note {
            lines.push(format!("evidence of {position}: {note}"));
        }
        for d in &evidence.documents {
            lines.push(format!(
                "evidence of {position}: {}",
                crate::answer::document_line(d)
            ));
        }
    }
    lines
}
