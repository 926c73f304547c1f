//! Tables written for spreadsheet programs: CSV (UTF-8, a byte-order mark unless told
//! otherwise) or an XLSX workbook whose dates are date cells and numbers are numbers.

use std::io::Write;
use std::path::Path;

use reformlog::Date;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use crate::error::Error;

/// One cell of output.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Empty,
    Text(String),
    Number(f64),
    Date(Date),
}

impl Value {
    /// Text, or empty for an empty string.
    pub(crate) fn text(s: &str) -> Self {
        if s.is_empty() {
            Value::Empty
        } else {
            Value::Text(s.to_owned())
        }
    }

    /// A `YYYY-MM-DD` text as a date; other text as it is.
    pub(crate) fn date(s: &str) -> Self {
        match s.parse::<Date>() {
            Ok(d) => Value::Date(d),
            Err(_) => Value::text(s),
        }
    }

    fn csv(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(t) => t.clone(),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Value::Number(n) => n.to_string(),
            Value::Date(d) => d.to_string(),
        }
    }
}

/// One sheet of output: a header row and rows.
#[derive(Debug, Clone)]
pub(crate) struct Sheet {
    pub(crate) name: &'static str,
    pub(crate) headers: Vec<String>,
    pub(crate) rows: Vec<Vec<Value>>,
}

/// Writes `sheet` as CSV. The byte-order mark lets spreadsheet programs that would read a
/// file without one in the system's legacy code page see the Vietnamese text as UTF-8.
pub(crate) fn csv(out: &mut dyn Write, sheet: &Sheet, bom: bool) -> Result<(), Error> {
    let rows = sheet.rows.iter().map(|r| r.iter().map(Value::csv));
    crate::table::write_csv(out, bom, &sheet.headers, rows)
}

/// Writes `sheets` as an XLSX workbook at `path`: beside it first, then renamed, so a failed
/// write leaves no half file.
pub(crate) fn xlsx(path: &Path, sheets: &[Sheet]) -> Result<(), Error> {
    let bytes = workbook(sheets)
        .map_err(|e| Error::io("cannot write", path, std::io::Error::other(e.to_string())))?;
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(|e| Error::io("cannot write", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io("cannot write", path, e))
}

fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    // Day first, as Vietnamese offices write dates; the cell holds the date itself.
    let day = Format::new().set_num_format("dd/mm/yyyy");
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(sheet.name)?;
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(0, col(c), h, &bold)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            for (c, value) in row.iter().enumerate() {
                match value {
                    Value::Empty => {}
                    Value::Text(t) => {
                        ws.write_string(r, col(c), t)?;
                    }
                    Value::Number(n) => {
                        ws.write_number(r, col(c), *n)?;
                    }
                    Value::Date(d) => {
                        let year = u16::try_from(d.year())
                            .map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
                        let cell = ExcelDateTime::from_ymd(year, d.month(), d.day())?;
                        ws.write_datetime_with_format(r, col(c), &cell, &day)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofit();
    }
    book.save_to_buffer()
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sheet() -> Sheet {
        Sheet {
            name: "Nhiệm vụ",
            headers: ["task", "deadline", "days late"].map(String::from).to_vec(),
            rows: vec![vec![
                Value::text("Xác định, đánh giá \"chỉ số\""),
                Value::date("2021-12-31"),
                Value::Number(3.0),
            ]],
        }
    }

    #[test]
    fn csv_quotes_where_needed_and_the_mark_is_optional() {
        let mut with = Vec::new();
        csv(&mut with, &sheet(), true).unwrap();
        let text = String::from_utf8(with).unwrap();
        assert_eq!(
            text,
            "\u{feff}task,deadline,days late\n\"Xác định, đánh giá \"\"chỉ số\"\"\",2021-12-31,3\n"
        );
        let mut without = Vec::new();
        csv(&mut without, &sheet(), false).unwrap();
        assert!(String::from_utf8(without).unwrap().starts_with("task,"));
    }

    #[test]
    fn a_workbook_is_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.xlsx");
        xlsx(&path, &[sheet()]).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"PK"));
        assert!(!dir.path().join("out.partial").exists());
    }
}
