//! A headless chromium driven through chromedriver (WebDriver), one at a time, behind a blocking
//! facade the tests call between their plain HTTP requests to the daemon.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, TimeoutConfiguration, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tempfile::TempDir;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Set to 1 (CI does) to turn a missing browser into a failure rather than a skipped test.
const REQUIRE: &str = "REFORMLOG_REQUIRE_BROWSER";
/// How long any wait for the page may take: generous, since two cores are shared by the
/// daemon, the browser and whatever else runs.
pub(crate) const DEADLINE: Duration = Duration::from_secs(30);

/// The two widths every page is looked at in: a desktop and a phone.
pub(crate) const WIDTHS: [(&str, u32, u32); 2] = [("desktop", 1280, 900), ("phone", 390, 844)];

/// The Content-Security-Policy every page and asset answer carries.
pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One browser at a time on a small machine: held for the whole of a test.
static ONE_BROWSER: Mutex<()> = Mutex::new(());

/// The binaries, or why this test cannot run (it then returns, or fails under `REQUIRE`).
fn binaries() -> Option<(PathBuf, PathBuf)> {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return Some((PathBuf::from(CHROMIUM), PathBuf::from(CHROMEDRIVER)));
    }
    let why = format!(
        "{} missing (Debian's chromium and chromium-driver packages)",
        missing.join(" and ")
    );
    assert!(
        std::env::var(REQUIRE).map_or(true, |v| v != "1"),
        "{REQUIRE}=1 but {why}"
    );
    eprintln!("skipped: {why}");
    None
}

/// A WebDriver command fantoccini has no method for: `POST /session/{id}/{path}` with a body.
#[derive(Debug)]
struct SessionPost {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for SessionPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or(""),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// A chromedriver child and one session of a fresh chromium profile; both end on drop.
pub(crate) struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    _profile: TempDir,
    _turn: MutexGuard<'static, ()>,
}

