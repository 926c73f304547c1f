//! Golden answers of every route: a real reformd on the seed case is asked once per route
//! (every method and path the OpenAPI document lists), and each answer (status, content type,
//! body) is compared with its file under `tests/data/golden-api/`. What changes from run to
//! run is normalised first: recorded times, hashes (which cover them), time-ordered ids,
//! cursors and durations, the data folder's path, the numbers in the metrics.
//! Every answer is also validated against the schema the served document gives it, and so is
//! every example the document shows.
//!
//! A changed field fails with a diff. When the change is meant, rewrite the files and review
//! them like code: `REFORMLOG_BLESS=1 cargo test -p reformlog-tests --test integration golden`.
//! A new route fails until it has a request in [`requests`] and its file is blessed.

use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::{json, Value};

use super::support::{documented_routes, Daemon};

/// One request of the golden run.
pub(super) struct Ask {
    pub(super) method: Method,
    /// The route as the OpenAPI document names it.
    pub(super) template: &'static str,
    pub(super) path: String,
    pub(super) body: Option<Value>,
}

fn get(template: &'static str, path: &str) -> Ask {
    Ask {
        method: Method::GET,
        template,
        path: path.to_owned(),
        body: None,
    }
}

fn post(template: &'static str, body: Option<Value>) -> Ask {
    Ask {
        method: Method::POST,
        template,
        path: template.to_owned(),
        body,
    }
}

const COMMITTEE: &str = "bcd-cchc-bo-tttt";

/// Every route once, reads before writes, so each answer is about the seed case alone; the
/// metrics last, once every route has been counted.
pub(super) fn requests(task: &str) -> Vec<Ask> {
    let c = COMMITTEE;
    vec![
        get("/healthz", "/healthz"),
        get("/readyz", "/readyz"),
        get("/v1/openapi.json", "/v1/openapi.json"),
        get("/v1/events", "/v1/events?limit=3"),
        get("/v1/events/stream", "/v1/events/stream?from=1"),
        get("/v1/reminders", "/v1/reminders?limit=3"),
        get("/v1/reminders/stream", "/v1/reminders/stream"),
        get("/v1/integrity/head", "/v1/integrity/head"),
        get("/v1/units", "/v1/units?on=2022-02-01&limit=3"),
        get("/v1/units/{id}", "/v1/units/cuc-tin-hoc-hoa?on=2022-02-01"),
        get("/v1/people", "/v1/people?on=2022-02-01&limit=3"),
        get("/v1/people/{id}", "/v1/people/pham-minh-tien?on=2022-02-01"),
        get("/v1/posts", "/v1/posts?on=2022-02-01&limit=3"),
        get(
            "/v1/posts/{id}",
            "/v1/posts/thu-truong-bo-tttt?on=2022-02-01",
        ),
        get("/v1/committees", "/v1/committees?on=2022-02-01&limit=3"),
        get(
            "/v1/committees/{id}",
            &format!("/v1/committees/{c}?on=2022-02-01"),
        ),
        get("/v1/decisions", "/v1/decisions?on=2022-02-01&limit=3"),
        get(
            "/v1/decisions/{id}",
            "/v1/decisions/qd-34-2022?on=2022-02-01",
        ),
        get("/v1/tasks", "/v1/tasks?on=2021-06-30&limit=3"),
        get("/v1/tasks/{id}", &format!("/v1/tasks/{task}?on=2021-06-30")),
        get("/v1/search", "/v1/search?q=pham%20minh%20tien"),
        get(
            "/v1/committees/{id}/composition",
            &format!("/v1/committees/{c}/composition?on=2022-02-01"),
        ),
        get(
            "/v1/committees/{id}/timeline",
            &format!("/v1/committees/{c}/timeline"),
        ),
        get(
            "/v1/committees/{id}/diff",
            &format!("/v1/committees/{c}/diff?from=2022-01-01&to=2022-02-01"),
        ),
        get("/v1/people/{id}/history", "/v1/people/do-cong-anh/history"),
        get(
            "/v1/decisions/{id}/changes",
            "/v1/decisions/qd-34-2022/changes",
        ),
        get(
            "/v1/tasks/filter",
            "/v1/tasks/filter?unit=vu-to-chuc-can-bo&role=lead&on=2021-06-30",
        ),
        get(
            "/v1/reports/tasks",
            "/v1/reports/tasks?plan=kh-cchc-2021&on=2021-12-31",
        ),
        get(
            "/v1/units/{id}/lineage",
            "/v1/units/cuc-tin-hoc-hoa/lineage?on=2022-02-01",
        ),
        get(
            "/v1/units/{id}/tasks",
            "/v1/units/van-phong-bo/tasks?on=2022-06-01",
        ),
        get(
            "/v1/decisions/{id}/tasks",
            "/v1/decisions/qd-34-2022/tasks?on=2022-06-01",
        ),
        get("/v1/tasks/overdue", "/v1/tasks/overdue?on=2022-12-31"),
        get(
            "/v1/history/{kind}/{id}",
            &format!("/v1/history/committee/{c}?valid_from=2022-01-14&valid_to=2022-01-14"),
        ),
        get(
            "/v1/audit/changes",
            "/v1/audit/changes?actor=system:demo&valid_from=2021-06-01&valid_to=2021-06-30",
        ),
        post("/v1/integrity/verify", None),
        post(
            "/v1/commands",
            Some(json!({
                "reason": "golden answers",
                "commands": [{ "register_person": {
                    "person": "0190b0c1-0000-5000-8000-000000000017",
                    "name": "Thành viên 17", "on": "2022-02-01"
                }}]
            })),
        ),
        post(
            "/v1/decisions",
            Some(json!({
                "reason": "golden answers",
                "decision": { "record_decision": {
                    "decision": "0190b0c1-0000-5000-8000-000000000034",
                    "number": "901/QĐ-BTTTT", "kind": "notice",
                    "issuer": reformlog::UnitId::from_slug("bo-tttt").unwrap(), "signer": null,
                    "signed_on": "2022-03-01", "in_force_on": "2022-03-01",
                    "title": "Thông báo (kiểm thử)", "amends": [], "replaces": [], "repeals": []
                }},
                "changes": []
            })),
        ),
        post("/v1/backup", Some(json!({ "name": "golden" }))),
        get("/metrics", "/metrics"),
    ]
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/golden-api")
}

