//! Integrity: the head digest anyone may keep, and a full chain verification for admins.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use reformlog_api::Envelope;
use reformlog_store::{Hash, HeadDigest};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::extract::ApiJson;
use crate::problem::ApiError;
use crate::role::Permission;
use crate::state::AppState;
use crate::views::{DigestView, VerifyView};

use super::ask::blocking;
use reformlog_api::ProblemCode;

/// The log's head digest (position and hash); keep it to check later that the log extends it.
#[utoipa::path(
    get,
    path = "/v1/integrity/head",
    responses(
        (status = 200, description = "The head digest; `position` is the digest's own", body = Envelope<DigestView>),
        (status = 404, description = "The log is empty", content_type = "application/problem+json"),
        (status = 401, description = "No valid token"),
    ),
    security(("bearer" = [])),
    tag = "integrity"
)]
pub(crate) async fn head(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<axum::Json<Envelope<DigestView>>, ApiError> {
    state.tokens.authorize(&headers, Permission::ReadState)?;
    let store = state.store.clone();
    let digest = blocking(move || Ok(store.head()?)).await?;
    digest
        .map(|d| axum::Json(Envelope::new(crate::views::digest_view(d), d.position)))
        .ok_or_else(|| ApiError::not_found("the log is empty"))
}

/// What `POST /v1/integrity/verify` may check besides the chain itself.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerifyRequest {
    /// A head digest kept earlier (the `answer` of `GET /v1/integrity/head`): the log must still
    /// hold a record at that position with that hash, or it was rewritten or cut back.
    expect_head: Option<DigestView>,
}

/// Walks the whole hash chain and the indexes; names the first bad position. With a body
/// naming `expect_head`, also checks that the log still extends that kept digest.
#[utoipa::path(
    post,
    path = "/v1/integrity/verify",
    request_body(
        content = Option<VerifyRequest>,
        description = "Optional: a kept head digest the log must extend. No body (or an empty one, or `null`) verifies the chain only.",
        content_type = "application/json"
    ),
    responses(
        (status = 200, description = "The verification report (check `ok`; `extends` answers `expect_head`)", body = VerifyView),
        (status = 400, description = "The body or its digest is invalid", content_type = "application/problem+json"),
        (status = 401, description = "No valid token"),
        (status = 403, description = "Admin only"),
        (status = 415, description = "A body that is not application/json", content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    tag = "integrity"
)]
pub(crate) async fn verify(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    // A JSON `null` is taken as no body too, as the documented `Option` schema allows it.
    // Read as an object first: serde would take a request from an array too (`[null]`).
    body: Option<ApiJson<Option<serde_json::Map<String, serde_json::Value>>>>,
) -> Result<axum::Json<VerifyView>, ApiError> {
    state.tokens.authorize(&headers, Permission::Administer)?;
    let request = body
        .and_then(|ApiJson(b)| b)
        .map(|fields| serde_json::from_value::<VerifyRequest>(fields.into()))
        .transpose()
        .map_err(|e| ApiError::bad_request(ProblemCode::InvalidBody, e.to_string()))?;
    let kept = request
        .and_then(|b| b.expect_head)
        .map(kept_digest)
        .transpose()?;
    let store = state.store.clone();
    let view = blocking(move || match kept {
        Some(k) => Ok(store
            .verify_extends(&k)
            .map(crate::views::verify_checked_against)?),
        None => Ok(store.verify().map(crate::views::verify_view)?),
    })
    .await?;
    Ok(axum::Json(view))
}

/// The store's digest from the request's, refusing what cannot be a head digest.
fn kept_digest(d: DigestView) -> Result<HeadDigest, ApiError> {
    if d.position == 0 {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidDigest,
            "expect_head.position: positions start at 1",
        ));
    }
    // The document says int64, as for every position; more is no digest this log gave.
    if i64::try_from(d.position).is_err() {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidDigest,
            format!("expect_head.position: at most {}", i64::MAX),
        ));
    }
    let hash = Hash::from_hex(&d.hash).ok_or_else(|| {
        ApiError::bad_request(
            ProblemCode::InvalidDigest,
            "expect_head.hash: must be 64 hexadecimal digits",
        )
    })?;
    Ok(HeadDigest {
        position: d.position,
        hash,
    })
}
