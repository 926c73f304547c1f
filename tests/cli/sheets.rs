//! Spreadsheets both ways against a running daemon: a plan's tasks imported from CSV and from
//! an XLSX workbook another program (Python's openpyxl) wrote; bad sheets refused by row and
//! column with nothing written; a grown sheet writing only its new task; listings and reports
//! exported as CSV and XLSX, read back by openpyxl, and imported again as the same tasks.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::support::{code, csv_body, csv_table, seed_file, stderr, Daemon, UNIT_REPORT_CSV};

/// The columns of a task listing, as the CSV and XLSX exports head them.
const LISTING_HEADER: &str =
    "code,title,plan,product,lead,cooperating,responsible,assigned on,deadline,status,percent,overdue";

fn data(name: &str) -> PathBuf {
    seed_file().with_file_name(name)
}

fn head(d: &Daemon) -> u64 {
    let v: Value = serde_json::from_str(&d.ok(&["--json", "verify"])).unwrap();
    v["head"]["position"].as_u64().unwrap()
}

/// The seed case and its 2021 plans (the sheets' units, people and plans).
/// `reformctl import` of the seed files, then `sheet`, with `extra` arguments.
fn import_sheet(d: &Daemon, sheet: &Path, extra: &[&str]) -> std::process::Output {
    let seed = seed_file();
    let plans = data("seed-plans-2021.toml");
    let mut args = vec![
        "import",
        seed.to_str().unwrap(),
        plans.to_str().unwrap(),
        sheet.to_str().unwrap(),
    ];
    args.extend(extra);
    d.ctl(&args)
}

/// The tasks of plan kh-cchc-2021 on `on`, as the daemon answers.
fn plan_tasks(d: &Daemon, on: &str) -> Vec<Value> {
    let v: Value =
        serde_json::from_str(&d.ok(&["--json", "tasks", "--plan", "kh-cchc-2021", "--on", on]))
            .unwrap();
    v["answer"].as_array().unwrap().clone()
}

fn titled<'a>(tasks: &'a [Value], title: &str) -> &'a Value {
    tasks
        .iter()
        .find(|t| t["title"] == title)
        .unwrap_or_else(|| panic!("no task {title:?} in {tasks:?}"))
}

fn names(units: &Value) -> Vec<&str> {
    units
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect()
}

