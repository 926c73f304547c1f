//! Live pages: the committee page shows a change recorded while it is open, through the feed,
//! without being reloaded; and a seat held ex officio is marked on the holder's page.

use reformlog::{PersonId, PostId, SeatId, UnitId};
use serde_json::json;

use super::scenario::{Scenario, COMMITTEE};
use super::support::Browser;

#[test]
fn the_committee_page_shows_a_change_recorded_while_it_is_open() {
    let Some(b) = Browser::start() else { return };
    let s = Scenario::start(true);
    b.goto(&s.committee_page("2022-02-01"));
    b.ready();
    let position = |b: &Browser| {
        b.js(
            "return Number(document.querySelector('main#main').dataset.position);",
            vec![],
        )
        .as_u64()
        .unwrap()
    };
    let before = position(&b);
    // A mark that a reload would wipe out.
    b.js("window.stillTheSamePage = true;", vec![]);
    s.d.command_ok(json!({ "rename_person": {
        "person": PersonId::from_slug("thanh-vien-3").unwrap(),
        "name": "Thành viên 3 (tên mới)",
        "on": "2022-01-20"
    }}));
    b.until(
        "the new name, read again after the feed said the log moved",
        "[...document.querySelectorAll('#composition td.holder a')] \
         .some(a => a.textContent.includes('Thành viên 3 (tên mới)'))",
    );
    assert!(position(&b) > before);
    assert_eq!(
        b.js("return window.stillTheSamePage === true;", vec![]),
        json!(true),
        "the page was reloaded"
    );
    b.no_console_errors("the live committee page", |_| false);
}

#[test]
fn a_seat_held_ex_officio_is_marked_on_the_holders_page() {
    let Some(b) = Browser::start() else { return };
    let s = Scenario::start(true);
    // HYPOTHETICAL: a seat of the committee held by whoever directs the Informatization
    // Department (its director's post, held by Đỗ Công Anh in the seed case).
    let post = PostId::from_slug("cuc-truong-cuc-tin-hoc-hoa").unwrap();
    let director = s.d.get_json(
        &format!("/v1/posts/{post}?on=2022-02-01"),
        &s.d.tokens.viewer,
    );
    let holder = director["answer"]["details"]["post"]["holders"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no holder of the director's post: {director}"))
        .to_owned();
    s.d.command_ok(json!({ "create_seat": {
        "committee": reformlog::CommitteeId::from_slug(COMMITTEE).unwrap(),
        "spec": {
            "seat": SeatId::from_slug("hypothetical-ex-officio-seat").unwrap(),
            "role": "member", "on_behalf_of": UnitId::from_slug("cuc-tin-hoc-hoa").unwrap(),
            "ex_officio": post, "label": null, "holder": null
        },
        "on": "2022-03-01",
        "decision": reformlog::DecisionId::from_slug("qd-34-2022").unwrap()
    }}));
    let history = s.api(&format!("/v1/people/{holder}/history"));
    let ex_officio = history["ex_officio"].as_array().map_or(0, Vec::len);
    assert!(ex_officio >= 1, "{history}");
    b.goto(&format!("{}/people/{holder}", s.d.base));
    b.ready();
    let marked = b.until(
        "the seat held ex officio",
        "document.querySelectorAll('ol#tenures > li.tenure.ex-officio[data-kind=\"seat\"]').length || null",
    );
    assert_eq!(marked.as_u64(), Some(ex_officio as u64));
    b.no_console_errors("the person page", |_| false);

    // On the committee page the seat names the post behind it and the unit it represents.
    let seat = SeatId::from_slug("hypothetical-ex-officio-seat").unwrap();
    b.goto(&s.committee_page("2022-03-02"));
    b.ready();
    let cells = b.until(
        "the ex-officio seat's row",
        &format!(
            "(r => r && [r.querySelector('td.post').textContent, r.querySelector('td.unit').textContent]) \
             (document.querySelector('tr.seat[data-seat=\"{seat}\"]'))"
        ),
    );
    assert!(cells[0].as_str().unwrap().contains("Cục trưởng"), "{cells}");
    assert!(
        cells[1].as_str().unwrap().contains("Cục Tin học hóa"),
        "{cells}"
    );
}
