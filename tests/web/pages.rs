//! Every page renders (`main[data-ready=true]`) with no console error under the
//! Content-Security-Policy its answer carries, and is photographed at desktop and phone width.

use reformlog::TaskId;

use super::scenario::{Scenario, AFTER_BOTH, COMMITTEE};
use super::support::{security_headers, Browser};

/// A page: its screenshot's name, its path, and the elements that show it holds its data.
struct Page {
    name: &'static str,
    path: String,
    shows: &'static [&'static str],
}

fn pages(late_decision: &str) -> Vec<Page> {
    let task = TaskId::from_slug("trien-khai-kh-cchc-2021").unwrap();
    let page = |name, path: &str, shows: &'static [&'static str]| Page {
        name,
        path: path.to_owned(),
        shows,
    };
    vec![
        page(
            "search",
            "/search?q=pham%20minh%20tien",
            &["ol#results > li a[href]"],
        ),
        page(
            "decision",
            "/decisions/qd-34-2022",
            &[
                "dl#decision dd[data-field=\"number\"]",
                "dl#decision dd[data-field=\"signed_on\"][data-date]",
                "section#changes .change .before",
                "section#changes .change .after",
            ],
        ),
        page(
            "decision-late",
            &format!("/decisions/{late_decision}"),
            &[
                "ul#links > li > a[data-rel=\"amends\"][href^=\"/decisions/\"]",
                "section#changes .change .before",
                "section#changes .change .after",
            ],
        ),
        page(
            "unit",
            "/units/cuc-tin-hoc-hoa?on=2022-02-01",
            &["ol#names > li[data-from]", "#parent a[href^=\"/units/\"]"],
        ),
        page(
            "plan",
            "/plans/kh-cchc-2021?on=2021-12-31",
            &[
                "#report [data-count=\"completed_on_time\"]",
                "table#tasks tbody[data-unit] tr.task[data-task][data-status] a[href^=\"/tasks/\"]",
            ],
        ),
        page("task", &format!("/tasks/{task}"), &["ol#history > li"]),
        page(
            "committee",
            &format!("/committees/{COMMITTEE}?on=2022-02-01"),
            &["#composition tbody[data-role=\"member\"] tr.seat td.holder a[href]"],
        ),
        page(
            "committee-june",
            &format!("/committees/{COMMITTEE}?on={AFTER_BOTH}"),
            &[
                "#timeline button.mark[data-decision]",
                "#axis[role=\"slider\"][aria-valuetext]",
            ],
        ),
        page(
            "person",
            "/people/pham-minh-tien",
            &["ol#tenures > li.tenure[data-kind]"],
        ),
    ]
}

/// The refusal a page shows to a token without the auditor's rights is logged as a failed
/// load: expected on that one visit.
fn forbidden_load(message: &str) -> bool {
    message.contains("/v1/") && message.contains("403")
}

#[test]
fn every_page_renders_under_its_security_policy_with_no_console_error() {
    let Some(b) = Browser::start() else { return };
    let s = Scenario::start(true);
    let http = &s.d.client;

    // The shell and its assets carry the policy, and so does every page's answer.
    for path in ["/", "/assets/app.js", "/assets/style.css"] {
        security_headers(http, &format!("{}{path}", s.d.base));
    }
    let missing = http
        .get(format!("{}/assets/no-such-file.js", s.d.base))
        .send()
        .unwrap();
    assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);

    // The audit trail: a viewer's token is told it needs an auditor's; an auditor's shows it.
    let audit = format!("{}/audit?actor=token:editor-1", s.d.base);
    security_headers(http, &audit);
    let store_token = |token: &str| {
        b.js(
            "sessionStorage.setItem('reformlog.token', arguments[0]);",
            vec![serde_json::json!(token)],
        );
    };
    b.goto(&format!("{}/", s.d.base));
    b.ready();
    store_token(&s.d.tokens.viewer);
    b.goto(&audit);
    b.until(
        "the need for an auditor",
        "document.querySelector('#forbidden')",
    );
    b.no_console_errors("audit, as a viewer", forbidden_load);
    store_token(&s.d.tokens.auditor);
    b.goto(&audit);
    b.ready();
    b.until(
        "the audit trail",
        "document.querySelector('form#audit-filter input#entity') \
         && document.querySelector('form#audit-filter input#actor') \
         && document.querySelector('form#audit-filter input#from') \
         && document.querySelector('form#audit-filter input#to') \
         && document.querySelector('table#audit > tbody > tr.change td.when') \
         && document.querySelector('table#audit > tbody > tr.change td.reason')",
    );
    b.screenshots("audit");
    b.no_console_errors("audit", |_| false);
    // The other pages are read anonymously, as the daemon allows.
    b.js("sessionStorage.removeItem('reformlog.token');", vec![]);

    for p in pages(&s.late_decision.to_string()) {
        let url = format!("{}{}", s.d.base, p.path);
        security_headers(http, &url);
        b.goto(&url);
        b.ready();
        for shows in p.shows {
            b.until(p.name, &format!("document.querySelector('{shows}')"));
        }
        let title = b.js("return document.title;", vec![]);
        assert!(
            !title.as_str().unwrap_or("").is_empty(),
            "{}: no title",
            p.name
        );
        let low = b.low_contrast();
        assert!(
            low.is_empty(),
            "{}: text under WCAG AA contrast: {low:#?}",
            p.name
        );
        b.screenshots(p.name);
        b.no_console_errors(p.name, |_| false);
    }
    // The contrast check sees pale text when there is some.
    b.js(
        "const p = document.createElement('p'); p.textContent = 'Chữ nhạt để thử'; \
         p.style.color = '#bbbbbb'; document.querySelector('main').append(p);",
        vec![],
    );
    assert!(b
        .low_contrast()
        .iter()
        .any(|l| l.starts_with("Chữ nhạt để thử")));

    // The plan's numbers are the task report's.
    let report = s.api("/v1/reports/tasks?plan=kh-cchc-2021&on=2021-12-31");
    b.goto(&format!("{}/plans/kh-cchc-2021?on=2021-12-31", s.d.base));
    b.ready();
    for count in [
        "completed_on_time",
        "completed_late",
        "overdue",
        "cancelled",
    ] {
        let shown = b.until(
            count,
            &format!(
                "document.querySelector('#report [data-count=\"{count}\"]')?.textContent.trim()"
            ),
        );
        assert_eq!(
            shown.as_str().and_then(|n| n.parse::<u64>().ok()),
            report["counts"][count].as_u64(),
            "{count}: {shown} against {report}"
        );
    }
}

