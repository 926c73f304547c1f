//! Integrity: the head digest anyone may keep, and a full chain verification for admins.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;

use crate::auth::Permission;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::views::{DigestView, VerifyView};

/// The log's head digest (position and hash); keep it to check later that the log extends it.
#[utoipa::path(
    get,
    path = "/v1/integrity/head",
    responses(
        (status = 200, description = "The head digest", body = DigestView),
        (status = 404, description = "The log is empty", content_type = "application/problem+json"),
        (status = 401, description = "No valid token"),
    ),
    security(("bearer" = [])),
    tag = "integrity"
)]
pub(crate) async fn head(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<axum::Json<DigestView>, ApiError> {
    state.tokens.authorize(&headers, Permission::ReadState)?;
    let store = state.store.clone();
    let digest = tokio::task::spawn_blocking(move || store.head())
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    digest
        .map(|d| axum::Json(d.into()))
        .ok_or_else(|| ApiError::not_found("the log is empty"))
}

/// Walks the whole hash chain and the indexes; names the first bad position.
#[utoipa::path(
    post,
    path = "/v1/integrity/verify",
    responses(
        (status = 200, description = "The verification report (check `ok`)", body = VerifyView),
        (status = 401, description = "No valid token"),
        (status = 403, description = "Admin only"),
    ),
    security(("bearer" = [])),
    tag = "integrity"
)]
pub(crate) async fn verify(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<axum::Json<VerifyView>, ApiError> {
    state.tokens.authorize(&headers, Permission::Administer)?;
    let store = state.store.clone();
    let report = tokio::task::spawn_blocking(move || store.verify())
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    Ok(axum::Json(report.into()))
}
