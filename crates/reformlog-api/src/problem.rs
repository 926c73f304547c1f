//! The problem body (RFC 9457) and the one table of stable problem codes, each with its HTTP
//! status and title, that the daemon answers by and its OpenAPI document lists.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What every problem's `type` starts with; the code follows.
pub const PROBLEM_TYPE_PREFIX: &str = "urn:reformlog:problem:";

/// An RFC 9457 problem, as every error answer carries it (`application/problem+json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// `urn:reformlog:problem:` and the code.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's reason phrase.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// The stable machine code (`not-found`, `invalid-limit`, `storage-full`, …): one of
    /// the table's, each always sent with the same status.
    pub code: String,
    /// What went wrong, for a person.
    pub detail: String,
    /// This occurrence: `urn:uuid:` and the request's `X-Request-Id`, or the path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Machine-readable detail some problems add: the revisions expected and found, the
    /// change of a batch that failed, ….
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub errors: Option<serde_json::Value>,
}

impl Problem {
    /// The problem of `code` with `detail`, its status and title from the table.
    pub fn new(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("{PROBLEM_TYPE_PREFIX}{}", code.as_str()),
            title: code.title().to_owned(),
            status: code.status(),
            code: code.as_str().to_owned(),
            detail: detail.into(),
            instance: None,
            errors: None,
        }
    }

    /// The code as the table knows it, or `None` for a code this build does not know (a
    /// newer daemon's).
    pub fn known_code(&self) -> Option<ProblemCode> {
        ProblemCode::from_code(&self.code)
    }
}

