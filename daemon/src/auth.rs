//! Bearer tokens with roles: the token file (hashes only), constant-time checks, permissions.
//!
//! Tokens live in `tokens.toml` in the data folder, not in the store, so that
//! `reformd token create` works while a daemon holds the store's lock; the daemon notices a
//! changed file and reloads it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::{Duration, Instant, SystemTime};

use axum::http::{header, HeaderMap};
use serde::{Deserialize, Serialize};

use crate::problem::ApiError;

/// The file that holds token hashes, inside the data folder.
pub const TOKEN_FILE: &str = "tokens.toml";
const TOKEN_PREFIX: &str = "rfl_";
/// How often the daemon looks at the token file's modification time.
const RELOAD_CHECK: Duration = Duration::from_secs(1);

/// What a token may do.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads of current and historical state.
    Viewer,
    /// Reads of state, the audit trail (entity history, changes by actor) and the event log.
    Auditor,
    /// Reads of state and writes.
    Editor,
    /// Everything, including integrity verification.
    Admin,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Viewer => "viewer",
            Role::Auditor => "auditor",
            Role::Editor => "editor",
            Role::Admin => "admin",
        })
    }
}

/// What a route needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Permission {
    ReadState,
    ReadAudit,
    Write,
    Administer,
}

impl Permission {
    fn describe(self) -> &'static str {
        match self {
            Permission::ReadState => "reading state",
            Permission::ReadAudit => "reading the audit trail",
            Permission::Write => "writing",
            Permission::Administer => "administration",
        }
    }
}

impl Role {
    fn allows(self, p: Permission) -> bool {
        match p {
            Permission::ReadState => true,
            Permission::ReadAudit => matches!(self, Role::Auditor | Role::Admin),
            Permission::Write => matches!(self, Role::Editor | Role::Admin),
            Permission::Administer => self == Role::Admin,
        }
    }
}

/// The authenticated caller. Its `principal` is what the log records as the actor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Principal {
    /// `token:<name>`, or `anonymous` for an anonymous read.
    pub principal: String,
    /// The token's role.
    pub role: Role,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
