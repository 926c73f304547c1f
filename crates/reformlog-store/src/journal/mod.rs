//! The journal: an append-only file of checksummed frames, one per commit, whose `fdatasync`
//! is the acknowledgement; segments named by their first commit, trimmed once sled holds them.
//!
//! Layout (integers big-endian):
//!
//! - a segment file `journal/<first commit, 20 digits>.wal` starts with a 76-byte header:
//!   magic `reformlog-wal\0\0\0` (16), version u32 = 1, base commit u64, base position u64,
//!   base hash (32), check (8). The base is the log's head when the segment was started: its
//!   first frame is commit `base + 1`, and with no frame the base is the acknowledged head.
//! - then frames: body length u32, check (8), body (a version byte and the commit, see
//!   `codec::encode_frame`).
//!
//! A check is the first 8 bytes of the BLAKE3 hash of what it follows (for a frame: the length
//! bytes and the body), so a torn or flipped frame is found before it is decoded.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, FileExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::codec;
use crate::commit::StagedCommit;
use crate::error::{is_full, LogHead, StorageError};
use crate::hash::Hash;

mod recover;

const MAGIC: &[u8; 16] = b"reformlog-wal\0\0\0";
const VERSION: u32 = 1;
pub(crate) const HEADER_BYTES: usize = 16 + 4 + 8 + 8 + 32 + 8;
const FRAME_HEAD_BYTES: usize = 4 + 8;
/// The first byte of every frame body (`codec::encode_frame`'s version).
const FRAME_BODY_VERSION: u8 = 1;
/// Past this size (by default) the active segment is closed and a new one started, so that
/// trimming can remove what sled holds.
pub(crate) const SEGMENT_BYTES: u64 = 16 * 1024 * 1024;
/// What `Journal::make_room` allocates past a segment that has reached its size: room for
/// the frames of the rounds before the persisting thread starts the next segment.
const ROOM_PAST_SEGMENT: u64 = 1024 * 1024;
/// The journal folder inside a store folder.
pub(crate) const FOLDER: &str = "journal";

/// The head a journal knows: the last commit it holds (or its base), with that commit's last
/// position and the hash of its last record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct JournalHead {
    pub(crate) commit: u64,
    pub(crate) position: u64,
    pub(crate) hash: Hash,
}

impl JournalHead {
    pub(crate) const EMPTY: JournalHead = JournalHead {
        commit: 0,
        position: 0,
        hash: Hash::ZERO,
    };

    pub(crate) fn log_head(&self) -> LogHead {
        LogHead {
            commit: self.commit,
            position: self.position,
        }
    }
}

/// A torn frame cut from the journal's tail on open (a crash while it was being written).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct TornTail {
    /// The segment it was cut from.
    pub segment: PathBuf,
    /// Where the segment now ends.
    pub offset: u64,
    /// How many bytes were cut: from `offset` up to the last non-zero byte after it, which
    /// are zeroed. Zeros a torn write ended in cannot be told from space not written yet, so
    /// they are not counted.
    pub bytes_cut: u64,
}

/// Why a journal operation failed: the disk is full, its file is gone, or other I/O.
#[derive(Debug)]
pub(crate) enum JournalError {
    Full(String),
    Lost(PathBuf),
    Io(StorageError),
}

impl JournalError {
    fn io(context: &str, e: std::io::Error) -> Self {
        if is_full(&e) {
            JournalError::Full(format!("{context}: {e}"))
        } else {
            JournalError::Io(StorageError::io(context, e))
        }
    }
}

struct Segment {
    path: PathBuf,
    base: JournalHead,
    /// The last commit the segment holds (its base when it holds none).
    last: JournalHead,
}

/// The open journal: its segments, and the active one frames are appended to.
pub(crate) struct Journal {
    folder: PathBuf,
    /// Oldest first; the last is the active segment.
    segments: Vec<Segment>,
    active: File,
    /// Bytes of the active segment known good; a failed write is cut back to here.
    len: u64,
    /// The active segment's device and inode, to notice it being unlinked or replaced.
    identity: (u64, u64),
    /// Frames written since the last `fdatasync`.
    unsynced: bool,
    syncs: u64,
    segment_bytes: u64,
}

fn check(parts: &[&[u8]]) -> [u8; 8] {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(p);
    }
    let mut out = [0u8; 8];
    out.copy_from_slice(&h.finalize().as_bytes()[..8]);
    out
}

fn encode_header(base: &JournalHead) -> [u8; HEADER_BYTES] {
    let mut out = [0u8; HEADER_BYTES];
    out[..16].copy_from_slice(MAGIC);
    out[16..20].copy_from_slice(&VERSION.to_be_bytes());
    out[20..28].copy_from_slice(&base.commit.to_be_bytes());
    out[28..36].copy_from_slice(&base.position.to_be_bytes());
    out[36..68].copy_from_slice(&base.hash.0);
    let c = check(&[&out[..68]]);
    out[68..].copy_from_slice(&c);
    out
}

