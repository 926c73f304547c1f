//! The anchor: the log's head digest kept in a file outside the store (on another disk),
//! rewritten durably after each synced round and checked on open, so that a store put back
//! to an older state by something outside the process (an old copy of its folder, a
//! truncated disk image) is refused instead of served.
//!
//! The file holds one line, `POSITION:HASH` (the head's position and its BLAKE3 hash in 64
//! hex digits), the form `reformctl verify --expect-head` reads. It is written as a temporary
//! file beside it, synced, renamed over it, and the folder synced, so it is always whole.
//! Only acknowledged heads are written, by a thread of its own after the round that
//! acknowledged them: appends never wait for it, and it lags the log by the rounds in flight
//! when the process stops, never leads it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use crate::chain::HeadDigest;
use crate::codec;
use crate::error::{OpenError, SledResult, StorageError};
use crate::hash::Hash;
use crate::journal::JournalHead;
use crate::keys;
use crate::store::lock;

/// Reads the anchor at `path`: `None` when there is no such file.
pub(crate) fn read(path: &Path) -> Result<Option<HeadDigest>, OpenError> {
    let unreadable = |reason: String| OpenError::Anchor {
        path: path.to_path_buf(),
        reason,
    };
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(format!("cannot read it: {e}"))),
    };
    let text = String::from_utf8(text).map_err(|_| unreadable("not UTF-8 text".into()))?;
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    line.and_then(parse)
        .map(Some)
        .ok_or_else(|| unreadable("its first line is not POSITION:HASH (64 hex digits)".into()))
}

fn parse(line: &str) -> Option<HeadDigest> {
    let (position, hash) = line.split_once(':')?;
    let position: u64 = position.trim().parse().ok()?;
    if position == 0 {
        return None;
    }
    Some(HeadDigest {
        position,
        hash: Hash::from_hex(hash.trim())?,
    })
}

/// Writes `digest` to `path` durably: a temporary file beside it, synced, renamed over it,
/// then the folder synced.
pub(crate) fn write(path: &Path, digest: &HeadDigest) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name"))?;
    let tmp = folder.join(format!(".{}.tmp", name.to_string_lossy()));
    let mut f = crate::open::create_private_file(&tmp)?;
    f.write_all(format!("{}:{}\n", digest.position, digest.hash).as_bytes())?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(folder)?.sync_all()
}

/// Refuses a log (sled's tree, ending at `log`) that does not extend `kept`: it must reach
/// the anchor's position and hold the anchor's hash there.
pub(crate) fn check(
    tree: &sled::Tree,
    path: &Path,
    kept: HeadDigest,
    log: Option<HeadDigest>,
) -> Result<(), OpenError> {
    let reaches = log.is_some_and(|l| l.position >= kept.position);
    let same = reaches
        && match tree.get(keys::log(kept.position)).storage()? {
            Some(bytes) => codec::record_hash_of(&bytes).is_ok_and(|h| h == kept.hash),
            None => false,
        };
    if same {
        return Ok(());
    }
    Err(OpenError::AnchorNotExtended {
        path: path.to_path_buf(),
        anchor: kept,
        log,
    })
}

/// Checks the anchor file against the log ending at `head`, brings it up to `head` when it is
/// missing or behind (so a failing anchor disk stops the open, not a later round), and starts
/// the thread that keeps it there.
pub(crate) fn open(tree: &sled::Tree, file: &Path, head: JournalHead) -> Result<Anchor, OpenError> {
    let log = (head.commit > 0).then_some(HeadDigest {
        position: head.position,
        hash: head.hash,
    });
    let kept = read(file)?;
    if let Some(kept) = kept {
        check(tree, file, kept, log)?;
    }
    let folder = file.parent().filter(|p| !p.as_os_str().is_empty());
    if folder.is_some_and(|f| !f.is_dir()) {
        return Err(OpenError::Anchor {
            path: file.to_path_buf(),
            reason: "its folder does not exist".into(),
        });
    }
    let mut written = kept;
    if let Some(l) = log.filter(|l| kept.is_none_or(|k| k.position < l.position)) {
        write(file, &l).map_err(|e| OpenError::Anchor {
            path: file.to_path_buf(),
            reason: format!("cannot write it: {e}"),
        })?;
        written = Some(l);
    }
    Ok(Anchor::start(file.to_path_buf(), written)?)
}

