//! The data the pages are looked at on: the seed case, a hypothetical decision entered late and a
//! correction of an earlier entry, written through the API, and the API's own answers the pages
//! are checked against.

use std::collections::BTreeMap;

use reformlog::{CommitteeId, DecisionId, PersonId, Seed, UnitId};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::daemon::support::Daemon;

/// The seed case's steering committee.
pub(crate) const COMMITTEE: &str = "bcd-cchc-bo-tttt";
/// The seat the late decision gives another holder, and the seat whose change is corrected.
const LATE_SEAT: &str = "pho-truong-ban-2";
const CORRECTED_SEAT: &str = "thanh-vien-cuc-bao-chi";
/// A date on which both the late entry and the corrected dates show.
pub(crate) const AFTER_BOTH: &str = "2022-06-05";

/// A daemon with the seed case, the late decision and the correction, and the log positions
/// just before each was written.
pub(crate) struct Scenario {
    pub(crate) d: Daemon,
    pub(crate) before_late: u64,
    pub(crate) before_correction: u64,
    /// The late decision's id: its mark on the committee's time axis moves the deputy head.
    pub(crate) late_decision: Uuid,
}

impl Scenario {
    /// The scenario on a daemon that serves reads without a token when `anonymous`.
    pub(crate) fn start(anonymous: bool) -> Self {
        let d = Daemon::start_configured(true, |c| c.anonymous_reads = anonymous);
        let before_late = d.head();
        let late_decision = late_entry(&d);
        let before_correction = correction(&d);
        Self {
            d,
            before_late,
            before_correction,
            late_decision,
        }
    }

    /// The committee page of the seed case on `on`, on this daemon.
    pub(crate) fn committee_page(&self, on: &str) -> String {
        format!("{}/committees/{COMMITTEE}?on={on}", self.d.base)
    }

    /// `GET path` with the viewer's token: the answer.
    pub(crate) fn api(&self, path: &str) -> Value {
        self.d.get_json(path, &self.d.tokens.viewer)["answer"].clone()
    }

    /// The committee's composition on `on` as the API answers it, as known at `known_at`.
    pub(crate) fn composition(&self, on: &str, known_at: Option<u64>) -> Value {
        let mut path = format!("/v1/committees/{COMMITTEE}/composition?on={on}");
        if let Some(k) = known_at {
            path.push_str(&format!("&known_at={k}"));
        }
        self.api(&path)
    }
}

/// HYPOTHETICAL: a decision in force on 2022-06-01 gives the second deputy head's seat to
/// Nguyễn Phú Tiến, entered only now, after the fact (as the domain tests do).
fn late_entry(d: &Daemon) -> Uuid {
    let decision = Uuid::now_v7();
    let body = json!({
        "reason": "HYPOTHETICAL decision, entered late, for testing only",
        "decision": { "record_decision": {
            "decision": decision, "number": "HYPOTHETICAL-2/QĐ-BTTTT", "kind": "decision",
            "issuer": UnitId::from_slug("bo-tttt").unwrap(), "signer": null,
            "signed_on": "2022-05-30", "in_force_on": "2022-06-01",
            "title": "(Giả định) Thay đổi Phó Trưởng ban",
            "amends": [DecisionId::from_slug("qd-34-2022").unwrap()],
            "replaces": [], "repeals": []
        }},
        "changes": [{ "replace_seat_holder": {
            "committee": CommitteeId::from_slug(COMMITTEE).unwrap(),
            "seat": Seed::seat_id(COMMITTEE, LATE_SEAT).unwrap(),
            "membership": Uuid::now_v7(),
            "person": PersonId::from_slug("nguyen-phu-tien").unwrap(),
            "on": "2022-06-01", "decision": decision
        }}]
    });
    let r = d.post_json("/v1/decisions", &d.tokens.editor, &body);
    assert!(r.status().is_success(), "{}", r.text().unwrap());
    decision
}