/// A renamed unit's page lists both names to any reader, the one in use on the date marked.
#[test]
fn a_unit_page_shows_its_names_over_time_without_an_auditor_token() {
    let Some(b) = Browser::start() else { return };
    let s = Scenario::start(true);
    s.d.command_ok(serde_json::json!({ "rename_unit": {
        "unit": reformlog::UnitId::from_slug("trung-tam-thong-tin").unwrap(),
        "name": "Đơn vị 2",
        "on": "2022-06-01",
        "decision": null
    }}));
    for (on, current) in [
        ("2022-07-01", "Đơn vị 2"),
        ("2022-02-01", "Trung tâm Thông tin"),
    ] {
        b.goto(&format!("{}/units/trung-tam-thong-tin?on={on}", s.d.base));
        b.ready();
        let names = b.js(
            "return [...document.querySelectorAll('ol#names > li .name')].map(n => n.textContent);",
            vec![],
        );
        assert_eq!(
            names,
            serde_json::json!(["Trung tâm Thông tin", "Đơn vị 2"]),
            "on {on}"
        );
        let shown = b.js(
            "return document.querySelector('ol#names > li.current .name').textContent;",
            vec![],
        );
        assert_eq!(shown, serde_json::json!(current), "on {on}");
    }
    b.no_console_errors("the unit page", |_| false);
}

/// The late decision's page shows the seat it changed, not the one another decision in force
/// the same day changed.
#[test]
fn a_decision_page_shows_its_own_changes_not_another_decision_of_the_same_day() {
    let Some(b) = Browser::start() else { return };
    let s = Scenario::start(true);
    let [late_seat, other_seat] = super::scenario::changed_seats();
    b.goto(&format!("{}/decisions/{}", s.d.base, s.late_decision));
    b.ready();
    let seats = b.js(
        "return [...new Set([...document.querySelectorAll('section#changes li.seat-entry')]
             .map(e => e.dataset.seat))];",
        vec![],
    );
    let seats: Vec<String> = serde_json::from_value(seats).unwrap();
    assert!(seats.contains(&late_seat), "{seats:?}");
    assert!(!seats.contains(&other_seat), "{seats:?}");
    b.no_console_errors("the decision page", |_| false);
}

/// A decision's links to its published text are links out of the app, each with its note,
/// under the same security policy: a link is not a fetch.
#[test]
fn a_decision_page_links_to_its_published_text() {
    let Some(b) = Browser::start() else { return };
    let s = Scenario::start(true);
    b.goto(&format!("{}/decisions/qd-34-2022", s.d.base));
    b.ready();
    let empty = b.js(
        "return document.querySelectorAll('ul#texts > li').length;",
        vec![],
    );
    assert_eq!(empty, serde_json::json!(0));
    s.d.command_ok(serde_json::json!({ "link_decision": {
        "decision": reformlog::DecisionId::from_slug("qd-34-2022").unwrap(),
        "url": "https://example.org/van-ban/34-qd-btttt",
        "note": "Cổng thông tin (địa chỉ giả định)",
        "on": "2022-01-14"
    }}));
    b.goto(&format!("{}/decisions/qd-34-2022", s.d.base));
    b.ready();
    let shown = b.js(
        "return [...document.querySelectorAll('ul#texts > li')].map(li => {
             const a = li.querySelector('a[data-field=\"text\"]');
             return [a.getAttribute('href'), a.getAttribute('rel'), li.textContent];
         });",
        vec![],
    );
    assert_eq!(
        shown,
        serde_json::json!([[
            "https://example.org/van-ban/34-qd-btttt",
            "noopener noreferrer",
            "https://example.org/van-ban/34-qd-btttt (Cổng thông tin (địa chỉ giả định))"
        ]])
    );
    // Nothing was fetched from the linked site.
    assert!(
        !b.visited_urls().iter().any(|u| u.contains("example.org")),
        "{:?}",
        b.visited_urls()
    );
    b.no_console_errors("the decision page", |_| false);
}

/// The composition on a date prints as one A4 page, as offices file it.
#[test]
fn a_committee_composition_prints_on_one_page() {
    let Some(b) = Browser::start() else { return };
    let s = Scenario::start(true);
    b.goto(&s.committee_page("2022-02-01"));
    b.ready();
    assert_eq!(b.printed_pages(), 1);
    // The same page with the print stylesheet's hiding undone spills over: the count is real.
    b.js(
        "for (const s of document.styleSheets) for (const r of [...s.cssRules]) \
         if (r.media && r.media.mediaText.includes('print')) s.deleteRule([...s.cssRules].indexOf(r));",
        vec![],
    );
    assert!(b.printed_pages() > 1);
}
