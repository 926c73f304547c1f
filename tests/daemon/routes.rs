//! Every route with who may call it: the auth matrix over all roles, and the check that the
//! OpenAPI document lists exactly these routes.

use reformd::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use super::support::{documented_routes, Daemon};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    Open,
    State,
    Audit,
    Write,
    Admin,
}

impl Access {
    fn allows(self, role: Role) -> bool {
        match self {
            Access::Open | Access::State => true,
            Access::Audit => matches!(role, Role::Auditor | Role::Admin),
            Access::Write => matches!(role, Role::Editor | Role::Admin),
            Access::Admin => role == Role::Admin,
        }
    }
}

struct Route {
    method: Method,
    template: &'static str,
    path: String,
    access: Access,
    /// The status an allowed caller gets.
    ok: StatusCode,
}

fn route(
    method: Method,
    template: &'static str,
    path: &str,
    access: Access,
    ok: StatusCode,
) -> Route {
    Route {
        method,
        template,
        path: path.to_string(),
        access,
        ok,
    }
}

/// A route called without parameters or a query: its path is its template.
fn fixed(method: Method, path: &'static str, access: Access, ok: StatusCode) -> Route {
    route(method, path, path, access, ok)
}

/// A read of what the log holds, open to every role, answering 200.
fn state(template: &'static str, path: &str) -> Route {
    route(Method::GET, template, path, Access::State, StatusCode::OK)
}

const COMMITTEE: &str = "bcd-cchc-bo-tttt";

fn routes() -> Vec<Route> {
    use Access::*;
    let ok = StatusCode::OK;
    let created = StatusCode::CREATED;
    vec![
        fixed(Method::GET, "/healthz", Open, ok),
        fixed(Method::GET, "/readyz", Open, ok),
        fixed(Method::GET, "/metrics", Open, ok),
        fixed(Method::GET, "/v1/openapi.json", Open, ok),
        route(Method::GET, "/v1/events", "/v1/events?limit=5", Audit, ok),
        route(
            Method::GET,
            "/v1/events/stream",
            "/v1/events/stream?from=1",
            Audit,
            ok,
        ),
        state("/v1/reminders", "/v1/reminders?limit=5"),
        fixed(Method::GET, "/v1/reminders/stream", State, ok),
        fixed(Method::GET, "/v1/integrity/head", State, ok),
        fixed(Method::POST, "/v1/integrity/verify", Admin, ok),
        state("/v1/units", "/v1/units?on=2022-02-01"),
        state("/v1/units/{id}", "/v1/units/cuc-tin-hoc-hoa?on=2022-02-01"),
        state("/v1/people", "/v1/people?on=2022-02-01"),
        state("/v1/people/{id}", "/v1/people/pham-minh-tien?on=2022-02-01"),
        state("/v1/posts", "/v1/posts?on=2022-02-01"),
        state(
            "/v1/posts/{id}",
            "/v1/posts/thu-truong-bo-tttt?on=2022-02-01",
        ),
        state("/v1/committees", "/v1/committees?on=2022-02-01"),
        state(
            "/v1/committees/{id}",
            &format!("/v1/committees/{COMMITTEE}?on=2022-02-01"),
        ),
        state(
            "/v1/committees/{id}/timeline",
            &format!("/v1/committees/{COMMITTEE}/timeline"),
        ),
        state("/v1/decisions", "/v1/decisions?on=2022-02-01"),
        state(
            "/v1/decisions/{id}",
            "/v1/decisions/qd-34-2022?on=2022-02-01",
        ),
        state("/v1/tasks", "/v1/tasks?on=2022-02-01"),
        route(
            Method::GET,
            "/v1/tasks/{id}",
            "/v1/tasks/khong-co?on=2022-02-01",
            State,
            StatusCode::NOT_FOUND,
        ),
        state("/v1/search", "/v1/search?q=pham%20minh%20tien"),
        state(
            "/v1/committees/{id}/composition",
            &format!("/v1/committees/{COMMITTEE}/composition?on=2022-02-01"),
        ),
        state(
            "/v1/committees/{id}/diff",
            &format!("/v1/committees/{COMMITTEE}/diff?from=2022-01-01&to=2022-02-01"),
        ),
        state("/v1/people/{id}/history", "/v1/people/do-cong-anh/history"),
        state(
            "/v1/decisions/{id}/changes",
            "/v1/decisions/qd-34-2022/changes",
        ),
        state(
            "/v1/tasks/filter",
            "/v1/tasks/filter?unit=vu-to-chuc-can-bo&role=lead&on=2021-06-30",
        ),
        state(
            "/v1/reports/tasks",
            "/v1/reports/tasks?plan=kh-cchc-2021&on=2021-12-31",
        ),
        state(
            "/v1/units/{id}/lineage",
            "/v1/units/cuc-tin-hoc-hoa/lineage?on=2022-02-01",
        ),
        state(
            "/v1/units/{id}/tasks",
            "/v1/units/van-phong-bo/tasks?on=2022-06-01",
        ),
        state(
            "/v1/decisions/{id}/tasks",
            "/v1/decisions/qd-34-2022/tasks?on=2022-06-01",
        ),
        state("/v1/tasks/overdue", "/v1/tasks/overdue?on=2022-12-31"),
        route(
            Method::GET,
            "/v1/history/{kind}/{id}",
            &format!("/v1/history/committee/{COMMITTEE}"),
            Audit,
            ok,
        ),
        route(
            Method::GET,
            "/v1/audit/changes",
            "/v1/audit/changes?actor=system:demo&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
            Audit,
            ok,
        ),
        fixed(Method::POST, "/v1/backup", Admin, created),
        fixed(Method::POST, "/v1/commands", Write, created),
        fixed(Method::POST, "/v1/decisions", Write, created),
    ]
}

