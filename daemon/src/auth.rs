//! Who is calling: the daemon's registry of tokens with constant-time checks, expiry, and
//! revocation seen on the next request; a token's role says what it may do (`role`).
//!
//! Tokens live in `tokens.toml` in the data folder (see `tokens`), not in the store, so that
//! `reformd token create` works while a daemon holds the store's lock; the daemon looks at
//! the file before each check and reloads it when it was replaced.

use std::collections::HashMap;
use std::fmt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::http::{header, HeaderMap};
use time::OffsetDateTime;

use crate::problem::ApiError;
use crate::role::{Permission, Role};
use crate::tokens::{check_private, hash_secret, read_file, TokenError, TOKEN_FILE};
use reformlog_api::ProblemCode;

/// The authenticated caller. Its `principal` is what the log records as the actor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Principal {
    /// `token:<name>`, or `anonymous` for an anonymous read.
    pub principal: String,
    /// The token's role.
    pub role: Role,
}

/// What identifies one version of the token file: an edit renames a new file over it, so
/// its inode changes even when the modification time's granularity would hide the edit.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct FileStamp {
    inode: u64,
    modified_ns: i128,
    len: u64,
}

fn stamp(path: &Path) -> Option<FileStamp> {
    let m = std::fs::metadata(path).ok()?;
    Some(FileStamp {
        inode: m.ino(),
        modified_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        len: m.len(),
    })
}

/// One accepted token as the daemon holds it.
struct Accepted {
    hash: blake3::Hash,
    principal: String,
    role: Role,
    expires: Option<OffsetDateTime>,
    /// Unix seconds of its last accepted use, 0 if none since the daemon started.
    last_used: Arc<AtomicI64>,
}

struct Loaded {
    entries: Vec<Accepted>,
    stamp: Option<FileStamp>,
}

/// The daemon's view of the token file, reloaded when the file changes.
pub(crate) struct TokenRegistry {
    data_dir: PathBuf,
    path: PathBuf,
    anonymous_reads: bool,
    loaded: RwLock<Loaded>,
    /// Last-use counters by token name, kept across reloads.
    usage: Mutex<HashMap<String, Arc<AtomicI64>>>,
    /// The seconds last written to the usage file, by name.
    flushed: Mutex<HashMap<String, i64>>,
}

impl fmt::Debug for TokenRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRegistry")
            .field("path", &self.path)
            .field("anonymous_reads", &self.anonymous_reads)
            .finish_non_exhaustive()
    }
}

impl TokenRegistry {
    /// Opens the registry; refuses a token file that other users may read.
    pub(crate) fn open(data_dir: &Path, anonymous_reads: bool) -> Result<Self, TokenError> {
        let path = data_dir.join(TOKEN_FILE);
        check_private(&path)?;
        let registry = Self {
            data_dir: data_dir.to_path_buf(),
            path,
            anonymous_reads,
            loaded: RwLock::new(Loaded {
                entries: Vec::new(),
                stamp: None,
            }),
            usage: Mutex::new(HashMap::new()),
            flushed: Mutex::new(HashMap::new()),
        };
        let loaded = registry.load()?;
        *registry
            .loaded
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = loaded;
        Ok(registry)
    }

    fn counter(&self, name: &str) -> Arc<AtomicI64> {
        let mut usage = self
            .usage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(usage.entry(name.to_owned()).or_default())
    }

    fn load(&self) -> Result<Loaded, TokenError> {
        let stamp = stamp(&self.path);
        let file = read_file(&self.path)?;
        let entries = file
            .tokens
            .into_iter()
            .filter(|t| !t.revoked)
            .filter_map(|t| {
                let hash = blake3::Hash::from_hex(&t.hash).ok()?;
                Some(Accepted {
                    hash,
                    expires: t.expires(),
                    last_used: self.counter(&t.name),
                    principal: format!("token:{}", t.name),
                    role: t.role,
                })
            })
            .collect();
        Ok(Loaded { entries, stamp })
    }

    /// Reloads the file when it is not the version loaded: one `stat` per request, so a
    /// revocation holds for every request read after `reformd token revoke` returned.
    fn reload_if_changed(&self) {
        let now = stamp(&self.path);
        {
            let l = self
                .loaded
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if l.stamp == now {
                return;
            }
        }
        let mut l = self
            .loaded
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if l.stamp == stamp(&self.path) {
            return;
        }
        match self.load() {
            Ok(new) => *l = new,
            // Keep serving with the last good set; a broken edit must not lock everyone out
            // or let everyone in.
            Err(e) => tracing::error!(error = %e, "token file reload failed"),
        }
    }

