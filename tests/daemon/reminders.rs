//! Deadline reminders over HTTP: a bridge polling `/v1/reminders` with its cursor gets every
//! reminder once (tasks entered late, deadlines extended after the fact); the SSE stream
//! sends the same live and resumes after `Last-Event-ID`; bad requests are typed 400s.

use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::support::Daemon;

fn task_id(slug: &str) -> String {
    reformlog::TaskId::from_slug(slug).unwrap().to_string()
}

/// A task entered late: created on 2022-02-01, due on 2022-03-31, long past.
fn late_task(d: &Daemon, slug: &str) {
    let body = json!({ "commands": [{ "create_task": {
        "task": task_id(slug),
        "plan": null,
        "title": format!("Nhiệm vụ {slug}"),
        "product": "Báo cáo",
        "deadline": "2022-03-31",
        "assignment": {
            "lead": reformlog::UnitId::from_slug("vu-to-chuc-can-bo").unwrap(),
            "cooperating": [],
            "responsible": reformlog::PersonId::from_slug("pham-minh-tien").unwrap(),
        },
        "on": "2022-02-01",
    }}]});
    let r = d.post_json("/v1/commands", &d.tokens.editor, &body);
    assert!(r.status().is_success(), "{}", r.text().unwrap());
}

/// Every reminder after `cursor`, a page of `limit` at a time; and the last `next`.
fn poll(d: &Daemon, cursor: Option<&str>, limit: usize) -> (Vec<Value>, String) {
    let mut cursor = cursor.map(str::to_owned);
    let mut out = Vec::new();
    loop {
        let mut path = format!("/v1/reminders?limit={limit}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&after={c}"));
        }
        let page = d.get_json(&path, &d.tokens.viewer)["answer"].clone();
        // Times are written in the API's one form: RFC 3339 in UTC to the microsecond.
        let micros = |t: &Value| {
            let t = t.as_str().unwrap_or_default();
            t.ends_with('Z') && t.split('.').nth(1).is_some_and(|f| f.len() == 7)
        };
        assert!(micros(&page["horizon"]), "{page}");
        for r in page["reminders"].as_array().unwrap() {
            assert!(micros(&r["visible_at"]), "{r}");
        }
        out.extend(page["reminders"].as_array().unwrap().iter().cloned());
        cursor = Some(page["next"].as_str().unwrap().to_owned());
        if page["more"] != json!(true) {
            return (out, cursor.unwrap_or_default());
        }
    }
}

/// (kind, date, deadline) of each reminder of one task.
fn of(reminders: &[Value], slug: &str) -> Vec<(String, String, String)> {
    let id = task_id(slug);
    reminders
        .iter()
        .filter(|r| r["task"] == json!(id))
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_owned();
            (s("kind"), s("on"), s("deadline"))
        })
        .collect()
}

fn rem(kind: &str, on: &str, deadline: &str) -> (String, String, String) {
    (kind.to_owned(), on.to_owned(), deadline.to_owned())
}

/// The three reminders of an open task due on `deadline`: due soon on `soon`, due on the day,
/// overdue from `after`.
fn due_on(soon: &str, deadline: &str, after: &str) -> Vec<(String, String, String)> {
    vec![
        rem("due_soon", soon, deadline),
        rem("due", deadline, deadline),
        rem("overdue", after, deadline),
    ]
}

#[test]
fn a_bridge_polling_with_its_cursor_gets_every_reminder_once_late_and_extended_ones_too() {
    let d = Daemon::start(true);
    // The 2021 plans: three tasks were still open a week before their deadline.
    let (first, c1) = poll(&d, None, 2);
    assert_eq!(first.len(), 3, "{first:?}");
    for r in &first {
        assert_eq!(r["kind"], "due_soon");
        assert_eq!(r["on"], "2021-12-24");
        assert_eq!(r["deadline"], "2021-12-31");
    }
    assert!(first.iter().any(|r| r["title"]
        == "Tổ chức triển khai kế hoạch cải cách hành chính năm 2021 của Bộ"
        && r["lead"]["name"] == "Vụ Tổ chức cán bộ"
        && r["responsible"]["name"] == "Phạm Minh Tiến"));
    assert!(poll(&d, Some(&c1), 2).0.is_empty());

    // Entered late: its past reminders come now, once.
    late_task(&d, "nv-nhap-muon");
    let (second, c2) = poll(&d, Some(&c1), 2);
    assert_eq!(
        of(&second, "nv-nhap-muon"),
        due_on("2022-03-24", "2022-03-31", "2022-04-01")
    );
    assert_eq!(second.len(), 3);

    // Extended after the fact: the new deadline's reminders, and nothing twice.
    d.command_ok(json!({ "extend_deadline": {
            "task": task_id("nv-nhap-muon"), "deadline": "2022-06-30", "on": "2022-04-05", "decision": null
        }}),
    );
    let (third, c3) = poll(&d, Some(&c2), 100);
    assert_eq!(
        of(&third, "nv-nhap-muon"),
        due_on("2022-06-23", "2022-06-30", "2022-07-01")
    );
    // A completion entered late takes back nothing and adds nothing.
    d.command_ok(json!({ "complete_task": { "task": task_id("nv-nhap-muon"), "on": "2022-06-20", "decision": null }}),
    );
    assert!(poll(&d, Some(&c3), 100).0.is_empty());
    // Asked from the start again, the feed is the same, in the same order.
    let mut all = first.clone();
    all.extend(second);
    all.extend(third);
    let (again, _) = poll(&d, None, 1000);
    let cursors = |v: &[Value]| v.iter().map(|r| r["cursor"].clone()).collect::<Vec<_>>();
    assert_eq!(cursors(&again), cursors(&all));
    // `until` replays the feed as it stood: before the seed was loaded, nothing.
    let past = d.get_json("/v1/reminders?until=2001-01-01", &d.tokens.viewer);
    assert_eq!(past["answer"]["reminders"], json!([]));
    // `since` starts with what became visible from then on: nothing from the year 3000.
    let future = d.get_json("/v1/reminders?since=2999-01-01", &d.tokens.viewer);
    assert_eq!(future["answer"]["reminders"], json!([]));
}