/// Runs tests/cli/sheets.py with openpyxl. Without python3 or openpyxl this fails, saying
/// what to install: these checks are the point of the test, so they are never skipped.
fn python(args: &[&str]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("cli/sheets.py");
    let check = Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output();
    match check {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "Python's openpyxl is needed for the spreadsheet tests (`python3 -m pip install openpyxl`, or `apt-get install python3-openpyxl`; .ci/run installs it): {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "python3 with openpyxl is needed for the spreadsheet tests (.ci/run installs them): {e}"
        ),
    }
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sheets.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_plan_s_tasks_import_from_csv_and_a_grown_sheet_writes_only_the_new_task() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dir.path().join("store"));
    let sample = std::fs::read_to_string(data("tasks-kh-cchc-2021.csv")).unwrap();
    let sheet = dir.path().join("tasks.csv");
    std::fs::write(&sheet, &sample).unwrap();

    let plan = ["--plan", "kh-cchc-2021"];
    let dry = super::support::ok(
        import_sheet(&d, &sheet, &[&["--dry-run"], &plan[..]].concat()),
        &["import"],
    );
    assert_eq!(
        dry.lines().filter(|l| l.starts_with("+ task")).count(),
        5 + 3,
        "{dry}"
    );
    let first = import_sheet(&d, &sheet, &plan);
    assert!(first.status.success(), "{}", stderr(&first));
    let tasks = plan_tasks(&d, "2021-06-01");
    assert_eq!(tasks.len(), 1 + 3, "{tasks:?}");
    let review = titled(
        &tasks,
        "Rà soát thủ tục hành chính thuộc phạm vi quản lý của Bộ",
    );
    assert_eq!(review["lead"]["name"], "Vụ Pháp chế");
    assert_eq!(
        names(&review["cooperating"]),
        ["Văn phòng Bộ", "Thanh tra Bộ"]
    );
    assert_eq!(review["deadline"], "2021-06-30");
    assert_eq!(review["created_on"], "2021-01-15");
    let rules = titled(
        &tasks,
        "Cập nhật quy chế làm việc của Ban chỉ đạo cải cách hành chính",
    );
    assert_eq!(
        names(&rules["cooperating"]),
        ["Văn phòng Bộ", "Cục Xuất bản, In và Phát hành"]
    );
    assert_eq!(rules["responsible"]["name"], "Phạm Minh Tiến");
    assert_eq!(rules["created_on"], "2021-03-01");

    // The same sheet again: nothing.
    let before = head(&d);
    let again = import_sheet(&d, &sheet, &plan);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 changes written"),
        "{}",
        stderr(&again)
    );
    assert_eq!(head(&d), before);

    // One more row: only it is written.
    let table = sample.trim_end_matches(",,,,,,,,\n");
    let grown = format!(
        "{table}4,CCHC-04,Đánh giá chỉ số cải cách hành chính của các đơn vị,Báo cáo đánh giá,Vụ Tổ chức cán bộ,,,20/12/2021,\n,,,,,,,,\n"
    );
    std::fs::write(&sheet, &grown).unwrap();
    let dry = super::support::ok(
        import_sheet(&d, &sheet, &[&["--dry-run"], &plan[..]].concat()),
        &["import"],
    );
    let new: Vec<&str> = dry.lines().filter(|l| l.starts_with('+')).collect();
    assert_eq!(new.len(), 1, "{dry}");
    assert!(new[0].contains("Đánh giá chỉ số"), "{dry}");
    let out = import_sheet(&d, &sheet, &plan);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("1 changes written"), "{said}{}", stderr(&out));
    assert_eq!(plan_tasks(&d, "2021-06-01").len(), 1 + 4);

    // A deadline changed in the sheet is refused, naming the row; the recorded one stays.
    let changed = grown.replacen("30/06/2021", "31/07/2021", 1);
    std::fs::write(&sheet, &changed).unwrap();
    let before = head(&d);
    let out = import_sheet(&d, &sheet, &plan);
    assert_eq!(
        code(&out),
        Some(reformctl::exit::REFUSED),
        "{}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("tasks.csv, row 7") && err.contains("other content"),
        "{err}"
    );
    assert_eq!(head(&d), before);
    let review = titled(
        &plan_tasks(&d, "2021-06-01"),
        "Rà soát thủ tục hành chính thuộc phạm vi quản lý của Bộ",
    )
    .clone();
    assert_eq!(review["deadline"], "2021-06-30");
}

#[test]
fn bad_sheets_are_refused_naming_file_row_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dir.path().join("store"));
    d.import_seed_and_plans();
    let before = head(&d);
    let header = "STT,Mã nhiệm vụ,Tên nhiệm vụ,Sản phẩm,Đơn vị chủ trì,Thời hạn\n";
    let good = "1,A,Nhiệm vụ 1,Báo cáo,Văn phòng Bộ,30/06/2021\n";
    for (name, text, says) in [
        (
            "unknown-unit.csv",
            format!("{header}{good}2,B,Nhiệm vụ 2,Báo cáo,Vụ Truyền thông,30/06/2021\n"),
            "unknown-unit.csv: row 3, column E \"Đơn vị chủ trì\" (lead): no unit of this import is named \"Vụ Truyền thông\"",
        ),
        (
            "bad-date.csv",
            format!("{header}{good}2,B,Nhiệm vụ 2,Báo cáo,Văn phòng Bộ,31/06/2021\n"),
            "bad-date.csv: row 3, column F \"Thời hạn\" (deadline): \"31/06/2021\" is not a date",
        ),
        (
            "missing-column.csv",
            "STT,Mã nhiệm vụ,Tên nhiệm vụ,Đơn vị chủ trì,Thời hạn\n1,A,Nhiệm vụ 1,Văn phòng Bộ,30/06/2021\n".to_owned(),
            "missing-column.csv: row 1 is the header row, and it has no column \"Sản phẩm\" (product)",
        ),
        (
            "duplicate-code.csv",
            format!("{header}{good}2,A,Nhiệm vụ 2,Báo cáo,Văn phòng Bộ,30/09/2021\n"),
            "duplicate-code.csv: row 3, column B \"Mã nhiệm vụ\" (code): \"A\" is also the code of row 2",
        ),
        (
            "deadline-before-plan.csv",
            format!("{header}{good}2,B,Nhiệm vụ 2,Báo cáo,Văn phòng Bộ,01/01/2021\n"),
            "deadline-before-plan.csv, row 3",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = import_sheet(&d, &path, &["--plan", "kh-cchc-2021"]);
        let err = stderr(&out);
        assert_eq!(code(&out), Some(reformctl::exit::INVALID_INPUT), "{name}: {err}");
        assert!(err.contains(says), "{name}: {err}");
        assert_eq!(head(&d), before, "{name}");
    }
}

