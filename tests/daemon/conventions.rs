//! HTTP conventions: answers compressed for clients that ask (never the live feed),
//! cross-origin access for the configured origins only, preflights before any token, and
//! recorded times and a backup's time in one form in every answer.

use std::io::Read;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::support::Daemon;

const ORIGIN: &str = "https://vanphong.mic.gov.vn";

fn with_encoding(d: &Daemon, path: &str, accept: &str) -> reqwest::blocking::Response {
    d.request(Method::GET, path, Some(&d.tokens.viewer))
        .header("accept-encoding", accept)
        .send()
        .unwrap()
}

#[test]
fn answers_are_compressed_only_for_clients_that_accept_it() {
    let d = Daemon::start(true);
    let path = "/v1/committees/bcd-cchc-bo-tttt/composition?on=2022-02-01";
    let plain = d.get(path, Some(&d.tokens.viewer));
    assert_eq!(plain.status(), StatusCode::OK);
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().unwrap();

    let gzip = with_encoding(&d, path, "gzip");
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let gzip = gzip.bytes().unwrap();
    assert!(gzip.len() < plain.len(), "{} ≥ {}", gzip.len(), plain.len());
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&gzip[..])
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, plain.to_vec());

    for coding in ["br", "zstd"] {
        let r = with_encoding(&d, path, coding);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-encoding"], coding);
        assert!(r.bytes().unwrap().len() < plain.len(), "{coding}");
    }
    // The live feed is never compressed: a coder would hold events back until it flushes.
    let feed = with_encoding(&d, "/v1/events/stream?categories=task", "gzip, br, zstd");
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(feed.headers().get("content-encoding").is_none());
}

fn preflight(d: &Daemon, origin: &str) -> reqwest::blocking::Response {
    d.client
        .request(Method::OPTIONS, format!("{}/v1/units", d.base))
        .header("origin", origin)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .unwrap()
}

#[test]
fn no_origin_is_allowed_unless_configured() {
    let d = Daemon::start(false);
    let r = preflight(&d, ORIGIN);
    assert!(!r.status().is_success(), "{}", r.status());
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = d
        .request(Method::GET, "/v1/units", Some(&d.tokens.viewer))
        .header("origin", ORIGIN)
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

#[test]
fn a_configured_origin_passes_its_preflight_without_a_token_and_reads_with_one() {
    let d = Daemon::start_configured(false, |c| c.cors_origins = vec![ORIGIN.to_owned()]);
    let r = preflight(&d, ORIGIN);
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    let allowed = r.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("authorization"), "{allowed}");

    let read = |origin: &str, token: Option<&str>| {
        d.request(Method::GET, "/v1/units", token)
            .header("origin", origin)
            .send()
            .unwrap()
    };
    let r = read(ORIGIN, Some(&d.tokens.viewer));
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    let exposed = r.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("www-authenticate"), "{exposed}");
    // The token is still required: CORS opens the browser's door, not the daemon's.
    assert_eq!(read(ORIGIN, None).status(), StatusCode::UNAUTHORIZED);
    // Another origin gets no allowance.
    let other = read("https://example.org", Some(&d.tokens.viewer));
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let r = preflight(&d, "https://example.org");
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`: RFC 3339 in UTC to the microsecond.
fn is_rfc3339_micros(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    b.len() == 27
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b'.'
        && digits(20..26)
        && b[26] == b'Z'
}

#[test]
fn every_answer_gives_recorded_times_in_one_form() {
    let d = Daemon::start(true);
    let auditor = d.tokens.auditor.clone();
    let times = |path: &str, list: &str| -> Vec<String> {
        let body = d.get_json(path, &auditor);
        let items = if list.is_empty() {
            &body["answer"]
        } else {
            &body["answer"][list]
        };
        let items = items
            .as_array()
            .or_else(|| body["answer"]["changes"].as_array())
            .unwrap_or_else(|| panic!("{path}: {body}"));
        assert!(!items.is_empty(), "{path}");
        items
            .iter()
            .map(|i| i["recorded_at"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    for (path, list) in [
        ("/v1/history/committee/bcd-cchc-bo-tttt", ""),
        ("/v1/audit/changes?actor=system:demo", ""),
        ("/v1/decisions/qd-34-2022/changes", ""),
        ("/v1/events?limit=5", "events"),
    ] {
        for t in times(path, list) {
            assert!(is_rfc3339_micros(&t), "{path}: {t:?}");
        }
    }
    assert!(!is_rfc3339_micros("2022-01-14T00:00:00Z"));
}

#[test]
fn a_backup_says_when_it_was_made_in_the_same_form() {
    let d = Daemon::start(true);
    let r = d.post_json(
        "/v1/backup",
        &d.tokens.admin,
        &json!({ "name": "conventions" }),
    );
    assert_eq!(r.status(), StatusCode::CREATED);
    let b: Value = r.json().unwrap();
    let made = b["created_at"].as_str().unwrap_or_default();
    assert!(is_rfc3339_micros(made), "{b}");
}
