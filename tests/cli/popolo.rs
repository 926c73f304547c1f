//! Popolo from elsewhere: a third-party file (string ids, memberships without ids or posts,
//! fields reformlog does not keep) imported with `--cite`, shown, imported again without
//! change, and bad files refused by type with nothing written.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

use super::support::{failed_with, Daemon};

const COMMITTEE: &str = "Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông";
const CITE: [&str; 2] = ["--cite", "34/QĐ-BTTTT"];

fn third_party() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/popolo-third-party.json")
}

/// `reformctl import --cite 34/QĐ-BTTTT` of `file`, with `more` arguments first.
fn import_cited(d: &Daemon, more: &[&str], file: &str) -> String {
    d.ok(&[more, &["import"], &CITE[..], &[file]].concat())
}

/// The composition of the file's committee on `on`, as the daemon answers it.
fn composition_of(d: &Daemon, on: &str) -> Value {
    let text = d.ok(&["--json", "committee", "show", COMMITTEE, "--on", on]);
    serde_json::from_str::<Value>(&text).unwrap()["answer"].clone()
}

/// (role, person) of every holder of a composition's own seats.
fn seated(c: &Value) -> BTreeSet<(String, String)> {
    c["seats"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["holders"].as_array().unwrap().iter().map(|h| {
                (
                    s["role"].as_str().unwrap().to_owned(),
                    h["person"]["name"].as_str().unwrap().to_owned(),
                )
            })
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter()
        .map(|(r, p)| ((*r).to_owned(), (*p).to_owned()))
        .collect()
}

#[test]
fn a_third_party_popolo_file_imports_citing_its_decision_and_shows_who_sat() {
    let dirs = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dirs.path().join("a"));
    let file = third_party();
    let file = file.to_str().unwrap();

    // Its committee and memberships cite nothing: without --cite nothing is written.
    let err = failed_with(&d.ctl(&["import", file]), reformctl::exit::INVALID_INPUT);
    assert!(
        err.contains("organization bcd cites no decision") && err.contains("--cite"),
        "{err}"
    );

    // What the file carries that is not kept is told, in the dry run and the summary.
    let plan = d.ok(&["--json", "import", "--dry-run", CITE[0], CITE[1], file]);
    let plan: Value = serde_json::from_str(&plan).unwrap();
    let notes = plan["files"][0]["notes"].to_string();
    for field in [
        "\\\"meta\\\"",
        "\\\"x_ghi_chu\\\"",
        "\\\"x_register_row\\\"",
    ] {
        assert!(notes.contains(field), "{field} in {notes}");
    }
    let diff = d.ok(&["import", "--dry-run", CITE[0], CITE[1], file]);
    assert!(
        diff.lines()
            .any(|l| l == r#"! Popolo persons: field "x_ghi_chu" not kept (1 records, first "p1")"#),
        "{diff}"
    );
    let summary: Value = serde_json::from_str(&import_cited(&d, &["--json"], file)).unwrap();
    assert!(
        summary["changes_written"].as_u64().unwrap() > 0,
        "{summary}"
    );
    assert!(
        summary["notes"].to_string().contains("x_ghi_chu"),
        "{summary}"
    );
    // The links the event and a membership citing it carry are kept on the decision, each
    // once; a membership's link that cites no decision is told as not kept.
    assert!(
        summary["notes"]
            .to_string()
            .contains("Popolo memberships: source link citing no decision not kept (1 records"),
        "{summary}"
    );
    let links = |d: &Daemon| {
        let text = d.ok(&["--json", "decision", "show", "34/QĐ-BTTTT"]);
        serde_json::from_str::<Value>(&text).unwrap()["answer"]["decision"]["links"].clone()
    };
    let kept = serde_json::json!([
        {"url": "https://example.org/van-ban/34-qd-btttt",
         "note": "Cổng thông tin (địa chỉ giả định)"},
        {"url": "https://example.org/vbpl/34-qd-btttt", "note": "Quyết định 34/QĐ-BTTTT"}
    ]);
    assert_eq!(links(&d), kept);
    let shown = d.ok(&["decision", "show", "34/QĐ-BTTTT"]);
    assert!(
        shown.contains(
            "text at https://example.org/van-ban/34-qd-btttt (Cổng thông tin (địa chỉ giả định))"
        ),
        "{shown}"
    );

    let on = composition_of(&d, "2022-01-15");
    assert_eq!(
        seated(&on),
        pairs(&[
            ("head", "Nguyễn Huy Dũng"),
            ("deputy_head", "Phạm Minh Tiến"),
            ("deputy_head", "Đỗ Công Anh"),
            ("member", "Thành viên 1"),
            ("member", "Thành viên 2"),
        ])
    );
    // The head's seat is listed first, and a member represents the unit the file names.
    assert_eq!(on["seats"][0]["role"], "head");
    let behalf: Vec<&Value> = on["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["on_behalf_of"]["name"])
        .filter(|n| n.is_string())
        .collect();
    assert_eq!(behalf, ["Vụ Bưu chính", "Vụ Thi đua - Khen thưởng"]);
    assert_eq!(
        seated(&on["sub_bodies"][0]),
        pairs(&[
            ("group_leader", "Phạm Minh Tiến"),
            ("deputy_group_leader", "Nguyễn Phú Tiến"),
        ])
    );
    // Thành viên 2's membership ended on 2023-02-01; the day before it did not.
    let after = composition_of(&d, "2023-02-01");
    let later = seated(&after);
    // The seat made for that membership ended with it: no seat is left standing vacant.
    let vacant: Vec<&Value> = after["seats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["holders"].as_array().unwrap().is_empty())
        .collect();
    assert!(vacant.is_empty(), "{vacant:?}");
    assert_eq!(after["seats"].as_array().unwrap().len(), 4, "{after}");
    assert!(!later.iter().any(|(_, p)| p == "Thành viên 2"), "{later:?}");
    assert!(later.iter().any(|(_, p)| p == "Thành viên 1"), "{later:?}");
    assert_eq!(
        seated(&composition_of(&d, "2023-01-31")).len(),
        5,
        "before the end"
    );
    // Before the decision, the committee does not exist.
    assert_eq!(composition_of(&d, "2022-01-13")["active"], false);
    // The head is recorded from the day the file first places him: his post from 2021.
    let history = d.ok(&["--json", "history", "Nguyễn Huy Dũng"]);
    let history: Value = serde_json::from_str(&history).unwrap();
    assert_eq!(history["answer"]["names"][0]["from"], "2021-01-01");
    assert_eq!(
        history["answer"]["positions"][0]["post"]["title"],
        "Thứ trưởng Bộ Thông tin và Truyền thông"
    );

    // Exported again, it is Popolo reformlog reads back with the same answers.
    let exported = dirs.path().join("again.popolo.json");
    d.ok(&["export", "popolo", "-o", exported.to_str().unwrap()]);
    super::assert_valid_popolo(&exported);
    let b = Daemon::start(&dirs.path().join("b"));
    let back = b.ok(&["--json", "import", exported.to_str().unwrap()]);
    let back: Value = serde_json::from_str(&back).unwrap();
    // Everything reformlog exports, it reads back: nothing is reported as not kept.
    assert_eq!(back["notes"], serde_json::json!([]), "{back}");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    let event = &doc["events"][0];
    assert_eq!(event["sources"], kept, "{event}");
    // A membership cites its decision by URN, then the decision's published text.
    let member = doc["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["reformlog_role"] == "member")
        .unwrap();
    let urls: Vec<&str> = member["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["url"].as_str().unwrap())
        .collect();
    assert!(urls[0].starts_with(reformctl::DECISION_URN), "{member}");
    assert_eq!(
        urls[1..],
        [
            "https://example.org/van-ban/34-qd-btttt",
            "https://example.org/vbpl/34-qd-btttt"
        ]
    );
    assert_eq!(links(&b), kept);
    for day in ["2022-01-15", "2023-02-01"] {
        assert_eq!(composition_of(&d, day), composition_of(&b, day), "{day}");
    }
}

#[test]
fn a_third_party_file_imported_twice_keeps_its_ids_and_records_nothing_twice() {
    let dirs = tempfile::tempdir().unwrap();
    let a = Daemon::start(&dirs.path().join("a"));
    let b = Daemon::start(&dirs.path().join("b"));
    let file = third_party();
    let file = file.to_str().unwrap();
    import_cited(&a, &[], file);
    let head = super::head(&a);
    let again: Value = serde_json::from_str(&import_cited(&a, &["--json"], file)).unwrap();
    assert_eq!(again["changes_written"], 0, "{again}");
    assert_eq!(super::head(&a), head);
    import_cited(&b, &[], file);
    // The ids come from the file's own ids, not from the daemon: both give one document.
    let doc_a = a.ok(&["export", "popolo"]);
    assert_eq!(doc_a, b.ok(&["export", "popolo"]));
    let doc: Value = serde_json::from_str(&doc_a).unwrap();
    assert_eq!(doc["persons"].as_array().unwrap().len(), 6);
    assert_eq!(doc["memberships"].as_array().unwrap().len(), 8);
    assert_eq!(doc["organizations"].as_array().unwrap().len(), 5);
}

#[test]
fn bad_popolo_files_are_refused_by_what_is_wrong_and_write_nothing() {
    let dirs = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dirs.path().join("d"));
    d.ok(&["import", super::seed_file().to_str().unwrap()]);
    let head = super::head(&d);
    let text = std::fs::read_to_string(third_party()).unwrap();
    let refused = |name: &str, body: &str, extra: &[&str]| {
        let path = dirs.path().join(name);
        std::fs::write(&path, body).unwrap();
        let args = [&["import"], extra, &[path.to_str().unwrap()]].concat();
        let err = failed_with(&d.ctl(&args), reformctl::exit::INVALID_INPUT);
        assert_eq!(super::head(&d), head, "{name} wrote something");
        err
    };
    let dangling = text.replacen(
        r#""person_id": "p1", "organization_id": "bcd""#,
        r#""person_id": "p9", "organization_id": "bcd""#,
        1,
    );
    let err = refused("dangling.json", &dangling, &CITE);
    assert!(
        err.contains(r#"person_id "p9" names no person of the file"#),
        "{err}"
    );
    let elsewhere = text.replacen(r#""on_behalf_of_id": "bc""#, r#""on_behalf_of_id": "x""#, 1);
    let err = refused("elsewhere.json", &elsewhere, &CITE);
    assert!(
        err.contains(r#"on_behalf_of_id "x" names no organization of the file"#),
        "{err}"
    );
    let err = refused("cite.json", &text, &["--cite", "99/QĐ-BTTTT"]);
    assert!(
        err.contains(r#"--cite "99/QĐ-BTTTT" names no event"#),
        "{err}"
    );
    let err = refused("uncited.json", &text, &[]);
    assert!(err.contains("cites no decision"), "{err}");
    let no_person = text.replacen(r#""person_id": "p6", "#, "", 1);
    let err = refused("no-person.json", &no_person, &CITE);
    assert!(err.contains("person_id"), "{err}");
    let bad_role = text.replacen(r#""role": "Tổ phó""#, r#""role": "Cố vấn""#, 1);
    let err = refused("role.json", &bad_role, &CITE);
    assert!(err.contains(r#"role "Cố vấn""#), "{err}");
    let unclassified = text.replacen(r#""classification": "department","#, "", 1);
    let err = refused("unclassified.json", &unclassified, &CITE);
    assert!(
        err.contains("organization tdkt: has no classification"),
        "{err}"
    );
    let end_undated = text.replacen(
        r#""role": "Tổ phó","#,
        r#""role": "Tổ phó", "end_decision_id": "qd34","#,
        1,
    );
    let err = refused("end-undated.json", &end_undated, &CITE);
    assert!(
        err.contains("has an end_decision_id but no end_date"),
        "{err}"
    );
    let twice = text.replacen(r#""id": "p2""#, r#""id": "p1""#, 1);
    let err = refused("twice.json", &twice, &CITE);
    assert!(err.contains(r#"two persons have the id "p1""#), "{err}");
}
