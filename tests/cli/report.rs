//! `reformctl report` as CSV: a byte-order mark, a header, one quoted-where-needed line per
//! task the unit leads, with its standing and completion date.

use super::support::{csv_body, csv_table, Daemon, UNIT_REPORT_CSV};

#[test]
fn the_year_end_report_of_a_unit_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path());
    d.import_seed_and_plans();
    let out = d.ok(&[&UNIT_REPORT_CSV[..], &["--bom"]].concat());
    let text = csv_body(&out);
    let lines = csv_table(
        text,
        "task,plan,lead,deadline,standing,completed,days late",
        4,
    );
    assert!(lines[1..]
        .iter()
        .all(|l| l.contains(",Vụ Tổ chức cán bộ,2021-12-31,completed on time,")));
    // A title with a comma is quoted.
    assert!(
        lines.iter().any(|l| l.starts_with("\"Xác định, đánh giá")),
        "{text}"
    );
    // On 2021-06-30 all four were open and none overdue.
    let mid = d.ok(&[
        "report",
        "--unit",
        "vu-to-chuc-can-bo",
        "--on",
        "2021-06-30",
    ]);
    assert!(
        mid.starts_with("4 tasks on 2021-06-30: 4 open, 0 overdue"),
        "{mid}"
    );
    assert!(mid.contains("completion rate: 0 %"), "{mid}");
}

#[test]
fn task_filters_combine_unit_role_status_and_due_dates() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path());
    d.import_seed_and_plans();
    let count = |args: &[&str]| {
        let v: serde_json::Value =
            serde_json::from_str(&d.ok(&[&["--json", "tasks"], args].concat())).unwrap();
        v["answer"].as_array().unwrap().len()
    };
    let unit = ["--unit", "vu-to-chuc-can-bo"];
    assert_eq!(count(&[&unit[..], &["--on", "2021-06-30"]].concat()), 5);
    assert_eq!(
        count(&[&unit[..], &["--role", "lead", "--on", "2021-06-30"]].concat()),
        4
    );
    assert_eq!(
        count(&[&unit[..], &["--role", "cooperate", "--on", "2021-06-30"]].concat()),
        1
    );
    // Due within 30 days of 2021-12-15: the four still open then (two were done on 11-30).
    assert_eq!(count(&["--due-within", "30", "--on", "2021-12-15"]), 3);
    assert_eq!(count(&["--due-within", "5", "--on", "2021-12-15"]), 0);
    assert_eq!(count(&["--status", "completed", "--on", "2021-12-01"]), 2);
    assert_eq!(
        count(&[&unit[..], &["--overdue", "--on", "2022-01-05"]].concat()),
        0
    );
    // An unknown responsible person is a refusal, not an empty list.
    let out = d.ctl(&["tasks", "--responsible", "khong-co-ai"]);
    assert!(!out.status.success());
}