/// `GET /v1/committees/{id}/composition` is `get-v1-committees-id-composition.json`.
fn file_name(method: &Method, template: &str) -> String {
    let path: String = template
        .trim_start_matches('/')
        .chars()
        .filter(|c| !matches!(c, '{' | '}'))
        .map(|c| if c == '/' || c == '.' { '-' } else { c })
        .collect();
    format!("{}-{path}.json", method.as_str().to_lowercase())
}

/// Whether `s` is an RFC 3339 date and time (a recorded time, never a valid date).
fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && (s.ends_with('Z') || s[19..].contains(['+', '-']))
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A time-ordered (version 7) id: fresh in every run, unlike the ids derived from slugs.
fn is_fresh_id(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.get_version_num() == 7)
}

/// Keys whose values are clock readings or counts of time.
fn is_clock_key(key: &str) -> bool {
    key == "recorded_at"
        || key.ends_with("_ms")
        || key.ends_with("_micros")
        || key.ends_with("_seconds")
        || key.contains("duration")
        || key.contains("elapsed")
}

/// Replaces what differs from run to run, keeping the shape and everything else.
fn normalise(v: &mut Value, data: &str, key: Option<&str>) {
    match v {
        Value::String(s) => {
            if key.is_some_and(is_clock_key) || is_time(s) {
                *s = "<time>".to_owned();
            } else if is_hash(s) {
                *s = "<hash>".to_owned();
            } else if is_fresh_id(s) {
                *s = "<fresh-id>".to_owned();
            } else if matches!(key, Some("next" | "cursor")) {
                *s = "<cursor>".to_owned();
            } else if s.contains(data) {
                *s = s.replace(data, "<data>");
            } else if let Some((position, hash)) = s.split_once(':') {
                // A head digest, `POSITION:HASH`.
                if position.bytes().all(|b| b.is_ascii_digit()) && is_hash(hash) {
                    *s = format!("{position}:<hash>");
                }
            }
        }
        Value::Number(_) if key.is_some_and(is_clock_key) => *v = json!("<time>"),
        // Sizes on disk depend on how sled laid its files out in this run.
        Value::Number(_) if key.is_some_and(|k| k == "bytes" || k.ends_with("_bytes")) => {
            *v = json!("<size>");
        }
        Value::Array(items) => {
            for item in items {
                normalise(item, data, key);
            }
        }
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                normalise(item, data, Some(k));
            }
        }
        _ => {}
    }
}

/// The metrics' text with every sample's value taken out: which series exist is the answer.
fn metric_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            if line.starts_with('#') || line.trim().is_empty() {
                line.to_owned()
            } else {
                match line.rsplit_once(' ') {
                    Some((series, _)) => format!("{series} <n>"),
                    None => line.to_owned(),
                }
            }
        })
        .collect()
}

