//! Optimistic concurrency over HTTP: the ETag names the entity's stream revision, If-Match makes a
//! write conditional (412 when stale), and min_position gives read-your-writes to any client.

use reqwest::Method;
use serde_json::json;

use super::support::Daemon;

#[test]
fn etag_if_match_and_min_position() {
    let d = Daemon::start(true);
    let person = reformlog::PersonId::from_slug("thanh-vien-3").unwrap();
    let get = d.get(
        &format!("/v1/people/{person}?on=2022-03-01"),
        Some(&d.tokens.viewer),
    );
    let etag = get.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");

    let rename = |name: &str, if_match: &str| {
        d.request(Method::POST, "/v1/commands", Some(&d.tokens.editor))
            .header("if-match", if_match)
            .json(
                &json!({ "reason": "đổi tên", "commands": [{ "rename_person": {
                "person": person, "name": name, "on": "2022-03-01" } }] }),
            )
            .send()
            .unwrap()
    };
    let first = rename("Thành viên Ba", &etag);
    assert_eq!(first.status(), reqwest::StatusCode::CREATED);
    let position = first.headers()["x-log-position"]
        .to_str()
        .unwrap()
        .to_string();
    let written: serde_json::Value = first.json().unwrap();
    assert_eq!(written["last_position"].to_string(), position);

    // A second writer still holding the old ETag is refused and changes nothing.
    let head = d.head();
    let stale = rename("Thành viên Bốn", &etag);
    assert_eq!(stale.status(), reqwest::StatusCode::PRECONDITION_FAILED);
    let problem: serde_json::Value = stale.json().unwrap();
    assert_eq!(problem["code"], "revision-mismatch");
    assert_eq!(d.head(), head);

    // Any client that passes the write's position reads it.
    let after = d.get(
        &format!("/v1/people/{person}?on=2022-03-02&min_position={position}"),
        Some(&d.tokens.viewer),
    );
    assert_ne!(after.headers()["etag"].to_str().unwrap(), etag);
    let body: serde_json::Value = after.json().unwrap();
    assert_eq!(body["answer"]["name"], "Thành viên Ba");
}
