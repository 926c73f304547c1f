//! The one place that chooses HTTP statuses for errors: RFC 9457 `application/problem+json`
//! bodies with a stable machine code.
//!
//! The rule: every error status the daemon sends is chosen here, by a named constructor of
//! [`ApiError`] (`bad_request`, `not_found`, `timeout`, …) or by a mapping from a typed error
//! (`From<reformlog::Error>`, `From<AppendError>`, `From<JsonRejection>`, `From<BackupError>`,
//! …); no other file names a `StatusCode` but in tests. A handler says what went wrong, this
//! file says what status that is. Success statuses (200, 201) are part of rendering an answer
//! and stay with the handlers that render it.

use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use reformlog_api::{Problem, ProblemCode};
use reformlog_store::{AppendError, CodecError, ReadError, StorageError, WriteHealth};

use crate::backup::BackupError;

/// An error answer. `code` is stable and meant for programs, and sets the status (the table
/// in `reformlog_api::ProblemCode`); `detail` is for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    code: ProblemCode,
    detail: String,
    extra: Option<serde_json::Value>,
    /// Seconds for `Retry-After`.
    retry_after: Option<u32>,
    /// The `WWW-Authenticate` challenge of a 401 (RFC 6750): with `error="invalid_token"` when
    /// a token was presented and refused, so a client can tell that from sending none.
    challenge: Option<&'static str>,
}

/// How long a client waits before retrying a write the disk had no room for: someone has to
/// free space first.
const FULL_RETRY_SECS: u32 = 30;
/// ... one refused because the store's files are gone: someone has to restore them and
/// restart the daemon.
const LOST_RETRY_SECS: u32 = 60;
/// ... one refused by another storage failure: it may pass in a moment, or after a restart.
const FAILED_RETRY_SECS: u32 = 10;
/// ... one whose outcome is unknown: the retry, with the same Idempotency-Key, is what
/// settles it, so it comes soon.
const UNKNOWN_RETRY_SECS: u32 = 5;