fn decode_header(bytes: &[u8]) -> Option<JournalHead> {
    if bytes.len() < HEADER_BYTES || &bytes[..16] != MAGIC {
        return None;
    }
    if u32::from_be_bytes(bytes[16..20].try_into().ok()?) != VERSION {
        return None;
    }
    if check(&[&bytes[..68]]) != bytes[68..HEADER_BYTES] {
        return None;
    }
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&bytes[36..68]);
    Some(JournalHead {
        commit: u64::from_be_bytes(bytes[20..28].try_into().ok()?),
        position: u64::from_be_bytes(bytes[28..36].try_into().ok()?),
        hash: Hash(hash),
    })
}

/// Appends one commit's frame (length, check, body) to `out`.
pub(crate) fn encode_frame(commit: &StagedCommit, out: &mut Vec<u8>) -> Result<(), StorageError> {
    let body = codec::encode_frame(commit).map_err(|e| StorageError::message(e.to_string()))?;
    let len = u32::try_from(body.len())
        .map_err(|_| StorageError::message("a commit too large for one journal frame".into()))?
        .to_be_bytes();
    out.extend_from_slice(&len);
    out.extend_from_slice(&check(&[&len, &body]));
    out.extend_from_slice(&body);
    Ok(())
}

fn segment_name(first_commit: u64) -> String {
    format!("{first_commit:020}.wal")
}

fn sync_dir(dir: &Path) -> Result<(), std::io::Error> {
    File::open(dir)?.sync_all()
}

impl Journal {
    /// Whether the store folder has a journal with at least one segment.
    pub(crate) fn exists(store: &Path) -> bool {
        list_segments(&store.join(FOLDER)).is_ok_and(|s| !s.is_empty())
    }

    /// Creates a journal whose first segment starts at `base` (a new store, or an upgraded
    /// one), replacing any journal left by an interrupted upgrade.
    pub(crate) fn create(store: &Path, base: JournalHead, size: u64) -> Result<(), StorageError> {
        let folder = store.join(FOLDER);
        if folder.exists() {
            std::fs::remove_dir_all(&folder)
                .map_err(|e| StorageError::io("remove an unfinished journal", e))?;
        }
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&folder)
            .map_err(|e| StorageError::io("create the journal folder", e))?;
        write_segment(&folder, base, size)
            .map_err(|e| StorageError::io("create a journal segment", e))?;
        sync_dir(store).map_err(|e| StorageError::io("fsync the store folder", e))?;
        Ok(())
    }

    /// Sets the size past which a new segment is started.
    pub(crate) fn set_segment_bytes(&mut self, bytes: u64) {
        self.segment_bytes = bytes.max(HEADER_BYTES as u64 + 1);
    }

    /// The last commit written to the journal.
    pub(crate) fn head(&self) -> JournalHead {
        self.segments.last().map_or(JournalHead::EMPTY, |s| s.last)
    }

    /// `fdatasync` calls made since open.
    pub(crate) fn syncs(&self) -> u64 {
        self.syncs
    }

    /// Whether the active segment has passed its size, so a new one should start.
    pub(crate) fn is_due_for_rotation(&self) -> bool {
        self.len >= self.segment_bytes
    }

    /// Bytes in the active segment.
    pub(crate) fn active_len(&self) -> u64 {
        self.len
    }

    /// Appends frames (already encoded, in commit order) whose last commit leaves the log at
    /// `head`; with `sync`, returns once they (and all written before) are on stable storage
    /// on a file that is still the store's. On failure the segment is cut back, so nothing of
    /// the frames remains.
    pub(crate) fn append(
        &mut self,
        frames: &[u8],
        head: JournalHead,
        sync: bool,
    ) -> Result<(), JournalError> {
        if !frames.is_empty() {
            if let Err(e) = self.active.write_all_at(frames, self.len) {
                self.cut_back();
                return Err(JournalError::io("write the journal", e));
            }
            self.unsynced = true;
        }
        if sync && self.unsynced {
            if let Err(e) = self.active.sync_data() {
                // The kernel may have dropped the failed pages: what this round wrote is not
                // to be trusted, so it goes.
                self.cut_back();
                return Err(JournalError::io("fdatasync the journal", e));
            }
            self.syncs += 1;
            self.unsynced = false;
            if let Err(lost) = self.check_linked() {
                // The file may live on elsewhere (the folder moved): what it holds must not
                // come back as acknowledged when it is opened there.
                self.cut_back();
                let _ = self.active.sync_data();
                return Err(lost);
            }
        }
        if !frames.is_empty() {
            self.len += frames.len() as u64;
            if let Some(s) = self.segments.last_mut() {
                s.last = head;
            }
        }
        Ok(())
    }

    /// Whether frames were written that no `fdatasync` has covered yet.
    pub(crate) fn has_unsynced(&self) -> bool {
        self.unsynced
    }

    /// Allocates the active segment's space again after a write met a full disk (cutting a
    /// failed write back frees what was allocated ahead of it): up to the segment's size, or
    /// a little past where it ends once it has reached it. Returns whether the disk had room;
    /// a file system without `fallocate` is taken to have it, as the next write finds out.
    pub(crate) fn make_room(&self) -> bool {
        let end = self.segment_bytes.max(self.len + ROOM_PAST_SEGMENT);
        match rustix::fs::fallocate(
            &self.active,
            rustix::fs::FallocateFlags::empty(),
            self.len,
            end - self.len,
        ) {
            Ok(()) => true,
            Err(e) => !is_full(&e.into()),
        }
    }

    fn cut_back(&mut self) {
        // Best effort: if even this fails, the next open finds a torn tail and cuts it.
        let _ = self.active.set_len(self.len);
    }

    /// Fails with `Lost` when the active segment was unlinked, or its path now names another
    /// file (the folder deleted, moved or replaced).
    pub(crate) fn check_linked(&self) -> Result<(), JournalError> {
        let lost = || {
            JournalError::Lost(
                self.folder
                    .parent()
                    .map_or_else(|| self.folder.clone(), Path::to_path_buf),
            )
        };
        let open = self
            .active
            .metadata()
            .map_err(|e| JournalError::io("stat the journal", e))?;
        if open.nlink() == 0 {
            return Err(lost());
        }
        let path = match self.segments.last() {
            Some(s) => &s.path,
            None => return Err(lost()),
        };
        match std::fs::metadata(path) {
            Ok(m) if (m.dev(), m.ino()) == self.identity => Ok(()),
            Ok(_) => Err(lost()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(lost()),
            Err(e) => Err(JournalError::io("stat the journal by its path", e)),
        }
    }

    /// Starts a new active segment at the journal's head, once the active one is large.
    pub(crate) fn rotate_if_large(&mut self) -> Result<bool, StorageError> {
        if self.len < self.segment_bytes || self.unsynced {
            return Ok(false);
        }
        let base = self.head();
        let path = write_segment(&self.folder, base, self.segment_bytes)
            .map_err(|e| StorageError::io("start a journal segment", e))?;
        let active = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| StorageError::io("open the journal", e))?;
        let meta = active
            .metadata()
            .map_err(|e| StorageError::io("stat the journal", e))?;
        self.active = active;
        self.identity = (meta.dev(), meta.ino());
        self.len = HEADER_BYTES as u64;
        self.segments.push(Segment {
            path,
            base,
            last: base,
        });
        Ok(true)
    }

    /// Deletes the segments (never the active one) whose every commit sled holds durably.
    pub(crate) fn trim(&mut self, persisted_commit: u64) -> Result<usize, StorageError> {
        let mut removed = 0;
        while self.segments.len() > 1 && self.segments[0].last.commit <= persisted_commit {
            let s = self.segments.remove(0);
            match std::fs::remove_file(&s.path) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    self.segments.insert(0, s);
                    return Err(StorageError::io("remove a journal segment", e));
                }
            }
        }
        if removed > 0 {
            sync_dir(&self.folder).map_err(|e| StorageError::io("fsync the journal folder", e))?;
        }
        Ok(removed)
    }

    /// How many segment files the journal has.
    pub(crate) fn segment_count(&self) -> usize {
        self.segments.len()
    }
}

