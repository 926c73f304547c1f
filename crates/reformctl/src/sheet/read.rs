//! Spreadsheet files as grids of cells: CSV (UTF-8, comma, semicolon or tab separated) and
//! XLSX worksheets (date cells as dates, merged cells filled down their column).

use std::path::Path;

use calamine::{Data, Reader, SheetType, SheetVisible, Xlsx};
use reformlog::Date;

use crate::error::Error;

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A cell formatted as a date (XLSX); its time of day, if any, is dropped.
    Date(Date),
}

impl Cell {
    /// The cell's text with surrounding white space removed; empty for an empty cell.
    pub(crate) fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_owned(),
            Cell::Number(n) => number_text(*n),
            Cell::Date(d) => d.to_string(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// What the clerk wrote, quoted for messages.
    pub(crate) fn shown(&self) -> String {
        match self {
            Cell::Empty => "an empty cell".into(),
            Cell::Text(t) => format!("{:?}", t.trim()),
            Cell::Number(n) => format!("the number {}", number_text(*n)),
            Cell::Date(d) => format!("the date {d}"),
        }
    }
}

/// A whole number without a decimal point, as a spreadsheet shows it.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// One row with its number as the spreadsheet program shows it (1-based).
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) number: usize,
    /// Indexed by column (0 is A).
    pub(crate) cells: Vec<Cell>,
}

impl Row {
    pub(crate) fn cell(&self, column: usize) -> &Cell {
        self.cells.get(column).unwrap_or(&Cell::Empty)
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_empty)
    }
}

/// A table of cells read from one CSV file or one worksheet.
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    /// How messages name it: the file, and for a workbook the sheet.
    pub(crate) label: String,
    pub(crate) rows: Vec<Row>,
}

/// The letters a spreadsheet program names column `index` (0-based) by: A, B, …, Z, AA, …
pub(crate) fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Whether `path` names a spreadsheet this module reads, by its extension.
pub(crate) fn is_sheet(path: &Path) -> bool {
    is_csv(path) || is_xlsx(path)
}

pub(crate) fn is_csv(path: &Path) -> bool {
    extension_is(path, &["csv"])
}

fn is_xlsx(path: &Path) -> bool {
    extension_is(path, &["xlsx", "xlsm"])
}

fn extension_is(path: &Path, list: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| list.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The CSV file's rows, once per separator it may use (comma, semicolon, tab): the caller
/// keeps the reading whose header it recognises. A spreadsheet program set to Vietnamese
/// saves CSV with semicolons, since the comma is its decimal separator.
pub(crate) fn csv_readings(file: &str, bytes: &[u8]) -> Result<Vec<Grid>, Error> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(Error::input(
            file,
            "not UTF-8 text: save the sheet as \"CSV UTF-8\" (or as .xlsx)",
        ));
    }
    let mut out = Vec::new();
    for sep in [b',', b';', b'\t'] {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(sep)
            .from_reader(bytes);
        let mut rows = Vec::new();
        let mut ok = true;
        for record in reader.records() {
            let Ok(record) = record else {
                ok = false;
                break;
            };
            let number = record
                .position()
                .map(|p| p.line() as usize)
                .unwrap_or(rows.len() + 1);
            let cells = record
                .iter()
                .map(|f| {
                    if f.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(f.to_owned())
                    }
                })
                .collect();
            rows.push(Row { number, cells });
        }
        if ok {
            out.push(Grid {
                label: file.to_owned(),
                rows,
            });
        }
    }
    if out.is_empty() {
        return Err(Error::input(file, "not CSV: a quoted field is not closed"));
    }
    Ok(out)
}