/// A body that succeeds every time: it registers a fresh person, records a fresh decision,
/// or names a fresh backup.
fn write_body(template: &str, n: usize) -> serde_json::Value {
    match template {
        "/v1/backup" => json!({ "name": format!("matrix-{n}") }),
        "/v1/commands" => json!({
            "reason": "auth matrix",
            "commands": [{ "register_person": {
                "person": Uuid::now_v7(), "name": format!("Thành viên {}", 100 + n), "on": "2022-02-01"
            }}]
        }),
        _ => json!({
            "reason": "auth matrix",
            "decision": { "record_decision": {
                "decision": Uuid::now_v7(), "number": format!("{}/QĐ-BTTTT", 900 + n), "kind": "notice",
                "issuer": reformlog::UnitId::from_slug("bo-tttt").unwrap(), "signer": null,
                "signed_on": "2022-03-01", "in_force_on": "2022-03-01",
                "title": "Thông báo (kiểm thử quyền)", "amends": [], "replaces": [], "repeals": []
            }},
            "changes": []
        }),
    }
}

#[test]
fn every_route_answers_every_role_as_its_access_says() {
    let d = Daemon::start(true);
    let roles = [Role::Viewer, Role::Auditor, Role::Editor, Role::Admin];
    let mut n = 0;
    for r in routes() {
        for who in std::iter::once(None).chain(roles.iter().map(|r| Some(*r))) {
            n += 1;
            let token = who.map(|role| d.tokens.of(role).to_string());
            let mut req = d.request(r.method.clone(), &r.path, token.as_deref());
            if r.method == Method::POST && (r.access == Access::Write || r.template == "/v1/backup")
            {
                req = req.json(&write_body(r.template, n));
            }
            let resp = req.send().unwrap();
            let status = resp.status();
            let expected = match (r.access, who) {
                (Access::Open, _) => r.ok,
                (_, None) => StatusCode::UNAUTHORIZED,
                (access, Some(role)) if access.allows(role) => r.ok,
                _ => StatusCode::FORBIDDEN,
            };
            // A live feed never ends; its status is the answer.
            let body = if r.template.ends_with("/stream") {
                String::new()
            } else {
                resp.text().unwrap_or_default()
            };
            assert_eq!(
                status, expected,
                "{} {} as {who:?}: {body}",
                r.method, r.path
            );
        }
    }
}

#[test]
fn a_401_challenges_for_a_bearer_token_and_tells_a_refused_one_from_none() {
    let d = Daemon::start(false);
    let challenge = |token: Option<&str>| {
        let r = d.get("/v1/units", token);
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        r.headers()["www-authenticate"].to_str().unwrap().to_owned()
    };
    assert_eq!(challenge(None), r#"Bearer realm="reformd""#);
    let refused = challenge(Some("rfl_not-a-token-of-this-daemon"));
    assert!(
        refused.starts_with(r#"Bearer realm="reformd""#)
            && refused.contains(r#"error="invalid_token""#),
        "{refused}"
    );
    let r = d.get("/v1/units", Some(&d.tokens.viewer));
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("www-authenticate").is_none());
}

#[test]
fn the_openapi_document_lists_exactly_the_routes() {
    let d = Daemon::start(false);
    let doc = d.get_json("/v1/openapi.json", &d.tokens.viewer);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let documented = documented_routes(&doc);
    let mut served: Vec<(String, String)> = routes()
        .iter()
        .map(|r| (r.method.to_string(), r.template.to_string()))
        .collect();
    served.sort();
    assert_eq!(documented, served);
}
