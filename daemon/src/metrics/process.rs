//! The process's own gauges, under the names every Prometheus client library exports them by
//! (`process_cpu_seconds_total`, `process_resident_memory_bytes`, …), read from `/proc` at
//! scrape time; where there is no `/proc` they are left out rather than made up.

use std::fmt::Write as _;

/// The process's figures at one moment.
#[derive(Debug, PartialEq)]
pub(crate) struct ProcessStats {
    cpu_seconds: f64,
    resident_bytes: u64,
    virtual_bytes: u64,
    start_time_seconds: f64,
    open_fds: u64,
    max_fds: Option<u64>,
}

impl ProcessStats {
    /// Reads `/proc/self`; `None` where the figures cannot be read.
    pub(crate) fn read() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let boot = std::fs::read_to_string("/proc/stat").ok()?;
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
        let ticks = rustix::param::clock_ticks_per_second();
        let page = rustix::param::page_size() as u64;
        let max_fds = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
        Self::parse(&stat, &boot, ticks, page, open_fds, max_fds)
    }

    /// The figures from the texts of `/proc/self/stat` and `/proc/stat`.
    fn parse(
        stat: &str,
        boot: &str,
        ticks: u64,
        page: u64,
        open_fds: u64,
        max_fds: Option<u64>,
    ) -> Option<Self> {
        // The command name is in parentheses and may hold spaces and parentheses itself: the
        // fields that follow start after the last `)`.
        let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
        // proc(5) numbers the fields from 1 with the state third, the first after the name.
        let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
        let btime: u64 = boot
            .lines()
            .find_map(|l| l.strip_prefix("btime "))?
            .trim()
            .parse()
            .ok()?;
        if ticks == 0 {
            return None;
        }
        let per_tick = 1.0 / ticks as f64;
        Some(Self {
            cpu_seconds: (field(14)? + field(15)?) as f64 * per_tick,
            start_time_seconds: btime as f64 + field(22)? as f64 * per_tick,
            virtual_bytes: field(23)?,
            resident_bytes: field(24)?.saturating_mul(page),
            open_fds,
            max_fds,
        })
    }

    /// The figures in the text format.
    pub(crate) fn render(&self, out: &mut String) {
        let mut gauge = |name: &str, kind: &str, help: &str, value: String| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        gauge(
            "process_cpu_seconds_total",
            "counter",
            "User and system CPU time spent, in seconds.",
            self.cpu_seconds.to_string(),
        );
        gauge(
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory size in bytes.",
            self.resident_bytes.to_string(),
        );
        gauge(
            "process_virtual_memory_bytes",
            "gauge",
            "Virtual memory size in bytes.",
            self.virtual_bytes.to_string(),
        );
        gauge(
            "process_start_time_seconds",
            "gauge",
            "Start time of the process since the Unix epoch, in seconds.",
            self.start_time_seconds.to_string(),
        );
        gauge(
            "process_open_fds",
            "gauge",
            "Open file descriptors.",
            self.open_fds.to_string(),
        );
        if let Some(max) = self.max_fds {
            gauge(
                "process_max_fds",
                "gauge",
                "The limit on open file descriptors.",
                max.to_string(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A real line's shape, with a command name that holds a space and a parenthesis.
    const STAT: &str =
        "4242 (reformd (x) y) S 1 4242 4242 0 -1 4194560 1500 0 0 0 250 50 0 0 20 0 \
                        9 0 123400 73728000 2048 18446744073709551615 1 1 0 0 0 0 0 4096 17415 0 \
                        0 0 17 1 0 0 0 0 0";
    const BOOT: &str = "cpu  1 2 3 4\nintr 0\nctxt 9\nbtime 1764547200\nprocesses 10\n";

    #[test]
    fn the_stat_line_is_read_past_a_name_with_spaces_and_parentheses() {
        let s = ProcessStats::parse(STAT, BOOT, 100, 4096, 12, Some(1024)).expect("a whole line");
        assert_eq!(
            s,
            ProcessStats {
                cpu_seconds: 3.0,
                resident_bytes: 2048 * 4096,
                virtual_bytes: 73_728_000,
                start_time_seconds: 1_764_547_200.0 + 1234.0,
                open_fds: 12,
                max_fds: Some(1024),
            }
        );
        let mut text = String::new();
        s.render(&mut text);
        assert!(text.contains("\nprocess_cpu_seconds_total 3\n"), "{text}");
        assert!(text.contains("\nprocess_max_fds 1024\n"), "{text}");
    }

    #[test]
    fn a_short_or_strange_line_reads_as_nothing() {
        assert!(ProcessStats::parse("4242 (reformd) S 1 2", BOOT, 100, 4096, 1, None).is_none());
        assert!(ProcessStats::parse("no parenthesis", BOOT, 100, 4096, 1, None).is_none());
        assert!(ProcessStats::parse(STAT, "cpu 1\n", 100, 4096, 1, None).is_none());
        assert!(ProcessStats::parse(STAT, BOOT, 0, 4096, 1, None).is_none());
    }

    #[test]
    fn this_process_reads_its_own_figures() {
        let s = ProcessStats::read().expect("a Linux /proc");
        assert!(s.resident_bytes > 0 && s.virtual_bytes >= s.resident_bytes);
        assert!(s.open_fds >= 3);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs_f64();
        assert!(s.start_time_seconds <= now + 1.0 && s.start_time_seconds > now - 86_400.0);
    }
}
