//! `reformctl backup` / `restore`: of a stopped store, or (`backup --name`) asking the running
//! daemon for an online backup in the same layout.
//!
//! A backup is a folder: `store/` (a byte copy of the sled folder, taken while reformctl holds
//! the store's lock after a sync, so no daemon can write meanwhile), `tokens.toml` when the
//! data folder has one (token hashes only), and `manifest.json`, written last: format, time,
//! the head digest (position and hash), the record count, and every file with its size and
//! BLAKE3. A backup is checked before `backup` reports success (the copy opens, verifies and
//! has the source's head digest); `restore` checks every file against the manifest, copies
//! into an empty data folder, then opens, verifies and compares the head digest again.

use std::io::{Read, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Error;
use crate::integrity::{head_of, open_existing, store_dir, verify_store};
use crate::progress::Progress;

/// The manifest's format name; a restore refuses any other.
pub(crate) const FORMAT: &str = "reformctl-backup/1";
const MANIFEST: &str = "manifest.json";
const TOKENS: &str = "tokens.toml";

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub format: String,
    /// When the backup was taken (RFC 3339, UTC).
    pub created_at: String,
    /// The head digest; `None` for an empty log.
    pub head: Option<Head>,
    /// Records verified in the source.
    pub records: u64,
    /// Every file of the backup but the manifest, with `/`-separated relative paths.
    pub files: Vec<FileEntry>,
}

/// A head digest in hex.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Head {
    pub position: u64,
    pub hash: String,
}

/// One file of a backup.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct FileEntry {
    pub path: String,
    pub bytes: u64,
    pub blake3: String,
}

fn files_under(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| Error::io("cannot list", &dir, e))? {
            let path = entry.map_err(|e| Error::io("cannot list", &dir, e))?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Creates `dir` and its missing parents, readable by the owner only: a backup holds the
/// token file, which reformd refuses to start with when others may read it.
fn private_dir(dir: &Path) -> Result<(), Error> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io("cannot create", dir, e))
}

/// Creates (or truncates) the file `path`, readable by the owner only.
fn private_file(path: &Path) -> Result<std::fs::File, Error> {
    reformlog_store::create_private_file(path).map_err(|e| Error::io("cannot write", path, e))
}

/// Copies `from` to `to` (creating folders), returning size and BLAKE3 of what was read.
fn copy_hashed(
    from: &Path,
    to: &Path,
    bar: &indicatif::ProgressBar,
) -> Result<(u64, String), Error> {
    if let Some(parent) = to.parent() {
        private_dir(parent)?;
    }
    let mut src = std::fs::File::open(from).map_err(|e| Error::io("cannot read", from, e))?;
    let mut dst = private_file(to)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = src
            .read(&mut buf)
            .map_err(|e| Error::io("cannot read", from, e))?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        dst.write_all(chunk)
            .map_err(|e| Error::io("cannot write", to, e))?;
        total += n as u64;
        bar.inc(n as u64);
    }
    dst.sync_all()
        .map_err(|e| Error::io("cannot sync", to, e))?;
    Ok((total, hasher.finalize().to_hex().to_string()))
}

