//! `POST /v1/backup`: an online backup into the daemon's backup folder, for admins; one at a
//! time, writes carrying on meanwhile.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::extract::ApiJson;
use crate::problem::ApiError;
use crate::role::Permission;
use crate::state::AppState;
use reformlog_api::BackupView;

use super::ask::blocking;

/// Which backup to write.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BackupRequest {
    /// The backup folder's name inside the daemon's backup folder: 1 to 100 ASCII letters,
    /// digits, `-`, `_` or `.`, not starting with `.`; it must not exist yet.
    #[schema(pattern = "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")]
    name: String,
}

/// Writes a backup of the log as it is at one commit (the last visible when the request
/// arrives), with the token file, into the daemon's backup folder (`--backup-dir`), while
/// writes go on. It is checked whole (reopened, the chain verified, its head digest compared)
/// before it gets its name, so a folder of that name is always a complete backup for
/// `reformctl restore`. Not subject to the request timeout.
#[utoipa::path(
    post,
    path = "/v1/backup",
    request_body(content = BackupRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The backup is written and verified", body = BackupView),
        (status = 400, description = "The name is not a plain folder name", content_type = "application/problem+json"),
        (status = 401, description = "No valid token"),
        (status = 403, description = "Admin only"),
        (status = 409, description = "A backup of that name exists, or another backup is running", content_type = "application/problem+json"),
        (status = 500, description = "The backup failed (`backup-failed`: say, the log breaks); nothing of it is kept", content_type = "application/problem+json"),
        (status = 503, description = "The disk is full (`storage-full`, with Retry-After); nothing of the backup is kept", content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    tag = "integrity"
)]
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<BackupRequest>,
) -> Result<(StatusCode, axum::Json<BackupView>), ApiError> {
    state.tokens.authorize(&headers, Permission::Administer)?;
    crate::backup::check_name(&request.name)?;
    let running = Arc::clone(&state);
    let written = blocking(move || {
        let _one = match running.backup_running.try_lock() {
            Ok(guard) => guard,
            // A backup that failed by panicking left nothing this one depends on.
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return Err(ApiError::backup_running()),
        };
        crate::backup::write(
            &running.store,
            &running.data_dir,
            &running.backup_dir,
            &request.name,
        )
        .map_err(ApiError::from)
    })
    .await?;
    tracing::info!(path = %written.path.display(), commit = written.commit, records = written.records, "backup written");
    Ok((
        StatusCode::CREATED,
        axum::Json(BackupView {
            path: written.path.display().to_string(),
            created_at: written.created_at,
            commit: written.commit,
            head: written.head.map(crate::views::digest_view),
            records: written.records,
            files: written.files.len(),
            bytes: written.files.iter().map(|f| f.bytes).sum(),
        }),
    ))
}