/// The table: each code with its HTTP status and title, written once. The enum, its
/// accessors and [`ProblemCode::ALL`] are generated from it, so a code cannot be sent with
/// two statuses or be missing from the OpenAPI document.
macro_rules! problem_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = ($code:literal, $status:literal, $title:literal),)+) => {
        /// A stable problem code: what a program matches on, with the one HTTP status and
        /// title it is sent with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ProblemCode {
            $($(#[doc = $doc])* $variant,)+
        }

        impl ProblemCode {
            /// Every code, in the table's order (alphabetical).
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant,)+];

            /// The code as sent in `code` (and after [`PROBLEM_TYPE_PREFIX`] in `type`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $code,)+
                }
            }

            /// The HTTP status this code is always sent with.
            pub const fn status(self) -> u16 {
                match self {
                    $(ProblemCode::$variant => $status,)+
                }
            }

            /// The problem's `title`: the status's reason phrase.
            pub const fn title(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $title,)+
                }
            }

            /// The code sent as `code`, or `None` for one not in the table.
            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(ProblemCode::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

problem_codes! {
    /// An entity, seat, membership or holding that exists already.
    AlreadyExists = ("already-exists", 409, "Conflict"),
    /// A backup folder of that name exists already.
    BackupExists = ("backup-exists", 409, "Conflict"),
    /// The backup could not be written; nothing of it is kept.
    BackupFailed = ("backup-failed", 500, "Internal Server Error"),
    /// Another backup is being written.
    BackupRunning = ("backup-running", 409, "Conflict"),
    /// The request body did not arrive in time.
    BodyTimeout = ("body-timeout", 408, "Request Timeout"),
    /// The request body is larger than the daemon reads.
    BodyTooLarge = ("body-too-large", 413, "Payload Too Large"),
    /// A change of a decision batch cites another decision.
    ChangeCitesAnotherDecision = ("change-cites-another-decision", 400, "Bad Request"),
    /// A change whose per-change key is recorded with other content.
    ChangeRecordedDifferently = ("change-recorded-differently", 409, "Conflict"),
    /// Two parameters that exclude each other.
    ConflictingParameters = ("conflicting-parameters", 400, "Bad Request"),
    /// A change dated later than the daemon accepts.
    DateBeyondHorizon = ("date-beyond-horizon", 422, "Unprocessable Entity"),
    /// A decision whose number does not tell its kind, sent without one.
    DecisionKindNeeded = ("decision-kind-needed", 400, "Bad Request"),
    /// More than one Authorization header.
    DuplicateAuthorization = ("duplicate-authorization", 400, "Bad Request"),
    /// An event id recorded already for another event.
    DuplicateEventId = ("duplicate-event-id", 409, "Conflict"),
    /// The token's role does not allow the request.
    Forbidden = ("forbidden", 403, "Forbidden"),
    /// An Idempotency-Key used before for a different request.
    IdempotencyKeyReused = ("idempotency-key-reused", 422, "Unprocessable Entity"),
    /// A failure inside the daemon.
    Internal = ("internal", 500, "Internal Server Error"),
    /// An append the log refuses as malformed.
    InvalidAppend = ("invalid-append", 400, "Bad Request"),
    /// A backup name that is not a plain folder name.
    InvalidBackupName = ("invalid-backup-name", 400, "Bad Request"),
    /// Too few or too many commands in one write.
    InvalidBatch = ("invalid-batch", 400, "Bad Request"),
    /// A JSON body of the wrong shape.
    InvalidBody = ("invalid-body", 400, "Bad Request"),
    /// A cursor this API did not give.
    InvalidCursor = ("invalid-cursor", 400, "Bad Request"),
    /// A date that is not `YYYY-MM-DD`.
    InvalidDate = ("invalid-date", 400, "Bad Request"),
    /// A number of days out of range.
    InvalidDays = ("invalid-days", 400, "Bad Request"),
    /// A decision batch whose decision is not a `record_decision` command.
    InvalidDecision = ("invalid-decision", 400, "Bad Request"),
    /// A head digest that is not a position and a hash.
    InvalidDigest = ("invalid-digest", 400, "Bad Request"),
    /// A reading direction other than forward or backward.
    InvalidDirection = ("invalid-direction", 400, "Bad Request"),
    /// Evidence of a progress report that cites no usable document.
    InvalidEvidence = ("invalid-evidence", 422, "Unprocessable Entity"),
    /// A slug that is not of the form slugs take.
    InvalidId = ("invalid-id", 400, "Bad Request"),
    /// An Idempotency-Key that is not 1 to 200 visible ASCII characters.
    InvalidIdempotencyKey = ("invalid-idempotency-key", 400, "Bad Request"),
    /// An If-Match header that is not a quoted revision.
    InvalidIfMatch = ("invalid-if-match", 400, "Bad Request"),
    /// An entity kind the API does not know.
    InvalidKind = ("invalid-kind", 400, "Bad Request"),
    /// A `known_at` that is neither a position, a time nor a date.
    InvalidKnownAt = ("invalid-known-at", 400, "Bad Request"),
    /// A Last-Event-ID that is not a log position.
    InvalidLastEventId = ("invalid-last-event-id", 400, "Bad Request"),
    /// A page size out of range.
    InvalidLimit = ("invalid-limit", 400, "Bad Request"),
    /// Write options that do not go together.
    InvalidOptions = ("invalid-options", 400, "Bad Request"),
    /// A path parameter of the wrong form.
    InvalidPath = ("invalid-path", 400, "Bad Request"),
    /// A log position out of range (above the largest signed 64-bit number).
    InvalidPosition = ("invalid-position", 400, "Bad Request"),
    /// A query string of the wrong form, or a question that cannot be answered.
    InvalidQuery = ("invalid-query", 400, "Bad Request"),
    /// A range that ends before it starts.
    InvalidRange = ("invalid-range", 400, "Bad Request"),
    /// A task role other than lead or cooperate.
    InvalidRole = ("invalid-role", 400, "Bad Request"),
    /// A report scope that names both a plan and a unit.
    InvalidScope = ("invalid-scope", 400, "Bad Request"),
    /// A search text that is not 1 to 200 bytes.
    InvalidSearch = ("invalid-search", 400, "Bad Request"),
    /// A task status the API does not know.
    InvalidStatus = ("invalid-status", 400, "Bad Request"),
    /// A name or text with characters the log does not keep.
    InvalidText = ("invalid-text", 422, "Unprocessable Entity"),
    /// A time that is not RFC 3339 (or a date, where one is taken).
    InvalidTime = ("invalid-time", 400, "Bad Request"),
    /// A body that is not JSON.
    MalformedJson = ("malformed-json", 400, "Bad Request"),
    /// A route asked with a method it does not take.
    MethodNotAllowed = ("method-not-allowed", 405, "Method Not Allowed"),
    /// No such entity or route.
    NotFound = ("not-found", 404, "Not Found"),
    /// The read models are still catching up with the log.
    NotReady = ("not-ready", 503, "Service Unavailable"),
    /// A write that may or may not be recorded; a retry with the same key settles it.
    OutcomeUnknown = ("outcome-unknown", 503, "Service Unavailable"),
    /// A log position past the end of the log.
    PositionNotReached = ("position-not-reached", 409, "Conflict"),
    /// The read models did not reach the position asked for in time.
    ReadModelBehind = ("read-model-behind", 503, "Service Unavailable"),
    /// An entity at another revision than If-Match or the append expected.
    RevisionMismatch = ("revision-mismatch", 412, "Precondition Failed"),
    /// A command a domain rule refuses.
    RuleViolation = ("rule-violation", 422, "Unprocessable Entity"),
    /// A storage failure; nothing was written.
    StorageFailed = ("storage-failed", 503, "Service Unavailable"),
    /// The disk or a quota is full; nothing was written.
    StorageFull = ("storage-full", 503, "Service Unavailable"),
    /// Stored data that is not what the store wrote.
    StoreCorrupt = ("store-corrupt", 500, "Internal Server Error"),
    /// The store's files were deleted or replaced.
    StoreLost = ("store-lost", 503, "Service Unavailable"),
    /// The request took longer than the daemon allows, with no write under way.
    Timeout = ("timeout", 503, "Service Unavailable"),
    /// A token past its expiry.
    TokenExpired = ("token-expired", 401, "Unauthorized"),
    /// An event or write larger than the log takes.
    TooLarge = ("too-large", 413, "Payload Too Large"),
    /// More connections at once than the daemon serves.
    TooManyConnections = ("too-many-connections", 503, "Service Unavailable"),
    /// No token, or one the daemon does not accept.
    Unauthorized = ("unauthorized", 401, "Unauthorized"),
    /// A command naming an entity that is not recorded.
    UnknownReference = ("unknown-reference", 422, "Unprocessable Entity"),
    /// A body in a content coding the daemon does not decode.
    UnsupportedContentEncoding = ("unsupported-content-encoding", 415, "Unsupported Media Type"),
    /// A body that is not sent as application/json.
    UnsupportedMediaType = ("unsupported-media-type", 415, "Unsupported Media Type"),
    /// A body in a transfer coding the daemon does not decode.
    UnsupportedTransferCoding = ("unsupported-transfer-coding", 501, "Not Implemented"),
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ProblemCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_code_is_listed_once_in_order_and_reads_back() {
        let names: Vec<&str> = ProblemCode::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "the table is alphabetical, each code once");
        for c in ProblemCode::ALL {
            assert_eq!(ProblemCode::from_code(c.as_str()), Some(*c));
            assert!((400..600).contains(&c.status()), "{c}");
            assert!(c
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-'));
        }
        assert_eq!(ProblemCode::from_code("no-such-code"), None);
    }

    #[test]
    fn a_problem_reads_back_as_the_daemon_sends_it() {
        let sent = r#"{"code":"not-found","detail":"no unit x","instance":"/v1/units/x","status":404,"title":"Not Found","type":"urn:reformlog:problem:not-found"}"#;
        let p: Problem = serde_json::from_str(sent).unwrap();
        assert_eq!(
            p,
            Problem {
                instance: Some("/v1/units/x".into()),
                ..Problem::new(ProblemCode::NotFound, "no unit x")
            }
        );
        assert_eq!(p.known_code(), Some(ProblemCode::NotFound));
        let written = serde_json::to_value(Problem::new(ProblemCode::StorageFull, "full")).unwrap();
        assert_eq!(written["status"], 503);
        assert_eq!(written["title"], "Service Unavailable");
        assert!(written.get("errors").is_none() && written.get("instance").is_none());
    }
}