    /// Writes the last-use times that changed since the last call to the usage file.
    pub(crate) fn flush_usage(&self) {
        let current: Vec<(String, i64)> = self
            .usage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(name, at)| (name.clone(), at.load(Ordering::Relaxed)))
            .filter(|(_, at)| *at > 0)
            .collect();
        let mut flushed = self
            .flushed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let changed: Vec<(String, i64)> = current
            .into_iter()
            .filter(|(name, at)| flushed.get(name) != Some(at))
            .collect();
        if changed.is_empty() {
            return;
        }
        match crate::tokens::record_usage(&self.data_dir, changed.clone()) {
            Ok(()) => flushed.extend(changed),
            Err(e) => tracing::warn!(error = %e, "could not record token use"),
        }
    }

    /// Who is calling, and whether they may do what the route needs.
    pub(crate) fn authorize(
        &self,
        headers: &HeaderMap,
        needed: Permission,
    ) -> Result<Principal, ApiError> {
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        let Some(value) = values.next() else {
            if self.anonymous_reads && needed == Permission::ReadState {
                return Ok(Principal {
                    principal: "anonymous".into(),
                    role: Role::Viewer,
                });
            }
            return Err(ApiError::unauthorized());
        };
        if values.next().is_some() {
            return Err(ApiError::bad_request(
                ProblemCode::DuplicateAuthorization,
                "send one Authorization header, not several",
            ));
        }
        // The scheme is case-insensitive (RFC 9110, section 11.1).
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, secret)| secret.trim())
            .ok_or_else(ApiError::unauthorized)?;
        self.reload_if_changed();
        let presented = hash_secret(secret);
        let l = self
            .loaded
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Compare against every entry with blake3's constant-time equality, without an early
        // exit, so timing says nothing about which (or whether a) token matched.
        let mut found: Option<&Accepted> = None;
        for entry in &l.entries {
            if entry.hash == presented {
                found = Some(entry);
            }
        }
        let entry = found.ok_or_else(ApiError::token_refused)?;
        let now = OffsetDateTime::now_utc();
        if entry.expires.is_some_and(|e| e <= now) {
            return Err(ApiError::token_expired());
        }
        entry
            .last_used
            .fetch_max(now.unix_timestamp(), Ordering::Relaxed);
        if !entry.role.allows(needed) {
            return Err(ApiError::forbidden(needed.describe()));
        }
        Ok(Principal {
            principal: entry.principal.clone(),
            role: entry.role,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::tokens::{create_token, revoke_token};

    fn bearer(secret: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {secret}").parse().unwrap(),
        );
        h
    }

    #[test]
    fn tokens_authorize_by_role_and_revocation_takes_effect() {
        let dir = tempfile::tempdir().unwrap();
        let editor = create_token(dir.path(), "van-phong", Role::Editor).unwrap();
        let viewer = create_token(dir.path(), "viewer-1", Role::Viewer).unwrap();
        assert!(matches!(
            create_token(dir.path(), "van-phong", Role::Admin),
            Err(TokenError::NameTaken(_))
        ));
        assert!(matches!(
            create_token(dir.path(), "bad name", Role::Admin),
            Err(TokenError::BadName(_))
        ));
        let text = std::fs::read_to_string(dir.path().join(TOKEN_FILE)).unwrap();
        assert!(
            !text.contains(&editor),
            "the secret itself must not be stored"
        );

        let reg = TokenRegistry::open(dir.path(), false).unwrap();
        let p = reg.authorize(&bearer(&editor), Permission::Write).unwrap();
        assert_eq!(p.principal, "token:van-phong");
        assert_eq!(
            reg.authorize(&bearer(&viewer), Permission::Write)
                .unwrap_err()
                .status(),
            axum::http::StatusCode::FORBIDDEN
        );
        assert_eq!(
            reg.authorize(&bearer("rfl_wrong"), Permission::ReadState)
                .unwrap_err()
                .status(),
            axum::http::StatusCode::UNAUTHORIZED
        );
        assert!(reg
            .authorize(&HeaderMap::new(), Permission::ReadState)
            .is_err());

        revoke_token(dir.path(), "van-phong").unwrap();
        let reg = TokenRegistry::open(dir.path(), true).unwrap();
        assert!(reg
            .authorize(&bearer(&editor), Permission::ReadState)
            .is_err());
        // Anonymous reads of state only, when the operator allows them.
        assert!(reg
            .authorize(&HeaderMap::new(), Permission::ReadState)
            .is_ok());
        assert!(reg
            .authorize(&HeaderMap::new(), Permission::ReadAudit)
            .is_err());
    }
}
