//! `reformctl tasks`: a filtered task listing on a date, as a table or for a spreadsheet (CSV,
//! XLSX) in the columns a task sheet is imported by.

use std::io::Write;

use serde_json::Value;

use crate::answer::{arr, emit, or_dash, s, Output};
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

fn task_cells(task: &Value) -> Vec<Cell> {
    let cooperating: Vec<&str> = arr(task, "/cooperating")
        .iter()
        .map(|u| s(u, "/name"))
        .collect();
    vec![
        Cell::text(s(task, "/task")),
        Cell::text(s(task, "/title")),
        Cell::text(s(task, "/plan/number")),
        Cell::text(s(task, "/product")),
        Cell::text(s(task, "/lead/name")),
        Cell::text(&cooperating.join("; ")),
        Cell::text(s(task, "/responsible/name")),
        Cell::date(s(task, "/created_on")),
        Cell::date(s(task, "/deadline")),
        Cell::text(s(task, "/status")),
        task.get("percent")
            .and_then(Value::as_f64)
            .map_or(Cell::Empty, Cell::Number),
        Cell::text(
            if task.get("overdue").and_then(Value::as_bool) == Some(true) {
                "yes"
            } else {
                "no"
            },
        ),
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
    if args.sheet.csv || o.is_csv() || args.sheet.xlsx.is_some() {
        let sheet = Sheet {
            name: "Nhiệm vụ",
            headers: task_columns(),
            rows: arr(&v, "/answer").iter().map(task_cells).collect(),
        };
        return match &args.sheet.xlsx {
            Some(path) => write::xlsx(path, &[sheet]),
            None => write::csv(out, &sheet, o.bom),
        };
    }
    let mut t = Table::new(&[
        "TASK", "LEAD", "ROLE", "DEADLINE", "STATUS", "%", "OVERDUE", "PRODUCT",
    ]);
    for task in arr(&v, "/answer") {
        // With --unit, whether the unit leads the task or cooperates on it.
        let role = match &unit_id {
            Some(u) if s(task, "/lead/id") == u => "leads",
            Some(_) => "cooperates",
            None => "—",
        };
        t.row(vec![
            s(task, "/title").into(),
            or_dash(s(task, "/lead/name")),
            role.into(),
            or_dash(s(task, "/deadline")),
            s(task, "/status").into(),
            task.get("percent")
                .and_then(Value::as_u64)
                .map(|p| p.to_string())
                .unwrap_or_else(|| "—".into()),
            if task.get("overdue").and_then(Value::as_bool) == Some(true) {
                "yes".into()
            } else {
                "no".into()
            },
            s(task, "/product").into(),
        ]);
    }
    if t.is_empty() {
        writeln!(out, "no tasks")?;
    } else {
        write!(out, "{}", t.render())?;
    }
    crate::answer::write_warnings(out, arr(&v, "/answer"))
}
