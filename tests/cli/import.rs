//! `reformctl import` against a running daemon: a file imported again after additions writes
//! only the additions, a changed entity is refused naming its entry, and several files share
//! their entities.

use super::support::{assert_contains, seed_file, stderr, Daemon};

const PLAN: &str = include_str!("../data/cli-import-plan.toml");

const MORE: &str = include_str!("../data/cli-import-more.toml");

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// The tasks of the 2022 plan on 1 February 2022, as JSON.
fn plan_tasks(d: &Daemon) -> String {
    d.ok(&[
        "--json",
        "tasks",
        "--plan",
        "kh-cchc-2022",
        "--on",
        "2022-02-01",
    ])
}

#[test]
fn a_task_added_to_an_imported_plan_is_written_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dir.path().join("store"));
    let seed = std::fs::read_to_string(seed_file()).unwrap();
    let file = write(dir.path(), "plan.toml", &format!("{seed}\n{PLAN}"));
    let first = d.ok(&["import", &file]);
    assert!(
        first.contains("already recorded") || first.contains("written"),
        "{first}"
    );
    assert!(!plan_tasks(&d).contains("Nhiệm vụ 2"));

    let grown = write(dir.path(), "plan.toml", &format!("{seed}\n{PLAN}\n{MORE}"));
    let plan = d.ok(&["import", "--dry-run", &grown]);
    let new: Vec<_> = plan.lines().filter(|l| l.starts_with('+')).collect();
    assert_eq!(new.len(), 1, "{plan}");
    assert!(new[0].contains("task"), "{plan}");
    let second = d.ok(&["import", &grown]);
    assert!(second.contains("1 changes written"), "{second}");
    let shown = plan_tasks(&d);
    assert_contains(&shown, &["Nhiệm vụ 1", "Nhiệm vụ 2"]);
    // Once more: nothing.
    let third = d.ok(&["import", &grown]);
    assert!(third.contains("0 changes written"), "{third}");
}

#[test]
fn a_changed_deadline_in_the_file_is_refused_naming_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dir.path().join("store"));
    let seed = std::fs::read_to_string(seed_file()).unwrap();
    let file = write(dir.path(), "plan.toml", &format!("{seed}\n{PLAN}"));
    d.ok(&["import", &file]);
    let changed = PLAN.replace("2022-06-30", "2022-07-31");
    let file = write(dir.path(), "plan.toml", &format!("{seed}\n{changed}"));
    let out = d.ctl(&["import", &file]);
    assert!(!out.status.success());
    let err = stderr(&out);
    let line = format!("{seed}\n{changed}")
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[tasks]]")
        .map(|(i, _)| i + 1)
        .next()
        .unwrap();
    assert!(
        err.contains(&format!("plan.toml:{line} (tasks #1)")),
        "{err}"
    );
    assert!(err.contains("other content"), "{err}");
    // The task keeps its recorded deadline.
    let shown = plan_tasks(&d);
    assert!(
        shown.contains("2022-06-30") && !shown.contains("2022-07-31"),
        "{shown}"
    );
}

#[test]
fn files_imported_together_may_share_their_entities() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dir.path().join("store"));
    let seed = std::fs::read_to_string(seed_file()).unwrap();
    // The second file repeats the ministry and the department it refers to.
    let units = "records_from = \"2021-01-01\"\n\n[[units]]\nslug = \"bo-tttt\"\nname = \"Bộ Thông tin và Truyền thông\"\nkind = \"ministry\"\n\n[[units]]\nslug = \"vu-to-chuc-can-bo\"\nname = \"Vụ Tổ chức cán bộ\"\nkind = \"department\"\nparent = \"bo-tttt\"\n";
    let plan = format!("{units}{PLAN}");
    let a = write(dir.path(), "a.toml", &seed);
    let b = write(dir.path(), "b.toml", &plan);
    let out = d.ok(&["import", &a, &b]);
    assert!(out.contains("import done"), "{out}");
    let shown = plan_tasks(&d);
    assert!(shown.contains("Nhiệm vụ 1"), "{shown}");
    // Defined differently, the error names both files.
    let other = plan.replace("name = \"Vụ Tổ chức cán bộ\"", "name = \"Vụ Tổ chức\"");
    let b = write(dir.path(), "b.toml", &other);
    let out = d.ctl(&["import", &a, &b]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_contains(&err, &["a.toml:", "b.toml:"]);
    assert!(err.contains("\"vu-to-chuc-can-bo\""), "{err}");
}
