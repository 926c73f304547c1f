//! Reading the journal back on open: every segment checked, a torn tail zeroed and reported,
//! damage named, and the commits sled lacks handed back to be installed.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::Path;

use super::{
    check, decode_header, list_segments, Journal, JournalHead, Segment, TornTail, FOLDER,
    FRAME_BODY_VERSION, FRAME_HEAD_BYTES, HEADER_BYTES, SEGMENT_BYTES,
};
use crate::codec;
use crate::commit::StagedCommit;
use crate::error::{CorruptionError, OpenError, StorageError};

/// What reading the journal on open found.
pub(crate) struct Recovered {
    pub(crate) journal: Journal,
    /// The commits after `after`, in order, to install in sled.
    pub(crate) commits: Vec<StagedCommit>,
    /// The last commit the journal holds.
    pub(crate) head: JournalHead,
    /// The oldest base: the journal covers every commit after it.
    pub(crate) covers_from: JournalHead,
    /// The journal's own record of commit `after` (when it still holds it), to check sled's.
    pub(crate) at_after: Option<JournalHead>,
    pub(crate) torn: Option<TornTail>,
}

fn corrupt(path: &Path, commit: u64, position: u64, reason: &str) -> OpenError {
    CorruptionError {
        at: format!(
            "journal {} at commit {commit} (position {position})",
            path.display()
        ),
        reason: reason.to_string(),
    }
    .into()
}

/// One frame read from a segment: where it ends and its body.
enum Read1<'a> {
    Frame {
        end: usize,
        body: &'a [u8],
    },
    End,
    /// The bytes from here on are not a whole good frame.
    Bad(&'static str),
}

fn read_frame(bytes: &[u8], at: usize) -> Read1<'_> {
    let rest = &bytes[at..];
    // Allocated space not written yet reads as zeros.
    if rest.iter().all(|&b| b == 0) {
        return Read1::End;
    }
    if rest.len() < FRAME_HEAD_BYTES {
        return Read1::Bad("a partial frame header");
    }
    let len_bytes = &rest[..4];
    let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
    if len == 0 {
        return Read1::Bad("an empty frame");
    }
    if rest.len() - FRAME_HEAD_BYTES < len {
        return Read1::Bad("a frame longer than the file");
    }
    let body = &rest[FRAME_HEAD_BYTES..FRAME_HEAD_BYTES + len];
    if check(&[len_bytes, body]) != rest[4..12] {
        return Read1::Bad("a frame whose check does not match");
    }
    Read1::Frame {
        end: at + FRAME_HEAD_BYTES + len,
        body,
    }
}

