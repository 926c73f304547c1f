//! `Store::append_recorded`: a commit recorded by another log (a snapshot's source, a
//! PostgreSQL log this store follows, a store being migrated) appended exactly as it was
//! recorded, every number and hash checked against this store's head first.

use std::sync::Arc;

use crate::chain::record_hash;
use crate::commit::{Commit, CommitInfo, StagedCommit, StagedStream};
use crate::error::{AppendError, ReadError, ReplicateError};
use crate::journal;
use crate::record::RecordedEvent;
use crate::round::Ticket;
use crate::store::{lock, Inner, Store};

/// Where a stream new to this store gets its number.
pub(crate) enum StreamNumbers<'a> {
    /// The number the source store gave it, so the copy's keys are the source's.
    From(&'a Inner),
    /// The next free number here: the source has none, or its numbers mean nothing here.
    Next,
}

/// Why a recorded commit was not staged.
pub(crate) enum StageFault {
    /// The store takes no writes now.
    Refused(AppendError),
    /// Reading a stream's head failed.
    Read(ReadError),
    /// The commit does not continue this store's log as it stands.
    Mismatch(String),
}

impl Store {
    /// Appends `commit`, recorded by another log, exactly as it was recorded: the same commit
    /// number, positions, revisions, event ids, times, metadata, payloads and hashes. Returns
    /// once it is durable and visible, as [`Store::append_multi`] does.
    ///
    /// Nothing is written unless the commit continues this log where it ends: the next commit
    /// number and position, each record's revision next in its stream, its previous-hash link
    /// equal to the hash before it, its hash what its content gives, and every record naming
    /// the commit, at a time after the commit before it. This is how a store is kept as a copy
    /// of another log: two logs that took the same commits through here end with the same head
    /// digest.
    pub fn append_recorded(&self, commit: &Commit) -> Result<(), ReplicateError> {
        check_records(commit).map_err(ReplicateError::Mismatch)?;
        // "As known at" a time resolves to whole commits only while commit times increase.
        // Commit 0 does not exist: the first commit has none before it.
        let before = commit.info.number.saturating_sub(1);
        if let Some(prev) = self.commit_info(before)? {
            if commit.info.recorded_at <= prev.recorded_at {
                return Err(ReplicateError::Mismatch(format!(
                    "commit {} is recorded at {}, not after commit {before} at {}",
                    commit.info.number, commit.info.recorded_at, prev.recorded_at
                )));
            }
        }
        let staged = self.inner.stage_recorded(
            commit.info.clone(),
            commit.events.clone(),
            StreamNumbers::Next,
        );
        let (ticket, _) = staged.map_err(|fault| match fault {
            StageFault::Refused(e) => ReplicateError::Write(e),
            StageFault::Read(e) => ReplicateError::Read(e),
            StageFault::Mismatch(reason) => ReplicateError::Mismatch(reason),
        })?;
        self.inner
            .wait_durable(&ticket)
            .map_err(ReplicateError::Write)
    }
}

/// The checks a commit passes on its own, before it is held against any log: its records fill
/// its positions in order, name it, carry its time, link to each other, and each hashes to
/// what it says. Another backend's copy of a log makes the same checks with it.
pub fn check_records(commit: &Commit) -> Result<(), String> {
    let info = &commit.info;
    if info.number == 0 || info.first_position == 0 || info.last_position < info.first_position {
        return Err(format!(
            "commit {} spans positions {} to {}",
            info.number, info.first_position, info.last_position
        ));
    }
    if commit.events.len() as u64 != info.len() {
        return Err(format!(
            "commit {} spans {} positions but holds {} records",
            info.number,
            info.len(),
            commit.events.len()
        ));
    }
    for (i, r) in commit.events.iter().enumerate() {
        let position = info.first_position + i as u64;
        if r.position != position {
            return Err(format!(
                "record {} of commit {} is at position {}, not {position}",
                i + 1,
                info.number,
                r.position
            ));
        }
        if r.commit != info.number || r.recorded_at != info.recorded_at {
            return Err(format!(
                "position {position} names commit {} at {}, not commit {} at {}",
                r.commit, r.recorded_at, info.number, info.recorded_at
            ));
        }
        if i > 0 && r.prev_hash != commit.events[i - 1].hash {
            return Err(format!(
                "position {position}: its previous-hash link does not match the record before it"
            ));
        }
        if record_hash(r) != r.hash {
            return Err(format!(
                "position {position}: its content does not match its hash"
            ));
        }
    }
    Ok(())
}

impl Inner {
    /// Stages a recorded commit continuing this store's log and returns its ticket and the
    /// size of its journal frame; streams new here are numbered as `numbering` says.
    pub(crate) fn stage_recorded(
        &self,
        info: CommitInfo,
        records: Vec<RecordedEvent>,
        numbering: StreamNumbers<'_>,
    ) -> Result<(Arc<Ticket>, u64), StageFault> {
        let mismatch = StageFault::Mismatch;
        let mut w = lock(&self.writer);
        if let Some(e) = w.refusal() {
            return Err(StageFault::Refused(e));
        }
        if info.number != w.next_commit || info.first_position != w.next_position {
            return Err(mismatch(format!(
                "commit {} at position {} does not follow commit {} at position {}",
                info.number,
                info.first_position,
                w.next_commit - 1,
                w.next_position - 1
            )));
        }
        let prev_hash = w.last_hash;
        if records.first().is_some_and(|r| r.prev_hash != prev_hash) {
            return Err(mismatch(format!(
                "position {}: its previous-hash link does not match the head {}",
                info.first_position,
                w.next_position - 1
            )));
        }
        let mut next_stream_no = w.next_stream_no;
        let mut streams: Vec<StagedStream> = Vec::new();
        let mut start = 0;
        while let Some(first) = records.get(start) {
            let stream = first.stream.clone();
            let run = records[start..]
                .iter()
                .take_while(|r| r.stream == stream)
                .count();
            if streams.iter().any(|s| s.stream == stream) {
                return Err(mismatch(format!(
                    "commit {} holds stream {stream:?} in two runs",
                    info.number
                )));
            }
            let head = self
                .stream_head_locked(&mut w, &stream)
                .map_err(StageFault::Read)?;
            let (stream_no, created, first_revision) = match head {
                Some((no, last)) => (no, false, last.map_or(0, |r| r + 1)),
                None => {
                    let no = match numbering {
                        StreamNumbers::From(source) => source
                            .stream_number(&stream)
                            .map_err(StageFault::Read)?
                            .ok_or_else(|| {
                                mismatch(format!("stream {stream:?} has no number in the log"))
                            })?,
                        StreamNumbers::Next => next_stream_no,
                    };
                    next_stream_no = next_stream_no.max(no + 1);
                    (no, true, 0)
                }
            };
            for (i, r) in records[start..start + run].iter().enumerate() {
                if r.revision != first_revision + i as u64 {
                    return Err(mismatch(format!(
                        "position {} is revision {} of {stream:?}, where this log is at {}",
                        r.position,
                        r.revision,
                        first_revision + i as u64
                    )));
                }
            }
            streams.push(StagedStream {
                stream,
                stream_no,
                created,
                first_revision,
                events: run,
            });
            start += run;
        }
        let commit = StagedCommit {
            info,
            prev_hash,
            streams,
            records,
        };
        let mut frame = Vec::new();
        journal::encode_frame(&commit, &mut frame)
            .map_err(|e| StageFault::Refused(AppendError::from(e)))?;
        let bytes = frame.len() as u64;
        Ok((self.enqueue(&mut w, commit, frame, next_stream_no), bytes))
    }
}
