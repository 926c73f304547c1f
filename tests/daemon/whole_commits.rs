//! "As known at" over HTTP never shows part of one atomic write: the composition asked at
//! any log position or recorded time equals the composition at the end of some write.
//!
//! Each write (the demo load, a `POST /v1/commands`, a `POST /v1/decisions`) is one atomic
//! append, so the log never stood between two of its events; an answer that shows some of a
//! write's events and not the others describes a state that never existed. The boundaries
//! come only from what the tests see over HTTP (the head after each write they make, and
//! the demo load being the whole log), not from store internals.

use serde_json::{json, Value};
use uuid::Uuid;

use super::support::Daemon;

const C: &str = "bcd-cchc-bo-tttt";
/// A valid date on which the whole Decision 34 composition holds.
const ON: &str = "2022-02-01";

/// What the composition route answered.
#[derive(Clone, Debug, PartialEq)]
enum Seen {
    /// 404: the committee is not known as of `known_at`.
    NotKnown,
    /// 200: the `answer` member (without `position`, which is the read models' position
    /// and the same for every question).
    Answer(Value),
}

/// `known_at` as a query-string value: RFC 3339 times carry `:` and possibly `+`.
fn encode(known_at: &str) -> String {
    known_at.replace(':', "%3A").replace('+', "%2B")
}

fn composition(d: &Daemon, known_at: &str) -> Seen {
    let path = format!(
        "/v1/committees/{C}/composition?on={ON}&known_at={}",
        encode(known_at)
    );
    let r = d.get(&path, Some(&d.tokens.viewer));
    let status = r.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Seen::NotKnown;
    }
    let body = r.text().unwrap();
    // Anything but 200 or 404 means the question itself is wrong (say, a parameter format).
    assert!(status.is_success(), "GET {path}: {status} {body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    Seen::Answer(v["answer"].clone())
}

/// One event of the log as `GET /v1/events` shows it.
#[derive(Debug)]
struct Logged {
    position: u64,
    recorded_at: String,
    correlation_id: Option<String>,
    actor: String,
}

/// The whole log, page by page.
fn events(d: &Daemon) -> Vec<Logged> {
    let mut out = Vec::new();
    let mut from = 1;
    loop {
        let page = d.get_json(
            &format!("/v1/events?from={from}&limit=1000"),
            &d.tokens.auditor,
        );
        for e in page["answer"]["events"].as_array().unwrap() {
            out.push(Logged {
                position: e["position"].as_u64().unwrap(),
                recorded_at: e["recorded_at"].as_str().unwrap().to_owned(),
                correlation_id: e["correlation_id"].as_str().map(str::to_owned),
                actor: e["actor"].as_str().unwrap().to_owned(),
            });
        }
        match page["answer"]["next"].as_u64() {
            Some(next) => from = next,
            None => return out,
        }
    }
}

/// Positions as runs (`84..=187, 190`), so a failure message stays readable.
fn ranges(positions: &[u64]) -> String {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for &p in positions {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == p => *end = p,
            _ => runs.push((p, p)),
        }
    }
    let runs: Vec<String> = runs
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}..={b}")
            }
        })
        .collect();
    format!("[{}]", runs.join(", "))
}

/// The first and last few of a long list of times.
fn sample(times: &[&str]) -> String {
    if times.len() <= 6 {
        return format!("{times:?}");
    }
    let (head, tail) = (&times[..3], &times[times.len() - 3..]);
    format!("{head:?} .. {tail:?}")
}

