//! Writes with `skip_recorded` and `dry_run`: a change already recorded is skipped, one
//! recorded with other content is a 409 naming it, a dry run appends nothing, and refusals
//! name entities by name and id.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::support::Daemon;

fn unit(slug: &str) -> String {
    reformlog::UnitId::from_slug(slug).unwrap().to_string()
}

fn task(slug: &str, deadline: &str) -> Value {
    json!({ "create_task": {
        "task": reformlog::TaskId::from_slug(slug).unwrap(),
        "plan": null,
        "title": format!("Nhiệm vụ {slug}"),
        "product": "Báo cáo",
        "deadline": deadline,
        "assignment": null,
        "on": "2022-02-01",
    }})
}

#[test]
fn changes_already_recorded_are_skipped_and_a_dry_run_appends_nothing() {
    let d = Daemon::start(true);
    let (status, first) =
        d.commands(&json!({ "commands": [task("t1", "2022-06-30")], "skip_recorded": true }));
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let head = d.head();
    let both = json!({ "commands": [task("t1", "2022-06-30"), task("t2", "2022-09-30")], "skip_recorded": true });
    let (status, planned) = d
        .commands(&json!({ "commands": both["commands"], "skip_recorded": true, "dry_run": true }));
    assert_eq!(status, StatusCode::OK, "{planned}");
    assert_eq!(planned["dry_run"], true);
    assert_eq!(planned["skipped"], json!([0]));
    assert_eq!(planned["events"].as_array().unwrap().len(), 1);
    assert_eq!(d.head(), head);
    let (status, second) = d.commands(&both);
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["skipped"], json!([0]));
    assert_eq!(d.head(), head + 1);
    let (status, third) = d.commands(&both);
    assert_eq!(status, StatusCode::OK, "{third}");
    assert_eq!(third["deduplicated"], true);
    assert_eq!(d.head(), head + 1);
}

#[test]
fn a_change_recorded_with_other_content_is_a_409_naming_its_index() {
    let d = Daemon::start(true);
    d.commands(&json!({ "commands": [task("t1", "2022-06-30")], "skip_recorded": true }));
    let head = d.head();
    let (status, problem) = d.commands(&json!({ "commands": [task("t2", "2022-09-30"), task("t1", "2022-07-31")], "skip_recorded": true }),
    );
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "change-recorded-differently");
    assert_eq!(problem["errors"]["change"], 1);
    assert_eq!(d.head(), head);
}

#[test]
fn skip_recorded_with_an_idempotency_key_is_a_typed_400() {
    let d = Daemon::start(true);
    let r = d
        .request(Method::POST, "/v1/commands", Some(&d.tokens.editor))
        .header("idempotency-key", "k-1")
        .json(&json!({ "commands": [task("t1", "2022-06-30")], "skip_recorded": true }))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let problem: Value = r.json().unwrap();
    assert_eq!(problem["code"], "invalid-options");
}

#[test]
fn a_refusal_names_the_entities_it_is_about() {
    let d = Daemon::start(true);
    let again = json!({ "establish_unit": {
        "unit": unit("cuc-tin-hoc-hoa"), "name": "Cục Tin học hóa", "kind": "authority",
        "parent": unit("bo-tttt"), "on": "2022-02-01", "decision": null,
    }});
    let (status, problem) = d.commands(&json!({ "commands": [again] }));
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("\"Cục Tin học hóa\""), "{detail}");
    assert!(detail.contains(&unit("cuc-tin-hoc-hoa")), "{detail}");
    let named = &problem["errors"]["entities"][0];
    assert_eq!(named["kind"], "unit");
    assert_eq!(named["name"], "Cục Tin học hóa");
}

#[test]
fn a_change_dated_beyond_the_horizon_is_refused() {
    let d = Daemon::start(true);
    let head = d.head();
    let register = |on: &str| {
        json!({ "commands": [{ "register_person": {
            "person": uuid::Uuid::now_v7(), "name": "Thành viên 23", "on": on,
        }}]})
    };
    let (status, problem) = d.commands(&register("2099-01-01"));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "date-beyond-horizon");
    assert_eq!(problem["errors"]["change"], 0);
    assert_eq!(d.head(), head);
    let (status, _) = d.commands(&register("2022-02-01"));
    assert_eq!(status, StatusCode::CREATED);
}
