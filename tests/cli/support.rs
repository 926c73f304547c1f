//! A real reformd child process on 127.0.0.1:0 and reformctl run as a process against it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

/// The seed case file.
pub(crate) fn seed_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/seed-decision-34.toml")
}

/// A copy of the store fixture `name` (e.g. `store-v3`) as the store of a new data folder
/// under `root`; returns the data folder. A copy, because opening a store may write to it.
pub(crate) fn fixture_data_dir(root: &Path, name: &str) -> PathBuf {
    let data = root.join("data");
    crate::support::copy_dir(&fixtures().join(name), &data.join("store"));
    data
}

/// The committed test fixtures.
pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A reformd process serving a data folder until dropped (SIGTERM: graceful, store synced).
pub(crate) struct Daemon {
    pub(crate) base: String,
    pub(crate) token: String,
    child: Option<Child>,
}

impl Daemon {
    /// Starts a daemon on `dir`, creating an admin token named `clerk` unless one was made.
    pub(crate) fn start(dir: &Path) -> Self {
        let token_file = dir.join("clerk.token");
        let token = match std::fs::read_to_string(&token_file) {
            Ok(t) => t.trim().to_string(),
            Err(_) => {
                std::fs::create_dir_all(dir).unwrap();
                let t = reformd::create_token(dir, "clerk", reformd::Role::Admin).unwrap();
                std::fs::write(&token_file, &t).unwrap();
                t
            }
        };
        let (child, base) = crate::support::spawn_reformd(dir, &[]);
        Self {
            base,
            token,
            child: Some(child),
        }
    }

    /// A token of another role for this daemon's data folder.
    pub(crate) fn token_for(dir: &Path, name: &str, role: reformd::Role) -> String {
        reformd::create_token(dir, name, role).unwrap()
    }

    /// Stops the daemon gracefully and waits for it to exit, releasing the store.
    pub(crate) fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = crate::support::sigterm(&mut child);
        }
    }

    /// Imports the seed case and the 2021 plans citing it, as one import.
    pub(crate) fn import_seed_and_plans(&self) {
        let plans = seed_file().with_file_name("seed-plans-2021.toml");
        self.ok(&[
            "import",
            seed_file().to_str().unwrap(),
            plans.to_str().unwrap(),
        ]);
    }

    /// Runs reformctl against this daemon with its admin token.
    pub(crate) fn ctl(&self, args: &[&str]) -> Output {
        ctl_as(&self.base, &self.token, args)
    }

    /// Runs reformctl and insists on success; returns standard output.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        ok(self.ctl(args), args)
    }

    /// Runs `reformctl args`, which must succeed and print every one of `parts`.
    pub(crate) fn ok_showing(&self, args: &[&str], parts: &[&str]) -> String {
        let out = self.ok(args);
        assert_contains(&out, parts);
        out
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// Runs reformctl with a URL and token from the environment (as a script would).
pub(crate) fn ctl_as(base: &str, token: &str, args: &[&str]) -> Output {
    ctl_with(base, Some(token), args, &[])
}

/// Runs reformctl against `base` with `token` (none: no token at all) and the variables
/// `env` set on top of a clean environment: no terminal width (`COLUMNS`) or log filter
/// (`RUST_LOG`) leaks in from the one the tests run in.
pub(crate) fn ctl_with(
    base: &str,
    token: Option<&str>,
    args: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_reformctl-under-test"));
    cmd.args(args)
        .arg("--quiet")
        .env("REFORMCTL_URL", base)
        .env_remove("REFORMCTL_TOKEN")
        .env_remove("REFORMCTL_CONFIG")
        .env_remove("REFORMD_DATA_DIR")
        .env_remove("COLUMNS")
        .env_remove("RUST_LOG")
        .env("XDG_CONFIG_HOME", "/nonexistent");
    if let Some(token) = token {
        cmd.env("REFORMCTL_TOKEN", token);
    }
    cmd.envs(env.iter().copied()).output().unwrap()
}

/// Runs reformctl with no daemon (offline commands).
pub(crate) fn ctl_offline(args: &[&str]) -> Output {
    ctl_as("http://127.0.0.1:9", "", args)
}

/// Standard output of a successful run; panics with standard error otherwise.
pub(crate) fn ok(out: Output, args: &[&str]) -> String {
    assert!(
        out.status.success(),
        "reformctl {args:?} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The composition answer (without the read-model position, which differs between logs).
pub(crate) fn composition(d: &Daemon, on: &str) -> serde_json::Value {
    let text = d.ok(&[
        "--json",
        "committee",
        "show",
        "bcd-cchc-bo-tttt",
        "--on",
        on,
    ]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["answer"].clone()
}

/// Standard error as text.
pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The exit code, in the type reformctl documents them in.
pub(crate) fn code(out: &Output) -> Option<u8> {
    out.status.code().and_then(|c| u8::try_from(c).ok())
}

/// Standard error of a run that exited with `want`; panics with it otherwise.
pub(crate) fn failed_with(out: &Output, want: u8) -> String {
    let err = stderr(out);
    assert_eq!(code(out), Some(want), "{err}");
    err
}

/// `reformctl verify --offline` on the stopped store of `data`, against the kept head digest
/// (or file) `kept`.
pub(crate) fn verify_offline_against(data: &str, kept: &str) -> Output {
    ctl_offline(&[
        "verify",
        "--offline",
        "--data-dir",
        data,
        "--expect-head",
        kept,
    ])
}

/// Asserts that `text` holds every one of `parts`, showing it when one is missing.
pub(crate) fn assert_contains(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part:?} missing from: {text}");
    }
}

/// The year-end report of Vụ Tổ chức cán bộ for 2021 as CSV.
pub(crate) const UNIT_REPORT_CSV: [&str; 6] = [
    "report",
    "--unit",
    "vu-to-chuc-can-bo",
    "--on",
    "2021-12-31",
    "--csv",
];

/// The lines of CSV output `text` (its byte-order mark taken off), which must be `header`
/// and `rows` more.
pub(crate) fn csv_table<'a>(text: &'a str, header: &str, rows: usize) -> Vec<&'a str> {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], header);
    assert_eq!(lines.len(), 1 + rows, "{text}");
    lines
}

/// CSV output without the byte-order mark it must start with.
pub(crate) fn csv_body(out: &str) -> &str {
    out.strip_prefix('\u{feff}')
        .expect("a byte-order mark first")
}