/// HYPOTHETICAL: a decision moves the Press Department's seat to Tổ viên 4 "on 2022-06-10";
/// then both changes are corrected to 2022-06-01, the date the decision took effect. Returns
/// the log position before the correction.
fn correction(d: &Daemon) -> u64 {
    let decision = Uuid::now_v7();
    let committee = CommitteeId::from_slug(COMMITTEE).unwrap();
    let ended = Seed::membership_id(COMMITTEE, CORRECTED_SEAT, "qd-34-2022").unwrap();
    let started = Uuid::now_v7();
    let body = json!({
        "reason": "HYPOTHETICAL decision, for testing only",
        "decision": { "record_decision": {
            "decision": decision, "number": "HYPOTHETICAL-3/QĐ-BTTTT", "kind": "decision",
            "issuer": UnitId::from_slug("bo-tttt").unwrap(), "signer": null,
            "signed_on": "2022-05-30", "in_force_on": "2022-06-01",
            "title": "(Giả định) Thay đổi thành viên",
            "amends": [DecisionId::from_slug("qd-34-2022").unwrap()],
            "replaces": [], "repeals": []
        }},
        "changes": [
            { "end_membership": {
                "committee": committee, "membership": ended, "ended_on": "2022-06-10",
                "decision": decision
            }},
            { "start_membership": {
                "committee": committee, "membership": started,
                "seat": Seed::seat_id(COMMITTEE, CORRECTED_SEAT).unwrap(),
                "person": PersonId::from_slug("to-vien-4").unwrap(),
                "from": "2022-06-10", "ended_on": null, "decision": decision
            }}
        ]
    });
    let r = d.post_json("/v1/decisions", &d.tokens.editor, &body);
    assert!(r.status().is_success(), "{}", r.text().unwrap());

    // The two events as recorded, found in the committee's history by their memberships.
    let history = d.get_json(
        &format!("/v1/history/committee/{COMMITTEE}"),
        &d.tokens.auditor,
    );
    let event_of = |membership: String, what: &str| -> (Value, Value) {
        let entry = history["answer"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|e| e["what"] == what && e["event"][what]["membership"] == membership.as_str())
            .unwrap_or_else(|| panic!("no {what} of {membership} in {history}"));
        (entry["event_id"].clone(), entry["event"].clone())
    };
    let (end_id, mut end) = event_of(ended.to_string(), "membership_ended");
    let (start_id, mut start) = event_of(started.to_string(), "membership_started");
    end["membership_ended"]["ended_on"] = json!("2022-06-01");
    start["membership_started"]["from"] = json!("2022-06-01");

    let before = d.head();
    let r = d.post_json(
        "/v1/commands",
        &d.tokens.editor,
        &json!({ "reason": "sửa ngày hiệu lực", "commands": [
            { "correct": { "target": end_id, "corrected": end } },
            { "correct": { "target": start_id, "corrected": start } }
        ]}),
    );
    assert!(r.status().is_success(), "{}", r.text().unwrap());
    before
}

/// Each seat of a composition and its sub-bodies, with what a row shows of it: its holders'
/// ids, since when and by which decision.
pub(crate) fn seat_rows(composition: &Value) -> BTreeMap<String, Value> {
    let mut rows = BTreeMap::new();
    let mut bodies = vec![composition];
    while let Some(body) = bodies.pop() {
        for seat in body["seats"].as_array().into_iter().flatten() {
            let holders: Vec<Value> = seat["holders"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|h| json!([h["person"]["id"], h["since"], h["decision"]["id"]]))
                .collect();
            rows.insert(
                seat["seat"].as_str().unwrap().to_owned(),
                json!([seat["since"], seat["decision"]["id"], holders]),
            );
        }
        bodies.extend(body["sub_bodies"].as_array().into_iter().flatten());
    }
    rows
}

/// The seats whose rows differ between two compositions, or that only one of them has.
pub(crate) fn differing_seats(then: &Value, now: &Value) -> Vec<String> {
    let (then, now) = (seat_rows(then), seat_rows(now));
    let mut seats: Vec<String> = then
        .keys()
        .chain(now.keys())
        .filter(|s| then.get(*s) != now.get(*s))
        .cloned()
        .collect();
    seats.sort();
    seats.dedup();
    seats
}

/// The names of the holders of the committee's own seats (not its sub-bodies') in `role`, in
/// seat order.
pub(crate) fn holder_names(composition: &Value, role: &str) -> Vec<String> {
    composition["seats"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["role"] == role)
        .flat_map(|s| s["holders"].as_array().into_iter().flatten())
        .filter_map(|h| h["person"]["name"].as_str().map(str::to_owned))
        .collect()
}

/// The number of the committee's own seats in `role`.
pub(crate) fn seat_count(composition: &Value, role: &str) -> usize {
    composition["seats"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["role"] == role)
        .count()
}

/// The seed id of a seat of the committee, as the API and the rows' `data-seat` name it.
pub(crate) fn seat_id(slug: &str) -> String {
    Seed::seat_id(COMMITTEE, slug).unwrap().to_string()
}

/// The two seats the late entry and the correction change.
pub(crate) fn changed_seats() -> [String; 2] {
    [seat_id(LATE_SEAT), seat_id(CORRECTED_SEAT)]
}
