//! Talking to reformd: where it is and which token to send (flags, environment, config file),
//! blocking HTTP requests, problem+json errors turned into one readable line, and paging.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reformlog_api::{Envelope, Page, Problem};
use reqwest::blocking::{Client as Http, RequestBuilder, Response};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::cli::GlobalArgs;
use crate::error::Error;

const DEFAULT_URL: &str = "http://127.0.0.1:8080";
/// Largest page the daemon gives.
const PAGE: usize = 1000;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    url: Option<String>,
    token: Option<String>,
    token_file: Option<PathBuf>,
}

/// Where the daemon is and how to authenticate.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Base URL without a trailing slash.
    pub url: String,
    /// Bearer token, if any.
    pub token: Option<String>,
}

fn default_config_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    let path = base.join("reformctl").join("config.toml");
    path.is_file().then_some(path)
}

fn read_config(path: &Path) -> Result<FileConfig, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    toml::from_str(&text).map_err(|e| Error::Config {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

impl Endpoint {
    /// Flags and environment (clap merges those) over the config file over the default.
    pub fn resolve(global: &GlobalArgs) -> Result<Self, Error> {
        let path = global.config.clone().or_else(default_config_path);
        let file = match &path {
            Some(p) => read_config(p)?,
            None => FileConfig::default(),
        };
        let token = match (&global.token, &file.token, &file.token_file) {
            (Some(t), _, _) | (None, Some(t), _) => Some(t.trim().to_string()),
            (None, None, Some(f)) => {
                // A token file keeps the secret out of the config file and of `ps`.
                let f = match &path {
                    Some(p) if f.is_relative() => p.parent().unwrap_or(Path::new(".")).join(f),
                    _ => f.clone(),
                };
                let text = std::fs::read_to_string(&f).map_err(|e| Error::Config {
                    path: f.clone(),
                    reason: e.to_string(),
                })?;
                Some(text.trim().to_string())
            }
            (None, None, None) => None,
        };
        let url = global
            .url
            .clone()
            .or(file.url)
            .unwrap_or_else(|| DEFAULT_URL.to_string());
        if !url.starts_with("http://") && !url.starts_with("https://") {
            return Err(Error::Usage(format!(
                "the daemon URL must start with http://, not {url:?}"
            )));
        }
        Ok(Self {
            url: url.trim_end_matches('/').to_string(),
            token: token.filter(|t| !t.is_empty()),
        })
    }
}

/// A blocking HTTP client bound to one daemon.
#[derive(Debug, Clone)]
pub struct Client {
    endpoint: Endpoint,
    http: Http,
}

/// The outcome of a write, as the daemon answers it.
pub use reformlog_api::WriteResult;

impl Client {
    /// A client with a per-request timeout.
    pub fn new(endpoint: Endpoint) -> Result<Self, Error> {
        Self::with_timeout(endpoint, Some(Duration::from_secs(120)))
    }

    /// A client for long-lived responses (the live feed): no overall timeout.
    pub fn streaming(endpoint: Endpoint) -> Result<Self, Error> {
        Self::with_timeout(endpoint, None)
    }

    fn with_timeout(endpoint: Endpoint, timeout: Option<Duration>) -> Result<Self, Error> {
        let http = Http::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("reformctl/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Unreachable {
                url: endpoint.url.clone(),
                reason: e.to_string(),
            })?;
        Ok(Self { endpoint, http })
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.endpoint.url
    }

    fn authed(&self, rb: RequestBuilder) -> RequestBuilder {
        match &self.endpoint.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    /// A GET request builder for `path` (starting with `/`).
    pub fn get_request(&self, path: &str) -> RequestBuilder {
        self.authed(self.http.get(format!("{}{path}", self.endpoint.url)))
    }

    /// Sends a request; non-success answers become typed errors.
    pub fn send(&self, rb: RequestBuilder) -> Result<Response, Error> {
        let unreachable = |e: reqwest::Error| Error::Unreachable {
            url: self.endpoint.url.clone(),
            reason: root_cause(&e),
        };
        let request = rb.build().map_err(unreachable)?;
        let (method, url) = (request.method().clone(), request.url().clone());
        let started = std::time::Instant::now();
        let sent = self.http.execute(request);
        let millis = started.elapsed().as_millis();
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(%method, %url, millis, error = %e, "no answer");
                return Err(unreachable(e));
            }
        };
        tracing::debug!(%method, %url, status = response.status().as_u16(), millis, "answered");
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(problem(response))
        }
    }

    /// GET `path` with query parameters (absent values are left out) and parse the JSON.
    pub fn get(&self, path: &str, query: &[(&str, Option<&str>)]) -> Result<Value, Error> {
        let q: Vec<(&str, &str)> = query
            .iter()
            .filter_map(|(k, v)| v.map(|v| (*k, v)))
            .collect();
        let response = self.send(self.get_request(path).query(&q))?;
        response
            .json()
            .map_err(|e| Error::BadAnswer(format!("GET {path}: {e}")))
    }

    /// GET `path`, or `None` on 404.
    pub fn get_opt(
        &self,
        path: &str,
        query: &[(&str, Option<&str>)],
    ) -> Result<Option<Value>, Error> {
        match self.get(path, query) {
            Ok(v) => Ok(Some(v)),
            Err(Error::Refused { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every item of a paged list, each read as a `T`.
    pub(crate) fn list_all_as<T: DeserializeOwned>(
        &self,
        path: &str,
        on: Option<&str>,
        known_at: Option<&str>,
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        let limit = PAGE.to_string();
        loop {
            let page = self.get(
                path,
                &[
                    ("on", on),
                    ("known_at", known_at),
                    ("limit", Some(&limit)),
                    ("cursor", cursor.as_deref()),
                ],
            )?;
            let page: Envelope<Page<T>> = Envelope::deserialize(page)
                .map_err(|e| Error::BadAnswer(format!("GET {path}: {e}")))?;
            out.extend(page.answer.items);
            match page.answer.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(out),
            }
        }
    }

    /// Every item of a paged list as the daemon sent it.
    pub fn list_all(
        &self,
        path: &str,
        on: Option<&str>,
        known_at: Option<&str>,
    ) -> Result<Vec<Value>, Error> {
        self.list_all_as(path, on, known_at)
    }

    /// GET `path` read as a `T`.
    pub(crate) fn get_as<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, Option<&str>)],
    ) -> Result<T, Error> {
        let v = self.get(path, query)?;
        crate::answer::decode(&v).map_err(|e| match e {
            Error::BadAnswer(why) => Error::BadAnswer(format!("GET {path}: {why}")),
            other => other,
        })
    }

    /// POST a JSON body with an Idempotency-Key; 201 and 200 (a retry) are both success.
    pub fn post_write(&self, path: &str, body: &Value, key: &str) -> Result<WriteResult, Error> {
        let rb = self
            .authed(self.http.post(format!("{}{path}", self.endpoint.url)))
            .header("Idempotency-Key", key)
            .json(body);
        let response = self.send(rb)?;
        response
            .json()
            .map_err(|e| Error::BadAnswer(format!("POST {path}: {e}")))
    }

    /// POST a write whose body asks the daemon to record each change at most once
    /// (`skip_recorded`), so it needs no Idempotency-Key to be safe to repeat.
    pub fn post_changes(&self, path: &str, body: &Value) -> Result<WriteResult, Error> {
        let rb = self
            .authed(self.http.post(format!("{}{path}", self.endpoint.url)))
            .json(body);
        let response = self.send(rb)?;
        response
            .json()
            .map_err(|e| Error::BadAnswer(format!("POST {path}: {e}")))
    }

    /// POST without a body (integrity verification).
    pub fn post_empty(&self, path: &str) -> Result<Value, Error> {
        self.post_json(path, None)
    }

    /// POST a JSON body, or none, to a route that is not a write (so no `Idempotency-Key`),
    /// and parse the JSON answer.
    pub fn post_json(&self, path: &str, body: Option<&Value>) -> Result<Value, Error> {
        let rb = self.authed(self.http.post(format!("{}{path}", self.endpoint.url)));
        let rb = match body {
            Some(b) => rb.json(b),
            None => rb,
        };
        let response = self.send(rb)?;
        response
            .json()
            .map_err(|e| Error::BadAnswer(format!("POST {path}: {e}")))
    }
}

