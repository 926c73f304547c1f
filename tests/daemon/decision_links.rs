//! A decision's link to its published text over HTTP: a `link_decision` command shows in the
//! decision's details and changes, the same address twice and a bad URL are 422 and append
//! nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::support::Daemon;

const URL: &str = "https://example.org/van-ban/34-qd-btttt";

fn link(url: &str, note: Option<&str>) -> Value {
    json!({ "commands": [{ "link_decision": {
        "decision": reformlog::DecisionId::from_slug("qd-34-2022").unwrap().to_string(),
        "url": url,
        "note": note,
        "on": "2022-01-14",
    }}]})
}

#[test]
fn a_linked_decision_shows_its_links_in_its_details_and_changes() {
    let d = Daemon::start(true);
    let (status, body) = d.commands(&link(URL, Some("Cổng thông tin Bộ TT&TT")));
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = d.commands(&link("https://example.org/vbpl/34", None));
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let expected = json!([
        { "url": URL, "note": "Cổng thông tin Bộ TT&TT" },
        { "url": "https://example.org/vbpl/34", "note": null },
    ]);
    let details = d.get_json("/v1/decisions/qd-34-2022?on=2022-02-01", &d.tokens.viewer);
    assert_eq!(
        details["answer"]["details"]["decision"]["links"], expected,
        "{details}"
    );
    let changes = d.get_json("/v1/decisions/qd-34-2022/changes", &d.tokens.viewer);
    assert_eq!(
        changes["answer"]["decision"]["links"], expected,
        "{changes}"
    );
    let history = d.get_json("/v1/history/decision/qd-34-2022", &d.tokens.auditor);
    let linked = history["answer"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["what"] == "decision_linked")
        .count();
    assert_eq!(linked, 2, "{history}");
}

#[test]
fn the_same_link_twice_or_a_bad_url_is_a_422_and_appends_nothing() {
    let d = Daemon::start(true);
    d.command_ok(link(URL, None)["commands"][0].clone());
    let head = d.head();
    for (body, says) in [
        (link(URL, Some("lần nữa")), "already links to"),
        (link("ftp://example.org/34.pdf", None), "not an http(s) URL"),
        (link("example.org/34", None), "not an http(s) URL"),
    ] {
        let (status, problem) = d.commands(&body);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{detail}");
        assert_eq!(d.head(), head, "nothing appended for {body}");
    }
}
