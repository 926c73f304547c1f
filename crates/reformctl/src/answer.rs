//! Reading the daemon's JSON answers and writing them out: one entity's answer on a date,
//! pointer lookups, a dash for a blank, role labels and ranks, the `--json` form, task
//! warnings, the log position answered at, an evidence document on one line. Shared by every
//! read command.

use std::io::Write;

use reformlog::EvidenceDocument;
use serde_json::Value;

use crate::cli::{plural, Kind, TimeArgs};
use crate::client::Client;
use crate::error::Error;
use crate::resolve::resolve;

/// How a role reads in a decision.
pub(crate) fn role_label(role: &str) -> &str {
    match role {
        "head" => "Trưởng ban",
        "standing_deputy_head" => "Phó Trưởng ban thường trực",
        "deputy_head" => "Phó Trưởng ban",
        "member" => "Thành viên",
        "group_leader" => "Tổ trưởng",
        "deputy_group_leader" => "Tổ phó",
        "group_member" => "Tổ viên",
        "secretary" => "Thư ký",
        other => other,
    }
}

/// A role's rank in the order of [`reformlog::Role`]: head first, secretary last.
pub(crate) fn role_rank(role: &str) -> usize {
    const ORDER: [&str; 8] = [
        "head",
        "standing_deputy_head",
        "deputy_head",
        "member",
        "group_leader",
        "deputy_group_leader",
        "group_member",
        "secretary",
    ];
    ORDER.iter().position(|r| *r == role).unwrap_or(ORDER.len())
}

pub(crate) fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

pub(crate) fn arr<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

pub(crate) fn or_dash(text: &str) -> String {
    if text.is_empty() {
        crate::table::DASH.into()
    } else {
        text.into()
    }
}

/// The `answer` member of a reply the daemon sends for a query.
pub(crate) fn answer_of(v: &Value) -> Result<&Value, Error> {
    v.get("answer")
        .ok_or_else(|| Error::BadAnswer("no answer".into()))
}

pub(crate) fn print_json(out: &mut dyn Write, v: &Value) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(v).map_err(|e| Error::BadAnswer(e.to_string()))?;
    writeln!(out, "{text}")?;
    Ok(())
}

/// The daemon's reply about the entity of `kind` that `entity` names (UUID, slug or name),
/// from its route `/v1/<kinds>/<id>/<route>` on the date and knowledge time asked; `None`
/// once written out as it came, with `--json`.
pub(crate) fn read_on(
    client: &Client,
    out: &mut dyn Write,
    (kind, entity, route): (Kind, &str, &str),
    time: &TimeArgs,
    json: bool,
) -> Result<Option<Value>, Error> {
    let id = resolve(client, kind, entity)?;
    let path = format!("/v1/{}/{id}/{route}", plural(kind));
    let v = client.get(
        &path,
        &[
            ("on", time.on.as_deref()),
            ("known_at", time.known_at.as_deref()),
        ],
    )?;
    if json {
        print_json(out, &v)?;
        return Ok(None);
    }
    Ok(Some(v))
}

/// The line closing a read's table: the log position the reply was answered at.
pub(crate) fn write_position(out: &mut dyn Write, v: &Value) -> Result<(), Error> {
    writeln!(
        out,
        "(as known at log position {})",
        v.get("position").and_then(Value::as_u64).unwrap_or(0)
    )?;
    Ok(())
}

/// One line per warning the daemon gave about these tasks: `warning: TITLE: MESSAGE`
/// (what makes the assignment or plan doubtful on the date).
pub(crate) fn write_warnings(out: &mut dyn Write, tasks: &[Value]) -> Result<(), Error> {
    for task in tasks {
        for w in arr(task, "/warnings") {
            writeln!(
                out,
                "warning: {}: {} [{}]",
                s(task, "/title"),
                s(w, "/message"),
                s(w, "/code")
            )?;
        }
    }
    Ok(())
}

/// A document on one line: number, title in quotes, link, and the start of its hash.
pub(crate) fn document_line(d: &EvidenceDocument) -> String {
    let mut parts = Vec::new();
    parts.extend(d.number.clone());
    parts.extend(d.title.as_ref().map(|t| format!("\"{t}\"")));
    parts.extend(d.link.clone());
    parts.extend(d.sha256.as_ref().map(|h| format!("sha256 {h}")));
    parts.join(" ")
}
