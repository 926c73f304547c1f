//! Integrity: walking the hash chain and the indexes, and checking a kept digest.

use serde::{Deserialize, Serialize};

use crate::chain::{record_hash, HeadDigest};
use crate::commit::CommitInfo;
use crate::error::{ReadError, SledResult, StorageError};
use crate::hash::Hash;
use crate::keys;
use crate::store::Store;

/// The result of walking the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// How many records were checked before the walk ended.
    pub checked: u64,
    /// The head digest the walk reached (the last good record).
    pub head: Option<HeadDigest>,
    /// The first position that failed, and why; `None` when the whole log verified.
    pub first_break: Option<ChainBreak>,
}

impl VerifyReport {
    /// True when the whole log verified.
    pub fn is_ok(&self) -> bool {
        self.first_break.is_none()
    }
}

/// Where the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("chain breaks at position {position}: {kind}")]
pub struct ChainBreak {
    /// The first bad position.
    pub position: u64,
    /// What is wrong there.
    pub kind: BreakKind,
}

/// What is wrong at a break.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum BreakKind {
    /// No record is stored at a position below the head.
    #[error("record missing")]
    Missing,
    /// The record's bytes do not decode.
    #[error("record does not decode: {0}")]
    Undecodable(String),
    /// The record names another position than the key it is stored under.
    #[error("record names position {0}")]
    WrongPosition(u64),
    /// `prev_hash` is not the previous record's hash.
    #[error("previous-hash link does not match the previous record")]
    BrokenLink,
    /// The stored hash is not the hash of the record's content.
    #[error("content does not match its hash")]
    ContentChanged,
    /// A stream revision or event id index entry does not point back at the record.
    #[error("index entry missing or wrong: {0}")]
    Index(String),
    /// The record at a kept digest's position has another hash: the log was rewritten.
    #[error("hash differs from the kept digest")]
    DigestMismatch,
    /// The log ends before a kept digest's position: it was rolled back or truncated.
    #[error("the log ends before the kept digest's position")]
    BeyondHead,
    /// The record's commit is missing from the commit table, or commits do not follow each
    /// other without gaps.
    #[error("commit table: {0}")]
    Commit(String),
    /// The log ends before the last commit the journal acknowledged.
    #[error("the log ends before the acknowledged head, commit {commit} at position {position}")]
    BehindAcknowledged {
        /// The acknowledged commit.
        commit: u64,
        /// Its last position.
        position: u64,
    },
}

