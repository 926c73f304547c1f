//! `reformctl unit show`: a unit on a date, with its parent, sub-units, successor and
//! predecessors; how it ends later is shown as such.

use std::io::Write;

use reformlog::{UnitLineage, UnitRef};
use reformlog_api::Envelope;

use crate::answer::{decode, fields_csv, name_of, read_on, wire, write_position, Output};
use crate::cli::{Kind, TimeArgs};
use crate::client::Client;
use crate::error::Error;

/// A unit as the answer names it: by its name on the date, else by its id.
fn name(unit: &UnitRef) -> String {
    match &unit.name {
        Some(n) => n.to_string(),
        None => unit.id.to_string(),
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
    let reply: Envelope<UnitLineage> = decode(&v)?;
    let a = &reply.answer;
    writeln!(
        out,
        "{} ({}), {} on {}; established {}",
        name_of(a.name.as_ref()),
        wire(&a.kind),
        wire(&a.status).replace('_', " "),
        time.on.as_deref().unwrap_or("today"),
        a.established_on
    )?;
    match &a.parent {
        Some(p) => writeln!(out, "parent: {}", name(p))?,
        None => writeln!(out, "parent: none (top level)")?,
    }
    if let Some(s) = &a.successor {
        writeln!(out, "successor: {} (merged on {})", name(&s.unit), s.on)?;
    }
    if !a.predecessors.is_empty() {
        writeln!(out, "predecessors:")?;
        for p in &a.predecessors {
            writeln!(out, "  {} (merged in on {})", name(&p.unit), p.on)?;
        }
    }
    writeln!(out, "sub-units: {}", a.sub_units.len())?;
    for u in &a.sub_units {
        writeln!(out, "  {}", name(u))?;
    }
    if let Some(l) = &a.later {
        match &l.merged_into {
            Some(m) => writeln!(out, "later: merged into {} on {}", name(m), l.on)?,
            None => writeln!(out, "later: dissolved on {}", l.on)?,
        }
    }
    write_position(out, reply.position)
}
