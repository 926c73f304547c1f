//! The HTTP routes, one module per family; each handler parses its parameters, authorizes
//! the caller, calls the library and renders the answer. What the state routes share (their
//! parameters, asking the library) has modules of its own.

use std::sync::Arc;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

mod ask;
mod audit;
mod backup;
mod commands;
pub(crate) use commands::document as close_tagged_unions;
mod entities;
mod events;
mod examples;
mod health;
mod integrity;
mod paging;
pub(crate) mod params;
mod queries;
mod reminders;
mod summaries;
mod tasks;
mod timeline;

/// Every route the request timeout applies to, each documented by its `#[utoipa::path]`.
pub(crate) fn timed() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(events::list))
        .routes(routes!(reminders::list))
        .routes(routes!(integrity::head))
        .routes(routes!(integrity::verify))
        .merge(entities::routes())
        .merge(queries::routes())
        .merge(timeline::routes())
        .merge(tasks::routes())
        .merge(audit::routes())
        .merge(commands::routes())
}

/// The routes that may take longer than the request timeout: the live feeds (Server-Sent
/// Events that stay open) and backups (their length grows with the log).
pub(crate) fn untimed() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(events::stream))
        .routes(routes!(reminders::stream))
        .routes(routes!(backup::create))
}
