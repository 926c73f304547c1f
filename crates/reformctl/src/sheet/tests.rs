//! Task sheets read against the seed case: the sample sheet, then sheets each wrong in one way.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use reformlog::{Command, TaskCreation, Translation};

use super::{load, Options};
use crate::batch::{self, Loaded};
use crate::import;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name)
}

/// The seed case and its 2021 plans, then `sheet` with `options`.
fn with_seed(sheet: &Path, options: &Options) -> Result<(Vec<Loaded>, Translation), crate::Error> {
    let mut t = Translation::new();
    let mut files = Vec::new();
    for name in ["seed-decision-34.toml", "seed-plans-2021.toml"] {
        files.push(import::load(&data(name), &mut t).unwrap());
    }
    let earlier: Vec<Command> = files
        .iter()
        .flat_map(|l| l.items.iter().map(|i| i.command.clone()))
        .collect();
    files.push(load(sheet, &mut t, earlier.iter(), options)?);
    Ok((files, t))
}

fn plan(slug: &str) -> Options {
    Options {
        plan: Some(slug.into()),
        sheet: None,
    }
}

fn csv(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("tasks.csv");
    std::fs::write(&path, text).unwrap();
    path
}

const HEADER: &str = "STT,Mã nhiệm vụ,Tên nhiệm vụ,Sản phẩm,Đơn vị chủ trì,Thời hạn\n";

#[test]
fn the_sample_sheet_reads_as_three_tasks_that_pass_the_domain_rules() {
    let (files, t) = with_seed(&data("tasks-kh-cchc-2021.csv"), &plan("kh-cchc-2021")).unwrap();
    let sheet = files.last().unwrap();
    let tasks: Vec<_> = sheet
        .items
        .iter()
        .filter_map(|i| match &i.command {
            Command::CreateTask(TaskCreation {
                title,
                deadline,
                on,
                assignment,
                ..
            }) => Some((
                i.origin.to_string(),
                title.clone(),
                deadline.to_string(),
                on.to_string(),
                assignment.as_ref().map(|a| a.cooperating.len()),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(tasks.len(), 3, "{tasks:?}");
    assert!(
        tasks[0].0.ends_with("tasks-kh-cchc-2021.csv, row 7"),
        "{tasks:?}"
    );
    assert_eq!(tasks[0].2, "2021-06-30");
    // No "Ngày giao": the plan's date; given, the date written.
    assert_eq!(tasks[0].3, "2021-01-15");
    assert_eq!(tasks[1].3, "2021-03-01");
    // "Văn phòng Bộ, Cục Xuất bản, In và Phát hành" is two units; a line break separates too.
    assert_eq!(tasks[1].4, Some(2));
    assert_eq!(tasks[2].4, Some(2));
    assert!(
        sheet
            .notes
            .iter()
            .any(|n| n.contains("rows 5, 6, 9 read as headings")),
        "{:?}",
        sheet.notes
    );
    let batches: Vec<_> = files
        .into_iter()
        .map(|l| {
            let b = batch::plan(&l);
            (l, b)
        })
        .collect();
    import::validate(&batches, &t).unwrap();
}

#[test]
fn a_sheet_without_plan_says_which_plans_there_are() {
    let err = with_seed(&data("tasks-kh-cchc-2021.csv"), &Options::default()).unwrap_err();
    let e = err.to_string();
    assert!(
        e.contains("--plan") && e.contains("\"kh-cchc-2021\""),
        "{e}"
    );
    let err = with_seed(&data("tasks-kh-cchc-2021.csv"), &plan("34/QĐ-BTTTT")).unwrap_err();
    assert!(err.to_string().contains("not a plan"), "{err}");
}

#[test]
fn bad_cells_are_named_by_row_and_column_with_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv(
        dir.path(),
        &format!(
            "{HEADER}1,A,Nhiệm vụ 1,Báo cáo,Vụ Không Có,30/06/2021\n2,B,Nhiệm vụ 2,Báo cáo,Văn phòng Bộ,31/13/2021\n3,A,Nhiệm vụ 3,Báo cáo,Văn phòng Bộ,30/06/2021\n4,C,Nhiệm vụ 4,,Văn phòng Bộ,30/06/2021\n"
        ),
    );
    let err = with_seed(&path, &plan("kh-cchc-2021")).unwrap_err();
    assert_eq!(err.exit_code(), crate::exit::INVALID_INPUT);
    let e = err.to_string();
    for part in [
        "4 problems, nothing sent",
        "row 2, column E \"Đơn vị chủ trì\" (lead): no unit of this import is named \"Vụ Không Có\"",
        "row 3, column F \"Thời hạn\" (deadline): \"31/13/2021\" is not a date",
        "row 4, column B \"Mã nhiệm vụ\" (code): \"A\" is also the code of row 2",
        "row 5, column D \"Sản phẩm\" (product): empty",
    ] {
        assert!(e.contains(part), "{part:?} in {e}");
    }
}

#[test]
fn a_missing_column_is_named_with_the_headers_it_may_have() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv(
        dir.path(),
        "STT,Tên nhiệm vụ,Sản phẩm\n1,Nhiệm vụ 1,Báo cáo\n",
    );
    let e = with_seed(&path, &plan("kh-cchc-2021"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("row 1 is the header row, and it has no column \"Thời hạn\" (deadline)")
            && e.contains("\"Hạn hoàn thành\""),
        "{e}"
    );
}

#[test]
fn a_semicolon_separated_sheet_reads_like_a_comma_separated_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv(
        dir.path(),
        "\u{feff}stt;code;title;product;lead;cooperating;responsible;deadline\n1;A;Nhiệm vụ 1;Báo cáo;van-phong-bo;Thanh tra Bộ, Vụ Pháp chế;pham-minh-tien;2021-06-30\n",
    );
    let (files, _) = with_seed(&path, &plan("KH CCHC 2021 (số hiệu không nêu trong bài)")).unwrap();
    let c = &files.last().unwrap().items[0].command;
    let Command::CreateTask(TaskCreation {
        assignment: Some(a),
        ..
    }) = c
    else {
        panic!("{c:?}")
    };
    assert_eq!(a.cooperating.len(), 2);
    assert!(a.responsible.is_some());
}

#[test]
fn a_responsible_person_needs_a_lead_unit() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv(
        dir.path(),
        "Mã,Tên nhiệm vụ,Sản phẩm,Người phụ trách,Thời hạn\nA,Nhiệm vụ 1,Báo cáo,Phạm Minh Tiến,30/06/2021\n",
    );
    let e = with_seed(&path, &plan("kh-cchc-2021"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("column D \"Người phụ trách\" (responsible): a task without a lead unit"),
        "{e}"
    );
}
