//! Tables for people and for spreadsheets: columns laid out by display width (Vietnamese text
//! precomposed or with combining marks) and wrapped to fit the terminal, or the same rows as
//! CSV.

use std::io::{IsTerminal, Write};

use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, TableStyle};
use unicode_width::UnicodeWidthStr;

use crate::error::Error;

/// The widest a word may be and still be kept whole when columns are squeezed; a longer one
/// is split between characters.
const WORD: usize = 16;

/// What a blank cell shows in a table; a blank cell in CSV is empty instead.
pub(crate) const DASH: &str = "—";

/// A table: a header row and data rows, rendered with two spaces between columns.
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles.
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| (*h).to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are blank and extra cells are kept.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as lines of text (no trailing spaces), fitted to the terminal's width:
    /// `COLUMNS` when set, else the terminal's own; not wrapped when output is piped.
    pub fn render(&self) -> String {
        self.render_within(terminal_width())
    }

    /// The table as lines of text no wider than `width` display columns (cells wrapped at
    /// spaces, or between characters when one word is wider than its column), or as wide as
    /// its widest cells with `None`.
    pub fn render_within(&self, limit: Option<usize>) -> String {
        let columns = self.columns();
        if columns == 0 {
            return String::new();
        }
        let mut t = comfy_table::Table::new();
        t.load_style(TableStyle::new());
        let pad = |row: &[String]| -> Vec<String> {
            (0..columns)
                .map(|i| row.get(i).cloned().unwrap_or_default())
                .collect()
        };
        t.set_header(pad(&self.header));
        for row in &self.rows {
            t.add_row(pad(row));
        }
        match limit {
            Some(w) => {
                t.set_content_arrangement(ContentArrangement::Dynamic);
                t.set_width(u16::try_from(w).unwrap_or(u16::MAX));
            }
            None => {
                t.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        for (i, column) in t.column_iter_mut().enumerate() {
            // Two spaces between columns and none before the first, as before: rows start
            // with their first cell, so `grep '^Trưởng ban'` keeps working.
            column.set_padding((0, if i + 1 < columns { 2 } else { 0 }));
            column.set_cell_alignment(CellAlignment::Left);
        }
        if let Some(w) = limit {
            if let Some(mins) = self.least_widths(columns, w) {
                t.set_constraints(mins.into_iter().map(|m| {
                    ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(
                        u16::try_from(m).unwrap_or(u16::MAX),
                    ))
                }));
            }
        }
        let mut out = String::new();
        for line in t.lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// The table as CSV: titles in lower case, a blank (dash) cell empty, and the UTF-8
    /// byte-order mark first when `bom` (for spreadsheet programs that otherwise read the
    /// file in the system's legacy code page).
    pub(crate) fn write_csv(&self, out: &mut dyn Write, bom: bool) -> Result<(), Error> {
        let header: Vec<String> = self.header.iter().map(|h| h.to_lowercase()).collect();
        let rows = self.rows.iter().map(|r| {
            r.iter()
                .map(|c| if c == DASH { String::new() } else { c.clone() })
                .collect::<Vec<_>>()
        });
        write_csv(out, bom, &header, rows)
    }

    /// The narrowest each column may be made within `limit`: its longest word (up to
    /// [`WORD`] columns), so dates, numbers and names wrap between words rather than inside
    /// one; failing that, its title's longest word; `None` when even those do not fit.
    fn least_widths(&self, columns: usize, limit: usize) -> Option<Vec<usize>> {
        let longest_word = |cells: &mut dyn Iterator<Item = &String>| {
            cells
                .flat_map(|c| c.split_whitespace())
                .map(width)
                .max()
                .unwrap_or(0)
                .clamp(1, WORD)
        };
        let words: Vec<usize> = (0..columns)
            .map(|i| {
                let mut cells = std::iter::once(&self.header)
                    .chain(&self.rows)
                    .filter_map(|r| r.get(i));
                longest_word(&mut cells)
            })
            .collect();
        let titles: Vec<usize> = (0..columns)
            .map(|i| longest_word(&mut self.header.get(i).into_iter()))
            .collect();
        let gaps = 2 * (columns - 1);
        [words, titles]
            .into_iter()
            .find(|mins| mins.iter().sum::<usize>() + gaps <= limit)
    }

    fn columns(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0)
    }
}

