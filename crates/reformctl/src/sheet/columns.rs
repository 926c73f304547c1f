//! The columns of a task sheet: their Vietnamese and English headers, matched case- and
//! diacritic-insensitively, and the header row found below any title rows.

use reformlog::fold;

use super::read::{column_letters, Grid};

/// The columns a task sheet may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Column {
    Stt,
    Code,
    Title,
    Plan,
    Product,
    Lead,
    Cooperating,
    Responsible,
    Deadline,
    Assigned,
}

impl Column {
    /// Every column, in the order a task listing writes them (no two share a header, so the
    /// order decides no match).
    pub(crate) const ALL: [Column; 10] = [
        Column::Stt,
        Column::Code,
        Column::Title,
        Column::Plan,
        Column::Product,
        Column::Lead,
        Column::Cooperating,
        Column::Responsible,
        Column::Assigned,
        Column::Deadline,
    ];

    /// The columns every task sheet needs.
    pub(crate) const REQUIRED: [Column; 3] = [Column::Title, Column::Product, Column::Deadline];

    /// The headers accepted for the column, as written in the docs; each is matched folded
    /// (lower case, no diacritics), without any part in parentheses and a trailing `:` or `*`.
    pub(crate) fn headers(self) -> &'static [&'static str] {
        match self {
            Column::Stt => &["STT", "TT", "Số thứ tự", "No", "No.", "number"],
            Column::Code => &["Mã nhiệm vụ", "Mã", "Mã số", "code", "task code"],
            Column::Title => &[
                "Tên nhiệm vụ",
                "Nhiệm vụ",
                "Nội dung nhiệm vụ",
                "Nội dung",
                "title",
                "task",
            ],
            Column::Plan => &["Kế hoạch", "plan"],
            Column::Product => &[
                "Sản phẩm",
                "Sản phẩm đầu ra",
                "Hình thức sản phẩm",
                "Kết quả sản phẩm",
                "product",
            ],
            Column::Lead => &[
                "Đơn vị chủ trì",
                "Cơ quan chủ trì",
                "Chủ trì",
                "lead",
                "lead unit",
            ],
            Column::Cooperating => &[
                "Đơn vị phối hợp",
                "Cơ quan phối hợp",
                "Phối hợp",
                "cooperating",
                "cooperating units",
            ],
            Column::Responsible => &[
                "Người phụ trách",
                "Lãnh đạo phụ trách",
                "Phụ trách",
                "responsible",
            ],
            Column::Deadline => &[
                "Thời hạn",
                "Thời hạn hoàn thành",
                "Thời gian hoàn thành",
                "Hạn hoàn thành",
                "deadline",
                "due",
                "due date",
            ],
            Column::Assigned => &["Ngày giao", "Ngày giao nhiệm vụ", "assigned on", "assigned"],
        }
    }

    /// How messages name the column: its first Vietnamese header and its English one.
    pub(crate) fn name(self) -> String {
        format!("{:?} ({})", self.headers()[0], self.english())
    }

    /// The column's English header, the one a task listing writes.
    pub(crate) fn english(self) -> &'static str {
        match self {
            Column::Stt => "number",
            Column::Code => "code",
            Column::Title => "title",
            Column::Plan => "plan",
            Column::Product => "product",
            Column::Lead => "lead",
            Column::Cooperating => "cooperating",
            Column::Responsible => "responsible",
            Column::Deadline => "deadline",
            Column::Assigned => "assigned on",
        }
    }

    fn matches(self, header: &str) -> bool {
        let key = header_key(header);
        !key.is_empty() && self.headers().iter().any(|h| header_key(h) == key)
    }
}

/// A header's matching key: folded, without parenthesised parts, trailing `:`/`*` and
/// surrounding punctuation, so "Thời hạn hoàn thành (dd/mm/yyyy)*" is "thoi han hoan thanh".
fn header_key(header: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in header.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    fold(&out)
        .trim_matches(|c: char| c == ':' || c == '*' || c.is_whitespace())
        .to_owned()
}

/// Where the header row is and which column holds what.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    /// The header row's index in the grid's rows.
    pub(crate) index: usize,
    pub(crate) columns: Vec<(Column, usize)>,
    /// Headed columns that are none of the above, by index and header: not read, and said so.
    pub(crate) ignored: Vec<(usize, String)>,
}

