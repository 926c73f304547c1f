//! Plain-text tables whose columns line up by display width, so Vietnamese names (precomposed
//! or with combining marks) align in a terminal.

use unicode_width::UnicodeWidthStr;

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

    /// The table as lines of text (no trailing spaces).
    pub fn render(&self) -> String {
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let mut widths = vec![0usize; columns];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(width(cell));
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (i, w) in widths.iter().enumerate() {
                let cell = row.get(i).map_or("", String::as_str);
                line.push_str(cell);
                if i + 1 < columns {
                    line.push_str(&" ".repeat(w - width(cell) + 2));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
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

    #[test]
    fn columns_align_by_display_width_in_nfc_and_nfd() {
        let mut t = Table::new(&["ROLE", "PERSON", "SINCE"]);
        // NFC: "Phạm Minh Tiến"; NFD: the same name with combining marks.
        let nfd = "Pha\u{323}m Minh Tie\u{302}\u{301}n";
        t.row(vec![
            "Trưởng ban".into(),
            "Nguyễn Huy Dũng".into(),
            "2022-01-14".into(),
        ]);
        t.row(vec![
            "Phó Trưởng ban".into(),
            nfd.into(),
            "2022-01-14".into(),
        ]);
        t.row(vec![
            "Thành viên".into(),
            "Thành viên 17".into(),
            "2022-01-14".into(),
        ]);
        let text = t.render();
        let columns: Vec<usize> = text
            .lines()
            .map(|l| {
                let at = l.find("20").unwrap_or_else(|| l.find("SINCE").unwrap());
                width(&l[..at])
            })
            .collect();
        assert!(columns.windows(2).all(|w| w[0] == w[1]), "{text}");
        assert_eq!(width(nfd), width("Phạm Minh Tiến"));
    }
}
