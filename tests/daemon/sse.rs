//! The Server-Sent Events feed resumes from Last-Event-ID with no gap and no duplicate while
//! other clients write.

use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use reqwest::Method;
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