struct TokenEntry {
    name: String,
    role: Role,
    /// BLAKE3 of the secret, hex.
    hash: String,
    created_at: String,
    #[serde(default)]
    revoked: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct TokenFile {
    #[serde(default, rename = "token")]
    tokens: Vec<TokenEntry>,
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
    /// A token with this name exists already.
    #[error("a token named {0:?} exists already")]
    NameTaken(String),
    /// No token has this name.
    #[error("no token named {0:?}")]
    NoSuchToken(String),
    /// The name is empty or has characters other than letters, digits, `-`, `_`, `.`.
    #[error("token names use letters, digits, '-', '_' and '.' (1 to 64 characters): {0:?}")]
    BadName(String),
}

fn read_file(path: &Path) -> Result<TokenFile, TokenError> {
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

fn write_file(path: &Path, file: &TokenFile) -> Result<(), TokenError> {
    let io = |source| TokenError::Io {
        path: path.to_path_buf(),
        source,
    };
    let text = toml::to_string(file).map_err(|e| TokenError::Malformed {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    // Write beside, sync, rename: a crash leaves the old file or the new one, never half.
    let tmp = path.with_extension("toml.tmp");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(text.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(())
}

fn hash_secret(secret: &str) -> blake3::Hash {
    blake3::hash(secret.as_bytes())
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Creates a token and returns its secret, which is shown once and stored only as a hash.
pub fn create_token(data_dir: &Path, name: &str, role: Role) -> Result<String, TokenError> {
    if !valid_name(name) {
        return Err(TokenError::BadName(name.to_string()));
    }
    let path = data_dir.join(TOKEN_FILE);
    let mut file = read_file(&path)?;
    if file.tokens.iter().any(|t| t.name == name) {
        return Err(TokenError::NameTaken(name.to_string()));
    }
    // 244 random bits from two v4 UUIDs (the OS generator underneath).
    let secret = format!(
        "{TOKEN_PREFIX}{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let created_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    file.tokens.push(TokenEntry {
        name: name.to_string(),
        role,
        hash: hash_secret(&secret).to_hex().to_string(),
        created_at,
        revoked: false,
    });
    write_file(&path, &file)?;
    Ok(secret)
}

/// Revokes a token by name; the daemon refuses it from its next reload (within a second).
pub fn revoke_token(data_dir: &Path, name: &str) -> Result<(), TokenError> {
    let path = data_dir.join(TOKEN_FILE);
    let mut file = read_file(&path)?;
    let entry = file
        .tokens
        .iter_mut()
        .find(|t| t.name == name)
        .ok_or_else(|| TokenError::NoSuchToken(name.to_string()))?;
    entry.revoked = true;
    write_file(&path, &file)
}

/// Lists tokens (names and roles, never secrets).
pub fn list_tokens(data_dir: &Path) -> Result<Vec<TokenInfo>, TokenError> {
    Ok(read_file(&data_dir.join(TOKEN_FILE))?
        .tokens
        .into_iter()
        .map(|t| TokenInfo {
            name: t.name,
            role: t.role,
            created_at: t.created_at,
            revoked: t.revoked,
        })
        .collect())
}

struct Loaded {
    entries: Vec<(blake3::Hash, String, Role)>,
    modified: Option<SystemTime>,
    checked: Instant,
}

/// The daemon's view of the token file, reloaded when the file changes.
pub(crate) struct TokenRegistry {
    path: PathBuf,
    anonymous_reads: bool,
    loaded: RwLock<Loaded>,
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
    pub(crate) fn open(data_dir: &Path, anonymous_reads: bool) -> Result<Self, TokenError> {
        let path = data_dir.join(TOKEN_FILE);
        let loaded = Self::load(&path)?;
        Ok(Self {
            path,
            anonymous_reads,
            loaded: RwLock::new(loaded),
        })
    }

    fn load(path: &Path) -> Result<Loaded, TokenError> {
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let file = read_file(path)?;
        let entries = file
            .tokens
            .into_iter()
            .filter(|t| !t.revoked)
            .filter_map(|t| {
                let hash = blake3::Hash::from_hex(&t.hash).ok()?;
                Some((hash, format!("token:{}", t.name), t.role))
            })
            .collect();
        Ok(Loaded {
            entries,
            modified,
            checked: Instant::now(),
        })
    }

    fn reload_if_changed(&self) {
        let stale = {
            let l = self
                .loaded
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            l.checked.elapsed() >= RELOAD_CHECK
        };
        if !stale {
            return;
        }
        let modified = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        let mut l = self
            .loaded
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        l.checked = Instant::now();
        if modified != l.modified {
            match Self::load(&self.path) {
                Ok(new) => *l = new,
                // Keep serving with the last good set; a broken edit must not lock everyone out
                // or let everyone in.
                Err(e) => tracing::error!(error = %e, "token file reload failed"),
            }
        }
    }

    /// Who is calling, and whether they may do what the route needs.
    pub(crate) fn authorize(
        &self,
        headers: &HeaderMap,
        needed: Permission,
    ) -> Result<Principal, ApiError> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            if self.anonymous_reads && needed == Permission::ReadState {
                return Ok(Principal {
                    principal: "anonymous".into(),
                    role: Role::Viewer,
                });
            }
            return Err(ApiError::unauthorized());
        };
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(ApiError::unauthorized)?;
        self.reload_if_changed();
        let presented = hash_secret(secret);
        let l = self
            .loaded
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Compare against every entry with blake3's constant-time equality, without an early
        // exit, so timing says nothing about which (or whether a) token matched.
        let mut found: Option<(String, Role)> = None;
        for (hash, principal, role) in &l.entries {
            if *hash == presented {
                found = Some((principal.clone(), *role));
            }
        }
        let (principal, role) = found.ok_or_else(ApiError::unauthorized)?;
        if !role.allows(needed) {
            return Err(ApiError::forbidden(needed.describe()));
        }
        Ok(Principal { principal, role })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