impl ApiError {
    fn new(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            extra: None,
            retry_after: None,
            challenge: None,
        }
    }

    /// A 503 with `Retry-After`.
    pub(crate) fn unavailable(
        code: ProblemCode,
        detail: impl Into<String>,
        retry_after_secs: u32,
    ) -> Self {
        let mut e = Self::new(code, detail);
        e.retry_after = Some(retry_after_secs);
        e
    }

    /// The disk or a quota is full; nothing of the request was kept.
    pub(crate) fn storage_full(detail: impl Into<String>) -> Self {
        Self::unavailable(ProblemCode::StorageFull, detail, FULL_RETRY_SECS)
    }

    /// A write that may or may not have been recorded; a retry with the same
    /// Idempotency-Key settles which.
    pub(crate) fn outcome_unknown(detail: impl Into<String>) -> Self {
        Self::unavailable(ProblemCode::OutcomeUnknown, detail, UNKNOWN_RETRY_SECS)
    }

    /// Stored data that is not what the store wrote: no retry helps.
    fn store_corrupt(detail: impl Into<String>) -> Self {
        Self::new(ProblemCode::StoreCorrupt, detail)
    }

    /// A failure of sled or the file system, refused before anything was written.
    fn storage(e: &StorageError) -> Self {
        if e.is_storage_full() {
            Self::storage_full(e.to_string())
        } else if e.is_corruption() {
            Self::store_corrupt(e.to_string())
        } else {
            Self::unavailable(ProblemCode::StorageFailed, e.to_string(), FAILED_RETRY_SECS)
        }
    }

    /// Why the store takes no writes now (`/readyz`), or `None` when it does.
    pub(crate) fn from_write_health(health: &WriteHealth) -> Option<Self> {
        match health {
            WriteHealth::Writable => None,
            WriteHealth::Full(why) => Some(Self::storage_full(format!(
                "the disk is full ({why}); writes are refused until space is freed"
            ))),
            WriteHealth::Lost(path) => Some(Self::unavailable(
                ProblemCode::StoreLost,
                format!(
                    "the store's files at {} were deleted or replaced; restore them and restart reformd",
                    path.display()
                ),
                LOST_RETRY_SECS,
            )),
            WriteHealth::Stopped(why) => Some(Self::unavailable(
                ProblemCode::StorageFailed,
                format!("writes stopped after a storage failure ({why}); restart reformd"),
                FAILED_RETRY_SECS,
            )),
            other => Some(Self::unavailable(
                ProblemCode::StorageFailed,
                format!("the store takes no writes: {other:?}"),
                FAILED_RETRY_SECS,
            )),
        }
    }

    /// Attaches machine-readable detail (e.g. the expected and actual revisions).
    pub(crate) fn with(mut self, extra: serde_json::Value) -> Self {
        self.extra = Some(extra);
        self
    }

    /// Adds one machine-readable field beside those `with` attached.
    pub(crate) fn with_field(mut self, name: &str, value: serde_json::Value) -> Self {
        let mut extra = match self.extra.take() {
            Some(serde_json::Value::Object(map)) => map,
            Some(other) => {
                let mut map = serde_json::Map::new();
                map.insert("detail".into(), other);
                map
            }
            None => serde_json::Map::new(),
        };
        extra.insert(name.to_owned(), value);
        self.extra = Some(serde_json::Value::Object(extra));
        self
    }

    /// The same problem with another human-readable detail.
    pub(crate) fn with_detail(mut self, detail: String) -> Self {
        self.detail = detail;
        self
    }

    /// The human-readable detail.
    pub(crate) fn detail(&self) -> &str {
        &self.detail
    }

    /// A 400 with `code`, which must be one of the table's 400 codes (a test checks every
    /// code the sources pass): another would be sent with its own status.
    pub(crate) fn bad_request(code: ProblemCode, detail: impl Into<String>) -> Self {
        debug_assert_eq!(code.status(), 400, "{code:?} is not a 400");
        Self::new(code, detail)
    }

    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        Self::new(ProblemCode::NotFound, what)
    }

    /// No bearer token was sent.
    pub(crate) fn unauthorized() -> Self {
        Self {
            challenge: Some(r#"Bearer realm="reformd""#),
            ..Self::new(
                ProblemCode::Unauthorized,
                "a valid bearer token is required",
            )
        }
    }

    /// A bearer token was sent that the daemon does not accept.
    pub(crate) fn token_refused() -> Self {
        Self {
            challenge: Some(r#"Bearer realm="reformd", error="invalid_token""#),
            ..Self::new(
                ProblemCode::Unauthorized,
                "this bearer token is not accepted here: mistyped, revoked, or another daemon's",
            )
        }
    }

    pub(crate) fn token_expired() -> Self {
        Self {
            challenge: Some(
                r#"Bearer realm="reformd", error="invalid_token", error_description="the token has expired""#,
            ),
            ..Self::new(
                ProblemCode::TokenExpired,
                "this token has expired; ask an administrator for a new one",
            )
        }
    }

    pub(crate) fn forbidden(needed: &str) -> Self {
        Self::new(
            ProblemCode::Forbidden,
            format!("this token's role does not allow {needed}"),
        )
    }

    pub(crate) fn internal(detail: impl Into<String>) -> Self {
        Self::new(ProblemCode::Internal, detail)
    }

    /// A log position (`min_position`, `known_at`, `Last-Event-ID`) past the log's end:
    /// a well-formed request the log's present state cannot answer yet.
    pub(crate) fn position_not_reached(detail: impl Into<String>) -> Self {
        Self::new(ProblemCode::PositionNotReached, detail)
    }

    /// The read models did not reach `position`, which the log holds, in time.
    pub(crate) fn read_model_behind(position: u64) -> Self {
        Self::new(
            ProblemCode::ReadModelBehind,
            format!("the read models have not reached position {position} yet"),
        )
    }

    /// A route that exists, asked with a method it does not take.
    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            ProblemCode::MethodNotAllowed,
            "this route does not take that method",
        )
    }

    /// A request that took longer than `limit`, with no write under way.
    pub(crate) fn timeout(limit: Duration) -> Self {
        Self::new(
            ProblemCode::Timeout,
            format!("the request took longer than {} s", limit.as_secs()),
        )
    }

    /// A body sent in a transfer coding the daemon does not decode.
    pub(crate) fn unsupported_transfer_coding(coding: &str) -> Self {
        Self::new(
            ProblemCode::UnsupportedTransferCoding,
            format!("transfer coding {coding:?} is not supported; send the body plain or chunked"),
        )
    }

    /// A body sent in a content coding the daemon does not decode.
    pub(crate) fn unsupported_content_coding(coding: &str) -> Self {
        Self::new(
            ProblemCode::UnsupportedContentEncoding,
            format!("content coding {coding:?} is not supported; send the body uncompressed"),
        )
    }

    /// Another backup is being written.
    pub(crate) fn backup_running() -> Self {
        Self::new(
            ProblemCode::BackupRunning,
            "another backup is being written; try again when it is done",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }

    /// Seconds to wait before retrying, sent as `Retry-After`.
    pub fn retry_after(&self) -> Option<u32> {
        self.retry_after
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = Problem {
            errors: self.extra,
            ..Problem::new(self.code, self.detail)
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (status, bytes).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(challenge) = self.challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            // The rest of the body was never read, so this connection cannot carry another
            // request; say so, or a client would reuse it and see a broken response.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

impl From<AppendError> for ApiError {
    fn from(e: AppendError) -> Self {
        match &e {
            AppendError::WrongExpectedRevision {
                stream,
                expected,
                actual,
            } => ApiError::new(ProblemCode::RevisionMismatch, e.to_string()).with(
                serde_json::json!({
                    "stream": stream,
                    "expected": expected.to_string(),
                    "actual": actual,
                }),
            ),
            AppendError::EventIdConflict { .. } | AppendError::PartialDuplicate { .. } => {
                ApiError::new(ProblemCode::DuplicateEventId, e.to_string())
            }
            AppendError::TooLarge { .. } => ApiError::new(ProblemCode::TooLarge, e.to_string()),
            AppendError::Empty
            | AppendError::DuplicateIdInRequest(_)
            | AppendError::DuplicateStreamInRequest(_)
            | AppendError::InvalidStreamId { .. }
            | AppendError::InvalidEventType { .. } => {
                ApiError::bad_request(ProblemCode::InvalidAppend, e.to_string())
            }
            // Refused before anything was written: writes stopped after an earlier failure.
            AppendError::Poisoned => ApiError::unavailable(
                ProblemCode::StorageFailed,
                format!("{e}: restart reformd"),
                FAILED_RETRY_SECS,
            ),
            // Nothing of the write was kept; the same request succeeds once space is freed.
            AppendError::StorageFull(_) => ApiError::storage_full(e.to_string()),
            AppendError::StoreLost(_) => {
                ApiError::unavailable(ProblemCode::StoreLost, e.to_string(), LOST_RETRY_SECS)
            }
            // Journaled, visible only after a restart; or taken back after a failed journal
            // write that may have reached the disk. A retry with the same Idempotency-Key
            // settles which.
            AppendError::OutcomeUnknown(_) | AppendError::JournalFailed(_) => {
                ApiError::outcome_unknown(e.to_string())
            }
            // sled failed while the append was checked, before anything was journaled.
            AppendError::Storage(s) => ApiError::storage(s),
            AppendError::Read(r) => ApiError::from(r),
            _ => ApiError::internal(e.to_string()),
        }
    }
}

/// A JSON body axum's extractor refused.
impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        if let Some(limit) = crate::body_deadline::timed_out(&r) {
            return Self::new(
                ProblemCode::BodyTimeout,
                format!(
                    "the request body did not arrive within {} s",
                    limit.as_secs()
                ),
            );
        }
        match &r {
            JsonRejection::JsonDataError(e) => {
                Self::bad_request(ProblemCode::InvalidBody, e.body_text())
            }
            JsonRejection::JsonSyntaxError(e) => {
                Self::bad_request(ProblemCode::MalformedJson, e.body_text())
            }
            JsonRejection::MissingJsonContentType(_) => Self::new(
                ProblemCode::UnsupportedMediaType,
                "send the body as application/json",
            ),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(ProblemCode::BodyTooLarge, e.body_text())
            }
            _ => Self::bad_request(ProblemCode::InvalidBody, r.body_text()),
        }
    }
}

