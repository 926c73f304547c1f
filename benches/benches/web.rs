//! The web page bench W1: the committee page rendered in headless chromium against reformd on
//! the million-event store, as a ratio against the same page on the demo-only store, both
//! measured in the same run.
//!
//! `cargo bench -p reformlog-benches --bench web` builds the `daemon` bench's data folder (the
//! `domain` bench's generated log, bulk-imported, read models caught up, plus the seed case)
//! and a second folder holding the seed case alone, starts a daemon on each as a child process
//! (`--demo --bind 127.0.0.1:0`, this bench binary re-executed as `reformd::run_cli`, as the
//! daemon bench does), and drives Debian's chromium through chromedriver: each run opens
//! `/committees/bcd-cchc-bo-tttt?on=DATE` afresh (a new date each run, so no answer comes
//! from the daemon's answer cache) and takes the time from the document's navigation start to
//! the moment the router marks `main[data-ready=true]`, recorded inside the page by a
//! `MutationObserver` installed before any of the page's scripts run. The two daemons take
//! turns run by run, so both see the same machine. W1: the p95 with the big store; target
//! under 300 ms.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `REFORMLOG_BENCH_WEB_EVENTS` | 1000000 | generated events in the big store |
//! | `REFORMLOG_BENCH_WEB_RUNS` | 40 | page loads per store (after 3 unrecorded ones each) |
//! | `REFORMLOG_BENCH_QUICK` | off | `1` for a quick run (100000 events, 20 loads) |
//!
//! Without `--bench` (as under `cargo test --benches`) it makes one tiny pass. Where chromium or
//! chromedriver is missing it says so and measures nothing.

#![allow(clippy::unwrap_used)]

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use reformd::Role as TokenRole;
use reformlog_benches::{env_u64, percentile};
use serde_json::{json, Value};

#[allow(
    dead_code,
    reason = "the daemon bench's data folder; its library baseline is not what this bench reports"
)]
#[path = "daemon/data.rs"]
mod data;
#[allow(
    dead_code,
    reason = "the daemon bench's child process; its memory readings are not what this bench reports"
)]
#[path = "daemon/process.rs"]
mod process;

use process::{clock_ticks, Daemon};

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// Set in the child's environment: the process serves instead of benchmarking.
const SERVE_ENV: &str = "REFORMLOG_BENCH_DAEMON_SERVE";
/// The seed case's committee and the first date asked about.
const COMMITTEE: &str = "bcd-cchc-bo-tttt";
const ON: &str = "2022-02-01";
/// The daemon's default page cache, so the data folder is built the way the daemon reads it.
const CACHE_BYTES: u64 = 32 * 1024 * 1024;
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long one page may take before the run is called failed.
const DEADLINE: Duration = Duration::from_secs(30);
const WARMUP: usize = 3;
const TARGET_MS: f64 = 300.0;