impl Journal {
    /// Reads every segment, cuts a torn tail, and returns the commits after `after` (sled's
    /// head) to install.
    pub(crate) fn recover(store: &Path, after: u64) -> Result<Recovered, OpenError> {
        let folder = store.join(FOLDER);
        let names = list_segments(&folder).map_err(|e| StorageError::io("list the journal", e))?;
        if names.is_empty() {
            return Err(OpenError::JournalMissing { path: folder });
        }
        let mut segments: Vec<Segment> = Vec::with_capacity(names.len());
        let mut commits = Vec::new();
        let mut torn = None;
        let mut at_after = None;
        let mut active_len = 0u64;
        let count = names.len();
        for (i, (first, path)) in names.into_iter().enumerate() {
            let is_last = i + 1 == count;
            let mut bytes = Vec::new();
            File::open(&path)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(|e| StorageError::io("read a journal segment", e))?;
            let base = decode_header(&bytes)
                .ok_or_else(|| corrupt(&path, first, 0, "the segment header is damaged"))?;
            if base.commit + 1 != first {
                return Err(corrupt(
                    &path,
                    first,
                    base.position,
                    "the segment's name and header disagree",
                ));
            }
            if let Some(prev) = segments.last() {
                if prev.last != base {
                    return Err(corrupt(
                        &path,
                        base.commit + 1,
                        base.position + 1,
                        "the segment does not continue the one before it",
                    ));
                }
            }
            if base.commit == after {
                at_after = Some(base);
            }
            let mut last = base;
            let mut at = HEADER_BYTES;
            loop {
                match read_frame(&bytes, at) {
                    Read1::End => break,
                    Read1::Frame { end, body } => {
                        let commit = codec::decode_frame(body).map_err(|e| {
                            corrupt(&path, last.commit + 1, last.position + 1, &e.to_string())
                        })?;
                        if commit.info.number != last.commit + 1
                            || commit.info.first_position != last.position + 1
                            || commit.prev_hash != last.hash
                        {
                            return Err(corrupt(
                                &path,
                                last.commit + 1,
                                last.position + 1,
                                "the frame does not continue the commit before it",
                            ));
                        }
                        last = JournalHead {
                            commit: commit.info.number,
                            position: commit.info.last_position,
                            hash: commit.last_hash(),
                        };
                        if last.commit == after {
                            at_after = Some(last);
                        }
                        if commit.info.number > after {
                            commits.push(commit);
                        }
                        at = end;
                    }
                    Read1::Bad(why) => {
                        // A bad frame is a torn write only at the very end: with a good frame
                        // anywhere after it, it was acknowledged, and cutting it would drop
                        // acknowledged commits. (Cut frames of commits sled holds lose
                        // nothing: the journal then restarts at sled's head.)
                        if !is_last || good_frame_after(&bytes, at) {
                            return Err(corrupt(&path, last.commit + 1, last.position + 1, why));
                        }
                        let cut = TornTail {
                            segment: path.clone(),
                            offset: at as u64,
                            bytes_cut: (bytes.len() - at) as u64,
                        };
                        let f = OpenOptions::new()
                            .write(true)
                            .open(&path)
                            .map_err(|e| StorageError::io("open the journal to cut its tail", e))?;
                        // Zeros over the torn bytes keep the segment's allocated size.
                        let end = bytes.iter().rposition(|&b| b != 0).map_or(at, |i| i + 1);
                        f.write_all_at(&vec![0u8; end.saturating_sub(at)], at as u64)
                            .and_then(|()| f.sync_all())
                            .map_err(|e| StorageError::io("cut the journal's torn tail", e))?;
                        torn = Some(TornTail {
                            bytes_cut: end.saturating_sub(at) as u64,
                            ..cut
                        });
                        break;
                    }
                }
            }
            if is_last {
                active_len = at as u64;
            }
            segments.push(Segment { path, base, last });
        }
        // Leftovers of a segment start that did not finish.
        remove_temporaries(&folder);
        let Some(active_segment) = segments.last() else {
            return Err(OpenError::JournalMissing { path: folder });
        };
        let head = active_segment.last;
        let active = OpenOptions::new()
            .write(true)
            .open(&active_segment.path)
            .map_err(|e| StorageError::io("open the journal", e))?;
        let meta = active
            .metadata()
            .map_err(|e| StorageError::io("stat the journal", e))?;
        let covers_from = segments[0].base;
        Ok(Recovered {
            journal: Journal {
                folder,
                segments,
                active,
                len: active_len,
                identity: (meta.dev(), meta.ino()),
                unsynced: false,
                syncs: 0,
                segment_bytes: SEGMENT_BYTES,
            },
            commits,
            head,
            covers_from,
            at_after,
            torn,
        })
    }
}

/// Whether a whole, checked frame starts anywhere after `at`. The damaged frame's own length
/// cannot be trusted, so every later offset whose body would begin with a frame's version
/// byte is tried; a false match needs a 64-bit check to agree by chance.
fn good_frame_after(bytes: &[u8], at: usize) -> bool {
    (at + 1..bytes.len().saturating_sub(FRAME_HEAD_BYTES))
        .filter(|&i| bytes.get(i + FRAME_HEAD_BYTES) == Some(&FRAME_BODY_VERSION))
        .any(|i| matches!(read_frame(bytes, i), Read1::Frame { .. }))
}

fn remove_temporaries(folder: &Path) {
    if let Ok(entries) = std::fs::read_dir(folder) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().ends_with(".wal.tmp") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}
