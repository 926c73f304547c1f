//! The one place that maps errors to HTTP statuses: RFC 9457 `application/problem+json` bodies
//! with a stable machine code.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use reformlog_store::{AppendError, ReadError};
use serde::Serialize;

/// An error answer. `code` is stable and meant for programs; `detail` is for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    extra: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    code: &'a str,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a serde_json::Value>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            extra: None,
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

    pub(crate) fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", what)
    }

    pub(crate) fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        )
    }

    pub(crate) fn forbidden(needed: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this token's role does not allow {needed}"),
        )
    }

    pub(crate) fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let body = ProblemBody {
            kind: format!("urn:reformlog:problem:{}", self.code),
            title,
            status: self.status.as_u16(),
            code: self.code,
            detail: &self.detail,
            instance: None,
            errors: self.extra.as_ref(),
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (self.status, bytes).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::PAYLOAD_TOO_LARGE {
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
            } => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "revision-mismatch",
                e.to_string(),
            )
            .with(serde_json::json!({
                "stream": stream,
                "expected": expected.to_string(),
                "actual": actual,
            })),
            AppendError::EventIdConflict { .. } | AppendError::PartialDuplicate { .. } => {
                ApiError::new(StatusCode::CONFLICT, "duplicate-event-id", e.to_string())
            }
            AppendError::TooLarge { .. } => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", e.to_string())
            }
            AppendError::Empty
            | AppendError::DuplicateIdInRequest(_)
            | AppendError::DuplicateStreamInRequest(_)
            | AppendError::InvalidStreamId { .. }
            | AppendError::InvalidEventType { .. } => {
                ApiError::bad_request("invalid-append", e.to_string())
            }
            AppendError::Poisoned => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store-unavailable",
                e.to_string(),
            ),
            // Nothing of the write was kept; the same request succeeds once space is freed.
            AppendError::StorageFull(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage-full",
                e.to_string(),
            ),
            AppendError::StoreLost(_) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "store-lost", e.to_string())
            }
            // Journaled, maybe visible only after a restart: a retry with the same
            // Idempotency-Key settles which.
            AppendError::OutcomeUnknown(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "outcome-unknown",
                e.to_string(),
            ),
            AppendError::Storage(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage-failed",
                e.to_string(),
            ),
            _ => ApiError::internal(e.to_string()),
        }
    }
}

impl From<ReadError> for ApiError {
    fn from(e: ReadError) -> Self {
        ApiError::internal(e.to_string())
    }
}

impl From<reformlog::Error> for ApiError {
    fn from(e: reformlog::Error) -> Self {
        use reformlog::{DomainError as D, Error as E, QueryError as Q};
        match e {
            E::Refused { index, source } => {
                ApiError::from(E::Domain(source)).with(serde_json::json!({ "change": index }))
            }
            E::ChangeConflict { index, key } => ApiError::new(
                StatusCode::CONFLICT,
                "change-recorded-differently",
                format!(
                    "change {index} of the list is already recorded with other content; \
                     record the difference as a change of its own"
                ),
            )
            .with(serde_json::json!({ "change": index, "change_key": key })),
            E::Options(what) => ApiError::bad_request("invalid-options", what),
            E::BeyondHorizon { index, date, until } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "date-beyond-horizon",
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
                    | D::UnknownEvent(_) => ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "unknown-reference",
                        detail,
                    ),
                    D::Evidence(_) => ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid-evidence",
                        detail,
                    ),
                    D::AlreadyExists(_)
                    | D::SeatExists(_)
                    | D::MembershipExists(_)
                    | D::HoldingExists(_) => {
                        ApiError::new(StatusCode::CONFLICT, "already-exists", detail)
                    }
                    _ => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "rule-violation", detail),
                }
            }
            E::Query(q) => match q {
                Q::NotFound(_) => ApiError::not_found(q.to_string()),
                _ => ApiError::bad_request("invalid-query", q.to_string()),
            },
            E::RevisionMismatch {
                entity,
                expected,
                actual,
            } => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "revision-mismatch",
                format!("{entity} is at revision {actual:?}, not {expected}"),
            )
            .with(serde_json::json!({ "entity": entity, "expected": expected, "actual": actual })),
            E::IdempotencyConflict { .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "this Idempotency-Key was used for a different request",
            ),
            E::NotFound(what) => ApiError::not_found(what),
            E::Append(a) => a.into(),
            other => ApiError::internal(other.to_string()),
        }
    }
}
