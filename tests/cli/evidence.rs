//! `reformctl progress` with an evidence document: the file is hashed locally and only its
//! SHA-256 reaches the log, the task's history shows the document, the same report sent
//! again is recorded once, and a malformed document is refused before anything is sent.

use super::support::{code, stderr, Daemon};

const TASK: &str = "trien-khai-kh-cchc-2021";
/// SHA-256 of "abc" (FIPS 180-2's example), worked out independently of the code under test.
const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

fn history_len(d: &Daemon) -> usize {
    let text = d.ok(&["--json", "audit", "--kind", "task", "--entity", TASK]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["answer"].as_array().unwrap().len()
}

#[test]
fn a_report_sends_the_hash_of_its_evidence_file_and_the_history_shows_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dir.path().join("data"));
    d.import_seed_and_plans();
    let file = dir.path().join("bao-cao-so-ket.pdf");
    std::fs::write(&file, b"abc").unwrap();
    let args = [
        "progress",
        TASK,
        "--percent",
        "50",
        "--on",
        "2021-06-30",
        "--note",
        "Đã triển khai nửa kế hoạch",
        "--evidence-number",
        "HYPOTHETICAL-12/BC-VP",
        "--evidence-title",
        "Báo cáo sơ kết 6 tháng (giả định)",
        "--evidence-link",
        "https://mic.gov.vn/van-ban/hypothetical-12.pdf",
        "--evidence-file",
        file.to_str().unwrap(),
    ];
    let out = d.ok(&args);
    assert!(out.starts_with("recorded: 50% on 2021-06-30"), "{out}");
    assert!(out.contains(&format!("sha256 {ABC}")), "{out}");
    let recorded = history_len(&d);

    let text = d.ok(&["--json", "audit", "--kind", "task", "--entity", TASK]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let evidence = v["answer"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e.pointer("/event/task_progress_reported/evidence"))
        .unwrap()
        .clone();
    assert_eq!(
        evidence,
        serde_json::json!({ "note": null, "documents": [{
            "number": "HYPOTHETICAL-12/BC-VP",
            "title": "Báo cáo sơ kết 6 tháng (giả định)",
            "link": "https://mic.gov.vn/van-ban/hypothetical-12.pdf",
            "sha256": ABC,
        }]})
    );
    // Only the hash went: the file's name and bytes are nowhere in the answer.
    assert!(!text.contains("bao-cao-so-ket"), "{text}");
    let table = d.ok(&["audit", "--kind", "task", "--entity", TASK]);
    assert!(
        table.contains(&format!(
            "HYPOTHETICAL-12/BC-VP \"Báo cáo sơ kết 6 tháng (giả định)\" \
             https://mic.gov.vn/van-ban/hypothetical-12.pdf sha256 {ABC}"
        )),
        "{table}"
    );

    // The same report again is recorded once.
    let again = d.ok(&args);
    assert!(again.starts_with("already recorded"), "{again}");
    assert_eq!(history_len(&d), recorded);
}

#[test]
fn a_malformed_document_or_a_missing_file_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dir.path().join("data"));
    d.import_seed_and_plans();
    let before = history_len(&d);
    let base = ["progress", TASK, "--percent", "50", "--on", "2021-06-30"];
    let missing = dir.path().join("khong-co.pdf");
    for (extra, exit, says) in [
        (
            vec!["--evidence-link", "https://mic.gov.vn/12.pdf"],
            2,
            "needs a number or a title",
        ),
        (
            vec![
                "--evidence-number",
                "12/BC-VP",
                "--evidence-link",
                "mic.gov.vn/12.pdf",
            ],
            2,
            "not an http(s) URL",
        ),
        (
            vec![
                "--evidence-number",
                "12/BC-VP",
                "--evidence-file",
                missing.to_str().unwrap(),
            ],
            1,
            "khong-co.pdf",
        ),
    ] {
        let args = [&base[..], &extra].concat();
        let out = d.ctl(&args);
        assert_eq!(code(&out), Some(exit), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(history_len(&d), before);
    // Percent is checked by the command line too.
    let out = d.ctl(&["progress", TASK, "--percent", "101", "--on", "2021-06-30"]);
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
}