/// Installed in every new document before its own scripts: the time, from navigation start,
/// at which the router marks `main` rendered (or failed).
const OBSERVER: &str = "new MutationObserver((_, o) => {
  const m = document.getElementById('main');
  if (m && (m.dataset.ready === 'true' || m.dataset.error)) {
    window.__renderedAt = { ms: performance.now(), error: m.dataset.error || null };
    o.disconnect();
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready', 'data-error'] });";

/// A chromedriver command fantoccini has no method for: a DevTools call on the page.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or("")
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// chromedriver on a port of its choosing, and its session; both end on drop.
struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Res<Self> {
        let profile = tempfile::tempdir()?;
        let mut driver = Command::new(CHROMEDRIVER)
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let out = driver.stdout.take().ok_or("no stdout")?;
        let mut port = None;
        for line in BufReader::new(out).lines() {
            if let Some(rest) = line?.split("started successfully on port ").nth(1) {
                port = rest.trim_end_matches('.').trim().parse::<u16>().ok();
                break;
            }
        }
        let port = port.ok_or("chromedriver did not say which port it listens on")?;
        let caps: Capabilities = serde_json::from_value(json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=1280,900",
                ],
            },
        }))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let client = rt.block_on(
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}")),
        )?;
        let b = Self {
            rt,
            client: Some(client),
            driver,
            _profile: profile,
        };
        b.rt.block_on(b.client().issue_cmd(Cdp {
            cmd: "Page.addScriptToEvaluateOnNewDocument",
            params: json!({ "source": OBSERVER }),
        }))?;
        Ok(b)
    }

    fn client(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    fn js(&self, body: &str, args: Vec<Value>) -> Res<Value> {
        Ok(self.rt.block_on(self.client().execute(body, args))?)
    }

    /// Stores `token` for the daemon at `base`, as the page's token form would.
    fn sign_in(&self, base: &str, token: &str) -> Res<()> {
        self.rt.block_on(self.client().goto(&format!("{base}/")))?;
        self.js(
            "sessionStorage.setItem('reformlog.token', arguments[0]);",
            vec![json!(token)],
        )?;
        Ok(())
    }

    /// Opens `url` afresh; the time from navigation start to the rendered page.
    fn render(&self, url: &str) -> Res<Duration> {
        self.rt.block_on(self.client().goto(url))?;
        let start = Instant::now();
        loop {
            let v = self.js("return window.__renderedAt ?? null;", vec![])?;
            if let Some(ms) = v["ms"].as_f64() {
                if let Some(e) = v["error"].as_str() {
                    return Err(format!("{url} did not render: {e}").into());
                }
                return Ok(Duration::from_secs_f64(ms / 1000.0));
            }
            if start.elapsed() > DEADLINE {
                return Err(format!("{url} did not render within {DEADLINE:?}").into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
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

/// The `i`th day from `ON` (2022-02-01), through the end of 2022 and round again.
fn date(i: usize) -> String {
    const DAYS: [u32; 11] = [28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut day = (i % 334) as u32;
    for (m, len) in DAYS.iter().enumerate() {
        if day < *len {
            return format!("2022-{:02}-{:02}", m + 2, day + 1);
        }
        day -= len;
    }
    ON.to_owned()
}

/// A daemon on `dir` with a reader's token.
fn serve(dir: &Path, exe: &Path, reexec: bool) -> Res<(Daemon, String)> {
    let token = reformd::create_token(dir, "bench-reader", TokenRole::Viewer)?;
    Ok((Daemon::start(exe, reexec, dir)?, token))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Res<()> {
    if std::env::var_os(SERVE_ENV).is_some() {
        return reformd::run_cli(<reformd::Cli as clap::Parser>::parse());
    }
    let full = std::env::args().any(|a| a == "--bench");
    let quick = std::env::var("REFORMLOG_BENCH_QUICK").is_ok_and(|v| v == "1");
    let (events, runs) = match (full, quick) {
        (false, _) => (5_000, 2),
        (true, true) => (100_000, 20),
        (true, false) => (1_000_000, 40),
    };
    let events = env_u64("REFORMLOG_BENCH_WEB_EVENTS").unwrap_or(events);
    let runs = env_u64("REFORMLOG_BENCH_WEB_RUNS").map_or(runs, |r| r.clamp(1, 10_000) as usize);
    if let Some(missing) = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .find(|p| !Path::new(p).exists())
    {
        println!("web bench skipped: {missing} is missing (Debian's chromium and chromium-driver)");
        return Ok(());
    }
    println!("web bench: the committee page, {events} generated events against the demo alone, {runs} loads each");

    let big = tempfile::tempdir()?;
    let small = tempfile::tempdir()?;
    let t = Instant::now();
    let (_, head, _) = data::build_data(big.path(), events, clock_ticks())?;
    println!(
        "built the big store: log head {head} in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let exe = std::env::current_exe()?;
    let (big_daemon, big_token) = serve(big.path(), &exe, true)?;
    let (small_daemon, small_token) = serve(small.path(), &exe, true)?;
    // The daemon answers once it is listening, but the demo load and the read models' catch-up
    // may still run: the first (unrecorded) loads wait for them.
    let browser = Browser::start()?;

    let mut times: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    for (daemon, token) in [(&small_daemon, &small_token), (&big_daemon, &big_token)] {
        browser.sign_in(&daemon.base, token)?;
        for i in 0..WARMUP {
            let url = format!(
                "{}/committees/{COMMITTEE}?on={}",
                daemon.base,
                date(300 + i)
            );
            browser.render(&url)?;
        }
    }
    // The two stores take turns, each load on a date neither has been asked about.
    for i in 0..runs {
        for (k, daemon) in [&small_daemon, &big_daemon].into_iter().enumerate() {
            let url = format!("{}/committees/{COMMITTEE}?on={}", daemon.base, date(i));
            times[k].push(browser.render(&url)?);
        }
    }
    drop(browser);
    big_daemon.stop()?;
    small_daemon.stop()?;

    for t in &mut times {
        t.sort();
    }
    let [demo, big] = &times;
    let (d50, d95) = (ms(percentile(demo, 0.5)), ms(percentile(demo, 0.95)));
    let (b50, b95) = (ms(percentile(big, 0.5)), ms(percentile(big, 0.95)));
    println!();
    println!("| figure | demo store | {head}-position store | ratio |");
    println!("| --- | ---: | ---: | ---: |");
    println!(
        "| W1 navigation start to `main[data-ready]`, p50 | {d50:.1} ms | {b50:.1} ms | {:.2} |",
        b50 / d50
    );
    println!(
        "| W1 navigation start to `main[data-ready]`, p95 | {d95:.1} ms | {b95:.1} ms | {:.2} |",
        b95 / d95
    );
    println!(
        "W1 p95 with the big store {b95:.1} ms, target < {TARGET_MS} ms: {}",
        if b95 < TARGET_MS { "PASS" } else { "FAIL" }
    );
    Ok(())
}