/// Reads SSE messages from `resp` on a thread: (event, id, data) each.
fn messages(resp: reqwest::blocking::Response) -> mpsc::Receiver<(String, String, String)> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let reader = BufReader::new(resp);
        let (mut event, mut id, mut data) = (String::new(), String::new(), String::new());
        for line in reader.lines() {
            let Ok(line) = line else { return };
            if line.is_empty() {
                if !data.is_empty()
                    && tx
                        .send((
                            std::mem::take(&mut event),
                            id.clone(),
                            std::mem::take(&mut data),
                        ))
                        .is_err()
                {
                    return;
                }
                continue;
            }
            if let Some(v) = line.strip_prefix("data: ") {
                data.push_str(v);
            } else if let Some(v) = line.strip_prefix("id: ") {
                id = v.to_owned();
            } else if let Some(v) = line.strip_prefix("event: ") {
                event = v.to_owned();
            }
        }
    });
    rx
}

fn next(rx: &mpsc::Receiver<(String, String, String)>) -> (String, String, Value) {
    let (event, id, data) = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("a message from the stream");
    (event, id, serde_json::from_str(&data).unwrap())
}

#[test]
fn the_stream_sends_the_same_reminders_live_and_resumes_after_the_last_event_id() {
    let d = Daemon::start(true);
    let resp = d
        .request(Method::GET, "/v1/reminders/stream", Some(&d.tokens.viewer))
        .send()
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let rx = messages(resp);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (event, id, r) = next(&rx);
        assert_eq!(event, "");
        assert_eq!(r["kind"], "due_soon");
        assert_eq!(r["cursor"], json!(id));
        ids.push(id);
    }
    let (event, id, body) = next(&rx);
    assert_eq!(event, "caught-up");
    assert_eq!(body["cursor"], json!(id));
    // A task entered now: its reminders arrive live.
    late_task(&d, "nv-truc-tiep");
    let mut live = Vec::new();
    for _ in 0..3 {
        let (_, id, r) = next(&rx);
        assert_eq!(r["task"], json!(task_id("nv-truc-tiep")));
        live.push(r["kind"].as_str().unwrap().to_owned());
        ids.push(id);
    }
    assert_eq!(live, ["due_soon", "due", "overdue"]);
    drop(rx);
    // Another while no one listens; reconnecting after the last id gives only it.
    late_task(&d, "nv-khi-vang");
    let resumed = d
        .request(Method::GET, "/v1/reminders/stream", Some(&d.tokens.viewer))
        .header("last-event-id", ids.last().unwrap())
        .send()
        .unwrap();
    let rx = messages(resumed);
    for kind in ["due_soon", "due", "overdue"] {
        let (_, id, r) = next(&rx);
        assert_eq!(r["task"], json!(task_id("nv-khi-vang")));
        assert_eq!(r["kind"], kind);
        assert!(!ids.contains(&id));
        ids.push(id);
    }
    let (event, _, _) = next(&rx);
    assert_eq!(event, "caught-up");
}

#[test]
fn bad_reminder_requests_are_typed_refusals() {
    let d = Daemon::start(true);
    let (_, cursor) = poll(&d, None, 10);
    for (path, code) in [
        ("/v1/reminders?after=r1.7.x", "invalid-cursor"),
        ("/v1/reminders?after=somebody-else", "invalid-cursor"),
        (
            &format!("/v1/reminders?after={cursor}&since=2022-01-01") as &str,
            "conflicting-parameters",
        ),
        ("/v1/reminders?limit=0", "invalid-limit"),
        ("/v1/reminders?limit=1001", "invalid-limit"),
        ("/v1/reminders?due_soon_days=367", "invalid-query"),
        (
            &format!("/v1/reminders?after={cursor}&due_soon_days=3"),
            "invalid-query",
        ),
        ("/v1/reminders?since=2022-02-30", "invalid-time"),
        ("/v1/reminders?until=yesterday", "invalid-time"),
        ("/v1/reminders?other=1", "invalid-query"),
    ] {
        let r = d.get(path, Some(&d.tokens.viewer));
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        let body: Value = r.json().unwrap();
        assert_eq!(body["code"], code, "{path}: {body}");
    }
    let r = d
        .request(Method::GET, "/v1/reminders/stream", Some(&d.tokens.viewer))
        .header("last-event-id", "42")
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().unwrap()["code"], "invalid-last-event-id");
}
