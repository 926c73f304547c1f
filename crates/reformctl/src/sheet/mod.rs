//! Spreadsheets both ways. In: a plan's tasks from a CSV file or an XLSX worksheet, turned
//! into seed-format tasks and translated like any seed file of the import, so they are
//! checked, planned, dry-run and recorded once exactly as TOML tasks are. Out: listings and
//! reports as CSV or XLSX (`write`).

mod columns;
mod lookup;
mod read;
mod rows;
pub(crate) mod write;

use std::path::Path;

use reformlog::{Command, Date, Seed, Translation};

use crate::batch::{Item, Loaded};
use crate::error::Error;
use columns::Header;
use read::{column_letters, Grid};

pub(crate) use columns::Column;
pub(crate) use read::is_sheet;

/// What `reformctl import` is told about its spreadsheets.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// The plan of rows that name none (slug, number or id).
    pub(crate) plan: Option<String>,
    /// The worksheet to read, in a workbook of several.
    pub(crate) sheet: Option<String>,
}

/// Reads a task sheet. Its units, people and plans are those the import's earlier files
/// define (`earlier`: their commands), and `t` translates its tasks after theirs.
pub(crate) fn load<'a>(
    path: &Path,
    t: &mut Translation,
    earlier: impl Iterator<Item = &'a Command>,
    options: &Options,
) -> Result<Loaded, Error> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
    let digest = blake3::hash(&bytes).to_hex().to_string();
    let (grid, header) = if read::is_csv(path) {
        pick_csv(read::csv_readings(&file, &bytes)?)?
    } else {
        pick_sheet(
            &file,
            read::xlsx_sheets(&file, path, options.sheet.as_deref())?,
        )?
    };
    let known = lookup::Known::new(earlier, t);
    let plan = match &options.plan {
        Some(p) => Some(
            known
                .plan(p)
                .map_err(|e| Error::input(&grid.label, format!("--plan: {e}")))?,
        ),
        None => match known.plans().as_slice() {
            [one] => Some(*one),
            plans if header.column(Column::Plan).is_none() => {
                return Err(Error::input(
                    &grid.label,
                    format!(
                        "which plan are these tasks of? The files before it record {}; name one with --plan (slug or number), or list the seed file that records it first",
                        if plans.is_empty() {
                            "no plan".to_owned()
                        } else {
                            plans
                                .iter()
                                .map(|p| format!("{:?} ({})", p.entry.slug, p.number()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    ),
                ))
            }
            _ => None,
        },
    };
    let read = rows::tasks(&grid, &header, &known, plan).map_err(|problems| {
        let reason = match problems.as_slice() {
            [one] => one.clone(),
            many => format!(
                "{} problems, nothing sent:\n  {}",
                many.len(),
                many.join("\n  ")
            ),
        };
        Error::input(&grid.label, reason)
    })?;
    let mut notes = Vec::new();
    let first_row = read.tasks.first().map(|(r, _)| *r);
    let last_row = read.tasks.last().map(|(r, _)| *r);
    notes.push(match (first_row, last_row) {
        (Some(a), Some(b)) => format!(
            "{}: {} tasks, rows {a} to {b} (header on row {})",
            grid.label,
            read.tasks.len(),
            grid.rows[header.index].number
        ),
        _ => format!("{}: no tasks below the header", grid.label),
    });
    if !read.headings.is_empty() {
        notes.push(format!(
            "{}: rows {} read as headings, not tasks",
            grid.label,
            list(&read.headings)
        ));
    }
    for (i, text) in &header.ignored {
        notes.push(format!(
            "{}: column {} {text:?} is not read",
            grid.label,
            column_letters(*i)
        ));
    }
    let records_from = read
        .tasks
        .iter()
        .map(|(_, task)| task.created)
        .min()
        .unwrap_or(Date::MIN);
    let seed = Seed::from_rows(records_from, read.tasks);
    let items = seed
        .translate(&grid.label, t)
        .map_err(|e| match e {
            reformlog::SeedError::At { at, error } => {
                Error::input(at.to_string(), t.describe(&error.to_string()))
            }
            other => Error::input(&grid.label, t.describe(&other.to_string())),
        })?
        .into_iter()
        .map(|(origin, command)| Item { origin, command })
        .collect();
    Ok(Loaded {
        file: grid.label,
        digest,
        items,
        commits: Vec::new(),
        notes,
    })
}

fn list(rows: &[usize]) -> String {
    rows.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The CSV reading (by separator) whose header row is recognised; else the most telling
/// problem: a header row with a column missing rather than none at all.
fn pick_csv(readings: Vec<Grid>) -> Result<(Grid, Header), Error> {
    let mut problems = Vec::new();
    for grid in readings {
        match columns::find(&grid) {
            Ok(header) => return Ok((grid, header)),
            Err(e) => problems.push((grid.label, e)),
        }
    }
    let telling = problems
        .iter()
        .position(|(_, e)| !e.starts_with("no header row"))
        .unwrap_or(0);
    let (label, e) = problems.swap_remove(telling);
    Err(Error::input(label, e))
}

/// The one worksheet that holds a task table.
fn pick_sheet(file: &str, grids: Vec<Grid>) -> Result<(Grid, Header), Error> {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for grid in grids {
        match columns::find(&grid) {
            Ok(header) => found.push((grid, header)),
            Err(e) => problems.push(format!("{}: {e}", grid.label)),
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(match problems.as_slice() {
            [] => Error::input(file, "the workbook has no worksheet"),
            [one] => Error::input(file, one.trim_start_matches(file).trim_start_matches(", ")),
            many => Error::input(
                file,
                format!("no sheet holds a task table:\n  {}", many.join("\n  ")),
            ),
        }),
        _ => Err(Error::input(
            file,
            format!(
                "{} sheets hold a task table ({}); name the one to import with --sheet",
                found.len(),
                found
                    .iter()
                    .map(|(g, _)| g
                        .label
                        .trim_start_matches(file)
                        .trim_start_matches(", sheet "))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

#[cfg(test)]
mod tests;
