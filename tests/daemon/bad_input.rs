//! The bad-input catalog: each case answers a 4xx application/problem+json with a machine code
//! and appends nothing.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use super::support::Daemon;

enum Body {
    None,
    Raw(&'static str, &'static str),
    Json(serde_json::Value),
    Bytes(Vec<u8>),
}

struct Case {
    what: &'static str,
    method: Method,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

fn get(what: &'static str, path: &str) -> Case {
    Case {
        what,
        method: Method::GET,
        path: path.to_string(),
        headers: vec![],
        body: Body::None,
    }
}

fn post(what: &'static str, path: &str, body: Body) -> Case {
    Case {
        what,
        method: Method::POST,
        path: path.to_string(),
        headers: vec![],
        body,
    }
}

/// A write to `/v1/commands`, the route most cases try.
fn commands(what: &'static str, body: Body) -> Case {
    post(what, "/v1/commands", body)
}

/// A request to verify the log's integrity.
fn verify(what: &'static str, body: Body) -> Case {
    post(what, "/v1/integrity/verify", body)
}

fn cmd(command: serde_json::Value) -> Body {
    Body::Json(json!({ "reason": "bad input", "commands": [command] }))
}

fn unit(slug: &str) -> String {
    reformlog::UnitId::from_slug(slug).unwrap().to_string()
}

fn person(slug: &str) -> String {
    reformlog::PersonId::from_slug(slug).unwrap().to_string()
}

fn committee(slug: &str) -> String {
    reformlog::CommitteeId::from_slug(slug).unwrap().to_string()
}

fn decision(slug: &str) -> String {
    reformlog::DecisionId::from_slug(slug).unwrap().to_string()
}

fn cases() -> Vec<Case> {
    let c = "bcd-cchc-bo-tttt";
    let fresh = || Uuid::now_v7().to_string();
    let register = |name: &str, on: &str| {
        cmd(json!({ "register_person": { "person": fresh(), "name": name, "on": on } }))
    };
    let mut v = vec![
        // Malformed and mistyped bodies.
        commands(
            "malformed JSON",
            Body::Raw("application/json", "{\"commands\": ["),
        ),
        commands("not JSON at all", Body::Raw("application/json", "hello")),
        commands(
            "wrong content type",
            Body::Raw("text/plain", "{\"commands\": []}"),
        ),
        commands("no body", Body::None),
        commands("body is an array", Body::Json(json!([1, 2]))),
        commands(
            "commands is a string",
            Body::Json(json!({ "commands": "register" })),
        ),
        commands("empty command list", Body::Json(json!({ "commands": [] }))),
        commands(
            "unknown top-level field",
            Body::Json(json!({ "commands": [], "colour": "red" })),
        ),
        commands("unknown command", cmd(json!({ "launch_rocket": {} }))),
        commands(
            "unknown field in a command",
            cmd(
                json!({ "register_person": { "person": fresh(), "name": "Thành viên 50", "on": "2022-02-01", "age": 40 } }),
            ),
        ),
        commands(
            "missing field in a command",
            cmd(json!({ "register_person": { "person": fresh(), "on": "2022-02-01" } })),
        ),
        commands(
            "id is not a UUID",
            cmd(
                json!({ "register_person": { "person": "nobody", "name": "Thành viên 51", "on": "2022-02-01" } }),
            ),
        ),
        commands(
            "name is a number",
            cmd(
                json!({ "register_person": { "person": fresh(), "name": 42, "on": "2022-02-01" } }),
            ),
        ),
        commands("empty name", register("", "2022-02-01")),
        commands("blank name", register("   ", "2022-02-01")),
        commands(
            "impossible date 2022-02-30",
            register("Thành viên 52", "2022-02-30"),
        ),
        commands("month 13", register("Thành viên 53", "2022-13-01")),
        commands(
            "date with time",
            register("Thành viên 54", "2022-02-01T00:00:00Z"),
        ),
        commands(
            "date in another format",
            register("Thành viên 55", "01/02/2022"),
        ),
        commands(
            "huge body",
            Body::Bytes(
                format!(
                    "{{\"commands\":[],\"reason\":\"{}\"}}",
                    "x".repeat(2 * 1024 * 1024)
                )
                .into_bytes(),
            ),
        ),
        commands(
            "too many commands",
            Body::Json(
                json!({ "commands": (0..501).map(|i| json!({ "register_person": { "person": fresh(), "name": format!("Thành viên {i}"), "on": "2022-02-01" } })).collect::<Vec<_>>() }),
            ),
        ),
        // Domain rules.
        commands(
            "unknown unit as parent",
            cmd(
                json!({ "establish_unit": { "unit": fresh(), "name": "Vụ Thử", "kind": "department", "parent": fresh(), "on": "2022-02-01", "decision": null } }),
            ),
        ),
        commands(
            "membership in an unknown committee",
            cmd(
                json!({ "start_membership": { "committee": fresh(), "membership": fresh(), "seat": fresh(), "person": person("pham-minh-tien"), "from": "2022-02-01", "ended_on": null, "decision": decision("qd-34-2022") } }),
            ),
        ),
        commands(
            "membership of an unknown person",
            cmd(
                json!({ "start_membership": { "committee": committee(c), "membership": fresh(), "seat": fresh(), "person": fresh(), "from": "2022-02-01", "ended_on": null, "decision": decision("qd-34-2022") } }),
            ),
        ),
        commands(
            "membership citing an unknown decision",
            cmd(
                json!({ "start_membership": { "committee": committee(c), "membership": fresh(), "seat": fresh(), "person": person("pham-minh-tien"), "from": "2022-02-01", "ended_on": null, "decision": fresh() } }),
            ),
        ),
        commands(
            "registering an existing person again",
            cmd(
                json!({ "register_person": { "person": person("pham-minh-tien"), "name": "Phạm Minh Tiến", "on": "2022-02-01" } }),
            ),
        ),
        commands(
            "establishing an existing unit again",
            cmd(
                json!({ "establish_unit": { "unit": unit("van-phong-bo"), "name": "Văn phòng Bộ", "kind": "office", "parent": null, "on": "2022-02-01", "decision": null } }),
            ),
        ),
        commands(
            "renaming an unknown unit",
            cmd(
                json!({ "rename_unit": { "unit": fresh(), "name": "Vụ Mới", "on": "2022-02-01", "decision": null } }),
            ),
        ),
        commands(
            "merging a unit into itself",
            cmd(
                json!({ "merge_unit": { "unit": unit("vu-phap-che"), "into": unit("vu-phap-che"), "on": "2022-02-01", "decision": null } }),
            ),
        ),
        commands(
            "retracting an unknown event",
            cmd(json!({ "retract": { "target": fresh() } })),
        ),
        post(
            "decision route with a non-decision",
            "/v1/decisions",
            Body::Json(
                json!({ "decision": { "register_person": { "person": fresh(), "name": "Thành viên 56", "on": "2022-02-01" } }, "changes": [] }),
            ),
        ),
        post(
            "decision route without decision",
            "/v1/decisions",
            Body::Json(json!({ "changes": [] })),
        ),
        post(
            "a decision without kind whose number tells none",
            "/v1/decisions",
            Body::Json(
                json!({ "decision": { "record_decision": { "decision": fresh(), "number": "HYPOTHETICAL-8", "issuer": unit("bo-tttt"), "signer": null, "signed_on": "2022-03-01", "in_force_on": "2022-03-01", "title": "(Giả định) Văn bản kiểm thử", "amends": [], "replaces": [], "repeals": [] } }, "changes": [] }),
            ),
        ),
        // Integrity verification's optional kept digest.
        verify(
            "verify with a hash that is not hex",
            Body::Json(json!({ "expect_head": { "position": 1, "hash": "g".repeat(64) } })),
        ),
        verify(
            "verify with a short hash",
            Body::Json(json!({ "expect_head": { "position": 1, "hash": "abcd" } })),
        ),
        verify(
            "verify with position 0",
            Body::Json(json!({ "expect_head": { "position": 0, "hash": "0".repeat(64) } })),
        ),
        verify(
            "verify with an unknown field",
            Body::Json(json!({ "expect_tail": { "position": 1, "hash": "0".repeat(64) } })),
        ),
        verify(
            "verify with malformed JSON",
            Body::Raw("application/json", "{\"expect_head\": "),
        ),
        verify(
            "verify with a body that is not JSON",
            Body::Raw("text/plain", "1:abcd"),
        ),
        // Query parameters.
        get(
            "invalid on date",
            &format!("/v1/committees/{c}/composition?on=2022-02-30"),
        ),
        get(
            "on is not a date",
            &format!("/v1/committees/{c}/composition?on=yesterday"),
        ),
        get(
            "invalid known_at",
            &format!("/v1/committees/{c}/composition?known_at=soon"),
        ),
        get(
            "known_at with a bad offset",
            &format!("/v1/committees/{c}/composition?known_at=2022-03-01T00:00:00+25:00"),
        ),
        get(
            "negative known_at position",
            &format!("/v1/committees/{c}/composition?known_at=-3"),
        ),
        get(
            "known_at position past u64",
            &format!("/v1/committees/{c}/composition?known_at=99999999999999999999999"),
        ),
        get(
            "unknown query parameter",
            &format!("/v1/committees/{c}/composition?colour=red"),
        ),
        get(
            "unknown committee",
            &format!(
                "/v1/committees/{}/composition?on=2022-02-01",
                Uuid::now_v7()
            ),
        ),
        get(
            "diff with reversed dates",
            &format!("/v1/committees/{c}/diff?from=2022-03-01&to=2022-01-01"),
        ),
        get("diff without dates", &format!("/v1/committees/{c}/diff")),
        get("unknown entity kind in history", "/v1/history/planet/earth"),
        get("empty search", "/v1/search?q="),
        get("search that is not UTF-8", "/v1/search?q=%ff%fe"),
        get(
            "known_at position past the head",
            &format!("/v1/committees/{c}/composition?known_at=999999999"),
        ),
        get(
            "history of an unknown person id",
            &format!("/v1/history/person/{}", fresh()),
        ),
        get(
            "history of an unknown committee id",
            &format!("/v1/history/committee/{}", fresh()),
        ),
        // Text that looks empty or hides characters.
        commands(
            "a person named only a zero-width space",
            register("\u{200b}", "2022-02-01"),
        ),
        commands(
            "a person name with a right-to-left override",
            register("Thành viên \u{202e}06", "2022-02-01"),
        ),
        commands(
            "a control character in the reason",
            Body::Json(
                json!({ "reason": "lý do\u{0007}", "commands": [{ "register_person": { "person": fresh(), "name": "Thành viên 60", "on": "2022-02-01" } }] }),
            ),
        ),
        commands(
            "a line break in a decision number",
            cmd(
                json!({ "record_decision": { "decision": fresh(), "number": "35/QĐ\n-BTTTT", "issuer": unit("bo-tttt"), "signer": null, "signed_on": "2022-03-01", "in_force_on": "2022-03-01", "title": "(Giả định) Văn bản kiểm thử", "amends": [], "replaces": [], "repeals": [] } }),
            ),
        ),
        commands(
            "a control character in a task title",
            cmd(
                json!({ "create_task": { "task": fresh(), "plan": null, "title": "Nhiệm vụ\u{001b}[31m", "product": "Báo cáo", "deadline": "2022-06-30", "assignment": null, "on": "2022-02-01" } }),
            ),
        ),
        get("search without q", "/v1/search"),
        get("page size zero", "/v1/people?limit=0"),
        get("page size too large", "/v1/people?limit=100000"),
        get("foreign cursor", "/v1/people?cursor=abc"),
        get(
            "events with both from and since",
            "/v1/events?from=1&since=2022-01-01T00:00:00Z",
        ),
        get(
            "events with a bad direction",
            "/v1/events?direction=sideways",
        ),
        get("events with a bad since", "/v1/events?since=last-week"),
        get(
            "actor range reversed",
            "/v1/audit/changes?actor=x&from=2023-01-01T00:00:00Z&to=2022-01-01T00:00:00Z",
        ),
        get("unknown route", "/v1/planets"),
        get(
            "min_position never reached",
            &format!("/v1/committees/{c}/composition?min_position=999999999"),
        ),
        Case {
            what: "wrong method",
            method: Method::DELETE,
            path: "/v1/people".into(),
            headers: vec![],
            body: Body::None,
        },
        // Beyond what the OpenAPI document allows, though the daemon's types could hold it.
        get(
            "event page from above int64",
            "/v1/events?from=9223372036854775808",
        ),
        Case {
            what: "event feed from above int64 beside a Last-Event-ID",
            method: Method::GET,
            path: "/v1/events/stream?from=9223372036854775808".into(),
            headers: vec![("last-event-id", "0".into())],
            body: Body::None,
        },
        get(
            "reminder feed due_soon_days above its maximum",
            "/v1/reminders/stream?due_soon_days=367",
        ),
        get(
            "due_within_days above its maximum",
            "/v1/tasks/filter?due_within_days=2147483648",
        ),
        verify(
            "verify with an array for a body",
            Body::Json(serde_json::json!([null])),
        ),
        verify(
            "kept digest position above int64",
            Body::Json(
                serde_json::json!({"expect_head": {"position": 9223372036854775808_u64, "hash": "0".repeat(64)}}),
            ),
        ),
        Case {
            what: "Last-Event-ID not a number",
            method: Method::GET,
            path: "/v1/events/stream".into(),
            headers: vec![("last-event-id", "abc".into())],
            body: Body::None,
        },
    ];
    // Headers on writes.
    let mut with = |what: &'static str, header: &'static str, value: &str, body: Body| {
        v.push(Case {
            what,
            method: Method::POST,
            path: "/v1/commands".into(),
            headers: vec![(header, value.to_string())],
            body,
        });
    };
    with(
        "If-Match that is not an ETag",
        "if-match",
        "banana",
        register("Thành viên 57", "2022-02-01"),
    );
    with(
        "conflicting If-Match",
        "if-match",
        "\"9999\"",
        cmd(
            json!({ "rename_person": { "person": person("thanh-vien-3"), "name": "Thành viên Ba", "on": "2022-03-01" } }),
        ),
    );
    with(
        "empty Idempotency-Key",
        "idempotency-key",
        "",
        register("Thành viên 58", "2022-02-01"),
    );
    with(
        "overlong Idempotency-Key",
        "idempotency-key",
        &"k".repeat(300),
        register("Thành viên 59", "2022-02-01"),
    );
    v
}

#[test]
fn every_bad_input_is_a_typed_4xx_and_appends_nothing() {
    let d = Daemon::start(true);
    let token = d.tokens.admin.clone();
    let cases = cases();
    assert!(cases.len() >= 50, "catalog has only {} cases", cases.len());
    for case in cases {
        let head_before = d.head();
        let mut req = d.request(case.method.clone(), &case.path, Some(&token));
        for (k, v) in &case.headers {
            req = req.header(*k, v);
        }
        req = match case.body {
            Body::None => req,
            Body::Raw(ct, text) => req.header("content-type", ct).body(text),
            Body::Json(v) => req.json(&v),
            Body::Bytes(b) => req.header("content-type", "application/json").body(b),
        };
        let resp = req.send().unwrap();
        let status = resp.status();
        let ct = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = resp.text().unwrap_or_default();
        let short: String = body.chars().take(300).collect();
        assert!(status.is_client_error(), "{}: {status} {short}", case.what);
        assert_eq!(ct, "application/problem+json", "{}: {body}", case.what);
        let problem: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{}: {body}", case.what));
        assert!(
            problem["code"].as_str().is_some_and(|c| !c.is_empty()),
            "{}: {body}",
            case.what
        );
        assert_eq!(
            problem["status"].as_u64(),
            Some(u64::from(status.as_u16())),
            "{}",
            case.what
        );
        assert_eq!(d.head(), head_before, "{} appended to the log", case.what);
    }
}

#[test]
fn a_reused_idempotency_key_with_another_body_is_refused() {
    let d = Daemon::start(true);
    let send = |name: &str| {
        d.request(Method::POST, "/v1/commands", Some(&d.tokens.editor))
            .header("idempotency-key", "import-2022-03-01")
            .json(&json!({ "commands": [{ "register_person": { "person": person("thanh-vien-90"), "name": name, "on": "2022-03-01" } }] }))
            .send()
            .unwrap()
    };
    let first = send("Thành viên 90");
    assert_eq!(first.status(), reqwest::StatusCode::CREATED);
    let first: serde_json::Value = first.json().unwrap();
    let head = d.head();
    let retry = send("Thành viên 90");
    assert_eq!(retry.status(), reqwest::StatusCode::OK);
    let retry: serde_json::Value = retry.json().unwrap();
    assert_eq!(retry["last_position"], first["last_position"]);
    assert_eq!(retry["deduplicated"], true);
    let other = send("Thành viên 91");
    assert!(other.status().is_client_error());
    assert_eq!(other.headers()["content-type"], "application/problem+json");
    assert_eq!(d.head(), head);
    // 422, as the Idempotency-Key draft answers a key reused with another payload, and as
    // the API document says.
    assert_eq!(other.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = other.json().unwrap();
    assert_eq!(problem["code"], "idempotency-key-reused");
    let doc = d.get_json("/v1/openapi.json", &d.tokens.viewer);
    let responses = &doc["paths"]["/v1/commands"]["post"]["responses"];
    let says = |status: &str| {
        responses[status]["description"]
            .as_str()
            .unwrap_or_default()
    };
    assert!(
        says("422").contains("idempotency-key-reused"),
        "{}",
        says("422")
    );
    assert!(!says("409").contains("Idempotency-Key"), "{}", says("409"));
}

#[test]
fn an_unknown_id_in_a_path_is_a_404_not_an_empty_list() {
    let d = Daemon::start(true);
    for path in [
        "/v1/units/khong-co/tasks?on=2022-02-01",
        "/v1/decisions/khong-co/tasks?on=2022-02-01",
        "/v1/history/task/khong-co",
        "/v1/history/unit/khong-co",
        "/v1/units/khong-co/lineage?on=2022-02-01",
        "/v1/tasks/khong-co?on=2022-02-01",
    ] {
        let resp = d
            .request(Method::GET, path, Some(&d.tokens.admin))
            .send()
            .unwrap();
        assert_eq!(resp.status(), reqwest::StatusCode::NOT_FOUND, "{path}");
        let problem: serde_json::Value = resp.json().unwrap();
        assert_eq!(problem["code"], "not-found", "{path}");
    }
    // A known unit that leads nothing is an empty list, not a 404.
    let resp = d
        .request(
            Method::GET,
            "/v1/units/vu-buu-chinh/tasks?on=2022-02-01",
            Some(&d.tokens.admin),
        )
        .send()
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
}

#[test]
fn authentication_and_the_route_permission_come_before_any_validation() {
    let d = Daemon::start(true);
    let malformed = |token: Option<&str>| {
        let mut r = d
            .request(Method::POST, "/v1/commands", token)
            .header("content-type", "application/json")
            .body("{\"commands\": [");
        if token.is_none() {
            r = r.header("x-probe", "anonymous");
        }
        r.send().unwrap().status().as_u16()
    };
    assert_eq!(malformed(None), 401, "anonymous: no schema errors");
    assert_eq!(
        malformed(Some(&d.tokens.viewer)),
        403,
        "a viewer: not allowed"
    );
    assert_eq!(
        malformed(Some(&d.tokens.auditor)),
        403,
        "an auditor: not allowed"
    );
    assert_eq!(
        malformed(Some(&d.tokens.editor)),
        400,
        "an editor: the body"
    );
    let get = |path: &str, token: Option<&str>| {
        d.request(Method::GET, path, token)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(get("/v1/events?colour=red", None), 401);
    assert_eq!(get("/v1/audit/changes?colour=red", None), 401);
    assert_eq!(
        get("/v1/audit/changes?colour=red", Some(&d.tokens.viewer)),
        403
    );
    assert_eq!(
        get(
            &format!("/v1/history/person/{}?colour=red", person("thanh-vien-1")),
            Some(&d.tokens.editor)
        ),
        403
    );
    assert_eq!(
        get("/v1/audit/changes?colour=red", Some(&d.tokens.auditor)),
        400
    );
    let verify = d
        .request(Method::POST, "/v1/integrity/verify", Some(&d.tokens.editor))
        .header("content-type", "application/json")
        .body("not json")
        .send()
        .unwrap();
    assert_eq!(verify.status().as_u16(), 403);
}

#[test]
fn the_overdue_list_narrows_to_a_unit() {
    let d = Daemon::start(true);
    let task = |slug: &str, lead: &str| json!({ "create_task": { "task": reformlog::TaskId::from_slug(slug).unwrap().to_string(), "plan": null, "title": format!("Nhiệm vụ {slug}"), "product": "Báo cáo", "deadline": "2022-01-31", "assignment": { "lead": unit(lead), "cooperating": [], "responsible": null }, "on": "2022-01-20" } });
    let r = d.post_json(
        "/v1/commands",
        &d.tokens.editor,
        &json!({ "reason": "kiểm thử", "commands": [task("nv-qua-han-1", "vu-phap-che"), task("nv-qua-han-2", "van-phong-bo")] }),
    );
    assert_eq!(r.status().as_u16(), 201);
    let titles = |path: &str| -> Vec<String> {
        d.get_json(path, &d.tokens.viewer)["answer"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = titles("/v1/tasks/overdue?on=2022-02-15");
    assert!(all.contains(&"Nhiệm vụ nv-qua-han-1".to_owned()), "{all:?}");
    assert!(all.contains(&"Nhiệm vụ nv-qua-han-2".to_owned()), "{all:?}");
    assert_eq!(
        titles("/v1/tasks/overdue?on=2022-02-15&unit=vu-phap-che"),
        vec!["Nhiệm vụ nv-qua-han-1".to_owned()]
    );
    let unknown = d.get("/v1/tasks/overdue?unit=khong-co", Some(&d.tokens.viewer));
    assert_eq!(unknown.status().as_u16(), 404);
}
