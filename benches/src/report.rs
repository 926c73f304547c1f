//! Measuring and reporting: environment settings, CPU time, percentiles and medians, the
//! targets, the report table, sizes on disk.

use std::fmt::Write as _;
use std::path::Path;

/// A whole number from the environment variable `name`, if set and valid.
pub fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// CPU seconds (user and system) this process has used so far, over all its threads, from
/// `/proc/self/stat` in clock ticks of 1/100 s (Linux's `USER_HZ` on the machines measured);
/// `None` where that file is missing or unreadable.
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    // utime and stime are the 14th and 15th fields of the line, 12th and 13th after ')'.
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

/// The `p` quantile (0 to 1, nearest rank) of durations sorted ascending; zero when empty.
pub fn percentile(sorted: &[std::time::Duration], p: f64) -> std::time::Duration {
    if sorted.is_empty() {
        return std::time::Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The median of `xs` (mean of the middle two for an even count); 0 for none.
pub fn median(xs: &[f64]) -> f64 {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Which side of the target a ratio must fall on.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// The ratio must be at least this.
    AtLeast(f64),
    /// The ratio must be at most this.
    AtMost(f64),
    /// No target: a figure shown to explain the others.
    Info,
}

impl Target {
    fn verdict(self, ratio: f64) -> &'static str {
        match self {
            Target::AtLeast(t) if ratio >= t => "PASS",
            Target::AtMost(t) if ratio <= t => "PASS",
            Target::Info => "info",
            _ => "FAIL",
        }
    }

    fn describe(self) -> String {
        match self {
            Target::AtLeast(t) => format!(">= {t}"),
            Target::AtMost(t) => format!("<= {t}"),
            Target::Info => "-".into(),
        }
    }
}

/// One line of the report: a subject and its baseline, each measured once per repetition.
#[derive(Debug)]
pub struct Row {
    /// P1, P2, ... or D1, D2, ... for diagnostics.
    pub id: &'static str,
    /// What the subject is.
    pub subject: String,
    /// What the baseline is.
    pub baseline: String,
    /// The unit of both figures.
    pub unit: &'static str,
    /// The subject's figure in each repetition.
    pub subject_runs: Vec<f64>,
    /// The baseline's figure in each repetition.
    pub baseline_runs: Vec<f64>,
    /// The target for median(subject) / median(baseline).
    pub target: Target,
}

impl Row {
    /// median(subject) / median(baseline).
    pub fn ratio(&self) -> f64 {
        median(&self.subject_runs) / median(&self.baseline_runs)
    }

    /// "PASS", "FAIL" or "info".
    pub fn verdict(&self) -> &'static str {
        self.target.verdict(self.ratio())
    }
}

/// A figure with thousands separators or a few significant decimals.
pub fn fmt_num(x: f64) -> String {
    if x.abs() >= 1000.0 {
        let whole = x.round() as i64;
        let digits = whole.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if whole < 0 {
            out.insert(0, '-');
        }
        out
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// The report as a Markdown table, then each row's per-repetition figures.
pub fn render(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str("| id | subject | baseline | unit | subject (median) | baseline (median) | ratio | target | verdict |\n");
    out.push_str("| --- | --- | --- | --- | ---: | ---: | ---: | --- | --- |\n");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.3} | {} | {} |",
            r.id,
            r.subject,
            r.baseline,
            r.unit,
            fmt_num(median(&r.subject_runs)),
            fmt_num(median(&r.baseline_runs)),
            r.ratio(),
            r.target.describe(),
            r.verdict()
        );
    }
    out.push_str("\nPer repetition (subject / baseline = ratio):\n");
    for r in rows {
        let runs: Vec<String> = r
            .subject_runs
            .iter()
            .zip(&r.baseline_runs)
            .map(|(s, b)| format!("{} / {} = {:.3}", fmt_num(*s), fmt_num(*b), s / b))
            .collect();
        let _ = writeln!(out, "  {}: {}", r.id, runs.join("; "));
    }
    out
}

/// (apparent bytes, allocated bytes) of every file under `dir`.
pub fn dir_size(dir: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let mut apparent = 0;
    let mut allocated = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            let (a, b) = dir_size(&entry.path())?;
            apparent += a;
            allocated += b;
        } else {
            apparent += meta.len();
            allocated += meta.blocks() * 512;
        }
    }
    Ok((apparent, allocated))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }
}
