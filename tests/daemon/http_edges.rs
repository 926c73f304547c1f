//! HTTP edge cases on a raw socket: body codings the daemon does not decode are refused
//! with problem+json (501 for a transfer coding, 415 for a content coding) and append
//! nothing.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::support::Daemon;

/// Sends `request` as is and returns the status and body of the answer.
fn raw(d: &Daemon, request: &str) -> (u16, String) {
    let addr = d.base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

#[test]
fn body_codings_the_daemon_does_not_decode_are_refused() {
    let d = Daemon::start(true);
    let head = d.head();
    let body = r#"{"reason":"x","commands":[{"register_person":{"person":"0190a5c0-0000-7000-8000-0000000000aa","name":"Thành viên 61","on":"2022-02-01"}}]}"#;
    let chunk = format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len());
    let gzip_chunked = format!(
        "POST /v1/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n{chunk}",
        d.tokens.editor
    );
    let (status, answer) = raw(&d, &gzip_chunked);
    assert_eq!(status, 501, "{answer}");
    assert!(answer.contains("unsupported-transfer-coding"), "{answer}");
    let gzip = format!(
        "POST /v1/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        d.tokens.editor,
        body.len()
    );
    let (status, answer) = raw(&d, &gzip);
    assert_eq!(status, 415, "{answer}");
    assert!(answer.contains("unsupported-content-encoding"), "{answer}");
    // Plain chunked still works.
    let chunked = format!(
        "POST /v1/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunk}",
        d.tokens.editor
    );
    let (status, answer) = raw(&d, &chunked);
    assert_eq!(status, 201, "{answer}");
    assert_eq!(d.head(), head + 1, "only the plain request was written");
}

#[test]
fn what_the_http_layer_cannot_parse_is_a_bare_400_and_a_closed_connection() {
    let d = Daemon::start(false);
    let (status, body) = raw(
        &d,
        "POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
    );
    assert_eq!(status, 400, "{body}");
    let (status, body) = raw(&d, "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n");
    assert_eq!(status, 400, "{body}");
    // Anything routed is shaped: an unknown path is a problem, not a bare 404.
    let (status, body) = raw(
        &d,
        "GET /khong-co HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 404);
    assert!(body.contains("\"code\""), "{body}");
}