impl Header {
    pub(crate) fn column(&self, c: Column) -> Option<usize> {
        self.columns.iter().find(|(x, _)| *x == c).map(|(_, i)| *i)
    }
}

/// How many rows may stand above the header (titles, the issuing office, blank lines).
const HEADER_WITHIN: usize = 30;

/// The grid's header row: the first row (of its first rows) where at least two cells are
/// headers of known columns. What is wrong with it is said in one sentence.
pub(crate) fn find(grid: &Grid) -> Result<Header, String> {
    let mut best: Option<Header> = None;
    for (index, row) in grid.rows.iter().enumerate().take(HEADER_WITHIN) {
        let mut columns: Vec<(Column, usize)> = Vec::new();
        let mut ignored = Vec::new();
        for (i, cell) in row.cells.iter().enumerate() {
            let text = cell.text();
            if text.is_empty() {
                continue;
            }
            match Column::ALL.iter().find(|c| c.matches(&text)) {
                Some(c) => {
                    if let Some((_, first)) = columns.iter().find(|(x, _)| x == c) {
                        return Err(format!(
                            "row {}: columns {} and {} are both {}",
                            row.number,
                            column_letters(*first),
                            column_letters(i),
                            c.name()
                        ));
                    }
                    columns.push((*c, i));
                }
                None => ignored.push((i, text)),
            }
        }
        if columns.len() >= 2 {
            best = Some(Header {
                index,
                columns,
                ignored,
            });
            break;
        }
    }
    let Some(header) = best else {
        return Err(format!(
            "no header row in its first {HEADER_WITHIN} rows: a row naming at least the columns {}",
            required_names()
        ));
    };
    let missing: Vec<String> = Column::REQUIRED
        .iter()
        .filter(|c| header.column(**c).is_none())
        .map(|c| {
            format!(
                "{} (headed {})",
                c.name(),
                c.headers()
                    .iter()
                    .map(|h| format!("{h:?}"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        })
        .collect();
    if !missing.is_empty() {
        let number = grid.rows[header.index].number;
        return Err(format!(
            "row {number} is the header row, and it has no column {}",
            missing.join(", nor ")
        ));
    }
    Ok(header)
}

fn required_names() -> String {
    Column::REQUIRED
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::read::{Cell, Row};
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid {
            label: "t.csv".into(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| Row {
                    number: i + 1,
                    cells: r
                        .iter()
                        .map(|t| {
                            if t.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text((*t).into())
                            }
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn headers_match_without_case_diacritics_or_notes() {
        assert!(Column::Deadline.matches("THỜI HẠN HOÀN THÀNH (dd/mm/yyyy)*"));
        assert!(Column::Deadline.matches("thoi han"));
        assert!(Column::Code.matches("Mã nhiệm vụ:"));
        assert!(Column::Cooperating.matches("Đơn vị\nphối hợp"));
        assert!(Column::Title.matches("Title"));
        assert!(!Column::Title.matches("Ghi chú"));
        assert!(!Column::Stt.matches("(1)"));
    }

    #[test]
    fn the_header_row_is_found_below_title_rows() {
        let g = grid(&[
            &["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2021", "", ""],
            &[],
            &["STT", "Tên nhiệm vụ", "Sản phẩm", "Thời hạn", "Ghi chú"],
        ]);
        let h = find(&g).unwrap();
        assert_eq!(h.index, 2);
        assert_eq!(h.column(Column::Deadline), Some(3));
        assert_eq!(h.ignored, vec![(4, "Ghi chú".to_owned())]);
    }

    #[test]
    fn a_missing_or_doubled_column_is_named() {
        let g = grid(&[&["STT", "Tên nhiệm vụ", "Sản phẩm"]]);
        let e = find(&g).unwrap_err();
        assert!(e.contains("no column \"Thời hạn\" (deadline)"), "{e}");
        let g = grid(&[&["Tên nhiệm vụ", "Thời hạn", "deadline"]]);
        let e = find(&g).unwrap_err();
        assert!(e.contains("columns B and C are both"), "{e}");
        let e = find(&grid(&[&["a", "b"]])).unwrap_err();
        assert!(e.contains("no header row"), "{e}");
    }
}
