//! What the bench prints: durations, sizes, verdicts and each phase described.

use std::time::Duration;

use super::load::Phase;
use super::MIB;

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

pub(crate) fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / MIB)
}

pub(crate) fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

pub(crate) fn describe(name: &str, p: &Phase, clients: usize) {
    println!(
        "  {name}: {:.0} req/s ({} ok, {} errors in {:.2} s, {clients} connections); p50 {}, p99 {}, max {}",
        p.rate(),
        p.ok,
        p.errors,
        p.elapsed.as_secs_f64(),
        ms(p.p(0.5)),
        ms(p.p(0.99)),
        ms(p.p(1.0)),
    );
    println!(
        "    CPU: daemon {:.2} s ({:.0} µs per request), load generator {:.2} s",
        p.server_cpu.as_secs_f64(),
        p.server_cpu_per_request().as_secs_f64() * 1e6,
        p.client_cpu.as_secs_f64(),
    );
    if let Some(e) = &p.first_error {
        println!("    first error: {e}");
    }
}
