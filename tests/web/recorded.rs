//! "As recorded on": the committee as the system knew it before the late entry and before the
//! correction differs from today's knowledge exactly where those say, and not at all as known
//! now.

use serde_json::Value;

use super::scenario::{changed_seats, differing_seats, Scenario, AFTER_BOTH, COMMITTEE};
use super::support::Browser;

/// The rows the page marks as differing, and how many differences it lists.
fn marked(b: &Browser) -> (Vec<String>, u64) {
    let v = b.js(
        "return { seats: [...document.querySelectorAll('tr.seat.differs')].map(r => r.dataset.seat),
                  listed: document.querySelectorAll('#differences li').length };",
        vec![],
    );
    let mut seats: Vec<String> = v["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap_or("").to_owned())
        .collect();
    seats.sort();
    seats.dedup();
    (seats, v["listed"].as_u64().unwrap())
}

/// Opens the committee on `AFTER_BOTH` as known at `known_at`, waits for the comparison with
/// today's knowledge, and checks the marked rows against the API's two answers.
fn compare(b: &Browser, s: &Scenario, known_at: u64) -> Vec<String> {
    b.goto(&format!(
        "{}/committees/{COMMITTEE}?on={AFTER_BOTH}&known_at={known_at}",
        s.d.base
    ));
    b.ready();
    let expected = differing_seats(
        &s.composition(AFTER_BOTH, Some(known_at)),
        &s.composition(AFTER_BOTH, None),
    );
    if !expected.is_empty() {
        b.until(
            "the differing rows to be marked",
            "document.querySelector('tr.seat.differs')",
        );
    }
    let (seats, listed) = marked(b);
    assert_eq!(seats, expected, "known at {known_at}");
    assert!(
        listed >= expected.len() as u64,
        "{listed} differences listed"
    );
    let list_hidden: Value = b.js(
        "const l = document.getElementById('differences');
         return !l || l.hidden || getComputedStyle(l).display === 'none';",
        vec![],
    );
    assert_eq!(list_hidden, expected.is_empty(), "known at {known_at}");
    b.no_console_errors("the committee page as recorded", |_| false);
    expected
}

#[test]
fn as_recorded_before_the_late_entry_and_the_correction() {
    let Some(b) = Browser::start() else { return };
    let s = Scenario::start(true);
    let [late_seat, corrected_seat] = changed_seats();

    // Before the late entry neither change was known: both seats differ from today.
    let before_late = compare(&b, &s, s.before_late);
    assert!(before_late.contains(&late_seat), "{before_late:?}");
    assert!(before_late.contains(&corrected_seat), "{before_late:?}");
    b.screenshots("committee-as-recorded");

    // Before the correction the late decision was known, the wrong date not yet corrected: the
    // corrected seat alone differs.
    let before_correction = compare(&b, &s, s.before_correction);
    assert_eq!(before_correction, vec![corrected_seat]);

    // As known now, nothing differs, and the list stays hidden.
    let now = compare(&b, &s, s.d.head());
    assert!(now.is_empty(), "{now:?}");

    // The control clears the known-at and shows today's knowledge again.
    b.goto(&format!(
        "{}/committees/{COMMITTEE}?on={AFTER_BOTH}&known_at={}",
        s.d.base, s.before_late
    ));
    b.ready();
    b.click("#known-at-clear");
    b.until(
        "the view as known now",
        "!new URLSearchParams(location.search).has('known_at') \
         && document.querySelector('main#main[data-ready=\"true\"] #composition') \
         && !document.querySelector('tr.seat.differs')",
    );
}
