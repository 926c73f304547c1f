//! Online backups: a backup folder written by the running daemon into its backup folder while
//! writes go on, in the layout `reformctl restore` reads: `store/` (a snapshot of the log at
//! one commit, `Store::snapshot_to`), `tokens.toml` (token hashes) and `manifest.json` (the
//! format, time, head digest, record count and every file's size and BLAKE3), written last.
//!
//! Everything is built in `.<name>.partial` and renamed to `<name>` only once the snapshot
//! verified and the manifest is on disk, so a folder under a backup's name is always whole;
//! an interrupted backup leaves only the partial folder, which the next backup of that name
//! removes.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use reformlog_store::{HeadDigest, SnapshotError, Store};
use serde::Serialize;

use crate::tokens::TOKEN_FILE;

/// The manifest's format name, as `reformctl backup` writes it and `reformctl restore` checks.
const FORMAT: &str = "reformctl-backup/1";
const MANIFEST: &str = "manifest.json";
/// Longest backup name, in bytes.
const MAX_NAME_BYTES: usize = 100;

/// Why a backup was not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum BackupError {
    /// The name is not a plain folder name.
    #[error(
        "backup name {0:?}: use 1 to 100 letters, digits, '-', '_' or '.', not starting with '.'"
    )]
    InvalidName(String),
    /// A backup of that name exists.
    #[error("a backup named {0:?} exists already")]
    Exists(String),
    /// The snapshot, or a file operation on the backup's other files, failed (the log is
    /// left as it was); the latter as the store's own [`SnapshotError::Io`].
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

impl BackupError {
    fn io(context: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| {
            BackupError::Snapshot(SnapshotError::Io {
                context,
                path,
                source,
            })
        }
    }

    /// Whether the disk (or a quota) filled up.
    pub(crate) fn is_storage_full(&self) -> bool {
        match self {
            BackupError::Snapshot(s) => s.is_storage_full(),
            _ => false,
        }
    }
}

/// `manifest.json`, field for field what `reformctl restore` reads.
#[derive(Debug, Serialize)]
struct Manifest<'a> {
    format: &'a str,
    created_at: &'a str,
    head: Option<Head>,
    records: u64,
    files: &'a [FileEntry],
}

#[derive(Debug, Clone, Serialize)]
struct Head {
    position: u64,
    hash: String,
}

/// One file of a backup, with a `/`-separated path relative to the backup folder.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FileEntry {
    pub(crate) path: String,
    pub(crate) bytes: u64,
    pub(crate) blake3: String,
}

/// What a finished backup holds.
#[derive(Debug)]
pub(crate) struct Written {
    /// The backup folder.
    pub(crate) path: PathBuf,
    pub(crate) created_at: String,
    /// Its last commit (0 for an empty log).
    pub(crate) commit: u64,
    pub(crate) head: Option<HeadDigest>,
    pub(crate) records: u64,
    pub(crate) files: Vec<FileEntry>,
}

/// Refuses a name that is not one plain folder name.
pub(crate) fn check_name(name: &str) -> Result<(), BackupError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(BackupError::InvalidName(name.chars().take(120).collect()))
    }
}

/// Writes the backup `name` of `store` (and of the token file in `data_dir`) into
/// `backup_dir`, which is created when missing.
pub(crate) fn write(
    store: &Store,
    data_dir: &Path,
    backup_dir: &Path,
    name: &str,
) -> Result<Written, BackupError> {
    check_name(name)?;
    crate::tokens::create_private_dir(backup_dir)
        .map_err(BackupError::io("cannot create", backup_dir))?;
    let done = backup_dir.join(name);
    if done.exists() {
        return Err(BackupError::Exists(name.to_string()));
    }
    let partial = backup_dir.join(format!(".{name}.partial"));
    if partial.exists() {
        std::fs::remove_dir_all(&partial)
            .map_err(BackupError::io("cannot remove the stale", &partial))?;
    }
    let written = fill(store, data_dir, &partial).and_then(|(created_at, snapshot, files)| {
        std::fs::rename(&partial, &done).map_err(BackupError::io("cannot rename it to", &done))?;
        sync_dir(backup_dir)?;
        Ok(Written {
            path: done.clone(),
            created_at,
            commit: snapshot.commit,
            head: snapshot.head,
            records: snapshot.records,
            files,
        })
    });
    if written.is_err() {
        // Best effort: it would only take space, and the next backup of the name removes it.
        let _ = std::fs::remove_dir_all(&partial);
    }
    written
}

/// Writes the backup's files into `partial`: the snapshot, the token file, the manifest last.
fn fill(
    store: &Store,
    data_dir: &Path,
    partial: &Path,
) -> Result<(String, reformlog_store::Snapshot, Vec<FileEntry>), BackupError> {
    crate::tokens::create_private_dir(partial)
        .map_err(BackupError::io("cannot create", partial))?;
    // The API's one time form: RFC 3339 in UTC to the microsecond.
    let created_at = reformlog_store::Timestamp::now().to_rfc3339_micros();
    let snapshot = store.snapshot_to(partial.join("store"))?;
    let tokens = data_dir.join(TOKEN_FILE);
    // Token edits replace the file by renaming, so this reads one whole version of it.
    match std::fs::read(&tokens) {
        Ok(bytes) => write_synced(&partial.join(TOKEN_FILE), &bytes)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(BackupError::io("cannot read", &tokens)(e)),
    }
    let files = describe(partial)?;
    let manifest = Manifest {
        format: FORMAT,
        created_at: &created_at,
        head: snapshot.head.map(|h| Head {
            position: h.position,
            hash: h.hash.to_hex(),
        }),
        records: snapshot.records,
        files: &files,
    };
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
    write_synced(&partial.join(MANIFEST), text.as_bytes())?;
    sync_dir(partial)?;
    Ok((created_at, snapshot, files))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(BackupError::io("cannot write", path))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(BackupError::io("cannot write", path))
}

fn sync_dir(dir: &Path) -> Result<(), BackupError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(BackupError::io("cannot sync", dir))
}

/// Every file under `root` with its size and BLAKE3, sorted by path.
fn describe(root: &Path) -> Result<Vec<FileEntry>, BackupError> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(BackupError::io("cannot list", &dir))?;
        for entry in entries {
            let path = entry.map_err(BackupError::io("cannot list", &dir))?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let mut f =
                std::fs::File::open(&path).map_err(BackupError::io("cannot read", &path))?;
            let mut hasher = blake3::Hasher::new();
            let bytes = std::io::copy(&mut f, &mut hasher)
                .map_err(BackupError::io("cannot read", &path))?;
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push(FileEntry {
                path: rel,
                bytes,
                blake3: hasher.finalize().to_hex().to_string(),
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_are_plain_folder_names() {
        for ok in ["evening-2022-01-14", "a", "b_1.2", &"x".repeat(100)] {
            check_name(ok).unwrap();
        }
        for bad in [
            "",
            ".hidden",
            "..",
            "a/b",
            "a b",
            "tối",
            &"x".repeat(101),
            "a\0",
        ] {
            assert!(
                matches!(check_name(bad), Err(BackupError::InvalidName(_))),
                "{bad:?}"
            );
        }
    }
}
