//! Every status the OpenAPI document lists for a route is one a real daemon answers: each is
//! provoked, each answer's body is validated against the schema the served document gives
//! that status, and the run fails on a documented (method, route, status) never seen or on
//! an answer with a status the document does not list for its route.
//!
//! The requests are golden_api's (one per route, its success answer), varied per status: no
//! token, a weaker role, a bad parameter, an unknown id, a position past the log's end, a
//! body that is late, large, not JSON or refused, and connections past the limit.

mod wire;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::golden_api::{against_document, first_task, requests, Ask};
use super::support::Daemon;
use wire::{send, send_raw, Answer, Body, Req};

/// An id no entity has, in every kind's id form.
const UNKNOWN: &str = "0190b0c1-0000-5000-8000-0000000000ff";

/// Documented statuses no request here provokes on the `/v1` routes, with the routes where
/// one is provoked all the same. An exempted status that is answered is checked against the
/// document like every other.
const EXEMPT: &[(&str, &[&str])] = &[
    // A daemon's own failure or a corrupt store: a healthy daemon has none to give but for
    // a backup folder that cannot be made, the one failure a test can cause.
    ("500", &["POST /v1/backup"]),
];

/// Whether `(method, route, status)` is in [`EXEMPT`].
fn exempt(method: &str, route: &str, status: &str) -> bool {
    let pair = format!("{method} {route}");
    route.starts_with("/v1/")
        && EXEMPT
            .iter()
            .any(|(s, provoked)| *s == status && !provoked.contains(&pair.as_str()))
}

/// What the run saw, checked against the served document as it comes.
struct Seen<'d> {
    doc: &'d Value,
    statuses: BTreeMap<(String, String), BTreeSet<u16>>,
    wrong: Vec<String>,
    answers: usize,
    validated: usize,
}

impl<'d> Seen<'d> {
    fn new(doc: &'d Value) -> Self {
        Self {
            doc,
            statuses: BTreeMap::new(),
            wrong: Vec::new(),
            answers: 0,
            validated: 0,
        }
    }

    fn ask(&mut self, d: &Daemon, req: Req) -> Answer {
        let answer = send(d, &req);
        self.check(&req, &answer);
        answer
    }

    /// `req` on a raw socket (see [`send_raw`]), to be answered `want`.
    fn expect_raw(&mut self, d: &Daemon, req: Req, part: Option<usize>, want: u16) {
        let answer = send_raw(d, &req, part);
        self.check(&req, &answer);
        self.want(&req, &answer, want);
    }

    /// `req` must be answered `want`: anything else is a request that did not provoke it.
    fn expect(&mut self, d: &Daemon, req: Req, want: u16) -> Answer {
        let answer = self.ask(d, req.clone());
        self.want(&req, &answer, want);
        answer
    }

    fn want(&mut self, req: &Req, answer: &Answer, want: u16) {
        if answer.status != want {
            self.wrong.push(format!(
                "{} {} was to answer {want}, answered {}: {}",
                req.method, req.path, answer.status, answer.body
            ));
        }
    }

    fn check(&mut self, req: &Req, a: &Answer) {
        self.answers += 1;
        let method = req.method.to_string();
        let what = format!("{method} {} {}", req.path, a.status);
        self.statuses
            .entry((method.clone(), req.template.to_owned()))
            .or_default()
            .insert(a.status);
        let documented = &self.doc["paths"][req.template][method.to_lowercase()]["responses"]
            [a.status.to_string()];
        if documented.is_null() {
            self.wrong.push(format!(
                "{what}: not documented for {}: {}",
                req.template, a.body
            ));
            return;
        }
        let media = a.content_type.split(';').next().unwrap_or("").trim();
        let content = documented["content"].as_object();
        let listed = content.is_some_and(|c| c.contains_key(media));
        if content.is_some_and(|c| !c.is_empty()) && !listed {
            self.wrong.push(format!(
                "{what}: answered as {media:?}, documented as {content:?}"
            ));
        }
        let ask = Ask {
            method: req.method.clone(),
            template: req.template,
            path: req.path.clone(),
            body: None,
        };
        if let Some(errors) = against_document(self.doc, &ask, a.status, &a.content_type, &a.body) {
            self.validated += 1;
            self.wrong.extend(errors);
        }
    }
}