/// The daemon with the demo data, checked to be one write that is the whole log.
fn demo() -> (Daemon, Vec<Logged>) {
    let d = Daemon::start(true);
    let head = d.head();
    let log = events(&d);
    assert!(head > 1, "the demo load is several events, not {head}");
    assert_eq!(log.len() as u64, head);
    assert_eq!(
        log.iter().map(|e| e.position).collect::<Vec<_>>(),
        (1..=head).collect::<Vec<_>>()
    );
    // One `execute_all` stamps one correlation id on every event it appends: the demo load
    // is a single write, and nothing else has been written.
    assert!(log.iter().all(|e| e.actor == "system:demo"), "{log:?}");
    let correlation = log[0].correlation_id.clone();
    assert!(correlation.is_some());
    assert!(log.iter().all(|e| e.correlation_id == correlation));
    (d, log)
}

#[test]
fn composition_as_known_at_any_position_of_the_demo_load_is_before_or_after_it() {
    let (d, _) = demo();
    let head = d.head();
    // Before the load the committee is unknown; after it, the whole Decision 34 composition.
    let before = composition(&d, "0");
    assert_eq!(before, Seen::NotKnown);
    let after = composition(&d, &head.to_string());
    let Seen::Answer(full) = &after else {
        panic!("the demo composition is not known at the head: {after:?}")
    };
    // Positions answering with part of the load, and how many of those show the committee's
    // own seats incomplete (the others show all 24 seats but not yet all of the working
    // group, its sub-body).
    let mut partial = Vec::new();
    let mut own_seats = 0;
    for p in 1..=head {
        let seen = composition(&d, &p.to_string());
        if seen != before && seen != after {
            partial.push(p);
            if let Seen::Answer(v) = &seen {
                if v["seats"] != full["seats"] {
                    own_seats += 1;
                }
            }
        }
    }
    println!(
        "demo load (positions 1..={head}, one atomic write): {} positions answer with part of \
         it; {own_seats} of them with part of the committee's own seats",
        partial.len(),
    );
    assert_eq!(
        partial.len(),
        0,
        "known_at positions showing part of the demo load: {}",
        ranges(&partial)
    );
}

#[test]
fn composition_as_known_at_a_time_inside_the_demo_load_is_before_or_after_it() {
    let (d, log) = demo();
    // Well before anything was recorded: the committee is unknown.
    let before = composition(&d, "2000-01-01T00:00:00Z");
    assert_eq!(before, Seen::NotKnown);
    let last = log.last().map(|e| e.recorded_at.clone()).unwrap();
    let after = composition(&d, &last);
    assert!(matches!(after, Seen::Answer(_)), "{after:?}");
    assert_eq!(after, composition(&d, &d.head().to_string()));

    // Every recorded time of an event of the write lies within the write.
    let mut times: Vec<&str> = log.iter().map(|e| e.recorded_at.as_str()).collect();
    times.dedup();
    let partial: Vec<&str> = times
        .iter()
        .copied()
        .filter(|t| {
            let seen = composition(&d, t);
            seen != before && seen != after
        })
        .collect();
    println!(
        "demo load ({} events, {} distinct recorded times): {} times answer with part of it",
        log.len(),
        times.len(),
        partial.len()
    );
    assert_eq!(
        partial.len(),
        0,
        "known_at times showing part of the demo load: {}",
        sample(&partial)
    );
}

/// Posts one write and returns its last position, checking it follows the previous write.
fn write(d: &Daemon, path: &str, body: &Value, previous_end: u64) -> u64 {
    let r = d.post_json(path, &d.tokens.editor, body);
    let status = r.status();
    let text = r.text().unwrap();
    assert_eq!(status, reqwest::StatusCode::CREATED, "POST {path}: {text}");
    let written: Value = serde_json::from_str(&text).unwrap();
    let first = written["first_position"].as_u64().unwrap();
    let last = written["last_position"].as_u64().unwrap();
    assert_eq!(first, previous_end + 1, "{written}");
    assert!(
        last > first,
        "each write here has several events: {written}"
    );
    // Nobody else writes: the head is this write's end.
    assert_eq!(d.head(), last);
    last
}

