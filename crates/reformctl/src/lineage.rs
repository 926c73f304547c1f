//! `reformctl unit show`: a unit on a date, with its parent, sub-units, successor and
//! predecessors; how it ends later is shown as such.

use std::io::Write;

use serde_json::Value;

use crate::answer::{answer_of, fields_csv, read_on, write_position, Output};
use crate::cli::{Kind, TimeArgs};
use crate::client::Client;
use crate::error::Error;

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn name(unit: &Value) -> String {
    match unit.get("name").and_then(Value::as_str) {
        Some(n) => n.to_string(),
        None => text(unit, "/id").to_string(),
    }
}

/// Runs `reformctl unit show UNIT`.
pub(crate) fn unit_show(
    client: &Client,
    out: &mut dyn Write,
    unit: &str,
    time: &TimeArgs,
    o: &Output,
) -> Result<(), Error> {
    let Some(v) = read_on(client, out, (Kind::Unit, unit, "lineage"), time, o)? else {
        return Ok(());
    };
    if o.is_csv() {
        // A unit's lineage is not a table: its fields one per row.
        return fields_csv(out, o.bom, &v);
    }
    let a = answer_of(&v)?;
    writeln!(
        out,
        "{} ({}), {} on {}; established {}",
        text(a, "/name"),
        text(a, "/kind"),
        text(a, "/status").replace('_', " "),
        time.on.as_deref().unwrap_or("today"),
        text(a, "/established_on")
    )?;
    match a.get("parent").filter(|p| !p.is_null()) {
        Some(p) => writeln!(out, "parent: {}", name(p))?,
        None => writeln!(out, "parent: none (top level)")?,
    }
    if let Some(s) = a.get("successor").filter(|s| !s.is_null()) {
        writeln!(
            out,
            "successor: {} (merged on {})",
            name(&s["unit"]),
            text(s, "/on")
        )?;
    }
    let list = |key: &str| {
        a.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let predecessors = list("predecessors");
    if !predecessors.is_empty() {
        writeln!(out, "predecessors:")?;
        for p in &predecessors {
            writeln!(
                out,
                "  {} (merged in on {})",
                name(&p["unit"]),
                text(p, "/on")
            )?;
        }
    }
    let subs = list("sub_units");
    writeln!(out, "sub-units: {}", subs.len())?;
    for u in &subs {
        writeln!(out, "  {}", name(u))?;
    }
    if let Some(l) = a.get("later").filter(|l| !l.is_null()) {
        match l.get("merged_into").filter(|m| !m.is_null()) {
            Some(m) => writeln!(out, "later: merged into {} on {}", name(m), text(l, "/on"))?,
            None => writeln!(out, "later: dissolved on {}", text(l, "/on"))?,
        }
    }
    write_position(out, &v)
}
