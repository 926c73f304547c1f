//! `reformctl report`: the task report as a table with its totals, or as CSV for a
//! spreadsheet.

use std::io::Write;

use serde_json::Value;

use crate::cli::{Kind, ReportArgs};
use crate::client::Client;
use crate::error::Error;
use crate::resolve::resolve;
use crate::show::{answer_of, print_json};
use crate::table::Table;

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn number(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .filter(|n| !n.is_null())
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// How a standing reads in the table.
fn standing(s: &str) -> &str {
    match s {
        "completed_on_time" => "completed on time",
        "completed_late" => "completed late",
        other => other,
    }
}

/// One CSV field, quoted when it must be.
fn csv(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// Runs `reformctl report`.
pub(crate) fn run(
    client: &Client,
    out: &mut dyn Write,
    args: &ReportArgs,
    json: bool,
) -> Result<(), Error> {
    let plan = match &args.plan {
        Some(p) => Some(resolve(client, Kind::Decision, p)?),
        None => None,
    };
    let unit = match &args.unit {
        Some(u) => Some(resolve(client, Kind::Unit, u)?),
        None => None,
    };
    let v = client.get(
        "/v1/reports/tasks",
        &[
            ("plan", plan.as_deref()),
            ("unit", unit.as_deref()),
            ("on", args.time.on.as_deref()),
            ("from", args.from.as_deref()),
            ("known_at", args.time.known_at.as_deref()),
        ],
    )?;
    if json {
        return print_json(out, &v);
    }
    let r = answer_of(&v)?;
    let tasks = r
        .get("tasks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let columns = [
        "TASK",
        "PLAN",
        "LEAD",
        "DEADLINE",
        "STANDING",
        "COMPLETED",
        "DAYS LATE",
    ];
    let row = |t: &Value| {
        vec![
            text(t, "/title").to_owned(),
            text(t, "/plan/number").to_owned(),
            text(t, "/lead/name").to_owned(),
            text(t, "/deadline").to_owned(),
            standing(text(t, "/standing")).to_owned(),
            text(t, "/completed_on").to_owned(),
            number(t, "/days_late"),
        ]
    };
    if args.csv {
        // A byte-order mark, so spreadsheet programs read the Vietnamese text as UTF-8.
        write!(out, "\u{feff}")?;
        writeln!(out, "{}", columns.map(|c| c.to_lowercase()).join(","))?;
        for t in &tasks {
            let fields: Vec<String> = row(t).iter().map(|f| csv(f)).collect();
            writeln!(out, "{}", fields.join(","))?;
        }
        return Ok(());
    }
    let c = |k: &str| number(r, &format!("/counts/{k}"));
    writeln!(
        out,
        "{} tasks on {}: {} open, {} overdue, {} completed on time, {} completed late, {} cancelled",
        c("total"),
        text(r, "/on"),
        c("open"),
        c("overdue"),
        c("completed_on_time"),
        c("completed_late"),
        c("cancelled")
    )?;
    match r.get("completion_rate").and_then(Value::as_f64) {
        Some(rate) => writeln!(out, "completion rate: {rate} %")?,
        None => writeln!(out, "completion rate: — (no task that is not cancelled)")?,
    }
    let mut table = Table::new(&columns);
    for t in &tasks {
        table.row(
            row(t)
                .into_iter()
                .map(|f| if f.is_empty() { "—".into() } else { f })
                .collect(),
        );
    }
    if !table.is_empty() {
        write!(out, "{}", table.render())?;
    }
    crate::show::write_warnings(out, &tasks)?;
    writeln!(
        out,
        "(as known at log position {})",
        v.get("position").and_then(Value::as_u64).unwrap_or(0)
    )?;
    Ok(())
}