#[test]
fn composition_as_known_at_any_position_or_time_is_the_answer_at_the_end_of_some_write() {
    let (d, _) = demo();
    let committee = reformlog::CommitteeId::from_slug(C).unwrap();
    let mut ends = vec![0, d.head()];

    // Write 1: a HYPOTHETICAL decision in force 2022-01-20 that gives two member seats new
    // holders (placeholders), registered in the same write.
    let decision = Uuid::now_v7();
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let replace = |seat: &str, person: Uuid| {
        json!({ "replace_seat_holder": {
            "committee": committee, "seat": reformlog::Seed::seat_id(C, seat).unwrap(),
            "membership": Uuid::now_v7(), "person": person, "on": "2022-01-20",
            "decision": decision
        }})
    };
    let body = json!({
        "reason": "HYPOTHETICAL decision, for testing only",
        "decision": { "record_decision": {
            "decision": decision, "number": "HYPOTHETICAL-3/QĐ-BTTTT", "kind": "decision",
            "issuer": reformlog::UnitId::from_slug("bo-tttt").unwrap(), "signer": null,
            "signed_on": "2022-01-20", "in_force_on": "2022-01-20",
            "title": "(Giả định) Thay thành viên Ban chỉ đạo",
            "amends": [reformlog::DecisionId::from_slug("qd-34-2022").unwrap()],
            "replaces": [], "repeals": []
        }},
        "changes": [
            { "register_person": { "person": a, "name": "Thành viên 22", "on": "2022-01-20" } },
            { "register_person": { "person": b, "name": "Thành viên 23", "on": "2022-01-20" } },
            replace("thanh-vien-vu-buu-chinh", a),
            replace("thanh-vien-cuc-bao-chi", b),
        ]
    });
    let end = write(&d, "/v1/decisions", &body, ends[ends.len() - 1]);
    ends.push(end);

    // Write 2: two sitting members renamed as of a date before `ON`, in one batch.
    let rename = |slug: &str, name: &str| {
        json!({ "rename_person": {
            "person": reformlog::PersonId::from_slug(slug).unwrap(), "name": name,
            "on": "2022-01-20"
        }})
    };
    let body = json!({
        "reason": "đổi tên (kiểm thử)",
        "commands": [
            rename("thanh-vien-3", "Thành viên 3 (tên mới)"),
            rename("thanh-vien-4", "Thành viên 4 (tên mới)"),
        ]
    });
    let end = write(&d, "/v1/commands", &body, ends[ends.len() - 1]);
    ends.push(end);

    // The answers at the ends of the writes: the only states the log was ever in. Each
    // write changes the composition on `ON`, so they all differ.
    let allowed: Vec<Seen> = ends
        .iter()
        .map(|p| composition(&d, &p.to_string()))
        .collect();
    for (i, x) in allowed.iter().enumerate() {
        for y in &allowed[i + 1..] {
            assert_ne!(x, y, "every write here changes the composition on {ON}");
        }
    }

    // The positions and times of this test's own writes (the demo load's are the tests
    // above).
    let demo_end = ends[1];
    let head = d.head();
    let partial_positions: Vec<u64> = (demo_end + 1..=head)
        .filter(|p| !allowed.contains(&composition(&d, &p.to_string())))
        .collect();
    let log = events(&d);
    let ours: Vec<&Logged> = log.iter().filter(|e| e.position > demo_end).collect();
    let partial_times: Vec<&str> = ours
        .iter()
        .map(|e| e.recorded_at.as_str())
        .filter(|t| !allowed.contains(&composition(&d, t)))
        .collect();
    println!(
        "two writes at positions {}..={head} (ends {:?}): {} positions and {} of {} recorded \
         times answer with part of a write",
        demo_end + 1,
        &ends[2..],
        partial_positions.len(),
        partial_times.len(),
        ours.len()
    );
    assert_eq!(
        (partial_positions.len(), partial_times.len()),
        (0, 0),
        "known_at showing part of a write: positions {}, times {}",
        ranges(&partial_positions),
        sample(&partial_times)
    );
}