/// A live feed's first messages: up to its `caught-up` message, at most five.
fn feed_messages(resp: reqwest::blocking::Response) -> Vec<Value> {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::new(resp);
    let mut messages = Vec::new();
    let mut current = serde_json::Map::new();
    let mut line = String::new();
    while messages.len() < 5 {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let text = line.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if current.is_empty() {
                continue;
            }
            let done = current.get("event") == Some(&json!("caught-up"));
            messages.push(Value::Object(std::mem::take(&mut current)));
            if done {
                break;
            }
            continue;
        }
        let Some((field, value)) = text.split_once(':') else {
            continue;
        };
        if field.is_empty() {
            continue; // a comment (keep-alive)
        }
        let value = value.strip_prefix(' ').unwrap_or(value);
        // A feed's message id is its resume cursor: a position for the log, a point in the
        // reminders' order (a recorded time among it) for reminders.
        let value = match serde_json::from_str(value) {
            Ok(v) => v,
            Err(_) if field == "id" => json!("<cursor>"),
            Err(_) => json!(value),
        };
        current.insert(field.to_owned(), value);
    }
    messages
}

/// The answer as its golden file holds it; `check` sees the status, content type and body as
/// they came, before anything is normalised.
fn answer(d: &Daemon, ask: &Ask, check: &mut dyn FnMut(&Ask, u16, &str, &Value)) -> Value {
    let mut req = d.request(ask.method.clone(), &ask.path, Some(&d.tokens.admin));
    if let Some(body) = &ask.body {
        req = req.json(body);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = if content_type.starts_with("text/event-stream") {
        Value::Array(feed_messages(resp))
    } else {
        let text = resp.text().unwrap();
        if content_type.contains("json") {
            serde_json::from_str(&text).unwrap()
        } else if ask.template == "/metrics" {
            json!(metric_lines(&text))
        } else {
            json!(text)
        }
    };
    check(ask, status, &content_type, &body);
    let mut answer = json!({
        "request": format!("{} {}", ask.method, ask.path),
        "status": status,
        "content_type": content_type,
        "body": body,
    });
    normalise(&mut answer, &d.data_dir().display().to_string(), None);
    answer
}

/// The changed lines between `old` and `new`: what both start and end with is left out.
fn diff(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out = format!("@@ line {} @@\n", head + 1);
    for line in a[head..a.len() - tail].iter().take(40) {
        out.push_str(&format!("-{line}\n"));
    }
    for line in b[head..b.len() - tail].iter().take(40) {
        out.push_str(&format!("+{line}\n"));
    }
    out
}

/// The task the golden run asks for: the first of the listing on its date.
pub(super) fn first_task(d: &Daemon) -> String {
    let v = d.get_json("/v1/tasks?on=2021-06-30&limit=1", &d.tokens.viewer);
    v.pointer("/answer/items/0/id")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no task in the seed case: {v}"))
        .to_owned()
}

#[test]
fn every_route_answers_as_its_golden_file_says() {
    let bless = std::env::var_os("REFORMLOG_BLESS").is_some_and(|v| v == "1");
    let d = Daemon::start(true);
    let doc = d.get_json("/v1/openapi.json", &d.tokens.viewer);
    let documented = documented_routes(&doc);
    let asks = requests(&first_task(&d));
    let mut asked: Vec<(String, String)> = asks
        .iter()
        .map(|a| (a.method.to_string(), a.template.to_owned()))
        .collect();
    asked.sort();
    assert_eq!(
        asked, documented,
        "every route needs one request in `requests` and its golden file \
         (REFORMLOG_BLESS=1 cargo test -p reformlog-tests --test integration golden)"
    );
    let dir = golden_dir();
    if bless {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut failures = Vec::new();
    let mut validated = 0;
    let mut nonconforming = Vec::new();
    let mut check = |ask: &Ask, status: u16, content_type: &str, body: &Value| {
        if let Some(wrong) = against_document(&doc, ask, status, content_type, body) {
            validated += 1;
            nonconforming.extend(wrong);
        }
    };
    for ask in &asks {
        let got = serde_json::to_string_pretty(&answer(&d, ask, &mut check)).unwrap() + "\n";
        let file = dir.join(file_name(&ask.method, ask.template));
        if bless {
            std::fs::write(&file, &got).unwrap();
            continue;
        }
        match std::fs::read_to_string(&file) {
            Ok(want) if want == got => {}
            Ok(want) => failures.push(format!(
                "{} {} differs from {}:\n{}",
                ask.method,
                ask.template,
                file.display(),
                diff(&want, &got)
            )),
            Err(e) => failures.push(format!("{}: {e}", file.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nIf the change is meant: REFORMLOG_BLESS=1 cargo test -p reformlog-tests --test \
         integration golden, then review the files",
        failures.join("\n")
    );
    assert!(
        nonconforming.is_empty(),
        "answers that do not conform to the served document:\n{}",
        nonconforming.join("\n")
    );
    assert!(
        validated >= 20,
        "only {validated} answers had a schema to check"
    );
}

/// Where the served document gives a schema for the route, status and media type of an
/// answer: what in the body does not conform to it (empty when it all does).
pub(super) fn against_document(
    doc: &Value,
    ask: &Ask,
    status: u16,
    content_type: &str,
    body: &Value,
) -> Option<Vec<String>> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.contains("json") {
        return None;
    }
    let method = ask.method.as_str().to_lowercase();
    let schema = &doc["paths"][ask.template][&method]["responses"][status.to_string()]["content"]
        [media]["schema"];
    if schema.is_null() {
        return None;
    }
    let what = format!("{} {} {status}", ask.method, ask.template);
    Some(conformance(doc, schema, body, &what))
}

/// What in `body` does not conform to `schema`, whose references point into `doc`'s
/// components, one line per error named by `what`.
pub(super) fn conformance(doc: &Value, schema: &Value, body: &Value, what: &str) -> Vec<String> {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "allOf": [schema],
    });
    // Formats too: a `date` that is not `YYYY-MM-DD` or a `uuid` that is not one is a lie.
    let validator = match jsonschema::options()
        .should_validate_formats(true)
        .build(&root)
    {
        Ok(v) => v,
        Err(e) => return vec![format!("{what}: the document's schema: {e}")],
    };
    validator
        .iter_errors(body)
        .map(|e| {
            let text = e.to_string();
            let short: String = text.chars().take(300).collect();
            format!("{what}: {short} at {}", e.instance_path())
        })
        .collect()
}

/// Every response example the document gives, as (what, schema, example).
fn examples(doc: &Value) -> Vec<(String, Value, Value)> {
    let mut found = Vec::new();
    let empty = serde_json::Map::new();
    for (path, methods) in doc["paths"].as_object().unwrap_or(&empty) {
        for (method, op) in methods.as_object().unwrap_or(&empty) {
            for (status, response) in op["responses"].as_object().unwrap_or(&empty) {
                for (media, content) in response["content"].as_object().unwrap_or(&empty) {
                    if let Some(example) = content.get("example") {
                        let what = format!("{method} {path} {status} {media}");
                        found.push((what, content["schema"].clone(), example.clone()));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_example_in_the_document_conforms_to_its_schema() {
    let doc: Value = serde_json::from_str(&reformd::openapi_json()).unwrap();
    let examples = examples(&doc);
    let with_example = |path: &str| examples.iter().any(|(what, ..)| what.contains(path));
    for path in [" /v1/committees/{id}/composition ", " /v1/units/{id} "] {
        assert!(with_example(path), "no example for{path}");
    }
    let wrong: Vec<String> = examples
        .iter()
        .flat_map(|(what, schema, example)| conformance(&doc, schema, example, what))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn an_entity_route_documents_its_own_kind_of_details_and_no_other() {
    let doc: Value = serde_json::from_str(&reformd::openapi_json()).unwrap();
    let schema_of = |path: &str| {
        doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"].clone()
    };
    let (unit, person) = (schema_of("/v1/units/{id}"), schema_of("/v1/people/{id}"));
    let person_answer = &person["example"];
    assert!(conformance(&doc, &person["schema"], person_answer, "person").is_empty());
    // A person's summary is a valid `EntitySummary`, but not what a unit's route answers.
    let as_unit = conformance(&doc, &unit["schema"], person_answer, "unit");
    assert!(!as_unit.is_empty(), "a person's summary passed as a unit's");
}

#[test]
fn what_differs_per_run_is_normalised_and_nothing_else() {
    let mut v = json!({
        "recorded_at": "2026-01-02T03:04:05.123456Z",
        "position": 12,
        "on": "2022-02-01",
        "hash": "ab".repeat(32),
        "event_id": "01900000-0000-7000-8000-000000000042",
        "entity": "0190b0c1-0000-5000-8000-000000000017",
        "head": format!("12:{}", "cd".repeat(32)),
        "took_ms": 17,
        "bytes": 17305025,
        "path": "/somewhere/data/backups/golden",
    });
    normalise(&mut v, "/somewhere/data", None);
    assert_eq!(
        v,
        json!({
            "recorded_at": "<time>", "position": 12, "on": "2022-02-01", "hash": "<hash>",
            "event_id": "<fresh-id>", "entity": "0190b0c1-0000-5000-8000-000000000017",
            "head": "12:<hash>", "took_ms": "<time>", "bytes": "<size>", "path": "<data>/backups/golden",
        })
    );
    assert_eq!(
        diff("a\nb\nc\n", "a\nB\nc\n"),
        "@@ line 2 @@\n-b\n+B\n".to_owned()
    );
}