impl Browser {
    /// Waits for this test's turn and starts a browser, or `None` (the reason printed) where
    /// chromium or chromedriver is not installed.
    pub(crate) fn start() -> Option<Self> {
        let (chromium, chromedriver) = binaries()?;
        let turn = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
        let profile = tempfile::tempdir().unwrap();
        let mut driver = Command::new(chromedriver)
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let port = driver_port(&mut driver);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let caps: Capabilities = serde_json::from_value(json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=1280,900",
                ],
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        }))
        .unwrap();
        let client = rt.block_on(async {
            let client =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps)
                    .connect(&format!("http://127.0.0.1:{port}"))
                    .await
                    .unwrap();
            client
                .update_timeouts(TimeoutConfiguration::new(
                    Some(DEADLINE),
                    Some(DEADLINE),
                    Some(Duration::ZERO),
                ))
                .await
                .unwrap();
            client
        });
        Some(Self {
            rt,
            client: Some(client),
            driver,
            _profile: profile,
            _turn: turn,
        })
    }

    fn client(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    pub(crate) fn goto(&self, url: &str) {
        self.rt.block_on(self.client().goto(url)).unwrap();
    }

    pub(crate) fn current_url(&self) -> String {
        self.rt
            .block_on(self.client().current_url())
            .unwrap()
            .to_string()
    }

    /// Runs `body` (a function body, `arguments[i]` its arguments) in the page.
    pub(crate) fn js(&self, body: &str, args: Vec<Value>) -> Value {
        self.rt
            .block_on(self.client().execute(body, args))
            .unwrap_or_else(|e| panic!("script failed: {e}\n{body}"))
    }

    /// Waits until the expression `expr` is truthy in the page, and returns its value; on the
    /// deadline fails with `what`, the page's URL and the start of its `main`.
    pub(crate) fn until(&self, what: &str, expr: &str) -> Value {
        let script = format!("try {{ return ({expr}); }} catch (e) {{ return null; }}");
        let start = Instant::now();
        loop {
            let v = self.js(&script, vec![]);
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                Value::Array(_) | Value::Object(_) => true,
            };
            if truthy {
                return v;
            }
            if start.elapsed() > DEADLINE {
                let main = self.js(
                    "const m = document.querySelector('main'); \
                     return m ? m.outerHTML.slice(0, 2000) : document.documentElement.outerHTML.slice(0, 2000);",
                    vec![],
                );
                panic!(
                    "timed out waiting for {what} ({expr}) on {}\n{main}\nconsole: {:?}",
                    self.current_url(),
                    self.console()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the page has rendered (`main[data-ready=true]`), failing at once with the
    /// code the router sets when it failed instead.
    pub(crate) fn ready(&self) {
        let state = self.until(
            "the page to render",
            "document.querySelector('main#main[data-error]') \
                ? 'error: ' + document.querySelector('main#main').dataset.error \
                : (document.querySelector('main#main[data-ready=\"true\"]') ? 'ready' : null)",
        );
        assert_eq!(
            state,
            "ready",
            "{} did not render: {:?}",
            self.current_url(),
            self.js(
                "return document.getElementById('error')?.textContent ?? ''",
                vec![]
            )
        );
    }

    pub(crate) fn click(&self, css: &str) {
        self.rt
            .block_on(async {
                self.client()
                    .wait()
                    .at_most(DEADLINE)
                    .for_element(Locator::Css(css))
                    .await?
                    .click()
                    .await
            })
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    /// Types `text` into the element `css` (WebDriver key codes such as `Key::Enter` included).
    pub(crate) fn keys(&self, css: &str, text: &str) {
        self.rt
            .block_on(async {
                self.client()
                    .wait()
                    .at_most(DEADLINE)
                    .for_element(Locator::Css(css))
                    .await?
                    .send_keys(text)
                    .await
            })
            .unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
    }

    /// Empties the text field `css`.
    pub(crate) fn clear(&self, css: &str) {
        self.rt
            .block_on(async { self.client().find(Locator::Css(css)).await?.clear().await })
            .unwrap_or_else(|e| panic!("cannot clear {css}: {e}"));
    }

    /// The browser's console entries since the last call (chromedriver hands each out once).
    pub(crate) fn console(&self) -> Vec<(String, String)> {
        let v = self
            .rt
            .block_on(self.client().issue_cmd(SessionPost {
                path: "se/log",
                body: json!({ "type": "browser" }),
            }))
            .unwrap();
        v.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        (
                            e["level"].as_str().unwrap_or("").to_owned(),
                            e["message"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Fails on any SEVERE console entry since the last look, but those `allowed` accepts.
    pub(crate) fn no_console_errors(&self, page: &str, allowed: impl Fn(&str) -> bool) {
        let severe: Vec<String> = self
            .console()
            .into_iter()
            .filter(|(level, message)| level == "SEVERE" && !allowed(message))
            .map(|(_, message)| message)
            .collect();
        assert!(severe.is_empty(), "console errors on {page}: {severe:#?}");
    }

    /// Every URL the page has loaded or fetched (the performance timeline) and the page's own.
    pub(crate) fn visited_urls(&self) -> Vec<String> {
        let v = self.js(
            "return performance.getEntries().map(e => e.name).concat([location.href]);",
            vec![],
        );
        v.as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    }

    /// Visible text under WCAG AA contrast with what is behind it, one line each.
    pub(crate) fn low_contrast(&self) -> Vec<String> {
        let v = self.js(include_str!("contrast.js"), vec![]);
        v.as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    }

    /// How many A4 pages the current page prints on, as the browser prints it (WebDriver's
    /// print, which gives a PDF).
    pub(crate) fn printed_pages(&self) -> usize {
        use base64::Engine as _;
        let v = self
            .rt
            .block_on(self.client().issue_cmd(SessionPost {
                path: "print",
                body: json!({ "page": { "width": 21.0, "height": 29.7 } }),
            }))
            .unwrap();
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().expect("a base64 PDF"))
            .unwrap();
        assert!(pdf.starts_with(b"%PDF"), "not a PDF");
        // Each page is an object `/Type /Page`; the page tree's own is `/Type /Pages`.
        let text = String::from_utf8_lossy(&pdf);
        text.match_indices("/Type /Page")
            .filter(|(i, m)| text.as_bytes().get(i + m.len()) != Some(&b's'))
            .count()
    }

    /// Screenshots of the current page at both widths, `target/web-screenshots/<name>-<width>.png`,
    /// back at the desktop size afterwards.
    pub(crate) fn screenshots(&self, name: &str) {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        for (label, width, height) in WIDTHS {
            self.viewport(width, height);
            // Usable at this width: nothing wider than the screen, no sideways scrolling.
            let wide = self.js(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                vec![],
            );
            assert!(
                wide.as_i64().is_some_and(|w| w <= 0),
                "{name} at {width} px scrolls sideways by {wide} px"
            );
            let png = self.rt.block_on(self.client().screenshot()).unwrap();
            assert!(png.starts_with(b"\x89PNG"), "not a PNG");
            std::fs::write(dir.join(format!("{name}-{label}.png")), png).unwrap();
        }
        self.viewport(WIDTHS[0].1, WIDTHS[0].2);
    }

    /// The page's viewport set exactly (a window cannot be made phone-narrow everywhere), as
    /// a phone's when narrow.
    fn viewport(&self, width: u32, height: u32) {
        self.rt
            .block_on(self.client().issue_cmd(SessionPost {
                path: "goog/cdp/execute",
                body: json!({
                    "cmd": "Emulation.setDeviceMetricsOverride",
                    "params": {
                        "width": width, "height": height, "deviceScaleFactor": 1,
                        "mobile": width < 600,
                    },
                }),
            }))
            .unwrap();
        self.until(
            "the viewport to take its size",
            &format!("window.innerWidth === {width}"),
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.rt.block_on(client.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Reads chromedriver's start line for the port it chose (`--port=0`).
fn driver_port(driver: &mut Child) -> u16 {
    let out = driver.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.split("started successfully on port ").nth(1) {
                let _ = tx.send(rest.trim_end_matches('.').trim().parse::<u16>().ok());
            }
        }
    });
    rx.recv_timeout(DEADLINE)
        .ok()
        .flatten()
        .expect("chromedriver did not say which port it listens on")
}

/// `target/web-screenshots`, found from this test binary's place (`target/<profile>/deps/`),
/// so it is the target folder whatever `CARGO_TARGET_DIR` says.
pub(crate) fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("web-screenshots")
}

/// The security headers every page and asset answer carries, checked over plain HTTP.
pub(crate) fn security_headers(client: &reqwest::blocking::Client, url: &str) {
    let r = client.get(url).send().unwrap();
    assert!(r.status().is_success(), "GET {url}: {}", r.status());
    let h = r.headers();
    let header = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert_eq!(header("content-security-policy"), CSP, "{url}");
    assert_eq!(header("x-content-type-options"), "nosniff", "{url}");
    assert_eq!(header("referrer-policy"), "no-referrer", "{url}");
}
