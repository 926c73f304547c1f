//! Liveness, readiness, metrics and the OpenAPI document.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;
use crate::state::AppState;

/// The process is up.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "Alive")), tag = "operations")]
pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

/// The read models have caught up with the log as it was at start, so answers are current.
#[utoipa::path(
    get,
    path = "/readyz",
    responses(
        (status = 200, description = "Ready"),
        (status = 503, description = "Still catching up", content_type = "application/problem+json"),
    ),
    tag = "operations"
)]
pub(crate) async fn readyz(State(state): State<Arc<AppState>>) -> Result<&'static str, ApiError> {
    if state.is_ready() {
        Ok("ready\n")
    } else {
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-ready",
            "read models are still catching up with the log",
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
