//! Opening a store's files: the folder, private files beside sled's, sled, the header check
//! and upgrades, and where sled's log ends.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::codec;
use crate::error::{CorruptionError, OpenError, SledResult, StorageError};
use crate::header::{Header, FORMAT_3, FORMAT_VERSION};
use crate::install;
use crate::journal::{Journal, JournalHead};
use crate::keys;
use crate::migrate;
use crate::record::Timestamp;

/// Creates the store folder when missing, readable by its owner only.
pub(crate) fn create_folder(path: &Path) -> Result<(), OpenError> {
    use std::os::unix::fs::DirBuilderExt;
    if path.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| StorageError::io("create the store folder", e).into())
}

/// Creates (or empties) a file readable and writable by its owner only, for writing: how the
/// store writes the files beside sled's, and how a copy of them is written.
pub fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

pub(crate) fn open_sled(
    path: &Path,
    cache_capacity: u64,
    lock_wait: Duration,
) -> Result<sled::Db, OpenError> {
    let deadline = Instant::now() + lock_wait;
    loop {
        let opened = std::panic::catch_unwind(|| {
            sled::Config::new()
                .path(path)
                .cache_capacity(cache_capacity)
                // The journal makes commits durable and the persisting thread makes sled's
                // files durable behind it (flush, then fdatasync), so sled's own periodic
                // flush would only add writes.
                .flush_every_ms(None)
                .open()
        })
        .map_err(|_| {
            OpenError::Corrupt(CorruptionError {
                at: format!("sled files in {}", path.display()),
                reason: "sled could not read its files".into(),
            })
        })?;
        match opened.map_err(|e| classify_open_error(e, path)) {
            Err(OpenError::Locked { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

fn classify_open_error(e: sled::Error, path: &Path) -> OpenError {
    match &e {
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
            OpenError::Locked {
                path: path.to_path_buf(),
            }
        }
        sled::Error::Corruption { .. } => OpenError::Corrupt(CorruptionError {
            at: format!("sled files in {}", path.display()),
            reason: e.to_string(),
        }),
        _ => OpenError::Storage(StorageError::from_sled(e)),
    }
}

/// Where sled's log ends: its last commit, that commit's last position and last hash.
pub(crate) fn log_head(tree: &sled::Tree, legacy_commits: u64) -> Result<JournalHead, OpenError> {
    let last_commit = tree
        .range(keys::prefix_range(keys::COMMIT))
        .next_back()
        .transpose()
        .storage()?;
    let (commit, position) = match last_commit {
        Some((key, value)) => {
            let number = keys::commit_number(&key).ok_or_else(|| CorruptionError {
                at: "last commit key".into(),
                reason: "malformed key".into(),
            })?;
            let info = codec::decode_commit(number, &value).map_err(|e| CorruptionError {
                at: format!("commit {number}"),
                reason: e.to_string(),
            })?;
            (number, info.last_position)
        }
        None => (legacy_commits, legacy_commits),
    };
    let last_key = tree
        .range(keys::prefix_range(keys::log(0)[0]))
        .keys()
        .next_back()
        .transpose()
        .storage()?;
    let mut last_record = last_key
        .as_deref()
        .and_then(keys::log_position)
        .unwrap_or(0);
    if last_record > position {
        // What a crash left of the commit after the last whole one: the journal has it.
        install::discard_beyond(tree, position)?;
        last_record = position;
    }
    if last_record != position {
        return Err(CorruptionError {
            at: format!("commit {commit}"),
            reason: format!(
                "the commit table ends at position {position} but the last record is at {last_record}"
            ),
        }
        .into());
    }
    if position == 0 {
        return Ok(JournalHead::EMPTY);
    }
    let bytes = tree
        .get(keys::log(position))
        .storage()?
        .ok_or_else(|| CorruptionError::at_position(position, "record missing"))?;
    let hash =
        codec::record_hash_of(&bytes).map_err(|e| CorruptionError::at_position(position, e))?;
    Ok(JournalHead {
        commit,
        position,
        hash,
    })
}

/// When the head commit was recorded.
pub(crate) fn commit_time(
    tree: &sled::Tree,
    legacy_commits: u64,
    head: JournalHead,
) -> Result<Timestamp, OpenError> {
    if head.commit <= legacy_commits {
        let bytes = tree
            .get(keys::log(head.position))
            .storage()?
            .ok_or_else(|| CorruptionError::at_position(head.position, "record missing"))?;
        let r = codec::decode_record(&bytes)
            .map_err(|e| CorruptionError::at_position(head.position, e))?;
        return Ok(r.recorded_at);
    }
    let bytes = tree
        .get(keys::commit(head.commit))
        .storage()?
        .ok_or_else(|| CorruptionError {
            at: format!("commit {}", head.commit),
            reason: "commit entry missing".into(),
        })?;
    let info = codec::decode_commit(head.commit, &bytes).map_err(|e| CorruptionError {
        at: format!("commit {}", head.commit),
        reason: e.to_string(),
    })?;
    Ok(info.recorded_at)
}

/// Checks the header, creating a new store or upgrading an older one; returns the format
/// upgraded from.
pub(crate) fn check_or_write_header(
    db: &sled::Db,
    tree: &sled::Tree,
    path: &Path,
    segment_bytes: u64,
    existed: bool,
) -> Result<Option<u32>, OpenError> {
    let bytes = tree.get(keys::HEADER).storage()?;
    let Some(bytes) = bytes else {
        if tree.first().storage()?.is_some() {
            return Err(OpenError::NotAStore {
                path: path.to_path_buf(),
            });
        }
        // A new store, or sled's files lost under a journal: then the journal's own head
        // decides (it is rebuilt from the journal when that covers everything).
        if !Journal::exists(path) {
            if existed {
                // Neither sled's log nor the journal is left: never pass that off as a new,
                // empty store (delete the folder to start one).
                return Err(OpenError::JournalMissing {
                    path: path.join(crate::journal::FOLDER),
                });
            }
            Journal::create(path, JournalHead::EMPTY, segment_bytes)?;
        }
        tree.insert(keys::HEADER, Header::current().encode())
            .storage()?;
        durable_flush(db, path)?;
        return Ok(None);
    };
    let header = Header::decode(&bytes).ok_or_else(|| OpenError::NotAStore {
        path: path.to_path_buf(),
    })?;
    if header.format_version > FORMAT_VERSION {
        return Err(OpenError::NewerFormat {
            found: header.format_version,
            supported: FORMAT_VERSION,
        });
    }
    if header.format_version == 0 {
        return Err(OpenError::NotAStore {
            path: path.to_path_buf(),
        });
    }
    if header.codec != codec::CODEC_NAME {
        return Err(OpenError::CodecMismatch {
            found: header.codec,
            expected: codec::CODEC_NAME.to_string(),
        });
    }
    if header.format_version == FORMAT_VERSION {
        migrate::remove_legacy(tree)?;
        return Ok(None);
    }
    if header.format_version < FORMAT_3 {
        migrate::upgrade(tree, Header::of(FORMAT_3).encode())?;
    } else {
        migrate::remove_legacy(tree)?;
    }
    // Format 3 to 4: the records stay as they are, each a commit of its own; the journal
    // starts at the log's head. Redone from here while the header still says 3.
    let head = migrate::legacy_head(tree)?;
    tree.insert(keys::LEGACY_COMMITS, &keys::u64_value(head.position))
        .storage()?;
    durable_flush(db, path)?;
    Journal::create(path, head, segment_bytes)?;
    tree.insert(keys::HEADER, Header::current().encode())
        .storage()?;
    durable_flush(db, path)?;
    Ok(Some(header.format_version))
}

/// sled's flush, then `fdatasync` of its data file (sled's flush alone does not reach stable
/// storage on Linux).
fn durable_flush(db: &sled::Db, path: &Path) -> Result<(), StorageError> {
    db.flush().storage()?;
    std::fs::File::open(path.join("db"))
        .and_then(|f| f.sync_data())
        .map_err(|e| StorageError::io("fdatasync sled data file", e))
}
