//! Every problem answer names its occurrence: `instance` is the request's id as a URN when it
//! is a UUID (the one `X-Request-Id` carries and the logs name), else the request's path.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use http_body::Body as _;

/// Problem bodies are a few hundred bytes; one larger is passed on as it is.
const MAX_PROBLEM_BODY: u64 = 64 * 1024;

/// The middleware: fills `instance` into the problem answers of the handlers and layers inside.
pub(crate) async fn fill(req: Request, next: Next) -> Response {
    let instance = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .map_or_else(|| req.uri().path().to_string(), |id| id.urn().to_string());
    let response = next.run(req).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes() == b"application/problem+json");
    if !is_problem {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    if body
        .size_hint()
        .exact()
        .is_none_or(|n| n > MAX_PROBLEM_BODY)
    {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let filled = match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes)
    {
        Ok(mut problem) if !problem.contains_key("instance") => {
            problem.insert("instance".into(), serde_json::Value::String(instance));
            serde_json::to_vec(&problem).ok()
        }
        _ => None,
    };
    let Some(filled) = filled else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(filled.len() as u64),
    );
    Response::from_parts(parts, Body::from(filled))
}