#[derive(Default)]
struct State {
    /// The newest acknowledged head not yet written.
    due: Option<HeadDigest>,
    /// The head the file holds.
    written: Option<HeadDigest>,
    /// Writes that failed (each is retried with the next head).
    failures: u64,
    stop: bool,
}

/// The thread that keeps the anchor file at the acknowledged head.
pub(crate) struct Anchor {
    shared: Arc<(Mutex<State>, Condvar)>,
    handle: Mutex<Option<JoinHandle<()>>>,
}

impl Anchor {
    /// Starts the thread for the file at `path`, which holds `written`.
    pub(crate) fn start(path: PathBuf, written: Option<HeadDigest>) -> Result<Self, StorageError> {
        let shared = Arc::new((
            Mutex::new(State {
                written,
                ..State::default()
            }),
            Condvar::new(),
        ));
        let s = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("reformlog-anchor".into())
            .spawn(move || run(&path, &s))
            .map_err(|e| StorageError::io("start the anchor thread", e))?;
        Ok(Self {
            shared,
            handle: Mutex::new(Some(handle)),
        })
    }

    /// A round acknowledged the log up to `head`.
    pub(crate) fn note(&self, head: HeadDigest) {
        let (m, cv) = &*self.shared;
        let mut st = lock(m);
        let newer = |d: Option<HeadDigest>| d.is_none_or(|d| d.position < head.position);
        if newer(st.due) && newer(st.written) {
            st.due = Some(head);
            cv.notify_all();
        }
    }

    /// Waits until the file holds `position` or a later head; returns false when a write
    /// failed meanwhile (or took longer than `limit`), which leaves the file behind the log,
    /// never ahead.
    pub(crate) fn wait_written(&self, position: u64, limit: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + limit;
        let (m, cv) = &*self.shared;
        let mut st = lock(m);
        let failures = st.failures;
        loop {
            if st.written.is_some_and(|w| w.position >= position) {
                return true;
            }
            let now = std::time::Instant::now();
            if st.failures > failures || st.stop || now >= deadline {
                return false;
            }
            st = cv
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }

    /// The position the file holds (0 when none) and how many writes failed.
    pub(crate) fn status(&self) -> (u64, u64) {
        let st = lock(&self.shared.0);
        (st.written.map_or(0, |w| w.position), st.failures)
    }

    /// Writes what is due, then stops the thread and waits for it.
    pub(crate) fn stop(&self) {
        {
            let (m, cv) = &*self.shared;
            lock(m).stop = true;
            cv.notify_all();
        }
        if let Some(h) = lock(&self.handle).take() {
            // A panic in the thread has nothing left to report to.
            let _ = h.join();
        }
    }
}

fn run(path: &Path, shared: &(Mutex<State>, Condvar)) {
    let (m, cv) = shared;
    loop {
        let (due, stop) = {
            let mut st = lock(m);
            while st.due.is_none() && !st.stop {
                st = cv
                    .wait(st)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            (st.due.take(), st.stop)
        };
        if let Some(head) = due {
            let done = write(path, &head);
            let mut st = lock(m);
            // Wakes those waiting for the file in `wait_written` as well.
            cv.notify_all();
            match done {
                Ok(()) => st.written = Some(head),
                Err(_) => {
                    st.failures += 1;
                    // Kept due unless a newer head came meanwhile; the next round retries.
                    if st.due.is_none() {
                        st.due = Some(head);
                    }
                    if !st.stop {
                        drop(st);
                        // A failing disk is not hammered: a retry every 200 ms at most.
                        std::thread::sleep(std::time::Duration::from_millis(200));
                        continue;
                    }
                }
            }
        }
        if stop {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_file_round_trips_and_malformed_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("head");
        assert!(read(&path).unwrap().is_none());
        let d = HeadDigest {
            position: 42,
            hash: Hash([7; 32]),
        };
        write(&path, &d).unwrap();
        assert_eq!(read(&path).unwrap(), Some(d));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("42:{}\n", "07".repeat(32)));
        for bad in ["", "42", "0:00", "x:ab", "42:abc\n", "\u{ff}"] {
            std::fs::write(&path, bad).unwrap();
            assert!(
                matches!(read(&path), Err(OpenError::Anchor { .. })),
                "{bad:?}"
            );
        }
    }
}
