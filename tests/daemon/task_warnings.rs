//! Warnings on task answers over HTTP, through the read models: a repealed plan shows on the
//! task's detail, in filtered lists and in reports, from the repeal's date and as known
//! after it was recorded.

use serde_json::json;

use super::support::Daemon;

#[test]
fn task_answers_warn_of_a_repealed_plan_through_the_read_models() {
    let d = Daemon::start(true);
    let before = d.head();
    d.command_ok(json!({ "record_decision": {
            "decision": reformlog::DecisionId::from_slug("hypothetical-repeal-kh-2021").unwrap(),
            "number": "HYPOTHETICAL-11/QĐ-BTTTT", "kind": "decision",
            "issuer": reformlog::UnitId::from_slug("bo-tttt").unwrap(), "signer": null,
            "signed_on": "2021-06-01", "in_force_on": "2021-06-01",
            "title": "Hypothetical decision repealing the 2021 plan, for tests",
            "amends": [], "replaces": [], "repeals": [reformlog::DecisionId::from_slug("kh-cchc-2021").unwrap()]
        }}),
    );
    let task = "/v1/tasks/trien-khai-kh-cchc-2021";
    let detail = d.get_json(&format!("{task}?on=2021-07-01"), &d.tokens.viewer);
    let warnings = &detail["answer"]["details"]["task"]["warnings"];
    assert_eq!(warnings[0]["code"], "plan-repealed", "{detail}");
    assert_eq!(
        warnings[0]["decision"]["number"],
        "HYPOTHETICAL-11/QĐ-BTTTT"
    );
    assert_eq!(warnings[0]["since"], "2021-06-01");
    let earlier = d.get_json(&format!("{task}?on=2021-05-31"), &d.tokens.viewer);
    assert_eq!(earlier["answer"]["details"]["task"]["warnings"], json!([]));
    let known_before = d.get_json(
        &format!("{task}?on=2021-07-01&known_at={before}"),
        &d.tokens.viewer,
    );
    assert_eq!(
        known_before["answer"]["details"]["task"]["warnings"],
        json!([])
    );
    let listed = d.get_json(
        "/v1/tasks/filter?plan=kh-cchc-2021&on=2021-07-01",
        &d.tokens.viewer,
    );
    assert_eq!(listed["answer"][0]["warnings"][0]["code"], "plan-repealed");
    let report = d.get_json(
        "/v1/reports/tasks?plan=kh-cchc-2021&on=2021-07-01",
        &d.tokens.viewer,
    );
    assert_eq!(
        report["answer"]["tasks"][0]["warnings"][0]["code"],
        "plan-repealed"
    );
}