/// Every documented (method, route, status) not seen: those not exempted, and those exempted.
fn unseen(
    doc: &Value,
    seen: &BTreeMap<(String, String), BTreeSet<u16>>,
) -> (Vec<String>, Vec<String>) {
    let (mut missing, mut exempted) = (Vec::new(), Vec::new());
    let empty = serde_json::Map::new();
    for (route, item) in doc["paths"].as_object().unwrap_or(&empty) {
        for (method, op) in item.as_object().unwrap_or(&empty) {
            let method = method.to_uppercase();
            let got = seen.get(&(method.clone(), route.clone()));
            for status in op["responses"].as_object().unwrap_or(&empty).keys() {
                let was_seen = got.is_some_and(|g| status.parse().is_ok_and(|s| g.contains(&s)));
                let pair = format!("{method} {route} {status}");
                if was_seen {
                    continue;
                }
                if exempt(&method, route, status) {
                    exempted.push(pair);
                } else {
                    missing.push(pair);
                }
            }
        }
    }
    (missing, exempted)
}

/// The documented parameter names of a route.
fn params(doc: &Value, method: &Method, route: &str) -> Vec<String> {
    doc["paths"][route][method.as_str().to_lowercase()]["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `path` with `more` added to its query.
fn with_query(path: &str, more: &str) -> String {
    let joint = if path.contains('?') { '&' } else { '?' };
    format!("{path}{joint}{more}")
}

/// `ask`'s path with the segment the template names `{id}` replaced by `id`.
fn with_id(ask: &Ask, id: &str) -> String {
    let (path, query) = ask.path.split_once('?').unwrap_or((&ask.path, ""));
    let segments: Vec<&str> = path.split('/').collect();
    let replaced: Vec<&str> = ask
        .template
        .split('/')
        .zip(&segments)
        .map(|(t, s)| if t == "{id}" { id } else { s })
        .collect();
    let path = replaced.join("/");
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

fn register(n: u32, name: &str) -> Value {
    json!({ "reason": "statuses", "commands": [{ "register_person": {
        "person": format!("0190b0c1-0000-5000-8000-0000000001{n:02}"), "name": name, "on": "2022-02-01"
    }}]})
}

fn record_decision(n: u32) -> Value {
    json!({ "reason": "statuses", "changes": [], "decision": { "record_decision": {
        "decision": format!("0190b0c1-0000-5000-8000-0000000002{n:02}"),
        "number": format!("9{n:02}/QĐ-BTTTT"), "kind": "notice",
        "issuer": reformlog::UnitId::from_slug("bo-tttt").unwrap(), "signer": null,
        "signed_on": "2022-03-01", "in_force_on": "2022-03-01",
        "title": "Thông báo (kiểm thử)", "amends": [], "replaces": [], "repeals": []
    }}})
}

/// The success answers, 304 for each tagged read, and what roles and tokens are refused.
fn successes_and_refusals(seen: &mut Seen, d: &Daemon, asks: &[Ask]) {
    let admin = d.tokens.admin.as_str();
    for ask in asks {
        let mut req = Req::of(ask, Some(admin));
        // Without `until` the feed of reminders ends now, a new answer every time.
        if ask.template == "/v1/reminders" {
            req.path = with_query(&ask.path, "until=2022-12-31");
        }
        let answer = seen.ask(d, req.clone());
        if let (200, Some(tag)) = (answer.status, &answer.etag) {
            if ask.method == Method::GET && ask.template.starts_with("/v1/") {
                seen.expect(d, req.header("if-none-match", tag), 304);
            }
        }
    }
    for ask in asks.iter().filter(|a| a.template.starts_with("/v1/")) {
        let method = ask.method.as_str().to_lowercase();
        let secured = seen.doc["paths"][ask.template][method]["security"].is_array();
        let refused = if secured { 401 } else { 200 };
        seen.expect(d, Req::of(ask, None), refused);
        seen.expect(d, Req::of(ask, Some("khong-hop-le")), refused);
        // Every role reads state: a viewer is refused only where the document says 403.
        seen.ask(d, Req::of(ask, Some(&d.tokens.viewer)));
        if matches!(ask.template, "/v1/integrity/verify" | "/v1/backup") {
            seen.expect(d, Req::of(ask, Some(&d.tokens.editor)), 403);
        }
    }
    let events = Req::get("/v1/events", "/v1/events?categories=task", &d.tokens.viewer);
    seen.expect(d, events, 200);
}

/// 400, 404 and 409 from the parameters, and every body route's refusals of its body.
fn bad_requests(seen: &mut Seen, d: &Daemon, asks: &[Ask]) {
    let admin = d.tokens.admin.as_str();
    for ask in asks.iter().filter(|a| a.template.starts_with("/v1/")) {
        let names = params(seen.doc, &ask.method, ask.template);
        if ask.method == Method::GET {
            if !names.iter().all(|n| n == "If-None-Match") {
                let unknown = with_query(&ask.path, "khong-co=1");
                seen.expect(d, Req::of(ask, Some(admin)).path(unknown), 400);
            }
            if ask.template.contains("{id}") {
                let unknown = with_id(ask, UNKNOWN);
                seen.expect(d, Req::of(ask, Some(admin)).path(unknown), 404);
            }
            let past = if names.iter().any(|n| n == "min_position") {
                Some(with_query(&ask.path, "min_position=999999"))
            } else if names.iter().any(|n| n == "known_at") {
                Some(with_query(&ask.path, "known_at=999999"))
            } else if ask.template == "/v1/events/stream" {
                Some(ask.path.replace("from=1", "from=999999"))
            } else {
                None
            };
            if let Some(past) = past {
                seen.expect(d, Req::of(ask, Some(admin)).path(past), 409);
            }
        } else {
            let malformed = Body::Raw("application/json", b"{".to_vec());
            let plain = Body::Raw("text/plain", b"{}".to_vec());
            let post = |body| Req::post(ask.template, admin, body);
            seen.expect(d, post(malformed), 400);
            seen.expect(d, post(plain), 415);
        }
    }
    let get = |template, path: &str| Req::get(template, path, admin);
    let unknown = [
        (
            "/v1/tasks/overdue",
            format!("/v1/tasks/overdue?unit={UNKNOWN}&on=2022-12-31"),
        ),
        (
            "/v1/tasks/filter",
            format!("/v1/tasks/filter?unit={UNKNOWN}&on=2021-06-30"),
        ),
        (
            "/v1/reports/tasks",
            format!("/v1/reports/tasks?plan={UNKNOWN}&on=2021-12-31"),
        ),
    ];
    for (template, path) in unknown {
        seen.expect(d, get(template, &path), 404);
    }
    seen.expect(
        d,
        get("/v1/history/{kind}/{id}", "/v1/history/khong-co/x"),
        400,
    );
    seen.expect(d, get("/v1/units", "/v1/units?on=2022-13-45"), 400);
    // A page of the log from past its end is empty, not refused: the document lists no 409.
    seen.expect(d, get("/v1/events", "/v1/events?from=999999"), 200);
    let backup = |name: &str| Body::Json(json!({ "name": name }));
    seen.expect(d, Req::post("/v1/backup", admin, backup(".an")), 400);
    seen.expect(d, Req::post("/v1/backup", admin, backup("golden")), 409);
}

/// The write routes' own answers: a retry, a reused key, a conflict, a stale If-Match.
fn writes(seen: &mut Seen, d: &Daemon) {
    let editor = d.tokens.editor.as_str();
    let post = |template: &'static str, body: Value| Req::post(template, editor, Body::Json(body));
    for (template, first, other) in [
        (
            "/v1/commands",
            register(1, "Thành viên 21"),
            register(2, "Thành viên 22"),
        ),
        ("/v1/decisions", record_decision(1), record_decision(2)),
    ] {
        let key = format!("statuses-{template}");
        seen.expect(
            d,
            post(template, first.clone()).header("idempotency-key", &key),
            201,
        );
        seen.expect(
            d,
            post(template, first).header("idempotency-key", &key),
            200,
        );
        seen.expect(
            d,
            post(template, other).header("idempotency-key", &key),
            422,
        );
    }
    seen.expect(d, post("/v1/commands", register(1, "Thành viên 21")), 409);
    seen.expect(d, post("/v1/decisions", record_decision(1)), 409);
    let person = reformlog::PersonId::from_slug("pham-minh-tien").unwrap();
    let rename = json!({ "reason": "statuses", "commands": [{ "rename_person": {
        "person": person, "name": "Phạm Minh Tiến", "on": "2022-03-01" } }] });
    seen.expect(
        d,
        post("/v1/commands", rename).header("if-match", "\"999\""),
        412,
    );
    // Well-formed, and refused by what is recorded.
    let nobody = json!({ "reason": "statuses", "commands": [{ "rename_person": {
        "person": UNKNOWN, "name": "Thành viên 23", "on": "2022-03-01" } }] });
    seen.expect(d, post("/v1/commands", nobody), 422);
    let mut amends = record_decision(3);
    amends["decision"]["record_decision"]["amends"] = json!([UNKNOWN]);
    seen.expect(d, post("/v1/decisions", amends), 422);
}

/// A daemon with small limits: late and large bodies, and a backup folder that cannot be.
fn limits(seen: &mut Seen, asks: &[Ask]) {
    let blocked = tempfile::NamedTempFile::new().unwrap();
    let path = blocked.path().to_owned();
    let d = Daemon::start_configured(true, |c| {
        c.max_body_bytes = 2048;
        c.body_read_timeout = Duration::from_millis(300);
        c.backup_dir = path;
    });
    let admin = d.tokens.admin.as_str();
    for ask in asks.iter().filter(|a| a.method == Method::POST) {
        let late = Body::Raw("application/json", vec![b' '; 100]);
        let req = Req::post(ask.template, admin, late);
        seen.expect_raw(&d, req, Some(10), 408);
        let large = Body::Json(json!({ "reason": "x".repeat(4096) }));
        seen.expect(&d, Req::post(ask.template, admin, large), 413);
    }
    let backup = Body::Json(json!({ "name": "statuses" }));
    seen.expect(&d, Req::post("/v1/backup", admin, backup), 500);
    // The store's folder deleted under the daemon: it may take no write, so it is not ready.
    let empty = Daemon::start(false);
    seen.expect(
        &empty,
        Req::get(
            "/v1/integrity/head",
            "/v1/integrity/head",
            &empty.tokens.viewer,
        ),
        404,
    );
    std::fs::remove_dir_all(empty.data_dir().join("store")).unwrap();
    seen.expect(
        &empty,
        Req::get("/readyz", "/readyz", &empty.tokens.viewer),
        503,
    );
    drop(empty);
}

/// A daemon serving one connection at a time, held by a live feed: every route is refused.
fn too_many_connections(seen: &mut Seen, asks: &[Ask]) {
    let d = Daemon::start_configured(true, |c| c.max_connections = 1);
    let mut feed = TcpStream::connect(d.base.trim_start_matches("http://")).unwrap();
    let open = format!(
        "GET /v1/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        d.tokens.admin
    );
    feed.write_all(open.as_bytes()).unwrap();
    let mut first = [0u8; 12];
    feed.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    for ask in asks {
        let req = Req::of(ask, Some(&d.tokens.admin));
        seen.expect_raw(&d, req, None, 503);
    }
    drop(feed);
}

#[test]
fn every_documented_status_of_every_route_is_answered_and_no_other() {
    let d = Daemon::start(true);
    let doc = d.get_json("/v1/openapi.json", &d.tokens.viewer);
    let asks = requests(&first_task(&d));
    let mut seen = Seen::new(&doc);
    successes_and_refusals(&mut seen, &d, &asks);
    bad_requests(&mut seen, &d, &asks);
    writes(&mut seen, &d);
    limits(&mut seen, &asks);
    too_many_connections(&mut seen, &asks);

    let (missing, exempted) = unseen(&doc, &seen.statuses);
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|op| op["responses"].as_object().map_or(0, serde_json::Map::len))
        .sum();
    eprintln!(
        "{documented} documented statuses, {} exempted; {} answers, {} with a schema",
        exempted.len(),
        seen.answers,
        seen.validated
    );
    assert!(
        seen.wrong.is_empty() && missing.is_empty(),
        "{}\ndocumented but never answered:\n{}",
        seen.wrong.join("\n"),
        missing.join("\n")
    );

    // The checks can fail: a status made up in a copy of the document is reported unseen,
    // and an answer whose status a copy leaves out is reported undocumented.
    let mut fewer = doc.clone();
    fewer["paths"]["/v1/units"]["get"]["responses"]["401"] = Value::Null;
    let mut probe = Seen::new(&fewer);
    probe.ask(&d, Req::get("/v1/units", "/v1/units", "khong-hop-le"));
    assert!(
        probe.wrong[0].contains("not documented"),
        "{:?}",
        probe.wrong
    );
    let mut made_up = doc.clone();
    made_up["paths"]["/v1/units"]["get"]["responses"]["418"] = json!({ "description": "x" });
    assert_eq!(unseen(&made_up, &seen.statuses).0, ["GET /v1/units 418"]);
}
