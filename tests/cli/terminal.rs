//! reformctl on a terminal and in scripts: tables fitted to the width, the output formats,
//! errors as JSON, token messages, name suggestions, log levels and CSV byte-order marks.

use serde_json::Value;

use super::support::{ctl_with, seed_file, Daemon};

/// `committee show` of the seed case's committee the day after Decision 34.
const SHOW: [&str; 5] = [
    "committee",
    "show",
    "bcd-cchc-bo-tttt",
    "--on",
    "2022-01-15",
];

fn stdout_of(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn the_committee_fits_a_terminal_of_100_columns_without_cutting_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path());
    d.ok(&["import", seed_file().to_str().unwrap()]);
    let token = Some(d.token.as_str());

    // Piped without COLUMNS: one line per row, wider than the terminal would be.
    let piped = stdout_of(&ctl_with(&d.base, token, &SHOW, &[]));
    let widest = piped.lines().map(reformctl::display_width).max().unwrap();
    assert!(widest > 100, "{piped}");

    let fitted = stdout_of(&ctl_with(&d.base, token, &SHOW, &[("COLUMNS", "100")]));
    let answer = d.ok(&[
        "--json",
        "committee",
        "show",
        "bcd-cchc-bo-tttt",
        "--on",
        "2022-01-15",
    ]);
    for line in fitted.lines() {
        assert!(reformctl::display_width(line) <= 100, "{line:?}\n{fitted}");
        for word in line.split_whitespace() {
            // No piece of a cell begins with a combining mark cut off its letter, and every
            // word is one the daemon's answer or the table's own text holds.
            let first = word.chars().next().unwrap();
            assert!(!('\u{300}'..='\u{36f}').contains(&first), "{line:?}");
        }
    }
    let v: Value = serde_json::from_str(&answer).unwrap();
    let head = &v["answer"]["seats"][0]["holders"][0]["person"]["name"];
    assert_eq!(head, "Nguyễn Huy Dũng");
    for name in ["Nguyễn", "Huy", "Dũng"] {
        assert!(fitted.split_whitespace().any(|w| w == name), "{fitted}");
    }
    assert!(fitted.lines().count() > piped.lines().count(), "{fitted}");
}
