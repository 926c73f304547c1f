//! The request timeout: a request that takes longer than its limit is answered with a 503,
//! which says whether a write it started may still be recorded.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;

/// Set by a write handler once its append may run: the blocking task goes on when the
/// request's time is up, so from then on a timeout does not mean nothing was written.
#[derive(Clone, Debug, Default)]
pub(crate) struct WriteUnderway(Arc<AtomicBool>);

impl WriteUnderway {
    pub(crate) fn start(&self) {
        self.0.store(true, Ordering::Release);
    }

    fn started(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Answers 503 when a request takes longer than `limit`: `timeout`, or `outcome-unknown`
/// once the request's write may be under way.
pub(crate) async fn enforce(
    State(limit): State<Duration>,
    mut req: Request,
    next: Next,
) -> Response {
    let underway = WriteUnderway::default();
    req.extensions_mut().insert(underway.clone());
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) if underway.started() => ApiError::outcome_unknown(format!(
            "the write took longer than {} s and may still be recorded; retry it with the same Idempotency-Key (or skip_recorded) to learn which",
            limit.as_secs()
        ))
        .into_response(),
        Err(_) => ApiError::timeout(limit).into_response(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::extract::Extension;
    use axum::http::StatusCode;
    use axum::routing::post;
    use axum::{middleware, Router};
    use tower::ServiceExt;

    async fn slow_read() -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    }

    async fn slow_write(Extension(underway): Extension<WriteUnderway>) -> &'static str {
        underway.start();
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    }

    async fn code_of(app: &Router, path: &str) -> (StatusCode, String) {
        let req = Request::post(path).body(axum::body::Body::empty()).unwrap();
        let response = app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        (status, v["code"].as_str().unwrap_or_default().to_owned())
    }

    #[tokio::test]
    async fn a_timeout_after_a_write_started_says_its_outcome_is_unknown() {
        let app = Router::new()
            .route("/read", post(slow_read))
            .route("/write", post(slow_write))
            .layer(middleware::from_fn_with_state(
                Duration::from_millis(20),
                enforce,
            ));
        let timeout = (StatusCode::SERVICE_UNAVAILABLE, "timeout".to_owned());
        let unknown = (
            StatusCode::SERVICE_UNAVAILABLE,
            "outcome-unknown".to_owned(),
        );
        assert_eq!(code_of(&app, "/read").await, timeout);
        assert_eq!(code_of(&app, "/write").await, unknown);
    }
}
