//! How typed failures map to statuses, codes and `Retry-After`.

#![allow(clippy::unwrap_used)]
use super::*;
use reformlog_store::CorruptionError;
use std::io::{Error as IoError, ErrorKind};

fn io(e: IoError) -> StorageError {
    StorageError::io("sled I/O", e)
}

fn enospc() -> StorageError {
    io(IoError::from_raw_os_error(28))
}

fn eio() -> StorageError {
    io(IoError::from_raw_os_error(5))
}

fn corrupt() -> CorruptionError {
    CorruptionError {
        at: "position 7".into(),
        reason: "flipped".into(),
    }
}

/// (status, code, whether it carries Retry-After)
fn shape(e: &ApiError) -> (u16, &'static str, bool) {
    (e.status().as_u16(), e.code(), e.retry_after().is_some())
}

fn append_failures() -> Vec<(AppendError, &'static str)> {
    vec![
        (
            AppendError::StorageFull("write the journal".into()),
            "storage-full",
        ),
        (
            AppendError::StoreLost("/srv/reformd/store".into()),
            "store-lost",
        ),
        (
            AppendError::OutcomeUnknown("sled refused".into()),
            "outcome-unknown",
        ),
        (
            AppendError::JournalFailed("fdatasync".into()),
            "outcome-unknown",
        ),
        (AppendError::Poisoned, "storage-failed"),
        (AppendError::Storage(enospc()), "storage-full"),
        // A quota is full the same way.
        (
            AppendError::Storage(io(IoError::from_raw_os_error(122))),
            "storage-full",
        ),
        (
            AppendError::Storage(io(IoError::from(ErrorKind::StorageFull))),
            "storage-full",
        ),
        (AppendError::Storage(eio()), "storage-failed"),
        (
            AppendError::Read(ReadError::Storage(enospc())),
            "storage-full",
        ),
        (
            AppendError::Read(ReadError::Storage(eio())),
            "storage-failed",
        ),
    ]
}

#[test]
fn every_storage_failure_of_an_append_is_a_503_with_its_code_and_retry_after() {
    for (error, code) in append_failures() {
        let text = error.to_string();
        assert_eq!(shape(&ApiError::from(error)), (503, code, true), "{text}");
    }
    // The same through the domain, as the write routes see them.
    for (error, code) in append_failures() {
        let text = error.to_string();
        let e = ApiError::from(reformlog::Error::Append(error));
        assert_eq!(shape(&e), (503, code, true), "{text}");
    }
}

#[test]
fn a_write_that_may_be_recorded_says_so_and_one_that_is_not_never_does() {
    let unknown = ApiError::from(AppendError::JournalFailed("fdatasync: EIO".into()));
    assert_eq!(unknown.code(), "outcome-unknown");
    assert_eq!(unknown.retry_after(), Some(UNKNOWN_RETRY_SECS));
    for refused in [
        AppendError::StorageFull("x".into()),
        AppendError::Poisoned,
        AppendError::Storage(eio()),
    ] {
        assert_ne!(ApiError::from(refused).code(), "outcome-unknown");
    }
}

#[test]
fn reads_failing_in_the_store_or_the_read_models_are_never_a_plain_500() {
    let cases: Vec<(reformlog::Error, u16, &str)> = vec![
        (reformlog::Error::Storage(enospc()), 503, "storage-full"),
        (reformlog::Error::Storage(eio()), 503, "storage-failed"),
        (
            reformlog::Error::Read(ReadError::Storage(enospc())),
            503,
            "storage-full",
        ),
        (
            reformlog::Error::Read(ReadError::Corrupt(corrupt())),
            500,
            "store-corrupt",
        ),
        (
            reformlog::Error::Read(ReadError::Upcast {
                position: 3,
                reason: "schema 9".into(),
            }),
            500,
            "store-corrupt",
        ),
        (
            reformlog::Error::Codec(CodecError::Truncated),
            500,
            "store-corrupt",
        ),
    ];
    for (error, status, code) in cases {
        let text = error.to_string();
        let e = ApiError::from(error);
        assert_eq!((e.status().as_u16(), e.code()), (status, code), "{text}");
        assert_eq!(e.retry_after().is_some(), status == 503, "{text}");
    }
    assert_eq!(
        shape(&ApiError::from(ReadError::Storage(eio()))),
        (503, "storage-failed", true)
    );
}

