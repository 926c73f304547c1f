//! A committee on a date: the head, deputy heads and unit seats before and after Decision 34,
//! as the API answers them; a decision's mark on the time axis and the keyboard move the date.

use fantoccini::key::Key;
use serde_json::{json, Value};

use super::scenario::{holder_names, seat_count, Scenario};
use super::support::Browser;

/// What the page shows of the committee's own seats (not its sub-bodies'): holder names (the
/// links to their pages; the cell also names their posts) by role, and the number of member
/// rows.
fn shown(b: &Browser) -> Value {
    b.js(
        "const rows = role => [...document.querySelectorAll(
             `#composition tbody[data-role=\"${role}\"] tr.seat`)].filter(r => !r.closest('.sub-body'));
         const names = role => rows(role)
             .map(r => (r.querySelector('td.holder a[href^=\"/people/\"]')?.textContent ?? '').trim())
             .filter(n => n !== '');
         return { head: names('head'), deputy_head: names('deputy_head'),
                  members: rows('member').length,
                  date: document.querySelector('#on')?.dataset.date ?? null,
                  title: document.querySelector('main h1')?.textContent.trim() ?? '' };",
        vec![],
    )
}

/// The page shows the API's composition on `on`.
fn shows_the_composition(b: &Browser, s: &Scenario, on: &str) -> Value {
    let api = s.composition(on, None);
    let page = shown(b);
    assert_eq!(page["date"], on, "{page}");
    assert_eq!(page["head"], json!(holder_names(&api, "head")), "on {on}");
    assert_eq!(
        page["deputy_head"],
        json!(holder_names(&api, "deputy_head")),
        "on {on}"
    );
    assert_eq!(page["members"], seat_count(&api, "member"), "on {on}");
    if api["active"] == true {
        assert_eq!(page["title"], api["name"], "on {on}");
    }
    page
}

/// Waits until the page shows `on`, in its URL too.
fn moved_to(b: &Browser, on: &str) {
    b.until(
        &format!("the view to move to {on}"),
        &format!(
            "document.querySelector('main#main[data-ready=\"true\"] #on[data-date=\"{on}\"]') \
             && new URLSearchParams(location.search).get('on') === '{on}'"
        ),
    );
}

#[test]
fn the_committee_before_and_after_decision_34_and_its_time_axis() {
    let Some(b) = Browser::start() else { return };
    let s = Scenario::start(true);
    let page = |on: &str| s.committee_page(on);

    // Before Decision 34 the committee sat in no seat the seed records; after it, the article's
    // leaders and 21 unit seats; after the (late) June decision, another deputy head.
    b.goto(&page("2022-01-10"));
    b.ready();
    let before = shows_the_composition(&b, &s, "2022-01-10");
    assert_eq!(before["members"], 0, "{before}");
    b.goto(&page("2022-02-01"));
    b.ready();
    let after = shows_the_composition(&b, &s, "2022-02-01");
    assert_eq!(after["head"], json!(["Nguyễn Huy Dũng"]));
    assert_eq!(
        after["deputy_head"],
        json!(["Phạm Minh Tiến", "Đỗ Công Anh"])
    );
    assert_eq!(after["members"], 21);
    b.until(
        "holders linked to their person pages",
        "document.querySelectorAll('#composition td.holder a[href^=\"/people/\"]').length >= 24",
    );
    b.until(
        "seats showing since when and by which decision",
        "document.querySelector('#composition td.since[data-date=\"2022-01-14\"]') \
         && document.querySelector('#composition td.decision a[href^=\"/decisions/\"]')",
    );

    // The late decision's mark moves the view to its date, where the other deputy sits. The
    // other hypothetical decision took effect the same day: its mark lies on another lane, so
    // this one is not covered (WebDriver refuses a click on a covered element).
    let late = format!(
        "#timeline button.mark[data-decision=\"{}\"]",
        s.late_decision
    );
    let date = b.until(
        "the late decision's mark",
        &format!("document.querySelector('{late}')?.dataset.date"),
    );
    let date = date.as_str().unwrap().to_owned();
    assert!(date.as_str() >= "2022-06-01", "{date}");
    let shared = b.js(
        "return [...document.querySelectorAll('#timeline button.mark')]
             .filter(m => m.dataset.date === arguments[0]).length;",
        vec![json!(date)],
    );
    assert_eq!(shared.as_u64(), Some(2), "two decisions share the date");
    b.click(&late);
    moved_to(&b, &date);
    let moved = shows_the_composition(&b, &s, &date);
    assert_ne!(moved["deputy_head"], after["deputy_head"]);
    assert!(moved["deputy_head"]
        .as_array()
        .unwrap()
        .contains(&json!("Nguyễn Phú Tiến")));
    b.no_console_errors("the committee page", |_| false);

    // The keyboard on the axis: a day forward, a day back, the next decision.
    b.goto(&page("2022-02-01"));
    b.ready();
    let axis = "#axis[role=\"slider\"]";
    let now = |b: &Browser| {
        b.js(
            "return Number(document.querySelector('#axis').getAttribute('aria-valuenow'));",
            vec![],
        )
    };
    let start = now(&b);
    b.keys(axis, &Key::Right);
    moved_to(&b, "2022-02-02");
    assert_eq!(now(&b).as_f64(), start.as_f64().map(|v| v + 1.0));
    assert_eq!(
        b.js(
            "return document.querySelector('#axis').getAttribute('aria-valuetext');",
            vec![]
        ),
        "02/02/2022"
    );
    b.keys(axis, &Key::Left);
    moved_to(&b, "2022-02-01");
    let next = b.js(
        "return [...document.querySelectorAll('#timeline button.mark[data-date]')]
             .map(m => m.dataset.date).filter(d => d > '2022-02-01').sort()[0] ?? null;",
        vec![],
    );
    let next = next
        .as_str()
        .expect("a decision after Decision 34 on the axis")
        .to_owned();
    b.keys(axis, &Key::PageDown);
    moved_to(&b, &next);
    shows_the_composition(&b, &s, &next);
    b.no_console_errors("the committee page", |_| false);
}
