//! Conditional reads (`ETag`, `If-None-Match` → 304), `Link` headers on paged lists, and the
//! `instance` every problem carries.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::support::Daemon;

fn get_if(d: &Daemon, path: &str, etag: &str) -> reqwest::blocking::Response {
    d.request(Method::GET, path, Some(&d.tokens.viewer))
        .header("if-none-match", etag)
        .send()
        .unwrap()
}

fn etag(headers: &HeaderMap) -> String {
    headers["etag"].to_str().unwrap().to_owned()
}

/// A rename of a sitting member, which changes the composition's answer.
fn rename(d: &Daemon, name: &str) {
    d.command_ok(json!({ "rename_person": {
        "person": reformlog::PersonId::from_slug("thanh-vien-3").unwrap(),
        "name": name,
        "on": "2022-01-20"
    }}));
}

#[test]
fn a_read_answers_304_until_its_answer_changes() {
    let d = Daemon::start(true);
    for path in [
        "/v1/committees/bcd-cchc-bo-tttt/composition?on=2022-02-01",
        "/v1/units?on=2022-02-01&limit=5",
        "/v1/search?q=pham%20minh%20tien",
    ] {
        let first = d.get(path, Some(&d.tokens.viewer));
        assert_eq!(first.status(), StatusCode::OK, "{path}");
        let tag = etag(first.headers());
        assert!(tag.starts_with("W/\""), "{path}: {tag}");
        assert_eq!(first.headers()["cache-control"], "private, no-cache");

        let again = get_if(&d, path, &tag);
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(etag(again.headers()), tag);
        assert!(again.bytes().unwrap().is_empty());
        // A list of tags, one of them ours, and `*`, match too; another tag does not.
        let listed = format!("\"nope\", {tag}");
        assert_eq!(get_if(&d, path, &listed).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(get_if(&d, path, "*").status(), StatusCode::NOT_MODIFIED);
        assert_eq!(get_if(&d, path, "W/\"nope\"").status(), StatusCode::OK);
    }

    let path = "/v1/committees/bcd-cchc-bo-tttt/composition?on=2022-02-01";
    let before = etag(d.get(path, Some(&d.tokens.viewer)).headers());
    rename(&d, "Thành viên 3 (tên mới)");
    let after = get_if(&d, path, &before);
    assert_eq!(after.status(), StatusCode::OK);
    assert_ne!(etag(after.headers()), before);
    let body: Value = after.json().unwrap();
    assert!(body.to_string().contains("Thành viên 3 (tên mới)"));
}

#[test]
fn an_entity_read_on_a_given_date_is_tagged_by_its_revision() {
    let d = Daemon::start(true);
    let dated = "/v1/people/thanh-vien-3?on=2022-02-01";
    let first = d.get(dated, Some(&d.tokens.viewer));
    assert_eq!(first.status(), StatusCode::OK);
    let tag = etag(first.headers());
    assert!(
        !tag.starts_with("W/"),
        "the revision is the If-Match tag: {tag}"
    );
    assert_eq!(get_if(&d, dated, &tag).status(), StatusCode::NOT_MODIFIED);

    // Without a date the view is today's, which the calendar moves: never 304.
    let today = "/v1/people/thanh-vien-3";
    let tag_today = etag(d.get(today, Some(&d.tokens.viewer)).headers());
    assert_eq!(get_if(&d, today, &tag_today).status(), StatusCode::OK);

    rename(&d, "Thành viên 3 (đổi)");
    let changed = get_if(&d, dated, &tag);
    assert_eq!(changed.status(), StatusCode::OK);
    let tag = etag(changed.headers());

    // A write to another entity moves the position the answer carries, so its bytes and its
    // tag change too, though this entity's revision does not.
    let other = reformlog::PersonId::from_slug("thanh-vien-4").unwrap();
    d.command_ok(json!({ "rename_person": {
        "person": other, "name": "Thành viên 4 (đổi)", "on": "2022-03-01"
    }}));
    let moved = get_if(&d, dated, &tag);
    assert_eq!(moved.status(), StatusCode::OK);
    let moved_tag = etag(moved.headers());
    assert_ne!(moved_tag, tag);
    let (revision, _) = tag.trim_matches('"').split_once('-').unwrap();
    assert!(
        moved_tag.starts_with(&format!("\"{revision}-")),
        "{moved_tag}"
    );
}

#[test]
fn writes_problems_and_the_feed_are_never_304() {
    let d = Daemon::start(true);
    let missing = get_if(&d, "/v1/units/no-such-unit", "*");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().get("etag").is_none());
    let feed = d
        .request(
            Method::GET,
            "/v1/events/stream?categories=task",
            Some(&d.tokens.viewer),
        )
        .header("if-none-match", "*")
        .send()
        .unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(feed.headers().get("etag").is_none());
}

