//! Audit answers filtered by recorded time and by valid date, each range named so:
//! `recorded_from`/`recorded_to` (RFC 3339 or dates in the daemon's zone; `from`/`to` are the
//! earlier names) and `valid_from`/`valid_to` (the day a change is true from).

use reformlog::Date;
use serde_json::{json, Value};

use super::support::Daemon;

fn person(slug: &str) -> String {
    reformlog::PersonId::from_slug(slug).unwrap().to_string()
}

/// Renames of Thành viên 3 valid from each date, one write each, by the editor.
fn renames(d: &Daemon, dates: &[&str]) {
    for (i, on) in dates.iter().enumerate() {
        let body = json!({
            "reason": "đổi tên (kiểm thử)",
            "commands": [{ "rename_person": {
                "person": person("thanh-vien-3"), "name": format!("Thành viên 3 ({i})"), "on": on
            }}]
        });
        let r = d.post_json("/v1/commands", &d.tokens.editor, &body);
        assert_eq!(
            r.status(),
            reqwest::StatusCode::CREATED,
            "{}",
            r.text().unwrap()
        );
    }
}

/// The valid dates of the changes an audit route answers with, in log order.
fn valid_dates(d: &Daemon, path: &str) -> Vec<String> {
    let v = d.get_json(path, &d.tokens.auditor);
    v["answer"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["valid_from"].as_str().unwrap().to_owned())
        .collect()
}

fn problem(d: &Daemon, path: &str) -> (u16, String) {
    let r = d.get(path, Some(&d.tokens.auditor));
    let status = r.status().as_u16();
    let v: Value = r.json().unwrap();
    (status, v["code"].as_str().unwrap_or_default().to_owned())
}

/// The local date (UTC+7) of now, as the log's last recorded time says.
fn today_in_ho_chi_minh_city(d: &Daemon) -> Date {
    let page = d.get_json("/v1/events?direction=backward&limit=1", &d.tokens.auditor);
    let utc = page["answer"]["events"][0]["recorded_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let date: Date = utc[..10].parse().unwrap();
    let hour: u32 = utc[11..13].parse().unwrap();
    if hour + 7 >= 24 {
        date.next_day()
    } else {
        date
    }
}

#[test]
fn an_actors_changes_filter_by_valid_date_and_by_recorded_time() {
    let d = Daemon::start(true);
    renames(
        &d,
        &["2022-03-01", "2023-05-01", "2023-12-31", "2024-01-01"],
    );
    let actor = "/v1/audit/changes?actor=token:editor-1";
    assert_eq!(
        valid_dates(&d, actor),
        ["2022-03-01", "2023-05-01", "2023-12-31", "2024-01-01"]
    );
    assert_eq!(
        valid_dates(
            &d,
            &format!("{actor}&valid_from=2023-01-01&valid_to=2023-12-31")
        ),
        ["2023-05-01", "2023-12-31"]
    );
    assert_eq!(
        valid_dates(&d, &format!("{actor}&valid_from=2023-12-31")),
        ["2023-12-31", "2024-01-01"]
    );
    assert_eq!(
        valid_dates(&d, &format!("{actor}&valid_to=2022-12-31")),
        ["2022-03-01"]
    );

    // Recorded time: everything was recorded today (in the daemon's zone), nothing before.
    let today = today_in_ho_chi_minh_city(&d);
    let (yesterday, tomorrow) = (today.previous_day(), today.next_day());
    let all = valid_dates(&d, actor);
    assert_eq!(
        valid_dates(
            &d,
            &format!("{actor}&recorded_from={today}&recorded_to={today}")
        ),
        all
    );
    assert!(valid_dates(&d, &format!("{actor}&recorded_to={yesterday}")).is_empty());
    assert!(valid_dates(&d, &format!("{actor}&recorded_from={tomorrow}")).is_empty());
    // The earlier names of the recorded range still work, with RFC 3339 times too.
    assert_eq!(
        valid_dates(
            &d,
            &format!("{actor}&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z")
        ),
        all
    );
    // Both ranges at once.
    assert_eq!(
        valid_dates(
            &d,
            &format!("{actor}&recorded_from={yesterday}&valid_from=2024-01-01")
        ),
        ["2024-01-01"]
    );
    // The demo load's changes are about 2022 and earlier.
    let demo = valid_dates(
        &d,
        "/v1/audit/changes?actor=system:demo&valid_from=2023-01-01",
    );
    assert!(demo.is_empty(), "{demo:?}");
}

#[test]
fn an_entitys_history_filters_by_valid_date_and_by_recorded_time() {
    let d = Daemon::start(true);
    renames(&d, &["2022-03-01", "2023-05-01"]);
    let history = format!("/v1/history/person/{}", person("thanh-vien-3"));
    let all = valid_dates(&d, &history);
    assert!(all.len() >= 3, "registration and two renames: {all:?}");
    assert_eq!(
        valid_dates(&d, &format!("{history}?valid_from=2022-02-01")),
        ["2022-03-01", "2023-05-01"]
    );
    let today = today_in_ho_chi_minh_city(&d);
    assert_eq!(
        valid_dates(
            &d,
            &format!("{history}?recorded_from={today}&valid_to=2022-12-31")
        )
        .len(),
        all.iter().filter(|v| v.as_str() <= "2022-12-31").count()
    );
    assert!(valid_dates(
        &d,
        &format!("{history}?recorded_to={}", today.previous_day())
    )
    .is_empty());
}

#[test]
fn bad_audit_ranges_are_typed_400s() {
    let d = Daemon::start(true);
    let actor = "/v1/audit/changes?actor=token:editor-1";
    let history = "/v1/history/committee/bcd-cchc-bo-tttt";
    for (path, code) in [
        (
            format!("{actor}&valid_from=2023-12-31&valid_to=2023-01-01"),
            "invalid-range",
        ),
        (
            format!("{actor}&recorded_from=2023-12-31&recorded_to=2023-01-01"),
            "invalid-range",
        ),
        (format!("{actor}&valid_from=2023-02-30"), "invalid-date"),
        (format!("{actor}&valid_from=last-year"), "invalid-date"),
        (format!("{actor}&recorded_from=yesterday"), "invalid-time"),
        (format!("{actor}&recorded_to=2023-02-30"), "invalid-time"),
        (
            format!("{actor}&from=2023-01-01&recorded_from=2023-01-01"),
            "invalid-query",
        ),
        (format!("{history}?valid_to=2023-13-01"), "invalid-date"),
        (
            format!("{history}?valid_from=2023-12-31&valid_to=2023-01-01"),
            "invalid-range",
        ),
        (format!("{history}?colour=red"), "invalid-query"),
    ] {
        assert_eq!(problem(&d, &path), (400, code.to_owned()), "{path}");
    }
}

#[test]
fn the_openapi_document_names_both_ranges_of_both_audit_routes() {
    let doc: Value = serde_json::from_str(&reformd::openapi_json()).unwrap();
    for route in ["/v1/audit/changes", "/v1/history/{kind}/{id}"] {
        let params: Vec<&str> = doc["paths"][route]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        for name in ["recorded_from", "recorded_to", "valid_from", "valid_to"] {
            assert!(params.contains(&name), "{route}: {params:?}");
        }
        assert!(
            !params.contains(&"from") && !params.contains(&"on"),
            "{route}: {params:?}"
        );
    }
}
