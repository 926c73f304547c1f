//! Seats over HTTP: a person's history lists the seats held ex officio through a post, and a
//! diff across a reconstitution keeps those who kept their place.

use reformlog::{CommitteeId, DecisionId, HoldingId, PersonId, PostId, SeatId, UnitId};
use serde_json::{json, Value};

use super::support::Daemon;

const COMMITTEE: &str = "ban-thu-nghiem-http";

fn id_of<T: std::fmt::Display>(slug: &str, f: fn(&str) -> Result<T, reformlog::IdError>) -> String {
    f(slug).unwrap().to_string()
}

fn decision(slug: &str, number: &str, on: &str) -> Value {
    json!({ "record_decision": {
        "decision": id_of(slug, DecisionId::from_slug), "number": number, "kind": "decision",
        "issuer": id_of("bo-tttt", UnitId::from_slug), "signer": null,
        "signed_on": on, "in_force_on": on,
        "title": "Hypothetical decision for tests; not a real document",
        "amends": [], "replaces": [], "repeals": []
    }})
}

/// A seat that goes with a post, created by a reconstitution or on its own.
fn ex_officio_seat(slug: &str, role: &str, post: &str) -> Value {
    json!({
        "seat": id_of(slug, SeatId::from_slug), "role": role, "on_behalf_of": null,
        "ex_officio": id_of(post, PostId::from_slug), "label": null, "holder": null
    })
}

fn held_seat(slug: &str, who: &str) -> Value {
    json!({
        "seat": id_of(slug, SeatId::from_slug), "role": "member", "on_behalf_of": null,
        "ex_officio": null, "label": null,
        "holder": { "membership": id_of(&format!("{slug}/m"), reformlog::MembershipId::from_slug),
                    "person": id_of(who, PersonId::from_slug) }
    })
}

/// The seats of the hypothetical committee from `year`: its deputy head and one member ex
/// officio, then Thành viên 1 and Thành viên `n`.
fn seats(year: u16, n: u8) -> Value {
    json!([
        ex_officio_seat(
            &format!("http-{year}/pho"),
            "deputy_head",
            "vu-truong-vu-to-chuc-can-bo"
        ),
        ex_officio_seat(
            &format!("http-{year}/cuc"),
            "member",
            "cuc-truong-cuc-tin-hoc-hoa"
        ),
        held_seat(&format!("http-{year}/tv-1"), "thanh-vien-1"),
        held_seat(&format!("http-{year}/tv-{n}"), &format!("thanh-vien-{n}")),
    ])
}

fn write(d: &Daemon, body: &Value) {
    let r = d.post_json("/v1/decisions", &d.tokens.editor, body);
    assert_eq!(
        r.status(),
        reqwest::StatusCode::CREATED,
        "{}",
        r.text().unwrap()
    );
}

