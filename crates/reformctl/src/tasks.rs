//! `reformctl tasks`: a filtered task listing on a date, as a table or for a spreadsheet (CSV,
//! XLSX) in the columns a task sheet is imported by.

use std::io::Write;

use reformlog::{Date, TaskOnDate};
use reformlog_api::Envelope;

use crate::answer::{decode, emit, name_of, or_dash, wire, Output};
use crate::cli::{Kind, TasksArgs};
use crate::client::Client;
use crate::error::Error;
use crate::resolve::resolve;
use crate::sheet::write::{self, Sheet, Value as Cell};
use crate::sheet::Column;
use crate::table::Table;

/// The columns of a task listing for a spreadsheet: those `reformctl import` reads a task
/// sheet by (the code is the task's id, so the sheet imports back as the same tasks), then
/// the task's state on the date.
fn task_columns() -> Vec<String> {
    let state = ["status", "percent", "overdue"];
    // Every column a sheet is read by but the row number.
    let read_back = Column::ALL.into_iter().filter(|c| *c != Column::Stt);
    read_back
        .map(Column::english)
        .chain(state)
        .map(String::from)
        .collect()
}

/// A date as text, empty when absent.
fn date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn lead_name(task: &TaskOnDate) -> &str {
    name_of(task.lead.as_ref().and_then(|l| l.name.as_ref()))
}

fn task_cells(task: &TaskOnDate) -> Vec<Cell> {
    let cooperating: Vec<&str> = task
        .cooperating
        .iter()
        .map(|u| name_of(u.name.as_ref()))
        .collect();
    vec![
        Cell::text(&task.task.to_string()),
        Cell::text(&task.title),
        Cell::text(
            task.plan
                .as_ref()
                .and_then(|p| p.number.as_deref())
                .unwrap_or(""),
        ),
        Cell::text(&task.product),
        Cell::text(lead_name(task)),
        Cell::text(&cooperating.join("; ")),
        Cell::text(name_of(
            task.responsible.as_ref().and_then(|p| p.name.as_ref()),
        )),
        Cell::date(&task.created_on.to_string()),
        Cell::date(&date(task.deadline)),
        Cell::text(&wire(&task.status)),
        task.percent
            .map_or(Cell::Empty, |p| Cell::Number(f64::from(p))),
        Cell::text(if task.overdue { "yes" } else { "no" }),
    ]
}

/// Runs `reformctl tasks`: `--unit`, `--plan`, `--overdue` and the other filters.
pub(crate) fn run(
    client: &Client,
    out: &mut dyn Write,
    args: &TasksArgs,
    o: &Output,
) -> Result<(), Error> {
    let unit_id = match &args.unit {
        Some(unit) => Some(resolve(client, Kind::Unit, unit)?),
        None => None,
    };
    let plan_id = match &args.plan {
        Some(plan) => Some(resolve(client, Kind::Decision, plan)?),
        None => None,
    };
    let responsible = match &args.responsible {
        Some(p) => Some(resolve(client, Kind::Person, p)?),
        None => None,
    };
    let due = args.due_within.map(|n| n.to_string());
    let overdue = args.overdue.then_some("true");
    let v = client.get(
        "/v1/tasks/filter",
        &[
            ("unit", unit_id.as_deref()),
            ("role", args.role.as_deref()),
            ("plan", plan_id.as_deref()),
            ("overdue", overdue),
            ("status", args.status.as_deref()),
            ("responsible", responsible.as_deref()),
            ("deadline_from", args.deadline_from.as_deref()),
            ("deadline_to", args.deadline_to.as_deref()),
            ("due_within_days", due.as_deref()),
            ("on", args.time.on.as_deref()),
            ("known_at", args.time.known_at.as_deref()),
        ],
    )?;
    if emit(out, o, &v)? {
        return Ok(());
    }
    let reply: Envelope<Vec<TaskOnDate>> = decode(&v)?;
    let tasks = &reply.answer;
    if args.sheet.csv || o.is_csv() || args.sheet.xlsx.is_some() {
        let sheet = Sheet {
            name: "Nhiệm vụ",
            headers: task_columns(),
            rows: tasks.iter().map(task_cells).collect(),
        };
        return match &args.sheet.xlsx {
            Some(path) => write::xlsx(path, &[sheet]),
            None => write::csv(out, &sheet, o.bom),
        };
    }
    let mut t = Table::new(&[
        "TASK", "LEAD", "ROLE", "DEADLINE", "STATUS", "%", "OVERDUE", "PRODUCT",
    ]);
    for task in tasks {
        // With --unit, whether the unit leads the task or cooperates on it.
        let role = match &unit_id {
            Some(u) if task.lead.as_ref().is_some_and(|l| l.id.to_string() == *u) => "leads",
            Some(_) => "cooperates",
            None => "—",
        };
        t.row(vec![
            task.title.clone(),
            or_dash(lead_name(task)),
            role.into(),
            or_dash(&date(task.deadline)),
            wire(&task.status),
            task.percent
                .map(|p| p.to_string())
                .unwrap_or_else(|| "—".into()),
            if task.overdue { "yes" } else { "no" }.into(),
            task.product.clone(),
        ]);
    }
    if t.is_empty() {
        writeln!(out, "no tasks")?;
    } else {
        write!(out, "{}", t.render())?;
    }
    crate::answer::write_warnings(
        out,
        tasks
            .iter()
            .map(|t| (t.title.as_str(), t.warnings.as_slice())),
    )
}
