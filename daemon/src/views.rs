//! JSON shapes of store-level things (events, digests, verify reports) as the API shows them.

use reformlog_store::{BreakKind, HeadDigest, RecordedEvent, VerifyReport};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A recorded event: the store's envelope and the decoded domain event.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EventView {
    /// Global position (gap-free, from 1).
    pub(crate) position: u64,
    /// The commit (one atomic write) the event belongs to: gap-free, from 1; every event of a
    /// commit has the same `recorded_at`.
    pub(crate) commit: u64,
    pub(crate) stream: String,
    /// Revision within the stream (from 0).
    pub(crate) revision: u64,
    pub(crate) event_id: String,
    pub(crate) event_type: String,
    pub(crate) schema_version: u32,
    /// When the log recorded the event (RFC 3339, UTC, microseconds).
    pub(crate) recorded_at: String,
    pub(crate) actor: String,
    pub(crate) reason: Option<String>,
    pub(crate) source: Option<String>,
    pub(crate) correlation_id: Option<String>,
    pub(crate) causation_id: Option<String>,
    #[schema(value_type = Object)]
    pub(crate) extra: std::collections::BTreeMap<String, String>,
    /// The domain event as JSON, or `null` when the payload is not a domain event this build
    /// knows.
    #[schema(value_type = Object)]
    pub(crate) data: serde_json::Value,
    /// Hash of the previous record (hex).
    pub(crate) prev_hash: String,
    /// This record's hash (hex).
    pub(crate) hash: String,
}

impl EventView {
    pub(crate) fn new(e: RecordedEvent) -> Self {
        let data = event_json(&e);
        Self {
            position: e.position,
            commit: e.commit,
            stream: e.stream,
            revision: e.revision,
            event_id: e.event_id.to_string(),
            event_type: e.event_type,
            schema_version: e.schema_version,
            recorded_at: e.recorded_at.to_rfc3339_micros(),
            actor: e.metadata.actor,
            reason: e.metadata.reason,
            source: e.metadata.source,
            correlation_id: e.metadata.correlation_id.map(|u| u.to_string()),
            causation_id: e.metadata.causation_id.map(|u| u.to_string()),
            extra: e.metadata.extra,
            data,
            prev_hash: e.prev_hash.to_hex(),
            hash: e.hash.to_hex(),
        }
    }
}

/// The domain event inside a stored record as JSON, or `null` for a payload this build does
/// not know.
pub(crate) fn event_json(e: &RecordedEvent) -> serde_json::Value {
    reformlog::decode_event(e)
        .ok()
        .and_then(|ev| serde_json::to_value(ev).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// A page of the global log.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EventPage {
    pub(crate) events: Vec<EventView>,
    /// The position to continue from (the `from` of the next page), if there is more.
    pub(crate) next: Option<u64>,
    /// The log head when the page was read.
    pub(crate) head: u64,
}

/// The head digest an outside party can keep and later check (`POST /v1/integrity/verify`
/// takes it back as `expect_head`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DigestView {
    /// The position of the last record (from 1).
    #[schema(minimum = 1)]
    pub(crate) position: u64,
    /// The last record's BLAKE3 hash: 64 hexadecimal digits.
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    pub(crate) hash: String,
}

impl From<HeadDigest> for DigestView {
    fn from(d: HeadDigest) -> Self {
        Self {
            position: d.position,
            hash: d.hash.to_hex(),
        }
    }
}

/// The result of walking the whole chain.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct VerifyView {
    pub(crate) ok: bool,
    pub(crate) checked: u64,
    pub(crate) head: Option<DigestView>,
    /// The first bad position, when the chain breaks (the kept position, when the log does
    /// not extend `expect_head`).
    pub(crate) first_bad_position: Option<u64>,
    pub(crate) reason: Option<String>,
    /// Whether the log extends the request's `expect_head`. Left out when the request gave
    /// none, or when the chain broke before the digest could be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) extends: Option<bool>,
}

impl VerifyView {
    /// The answer to a verification that checked `expect_head` (`Store::verify_extends`).
    pub(crate) fn checked_against(r: VerifyReport) -> Self {
        let extends = match &r.first_break {
            None => Some(true),
            Some(b) if matches!(b.kind, BreakKind::DigestMismatch | BreakKind::BeyondHead) => {
                Some(false)
            }
            // The chain itself broke, so the digest was never compared.
            Some(_) => None,
        };
        Self {
            extends,
            ..r.into()
        }
    }
}

impl From<VerifyReport> for VerifyView {
    fn from(r: VerifyReport) -> Self {
        Self {
            ok: r.first_break.is_none(),
            checked: r.checked,
            head: r.head.map(Into::into),
            first_bad_position: r.first_break.as_ref().map(|b| b.position),
            reason: r.first_break.map(|b| b.kind.to_string()),
            extends: None,
        }
    }
}

/// The body of a `report_progress` command (`{"report_progress": {...}}` in `commands`), as
/// the library takes it.
#[derive(Debug, ToSchema)]
#[schema(as = ReportProgress)]
#[allow(dead_code)] // documents the OpenAPI shape only
pub(crate) struct ReportProgressSchema {
    /// The task (UUID).
    task: uuid::Uuid,
    /// 0 to 100.
    percent: u8,
    /// What was done.
    note: String,
    /// What the report cites; may be left out. A plain string is taken as the note.
    evidence: Option<EvidenceSchema>,
    /// The date the report speaks for (YYYY-MM-DD).
    on: String,
    /// The decision that orders the change (UUID), if one does.
    decision: Option<uuid::Uuid>,
}

/// A progress report's evidence: documents and free text. Answers give it in full (a task's
/// `last_report`, its history's `task_progress_reported` events).
#[derive(Debug, ToSchema)]
#[schema(as = Evidence)]
#[allow(dead_code)] // documents the OpenAPI shape only
pub(crate) struct EvidenceSchema {
    /// Free text, e.g. "công văn số 1".
    note: Option<String>,
    /// The documents cited.
    #[schema(default)]
    documents: Vec<EvidenceDocumentSchema>,
}

/// A document cited as evidence; its file stays outside the log. It needs a number or a
/// title; a field given must not be blank. Otherwise 422 `invalid-evidence`.
#[derive(Debug, ToSchema)]
#[schema(as = EvidenceDocument)]
#[allow(dead_code)] // documents the OpenAPI shape only
pub(crate) struct EvidenceDocumentSchema {
    /// The document's number, e.g. `123/BC-BTTTT`.
    number: Option<String>,
    title: Option<String>,
    /// An `http` or `https` URL.
    link: Option<String>,
    /// SHA-256 of the document's file: 64 lowercase hexadecimal digits.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    sha256: Option<String>,
}