#[test]
fn history_lists_ex_officio_seats_and_a_diff_keeps_who_kept_their_place() {
    // Given the seed case, and (hypothetically) a committee whose deputy head sits as Vụ
    // trưởng Vụ Tổ chức cán bộ and one member as Cục trưởng Cục Tin học hóa,
    let d = Daemon::start(true);
    let committee = id_of(COMMITTEE, CommitteeId::from_slug);
    let first = id_of("hypothetical-http-1", DecisionId::from_slug);
    write(
        &d,
        &json!({
            "reason": "HYPOTHETICAL, for testing only",
            "decision": decision("hypothetical-http-1", "HYPOTHETICAL-H1/QĐ-BTTTT", "2022-02-01"),
            "changes": [
                { "establish_committee": {
                    "committee": committee, "name": "Ban thử nghiệm HTTP", "parent": null,
                    "unit": id_of("bo-tttt", UnitId::from_slug), "on": "2022-02-01",
                    "decision": first, "duties": [] } },
                { "reconstitute": {
                    "committee": committee, "on": "2022-02-01", "decision": first,
                    "seats": seats(2022, 2),
                    "sub_bodies": [] } }
            ]
        }),
    );
    // a reconstitution on 2023-02-01 in new seats, Thành viên 3 replacing Thành viên 2,
    let second = id_of("hypothetical-http-2", DecisionId::from_slug);
    write(
        &d,
        &json!({
            "reason": "HYPOTHETICAL, for testing only",
            "decision": decision("hypothetical-http-2", "HYPOTHETICAL-H2/QĐ-BTTTT", "2023-02-01"),
            "changes": [{ "reconstitute": {
                "committee": committee, "on": "2023-02-01", "decision": second,
                "seats": seats(2023, 3),
                "sub_bodies": [] } }]
        }),
    );
    // and Phạm Minh Tiến following Đỗ Công Anh as Cục trưởng on 2024-01-01,
    let third = id_of("hypothetical-http-3", DecisionId::from_slug);
    let holding = |post: &str, who: &str| id_of(&format!("{post}/{who}"), HoldingId::from_slug);
    write(
        &d,
        &json!({
            "reason": "HYPOTHETICAL, for testing only",
            "decision": decision("hypothetical-http-3", "HYPOTHETICAL-H3/QĐ-BTTTT", "2024-01-01"),
            "changes": [
                { "end_post_holding": {
                    "post": id_of("vu-truong-vu-to-chuc-can-bo", PostId::from_slug),
                    "holding": holding("vu-truong-vu-to-chuc-can-bo", "pham-minh-tien"),
                    "ended_on": "2024-01-01", "decision": third } },
                { "end_post_holding": {
                    "post": id_of("cuc-truong-cuc-tin-hoc-hoa", PostId::from_slug),
                    "holding": holding("cuc-truong-cuc-tin-hoc-hoa", "do-cong-anh"),
                    "ended_on": "2024-01-01", "decision": third } },
                { "appoint_to_post": {
                    "post": id_of("cuc-truong-cuc-tin-hoc-hoa", PostId::from_slug),
                    "holding": holding("cuc-truong-cuc-tin-hoc-hoa", "pham-minh-tien"),
                    "person": id_of("pham-minh-tien", PersonId::from_slug),
                    "from": "2024-01-01", "ended_on": null, "decision": third } }
            ]
        }),
    );

    // when Phạm Minh Tiến's history is asked for, then it lists deputy head through the
    // first post (in each reconstitution's seat), then member through the second.
    let h = d.get_json("/v1/people/pham-minh-tien/history", &d.tokens.viewer);
    let seats: Vec<(String, String, String, String)> = h["answer"]["ex_officio"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["role"].as_str().unwrap().to_owned(),
                x["post"]["title"].as_str().unwrap().to_owned(),
                x["from"].as_str().unwrap().to_owned(),
                x["ended_on"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let row = |role: &str, post: &str, from: &str, to: &str| {
        (
            role.to_owned(),
            post.to_owned(),
            from.to_owned(),
            to.to_owned(),
        )
    };
    assert_eq!(
        seats,
        [
            row(
                "deputy_head",
                "Vụ trưởng Vụ Tổ chức cán bộ",
                "2022-02-01",
                "2023-02-01"
            ),
            row(
                "deputy_head",
                "Vụ trưởng Vụ Tổ chức cán bộ",
                "2023-02-01",
                "2024-01-01"
            ),
            row("member", "Cục trưởng Cục Tin học hóa", "2024-01-01", ""),
        ],
        "{h}"
    );
    assert_eq!(
        h["answer"]["ex_officio"][1]["end_decision"]["number"],
        "HYPOTHETICAL-H3/QĐ-BTTTT"
    );
    assert_eq!(
        h["answer"]["ex_officio"][0]["committee_name"],
        "Ban thử nghiệm HTTP"
    );

    // When the days either side of the second reconstitution are compared, then the two
    // ex-officio holders and Thành viên 1 stayed, Thành viên 2 left and Thành viên 3 joined.
    let diff = d.get_json(
        &format!("/v1/committees/{COMMITTEE}/diff?from=2023-01-31&to=2023-02-01"),
        &d.tokens.viewer,
    );
    let a = &diff["answer"];
    assert_eq!(a["stayed"], 3, "{diff}");
    let names = |key: &str| -> Vec<String> {
        a[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["person_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("left"), ["Thành viên 2"]);
    assert_eq!(names("joined"), ["Thành viên 3"]);
    assert_eq!(a["changed"], json!([]));
    // What the decision changed carries the same diff.
    let changes = d.get_json(
        "/v1/decisions/hypothetical-http-2/changes",
        &d.tokens.viewer,
    );
    assert_eq!(changes["answer"]["compositions"][0], *a);
}
