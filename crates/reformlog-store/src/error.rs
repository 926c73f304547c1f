//! The store's error types, one enum per concern.

use std::path::PathBuf;

use uuid::Uuid;

use crate::append::ExpectedRevision;
use crate::chain::HeadDigest;

/// A failure of the storage engine or the file system underneath it.
#[derive(Debug, thiserror::Error)]
#[error("storage failure: {message}")]
pub struct StorageError {
    message: String,
    #[source]
    source: Option<std::io::Error>,
    /// sled found its own files damaged.
    corruption: bool,
}

impl StorageError {
    /// Whether the failure is the file system running out of space (or quota).
    pub fn is_storage_full(&self) -> bool {
        self.source.as_ref().is_some_and(is_full)
    }

    /// A failure described in words only.
    pub(crate) fn message(message: String) -> Self {
        Self {
            message,
            source: None,
            corruption: false,
        }
    }

    /// Whether sled reported its own files as damaged (rather than an I/O failure).
    pub fn is_corruption(&self) -> bool {
        self.corruption
    }

    /// An I/O failure, with what was being done. Public so that crates layered on the store
    /// report their own I/O failures (say, a worker thread that could not be started) the
    /// same way.
    pub fn io(context: &str, e: std::io::Error) -> Self {
        Self {
            message: format!("{context}: {e}"),
            source: Some(e),
            corruption: false,
        }
    }
}

impl StorageError {
    /// A failure sled reported. Crate-private (a `From<sled::Error>` impl would be public):
    /// sled is the store's engine, not part of its API.
    pub(crate) fn from_sled(e: sled::Error) -> Self {
        match e {
            sled::Error::Io(io) => Self::io("sled I/O", io),
            other => Self {
                corruption: matches!(other, sled::Error::Corruption { .. }),
                message: other.to_string(),
                source: None,
            },
        }
    }
}

/// sled's results in the store's errors, for `?` inside the crate: `.storage()?` turns a
/// `sled::Error` into a [`StorageError`], which every error enum of the store converts from.
pub(crate) trait SledResult<T> {
    fn storage(self) -> Result<T, StorageError>;
}

impl<T> SledResult<T> for sled::Result<T> {
    fn storage(self) -> Result<T, StorageError> {
        self.map_err(StorageError::from_sled)
    }
}

/// Whether an I/O error says the disk (or a quota) is full.
pub(crate) fn is_full(e: &std::io::Error) -> bool {
    // ENOSPC and EDQUOT on Linux; std maps the first to StorageFull.
    e.kind() == std::io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(28 | 122))
}

/// A head of the log: its last commit and last position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogHead {
    /// The last commit number (0 for an empty log).
    pub commit: u64,
    /// The last position (0 for an empty log).
    pub position: u64,
}

impl std::fmt::Display for LogHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "commit {} (position {})", self.commit, self.position)
    }
}

/// Bytes that could not be encoded or decoded.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CodecError {
    /// The input ended before the value did.
    #[error("truncated record")]
    Truncated,
    /// A length in the input asks for more than the decode limit allows.
    #[error("record exceeds the decode size limit")]
    TooLarge,
    /// The record's format version byte is not one this build reads.
    #[error("unknown record format version {0}")]
    UnknownRecordFormat(u8),
    /// Bytes were left over after the value.
    #[error("{0} trailing bytes after the record")]
    TrailingBytes(usize),
    /// The bytes do not form a valid value.
    #[error("invalid record: {0}")]
    Invalid(String),
    /// A value could not be encoded.
    #[error("cannot encode: {0}")]
    Encode(String),
}