fn hash_file(path: &Path) -> Result<(u64, String), Error> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
    let mut hasher = blake3::Hasher::new();
    let n = std::io::copy(&mut f, &mut hasher).map_err(|e| Error::io("cannot read", path, e))?;
    Ok((n, hasher.finalize().to_hex().to_string()))
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn total_bytes(files: &[PathBuf]) -> u64 {
    files
        .iter()
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Opens `dir`, verifies it and checks its head equals `expected`.
fn check_copy(dir: &Path, expected: Option<&Head>) -> Result<u64, Error> {
    let store = open_existing(dir)?;
    let report = verify_store(&store, dir)?;
    if let Some(b) = &report.first_break {
        return Err(Error::Integrity(format!(
            "the copy at {} breaks at position {}: {}",
            dir.display(),
            b.position,
            b.kind
        )));
    }
    let head = head_of(&store, dir)?.map(|h| Head {
        position: h.position,
        hash: h.hash.to_hex(),
    });
    if head.as_ref() != expected {
        return Err(Error::Integrity(format!(
            "the copy at {} has head {:?}, not the backup's {:?}",
            dir.display(),
            head,
            expected
        )));
    }
    Ok(report.checked)
}

/// `backup --data-dir DIR --output BACKUP`.
pub(crate) fn backup(
    out: &mut dyn Write,
    data_dir: &Path,
    output: &Path,
    progress: &Progress,
) -> Result<(), Error> {
    let src = store_dir(data_dir);
    if output.exists() {
        return Err(Error::Usage(format!(
            "{} exists; a backup goes into a new folder",
            output.display()
        )));
    }
    // Holding the store open keeps its lock: no daemon can start and write during the copy.
    let store = open_existing(&src)?;
    store.sync().map_err(|e| Error::Store {
        path: src.clone(),
        reason: e.to_string(),
    })?;
    let report = verify_store(&store, &src)?;
    if let Some(b) = &report.first_break {
        return Err(Error::Integrity(format!(
            "the store breaks at position {}: {}; not backing up a broken chain (copy the folder by hand to keep it)",
            b.position, b.kind
        )));
    }
    let head = head_of(&store, &src)?.map(|h| Head {
        position: h.position,
        hash: h.hash.to_hex(),
    });
    private_dir(output)?;
    let files = files_under(&src)?;
    let bar = progress.bytes(total_bytes(&files), "backup");
    for f in &files {
        copy_hashed(f, &output.join("store").join(rel(&src, f)), &bar)?;
    }
    drop(store);
    bar.finish_and_clear();
    let tokens = data_dir.join(TOKENS);
    if tokens.is_file() {
        copy_hashed(
            &tokens,
            &output.join(TOKENS),
            &indicatif::ProgressBar::hidden(),
        )?;
    }
    let checked = check_copy(&output.join("store"), head.as_ref())?;
    // Digests are taken after the check, which opened the copy, so that they describe the
    // files exactly as a restore will find them.
    let mut entries = Vec::new();
    for f in files_under(output)? {
        let (bytes, blake3) = hash_file(&f)?;
        entries.push(FileEntry {
            path: rel(output, &f),
            bytes,
            blake3,
        });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: reformlog_store::Timestamp::now().to_rfc3339_micros(),
        head: head.clone(),
        records: checked,
        files: entries,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| Error::Output(e.into()))?;
    let path = output.join(MANIFEST);
    private_file(&path)?
        .write_all((text + "\n").as_bytes())
        .map_err(|e| Error::io("cannot write", &path, e))?;
    match head {
        Some(h) => writeln!(
            out,
            "backed up {checked} records to {}; head position {} hash {}",
            output.display(),
            h.position,
            h.hash
        )?,
        None => writeln!(out, "backed up an empty log to {}", output.display())?,
    }
    Ok(())
}

/// `backup --name NAME`: the running daemon writes the backup into its backup folder.
pub(crate) fn backup_online(
    client: &Client,
    out: &mut dyn Write,
    name: &str,
    json: bool,
) -> Result<(), Error> {
    let v = client.post_json("/v1/backup", Some(&serde_json::json!({ "name": name })))?;
    if json {
        writeln!(out, "{v}")?;
        return Ok(());
    }
    let written: reformlog_api::BackupView = crate::answer::decode(&v)?;
    let (path, records) = (&written.path, written.records);
    let head = written.head.map(|h| (h.position, h.hash));
    match head {
        Some((position, hash)) => writeln!(
            out,
            "backed up {records} records to {path} on the daemon's host; verified; head position {position} hash {hash}"
        )?,
        None => writeln!(out, "backed up an empty log to {path} on the daemon's host")?,
    }
    Ok(())
}

/// `restore BACKUP --data-dir DIR`.
pub(crate) fn restore(
    out: &mut dyn Write,
    backup: &Path,
    data_dir: &Path,
    progress: &Progress,
) -> Result<(), Error> {
    let mpath = backup.join(MANIFEST);
    let text = std::fs::read_to_string(&mpath)
        .map_err(|e| Error::io("cannot read the manifest", &mpath, e))?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| Error::input(mpath.display().to_string(), e))?;
    if manifest.format != FORMAT {
        return Err(Error::input(
            mpath.display().to_string(),
            format!("format {:?} is not {FORMAT}", manifest.format),
        ));
    }
    let target = store_dir(data_dir);
    if std::fs::read_dir(&target).is_ok_and(|mut d| d.next().is_some()) {
        return Err(Error::Usage(format!(
            "{} is not empty; restore goes into an empty data folder",
            target.display()
        )));
    }
    let total: u64 = manifest.files.iter().map(|f| f.bytes).sum();
    let bar = progress.bytes(total, "restore");
    for f in &manifest.files {
        if f.path
            .split('/')
            .any(|part| part == ".." || part.is_empty())
        {
            return Err(Error::input(
                mpath.display().to_string(),
                format!("unsafe path {:?}", f.path),
            ));
        }
        let from = backup.join(&f.path);
        let to = data_dir.join(&f.path);
        if f.path == TOKENS && to.exists() {
            // Keep the tokens of the folder restored into.
            continue;
        }
        let (bytes, digest) = copy_hashed(&from, &to, &bar)?;
        if bytes != f.bytes || digest != f.blake3 {
            return Err(Error::Integrity(format!(
                "backup file {} does not match its manifest (damaged backup)",
                f.path
            )));
        }
    }
    bar.finish_and_clear();
    let checked = check_copy(&target, manifest.head.as_ref())?;
    match &manifest.head {
        Some(h) => writeln!(
            out,
            "restored {checked} records into {}; verified; head position {} hash {} matches the backup",
            target.display(),
            h.position,
            h.hash
        )?,
        None => writeln!(out, "restored an empty log into {}", target.display())?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use reformlog_store::{ExpectedRevision, Metadata, NewEvent, Store};

    fn store_with_events(data: &Path, n: u32) {
        let store = Store::open(store_dir(data)).unwrap();
        for i in 0..n {
            let e = NewEvent::new(
                "Noted",
                1,
                format!("event {i}").into_bytes(),
                Metadata::by("test"),
            );
            store
                .append("unit-a", ExpectedRevision::Any, vec![e])
                .unwrap();
        }
    }

    #[test]
    fn backup_then_restore_reproduces_the_head_and_detects_damage() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        store_with_events(&data, 20);
        std::fs::write(data.join(TOKENS), "# token hashes\n").unwrap();
        let quiet = Progress::new(true);
        let bk = dir.path().join("backup");
        let mut out = Vec::new();
        backup(&mut out, &data, &bk, &quiet).unwrap();
        let manifest: Manifest =
            serde_json::from_str(&std::fs::read_to_string(bk.join(MANIFEST)).unwrap()).unwrap();
        assert_eq!(manifest.head.as_ref().unwrap().position, 20);
        assert!(manifest.files.iter().any(|f| f.path == TOKENS));

        let restored = dir.path().join("restored");
        restore(&mut out, &bk, &restored, &quiet).unwrap();
        assert!(restored.join(TOKENS).is_file());
        // Owner-only, as reformd insists for the token file.
        for f in [restored.join(TOKENS), bk.join(TOKENS), bk.join(MANIFEST)] {
            let mode = std::os::unix::fs::PermissionsExt::mode(
                &std::fs::metadata(&f).unwrap().permissions(),
            );
            assert_eq!(mode & 0o077, 0, "{f:?}");
        }
        let store = open_existing(&store_dir(&restored)).unwrap();
        assert_eq!(
            store.head().unwrap().unwrap().hash.to_hex(),
            manifest.head.unwrap().hash
        );
        drop(store);

        // Not into a folder that already has a store.
        let err = restore(&mut out, &bk, &restored, &quiet).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{err}");
        // A damaged backup file is caught.
        let victim = manifest
            .files
            .iter()
            .find(|f| f.path.starts_with("store/") && f.bytes > 0)
            .unwrap();
        let mut bytes = std::fs::read(bk.join(&victim.path)).unwrap();
        bytes[0] ^= 0xff;
        std::fs::write(bk.join(&victim.path), bytes).unwrap();
        let err = restore(&mut out, &bk, &dir.path().join("again"), &quiet).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::INTEGRITY, "{err}");
    }

    #[test]
    fn a_store_in_use_is_reported_busy() {
        let dir = tempfile::tempdir().unwrap();
        store_with_events(dir.path(), 1);
        let held = Store::open(store_dir(dir.path())).unwrap();
        let err = backup(
            &mut Vec::new(),
            dir.path(),
            &dir.path().join("bk"),
            &Progress::new(true),
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::STORE_BUSY, "{err}");
        drop(held);
        let err = backup(
            &mut Vec::new(),
            &dir.path().join("nothing"),
            &dir.path().join("bk2"),
            &Progress::new(true),
        )
        .unwrap_err();
        assert!(err.to_string().contains("no store here"), "{err}");
    }
}