/// Every visible worksheet of an XLSX workbook, or only the one named `only`.
pub(crate) fn xlsx_sheets(file: &str, path: &Path, only: Option<&str>) -> Result<Vec<Grid>, Error> {
    let mut book: Xlsx<_> = calamine::open_workbook(path)
        .map_err(|e| Error::input(file, format!("not an XLSX workbook: {e}")))?;
    let names: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .filter(|s| only.is_some() || s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let names = match only {
        Some(wanted) => match names.iter().find(|n| n.as_str() == wanted) {
            Some(n) => vec![n.clone()],
            None => {
                return Err(Error::input(
                    file,
                    format!(
                        "no sheet named {wanted:?}; its sheets are {}",
                        names
                            .iter()
                            .map(|n| format!("{n:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
        },
        None => names,
    };
    let mut grids = Vec::new();
    for name in names {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| Error::input(file, format!("sheet {name:?}: {e}")))?;
        let merged = book
            .merge_cells_by_sheet_name(&name)
            .map_err(|e| Error::input(file, format!("sheet {name:?}: {e}")))?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows: Vec<Row> = range
            .rows()
            .enumerate()
            .map(|(i, cells)| Row {
                number: top as usize + i + 1,
                cells: std::iter::repeat_n(Cell::Empty, left as usize)
                    .chain(cells.iter().map(cell))
                    .collect(),
            })
            .collect();
        fill_merged(&mut rows, top as usize, &merged);
        grids.push(Grid {
            label: format!("{file}, sheet {name:?}"),
            rows,
        });
    }
    Ok(grids)
}

/// A merged region holds its value in its top-left cell only. Merged down a column (one
/// lead unit for several tasks, as offices often write it), the value is every row's, so it
/// is copied down the region's first column; merged across a row only (a heading over the
/// whole table), it stays in its first cell.
fn fill_merged(rows: &mut [Row], top: usize, regions: &[calamine::Dimensions]) {
    for region in regions {
        let (r0, c0) = (region.start.0 as usize, region.start.1 as usize);
        let r1 = region.end.0 as usize;
        if r1 <= r0 || r0 < top {
            continue;
        }
        let Some(value) = rows
            .get(r0 - top)
            .map(|r| r.cell(c0).clone())
            .filter(|c| !c.is_empty())
        else {
            continue;
        };
        for r in (r0 + 1)..=r1 {
            let Some(row) = rows.get_mut(r - top) else {
                break;
            };
            if row.cells.len() <= c0 {
                row.cells.resize(c0 + 1, Cell::Empty);
            }
            if row.cells[c0].is_empty() {
                row.cells[c0] = value.clone();
            }
        }
    }
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => {
            if s.trim().is_empty() {
                Cell::Empty
            } else {
                Cell::Text(s.clone())
            }
        }
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        Data::DateTime(dt) if dt.is_datetime() && dt.as_f64() >= 1.0 => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            match Date::from_ymd(i32::from(y), m, d) {
                Ok(date) => Cell::Date(date),
                // Excel's 1900-02-29, which never was.
                Err(_) => Cell::Number(dt.as_f64()),
            }
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) => match s.get(..10).and_then(|d| d.parse::<Date>().ok()) {
            Some(date) => Cell::Date(date),
            None => Cell::Text(s.clone()),
        },
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn columns_are_named_by_letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn csv_is_read_with_each_separator_and_refused_when_not_utf8() {
        let text = "\u{feff}STT;Tên nhiệm vụ\n1;\"Báo cáo; quý\"\n";
        let grids = csv_readings("a.csv", text.as_bytes()).unwrap();
        let semicolon = &grids[1];
        assert_eq!(
            semicolon.rows[1].cell(1),
            &Cell::Text("Báo cáo; quý".into())
        );
        assert_eq!(semicolon.rows[1].number, 2);
        let err = csv_readings("a.csv", b"STT,T\xean\n").unwrap_err();
        assert!(err.to_string().contains("CSV UTF-8"), "{err}");
    }

    #[test]
    fn a_merged_column_is_filled_down_and_a_merged_row_is_not() {
        let text = |s: &str| Cell::Text(s.into());
        let mut rows = vec![
            Row {
                number: 3,
                cells: vec![text("I. Heading"), Cell::Empty, Cell::Empty],
            },
            Row {
                number: 4,
                cells: vec![text("1"), text("Vụ Tổ chức cán bộ")],
            },
            Row {
                number: 5,
                cells: vec![text("2")],
            },
        ];
        let regions = [
            calamine::Dimensions::new((2, 0), (2, 2)),
            calamine::Dimensions::new((3, 1), (4, 1)),
        ];
        fill_merged(&mut rows, 2, &regions);
        assert_eq!(rows[0].cell(1), &Cell::Empty);
        assert_eq!(rows[2].cell(1), &text("Vụ Tổ chức cán bộ"));
    }
}