/// Why a store could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// Another process (or another handle in this process) holds the store.
    #[error("the store at {path} is in use by another process")]
    Locked {
        /// The store's folder.
        path: PathBuf,
    },
    /// The folder holds a sled database that is not a reformlog store.
    #[error("{path} is not a reformlog store (bad header)")]
    NotAStore {
        /// The store's folder.
        path: PathBuf,
    },
    /// The store was written by a newer build; reading it could misread it.
    #[error("store format version {found} is newer than this build supports ({supported})")]
    NewerFormat {
        /// The version in the header.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// The store was written with another codec configuration.
    #[error("store codec {found:?} differs from this build's {expected:?}")]
    CodecMismatch {
        /// The codec named in the header.
        found: String,
        /// The codec this build writes.
        expected: String,
    },
    /// Stored data is damaged: a record, the commit table, or the journal before its tail.
    #[error("the store is damaged: {0}")]
    Corrupt(#[from] CorruptionError),
    /// The log in sled ends before the last commit the store acknowledged, and the journal no
    /// longer holds the commits between: the data files were truncated, replaced by older
    /// ones, or lost. Restore a backup (the journal's newer commits are applied on open).
    #[error(
        "the log ends at {log}, before the last acknowledged {acknowledged}; the journal no longer covers the difference (restore a backup)"
    )]
    LogBehindAcknowledged {
        /// Where sled's log ends.
        log: LogHead,
        /// The last commit the store acknowledged, from its journal.
        acknowledged: LogHead,
    },
    /// The store's journal folder is missing or holds no segment, so the store cannot tell
    /// whether its log is whole.
    #[error("the store's journal at {path} is missing; the log cannot be checked against its acknowledged head")]
    JournalMissing {
        /// The journal folder.
        path: PathBuf,
    },
    /// The log does not extend the head digest kept in the anchor file: the store was rolled
    /// back, truncated or rewritten by something outside the process (an older copy of its
    /// folder put back, say).
    #[error("{}", not_extended(.path, .anchor, .log.as_ref()))]
    AnchorNotExtended {
        /// The anchor file.
        path: PathBuf,
        /// The head digest it holds.
        anchor: HeadDigest,
        /// The log's head; `None` for an empty log.
        log: Option<HeadDigest>,
    },
    /// The anchor file cannot be read, does not hold a head digest, or cannot be written.
    #[error("the anchor file {path}: {reason}")]
    Anchor {
        /// The anchor file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The storage engine failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

fn not_extended(path: &std::path::Path, anchor: &HeadDigest, log: Option<&HeadDigest>) -> String {
    let (log_text, how) = match log {
        None => ("is empty".to_string(), "rolled back or truncated"),
        Some(l) if l.position < anchor.position => (
            format!("ends at position {} hash {}", l.position, l.hash),
            "rolled back or truncated",
        ),
        Some(l) => (
            format!(
                "has head position {} hash {} and another hash at position {}",
                l.position, l.hash, anchor.position
            ),
            "rewritten",
        ),
    };
    format!(
        "the log does not extend the anchor {}: the anchor holds position {} hash {}, the log {log_text}; \
         it was {how} outside this process (start on the store the anchor follows, or move the \
         anchor file aside to accept this log)",
        path.display(),
        anchor.position,
        anchor.hash
    )
}

/// A stored record or index entry that is not what the store wrote.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("corrupt data at {at}: {reason}")]
pub struct CorruptionError {
    /// Where: a position, or an index key.
    pub at: String,
    /// What is wrong.
    pub reason: String,
}

impl CorruptionError {
    pub(crate) fn at_position(position: u64, reason: impl ToString) -> Self {
        Self {
            at: format!("position {position}"),
            reason: reason.to_string(),
        }
    }
}

/// Why an append was refused. A refused append changes nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppendError {
    /// The stream is not at the expected revision.
    #[error("stream {stream:?}: expected {expected}, actual {}", describe_actual(*.actual))]
    WrongExpectedRevision {
        /// The stream.
        stream: String,
        /// What the caller expected.
        expected: ExpectedRevision,
        /// The stream's current last revision, or `None` when it does not exist.
        actual: Option<u64>,
    },
    /// The event id is already stored with different content.
    #[error("event id {event_id} is already stored at position {position} with different content")]
    EventIdConflict {
        /// The reused id.
        event_id: Uuid,
        /// Where the stored event is.
        position: u64,
    },
    /// Some events of the call are stored already and some are not, so it is neither a retry
    /// nor a new append.
    #[error("event id {event_id} is already stored but other events of the same append are not")]
    PartialDuplicate {
        /// A stored id.
        event_id: Uuid,
    },
    /// One event id appears twice in the same call.
    #[error("event id {0} appears twice in one append")]
    DuplicateIdInRequest(Uuid),
    /// One stream appears twice in the same multi-stream append.
    #[error("stream {0:?} appears twice in one append")]
    DuplicateStreamInRequest(String),
    /// The call has no events, or a stream entry with no events.
    #[error("an append needs at least one event per stream")]
    Empty,
    /// A stream id is empty, too long or contains control characters.
    #[error("invalid stream id {stream:?}: {reason}")]
    InvalidStreamId {
        /// The id as given.
        stream: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// An event type name is empty, too long or contains control characters.
    #[error("invalid event type {event_type:?}: {reason}")]
    InvalidEventType {
        /// The name as given.
        event_type: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The event is larger than the store accepts.
    #[error("event {event_id} is too large: {size} bytes, limit {limit}")]
    TooLarge {
        /// The event.
        event_id: Uuid,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// An earlier storage failure left the in-memory state uncertain; reopen the store.
    #[error("the store refused writes after an earlier storage failure; reopen it")]
    Poisoned,
    /// The disk (or a quota) is full: the commit could not be journaled and nothing of it was
    /// kept. Appends succeed again once space is freed.
    #[error("no space left to journal the commit; nothing was written ({0})")]
    StorageFull(String),
    /// The store's files were unlinked or replaced under the running store (its folder deleted
    /// or moved): nothing more is acknowledged. Reopen the store where its files are.
    #[error("the store's files at {0} were deleted or replaced; no write is acknowledged")]
    StoreLost(PathBuf),
    /// The commit was journaled durably but could not be installed where readers see it; it
    /// reappears when the store is reopened. Retrying with the same event ids settles it.
    #[error("the commit is journaled but could not be made visible ({0}); reopen the store")]
    OutcomeUnknown(String),
    /// Writing the commit to the journal, or its `fdatasync`, failed with an I/O error other
    /// than a full disk: the commit was taken back and nothing of it is visible, but its bytes
    /// may have reached the disk before the failure, so whether a reopen after a crash finds
    /// it is not known. Retrying with the same event ids settles it: the retry is written, or
    /// is found to be a duplicate of the commit that came back.
    #[error("the journal write failed and the commit was taken back, but it may have reached the disk ({0})")]
    JournalFailed(String),
    /// Reading existing data for the checks failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The storage engine failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

fn describe_actual(actual: Option<u64>) -> String {
    match actual {
        Some(r) => format!("revision {r}"),
        None => "no stream".to_string(),
    }
}

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Stored bytes are not what the store wrote.
    #[error(transparent)]
    Corrupt(#[from] CorruptionError),
    /// The configured upcaster refused an event.
    #[error("upcasting event at position {position} failed: {reason}")]
    Upcast {
        /// The event's position.
        position: u64,
        /// What the upcaster said.
        reason: String,
    },
    /// The storage engine failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<ReadError> for OpenError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Corrupt(c) => OpenError::Corrupt(c),
            ReadError::Storage(s) => OpenError::Storage(s),
            ReadError::Upcast { position, reason } => OpenError::Corrupt(CorruptionError {
                at: format!("position {position}"),
                reason,
            }),
        }
    }
}

/// Why [`Store::append_recorded`](crate::Store::append_recorded) did not append a commit
/// recorded by another log. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplicateError {
    /// The commit does not continue this log where it ends, or its records do not hold
    /// together (positions, commit number, time, hash links, content hashes).
    #[error("the recorded commit does not continue this log: {0}")]
    Mismatch(String),
    /// Reading this log's streams failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The store takes no writes now, or the write failed.
    #[error(transparent)]
    Write(#[from] AppendError),
}

/// Why a snapshot (`Store::snapshot_to`) was not taken. The store copied from is never
/// changed, and no folder appears under the name asked for: at most the temporary
/// `.<name>.partial` beside it, which the next snapshot to that name removes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The folder asked for exists already.
    #[error("{0} exists; a snapshot goes into a new folder")]
    Exists(PathBuf),
    /// The path names no new folder (it ends in `..` or is a root).
    #[error("{0} does not name a new folder")]
    InvalidTarget(PathBuf),
    /// The log breaks where the copy reads it; a broken chain is not copied.
    #[error("the log breaks at position {position}: {reason}; not copying a broken chain")]
    Broken {
        /// The first bad position.
        position: u64,
        /// What is wrong there.
        reason: String,
    },
    /// Reading the log failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The copy could not be created or reopened.
    #[error("cannot open the copy at {path}: {source}")]
    Open {
        /// The copy's (temporary) folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: Box<OpenError>,
    },
    /// Writing the copy failed (a full disk, say).
    #[error("cannot write the copy at {path}: {source}")]
    Copy {
        /// The copy's (temporary) folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: AppendError,
    },
    /// The copy, reopened, does not verify or does not end where the snapshot does.
    #[error("the copy at {path} does not match the log: {reason}")]
    Mismatch {
        /// The copy's (temporary) folder.
        path: PathBuf,
        /// What differs.
        reason: String,
    },
    /// A file operation on the folders failed.
    #[error("{context} {path}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// On what.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl SnapshotError {
    /// Whether the disk (or a quota) filled up while the copy was written.
    pub fn is_storage_full(&self) -> bool {
        match self {
            SnapshotError::Copy { source, .. } => match source {
                AppendError::StorageFull(_) => true,
                AppendError::Storage(s) => s.is_storage_full(),
                _ => false,
            },
            SnapshotError::Open { source, .. } => {
                matches!(&**source, OpenError::Storage(s) if s.is_storage_full())
            }
            SnapshotError::Io { source, .. } => is_full(source),
            _ => false,
        }
    }
}
