//! What a reader of tasks sees with reformctl: a viewer follows the task feed with `tail
//! --categories task` (the whole log is refused), and task tables and reports print the
//! warnings the daemon gives, one line each.

use serde_json::Value;

use super::support::{code, ctl_as, ok, seed_file, stderr, Daemon};

#[test]
fn a_viewer_follows_the_task_feed_and_task_tables_print_their_warnings() {
    let dir = tempfile::tempdir().unwrap();
    // Made before the daemon starts, so it need not wait for the token file to be reloaded.
    let viewer = Daemon::token_for(dir.path(), "viewer", reformd::Role::Viewer);
    let d = Daemon::start(dir.path());
    let seed = seed_file();
    let plans = seed.with_file_name("seed-plans-2021.toml");
    let files = [seed.to_str().unwrap(), plans.to_str().unwrap()];
    d.ok(&["import", files[0], files[1]]);

    let args = [
        "--json",
        "tail",
        "--from",
        "1",
        "--categories",
        "task",
        "--until-caught-up",
    ];
    let feed = ok(ctl_as(&d.base, &viewer, &args), &args);
    let streams: Vec<String> = feed
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["stream"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    // Five tasks, each created and completed.
    assert_eq!(streams.len(), 10, "{feed}");
    assert!(streams.iter().all(|s| s.starts_with("task-")), "{feed}");
    let whole = ctl_as(
        &d.base,
        &viewer,
        &["tail", "--from", "1", "--until-caught-up"],
    );
    assert_eq!(
        code(&whole),
        Some(reformctl::exit::REFUSED),
        "{}",
        stderr(&whole)
    );

    // Hypothetically, the 2021 reform plan is repealed from 1 June 2021.
    let repeal = dir.path().join("repeal.toml");
    std::fs::write(
        &repeal,
        r#"records_from = "2021-01-01"

[[decisions]]
slug = "hypothetical-repeal-kh-cchc-2021"
number = "HYPOTHETICAL-12/QĐ-BTTTT"
issuer = "bo-tttt"
signed_on = "2021-06-01"
in_force_on = "2021-06-01"
title = "Hypothetical decision repealing the 2021 reform plan, for tests"
repeals = ["kh-cchc-2021"]
"#,
    )
    .unwrap();
    d.ok(&["import", files[0], files[1], repeal.to_str().unwrap()]);
    let tasks = d.ok(&["tasks", "--plan", "kh-cchc-2021", "--on", "2021-07-01"]);
    assert!(
        tasks.contains(
            "warning: Tổ chức triển khai kế hoạch cải cách hành chính năm 2021 của Bộ: the plan"
        ) && tasks.contains(
            "was repealed by HYPOTHETICAL-12/QĐ-BTTTT, in force from 2021-06-01 [plan-repealed]"
        ),
        "{tasks}"
    );
    let before = d.ok(&["tasks", "--plan", "kh-cchc-2021", "--on", "2021-05-31"]);
    assert!(!before.contains("warning:"), "{before}");
    let report = d.ok(&["report", "--plan", "kh-cchc-2021", "--on", "2021-07-01"]);
    assert!(report.contains("[plan-repealed]"), "{report}");
    // Done by its deadline, the task no longer raises it.
    let done = d.ok(&["tasks", "--plan", "kh-cchc-2021", "--on", "2021-12-31"]);
    assert!(!done.contains("warning:"), "{done}");
}