/// The innermost cause of a transport error, which is the part a person can act on
/// ("Connection refused").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &(dyn std::error::Error + 'static) = e;
    let mut text = e.to_string();
    while let Some(next) = cur.source() {
        text = next.to_string();
        cur = next;
    }
    text
}

/// Turns an error answer into one readable line: the problem's `code` and `detail` when the
/// body is problem+json, else the status and the start of the body.
pub(crate) fn problem(response: Response) -> Error {
    let status = response.status();
    // RFC 6750: a challenge with an `error` attribute says the token sent was refused;
    // without one, that a token is needed and none came.
    let refused_token = response
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.contains("error="));
    let body = response.text().unwrap_or_default();
    /// The failed change of a batch, which some problems name in `errors`.
    #[derive(Deserialize)]
    struct Failed {
        change: Option<usize>,
    }
    let parsed = serde_json::from_str::<Problem>(&body).ok();
    let change = parsed
        .as_ref()
        .and_then(|p| p.errors.as_ref())
        .and_then(|e| Failed::deserialize(e).ok())
        .and_then(|f| f.change);
    let (code, detail) = match parsed {
        Some(p) => (p.code, p.detail),
        None => (
            status
                .canonical_reason()
                .unwrap_or("error")
                .to_lowercase()
                .replace(' ', "-"),
            one_line(&body),
        ),
    };
    match (status, refused_token) {
        (StatusCode::UNAUTHORIZED, Some(false)) => {
            return Error::TokenMissing {
                status: status.as_u16(),
                code,
            }
        }
        (StatusCode::UNAUTHORIZED, Some(true)) => {
            return Error::TokenRefused {
                status: status.as_u16(),
                code,
                detail,
            }
        }
        _ => {}
    }
    if status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE {
        Error::ServerFailed {
            status: status.as_u16(),
            code,
            detail,
        }
    } else {
        Error::Refused {
            status: status.as_u16(),
            code,
            detail,
            change,
        }
    }
}

