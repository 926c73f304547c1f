//! Request, latency, log, build and process metrics in the Prometheus text format.

use std::collections::HashMap;

use axum::http::Method;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

mod process;

/// Upper bounds of the latency histogram buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// What one route template has seen: its latencies, and its requests by method and status.
/// A route sees a handful of (method, status) pairs, so a short list beats a map.
#[derive(Default)]
struct RouteStats {
    latency: Histogram,
    requests: Vec<(Method, u16, u64)>,
}

/// The daemon's counters. Label sets are bounded: routes are matched path templates.
///
/// Every request is counted, so counting takes one lock and allocates only the first time a
/// route, method and status are seen; the text is put in order when it is rendered.
#[derive(Default)]
pub(crate) struct Metrics {
    routes: Mutex<HashMap<Box<str>, RouteStats>>,
    pub(crate) events_appended: AtomicU64,
    pub(crate) writes: AtomicU64,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Escapes a label value for the text format.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    pub(crate) fn observe(&self, method: &Method, route: &str, status: u16, elapsed: Duration) {
        let mut routes = lock(&self.routes);
        let stats = match routes.get_mut(route) {
            Some(stats) => stats,
            None => routes.entry(route.into()).or_default(),
        };
        match stats
            .requests
            .iter_mut()
            .find(|(m, s, _)| m == method && *s == status)
        {
            Some((_, _, n)) => *n += 1,
            None => stats.requests.push((method.clone(), status, 1)),
        }
        let secs = elapsed.as_secs_f64();
        let h = &mut stats.latency;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// Renders everything, with the log gauges the caller reads at scrape time (and, with an
    /// anchor file, the position it holds and its failed writes).
    pub(crate) fn render(
        &self,
        head: u64,
        read_model_position: u64,
        anchor: Option<(u64, u64)>,
    ) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP reformd_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE reformd_http_requests_total counter\n");
        let routes = lock(&self.routes);
        let mut requests: Vec<(&str, &str, u16, u64)> = routes
            .iter()
            .flat_map(|(route, stats)| {
                stats
                    .requests
                    .iter()
                    .map(move |(method, status, n)| (method.as_str(), &**route, *status, *n))
            })
            .collect();
        requests.sort_unstable();
        for (method, route, status, n) in requests {
            let _ = writeln!(
                out,
                "reformd_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                label(method),
                label(route)
            );
        }
        out.push_str(
            "# HELP reformd_http_request_duration_seconds HTTP request latency by route.\n",
        );
        out.push_str("# TYPE reformd_http_request_duration_seconds histogram\n");
        let mut latency: Vec<(&str, &Histogram)> = routes
            .iter()
            .map(|(route, stats)| (&**route, &stats.latency))
            .collect();
        latency.sort_unstable_by_key(|(route, _)| *route);
        for (route, h) in latency {
            let route = label(route);
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "reformd_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "reformd_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "reformd_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "reformd_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        drop(routes);
        let gauges = [
            (
                "reformd_events_appended_total",
                "counter",
                "Events appended through this daemon.",
                self.events_appended.load(Ordering::Relaxed),
            ),
            (
                "reformd_writes_total",
                "counter",
                "Write requests that appended to the log.",
                self.writes.load(Ordering::Relaxed),
            ),
            (
                "reformd_log_head_position",
                "gauge",
                "The log's last durable position.",
                head,
            ),
            (
                "reformd_read_model_position",
                "gauge",
                "The last position the read models have applied.",
                read_model_position,
            ),
            (
                "reformd_read_model_lag_events",
                "gauge",
                "Events in the log not yet in the read models.",
                head.saturating_sub(read_model_position),
            ),
        ];
        let anchor = anchor.map(|(position, failures)| {
            [
                (
                    "reformd_anchor_position",
                    "gauge",
                    "The position the anchor file holds.",
                    position,
                ),
                (
                    "reformd_anchor_write_failures_total",
                    "counter",
                    "Writes of the anchor file that failed (each retried with the next head).",
                    failures,
                ),
            ]
        });
        for (name, kind, help, value) in gauges.into_iter().chain(anchor.into_iter().flatten()) {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP reformd_build_info The build that serves: its version and the event payload schema it writes.\n\
             # TYPE reformd_build_info gauge\n\
             reformd_build_info{{version=\"{}\",event_schema=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION"),
            reformlog::SCHEMA_VERSION
        );
        if let Some(stats) = process::ProcessStats::read() {
            stats.render(&mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_per_method_route_and_status_and_rendered_in_order() {
        let m = Metrics::default();
        let ms = Duration::from_millis(1);
        m.observe(&Method::POST, "/v1/commands", 201, ms);
        m.observe(&Method::GET, "/healthz", 200, ms);
        m.observe(&Method::GET, "/healthz", 200, Duration::from_millis(30));
        m.observe(&Method::GET, "/v1/commands", 405, ms);
        m.observe(&Method::POST, "/v1/commands", 201, ms);
        let text = m.render(7, 5, None);
        let requests: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("reformd_http_requests_total{"))
            .collect();
        assert_eq!(
            requests,
            [
                r#"reformd_http_requests_total{method="GET",route="/healthz",status="200"} 2"#,
                r#"reformd_http_requests_total{method="GET",route="/v1/commands",status="405"} 1"#,
                r#"reformd_http_requests_total{method="POST",route="/v1/commands",status="201"} 2"#,
            ]
        );
        let counts: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("reformd_http_request_duration_seconds_count"))
            .collect();
        assert_eq!(
            counts,
            [
                r#"reformd_http_request_duration_seconds_count{route="/healthz"} 2"#,
                r#"reformd_http_request_duration_seconds_count{route="/v1/commands"} 3"#,
            ]
        );
        assert!(text.contains(
            r#"reformd_http_request_duration_seconds_bucket{route="/healthz",le="0.025"} 1"#
        ));
        assert!(text.contains(
            r#"reformd_http_request_duration_seconds_bucket{route="/healthz",le="0.05"} 2"#
        ));
        assert!(text.contains("reformd_read_model_lag_events 2"));
    }
}
