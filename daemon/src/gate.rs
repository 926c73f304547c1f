//! Who may go further: the caller is authenticated, and the route's least permission checked,
//! before any extractor reads the query or the body. An anonymous caller learns nothing of a
//! route's parameters or body schema, and a viewer posting a malformed body is told 403, not
//! how to fix the body.
//!
//! Handlers still ask for their exact permission (the audit trail of a task is open to every
//! reader, of other entities to auditors); this gate checks what holds for every request of
//! the route.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::role::Permission;
use crate::state::AppState;

/// Routes anyone may call: probes, metrics and the API description.
const OPEN: &[&str] = &["/healthz", "/readyz", "/metrics", "/v1/openapi.json"];

/// The permission every request to `route` (its template) with `method` needs, on `path`
/// (the request's path), or `None` for an open route.
pub(crate) fn least(method: &Method, route: &str, path: &str) -> Option<Permission> {
    // The page and its files hold no data; the page asks for a token when the API does.
    if OPEN.contains(&route) || crate::web::is_web_route(route) {
        return None;
    }
    if method == Method::POST {
        return Some(
            if route == "/v1/integrity/verify" || route == "/v1/backup" {
                Permission::Administer
            } else {
                Permission::Write
            },
        );
    }
    if route.starts_with("/v1/audit/") {
        return Some(Permission::ReadAudit);
    }
    if route == "/v1/history/{kind}/{id}" {
        let kind = path.trim_start_matches("/v1/history/").split('/').next();
        if kind != Some("task") {
            return Some(Permission::ReadAudit);
        }
    }
    Some(Permission::ReadState)
}

/// The middleware: refuses with 401 or 403 before the handler's extractors run.
pub(crate) async fn check(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    // An unmatched path answers 404 whoever asks; there is nothing behind it to protect.
    let Some(route) = route else {
        return next.run(req).await;
    };
    if let Some(needed) = least(req.method(), route.as_str(), req.uri().path()) {
        if let Err(refused) = state.tokens.authorize(req.headers(), needed) {
            return refused.into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_post_needs_writing_and_verification_and_backups_administration() {
        let post = Method::POST;
        let get = Method::GET;
        assert_eq!(least(&get, "/healthz", "/healthz"), None);
        assert_eq!(least(&get, "/committees/{id}", "/committees/x"), None);
        assert_eq!(least(&get, "/assets/{*path}", "/assets/app.js"), None);
        assert_eq!(
            least(&post, "/v1/commands", "/v1/commands"),
            Some(Permission::Write)
        );
        assert_eq!(
            least(&post, "/v1/integrity/verify", "/v1/integrity/verify"),
            Some(Permission::Administer)
        );
        assert_eq!(
            least(&post, "/v1/backup", "/v1/backup"),
            Some(Permission::Administer)
        );
        assert_eq!(
            least(&get, "/v1/audit/changes", "/v1/audit/changes"),
            Some(Permission::ReadAudit)
        );
        assert_eq!(
            least(&get, "/v1/history/{kind}/{id}", "/v1/history/person/x"),
            Some(Permission::ReadAudit)
        );
        assert_eq!(
            least(&get, "/v1/history/{kind}/{id}", "/v1/history/task/x"),
            Some(Permission::ReadState)
        );
        assert_eq!(
            least(&get, "/v1/events", "/v1/events"),
            Some(Permission::ReadState)
        );
    }
}
