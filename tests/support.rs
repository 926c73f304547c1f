//! Helpers shared by the integration tests.

use reformlog_store::{Metadata, NewEvent, Store};
use tempfile::TempDir;

/// A store in a fresh temporary folder; keep the `TempDir` alive as long as the store.
pub(crate) fn temp_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

/// A small event whose payload names `text`.
pub(crate) fn ev(event_type: &str, text: &str) -> NewEvent {
    NewEvent::new(
        event_type,
        1,
        text.as_bytes().to_vec(),
        Metadata::by("editor:test").with_reason("integration test"),
    )
}

/// Opens the sled database underneath a store, waiting while a just-dropped handle still
/// holds the file lock (sled releases it from background threads).
#[allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "tests that damage, downgrade or inspect a store's files underneath it need sled itself"
)]
pub(crate) fn raw_db(dir: &std::path::Path) -> sled::Db {
    let mut tries = 0;
    loop {
        match sled::open(dir) {
            Ok(db) => return db,
            Err(_) if tries < 100 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("cannot open {dir:?}: {e}"),
        }
    }
}

/// A small xorshift generator for seeded, reproducible test choices (variety, not quality).
#[derive(Debug, Clone)]
pub(crate) struct XorShift(u64);

impl XorShift {
    /// A generator from `seed` (any value; zero is replaced, xorshift would stay at zero).
    pub(crate) fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// The next raw value.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `0..n` (`n` > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// A number from the environment variable `var` (decimal or 0x-hex), if set.
pub(crate) fn env_u64(var: &str) -> Option<u64> {
    let v = std::env::var(var).ok()?;
    let v = v.trim();
    let parsed = match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse(),
    };
    Some(parsed.unwrap_or_else(|e| panic!("{var}={v:?} is not a number: {e}")))
}

/// Copies the folder `from` to `to` (created), recursively, files and folders only.
pub(crate) fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The journal segment files of the store in `dir`, oldest first.
pub(crate) fn journal_segments(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = match std::fs::read_dir(dir.join("journal")) {
        Ok(entries) => entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "wal"))
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

/// A 128 MiB tmpfs mounted on a temporary folder (CI runs as root), for disk-full tests;
/// unmounted (lazily) when dropped, however the test ends.
pub(crate) struct Tmpfs {
    dir: TempDir,
}

impl Tmpfs {
    /// Mounts it, or says why it cannot.
    pub(crate) fn mount() -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=128m", "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(Self { dir })
    }

    /// Mounts it; where mounting is not permitted, prints why, for the test to pass by
    /// returning.
    pub(crate) fn mount_or_skip() -> Option<Self> {
        match Self::mount() {
            Ok(fs) => Some(fs),
            Err(reason) => {
                println!("skipped: cannot mount tmpfs: {reason}");
                None
            }
        }
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

fn is_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28)
}

/// Writes a file at `path` until the file system is full; returns its size.
pub(crate) fn fill(path: &std::path::Path) -> u64 {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let mut written = 0u64;
    for chunk in [1usize << 16, 4096, 1] {
        let bytes = vec![0xa5u8; chunk];
        loop {
            match f.write(&bytes) {
                Ok(0) => break,
                Ok(n) => written += n as u64,
                Err(e) if is_full(&e) => break,
                Err(e) => panic!("filling {path:?}: {e}"),
            }
        }
    }
    written
}

/// A reformd child process on 127.0.0.1:0 serving `data`, with `extra` arguments after the
/// folder, and the base URL its first line announces. Standard error is dropped.
pub(crate) fn spawn_reformd(
    data: &std::path::Path,
    extra: &[&str],
) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reformd-under-test"))
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (child, base)
}

/// SIGTERM, so a daemon syncs its store and releases its lock, then waits for it to exit.
pub(crate) fn sigterm(
    child: &mut std::process::Child,
) -> std::io::Result<std::process::ExitStatus> {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    child.wait()
}

/// A schema of its own in the PostgreSQL database `REFORMLOG_POSTGRES_URL` names, dropped at
/// the end, so tests that share the database run in parallel.
pub(crate) struct PgSchema {
    base: String,
    name: String,
}

impl PgSchema {
    /// `None` (after saying why) when no database is configured and none is required
    /// (`REFORMLOG_REQUIRE_POSTGRES=1` makes a missing one fail the test).
    pub(crate) fn new() -> Option<Self> {
        let Ok(base) = std::env::var("REFORMLOG_POSTGRES_URL") else {
            assert!(
                std::env::var("REFORMLOG_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "REFORMLOG_REQUIRE_POSTGRES=1 but REFORMLOG_POSTGRES_URL is not set"
            );
            eprintln!("skipped: REFORMLOG_POSTGRES_URL is not set");
            return None;
        };
        let name = format!("reformlog_it_{}", uuid::Uuid::now_v7().simple());
        let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
        admin
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .unwrap();
        Some(Self { base, name })
    }

    /// A URL for the schema alone: the base URL with its `search_path` set through
    /// `options`, as an operator keeping the log in a schema of its own would write it.
    pub(crate) fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{}", self.base, self.name)
    }

    /// Runs `sql` in the schema.
    pub(crate) fn sql(&self, sql: &str) {
        let mut client = postgres::Client::connect(&self.url(), postgres::NoTls).unwrap();
        client.batch_execute(sql).unwrap();
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.base, postgres::NoTls) {
            // Best effort: a schema left behind only costs space in a throwaway database.
            let _ = admin.batch_execute(&format!("DROP SCHEMA {} CASCADE", self.name));
        }
    }
}
