//! A log export imported into a fresh daemon gives the same answers: the events restated as
//! commands, commit by commit, a correction pointed at its target in the new store; and
//! importing it again changes nothing.

use serde_json::{json, Value};

use super::support::{composition, seed_file, Daemon};

fn plans_file() -> std::path::PathBuf {
    seed_file().with_file_name("seed-plans-2021.toml")
}

fn answer(d: &Daemon, args: &[&str]) -> Value {
    let v: Value = serde_json::from_str(&d.ok(&[&["--json"], args].concat())).unwrap();
    v["answer"].clone()
}

#[test]
fn a_log_export_reimports_into_a_fresh_daemon_with_the_same_answers() {
    let dirs = tempfile::tempdir().unwrap();
    let a = Daemon::start(&dirs.path().join("a"));
    a.ok(&[
        "import",
        seed_file().to_str().unwrap(),
        plans_file().to_str().unwrap(),
    ]);
    // A rename entered wrong, then corrected: the correction must find its target in the
    // new store too.
    let person = reformlog::PersonId::from_slug("to-vien-3").unwrap();
    let dir = dirs.path();
    let wrong = dir.join("wrong.toml");
    std::fs::write(
        &wrong,
        "format = 2\nrecords_from = \"2021-01-01\"\n[[people]]\nslug = \"to-vien-3\"\nname = \"Tổ viên 3\"\n[[changes]]\ntype = \"rename_person\"\nperson = \"to-vien-3\"\nname = \"Tổ viên 3 (sai)\"\non = \"2022-03-01\"\n",
    )
    .unwrap();
    a.ok(&["import", wrong.to_str().unwrap()]);
    let log = dir.join("a.jsonl");
    a.ok(&["export", "log", "-o", log.to_str().unwrap()]);
    let rename = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["event_type"] == "person_renamed")
        .unwrap();
    let fix = json!({ "commands": [{ "correct": {
        "target": rename["event_id"],
        "corrected": { "person_renamed": { "person": person, "name": "Tổ viên 3 (đúng)", "on": "2022-03-01" } },
    }}]});
    let fixfile = dir.join("fix.json");
    std::fs::write(&fixfile, fix.to_string()).unwrap();
    let out = std::process::Command::new("curl")
        .args(["-sf", "-X", "POST", &format!("{}/v1/commands", a.base)])
        .args(["-H", &format!("Authorization: Bearer {}", a.token)])
        .args(["-H", "Content-Type: application/json", "--data-binary"])
        .arg(format!("@{}", fixfile.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    a.ok(&["export", "log", "-o", log.to_str().unwrap()]);

    let b = Daemon::start(&dirs.path().join("b"));
    b.ok(&["import", log.to_str().unwrap()]);
    for on in ["2022-01-13", "2022-01-15", "2022-03-02", "2030-01-01"] {
        assert_eq!(
            composition(&a, on),
            composition(&b, on),
            "composition on {on}"
        );
    }
    for args in [
        &["history", "to-vien-3"][..],
        &["history", "pham-minh-tien"],
        &[
            "tasks",
            "--plan",
            "kh-chi-so-cchc-2020",
            "--on",
            "2021-12-01",
        ],
        &["unit", "show", "cuc-tin-hoc-hoa", "--on", "2022-02-01"],
        &["search", "to vien 3"],
    ] {
        assert_eq!(answer(&a, args), answer(&b, args), "{args:?}");
    }
    let shown = b.ok(&["search", "to vien 3"]);
    assert!(shown.contains("Tổ viên 3 (đúng)"), "{shown}");
    // The same export again records nothing.
    let again = b.ok(&["import", log.to_str().unwrap()]);
    assert!(again.contains("0 changes written"), "{again}");
}