/// The workbook sheets.py writes, as the daemon then holds it.
fn check_imported_workbook(tasks: &[Value]) {
    assert_eq!(tasks.len(), 1 + 3, "{tasks:?}");
    let review = titled(
        tasks,
        "Rà soát thủ tục hành chính thuộc phạm vi quản lý của Bộ",
    );
    assert_eq!(review["deadline"], "2021-06-30");
    assert_eq!(review["created_on"], "2021-02-01");
    assert_eq!(
        names(&review["cooperating"]),
        ["Văn phòng Bộ", "Thanh tra Bộ"]
    );
    assert_eq!(review["responsible"]["name"], "Phạm Minh Tiến");
    // The lead merged down two rows leads both; a text date reads as a date cell does.
    let publish = titled(tasks, "Công bố thủ tục hành chính sửa đổi");
    assert_eq!(publish["lead"]["name"], "Vụ Pháp chế");
    assert_eq!(publish["deadline"], "2021-09-30");
    assert_eq!(publish["created_on"], "2021-01-15");
    let digitise = titled(tasks, "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính");
    assert_eq!(
        names(&digitise["cooperating"]),
        ["Cục Xuất bản, In và Phát hành", "Cục Tin học hóa"]
    );
    assert_eq!(digitise["deadline"], "2021-11-15");
}

