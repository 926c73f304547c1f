//! The web page's routes: the shell on every page path and the embedded files, with the
//! security headers, no token needed; `/v1` still guarded; no file names another host.

use std::path::{Path, PathBuf};

use reqwest::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use reqwest::StatusCode;

use super::support::Daemon;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn header(
    response: &reqwest::blocking::Response,
    name: impl reqwest::header::AsHeaderName,
) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn assert_guarded(response: &reqwest::blocking::Response) {
    assert_eq!(header(response, CONTENT_SECURITY_POLICY), CSP);
    assert_eq!(header(response, "x-content-type-options"), "nosniff");
    assert_eq!(header(response, "referrer-policy"), "no-referrer");
}

/// Every file the binary embeds: everything under the daemon's `web/` folder.
fn web_files() -> Vec<(String, PathBuf)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if !path.file_name().unwrap().to_string_lossy().starts_with('.') {
                let name = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((name, path));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../daemon/web");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort();
    out
}

#[test]
fn the_shell_answers_on_the_root_and_on_page_paths_without_a_token() {
    let d = Daemon::start(true);
    let shell = d.get("/", None);
    assert_eq!(shell.status(), StatusCode::OK);
    assert_eq!(header(&shell, CONTENT_TYPE), "text/html; charset=utf-8");
    assert_guarded(&shell);
    let shell = shell.text().unwrap();
    assert!(shell.contains(r#"<script type="module" src="/assets/app.js"></script>"#));
    assert!(shell.contains(r#"<main id="main""#));
    for path in [
        "/search?q=pham+minh+tien",
        "/committees/bcd-cchc-bo-tttt?on=2022-06-01",
        "/people/pham-minh-tien",
        "/decisions/qd-34-2022",
        "/units/cuc-tin-hoc-hoa",
        "/plans/qd-34-2022",
        "/tasks/any",
        "/audit?actor=x",
    ] {
        let page = d.get(path, None);
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert_guarded(&page);
        assert_eq!(page.text().unwrap(), shell, "{path}");
    }
    // A path that is no page is the API's 404, not the shell.
    let nowhere = d.get("/committees/x/y", None);
    assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);
}

#[test]
fn assets_have_their_content_type_and_an_unknown_one_is_404() {
    let d = Daemon::start(false);
    for (path, kind) in [
        ("/assets/app.js", "text/javascript; charset=utf-8"),
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/assets/pages/search.js", "text/javascript; charset=utf-8"),
    ] {
        let asset = d.get(path, None);
        assert_eq!(asset.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&asset, CONTENT_TYPE), kind, "{path}");
        assert_guarded(&asset);
    }
    for path in [
        "/assets/nothing.js",
        "/assets/pages/nothing.js",
        "/assets/../Cargo.toml",
    ] {
        let missing = d.get(path, None);
        assert_eq!(missing.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let missing = d.get("/assets/nothing.js", None);
    assert_guarded(&missing);
}

#[test]
fn an_unchanged_asset_is_answered_304() {
    let d = Daemon::start(false);
    let first = d.get("/assets/app.js", None);
    let etag = header(&first, "etag");
    assert!(etag.starts_with('"'), "{etag}");
    let again = d
        .request(reqwest::Method::GET, "/assets/app.js", None)
        .header("if-none-match", &etag)
        .send()
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let other = d
        .request(reqwest::Method::GET, "/assets/app.js", None)
        .header("if-none-match", "\"other\"")
        .send()
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
}

#[test]
fn the_api_still_needs_its_token() {
    let d = Daemon::start(true);
    assert_eq!(
        d.get("/v1/committees/bcd-cchc-bo-tttt", None).status(),
        StatusCode::UNAUTHORIZED
    );
    let api = d.get("/v1/committees/bcd-cchc-bo-tttt", Some(&d.tokens.viewer));
    assert_eq!(api.status(), StatusCode::OK);
    // The page's headers are the page's: the API answers as it did.
    assert!(api.headers().get(CONTENT_SECURITY_POLICY).is_none());
}

#[test]
fn page_paths_count_as_their_templates_in_the_metrics() {
    let d = Daemon::start(false);
    for n in 0..3 {
        assert_eq!(
            d.get(&format!("/people/p-{n}"), None).status(),
            StatusCode::OK
        );
    }
    let metrics = d.get("/metrics", None).text().unwrap();
    assert!(metrics.contains(r#"route="/people/{id}""#), "{metrics}");
    assert!(!metrics.contains("/people/p-0"), "{metrics}");
}

#[test]
fn every_embedded_file_is_served_and_names_no_other_host() {
    let d = Daemon::start(false);
    let files = web_files();
    assert!(files.iter().any(|(name, _)| name == "index.html"));
    for (name, path) in files {
        let served = d.get(&format!("/assets/{name}"), None);
        assert_eq!(served.status(), StatusCode::OK, "{name}");
        assert_ne!(
            header(&served, CONTENT_TYPE),
            "application/octet-stream",
            "{name}"
        );
        let served = served.bytes().unwrap();
        assert_eq!(&served[..], &std::fs::read(&path).unwrap()[..], "{name}");
        let text = String::from_utf8_lossy(&served).to_lowercase();
        for scheme in ["http://", "https://", "//cdn", "url(//"] {
            assert!(
                !text.contains(scheme),
                "{name} names another host ({scheme})"
            );
        }
    }
}

#[test]
fn a_committee_timeline_lists_its_dated_decisions_for_every_reader() {
    let d = Daemon::start(true);
    let path = "/v1/committees/bcd-cchc-bo-tttt/timeline";
    assert_eq!(d.get(path, None).status(), StatusCode::UNAUTHORIZED);
    let body = d.get_json(path, &d.tokens.viewer);
    let marks = body["answer"]["marks"].as_array().unwrap();
    let committee = body["answer"]["committee"].as_str().unwrap();
    // The committee and its working group, both set up by Decision 34 on 14/01/2022.
    assert_eq!(marks.len(), 2, "{body}");
    for mark in marks {
        assert_eq!(mark["on"], "2022-01-14");
        assert_eq!(mark["decision"]["number"], "34/QĐ-BTTTT");
    }
    assert!(marks.iter().any(|m| m["committee"] == committee));
    assert!(marks.iter().any(|m| m["committee"] != committee));
    let unknown = d.get(
        "/v1/committees/no-such-committee/timeline",
        Some(&d.tokens.viewer),
    );
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}
