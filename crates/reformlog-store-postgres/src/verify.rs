//! Integrity: walking the hash chain from position 1 and reporting the first bad position in
//! the sled store's [`VerifyReport`] form.

use std::collections::HashMap;

use reformlog_store::raw::record_hash;
use reformlog_store::{BreakKind, ChainBreak, CommitInfo, Hash, HeadDigest, VerifyReport};

use crate::error::PgError;
use crate::rows::{self, EVENT_COLUMNS};
use crate::PgLog;

/// Rows fetched per query of the walk: a bounded amount in memory however long the log.
const BATCH: i64 = 1000;

/// Where the walk stands.
struct Walk {
    checked: u64,
    head: Option<HeadDigest>,
    prev: Hash,
    commit: Option<CommitInfo>,
    /// Each stream's last revision seen: revisions must follow on from 0 without gaps.
    streams: HashMap<String, u64>,
}

impl Walk {
    fn broken(&self, position: u64, kind: BreakKind) -> VerifyReport {
        VerifyReport {
            checked: self.checked,
            head: self.head,
            first_break: Some(ChainBreak { position, kind }),
        }
    }
}

impl PgLog {
    /// Walks every record from position 1 in one snapshot: positions gap-free, each row
    /// decodes, links to its predecessor's hash, hashes to its stored hash, lies in the commit
    /// it names (commits gap-free and whole), follows its stream's previous revision; and the
    /// head row names the last record.
    pub fn verify(&self) -> Result<VerifyReport, PgError> {
        self.snapshot(|tx| {
            let head_row = tx.query_one(
                "SELECT commit_number, position, hash FROM reformlog_head",
                &[],
            )?;
            let head_commit = rows::unsigned(head_row.try_get(0)?, "the head row")?;
            let head_position = rows::unsigned(head_row.try_get(1)?, "the head row")?;
            let head_hash: Vec<u8> = head_row.try_get(2)?;
            let mut walk = Walk {
                checked: 0,
                head: None,
                prev: Hash::ZERO,
                commit: None,
                streams: HashMap::new(),
            };
            // A left join: an event whose commit row is gone is reported, not skipped.
            let sql = format!(
                "SELECT {EVENT_COLUMNS}, c.number, e.commit_number \
                 FROM reformlog_events e LEFT JOIN reformlog_commits c \
                     ON c.number = e.commit_number \
                 WHERE e.position >= $1 ORDER BY e.position LIMIT $2"
            );
            loop {
                let expected = walk.checked + 1;
                let batch = tx.query(&sql, &[&rows::big(expected), &BATCH])?;
                let len = batch.len();
                for row in batch {
                    let expected = walk.checked + 1;
                    let position: i64 = row.try_get(0)?;
                    if u64::try_from(position).ok() != Some(expected) {
                        return Ok(walk.broken(expected, BreakKind::Missing));
                    }
                    if row.try_get::<_, Option<i64>>(12)?.is_none() {
                        let named: i64 = row.try_get(13)?;
                        return Ok(walk.broken(
                            expected,
                            BreakKind::Commit(format!(
                                "the record names commit {named}, which the commit table lacks"
                            )),
                        ));
                    }
                    let record = match rows::event(&row) {
                        Ok(r) => r,
                        Err(PgError::Corrupt(e)) => {
                            return Ok(walk.broken(expected, BreakKind::Undecodable(e.to_string())))
                        }
                        Err(e) => return Err(e),
                    };
                    if record.prev_hash != walk.prev {
                        return Ok(walk.broken(expected, BreakKind::BrokenLink));
                    }
                    if record_hash(&record) != record.hash {
                        return Ok(walk.broken(expected, BreakKind::ContentChanged));
                    }
                    if !walk.commit.as_ref().is_some_and(|c| c.contains(expected)) {
                        let want = walk.commit.as_ref().map_or(1, |c| c.number + 1);
                        let next = if record.commit == want {
                            let sql = format!(
                                "SELECT {} FROM reformlog_commits WHERE number = $1",
                                rows::COMMIT_COLUMNS
                            );
                            match tx.query_opt(&sql, &[&rows::big(want)])? {
                                Some(row) => Some(rows::commit_info(&row)?),
                                None => None,
                            }
                        } else {
                            None
                        };
                        match next {
                            Some(c) if c.first_position == expected => walk.commit = Some(c),
                            _ => {
                                return Ok(walk.broken(
                                    expected,
                                    BreakKind::Commit(format!(
                                        "the record names commit {}, where commit {want} starts",
                                        record.commit
                                    )),
                                ))
                            }
                        }
                    } else if walk.commit.as_ref().map(|c| c.number) != Some(record.commit) {
                        return Ok(walk.broken(
                            expected,
                            BreakKind::Commit(format!("the record names commit {}", record.commit)),
                        ));
                    }
                    let want_revision = walk.streams.get(&record.stream).map_or(0, |r| r + 1);
                    if record.revision != want_revision {
                        return Ok(walk.broken(
                            expected,
                            BreakKind::Index(format!(
                                "stream revision {} where {want_revision} follows",
                                record.revision
                            )),
                        ));
                    }
                    walk.streams.insert(record.stream.clone(), record.revision);
                    walk.prev = record.hash;
                    walk.head = Some(HeadDigest {
                        position: expected,
                        hash: record.hash,
                    });
                    walk.checked += 1;
                }
                if len < BATCH as usize {
                    break;
                }
            }
            let last = walk.checked;
            if let Some(c) = &walk.commit {
                if c.last_position != last {
                    return Ok(walk.broken(
                        last + 1,
                        BreakKind::Commit(format!(
                            "commit {} ends at position {}, the log at {last}",
                            c.number, c.last_position
                        )),
                    ));
                }
            }
            let last_commit = walk.commit.as_ref().map_or(0, |c| c.number);
            if head_position > last {
                return Ok(walk.broken(
                    last + 1,
                    BreakKind::BehindAcknowledged {
                        commit: head_commit,
                        position: head_position,
                    },
                ));
            }
            if head_position < last
                || head_commit != last_commit
                || head_hash.as_slice() != &walk.prev.0[..]
            {
                return Ok(walk.broken(
                    head_position.min(last).max(1),
                    BreakKind::Commit(format!(
                        "the head row names commit {head_commit} at position {head_position}; \
                         the log ends with commit {last_commit} at position {last}"
                    )),
                ));
            }
            Ok(VerifyReport {
                checked: walk.checked,
                head: walk.head,
                first_break: None,
            })
        })
    }
}
