//! Liveness, readiness and metrics.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;
use crate::state::AppState;

use super::ask::blocking;

/// The process is up and serving: the liveness probe. It stays 200 while the store cannot
/// write, since restarting the process does not free a disk; `/readyz` says why writes fail.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "Alive")), tag = "operations")]
pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

/// Ready when the store takes writes and the read models have caught up with the log as it
/// was at start. Otherwise 503 with `Retry-After` and the reason's code: `storage-full`
/// (refused until space is freed, then ready again by itself), `store-lost` (the store's
/// files were deleted or replaced), `storage-failed` (writes stopped after a storage failure
/// until a restart), `not-ready` (still catching up). A full disk stops writes, not reads.
#[utoipa::path(
    get,
    path = "/readyz",
    responses(
        (status = 200, description = "Ready"),
        (status = 503, description = "Not ready: storage-full, store-lost, storage-failed or not-ready", content_type = "application/problem+json"),
    ),
    tag = "operations"
)]
pub(crate) async fn readyz(State(state): State<Arc<AppState>>) -> Result<&'static str, ApiError> {
    let store = state.store.clone();
    // It may allocate space the full disk took back, and waits for the journal's lock.
    let health = blocking(move || Ok(store.write_health())).await?;
    if let Some(problem) = ApiError::from_write_health(&health) {
        return Err(problem);
    }
    if state.is_ready() {
        Ok("ready\n")
    } else {
        Err(ApiError::unavailable(
            reformlog_api::ProblemCode::NotReady,
            "read models are still catching up with the log",
            1,
        ))
    }
}

/// Prometheus metrics: requests, latencies, appends, log head, read-model lag, the anchor.
#[utoipa::path(
    get,
    path = "/metrics",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")),
    tag = "operations"
)]
pub(crate) async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let anchor = state.anchored.then(|| {
        let stats = state.store.stats();
        (stats.anchor_position, stats.anchor_failures)
    });
    let body = state.metrics.render(
        state.store.head_position(),
        state.read_model_position(),
        anchor,
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
