//! The requests of the statuses test on the wire: over reqwest, or on a raw socket for a
//! body that never arrives and for connections the accept loop refuses before reading them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::super::golden_api::Ask;
use super::super::support::Daemon;

/// A request body.
#[derive(Clone)]
pub(super) enum Body {
    None,
    Json(Value),
    /// Sent as it is, with this content type.
    Raw(&'static str, Vec<u8>),
}

/// One request of the run.
#[derive(Clone)]
pub(super) struct Req {
    pub(super) method: Method,
    pub(super) template: &'static str,
    pub(super) path: String,
    pub(super) token: Option<String>,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) body: Body,
}

impl Req {
    /// golden_api's request for its route, with `token`.
    pub(super) fn of(ask: &Ask, token: Option<&str>) -> Self {
        Self {
            method: ask.method.clone(),
            template: ask.template,
            path: ask.path.clone(),
            token: token.map(str::to_owned),
            headers: Vec::new(),
            body: ask.body.clone().map_or(Body::None, Body::Json),
        }
    }

    /// A GET of `path` on `template` with `token`.
    pub(super) fn get(template: &'static str, path: &str, token: &str) -> Self {
        Self {
            method: Method::GET,
            template,
            path: path.to_owned(),
            token: Some(token.to_owned()),
            headers: Vec::new(),
            body: Body::None,
        }
    }

    /// A POST of `body` to `route` with `token`.
    pub(super) fn post(route: &'static str, token: &str, body: Body) -> Self {
        Self {
            method: Method::POST,
            body,
            ..Self::get(route, route, token)
        }
    }

    pub(super) fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub(super) fn path(mut self, path: String) -> Self {
        self.path = path;
        self
    }

    /// The request's bytes on the wire, `Connection: close`.
    fn wire(&self) -> Vec<u8> {
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n",
            self.method, self.path
        );
        if let Some(t) = &self.token {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let (kind, bytes) = match &self.body {
            Body::None => return format!("{head}\r\n").into_bytes(),
            Body::Json(v) => ("application/json", serde_json::to_vec(v).unwrap()),
            Body::Raw(kind, bytes) => (*kind, bytes.clone()),
        };
        head.push_str(&format!(
            "Content-Type: {kind}\r\nContent-Length: {}\r\n\r\n",
            bytes.len()
        ));
        let mut all = head.into_bytes();
        all.extend(bytes);
        all
    }
}

/// An answer: its status, content type, `ETag` and body (JSON when it is JSON).
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) content_type: String,
    pub(super) etag: Option<String>,
    pub(super) body: Value,
}

fn body_of(content_type: &str, bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        Value::Null
    } else if content_type.contains("json") {
        serde_json::from_slice(bytes).unwrap_or_else(|_| json!(String::from_utf8_lossy(bytes)))
    } else {
        json!(String::from_utf8_lossy(bytes))
    }
}

/// `req` over reqwest; a live feed's body is not read (it never ends).
pub(super) fn send(d: &Daemon, req: &Req) -> Answer {
    let mut r = d.request(req.method.clone(), &req.path, req.token.as_deref());
    for (name, value) in &req.headers {
        r = r.header(*name, value);
    }
    r = match &req.body {
        Body::None => r,
        Body::Json(v) => r.json(v),
        Body::Raw(kind, bytes) => r.header("content-type", *kind).body(bytes.clone()),
    };
    let resp = r.send().unwrap();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (content_type, etag) = (header("content-type").unwrap_or_default(), header("etag"));
    let status = resp.status().as_u16();
    let body = if content_type.starts_with("text/event-stream") {
        Value::Null
    } else {
        body_of(&content_type, &resp.bytes().unwrap())
    };
    Answer {
        status,
        content_type,
        etag,
        body,
    }
}

/// `req` on a raw socket, read until the daemon closes it (it answers `Connection: close`).
/// With `part`, only the head and that many bytes of the body are sent: a body that is late.
pub(super) fn send_raw(d: &Daemon, req: &Req, part: Option<usize>) -> Answer {
    let mut bytes = req.wire();
    if let Some(part) = part {
        let head = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        bytes.truncate(head + part);
    }
    let mut got = Vec::new();
    // A refused connection is closed with the request unread, which may reset it before the
    // answer is read; the refusal is the same every time, so a retry is fair.
    for _ in 0..5 {
        let mut s = TcpStream::connect(d.base.trim_start_matches("http://")).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = s.write_all(&bytes);
        got.clear();
        let _ = s.read_to_end(&mut got);
        if !got.is_empty() {
            break;
        }
    }
    let text = String::from_utf8_lossy(&got).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("{text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{head}"));
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    };
    assert!(header("transfer-encoding").is_none(), "{head}");
    let content_type = header("content-type").unwrap_or_default();
    Answer {
        status,
        etag: header("etag"),
        body: body_of(&content_type, body.as_bytes()),
        content_type,
    }
}
