//! Conditional reads: an `ETag` on every JSON answer of a `/v1` read, and `304 Not Modified`
//! when the client's `If-None-Match` already names it.
//!
//! The tag is a hash of the answer's bytes, so it changes exactly when the answer does: a new
//! write (the answer carries its position), a default date that rolled over, another known-at.
//! An entity read is tagged `"revision-position"` instead: `If-Match` takes the revision back
//! on a write, and the position is the one its envelope carries. That pair fixes the answer's
//! bytes only for a date the client gave, so without `on` such a read is never answered 304.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Body as _;

use crate::problem::ApiError;

/// Marks a response whose own `ETag` fixes its bytes, so `If-None-Match` may be answered 304.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StableTag;

/// Answers are tens of KiB; past this a body is passed on untagged rather than held.
const MAX_TAGGED_BODY: u64 = 8 * 1024 * 1024;

/// Every answer may change with the next write, so a client keeps it only to revalidate; it
/// answers a token holder, so no shared cache keeps it.
const CACHE_CONTROL: HeaderValue = HeaderValue::from_static("private, no-cache");

/// The middleware: tags the JSON answers of `/v1` reads and answers a matching
/// `If-None-Match` with 304.
pub(crate) async fn tag(req: Request, next: Next) -> Response {
    let conditional = (req.method() == Method::GET || req.method() == Method::HEAD)
        && req.uri().path().starts_with("/v1/");
    if !conditional {
        return next.run(req).await;
    }
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(req).await;
    if response.status() != StatusCode::OK || !is_json(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let etag = match parts.headers.get(header::ETAG) {
        Some(own) => {
            if parts.extensions.get::<StableTag>().is_none() {
                return Response::from_parts(parts, body);
            }
            own.clone()
        }
        None => {
            // Only a body already in memory is tagged: the size is known and it is one frame.
            let exact = body.size_hint().exact();
            if exact.is_none_or(|n| n > MAX_TAGGED_BODY) {
                return Response::from_parts(parts, body);
            }
            let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
                return ApiError::internal("the answer could not be read").into_response();
            };
            let etag = content_tag(&bytes);
            parts.headers.insert(header::ETAG, etag.clone());
            return finish(parts, Body::from(bytes), etag, if_none_match.as_ref());
        }
    };
    finish(parts, body, etag, if_none_match.as_ref())
}

fn finish(
    mut parts: axum::http::response::Parts,
    body: Body,
    etag: HeaderValue,
    if_none_match: Option<&HeaderValue>,
) -> Response {
    parts
        .headers
        .insert(header::CACHE_CONTROL, CACHE_CONTROL.clone());
    if if_none_match.is_some_and(|wanted| matches(wanted, &etag)) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            if let Some(v) = parts.headers.get(&name) {
                not_modified.headers_mut().insert(name, v.clone());
            }
        }
        return not_modified;
    }
    Response::from_parts(parts, body)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"))
}

/// A weak tag: the same bytes go out gzip'd, br'd or plain, which a strong tag would have to
/// tell apart.
fn content_tag(bytes: &Bytes) -> HeaderValue {
    let hash = blake3::hash(bytes);
    let hex = hash.to_hex();
    let text = format!("W/\"{}\"", &hex[..32]);
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("W/\"\""))
}

/// RFC 9110's weak comparison of `If-None-Match` (a list of tags, or `*`) with `etag`.
fn matches(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(wanted) = if_none_match.to_str() else {
        return false;
    };
    let Ok(ours) = etag.to_str() else {
        return false;
    };
    let ours = opaque(ours);
    wanted
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || (!tag.is_empty() && opaque(tag) == ours))
}

fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// Adds `If-None-Match` and the 304 answer to every read of `/v1` that answers JSON, since
/// the middleware gives them all.
pub(crate) fn document(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, ResponseBuilder, Type};
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/v1/") {
            continue;
        }
        let Some(get) = item.get.as_mut() else {
            continue;
        };
        let answers_json = get.responses.responses.get("200").is_some_and(|r| match r {
            utoipa::openapi::RefOr::T(r) => {
                r.content.is_empty() || r.content.contains_key("application/json")
            }
            utoipa::openapi::RefOr::Ref(_) => true,
        });
        if !answers_json {
            continue;
        }
        let parameter = ParameterBuilder::new()
            .name("If-None-Match")
            .parameter_in(ParameterIn::Header)
            .description(Some(
                "ETags of answers the client holds; 304 when the answer is still one of them",
            ))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build();
        get.parameters.get_or_insert_with(Vec::new).push(parameter);
        get.responses.responses.insert(
            "304".to_string(),
            ResponseBuilder::new()
                .description("Not modified: the answer's ETag is one If-None-Match named")
                .build()
                .into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_comparison_ignores_the_weak_prefix_and_reads_lists() {
        let ours = HeaderValue::from_static("W/\"abc\"");
        for wanted in ["W/\"abc\"", "\"abc\"", "\"x\", W/\"abc\"", "*"] {
            assert!(
                matches(&HeaderValue::from_static(wanted), &ours),
                "{wanted}"
            );
        }
        for wanted in ["\"abd\"", "", "W/\"ab\"", "abc"] {
            assert!(
                !matches(&HeaderValue::from_static(wanted), &ours),
                "{wanted}"
            );
        }
    }

    #[test]
    fn the_tag_follows_the_bytes() {
        let a = content_tag(&Bytes::from_static(b"{\"position\":1}"));
        let b = content_tag(&Bytes::from_static(b"{\"position\":2}"));
        assert_ne!(a, b);
        assert_eq!(a, content_tag(&Bytes::from_static(b"{\"position\":1}")));
        assert!(a.as_bytes().starts_with(b"W/\""));
    }
}
