//! Search without diacritics finds Phạm Minh Tiến; his result leads to his person page, which
//! shows his tenures as the API's history does.

use fantoccini::key::Key;
use reformlog::PersonId;

use super::scenario::Scenario;
use super::support::Browser;

#[test]
fn search_without_diacritics_and_the_person_page_it_leads_to() {
    let Some(b) = Browser::start() else { return };
    let s = Scenario::start(true);
    let person = PersonId::from_slug("pham-minh-tien").unwrap().to_string();

    b.goto(&format!("{}/", s.d.base));
    b.ready();
    b.keys("form#search input#q[type=\"search\"]", "pham minh tien");
    b.keys("input#q", &Key::Enter);
    let found = b.until(
        "a result for Phạm Minh Tiến",
        "[...document.querySelectorAll('ol#results > li')]
             .filter(li => li.textContent.includes('Phạm Minh Tiến'))
             .map(li => ({ kind: li.querySelector('[data-kind]')?.dataset.kind ?? li.dataset.kind,
                           href: li.querySelector('a[href]')?.getAttribute('href') }))[0]",
    );
    assert_eq!(found["kind"], "person", "{found}");
    let href = found["href"].as_str().unwrap().to_owned();
    assert!(href.starts_with("/people/"), "{href}");
    // The search is in the URL, so a link shows the same results.
    assert!(
        b.current_url().contains("/search?q=pham"),
        "{}",
        b.current_url()
    );
    b.no_console_errors("the search page", |_| false);

    b.click(&format!("ol#results > li a[href=\"{href}\"]"));
    b.until(
        "the person page",
        &format!("location.pathname === '{href}' && document.querySelector('main#main[data-ready=\"true\"] h1')"),
    );
    b.ready();
    let h1 = b.js(
        "return document.querySelector('main h1').textContent;",
        vec![],
    );
    assert!(h1.as_str().unwrap().contains("Phạm Minh Tiến"), "{h1}");

    // The tenures: his seats on the committee and its working group since Decision 34, as
    // the API's history of him has them.
    let history = s.api(&format!("/v1/people/{person}/history"));
    let tenures = b.until(
        "the tenures",
        "[...document.querySelectorAll('ol#tenures > li.tenure')].map(li => ({
             kind: li.dataset.kind, from: li.dataset.from ?? '', to: li.dataset.to ?? '',
             links: [...li.querySelectorAll('a[href]')].map(a => a.getAttribute('href')) }))
             .filter(t => t.kind)",
    );
    let tenures = tenures.as_array().unwrap();
    let count = |kind: &str| tenures.iter().filter(|t| t["kind"] == kind).count();
    let len = |field: &str| history[field].as_array().map_or(0, Vec::len);
    assert_eq!(
        count("seat"),
        len("memberships") + len("ex_officio"),
        "{tenures:?} against {history}"
    );
    assert_eq!(
        count("post"),
        len("positions"),
        "{tenures:?} against {history}"
    );
    assert!(count("seat") >= 2, "{tenures:?}");
    for m in history["memberships"].as_array().unwrap() {
        assert!(
            tenures.iter().any(|t| t["kind"] == "seat"
                && t["from"] == m["from"]
                && t["links"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l.as_str().is_some_and(|l| l.starts_with("/decisions/")))),
            "no tenure from {} citing its decision in {tenures:?}",
            m["from"]
        );
    }
    b.no_console_errors("the person page", |_| false);
}
