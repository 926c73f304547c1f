//! `reformctl report`: the task report as a table with its totals, or for a spreadsheet: CSV,
//! or an XLSX workbook with the tasks and the totals.

use std::io::Write;

use serde_json::Value;

use crate::answer::{answer_of, emit, write_position, Output};
use crate::cli::{Kind, ReportArgs};
use crate::client::Client;
use crate::error::Error;
use crate::resolve::resolve;
use crate::sheet::write::{self, Sheet, Value as Cell};
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

/// One task's cells for a spreadsheet: dates as dates, days late as a number.
fn cells(t: &Value) -> Vec<Cell> {
    vec![
        Cell::text(text(t, "/title")),
        Cell::text(text(t, "/plan/number")),
        Cell::text(text(t, "/lead/name")),
        Cell::date(text(t, "/deadline")),
        Cell::text(standing(text(t, "/standing"))),
        Cell::date(text(t, "/completed_on")),
        t.get("days_late")
            .and_then(Value::as_f64)
            .map_or(Cell::Empty, Cell::Number),
    ]
}

/// The report's totals, one per row, for the workbook's second sheet.
fn totals(r: &Value) -> Sheet {
    let count = |k: &str| {
        r.pointer(&format!("/counts/{k}"))
            .and_then(Value::as_f64)
            .map_or(Cell::Empty, Cell::Number)
    };
    let mut rows = vec![vec![Cell::text("on"), Cell::date(text(r, "/on"))]];
    for (label, key) in [
        ("tasks", "total"),
        ("open", "open"),
        ("overdue", "overdue"),
        ("completed on time", "completed_on_time"),
        ("completed late", "completed_late"),
        ("cancelled", "cancelled"),
    ] {
        rows.push(vec![Cell::text(label), count(key)]);
    }
    rows.push(vec![
        Cell::text("completion rate (%)"),
        r.get("completion_rate")
            .and_then(Value::as_f64)
            .map_or(Cell::Empty, Cell::Number),
    ]);
    Sheet {
        name: "Tổng hợp",
        headers: vec![String::new(), "value".into()],
        rows,
    }
}

/// Runs `reformctl report`.
pub(crate) fn run(
    client: &Client,
    out: &mut dyn Write,
    args: &ReportArgs,
    o: &Output,
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
    if emit(out, o, &v)? {
        return Ok(());
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
    if args.sheet.csv || o.is_csv() || args.sheet.xlsx.is_some() {
        let sheet = Sheet {
            name: "Báo cáo",
            headers: columns.map(|c| c.to_lowercase()).to_vec(),
            rows: tasks.iter().map(cells).collect(),
        };
        return match &args.sheet.xlsx {
            Some(path) => write::xlsx(path, &[sheet, totals(r)]),
            None => write::csv(out, &sheet, o.bom),
        };
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
    crate::answer::write_warnings(out, &tasks)?;
    write_position(out, &v)
}
