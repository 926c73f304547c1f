//! The web page: the shell for every page path and the embedded files under `/assets/`, with
//! the security headers every one of these answers carries. They hold no data, so they need
//! no token; the pages read the `/v1` API like any other client.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use axum::extract::{Path, Request};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::problem::ApiError;
use crate::state::AppState;

/// Every file under `daemon/web/`, by its path there (`app.js`, `pages/search.js`).
static FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// Only this binary's own files: no other host, no inline script or style.
pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The page paths that answer with the shell; the router in `app.js` knows the same table.
/// Each is a template, so the metrics count one label per page, whatever the id.
pub(crate) const PAGES: &[&str] = &[
    "/",
    "/search",
    "/committees/{id}",
    "/people/{id}",
    "/decisions/{id}",
    "/units/{id}",
    "/plans/{id}",
    "/tasks/{id}",
    "/audit",
];

/// The route of every embedded file.
pub(crate) const ASSETS: &str = "/assets/{*path}";

/// Whether `route` (a matched template) is one of the page or asset routes.
pub(crate) fn is_web_route(route: &str) -> bool {
    route == ASSETS || PAGES.contains(&route)
}

struct Asset {
    bytes: &'static [u8],
    content_type: &'static str,
    etag: HeaderValue,
}

static ASSET_TABLE: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, bytes)| {
            let hash = blake3::hash(bytes).to_hex();
            let etag = HeaderValue::from_str(&format!("\"{}\"", &hash[..32]))
                .unwrap_or_else(|_| HeaderValue::from_static("\"\""));
            (
                *name,
                Asset {
                    bytes,
                    content_type: content_type(name),
                    etag,
                },
            )
        })
        .collect()
});

/// The type a browser must be told, since `nosniff` forbids it to guess.
fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The page and asset routes, with their headers.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    let mut router = Router::new().route(ASSETS, get(asset));
    for page in PAGES {
        router = router.route(page, get(shell));
    }
    router.layer(middleware::from_fn(headers))
}

/// The same shell for every page; the page's script reads the path.
async fn shell(request_headers: HeaderMap) -> Response {
    serve("index.html", &request_headers)
}

async fn asset(Path(path): Path<String>, request_headers: HeaderMap) -> Response {
    serve(&path, &request_headers)
}

/// An embedded file, or 304 when the client holds this version, or 404.
fn serve(name: &str, request_headers: &HeaderMap) -> Response {
    let Some(asset) = ASSET_TABLE.get(name) else {
        return ApiError::not_found("no such asset").into_response();
    };
    // Files are not named by their content, so a browser asks again each time and is told
    // in a few bytes when nothing changed.
    let cache = (CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    let unchanged = request_headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == asset.etag || tag.trim() == "*");
    if unchanged {
        return (
            StatusCode::NOT_MODIFIED,
            [(ETAG, asset.etag.clone()), cache],
        )
            .into_response();
    }
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
            (ETAG, asset.etag.clone()),
            cache,
        ],
        asset.bytes,
    )
        .into_response()
}

/// The security headers on every answer of these routes, a 404 included.
async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_and_the_router_are_embedded() {
        assert!(ASSET_TABLE.contains_key("index.html"));
        assert!(ASSET_TABLE.contains_key("app.js"));
        assert_eq!(
            content_type("pages/search.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("x.unknown"), "application/octet-stream");
    }

    #[test]
    fn pages_and_assets_are_web_routes_and_the_api_is_not() {
        assert!(is_web_route("/"));
        assert!(is_web_route("/committees/{id}"));
        assert!(is_web_route(ASSETS));
        assert!(!is_web_route("/v1/committees/{id}"));
    }
}
