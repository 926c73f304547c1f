//! A task sheet's rows below its header as seed tasks: each cell read and checked, units and
//! people named as the seed files name them, every problem named by row and column with
//! what the clerk wrote.

use std::collections::HashMap;

use reformlog::{Date, SeedTask};

use super::columns::{Column, Header};
use super::lookup::{Decision, Known};
use super::read::{column_letters, Cell, Grid, Row};

/// What the rows hold.
#[derive(Debug, Clone)]
pub(crate) struct Tasks {
    /// Each task with its row.
    pub(crate) tasks: Vec<(usize, SeedTask)>,
    /// Rows read as headings (a section's title, the column numbers under the header).
    pub(crate) headings: Vec<usize>,
}

/// The rows of `grid` below `header` as tasks; `plan` is the plan of rows that name none.
/// Each problem names its row and column.
pub(crate) fn tasks(
    grid: &Grid,
    header: &Header,
    known: &Known,
    plan: Option<&Decision>,
) -> Result<Tasks, Vec<String>> {
    let mut out = Tasks {
        tasks: Vec::new(),
        headings: Vec::new(),
    };
    let mut problems = Vec::new();
    let naming = header.column(Column::Code).or(header.column(Column::Stt));
    let Some(naming) = naming else {
        let number = grid.rows[header.index].number;
        return Err(vec![format!(
            "row {number}: no column {} nor {}, which name each task so that importing the sheet again finds it",
            Column::Code.name(),
            Column::Stt.name()
        )]);
    };
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let rows = &grid.rows[header.index + 1..];
    for (i, row) in rows.iter().enumerate() {
        if row.is_blank() {
            continue;
        }
        if is_heading(row, header) || (i == 0 && is_numbering(row)) {
            out.headings.push(row.number);
            continue;
        }
        // A code names one task of its plan; told before the rest, so a doubled code is
        // reported even on a row with other problems.
        let code = row.cell(naming).text();
        let plan_written = header
            .column(Column::Plan)
            .map(|i| reformlog::fold(&row.cell(i).text()))
            .unwrap_or_default();
        if !code.is_empty() {
            match seen.get(&(plan_written.clone(), code.clone())) {
                Some(first) => problems.push(format!(
                    "{}: {} is also the code of row {first}: each task needs its own",
                    at(row, naming, header),
                    row.cell(naming).shown()
                )),
                None => {
                    seen.insert((plan_written, code), row.number);
                }
            }
        }
        let r = RowReader {
            header,
            row,
            problems: &mut problems,
        };
        if let Some(task) = r.task(known, plan, naming) {
            out.tasks.push((row.number, task));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A row with nothing in the columns that make a task (only a title, perhaps an STT like
/// "I" or "A"): a section heading, as plans group their tasks.
fn is_heading(row: &Row, header: &Header) -> bool {
    let detail = header
        .columns
        .iter()
        .any(|(c, i)| !matches!(c, Column::Stt | Column::Title) && !row.cell(*i).is_empty());
    let numbered = header
        .column(Column::Stt)
        .is_some_and(|i| is_number(&row.cell(i).text()));
    !detail && !numbered
}

/// The row of column numbers offices put under the header: "(1)", "(2)", … or 1, 2, 3, ….
fn is_numbering(row: &Row) -> bool {
    let texts: Vec<String> = row
        .cells
        .iter()
        .filter(|c| !c.is_empty())
        .map(Cell::text)
        .collect();
    let bracketed = texts.iter().all(|t| {
        t.strip_prefix('(')
            .and_then(|t| t.strip_suffix(')'))
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    });
    let counting = texts
        .iter()
        .enumerate()
        .all(|(i, t)| *t == (i + 1).to_string());
    texts.len() >= 3 && (bracketed || counting)
}

/// "3", "3.", "1.2": a task's number, not a section's ("I", "A").
fn is_number(text: &str) -> bool {
    let t = text.trim_end_matches('.');
    !t.is_empty()
        && t.split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

fn at(row: &Row, column: usize, header: &Header) -> String {
    let name = header
        .columns
        .iter()
        .find(|(_, i)| *i == column)
        .map(|(c, _)| format!(" {}", c.name()))
        .unwrap_or_default();
    format!(
        "row {}, column {}{name}",
        row.number,
        column_letters(column)
    )
}

/// Reads one task row, noting each problem.
struct RowReader<'a> {
    header: &'a Header,
    row: &'a Row,
    problems: &'a mut Vec<String>,
}

impl<'a> RowReader<'a> {
    fn problem(&mut self, column: usize, what: String) {
        let place = at(self.row, column, self.header);
        self.problems.push(format!("{place}: {what}"));
    }

    /// The cell of `c`, when the sheet has that column and the cell is not empty.
    fn cell(&self, c: Column) -> Option<(usize, &'a Cell)> {
        let i = self.header.column(c)?;
        let cell = self.row.cell(i);
        (!cell.is_empty()).then_some((i, cell))
    }

    /// The text of a column every task fills.
    fn required(&mut self, c: Column) -> Option<String> {
        match self.cell(c) {
            Some((_, cell)) => Some(cell.text()),
            None => {
                let i = self.header.column(c).unwrap_or(0);
                self.problem(i, "empty: every task needs one".into());
                None
            }
        }
    }

    fn date(&mut self, c: Column) -> Option<Option<Date>> {
        let (i, cell) = self.cell(c)?;
        match date(cell) {
            Ok(d) => Some(Some(d)),
            Err(e) => {
                self.problem(i, e);
                Some(None)
            }
        }
    }

    fn task(
        mut self,
        known: &Known,
        default_plan: Option<&Decision>,
        naming: usize,
    ) -> Option<SeedTask> {
        let before = self.problems.len();
        let title = self.required(Column::Title);
        let product = self.required(Column::Product);
        let deadline = match self.date(Column::Deadline) {
            Some(d) => d,
            None => {
                self.required(Column::Deadline);
                None
            }
        };
        let plan = match self.cell(Column::Plan) {
            Some((i, cell)) => match known.plan(&cell.text()) {
                Ok(p) => Some(p),
                Err(e) => {
                    self.problem(i, e);
                    None
                }
            },
            None => {
                if default_plan.is_none() {
                    self.problem(
                        self.header.column(Column::Plan).unwrap_or(naming),
                        "no plan: name it with --plan, or in a column \"Kế hoạch\" (plan)".into(),
                    );
                }
                default_plan
            }
        };
        let created = match self.date(Column::Assigned) {
            Some(d) => d,
            None => plan.map(|p| p.in_force_on),
        };
        let code = self.row.cell(naming).text();
        if code.is_empty() {
            self.problem(
                naming,
                "empty: every task needs a code (or a number) that stays the same when the sheet is imported again".into(),
            );
        }
        let unit = |r: &mut Self, c: Column| -> Option<String> {
            let (i, cell) = r.cell(c)?;
            match known.unit(&cell.text()) {
                Ok(slug) => Some(slug.to_owned()),
                Err(e) => {
                    r.problem(i, e);
                    None
                }
            }
        };
        let lead = unit(&mut self, Column::Lead);
        let cooperating = self.cooperating(known);
        let responsible = match self.cell(Column::Responsible) {
            Some((i, cell)) => match known.person(&cell.text()) {
                Ok(slug) => Some(slug.to_owned()),
                Err(e) => {
                    self.problem(i, e);
                    None
                }
            },
            None => None,
        };
        if self.cell(Column::Lead).is_none() {
            for c in [Column::Cooperating, Column::Responsible] {
                if let Some((i, _)) = self.cell(c) {
                    self.problem(
                        i,
                        format!(
                            "a task without a lead unit ({}) has no {}",
                            Column::Lead.name(),
                            c.name()
                        ),
                    );
                }
            }
        }
        if self.problems.len() > before {
            return None;
        }
        let plan = plan?;
        // A code written as an id (a sheet reformctl exported) names that task itself.
        let slug = if code.len() == 36 && uuid::Uuid::try_parse(&code).is_ok() {
            code
        } else {
            format!("{}/{code}", plan.entry.slug)
        };
        Some(SeedTask {
            slug,
            plan: Some(plan.entry.slug.clone()),
            title: title?,
            product: product?,
            created: created?,
            deadline: deadline?,
            lead,
            cooperating: cooperating?,
            responsible,
        })
    }

    /// The cooperating units: separated by `;`, `,` or line breaks. Commas also occur in
    /// names ("Cục Xuất bản, In và Phát hành"), so between commas the longest run of parts
    /// that names a unit is one unit.
    fn cooperating(&mut self, known: &Known) -> Option<Vec<String>> {
        let Some((i, cell)) = self.cell(Column::Cooperating) else {
            return Some(Vec::new());
        };
        let text = cell.text();
        let mut out: Vec<String> = Vec::new();
        let mut failed = false;
        for part in text.split([';', '\n', '\r']) {
            let pieces: Vec<&str> = part
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            let mut from = 0;
            while from < pieces.len() {
                let longest = (from..pieces.len()).rev().find_map(|to| {
                    let name = pieces[from..=to].join(", ");
                    known.unit(&name).ok().map(|slug| (to, name, slug))
                });
                match longest {
                    Some((to, name, slug)) => {
                        if out.iter().any(|s| s == slug) {
                            self.problem(i, format!("{name:?} is named twice"));
                            failed = true;
                        } else {
                            out.push(slug.to_owned());
                        }
                        from = to + 1;
                    }
                    None => {
                        let e = known.unit(pieces[from]).err().unwrap_or_default();
                        self.problem(i, e);
                        failed = true;
                        from += 1;
                    }
                }
            }
        }
        (!failed).then_some(out)
    }
}

/// A date cell, or text `YYYY-MM-DD` or `DD/MM/YYYY` (day first; `.` or `-` also separate,
/// and a time of day after it is dropped).
pub(crate) fn date(cell: &Cell) -> Result<Date, String> {
    let bad = || {
        format!(
            "{} is not a date: write DD/MM/YYYY (day first) or YYYY-MM-DD, or use a date cell",
            cell.shown()
        )
    };
    let text = match cell {
        Cell::Date(d) => return Ok(*d),
        Cell::Text(t) => t.trim(),
        _ => return Err(bad()),
    };
    let mut words = text.split_whitespace();
    let first = words.next().unwrap_or("");
    let rest: Vec<&str> = words.collect();
    if !(rest.is_empty() || (rest.len() == 1 && rest[0].contains(':'))) {
        return Err(bad());
    }
    if let Ok(d) = first.parse::<Date>() {
        return Ok(d);
    }
    let parts: Vec<&str> = first.split(['/', '.', '-']).collect();
    let [d, m, y] = parts.as_slice() else {
        return Err(bad());
    };
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit())
    };
    if !(digits(d, 1..=2) && digits(m, 1..=2) && digits(y, 4..=4)) {
        return Err(bad());
    }
    let (Ok(d), Ok(m), Ok(y)) = (d.parse::<u8>(), m.parse::<u8>(), y.parse::<i32>()) else {
        return Err(bad());
    };
    Date::from_ymd(y, m, d).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn dates_are_read_in_the_forms_offices_write() {
        let d = Date::from_ymd(2021, 6, 30).unwrap();
        for ok in [
            "2021-06-30",
            "30/06/2021",
            "30/6/2021",
            "30.06.2021",
            "30-06-2021",
            "30/06/2021 00:00:00",
        ] {
            assert_eq!(date(&text(ok)).unwrap(), d, "{ok}");
        }
        assert_eq!(date(&Cell::Date(d)).unwrap(), d);
        for bad in [
            "31/13/2021",
            "06/30/2021",
            "Quý II/2021",
            "30/06/21",
            "2021",
            "30 06 2021",
        ] {
            let e = date(&text(bad)).unwrap_err();
            assert!(
                e.contains(&format!("{bad:?}")) && e.contains("DD/MM/YYYY"),
                "{e}"
            );
        }
        let e = date(&Cell::Number(44377.0)).unwrap_err();
        assert!(e.contains("the number 44377"), "{e}");
    }

    #[test]
    fn task_numbers_headings_and_numbering_rows_are_told_apart() {
        assert!(is_number("3") && is_number("3.") && is_number("1.2"));
        assert!(!is_number("I") && !is_number("A") && !is_number("") && !is_number("1..2"));
        let row = |cells: &[&str]| Row {
            number: 1,
            cells: cells.iter().map(|c| text(c)).collect(),
        };
        assert!(is_numbering(&row(&["(1)", "(2)", "(3)"])));
        assert!(is_numbering(&row(&["1", "2", "3", "4"])));
        assert!(!is_numbering(&row(&["1", "Tên", "3"])));
        assert!(!is_numbering(&row(&["(1)", "(2)"])));
    }
}
