//! `known_at=YYYY-MM-DD` over HTTP: a date is the end of that day in the daemon's time zone
//! (default Asia/Ho_Chi_Minh), answers exactly as that instant does, and so, like positions
//! and times, resolves to the end of a whole write: never part of one.

use reformlog::Date;
use serde_json::{json, Value};

use super::support::Daemon;

const C: &str = "bcd-cchc-bo-tttt";
const ON: &str = "2022-02-01";

/// The composition's answer as known at `known_at`, `None` when the committee was not known.
fn composition(d: &Daemon, known_at: &str) -> Option<Value> {
    let path = format!(
        "/v1/committees/{C}/composition?on={ON}&known_at={}",
        known_at.replace(':', "%3A").replace('+', "%2B")
    );
    let r = d.get(&path, Some(&d.tokens.viewer));
    let status = r.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return None;
    }
    let body = r.text().unwrap();
    assert!(status.is_success(), "GET {path}: {status} {body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    Some(v["answer"].clone())
}

/// The recorded times of every event, as the log shows them (RFC 3339, UTC).
fn recorded_times(d: &Daemon) -> Vec<String> {
    let page = d.get_json("/v1/events?from=1&limit=1000", &d.tokens.auditor);
    page["answer"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["recorded_at"].as_str().unwrap().to_owned())
        .collect()
}

/// The local date of a UTC RFC 3339 time at a whole-hour offset from UTC.
fn local_date(utc: &str, offset_hours: i32) -> Date {
    let date: Date = utc[..10].parse().unwrap();
    let hour: i32 = utc[11..13].parse().unwrap();
    match hour + offset_hours {
        h if h >= 24 => date.next_day(),
        h if h < 0 => date.previous_day(),
        _ => date,
    }
}

/// `+07:00` for 7.
fn offset_text(hours: i32) -> String {
    let sign = if hours < 0 { '-' } else { '+' };
    format!("{sign}{:02}:00", hours.abs())
}

/// A rename of two sitting members as of a date before `ON`, in one write.
fn rename_two(d: &Daemon, n: u32) -> u64 {
    let rename = |slug: &str| {
        json!({ "rename_person": {
            "person": reformlog::PersonId::from_slug(slug).unwrap(),
            "name": format!("{} (tên mới {n})", slug.replace('-', " ")),
            "on": "2022-01-20"
        }})
    };
    let body = json!({
        "reason": "đổi tên (kiểm thử)",
        "commands": [rename("thanh-vien-3"), rename("thanh-vien-4")]
    });
    let r = d.post_json("/v1/commands", &d.tokens.editor, &body);
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let written: Value = r.json().unwrap();
    written["last_position"].as_u64().unwrap()
}

/// Checks every date around the log's recorded times in a daemon whose zone is `offset`
/// hours from UTC all year: each date answers as the last microsecond of that day at that
/// offset does, and that answer is the one at the end of some write.
fn dates_answer_as_their_last_microsecond(d: &Daemon, offset: i32, write_ends: &[u64]) {
    let allowed: Vec<Option<Value>> = std::iter::once(None)
        .chain(write_ends.iter().map(|p| composition(d, &p.to_string())))
        .collect();
    let times = recorded_times(d);
    let first = local_date(&times[0], offset);
    let last = local_date(times.last().unwrap(), offset);
    let mut day = first.previous_day().previous_day();
    let end = last.next_day().next_day();
    while day <= end {
        let date = day.to_string();
        let by_date = composition(d, &date);
        let instant = format!("{date}T23:59:59.999999{}", offset_text(offset));
        assert_eq!(by_date, composition(d, &instant), "{date} vs {instant}");
        assert!(
            allowed.contains(&by_date),
            "known_at={date} answers with part of a write"
        );
        day = day.next_day();
    }
    // Before the first write's day nothing was known; by the end of the last write's day,
    // everything.
    assert_eq!(composition(d, &first.previous_day().to_string()), None);
    assert_eq!(
        composition(d, &last.to_string()),
        composition(d, &d.head().to_string())
    );
}

#[test]
fn a_date_is_the_end_of_that_day_in_ho_chi_minh_city_by_default() {
    let d = Daemon::start(true);
    let demo_end = d.head();
    let first = rename_two(&d, 1);
    let second = rename_two(&d, 2);
    // Each write changes the composition, so the ends of the writes tell them apart.
    let at = |p: u64| composition(&d, &p.to_string());
    assert_ne!(at(demo_end), at(first));
    assert_ne!(at(first), at(second));
    dates_answer_as_their_last_microsecond(&d, 7, &[demo_end, first, second]);
}

#[test]
fn a_date_follows_the_configured_zone() {
    // The zones farthest east and west of UTC: one date ends 25 hours apart in them.
    for (zone, offset) in [("Pacific/Kiritimati", 14), ("Pacific/Pago_Pago", -11)] {
        let d = Daemon::start_configured(true, |c| {
            c.time_zone = reformd::Zone::named(zone).unwrap();
        });
        let demo_end = d.head();
        let written = rename_two(&d, 1);
        dates_answer_as_their_last_microsecond(&d, offset, &[demo_end, written]);
        // A bad value names the three forms and the zone.
        let r = d.get(
            &format!("/v1/committees/{C}/composition?known_at=2022-02-30"),
            Some(&d.tokens.viewer),
        );
        assert_eq!(r.status(), reqwest::StatusCode::BAD_REQUEST);
        let problem: Value = r.json().unwrap();
        assert_eq!(problem["code"], "invalid-known-at");
        let detail = problem["detail"].as_str().unwrap();
        for part in ["log position", "RFC 3339", "YYYY-MM-DD", zone] {
            assert!(detail.contains(part), "{detail}");
        }
    }
}