/// A backup that could not be written; nothing of it is kept.
impl From<BackupError> for ApiError {
    fn from(e: BackupError) -> Self {
        if e.is_storage_full() {
            return Self::storage_full(e.to_string());
        }
        match e {
            BackupError::InvalidName(_) => {
                Self::bad_request(ProblemCode::InvalidBackupName, e.to_string())
            }
            BackupError::Exists(_) => Self::new(ProblemCode::BackupExists, e.to_string()),
            other => Self::new(ProblemCode::BackupFailed, other.to_string()),
        }
    }
}

impl From<ReadError> for ApiError {
    fn from(e: ReadError) -> Self {
        ApiError::from(&e)
    }
}

impl From<&ReadError> for ApiError {
    fn from(e: &ReadError) -> Self {
        match e {
            ReadError::Storage(s) => ApiError::storage(s),
            ReadError::Corrupt(_) | ReadError::Upcast { .. } => {
                ApiError::store_corrupt(e.to_string())
            }
            _ => ApiError::internal(e.to_string()),
        }
    }
}

impl From<reformlog::Error> for ApiError {
    fn from(e: reformlog::Error) -> Self {
        use reformlog::{DomainError as D, Error as E, QueryError as Q};
        match e {
            E::Refused { index, source } => {
                ApiError::from(E::Domain(source)).with(serde_json::json!({ "change": index }))
            }
            E::ChangeConflict { index, key } => ApiError::new(ProblemCode::ChangeRecordedDifferently,
                format!(
                    "change {index} of the list is already recorded with other content; \
                     record the difference as a change of its own"
                ),
            )
            .with(serde_json::json!({ "change": index, "change_key": key })),
            E::Options(what) => ApiError::bad_request(ProblemCode::InvalidOptions, what),
            E::BeyondHorizon { index, date, until } => ApiError::new(ProblemCode::DateBeyondHorizon,
                format!(
                    "change {index} takes effect on {date}, later than this daemon accepts ({until}; see max_future_days)"
                ),
            )
            .with(serde_json::json!({ "change": index, "date": date, "until": until })),
            E::Domain(d) => {
                let detail = d.to_string();
                match d {
                    D::UnknownUnit(_)
                    | D::UnknownPerson(_)
                    | D::UnknownPost(_)
                    | D::UnknownCommittee(_)
                    | D::UnknownDecision(_)
                    | D::UnknownTask(_)
                    | D::UnknownSeat { .. }
                    | D::UnknownMembership { .. }
                    | D::UnknownHolding { .. }
                    | D::UnknownEvent(_) => ApiError::new(ProblemCode::UnknownReference,
                        detail,
                    ),
                    D::Evidence(_) => ApiError::new(ProblemCode::InvalidEvidence,
                        detail,
                    ),
                    D::AlreadyExists(_)
                    | D::SeatExists(_)
                    | D::MembershipExists(_)
                    | D::HoldingExists(_) => {
                        ApiError::new(ProblemCode::AlreadyExists, detail)
                    }
                    D::BadCharacter { .. } | D::NoVisibleCharacter { .. } => {
                        ApiError::new(ProblemCode::InvalidText, detail)
                    }
                    _ => ApiError::new(ProblemCode::RuleViolation, detail),
                }
            }
            E::Query(q) => match q {
                Q::NotFound(_) => ApiError::not_found(q.to_string()),
                _ => ApiError::bad_request(ProblemCode::InvalidQuery, q.to_string()),
            },
            E::RevisionMismatch {
                entity,
                expected,
                actual,
            } => ApiError::new(ProblemCode::RevisionMismatch,
                format!("{entity} is at revision {actual:?}, not {expected}"),
            )
            .with(serde_json::json!({ "entity": entity, "expected": expected, "actual": actual })),
            E::IdempotencyConflict { .. } => ApiError::new(ProblemCode::IdempotencyKeyReused,
                "this Idempotency-Key was used for a different request",
            ),
            E::NotFound(what) => ApiError::not_found(what),
            E::Append(a) => a.into(),
            E::Read(r) => r.into(),
            // The read models' own sled tree.
            E::Storage(s) => ApiError::storage(&s),
            E::Codec(CodecError::Encode(m)) => ApiError::internal(m),
            E::Codec(c) => ApiError::store_corrupt(c.to_string()),
            other => ApiError::internal(other.to_string()),
        }
    }
}

mod document;
mod instance;
pub(crate) use document::document;
pub(crate) use instance::fill as fill_instance;

#[cfg(test)]
mod tests;
