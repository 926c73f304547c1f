//! The Server-Sent Events feed resumes from Last-Event-ID with no gap and no duplicate while
//! other clients write; the task part of the log is open to every role that reads state.

use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use super::support::Daemon;

/// Reads SSE events from `resp` until `count` log events were seen; returns their ids.
fn read_ids(resp: reqwest::blocking::Response, count: usize) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut reader = BufReader::new(resp);
    let mut line = String::new();
    while ids.len() < count {
        line.clear();
        let n = reader.read_line(&mut line).unwrap();
        assert!(n > 0, "feed ended early after {} events", ids.len());
        if let Some(id) = line
            .trim_end()
            .strip_prefix("id: ")
            .or_else(|| line.trim_end().strip_prefix("id:"))
        {
            ids.push(id.trim().parse().unwrap());
        }
    }
    ids
}

#[test]
fn feed_resumes_from_last_event_id_under_concurrent_writes() {
    let d = Arc::new(Daemon::start(true));
    let seeded = d.head();
    let writing = Arc::new(AtomicBool::new(true));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let d = Arc::clone(&d);
            let writing = Arc::clone(&writing);
            std::thread::spawn(move || {
                let mut n = 0;
                while writing.load(Ordering::Relaxed) && n < 60 {
                    let body = json!({ "commands": [{ "register_person": {
                        "person": Uuid::now_v7(), "name": format!("Thành viên {}", 200 + w * 100 + n), "on": "2022-02-01"
                    }}]});
                    let r = d.post_json("/v1/commands", &d.tokens.editor, &body);
                    assert!(r.status().is_success());
                    n += 1;
                }
            })
        })
        .collect();
    // First connection from position 1; drop it part way, then resume with Last-Event-ID.
    let first = d
        .request(
            Method::GET,
            "/v1/events/stream?from=1",
            Some(&d.tokens.auditor),
        )
        .send()
        .unwrap();
    assert_eq!(first.headers()["content-type"], "text/event-stream");
    let mut seen = read_ids(first, seeded as usize + 20);
    for _ in 0..3 {
        let last = *seen.last().unwrap();
        let resumed = d
            .request(Method::GET, "/v1/events/stream", Some(&d.tokens.auditor))
            .header("last-event-id", last.to_string())
            .send()
            .unwrap();
        seen.extend(read_ids(resumed, 25));
    }
    writing.store(false, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let expected: Vec<u64> = (1..=seen.len() as u64).collect();
    assert_eq!(seen, expected, "gap or duplicate across reconnects");
}

/// Who may read which part of the log: `categories=task` alone is open to every role that
/// reads state (as a task's history is); the whole log, or any other category, stays with
/// auditors and admins.
#[test]
fn the_task_feed_is_open_to_every_reader_and_the_rest_of_the_log_to_auditors() {
    use reformd::Role;
    let d = Daemon::start(true);
    for role in [Role::Viewer, Role::Editor, Role::Auditor, Role::Admin] {
        let token = d.tokens.of(role).to_owned();
        let auditor = matches!(role, Role::Auditor | Role::Admin);
        let page = d.get("/v1/events?categories=task&limit=1000", Some(&token));
        assert_eq!(page.status(), StatusCode::OK, "{role:?}");
        let page: serde_json::Value = page.json().unwrap();
        let events = page["answer"]["events"].as_array().unwrap();
        assert_eq!(
            events.len(),
            10,
            "{role:?}: the demo's five tasks, created and completed"
        );
        assert!(events
            .iter()
            .all(|e| e["stream"].as_str().unwrap().starts_with("task-")));
        for path in [
            "/v1/events?limit=5",
            "/v1/events?categories=task,committee",
            "/v1/events?categories=committee",
            "/v1/events/stream?from=1",
            "/v1/events/stream?categories=person",
        ] {
            let status = d.get(path, Some(&token)).status();
            let expected = if auditor {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(status, expected, "{role:?} {path}");
        }
        let feed = d
            .request(
                Method::GET,
                "/v1/events/stream?from=1&categories=task",
                Some(&token),
            )
            .send()
            .unwrap();
        assert_eq!(feed.status(), StatusCode::OK, "{role:?}");
        let ids = read_ids(feed, 10);
        let positions: Vec<u64> = events
            .iter()
            .map(|e| e["position"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, positions, "{role:?}");
    }
    assert_eq!(
        d.get("/v1/events?categories=task", None).status(),
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn resuming_past_the_log_end_is_refused_before_the_stream_starts() {
    let d = Daemon::start(true);
    let head = d.head();
    let refused = d
        .request(
            reqwest::Method::GET,
            "/v1/events/stream",
            Some(&d.tokens.auditor),
        )
        .header("last-event-id", "999999999")
        .send()
        .unwrap();
    assert_eq!(refused.status().as_u16(), 409);
    let problem: serde_json::Value = refused.json().unwrap();
    assert_eq!(problem["code"], "position-not-reached", "{problem}");
    let refused = d.get("/v1/events/stream?from=999999999", Some(&d.tokens.auditor));
    assert_eq!(refused.status().as_u16(), 409);
    // The next position to be written is where a follower may start.
    let next = d.get(
        &format!("/v1/events/stream?from={}", head + 1),
        Some(&d.tokens.auditor),
    );
    assert_eq!(next.status().as_u16(), 200);
    drop(next);
}

/// The positions-only feed is open to every reader and carries positions, nothing recorded.
#[test]
fn the_positions_only_feed_is_open_to_viewers_and_carries_no_content() {
    let d = Daemon::start(true);
    let viewer = d.tokens.viewer.clone();
    assert_eq!(
        d.get("/v1/events/stream?from=1", Some(&viewer)).status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        d.get("/v1/events/stream?from=1&positions_only=true", None)
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Filtered by kind, positions would say which changes happened when: the audit trail's.
    for filter in ["types=MembershipStarted", "categories=committee"] {
        assert_eq!(
            d.get(
                &format!("/v1/events/stream?from=1&positions_only=true&{filter}"),
                Some(&viewer)
            )
            .status(),
            StatusCode::FORBIDDEN,
            "{filter}"
        );
    }
    let feed = d
        .request(
            Method::GET,
            "/v1/events/stream?from=1&positions_only=true",
            Some(&viewer),
        )
        .send()
        .unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    let mut reader = BufReader::new(feed);
    let mut line = String::new();
    let mut ids = Vec::new();
    while ids.len() < 5 {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "feed ended early");
        let line = line.trim_end();
        if let Some(id) = line.strip_prefix("id:") {
            ids.push(id.trim().parse::<u64>().unwrap());
        } else if let Some(data) = line.strip_prefix("data:") {
            assert_eq!(data.trim(), "{}", "an event's data");
        }
    }
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
}