/// Writes a new segment starting at `base` under a temporary name, syncs it, and renames it
/// into place, so a segment file always has a whole header.
/// The segment is allocated whole at once (its size then stays `size`): an `fdatasync` of a
/// write into allocated space need not also write the file's size, which makes it about a
/// third cheaper than one that extends the file. The space reads as zeros, which end the
/// segment's frames.
fn write_segment(folder: &Path, base: JournalHead, size: u64) -> Result<PathBuf, std::io::Error> {
    let name = segment_name(base.commit + 1);
    let tmp = folder.join(format!("{name}.tmp"));
    let path = folder.join(name);
    let mut f = crate::open::create_private_file(&tmp)?;
    f.write_all(&encode_header(&base))?;
    // Without room (or support) for it, the segment grows as frames are written instead.
    let _ = rustix::fs::fallocate(&f, rustix::fs::FallocateFlags::empty(), 0, size);
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, &path)?;
    sync_dir(folder)?;
    Ok(path)
}

/// The segment files, by first commit; files of other names are ignored.
fn list_segments(folder: &Path) -> Result<Vec<(u64, PathBuf)>, std::io::Error> {
    let entries = match std::fs::read_dir(folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for e in entries {
        let e = e?;
        let name = e.file_name();
        let name = name.to_string_lossy();
        if let Some(stem) = name.strip_suffix(".wal") {
            if stem.len() == 20 {
                if let Ok(first) = stem.parse::<u64>() {
                    out.push((first, e.path()));
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn header_round_trips_and_a_flip_is_refused() {
        let base = JournalHead {
            commit: 7,
            position: 19,
            hash: Hash([3; 32]),
        };
        let bytes = encode_header(&base);
        assert_eq!(decode_header(&bytes), Some(base));
        for i in 0..HEADER_BYTES {
            let mut b = bytes;
            b[i] ^= 0x20;
            assert_eq!(decode_header(&b), None, "flip at {i} accepted");
        }
    }
}
