//! The token file: entries (hashes only) with expiry, edited under a file lock with unique
//! temporary files and owner-only modes, and the daemon's record of when each was last used.
//!
//! `reformd token create` and `revoke` may run while a daemon serves and while other edits
//! run: each edit takes an exclusive `flock` on `tokens.lock`, reads, writes a temporary file
//! of its own, syncs it, renames it over `tokens.toml` and syncs the folder, so an edit that
//! reports success is in the file and no edit overwrites another's.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::role::Role;

/// The file that holds token hashes, inside the data folder.
pub const TOKEN_FILE: &str = "tokens.toml";
/// The lock every edit of the token file holds.
const LOCK_FILE: &str = "tokens.lock";
/// When each token was last used, written by the daemon.
const USAGE_FILE: &str = "tokens-used.toml";
const TOKEN_PREFIX: &str = "rfl_";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct TokenEntry {
    pub(crate) name: String,
    pub(crate) role: Role,
    /// BLAKE3 of the secret, hex.
    pub(crate) hash: String,
    pub(crate) created_at: String,
    #[serde(default)]
    pub(crate) revoked: bool,
    /// RFC 3339; the token is refused from this instant on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<String>,
}

impl TokenEntry {
    pub(crate) fn expires(&self) -> Option<OffsetDateTime> {
        self.expires_at
            .as_deref()
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct TokenFile {
    #[serde(default, rename = "token")]
    pub(crate) tokens: Vec<TokenEntry>,
}

/// When each token was last seen by the daemon: name to RFC 3339 time.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct UsageFile {
    #[serde(default)]
    last_used: std::collections::BTreeMap<String, String>,
}

/// A token as listed (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// The token's name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// Whether it was revoked.
    pub revoked: bool,
    /// When it stops being accepted (RFC 3339), if ever.
    pub expires_at: Option<String>,
    /// Whether it has expired by now.
    pub expired: bool,
    /// When a daemon last accepted it (RFC 3339, to within the daemon's flush interval).
    pub last_used: Option<String>,
}