/// Follows `Link: <…>; rel="next"` from `path` to the end, collecting `key` of every item of
/// the list at the JSON pointer `items`.
fn follow(d: &Daemon, token: &str, path: &str, items: &str, key: &str) -> (Vec<Value>, usize) {
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut next = Some(path.to_owned());
    while let Some(path) = next {
        let r = d.get(&path, Some(token));
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        next = r.headers().get("link").map(|l| {
            let l = l.to_str().unwrap();
            assert!(l.ends_with("; rel=\"next\""), "{l}");
            l.trim_start_matches('<')
                .split('>')
                .next()
                .unwrap()
                .to_owned()
        });
        let body: Value = r.json().unwrap();
        seen.extend(
            body.pointer(items)
                .and_then(Value::as_array)
                .unwrap()
                .iter()
                .map(|i| i[key].clone()),
        );
        pages += 1;
        assert!(pages < 1000, "the links never end");
    }
    (seen, pages)
}

#[test]
fn paged_lists_link_their_next_page_with_the_same_filters() {
    let d = Daemon::start(true);
    let whole: Value = d.get_json("/v1/units?on=2022-02-01&limit=1000", &d.tokens.viewer);
    let all: Vec<Value> = whole["answer"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert!(all.len() > 5);
    let (paged, pages) = follow(
        &d,
        &d.tokens.viewer,
        "/v1/units?on=2022-02-01&limit=2",
        "/answer/items",
        "id",
    );
    assert_eq!(paged, all);
    assert_eq!(pages, all.len().div_ceil(2));

    let head = d.head();
    let (positions, pages) = follow(
        &d,
        &d.tokens.auditor,
        "/v1/events?limit=7",
        "/answer/events",
        "position",
    );
    let expected: Vec<Value> = (1..=head).map(Value::from).collect();
    assert_eq!(positions, expected);
    assert!(pages >= usize::try_from(head).unwrap() / 7);
    // A page asked by time links onward by position, without the time.
    let r = d.get(
        "/v1/events?since=2000-01-01T00:00:00Z&limit=3",
        Some(&d.tokens.auditor),
    );
    let link = r.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.contains("from=4") && !link.contains("since"), "{link}");
    // The last page has no link.
    let last = d.get(&format!("/v1/events?from={head}"), Some(&d.tokens.auditor));
    assert!(last.headers().get("link").is_none());
}

#[test]
fn every_problem_names_its_occurrence() {
    let d = Daemon::start(false);
    for (method, path, token) in [
        (Method::GET, "/v1/units/not-a-slug!", Some(&d.tokens.viewer)),
        (Method::GET, "/v1/units", None),
        (Method::GET, "/v1/no-such-route", Some(&d.tokens.viewer)),
        (Method::DELETE, "/v1/units", Some(&d.tokens.viewer)),
    ] {
        let mut req = d
            .client
            .request(method.clone(), format!("{}{path}", d.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().unwrap();
        assert!(
            r.status().is_client_error(),
            "{method} {path}: {}",
            r.status()
        );
        let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
        let problem: Value = r.json().unwrap();
        assert_eq!(
            problem["instance"],
            format!("urn:uuid:{id}"),
            "{method} {path}: {problem}"
        );
    }
    // A client's own request id that is not a UUID: the path names the occurrence.
    let r = d
        .client
        .get(format!("{}/v1/units", d.base))
        .header("x-request-id", "office-42")
        .send()
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "office-42");
    let problem: Value = r.json().unwrap();
    assert_eq!(problem["instance"], "/v1/units");
}

#[test]
fn the_document_gives_every_error_answer_the_problem_schema() {
    let d = Daemon::start(false);
    let doc: Value = d.get("/v1/openapi.json", None).json().unwrap();
    let problem = &doc["components"]["schemas"]["Problem"];
    let required: Vec<&str> = problem["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in ["type", "title", "status", "code", "detail"] {
        assert!(required.contains(&field), "{field}: {problem}");
    }
    let mut errors = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                errors += 1;
                assert_eq!(
                    response["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
            }
        }
    }
    assert!(errors > 30, "{errors}");
    // A real problem has every field the schema requires.
    let answer: Value = d
        .get("/v1/units/no-such-unit", Some(&d.tokens.viewer))
        .json()
        .unwrap();
    for field in required {
        assert!(!answer[field].is_null(), "{field}: {answer}");
    }
}