impl Store {
    /// Walks every visible record from position 1: positions gap-free, each record decodes,
    /// names its own position, links to its predecessor's hash, hashes to its stored hash, and
    /// is reachable through the stream-revision and event-id indexes.
    pub fn verify(&self) -> Result<VerifyReport, ReadError> {
        let visible = self.inner.settle();
        let tree = &self.inner.tree;
        let mut prev = Hash::ZERO;
        let mut checked = 0u64;
        let mut head = None;
        let mut expected = 1u64;
        let mut commit: Option<CommitInfo> = None;
        let broken = |position: u64, kind: BreakKind, checked: u64, head| VerifyReport {
            checked,
            head,
            first_break: Some(ChainBreak { position, kind }),
        };
        for item in tree.range(keys::log(1)..=keys::log(visible.max(1))) {
            let (key, value) = match item {
                Ok(kv) => kv,
                // sled found its pages damaged where the walk stands: name that position.
                Err(e @ sled::Error::Corruption { .. }) => {
                    return Ok(broken(
                        expected,
                        BreakKind::Undecodable(format!("sled: {e}")),
                        checked,
                        head,
                    ))
                }
                Err(e) => return Err(StorageError::from_sled(e).into()),
            };
            let Some(position) = keys::log_position(&key) else {
                return Ok(broken(expected, BreakKind::Missing, checked, head));
            };
            if position > visible {
                break;
            }
            if position != expected {
                return Ok(broken(expected, BreakKind::Missing, checked, head));
            }
            let record = match self.inner.complete(position, &value, Some(prev), &mut None) {
                Ok(r) => r,
                Err(ReadError::Corrupt(e)) => {
                    return Ok(broken(
                        position,
                        BreakKind::Undecodable(e.to_string()),
                        checked,
                        head,
                    ))
                }
                Err(e) => return Err(e),
            };
            if record.position != position {
                return Ok(broken(
                    position,
                    BreakKind::WrongPosition(record.position),
                    checked,
                    head,
                ));
            }
            if record.prev_hash != prev {
                return Ok(broken(position, BreakKind::BrokenLink, checked, head));
            }
            if record_hash(&record) != record.hash {
                return Ok(broken(position, BreakKind::ContentChanged, checked, head));
            }
            if !commit.as_ref().is_some_and(|c| c.contains(position)) {
                let want = commit.as_ref().map_or(1, |c| c.number + 1);
                let next = if record.commit == want {
                    self.inner.commit_info(want).ok()
                } else {
                    None
                };
                match next {
                    Some(c) if c.first_position == position => commit = Some(c),
                    _ => {
                        return Ok(broken(
                            position,
                            BreakKind::Commit(format!(
                                "the record names commit {}, where commit {want} starts",
                                record.commit
                            )),
                            checked,
                            head,
                        ))
                    }
                }
            } else if commit.as_ref().map(|c| c.number) != Some(record.commit) {
                return Ok(broken(
                    position,
                    BreakKind::Commit(format!("the record names commit {}", record.commit)),
                    checked,
                    head,
                ));
            }
            if self.inner.position_of_id(&record.event_id)? != Some(position) {
                return Ok(broken(
                    position,
                    BreakKind::Index("event id".into()),
                    checked,
                    head,
                ));
            }
            let stream_no = match tree.get(keys::stream(&record.stream)).storage()? {
                Some(v) => keys::read_u64(&v),
                None => None,
            };
            let by_rev = match stream_no {
                Some(no) => self.inner.position_of_revision(no, record.revision)?,
                None => None,
            };
            if by_rev != Some(position) {
                return Ok(broken(
                    position,
                    BreakKind::Index("stream revision".into()),
                    checked,
                    head,
                ));
            }
            prev = record.hash;
            head = Some(HeadDigest {
                position,
                hash: record.hash,
            });
            checked += 1;
            expected += 1;
        }
        if expected <= visible {
            return Ok(broken(expected, BreakKind::Missing, checked, head));
        }
        if let Some(c) = &commit {
            if c.last_position != visible {
                return Ok(broken(
                    c.last_position.min(visible) + 1,
                    BreakKind::Commit(format!(
                        "commit {} ends at position {}, the log at {visible}",
                        c.number, c.last_position
                    )),
                    checked,
                    head,
                ));
            }
        }
        let (acknowledged, unsynced) = {
            let j = crate::store::lock(&self.inner.journal);
            (j.head(), j.has_unsynced())
        };
        if !unsynced && acknowledged.position > visible {
            return Ok(broken(
                visible + 1,
                BreakKind::BehindAcknowledged {
                    commit: acknowledged.commit,
                    position: acknowledged.position,
                },
                checked,
                head,
            ));
        }
        Ok(VerifyReport {
            checked,
            head,
            first_break: None,
        })
    }

    /// Verifies the whole log and that it still extends `kept`: the record at the kept
    /// position has the kept hash. An outside party that stored a digest uses this to detect a
    /// rewritten history.
    pub fn verify_extends(&self, kept: &HeadDigest) -> Result<VerifyReport, ReadError> {
        let report = self.verify()?;
        if report.first_break.is_some() {
            return Ok(report);
        }
        let visible = self.inner.settle();
        let kind = if kept.position > visible {
            Some(BreakKind::BeyondHead)
        } else if kept.position == 0 || self.inner.hash_at(kept.position)? != kept.hash {
            Some(BreakKind::DigestMismatch)
        } else {
            None
        };
        Ok(match kind {
            None => report,
            Some(kind) => VerifyReport {
                first_break: Some(ChainBreak {
                    position: kept.position,
                    kind,
                }),
                ..report
            },
        })
    }
}
