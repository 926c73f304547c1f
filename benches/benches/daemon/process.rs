//! The daemon as a child process: started on the data folder, its resident memory and CPU
//! time read from `/proc`, stopped when dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Res, SERVE_ENV};

/// VmRSS and VmHWM (peak) of a process, in bytes, and its thread count.
#[derive(Clone, Copy)]
pub(crate) struct Memory {
    pub(crate) rss: u64,
    pub(crate) peak: u64,
    pub(crate) threads: u64,
}

fn memory_of(pid: u32) -> Res<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |key: &str| -> Res<u64> {
        let line = status
            .lines()
            .find(|l| l.starts_with(key))
            .ok_or_else(|| format!("no {key} in /proc/{pid}/status"))?;
        Ok(line[key.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()?)
    };
    Ok(Memory {
        rss: field("VmRSS:")? * 1024,
        peak: field("VmHWM:")? * 1024,
        threads: field("Threads:")?,
    })
}

/// User plus system CPU time a process has used (all its threads), so a phase can say how the
/// two shared cores were split between the daemon and the load generator.
pub(crate) fn cpu_of(pid: &str, ticks_per_s: f64) -> Res<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("malformed stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11).ok_or("no utime")?.parse()?;
    let stime: f64 = fields.get(12).ok_or("no stime")?.parse()?;
    Ok(Duration::from_secs_f64((utime + stime) / ticks_per_s))
}

pub(crate) fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// A daemon serving the data folder on an ephemeral loopback port, stopped on drop.
pub(crate) struct Daemon {
    pub(crate) child: Child,
    pub(crate) base: String,
    /// Held open so the child never writes to a closed pipe.
    pub(crate) _stdout: BufReader<ChildStdout>,
}

impl Daemon {
    pub(crate) fn start(exe: &Path, reexec: bool, data_dir: &Path) -> Res<Daemon> {
        let mut cmd = Command::new(exe);
        if reexec {
            cmd.env(SERVE_ENV, "1");
        }
        if std::env::var_os("RUST_LOG").is_none() {
            // Startup lines only would interleave with the report; warnings still show.
            cmd.env("RUST_LOG", "warn");
        }
        let mut child = cmd
            .args(["serve", "--bind", "127.0.0.1:0", "--demo", "--data-dir"])
            .arg(data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("the daemon did not start: {line:?}"))?
            .to_string();
        if !base.starts_with("http://127.0.0.1:") {
            return Err(format!("the daemon is not on loopback: {base}").into());
        }
        Ok(Daemon {
            child,
            base,
            _stdout: stdout,
        })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn memory(&self) -> Res<Memory> {
        memory_of(self.pid())
    }

    /// SIGTERM (a graceful stop that syncs the store), then SIGKILL if it takes too long.
    pub(crate) fn stop(mut self) -> Res<()> {
        Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                if !status.success() {
                    return Err(format!("the daemon exited with {status}").into());
                }
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err("the daemon did not stop within 60 s of SIGTERM".into())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // Only does something when `stop` was not reached (an error or a panic).
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
