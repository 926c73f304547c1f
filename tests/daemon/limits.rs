//! Limits on every connection, on raw sockets with bounded counts and times: half-sent
//! headers and idle kept-alive connections are closed after the header-read timeout, a
//! dripped body is answered 408, and connections past the limit get a 503 problem at once
//! while /healthz comes back as soon as slots free.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::support::Daemon;

fn daemon() -> Daemon {
    Daemon::start_configured(false, |c| {
        c.header_read_timeout = Duration::from_secs(1);
        c.body_read_timeout = Duration::from_secs(1);
        c.max_connections = 8;
    })
}

fn connect(d: &Daemon) -> TcpStream {
    let s = TcpStream::connect(d.base.trim_start_matches("http://")).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Reads until the peer closes; the text read and how long it took.
fn until_closed(s: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    (
        String::from_utf8_lossy(&got).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn half_sent_headers_and_idle_connections_are_closed_after_the_header_timeout() {
    let d = daemon();
    let mut half = connect(&d);
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let (_, took) = until_closed(&mut half);
    assert!(took < Duration::from_secs(4), "held for {took:?}");
    // A kept-alive connection answered once, then left idle.
    let mut idle = connect(&d);
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (text, took) = until_closed(&mut idle);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        took < Duration::from_secs(4),
        "idle connection held for {took:?}"
    );
}

#[test]
fn a_dripped_body_is_answered_408() {
    let d = daemon();
    let mut s = connect(&d);
    let head = format!(
        "POST /v1/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n",
        d.tokens.editor
    );
    s.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    let mut answer = String::new();
    for _ in 0..40 {
        if s.write_all(b" ").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        s.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 4096];
        if let Ok(n) = s.read(&mut buf) {
            answer.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        s.set_nonblocking(false).unwrap();
        if !answer.is_empty() {
            break;
        }
    }
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("body-timeout"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn connections_past_the_limit_get_a_503_problem_and_health_returns_when_slots_free() {
    let d = daemon();
    let held: Vec<TcpStream> = (0..8).map(|_| connect(&d)).collect();
    // Let the accept loop take all eight.
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = connect(&d);
    extra
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (text, took) = until_closed(&mut extra);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("too-many-connections"), "{text}");
    // The same problem body as every other answer's, its type naming the code.
    assert!(
        text.contains(r#""type":"urn:reformlog:problem:too-many-connections""#),
        "{text}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
    // The held connections send nothing; the header timeout frees their slots.
    let deadline = Instant::now() + Duration::from_secs(6);
    loop {
        let mut probe = connect(&d);
        probe
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let (text, _) = until_closed(&mut probe);
        if text.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "health never came back: {text}");
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(held);
}

#[test]
fn the_systemd_unit_raises_the_file_limit_above_the_connection_limit_and_hardens_the_service() {
    let unit = include_str!("../../daemon/reformd.service");
    let value = |key: &str| {
        unit.lines()
            .rev()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{key} is not set in daemon/reformd.service"))
            .to_owned()
    };
    let files: usize = value("LimitNOFILE").parse().unwrap();
    let default = reformd::ServeConfig::local("x").max_connections;
    assert!(
        files >= 4 * default,
        "LimitNOFILE {files} vs {default} connections"
    );
    for (key, want) in [
        ("NoNewPrivileges", "true"),
        ("ProtectSystem", "strict"),
        ("ReadWritePaths", "/var/lib/reformd"),
        ("PrivateTmp", "true"),
        ("UMask", "0077"),
        ("CapabilityBoundingSet", ""),
    ] {
        assert_eq!(value(key), want, "{key}");
    }
    // The data folder it may write is the one the daemon is started on.
    assert!(value("ExecStart").contains("--data-dir /var/lib/reformd"));
}
