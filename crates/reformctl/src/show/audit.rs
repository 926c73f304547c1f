//! `audit`: an entity's or an actor's changes as a table, with what each progress report
//! cites below it.

use std::io::Write;

use std::collections::BTreeMap;

use reformlog::{Event, HistoryEntry, Standing};
use reformlog_api::Envelope;

use crate::answer::{decode, emit, or_dash, wire, write_table, Output};
use crate::cli::AuditArgs;
use crate::client::{segment, Client};
use crate::error::Error;
use crate::resolve::resolve;
use crate::table::Table;

/// A change's standing as the API writes it: `effective`, or `corrected_by ID` and the like.
fn standing_text(standing: &Standing) -> String {
    let plain = wire(standing);
    if !plain.is_empty() {
        return plain;
    }
    serde_json::to_string(standing)
        .ok()
        .and_then(|json| serde_json::from_str::<BTreeMap<String, String>>(&json).ok())
        .and_then(|m| m.into_iter().next())
        .map(|(k, v)| format!("{k} {v}"))
        .unwrap_or_default()
}

pub(super) fn history_table(entries: &[HistoryEntry]) -> Table {
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
        t.row(vec![
            e.position.to_string(),
            e.what.clone(),
            e.valid_from.to_string(),
            e.recorded_at.to_rfc3339_micros(),
            e.actor.clone(),
            or_dash(
                e.decision
                    .as_ref()
                    .and_then(|d| d.number.as_deref())
                    .unwrap_or(""),
            ),
            standing_text(&e.standing),
            or_dash(e.reason.as_deref().unwrap_or("")),
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
    let reply: Envelope<Vec<HistoryEntry>> = decode(&v)?;
    let entries = &reply.answer;
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
fn evidence_lines(entries: &[HistoryEntry]) -> Vec<String> {
    let mut lines = Vec::new();
    for e in entries {
        let position = e.position;
        let Event::TaskProgressReported(report) = &e.event else {
            continue;
        };
        let evidence = &report.evidence;
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
