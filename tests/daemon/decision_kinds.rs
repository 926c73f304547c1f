//! Decisions over HTTP: a `record_decision` without `kind` takes the kind its number tells,
//! a number that tells none is refused asking for `kind`, and a decision in force before it
//! was signed is recorded and shown as such.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::support::Daemon;

/// A HYPOTHETICAL decision of `number`, signed and in force on the given days; `kind` is
/// left out when `None`.
fn record(
    id: Uuid,
    number: &str,
    kind: Option<Value>,
    signed_on: &str,
    in_force_on: &str,
) -> Value {
    let mut fields = json!({
        "decision": id, "number": number,
        "issuer": reformlog::UnitId::from_slug("bo-tttt").unwrap(), "signer": null,
        "signed_on": signed_on, "in_force_on": in_force_on,
        "title": "(Giả định) Văn bản kiểm thử, không phải văn bản thật",
        "amends": [], "replaces": [], "repeals": []
    });
    if let Some(kind) = kind {
        fields["kind"] = kind;
    }
    json!({ "record_decision": fields })
}

/// The decision's entity summary and its changes' record.
fn shown(d: &Daemon, id: Uuid) -> (Value, Value) {
    let entity = d.get_json(
        &format!("/v1/decisions/{id}?on=2024-12-31"),
        &d.tokens.viewer,
    );
    let changes = d.get_json(&format!("/v1/decisions/{id}/changes"), &d.tokens.viewer);
    (
        entity["answer"]["details"]["decision"].clone(),
        changes["answer"]["decision"].clone(),
    )
}

#[test]
fn a_decision_without_kind_takes_the_kind_its_number_tells() {
    let d = Daemon::start(true);
    let cases = [
        ("HYPOTHETICAL-1/2024/NĐ-CP", "decree", "Nghị định"),
        ("HYPOTHETICAL-2/QD-BTTTT", "decision", "Quyết định"),
        ("9001/BTTTT-TCCB", "official_letter", "Công văn"),
        ("HYPOTHETICAL-3/2024/tt-btttt", "circular", "Thông tư"),
    ];
    for (i, (number, kind, name)) in cases.iter().enumerate() {
        let id = Uuid::now_v7();
        // Through both write routes, with `kind` missing or null.
        let r = if i % 2 == 0 {
            d.post_json(
                "/v1/decisions",
                &d.tokens.editor,
                &json!({ "reason": "kiểm thử", "decision": record(id, number, None, "2024-03-01", "2024-03-01"), "changes": [] }),
            )
        } else {
            d.post_json(
                "/v1/commands",
                &d.tokens.editor,
                &json!({ "reason": "kiểm thử", "commands": [record(id, number, Some(Value::Null), "2024-03-01", "2024-03-01")] }),
            )
        };
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{number}: {}",
            r.text().unwrap()
        );
        let (entity, changes) = shown(&d, id);
        for v in [&entity, &changes] {
            assert_eq!(v["kind"], *kind, "{number}: {v}");
            assert_eq!(v["kind_name"], *name, "{number}: {v}");
            assert_eq!(v["in_force_before_signed"], false, "{number}: {v}");
        }
    }
}

#[test]
fn a_given_kind_wins_over_the_number() {
    let d = Daemon::start(true);
    let id = Uuid::now_v7();
    let body = json!({ "commands": [record(id, "HYPOTHETICAL-4/2024/NĐ-CP", Some(json!("resolution")), "2024-03-01", "2024-03-01")] });
    let r = d.post_json("/v1/commands", &d.tokens.editor, &body);
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().unwrap());
    let (entity, _) = shown(&d, id);
    assert_eq!(entity["kind"], "resolution");
    assert_eq!(entity["kind_name"], "Nghị quyết");
}

#[test]
fn a_number_that_tells_no_kind_is_refused_asking_for_kind() {
    let d = Daemon::start(true);
    let head = d.head();
    for (path, body) in [
        (
            "/v1/decisions",
            json!({ "decision": record(Uuid::now_v7(), "HYPOTHETICAL-5", None, "2024-03-01", "2024-03-01"), "changes": [] }),
        ),
        (
            "/v1/commands",
            json!({ "commands": [
                { "register_person": { "person": Uuid::now_v7(), "name": "Thành viên 71", "on": "2024-03-01" } },
                record(Uuid::now_v7(), "12/2023/XYZ-ABC", None, "2024-03-01", "2024-03-01"),
            ] }),
        ),
    ] {
        let r = d.post_json(path, &d.tokens.editor, &body);
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let problem: Value = r.json().unwrap();
        assert_eq!(problem["code"], "decision-kind-needed", "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("give `kind`") && detail.contains("official_letter"),
            "{detail}"
        );
        assert_eq!(d.head(), head, "{path} appended");
    }
    // Without a number the command is refused for that.
    let mut no_number = record(Uuid::now_v7(), "x", None, "2024-03-01", "2024-03-01");
    no_number["record_decision"]
        .as_object_mut()
        .unwrap()
        .remove("number");
    let r = d.post_json(
        "/v1/commands",
        &d.tokens.editor,
        &json!({ "commands": [no_number] }),
    );
    let problem: Value = r.json().unwrap();
    assert_eq!(problem["code"], "invalid-body", "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("number"),
        "{problem}"
    );
}

#[test]
fn a_decree_in_force_before_it_is_signed_is_recorded_and_flagged() {
    let d = Daemon::start(true);
    let id = Uuid::now_v7();
    let body = json!({
        "reason": "kiểm thử",
        "decision": record(id, "HYPOTHETICAL-6/2024/NĐ-CP", None, "2024-03-02", "2024-03-01"),
        "changes": []
    });
    let r = d.post_json("/v1/decisions", &d.tokens.editor, &body);
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().unwrap());
    let (entity, changes) = shown(&d, id);
    for v in [&entity, &changes] {
        assert_eq!(v["in_force_before_signed"], true, "{v}");
        assert_eq!(v["signed_on"], "2024-03-02");
        assert_eq!(v["in_force_on"], "2024-03-01");
    }
}
