//! The load generator: keep-alive connections driving one target for a phase, with their
//! latencies.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::process::cpu_of;
use super::{Res, COMMITTEE, MAX_REQUESTS, ON};
use reformlog_benches::domain_log::{date, FIRST_YEAR, YEARS};
use reformlog_benches::percentile;

/// What every request of a phase sends.
#[derive(Clone)]
pub(crate) enum Target {
    Get {
        url: String,
        token: Option<String>,
    },
    /// The composition on a different date for each request, so no answer is asked twice
    /// and the daemon's answer cache cannot help.
    CompositionEachDay {
        base: String,
        token: String,
    },
    RegisterPerson {
        url: String,
        token: String,
    },
}

/// The outcome of one phase.
pub(crate) struct Phase {
    pub(crate) ok: u64,
    pub(crate) errors: u64,
    pub(crate) first_error: Option<String>,
    pub(crate) elapsed: Duration,
    /// Latency of each successful request, sorted.
    pub(crate) latencies: Vec<Duration>,
    pub(crate) server_cpu: Duration,
    pub(crate) client_cpu: Duration,
}

impl Phase {
    pub(crate) fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    pub(crate) fn p(&self, q: f64) -> Duration {
        percentile(&self.latencies, q)
    }
    pub(crate) fn merge(&mut self, other: Phase) {
        self.ok += other.ok;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
        self.latencies.sort();
        self.server_cpu += other.server_cpu;
        self.client_cpu += other.client_cpu;
    }
    /// Server CPU per successful request.
    pub(crate) fn server_cpu_per_request(&self) -> Duration {
        self.server_cpu / (self.ok.max(1) as u32)
    }
}

/// One request; `Ok(())` only for the status the target expects, with the whole body read.
pub(crate) async fn send(client: &reqwest::Client, target: &Target, n: u64) -> Result<(), String> {
    let (request, expected) = match target {
        Target::Get { url, token } => {
            let mut r = client.get(url);
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            (r, 200)
        }
        Target::CompositionEachDay { base, token } => {
            let on = date(
                FIRST_YEAR + ((n / 365) % YEARS as u64) as i32,
                (n % 365) as u32,
            );
            let url = format!("{base}/v1/committees/{COMMITTEE}/composition?on={on}");
            (client.get(url).bearer_auth(token), 200)
        }
        Target::RegisterPerson { url, token } => {
            let body = serde_json::json!({
                "reason": "load test",
                "commands": [{ "register_person": {
                    "person": uuid::Uuid::now_v7().to_string(),
                    "name": format!("Người thử tải {n}"),
                    "on": ON,
                } }],
            });
            let r = client
                .post(url)
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(&body).map_err(|e| e.to_string())?);
            (r, 201)
        }
    };
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if status == expected {
        Ok(())
    } else {
        Err(format!(
            "status {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ))
    }
}

/// Drives `target` from every client at once (one keep-alive connection each, a request in
/// flight on each) for `duration`, or until `MAX_REQUESTS` have been sent.
pub(crate) async fn load(
    clients: &[reqwest::Client],
    target: &Target,
    duration: Duration,
    server_pid: &str,
    ticks: f64,
) -> Res<Phase> {
    let sent = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(Mutex::new(None::<String>));
    let server_before = cpu_of(server_pid, ticks)?;
    let client_before = cpu_of("self", ticks)?;
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients.len());
    for client in clients {
        let client = client.clone();
        let target = target.clone();
        let sent = Arc::clone(&sent);
        let first_error = Arc::clone(&first_error);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let n = sent.fetch_add(1, Ordering::Relaxed);
                if n >= MAX_REQUESTS {
                    break;
                }
                let t = Instant::now();
                match send(&client, &target, n).await {
                    Ok(()) => latencies.push(t.elapsed()),
                    Err(e) => {
                        errors += 1;
                        first_error.lock().unwrap().get_or_insert(e);
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let first_error = first_error.lock().unwrap().take();
    Ok(Phase {
        ok: latencies.len() as u64,
        errors,
        first_error,
        elapsed,
        latencies,
        server_cpu: cpu_of(server_pid, ticks)?.saturating_sub(server_before),
        client_cpu: cpu_of("self", ticks)?.saturating_sub(client_before),
    })
}

/// One GET from one client, its body as JSON and its latency.
pub(crate) async fn get_json(
    client: &reqwest::Client,
    url: &str,
    token: &str,
) -> Res<(serde_json::Value, Duration)> {
    let t = Instant::now();
    let response = client.get(url).bearer_auth(token).send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    let elapsed = t.elapsed();
    if !status.is_success() {
        return Err(format!("GET {url}: {status}: {}", String::from_utf8_lossy(&body)).into());
    }
    Ok((serde_json::from_slice(&body)?, elapsed))
}
