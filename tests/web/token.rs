//! Reads behind a token: without `--anonymous-reads` a page asks for one, refuses a wrong one,
//! shows the data with a real one, and never puts it in a URL; signing out forgets it.

use fantoccini::key::Key;

use super::scenario::Scenario;
use super::support::Browser;

/// A refused call is logged by the browser as a failed resource load: expected here.
fn refused_load(message: &str) -> bool {
    message.contains("/v1/") && message.contains("401")
}

#[test]
fn a_token_is_asked_for_refused_when_wrong_and_never_put_in_a_url() {
    let Some(b) = Browser::start() else { return };
    let s = Scenario::start(false);
    let token = s.d.tokens.viewer.clone();
    let page = s.committee_page("2022-02-01");

    // No token: the form, and no data.
    b.goto(&page);
    b.until(
        "the token form",
        "document.querySelector('main form#token-form input#token[type=\"password\"]') \
         && document.querySelector('form#token-form button[type=\"submit\"]')",
    );
    let labelled = b.js(
        "const i = document.getElementById('token');
         return !!(i.labels?.length || i.getAttribute('aria-label') || i.getAttribute('aria-labelledby'));",
        vec![],
    );
    assert_eq!(labelled, true);
    assert_eq!(
        b.js(
            "return document.querySelectorAll('tr.seat').length;",
            vec![]
        ),
        0
    );

    // A wrong token: refused in the form.
    b.keys("input#token", "not-a-token-of-this-daemon");
    b.click("form#token-form button[type=\"submit\"]");
    b.until(
        "the refusal",
        "(() => { const e = document.querySelector('form#token-form #token-error');
                  return e && !e.hidden && e.textContent.trim() !== ''; })()",
    );

    // The real one: the composition.
    b.clear("input#token");
    b.keys("input#token", &token);
    b.keys("input#token", &Key::Enter);
    b.ready();
    b.until(
        "the composition",
        "document.querySelectorAll('#composition tbody[data-role=\"member\"] tr.seat').length >= 21",
    );
    let not_in_urls = |b: &Browser| {
        let urls = b.visited_urls();
        assert!(urls.iter().any(|u| u.contains("/v1/")), "{urls:?}");
        for url in urls.iter().chain([&b.current_url()]) {
            assert!(!url.contains(&token), "the token is in {url}");
        }
    };
    not_in_urls(&b);

    // Kept for the session: another page needs no second asking.
    b.goto(&format!("{}/people/pham-minh-tien", s.d.base));
    b.ready();
    b.until("the tenures", "document.querySelector('ol#tenures > li')");
    assert_eq!(
        b.js("return !!document.getElementById('token-form');", vec![]),
        false
    );
    not_in_urls(&b);
    b.no_console_errors("the token-protected pages", refused_load);

    // Signing out forgets it: the next page asks again.
    b.click("button#sign-out");
    b.goto(&page);
    b.until(
        "the token form again",
        "document.querySelector('form#token-form')",
    );
    not_in_urls(&b);
    b.no_console_errors("the token-protected pages", refused_load);
}
