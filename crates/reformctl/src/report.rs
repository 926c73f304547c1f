//! `reformctl report`: the task report as a table with its totals, or for a spreadsheet: CSV,
//! or an XLSX workbook with the tasks and the totals.

use std::io::Write;

use reformlog::{Date, ReportLine, ReportStanding, TaskReport};
use reformlog_api::Envelope;

use crate::answer::{decode, emit, name_of, wire, write_position, Output};
use crate::cli::{Kind, ReportArgs};
use crate::client::Client;
use crate::error::Error;
use crate::resolve::resolve;
use crate::sheet::write::{self, Sheet, Value as Cell};
use crate::table::Table;

/// A date as text, empty when absent.
fn date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// How a standing reads in the table.
fn standing(s: ReportStanding) -> String {
    match wire(&s).as_str() {
        "completed_on_time" => "completed on time".into(),
        "completed_late" => "completed late".into(),
        other => other.into(),
    }
}

/// One task's cells for a spreadsheet: dates as dates, days late as a number.
fn cells(t: &ReportLine) -> Vec<Cell> {
    vec![
        Cell::text(&t.title),
        Cell::text(plan_number(t)),
        Cell::text(lead_name(t)),
        Cell::date(&date(t.deadline)),
        Cell::text(&standing(t.standing)),
        Cell::date(&date(t.completed_on)),
        t.days_late
            .map_or(Cell::Empty, |d| Cell::Number(f64::from(d))),
    ]
}

fn plan_number(t: &ReportLine) -> &str {
    t.plan
        .as_ref()
        .and_then(|p| p.number.as_deref())
        .unwrap_or("")
}

fn lead_name(t: &ReportLine) -> &str {
    name_of(t.lead.as_ref().and_then(|l| l.name.as_ref()))
}

/// The report's counts, in the order of the totals sheet.
fn counts(r: &TaskReport) -> [usize; 6] {
    let c = &r.counts;
    [
        c.total,
        c.open,
        c.overdue,
        c.completed_on_time,
        c.completed_late,
        c.cancelled,
    ]
}

/// The report's totals, one per row, for the workbook's second sheet.
fn totals(r: &TaskReport) -> Sheet {
    let mut rows = vec![vec![Cell::text("on"), Cell::date(&r.on.to_string())]];
    let labels = [
        "tasks",
        "open",
        "overdue",
        "completed on time",
        "completed late",
        "cancelled",
    ];
    for (label, n) in labels.into_iter().zip(counts(r)) {
        // Counts of tasks stay far below 2^53, so they are exact as numbers.
        #[allow(clippy::cast_precision_loss)]
        rows.push(vec![Cell::text(label), Cell::Number(n as f64)]);
    }
    rows.push(vec![
        Cell::text("completion rate (%)"),
        r.completion_rate.map_or(Cell::Empty, Cell::Number),
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
    let reply: Envelope<TaskReport> = decode(&v)?;
    let r = &reply.answer;
    let tasks = &r.tasks;
    let columns = [
        "TASK",
        "PLAN",
        "LEAD",
        "DEADLINE",
        "STANDING",
        "COMPLETED",
        "DAYS LATE",
    ];
    let row = |t: &ReportLine| {
        vec![
            t.title.clone(),
            plan_number(t).to_owned(),
            lead_name(t).to_owned(),
            date(t.deadline),
            standing(t.standing),
            date(t.completed_on),
            t.days_late.map(|d| d.to_string()).unwrap_or_default(),
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
    let c = &r.counts;
    writeln!(
        out,
        "{} tasks on {}: {} open, {} overdue, {} completed on time, {} completed late, {} cancelled",
        c.total, r.on, c.open, c.overdue, c.completed_on_time, c.completed_late, c.cancelled
    )?;
    match r.completion_rate {
        Some(rate) => writeln!(out, "completion rate: {rate} %")?,
        None => writeln!(out, "completion rate: — (no task that is not cancelled)")?,
    }
    let mut table = Table::new(&columns);
    for t in tasks {
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
    crate::answer::write_warnings(
        out,
        tasks
            .iter()
            .map(|t| (t.title.as_str(), t.warnings.as_slice())),
    )?;
    write_position(out, reply.position)
}
