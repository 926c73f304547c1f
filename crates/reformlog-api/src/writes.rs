//! What writes, verifications and backups answer: the positions a write reached, the head
//! digest, a verification report, a backup written.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a write reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WriteResult {
    /// The first position appended (or of the original write, for a retry).
    pub first_position: u64,
    /// Pass as `min_position` to later reads to see this write.
    pub last_position: u64,
    /// (stream, event type) of each event appended.
    pub events: Vec<(String, String)>,
    /// True when this was a retry of a write already recorded (same Idempotency-Key), or
    /// every change was already recorded (`skip_recorded`).
    pub deduplicated: bool,
    /// With `skip_recorded`: the indices of the commands already recorded, which this write
    /// skipped (for a decision batch, 0 is the decision and 1.. its changes).
    #[serde(default)]
    pub skipped: Vec<usize>,
    /// True for a dry run: nothing was appended.
    #[serde(default)]
    pub dry_run: bool,
}

/// The head digest an outside party can keep and later check (`POST /v1/integrity/verify`
/// takes it back as `expect_head`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestView {
    /// The position of the last record (from 1).
    #[schema(minimum = 1)]
    pub position: u64,
    /// The last record's BLAKE3 hash: 64 hexadecimal digits.
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    pub hash: String,
}

/// The result of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VerifyView {
    /// True when every record and index checked out (and the log extends `expect_head`,
    /// when one was given).
    pub ok: bool,
    /// How many records were checked.
    pub checked: u64,
    /// The head digest of what was checked; `null` for an empty log.
    pub head: Option<DigestView>,
    /// The first bad position, when the chain breaks (the kept position, when the log does
    /// not extend `expect_head`).
    pub first_bad_position: Option<u64>,
    /// What is wrong there, for a person.
    pub reason: Option<String>,
    /// Whether the log extends the request's `expect_head`. Left out when the request gave
    /// none, or when the chain broke before the digest could be checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<bool>,
}

/// A backup written and verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BackupView {
    /// The backup folder on the daemon's host (give it to `reformctl restore`).
    pub path: String,
    /// When the backup started (RFC 3339, UTC).
    pub created_at: String,
    /// The last commit it holds (0 for an empty log): writes acknowledged after it are not in
    /// the backup.
    pub commit: u64,
    /// Its head digest; `null` for an empty log.
    pub head: Option<DigestView>,
    /// How many records it holds.
    pub records: u64,
    /// How many files it has (the manifest lists each).
    pub files: usize,
    /// The bytes of those files.
    pub bytes: u64,
}
