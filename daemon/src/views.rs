//! Store-level things (events, digests, verify reports) turned into the API's shapes
//! (`reformlog-api`), and the OpenAPI schemas of a `report_progress` command and its evidence.

use reformlog_store::{BreakKind, HeadDigest, RecordedEvent, VerifyReport};
use utoipa::ToSchema;

pub(crate) use reformlog_api::{DigestView, EventPage, EventView, VerifyView};

/// A recorded event as the API shows it: the store's envelope and the decoded domain event.
pub(crate) fn event_view(e: RecordedEvent) -> EventView {
    let data = event_json(&e);
    EventView {
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

/// The domain event inside a stored record as JSON, or `null` for a payload this build does
/// not know.
pub(crate) fn event_json(e: &RecordedEvent) -> serde_json::Value {
    reformlog::decode_event(e)
        .ok()
        .and_then(|ev| serde_json::to_value(ev).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// The head digest as the API shows it.
pub(crate) fn digest_view(d: HeadDigest) -> DigestView {
    DigestView {
        position: d.position,
        hash: d.hash.to_hex(),
    }
}

/// The answer to a verification that checked `expect_head` (`Store::verify_extends`).
pub(crate) fn verify_checked_against(r: VerifyReport) -> VerifyView {
    let extends = match &r.first_break {
        None => Some(true),
        Some(b) if matches!(b.kind, BreakKind::DigestMismatch | BreakKind::BeyondHead) => {
            Some(false)
        }
        // The chain itself broke, so the digest was never compared.
        Some(_) => None,
    };
    VerifyView {
        extends,
        ..verify_view(r)
    }
}

/// The result of walking the whole chain as the API shows it.
pub(crate) fn verify_view(r: VerifyReport) -> VerifyView {
    VerifyView {
        ok: r.first_break.is_none(),
        checked: r.checked,
        head: r.head.map(digest_view),
        first_bad_position: r.first_break.as_ref().map(|b| b.position),
        reason: r.first_break.map(|b| b.kind.to_string()),
        extends: None,
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
    #[schema(minimum = 0, maximum = 100)]
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
