//! `POST /v1/integrity/verify` with and without a kept head digest in its body, and how the
//! OpenAPI document describes that body.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::support::Daemon;

/// Verifies as admin with the given body (none, raw text with a content type, or JSON).
fn verify(d: &Daemon, body: Option<(&str, String)>) -> Value {
    let req = d.request(Method::POST, "/v1/integrity/verify", Some(&d.tokens.admin));
    let req = match body {
        Some((content_type, text)) => req.header("content-type", content_type).body(text),
        None => req,
    };
    let resp = req.send().unwrap();
    let status = resp.status();
    let text = resp.text().unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn json_body(v: Value) -> Option<(&'static str, String)> {
    Some(("application/json", v.to_string()))
}

#[test]
fn verify_checks_a_kept_digest_only_when_the_body_names_one() {
    let d = Daemon::start(true);
    let read = d.get_json("/v1/integrity/head", &d.tokens.viewer);
    let head = read["answer"].clone();
    let position = head["position"].as_u64().unwrap();
    assert_eq!(read["position"], position, "{read}");

    // No body, an empty body sent as JSON, `null` and `{}`: the chain only, answered as before.
    for body in [
        None,
        Some(("application/json", String::new())),
        json_body(Value::Null),
        json_body(json!({})),
    ] {
        let v = verify(&d, body);
        assert_eq!(v["ok"], true, "{v}");
        assert_eq!(v["head"], head, "{v}");
        assert!(v.get("extends").is_none(), "{v}");
    }

    let v = verify(&d, json_body(json!({ "expect_head": head })));
    assert_eq!(
        (&v["ok"], &v["extends"]),
        (&json!(true), &json!(true)),
        "{v}"
    );
    // An earlier head the log has grown past still is extended.
    let first = d.get_json("/v1/events?limit=1", &d.tokens.auditor);
    let first = &first["answer"]["events"][0];
    let earlier = json!({ "position": first["position"], "hash": first["hash"] });
    let v = verify(&d, json_body(json!({ "expect_head": earlier })));
    assert_eq!(v["extends"], true, "{v}");

    // Another hash at the head position: the log was rewritten.
    let forged = json!({ "position": position, "hash": first["hash"] });
    let v = verify(&d, json_body(json!({ "expect_head": forged })));
    assert_eq!(
        (&v["ok"], &v["extends"]),
        (&json!(false), &json!(false)),
        "{v}"
    );
    assert_eq!(v["first_bad_position"], position, "{v}");
    assert_eq!(v["head"], head, "{v}");
    // A kept position past the head: the log was cut back.
    let ahead = json!({ "position": position + 3, "hash": head["hash"] });
    let v = verify(&d, json_body(json!({ "expect_head": ahead })));
    assert_eq!(
        (&v["ok"], &v["extends"]),
        (&json!(false), &json!(false)),
        "{v}"
    );
    assert_eq!(v["first_bad_position"], position + 3, "{v}");
}

#[test]
fn the_openapi_document_describes_the_optional_verify_body() {
    let doc: Value = serde_json::from_str(&reformd::openapi_json()).unwrap();
    let post = &doc["paths"]["/v1/integrity/verify"]["post"];
    let body = &post["requestBody"];
    assert_ne!(body["required"], true, "{body}");
    let schema = body["content"]["application/json"]["schema"].to_string();
    assert!(schema.contains("VerifyRequest"), "{body}");
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["VerifyRequest"]["properties"]["expect_head"].is_object(),
        "{}",
        schemas["VerifyRequest"]
    );
    assert!(
        schemas["VerifyView"]["properties"]["extends"].is_object(),
        "{}",
        schemas["VerifyView"]
    );
    assert!(post["responses"]["400"].is_object(), "{post}");
}
