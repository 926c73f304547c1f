//! The seed case end to end over HTTP: Decision 34 loaded by the demo mode, a later
//! (hypothetical) decision recorded late, and a correction, answered on both time axes.

use reformlog::{Composition, HistoryEntry, Role as SeatRole, Seed};
use serde_json::json;
use uuid::Uuid;

use super::support::Daemon;

const C: &str = "bcd-cchc-bo-tttt";

fn composition(d: &Daemon, on: &str, known_at: Option<u64>) -> Composition {
    let mut path = format!("/v1/committees/{C}/composition?on={on}");
    if let Some(k) = known_at {
        path.push_str(&format!("&known_at={k}"));
    }
    serde_json::from_value(d.get_json(&path, &d.tokens.viewer)["answer"].clone()).unwrap()
}

fn holders(c: &Composition, role: SeatRole) -> Vec<String> {
    let mut names: Vec<String> = c
        .seats
        .iter()
        .filter(|s| s.role == role)
        .flat_map(|s| s.holders.iter())
        .filter_map(|h| h.person.name.as_ref().map(|n| n.to_string()))
        .collect();
    names.sort();
    names
}

#[test]
fn decision_34_a_late_decision_and_a_correction_on_both_time_axes() {
    let d = Daemon::start(true);

    // Before Decision 34 took effect the committee had no composition; after it, the article's.
    let before = composition(&d, "2022-01-10", None);
    assert!(!before.active || before.seats.iter().all(|s| s.holders.is_empty()));
    let after = composition(&d, "2022-02-01", None);
    assert!(after.active);
    assert_eq!(holders(&after, SeatRole::Head), vec!["Nguyễn Huy Dũng"]);
    assert_eq!(
        holders(&after, SeatRole::DeputyHead),
        vec!["Phạm Minh Tiến", "Đỗ Công Anh"]
    );
    assert_eq!(holders(&after, SeatRole::Member).len(), 21);
    let group = &after.sub_bodies[0];
    assert_eq!(group.holder_count(), 27);
    assert_eq!(
        holders(group, SeatRole::GroupLeader),
        vec!["Phạm Minh Tiến"]
    );
    assert_eq!(
        holders(group, SeatRole::DeputyGroupLeader),
        vec!["Nguyễn Phú Tiến", "Đỗ Công Anh"]
    );
    // A member seat represents its unit, named as on the date.
    assert!(after.seats.iter().any(|s| s
        .on_behalf_of
        .as_ref()
        .and_then(|u| u.name.as_ref())
        .is_some_and(|n| n.to_string() == "Cục Tin học hóa")));

    // HYPOTHETICAL: a decision effective 2022-06-01 replaces deputy head Đỗ Công Anh by
    // Nguyễn Phú Tiến, and is entered into the system only now (late).
    let known_before_late_entry = d.head();
    // Asked before the entry (and so remembered by the daemon's answer cache), July still
    // shows the old deputy; the same question after the entry must not.
    let july_before_entry = composition(&d, "2022-07-01", None);
    assert_eq!(
        holders(&july_before_entry, SeatRole::DeputyHead),
        vec!["Phạm Minh Tiến", "Đỗ Công Anh"]
    );
    let decision = Uuid::now_v7();
    let body = json!({
        "reason": "HYPOTHETICAL decision, entered late, for testing only",
        "decision": { "record_decision": {
            "decision": decision, "number": "HYPOTHETICAL-2/QĐ-BTTTT", "kind": "decision",
            "issuer": reformlog::UnitId::from_slug("bo-tttt").unwrap(), "signer": null,
            "signed_on": "2022-05-30", "in_force_on": "2022-06-01",
            "title": "(Giả định) Thay đổi Phó Trưởng ban", "amends": [reformlog::DecisionId::from_slug("qd-34-2022").unwrap()],
            "replaces": [], "repeals": []
        }},
        "changes": [{ "replace_seat_holder": {
            "committee": reformlog::CommitteeId::from_slug(C).unwrap(),
            "seat": Seed::seat_id(C, "pho-truong-ban-2").unwrap(),
            "membership": Uuid::now_v7(),
            "person": reformlog::PersonId::from_slug("nguyen-phu-tien").unwrap(),
            "on": "2022-06-01", "decision": decision
        }}]
    });
    let r = d.post_json("/v1/decisions", &d.tokens.editor, &body);
    assert_eq!(
        r.status(),
        reqwest::StatusCode::CREATED,
        "{}",
        r.text().unwrap()
    );
    let written: serde_json::Value = r.json().unwrap();
    let late_position = written["last_position"].as_u64().unwrap();
    assert!(late_position > known_before_late_entry);

    // Valid time 2022-07-01 as known now: the new deputy. As known before the late entry: the
    // old one. Valid time 2022-02-01: the old one either way.
    let july_now = composition(&d, "2022-07-01", None);
    assert_eq!(
        holders(&july_now, SeatRole::DeputyHead),
        vec!["Nguyễn Phú Tiến", "Phạm Minh Tiến"]
    );
    let july_then = composition(&d, "2022-07-01", Some(known_before_late_entry));
    assert_eq!(
        holders(&july_then, SeatRole::DeputyHead),
        vec!["Phạm Minh Tiến", "Đỗ Công Anh"]
    );
    assert_eq!(
        holders(&composition(&d, "2022-02-01", None), SeatRole::DeputyHead),
        vec!["Phạm Minh Tiến", "Đỗ Công Anh"]
    );
    // The same answer by recorded time: the system's knowledge at the moment before the entry.
    let diff = d.get_json(
        &format!("/v1/committees/{C}/diff?from=2022-05-01&to=2022-07-01"),
        &d.tokens.viewer,
    );
    assert!(
        diff["answer"].to_string().contains("Nguyễn Phú Tiến"),
        "{diff}"
    );

    // A misspelt name entered, then corrected: the correction keeps what was believed before.
    let person = Uuid::now_v7();
    let r = d.post_json("/v1/commands", &d.tokens.editor, &json!({
        "reason": "thêm tổ viên", "commands": [{ "register_person": { "person": person, "name": "Tổ vien 25", "on": "2022-02-01" } }]
    }));
    assert!(r.status().is_success());
    let history: Vec<HistoryEntry> = serde_json::from_value(
        d.get_json(&format!("/v1/history/person/{person}"), &d.tokens.auditor)["answer"].clone(),
    )
    .unwrap();
    let target = history[0].event_id;
    let before_correction = d.head();
    let r = d.post_json("/v1/commands", &d.tokens.editor, &json!({
        "reason": "sửa lỗi chính tả tên", "commands": [{ "correct": { "target": target, "corrected": {
            "person_registered": { "person": person, "name": "Tổ viên 25", "on": "2022-02-01" } } } }]
    }));
    assert!(r.status().is_success(), "{}", r.text().unwrap());
    let now = d.get_json(
        &format!("/v1/people/{person}?on=2022-03-01"),
        &d.tokens.viewer,
    );
    assert_eq!(now["answer"]["name"], "Tổ viên 25");
    let then = d.get_json(
        &format!("/v1/people/{person}?on=2022-03-01&known_at={before_correction}"),
        &d.tokens.viewer,
    );
    assert_eq!(then["answer"]["name"], "Tổ vien 25");
    // The envelope says what it was answered as of, when the request asked.
    assert_eq!(then["known_at"], json!({ "position": before_correction }));
    assert!(now.get("known_at").is_none(), "{now}");
    let dated = d.get_json(
        "/v1/search?q=do%20cong%20anh&known_at=2000-01-01T00:00:00Z",
        &d.tokens.viewer,
    );
    assert_eq!(
        dated["known_at"],
        json!({ "time": "2000-01-01T00:00:00.000000Z" })
    );
    let history = d.get_json(&format!("/v1/history/person/{person}"), &d.tokens.auditor);
    assert!(history["answer"].as_array().unwrap().len() >= 2);
    // Diacritic-insensitive search finds the corrected name and the seed's leaders.
    let hits = d.get_json("/v1/search?q=to%20vien%2025", &d.tokens.viewer);
    assert!(hits["answer"].to_string().contains("Tổ viên 25"), "{hits}");
    let hits = d.get_json("/v1/search?q=DO%20CONG%20ANH", &d.tokens.viewer);
    assert!(hits["answer"].to_string().contains("Đỗ Công Anh"), "{hits}");

    // Who did all this, by actor.
    let changes = d.get_json(
        "/v1/audit/changes?actor=token:editor-1&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
        &d.tokens.auditor,
    );
    assert!(changes["answer"].as_array().unwrap().len() >= 4);

    // The chain verifies and the demo load is not repeated on restart.
    let head = d.head();
    let tokens = d.tokens.clone();
    let dir = d.stop();
    let d = Daemon::start_in(dir, tokens, true);
    assert_eq!(d.head(), head);
    let v: serde_json::Value = d
        .request(
            reqwest::Method::POST,
            "/v1/integrity/verify",
            Some(&d.tokens.admin),
        )
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(v["ok"], true, "{v}");
}