#[test]
fn an_xlsx_written_by_openpyxl_imports_and_exports_read_back_in_openpyxl_and_import_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dir.path().join("a"));
    let book = dir.path().join("ke-hoach.xlsx");
    python(&["write", book.to_str().unwrap()]);
    // The plan named by its number, as the clerk reads it off the document.
    let out = import_sheet(
        &d,
        &book,
        &["--plan", "KH CCHC 2021 (số hiệu không nêu trong bài)"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let tasks = plan_tasks(&d, "2021-06-01");
    check_imported_workbook(&tasks);

    // Exported as XLSX on a date, as known now: openpyxl reads date cells and the text.
    let export = dir.path().join("nhiem-vu.xlsx");
    d.ok(&[
        "tasks",
        "--plan",
        "kh-cchc-2021",
        "--on",
        "2021-06-01",
        "--xlsx",
        export.to_str().unwrap(),
    ]);
    let read: Value = serde_json::from_str(&python(&["read", export.to_str().unwrap()])).unwrap();
    let rows = read["Nhiệm vụ"].as_array().unwrap();
    assert_eq!(
        rows[0],
        serde_json::json!(LISTING_HEADER.split(',').collect::<Vec<_>>())
    );
    assert_eq!(rows.len(), 1 + 4);
    let row = rows
        .iter()
        .find(|r| r[1] == "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính")
        .unwrap();
    assert_eq!(
        row[0],
        titled(
            &tasks,
            "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính"
        )["task"]
    );
    assert_eq!(row[2], "KH CCHC 2021 (số hiệu không nêu trong bài)");
    assert_eq!(row[5], "Cục Xuất bản, In và Phát hành; Cục Tin học hóa");
    assert_eq!(row[7], serde_json::json!({"date": "2021-01-15"}));
    assert_eq!(row[8], serde_json::json!({"date": "2021-11-15"}));
    assert_eq!(row[9], "open");
    assert_eq!(row[11], "no");

    // The report as XLSX, before the plans were done and at the year's end: dates as dates,
    // days late and counts as numbers.
    let report = dir.path().join("bao-cao.xlsx");
    d.ok(&[
        "report",
        "--plan",
        "kh-cchc-2021",
        "--on",
        "2022-01-05",
        "--xlsx",
        report.to_str().unwrap(),
    ]);
    let read: Value = serde_json::from_str(&python(&["read", report.to_str().unwrap()])).unwrap();
    let rows = read["Báo cáo"].as_array().unwrap();
    assert_eq!(
        rows[0],
        serde_json::json!([
            "task",
            "plan",
            "lead",
            "deadline",
            "standing",
            "completed",
            "days late"
        ])
    );
    let overdue = rows
        .iter()
        .find(|r| r[0] == "Công bố thủ tục hành chính sửa đổi")
        .unwrap();
    assert_eq!(overdue[3], serde_json::json!({"date": "2021-09-30"}));
    assert_eq!(overdue[4], "overdue");
    assert_eq!(overdue[6], 97);
    let done = rows
        .iter()
        .find(|r| r[0] == "Tổ chức triển khai kế hoạch cải cách hành chính năm 2021 của Bộ")
        .unwrap();
    assert_eq!(done[5], serde_json::json!({"date": "2021-12-31"}));
    let totals = read["Tổng hợp"].as_array().unwrap();
    assert!(
        totals.iter().any(|r| r[0] == "tasks" && r[1] == 4),
        "{totals:?}"
    );
    assert!(
        totals.iter().any(|r| r[0] == "overdue" && r[1] == 3),
        "{totals:?}"
    );

    // The export imported again names the same tasks: nothing new here, and a fresh daemon
    // given it holds the same tasks with the same ids.
    let before = head(&d);
    let again = import_sheet(&d, &export, &[]);
    let said = String::from_utf8_lossy(&again.stdout);
    assert!(
        said.contains("0 changes written"),
        "{said}{}",
        stderr(&again)
    );
    assert_eq!(head(&d), before);
    let fresh = Daemon::start(&dir.path().join("b"));
    let out = import_sheet(&fresh, &export, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let copy = plan_tasks(&fresh, "2021-06-01");
    check_imported_workbook(&copy);
    assert_eq!(copy, tasks);
}

#[test]
fn listings_and_reports_as_csv_keep_their_dates_and_the_byte_order_mark_is_optional() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dir.path().join("store"));
    d.import_seed_and_plans();
    let listing = d.ok(&[
        "tasks",
        "--unit",
        "vu-to-chuc-can-bo",
        "--role",
        "lead",
        "--on",
        "2021-06-30",
        "--csv",
        "--bom",
    ]);
    let text = csv_body(&listing);
    let lines = csv_table(text, LISTING_HEADER, 4);
    let first = lines
        .iter()
        .find(|l| l.contains(",Tổ chức triển khai kế hoạch cải cách hành chính năm 2021 của Bộ,"))
        .unwrap();
    assert!(
        first.contains(",Vụ Tổ chức cán bộ,Văn phòng Bộ; Cục Tin học hóa,Phạm Minh Tiến,2021-01-15,2021-12-31,open,,no"),
        "{first}"
    );
    // As known before the plans were imported (position 83 ends the seed case's first write).
    let early = d.ok(&[
        "tasks",
        "--unit",
        "vu-to-chuc-can-bo",
        "--on",
        "2021-06-30",
        "--known-at",
        "83",
        "--csv",
    ]);
    assert_eq!(early.lines().count(), 1, "{early}");
    assert!(early.starts_with("code,"));
    // No mark unless asked for; --no-bom, the flag of when the mark was the default, is
    // still taken.
    let report = d.ok(&UNIT_REPORT_CSV);
    assert_eq!(
        report,
        d.ok(&[&UNIT_REPORT_CSV[..], &["--no-bom"]].concat())
    );
    assert!(
        report.starts_with("task,plan,lead,deadline,standing,completed,days late\n"),
        "{report}"
    );
    // An XLSX file and CSV at once is a usage error.
    let both = d.ctl(&["tasks", "--csv", "--xlsx", "x.xlsx"]);
    assert_eq!(code(&both), Some(reformctl::exit::USAGE));
}