/// Errors of the token file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The file could not be read or written.
    #[error("token file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("token file {path} is malformed: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// Other users may read the token file: its hashes would let them guess offline.
    #[error(
        "token file {path} is readable by other users (mode {mode:04o}); make it private with: chmod 600 {path}"
    )]
    ReadableByOthers {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A token with this name exists already.
    #[error("a token named {0:?} exists already")]
    NameTaken(String),
    /// No token has this name.
    #[error("no token named {0:?}")]
    NoSuchToken(String),
    /// The name is empty or has characters other than letters, digits, `-`, `_`, `.`.
    #[error("token names use letters, digits, '-', '_' and '.' (1 to 64 characters): {0:?}")]
    BadName(String),
    /// `--expires` is not a date, an RFC 3339 time or a duration, or is not in the future.
    #[error("bad expiry {0:?}: give a date (YYYY-MM-DD, valid through that day in UTC), an RFC 3339 time, or a duration such as 90d or 12h, in the future")]
    BadExpiry(String),
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> TokenError + '_ {
    move |source| TokenError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates `dir` (and its parents) owner-only when it does not exist.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

pub(crate) fn read_file(path: &Path) -> Result<TokenFile, TokenError> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| TokenError::Malformed {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TokenFile::default()),
        Err(source) => Err(TokenError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Refuses a token file that users other than its owner may read.
pub(crate) fn check_private(path: &Path) -> Result<(), TokenError> {
    match std::fs::metadata(path) {
        Ok(m) if m.permissions().mode() & 0o077 != 0 => Err(TokenError::ReadableByOthers {
            path: path.to_path_buf(),
            mode: m.permissions().mode() & 0o7777,
        }),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(TokenError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes `text` to `path` through a temporary file of this call's own, synced, renamed over
/// `path`, then the folder synced: a crash leaves the old file or the new one, never half,
/// and the rename is durable once this returns.
fn replace_file(path: &Path, text: &str) -> Result<(), TokenError> {
    let io = io_error(path);
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let written = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(io)
}

/// Runs `edit` on the token file of `data_dir` under the edit lock, and writes the result.
fn edit<T>(
    data_dir: &Path,
    edit: impl FnOnce(&mut TokenFile) -> Result<T, TokenError>,
) -> Result<T, TokenError> {
    create_private_dir(data_dir).map_err(io_error(data_dir))?;
    let lock_path = data_dir.join(LOCK_FILE);
    let lock = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&lock_path)
        .map_err(io_error(&lock_path))?;
    // Held until `lock` is dropped at the end of this function (the kernel also releases it
    // if the process dies), so edits run one at a time across processes.
    rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| io_error(&lock_path)(e.into()))?;
    let path = data_dir.join(TOKEN_FILE);
    let mut file = read_file(&path)?;
    let out = edit(&mut file)?;
    let text = toml::to_string(&file).map_err(|e| TokenError::Malformed {
        path: path.clone(),
        message: e.to_string(),
    })?;
    replace_file(&path, &text)?;
    drop(lock);
    Ok(out)
}

pub(crate) fn hash_secret(secret: &str) -> blake3::Hash {
    blake3::hash(secret.as_bytes())
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The instant `spec` names, after `now`: a date (valid through that day, UTC), an RFC 3339
/// time, or a duration in days (`90d`), hours (`12h`) or minutes (`30m`).
pub fn parse_expiry(spec: &str, now: OffsetDateTime) -> Result<OffsetDateTime, TokenError> {
    let bad = || TokenError::BadExpiry(spec.to_string());
    let s = spec.trim();
    let at = if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        t
    } else if let Ok(d) = time::Date::parse(
        s,
        &time::macros::format_description!("[year]-[month]-[day]"),
    ) {
        d.next_day().ok_or_else(bad)?.midnight().assume_utc()
    } else {
        let (number, unit) = s.split_at(s.len().saturating_sub(1));
        let n: i64 = number.parse().map_err(|_| bad())?;
        let span = match unit {
            "d" => time::Duration::days(n),
            "h" => time::Duration::hours(n),
            "m" => time::Duration::minutes(n),
            _ => return Err(bad()),
        };
        now.checked_add(span).ok_or_else(bad)?
    };
    if at <= now {
        return Err(bad());
    }
    Ok(at.to_offset(time::UtcOffset::UTC))
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Creates a token and returns its secret, which is shown once and stored only as a hash.
pub fn create_token(data_dir: &Path, name: &str, role: Role) -> Result<String, TokenError> {
    create_token_expiring(data_dir, name, role, None)
}

/// [`create_token`] with an instant from which the token is refused.
pub fn create_token_expiring(
    data_dir: &Path,
    name: &str,
    role: Role,
    expires_at: Option<OffsetDateTime>,
) -> Result<String, TokenError> {
    if !valid_name(name) {
        return Err(TokenError::BadName(name.to_string()));
    }
    // 244 random bits from two v4 UUIDs (the OS generator underneath).
    let secret = format!(
        "{TOKEN_PREFIX}{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let entry = TokenEntry {
        name: name.to_string(),
        role,
        hash: hash_secret(&secret).to_hex().to_string(),
        created_at: rfc3339(OffsetDateTime::now_utc()),
        revoked: false,
        expires_at: expires_at.map(rfc3339),
    };
    edit(data_dir, |file| {
        if file.tokens.iter().any(|t| t.name == name) {
            return Err(TokenError::NameTaken(name.to_string()));
        }
        file.tokens.push(entry);
        Ok(())
    })?;
    Ok(secret)
}

/// Revokes a token by name. Once this returns, the daemon refuses the token on every request
/// it reads after that (it looks at the file before each check).
pub fn revoke_token(data_dir: &Path, name: &str) -> Result<(), TokenError> {
    edit(data_dir, |file| {
        let entry = file
            .tokens
            .iter_mut()
            .find(|t| t.name == name)
            .ok_or_else(|| TokenError::NoSuchToken(name.to_string()))?;
        entry.revoked = true;
        Ok(())
    })
}

/// Lists tokens (names, roles, expiry and last use; never secrets).
pub fn list_tokens(data_dir: &Path) -> Result<Vec<TokenInfo>, TokenError> {
    let usage = read_usage(data_dir);
    let now = OffsetDateTime::now_utc();
    Ok(read_file(&data_dir.join(TOKEN_FILE))?
        .tokens
        .into_iter()
        .map(|t| TokenInfo {
            expired: t.expires().is_some_and(|e| e <= now),
            last_used: usage.last_used.get(&t.name).cloned(),
            name: t.name,
            role: t.role,
            created_at: t.created_at,
            revoked: t.revoked,
            expires_at: t.expires_at,
        })
        .collect())
}

fn read_usage(data_dir: &Path) -> UsageFile {
    std::fs::read_to_string(data_dir.join(USAGE_FILE))
        .ok()
        .and_then(|text| toml::from_str(&text).ok())
        .unwrap_or_default()
}

/// Merges `seen` (name to unix seconds) into the usage file, keeping the later time of each.
pub(crate) fn record_usage(
    data_dir: &Path,
    seen: impl IntoIterator<Item = (String, i64)>,
) -> Result<(), TokenError> {
    let mut usage = read_usage(data_dir);
    for (name, secs) in seen {
        let Ok(at) = OffsetDateTime::from_unix_timestamp(secs) else {
            continue;
        };
        let later = usage
            .last_used
            .get(&name)
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
            .is_none_or(|old| old < at);
        if later {
            usage.last_used.insert(name, rfc3339(at));
        }
    }
    let path = data_dir.join(USAGE_FILE);
    let text = toml::to_string(&usage).map_err(|e| TokenError::Malformed {
        path: path.clone(),
        message: e.to_string(),
    })?;
    replace_file(&path, &text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn expiry_takes_dates_times_and_durations_and_refuses_the_past() {
        let now = OffsetDateTime::parse("2026-12-01T10:00:00Z", &Rfc3339).unwrap();
        let at = |s: &str| rfc3339(parse_expiry(s, now).unwrap());
        assert_eq!(at("2027-06-30"), "2027-07-01T00:00:00Z");
        assert_eq!(at("90d"), "2027-03-01T10:00:00Z");
        assert_eq!(at("12h"), "2026-12-01T22:00:00Z");
        assert_eq!(at("2026-12-02T10:30:00+07:00"), "2026-12-02T03:30:00Z");
        for bad in [
            "2026-11-30",
            "-1d",
            "0d",
            "tomorrow",
            "5w",
            "",
            "2026-12-01T10:30:00+07:00",
        ] {
            assert!(parse_expiry(bad, now).is_err(), "{bad:?} is refused");
        }
    }

    #[test]
    fn edits_write_owner_only_files_and_leave_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        create_token(&data, "editor-1", Role::Editor).unwrap();
        revoke_token(&data, "editor-1").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join(TOKEN_FILE)), 0o600);
        let names: Vec<_> = std::fs::read_dir(&data)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
        check_private(&data.join(TOKEN_FILE)).unwrap();
        std::fs::set_permissions(
            data.join(TOKEN_FILE),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let err = check_private(&data.join(TOKEN_FILE)).unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
    }

    #[test]
    fn concurrent_edits_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_path_buf();
        create_token(&data, "viewer-0", Role::Viewer).unwrap();
        let threads: Vec<_> = (1..=8)
            .map(|i| {
                let data = data.clone();
                std::thread::spawn(move || {
                    create_token(&data, &format!("viewer-{i}"), Role::Viewer).unwrap()
                })
            })
            .collect();
        revoke_token(&data, "viewer-0").unwrap();
        for t in threads {
            t.join().unwrap();
        }
        let listed = list_tokens(&data).unwrap();
        assert_eq!(listed.len(), 9);
        assert!(listed.iter().any(|t| t.name == "viewer-0" && t.revoked));
    }
}
