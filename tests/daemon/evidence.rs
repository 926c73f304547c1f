//! A progress report's evidence over HTTP: documents sent in a `report_progress` come back in
//! the task's details and history, malformed ones are 422 `invalid-evidence` and append
//! nothing, the older free-text form is still taken as the note, and the OpenAPI document
//! describes the fields the library reads.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::support::Daemon;

const TASK: &str = "trien-khai-kh-cchc-2021";
const HASH: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

fn document() -> Value {
    json!({
        "number": "HYPOTHETICAL-12/BC-VP",
        "title": "Báo cáo sơ kết 6 tháng (giả định)",
        "link": "https://mic.gov.vn/van-ban/hypothetical-12.pdf",
        "sha256": HASH,
    })
}

fn report(evidence: Value) -> Value {
    json!({ "commands": [{ "report_progress": {
        "task": reformlog::TaskId::from_slug(TASK).unwrap().to_string(),
        "percent": 50,
        "note": "Đã triển khai nửa kế hoạch",
        "evidence": evidence,
        "on": "2021-06-30",
    }}]})
}

#[test]
fn documents_sent_with_a_report_come_back_in_the_task_s_details_and_history() {
    let d = Daemon::start(true);
    let evidence = json!({ "note": "công văn số 1", "documents": [document()] });
    let (status, body) = d.commands(&report(evidence.clone()));
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let task = d.get_json(&format!("/v1/tasks/{TASK}?on=2021-07-01"), &d.tokens.viewer);
    let last = &task["answer"]["details"]["task"]["last_report"];
    assert_eq!(last["percent"], 50, "{task}");
    assert_eq!(last["on"], "2021-06-30");
    assert_eq!(last["evidence"], evidence, "{task}");
    let before = d.get_json(&format!("/v1/tasks/{TASK}?on=2021-06-29"), &d.tokens.viewer);
    assert_eq!(
        before["answer"]["details"]["task"]["last_report"],
        Value::Null
    );
    let history = d.get_json(&format!("/v1/history/task/{TASK}"), &d.tokens.viewer);
    let reported = history["answer"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e["event"].get("task_progress_reported"))
        .unwrap();
    assert_eq!(reported["evidence"], evidence, "{history}");
}

#[test]
fn malformed_evidence_is_a_422_naming_the_document_and_appends_nothing() {
    let d = Daemon::start(true);
    let head = d.head();
    let with = |field: &str, value: Value| {
        let mut doc = document();
        doc[field] = value;
        json!({ "documents": [doc] })
    };
    for (evidence, says) in [
        (
            with("link", json!("ftp://mic.gov.vn/12.pdf")),
            "not an http(s) URL",
        ),
        (
            with("sha256", json!(&HASH[..63])),
            "64 lowercase hexadecimal",
        ),
        (
            json!({ "documents": [{ "link": "https://mic.gov.vn/12.pdf" }] }),
            "needs a number or a title",
        ),
    ] {
        let (status, problem) = d.commands(&report(evidence.clone()));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["code"], "invalid-evidence", "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("document 0") && detail.contains(says),
            "{detail}"
        );
        assert_eq!(d.head(), head, "nothing appended for {evidence}");
    }
    // A field the format does not have is the body's error.
    let (status, problem) = d.commands(&report(json!({ "documents": [{ "numero": "1" }] })));
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(d.head(), head);
}

#[test]
fn evidence_as_text_is_still_taken_as_the_note() {
    let d = Daemon::start(true);
    let (status, body) = d.commands(&report(json!("công văn số 1")));
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let task = d.get_json(&format!("/v1/tasks/{TASK}?on=2021-07-01"), &d.tokens.viewer);
    assert_eq!(
        task["answer"]["details"]["task"]["last_report"]["evidence"],
        json!({ "note": "công văn số 1", "documents": [] })
    );
}

#[test]
fn the_openapi_document_describes_the_evidence_fields_the_library_reads() {
    let doc: Value = serde_json::from_str(&reformd::openapi_json()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let library = |v: Value| keys(&v);
    assert_eq!(
        keys(&schemas["EvidenceDocument"]["properties"]),
        library(serde_json::to_value(reformlog::EvidenceDocument::default()).unwrap())
    );
    assert_eq!(
        keys(&schemas["Evidence"]["properties"]),
        library(serde_json::to_value(reformlog::Evidence::default()).unwrap())
    );
    let progress = keys(&schemas["ReportProgress"]["properties"]);
    assert_eq!(
        progress,
        ["decision", "evidence", "note", "on", "percent", "task"]
    );
}