#[test]
fn write_health_maps_to_the_readiness_problem() {
    assert_eq!(ApiError::from_write_health(&WriteHealth::Writable), None);
    let cases = [
        (WriteHealth::Full("no room".into()), "storage-full"),
        (WriteHealth::Lost("/srv/reformd/store".into()), "store-lost"),
        (
            WriteHealth::Stopped("sled refused".into()),
            "storage-failed",
        ),
    ];
    for (health, code) in cases {
        let e = ApiError::from_write_health(&health).unwrap();
        assert_eq!(shape(&e), (503, code, true), "{health:?}");
    }
}

#[test]
fn the_answer_carries_retry_after_and_is_problem_json() {
    let response = ApiError::storage_full("no room").into_response();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let headers = response.headers();
    assert_eq!(headers[header::RETRY_AFTER], FULL_RETRY_SECS.to_string());
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    let other = ApiError::not_found("x").into_response();
    assert!(other.headers().get(header::RETRY_AFTER).is_none());
}

fn challenge(e: ApiError) -> Option<String> {
    e.into_response()
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[test]
fn a_401_says_how_to_authenticate_and_whether_the_token_sent_was_refused() {
    assert_eq!(
        challenge(ApiError::unauthorized()).as_deref(),
        Some(r#"Bearer realm="reformd""#)
    );
    let refused = challenge(ApiError::token_refused()).unwrap();
    assert!(refused.contains(r#"error="invalid_token""#), "{refused}");
    let expired = challenge(ApiError::token_expired()).unwrap();
    assert!(expired.contains(r#"error="invalid_token""#), "{expired}");
    assert_eq!(ApiError::token_refused().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(ApiError::forbidden("writes")), None);
    assert_eq!(challenge(ApiError::not_found("no such unit")), None);
}

/// Every code a source file hands `bad_request` is a 400 one; the `too-many-connections`
/// answer written before routing (`listen.rs`) is in the table too.
#[test]
fn every_code_a_bad_request_is_made_with_is_a_400() {
    // The code is typed, so an unknown one does not compile; what the types cannot say is
    // that it is a 400 one (another would go out with its own status from a call that
    // means to refuse the request as malformed).
    fn walk(dir: &std::path::Path, found: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("tests.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices("bad_request(") {
                    let rest = text[at + "bad_request(".len()..].trim_start();
                    if let Some(variant) = rest.strip_prefix("ProblemCode::") {
                        let name: String = variant
                            .chars()
                            .take_while(char::is_ascii_alphanumeric)
                            .collect();
                        found.push((path.display().to_string(), name));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(found.len() > 30, "the scan finds the calls: {found:?}");
    for (file, name) in &found {
        let code = ProblemCode::ALL
            .iter()
            .find(|c| format!("{c:?}") == *name)
            .unwrap_or_else(|| panic!("{file}: {name} is not in the table"));
        assert_eq!(code.status(), 400, "{file}: {name}");
        assert_eq!(ApiError::bad_request(*code, "x").code(), code.as_str());
    }
    let limit = ProblemCode::from_code("too-many-connections").unwrap();
    assert_eq!(
        (limit.status(), limit.title()),
        (503, "Service Unavailable")
    );
}

/// The status and title each code is sent with are the table's, and the title is the
/// status's reason phrase, as problems have always carried.
#[test]
fn titles_are_the_reason_phrases_of_the_statuses() {
    for c in ProblemCode::ALL {
        let status = StatusCode::from_u16(c.status()).unwrap();
        assert_eq!(status.canonical_reason(), Some(c.title()), "{c}");
    }
}