/// Writes `header` and `rows` as CSV (RFC 4180 quoting, `\n` line ends), with the UTF-8
/// byte-order mark first when `bom`.
pub(crate) fn write_csv<R, C>(
    out: &mut dyn Write,
    bom: bool,
    header: &[String],
    rows: impl IntoIterator<Item = R>,
) -> Result<(), Error>
where
    R: IntoIterator<Item = C>,
    C: AsRef<[u8]>,
{
    if bom {
        out.write_all("\u{feff}".as_bytes())?;
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record(header).map_err(csv_error)?;
    for row in rows {
        w.write_record(row).map_err(csv_error)?;
    }
    w.flush()?;
    Ok(())
}

/// A CSV writer's error as an output error, keeping the I/O error's kind so a closed pipe
/// stays a closed pipe.
pub(crate) fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Output(io),
        other => Error::Output(std::io::Error::other(format!("{other:?}"))),
    }
}

/// The width tables are fitted to: `COLUMNS` when it holds a positive number (a shell or a
/// script saying how wide), else the terminal's width when standard output is one, else
/// none: piped output is never wrapped, so scripts see one line per row.
pub(crate) fn terminal_width() -> Option<usize> {
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0);
    from_env.or_else(tty_width)
}

#[cfg(unix)]
fn tty_width() -> Option<usize> {
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    rustix::termios::tcgetwinsize(&stdout)
        .ok()
        .map(|w| usize::from(w.ws_col))
        .filter(|c| *c > 0)
}

#[cfg(not(unix))]
fn tty_width() -> Option<usize> {
    None
}

/// Terminal columns a text takes: wide characters count two, combining marks none, and a
/// control character is shown as nothing.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn committee() -> Table {
        let mut t = Table::new(&["ROLE", "PERSON", "POSITION", "SINCE"]);
        // NFC: "Phạm Minh Tiến"; NFD: the same name with combining marks.
        let nfd = "Pha\u{323}m Minh Tie\u{302}\u{301}n";
        t.row(vec![
            "Trưởng ban".into(),
            "Nguyễn Huy Dũng".into(),
            "Thứ trưởng Bộ Thông tin và Truyền thông".into(),
            "2022-01-14".into(),
        ]);
        t.row(vec![
            "Phó Trưởng ban".into(),
            nfd.into(),
            "Vụ trưởng Vụ Tổ chức cán bộ".into(),
            "2022-01-14".into(),
        ]);
        t.row(vec![
            "Thành viên".into(),
            "Thành viên 17".into(),
            DASH.into(),
            "2022-01-14".into(),
        ]);
        t
    }

    #[test]
    fn columns_align_by_display_width_in_nfc_and_nfd() {
        let text = committee().render_within(None);
        let columns: Vec<usize> = text
            .lines()
            .map(|l| {
                let at = l.find("20").unwrap_or_else(|| l.find("SINCE").unwrap());
                width(&l[..at])
            })
            .collect();
        assert!(columns.windows(2).all(|w| w[0] == w[1]), "{text}");
        assert_eq!(
            width("Pha\u{323}m Minh Tie\u{302}\u{301}n"),
            width("Phạm Minh Tiến")
        );
        assert!(text.starts_with("ROLE  "), "{text}");
        assert!(text.lines().nth(1).unwrap().starts_with("Trưởng ban  "));
    }

    #[test]
    fn a_narrow_width_wraps_cells_without_splitting_a_character() {
        let text = committee().render_within(Some(40));
        assert!(text.lines().count() > 4, "{text}");
        for line in text.lines() {
            assert!(width(line) <= 40, "{line:?} in\n{text}");
            // A combining mark never starts a piece of a cell: it stays with its letter.
            for piece in line.split(' ') {
                let first = piece.chars().next();
                assert!(
                    !first.is_some_and(|c| ('\u{300}'..='\u{36f}').contains(&c)),
                    "{line:?}"
                );
            }
        }
        // Every word of the table is whole somewhere, as it was written.
        for word in ["Nguyễn", "Dũng", "Truyền", "2022-01-14"] {
            assert!(text.split_whitespace().any(|w| w == word), "{word}\n{text}");
        }
    }

    #[test]
    fn csv_has_lower_case_titles_empty_blanks_and_an_optional_mark() {
        let mut plain = Vec::new();
        committee().write_csv(&mut plain, false).unwrap();
        let text = String::from_utf8(plain).unwrap();
        assert!(text.starts_with("role,person,position,since\n"), "{text}");
        assert!(
            text.contains("Thành viên,Thành viên 17,,2022-01-14\n"),
            "{text}"
        );
        let mut marked = Vec::new();
        committee().write_csv(&mut marked, true).unwrap();
        assert_eq!(&marked[..3], b"\xEF\xBB\xBF");
        assert_eq!(&marked[3..], text.as_bytes());
    }
}
