//! Changes sent with a decision cite it: task changes posted through `POST /v1/decisions`
//! carry the decision, its `/changes` lists them, and a change citing another decision is
//! refused.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::support::Daemon;

fn id<T: ToString>(x: T) -> String {
    x.to_string()
}

fn decision_body(extra_changes: Vec<Value>) -> Value {
    json!({
        "reason": "gia hạn",
        "decision": { "record_decision": {
            "decision": id(reformlog::DecisionId::from_slug("hypothetical-1234").unwrap()),
            "number": "HYPOTHETICAL-1234/QĐ-BTTTT",
            "kind": "decision",
            "issuer": id(reformlog::UnitId::from_slug("bo-tttt").unwrap()),
            "signer": null,
            "signed_on": "2021-06-01",
            "in_force_on": "2021-06-01",
            "title": "Hypothetical decision for tests; not a real document",
            "amends": [], "replaces": [], "repeals": [],
        }},
        "changes": extra_changes,
    })
}

fn extend(slug: &str, deadline: &str) -> Value {
    json!({ "extend_deadline": {
        "task": id(reformlog::TaskId::from_slug(slug).unwrap()),
        "deadline": deadline,
        "on": "2021-06-01",
    }})
}

#[test]
fn task_changes_sent_with_a_decision_cite_it_and_decision_changes_lists_them() {
    let d = Daemon::start(true);
    let body = decision_body(vec![
        extend("trien-khai-kh-cchc-2021", "2022-03-31"),
        extend("tuyen-truyen-cchc-2021", "2022-03-31"),
        extend("dieu-tra-xa-hoi-hoc-2020", "2022-03-31"),
    ]);
    let r = d
        .request(Method::POST, "/v1/decisions", Some(&d.tokens.editor))
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().unwrap());
    let changes = d.get_json("/v1/decisions/hypothetical-1234/changes", &d.tokens.viewer);
    let listed: Vec<&Value> = changes["answer"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["event"].get("task_deadline_extended").is_some())
        .collect();
    assert_eq!(listed.len(), 3, "{changes}");
    for c in listed {
        assert_eq!(c["decision"]["number"], "HYPOTHETICAL-1234/QĐ-BTTTT", "{c}");
    }
    let history = d.get_json(
        "/v1/history/task/trien-khai-kh-cchc-2021",
        &d.tokens.auditor,
    );
    let extended = history["answer"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"].get("task_deadline_extended").is_some())
        .unwrap();
    assert_eq!(extended["decision"]["number"], "HYPOTHETICAL-1234/QĐ-BTTTT");
}

#[test]
fn a_change_citing_another_decision_than_its_batch_is_refused() {
    let d = Daemon::start(true);
    let head = d.head();
    let mut change = extend("trien-khai-kh-cchc-2021", "2022-03-31");
    change["extend_deadline"]["decision"] =
        json!(id(reformlog::DecisionId::from_slug("qd-34-2022").unwrap()));
    let r = d
        .request(Method::POST, "/v1/decisions", Some(&d.tokens.editor))
        .json(&decision_body(vec![change]))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let problem: Value = r.json().unwrap();
    assert_eq!(problem["code"], "change-cites-another-decision");
    assert_eq!(d.head(), head);
}

#[test]
fn every_role_that_reads_a_task_reads_its_history_and_only_a_task_s() {
    let d = Daemon::start(true);
    for token in [&d.tokens.viewer, &d.tokens.editor] {
        let r = d
            .request(
                Method::GET,
                "/v1/history/task/trien-khai-kh-cchc-2021",
                Some(token),
            )
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = d
            .request(
                Method::GET,
                "/v1/history/committee/bcd-cchc-bo-tttt",
                Some(token),
            )
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
}