fn one_line(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = line.chars().take(200).collect();
    if cut.is_empty() {
        cut = "(no detail)".into();
    }
    cut
}

/// Percent-encodes one path segment (slugs and numbers may contain `/` or spaces).
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn global(url: Option<&str>, token: Option<&str>, config: Option<PathBuf>) -> GlobalArgs {
        GlobalArgs {
            url: url.map(String::from),
            token: token.map(String::from),
            config,
            json: false,
            quiet: true,
            bom: false,
            log_level: None,
        }
    }

    #[test]
    fn flags_win_over_the_config_file_and_token_files_resolve_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config.toml");
        std::fs::write(dir.path().join("secret"), "rfl_file\n").unwrap();
        std::fs::write(
            &cfg,
            "url = \"http://127.0.0.1:9000/\"\ntoken_file = \"secret\"\n",
        )
        .unwrap();
        let e = Endpoint::resolve(&global(None, None, Some(cfg.clone()))).unwrap();
        assert_eq!(e.url, "http://127.0.0.1:9000");
        assert_eq!(e.token.as_deref(), Some("rfl_file"));
        let e = Endpoint::resolve(&global(
            Some("http://h:1"),
            Some("rfl_flag"),
            Some(cfg.clone()),
        ))
        .unwrap();
        assert_eq!(
            (e.url.as_str(), e.token.as_deref()),
            ("http://h:1", Some("rfl_flag"))
        );
        std::fs::write(&cfg, "colour = 1\n").unwrap();
        let err = Endpoint::resolve(&global(None, None, Some(cfg))).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        assert_eq!(err.exit_code(), crate::error::exit::USAGE);
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(segment("34/QĐ-BTTTT"), "34%2FQ%C4%90-BTTTT");
        assert_eq!(segment("bcd-cchc-bo-tttt"), "bcd-cchc-bo-tttt");
    }
}
