//! Extractors whose rejections are problem+json errors instead of axum's plain-text ones.

use axum::body::{Body, Bytes};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, OptionalFromRequest, Request};
use serde::de::DeserializeOwned;

use crate::problem::ApiError;
use reformlog_api::ProblemCode;

/// `FromRequestParts` for the extractor `$name<T>` (`T` bound by what the brackets say), its
/// rejection an [`ApiError`]: `$body` reads `parts` (and the router's `state`) into it.
macro_rules! from_parts {
    ($name:ident<T: [$($bound:tt)+]>, |$parts:ident, $state:ident| $body:block) => {
        impl<S, T> axum::extract::FromRequestParts<S> for $name<T>
        where
            T: $($bound)+,
            S: Send + Sync,
        {
            type Rejection = $crate::problem::ApiError;

            async fn from_request_parts(
                $parts: &mut axum::http::request::Parts,
                $state: &S,
            ) -> Result<Self, Self::Rejection> $body
        }
    };
}
pub(crate) use from_parts;

/// A JSON body; malformed, mistyped, unknown-field or oversized bodies become typed 4xx errors.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match <axum::Json<T> as FromRequest<S>>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(rejection.into()),
        }
    }
}

/// `Option<ApiJson<T>>`: an empty body (with or without a `Content-Type`) is `None`, so a
/// route that gained an optional body still answers clients that send none, including those
/// that always set `Content-Type: application/json`; a non-empty body must be valid JSON.
impl<S, T> OptionalFromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let (parts, body) = req.into_parts();
        // Buffered through the `Bytes` extractor so that the body size limit still applies.
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|e| ApiError::from(JsonRejection::from(e)))?;
        if bytes.is_empty() {
            return Ok(None);
        }
        let req = Request::from_parts(parts, Body::from(bytes));
        <ApiJson<T> as FromRequest<S>>::from_request(req, state)
            .await
            .map(Some)
    }
}

/// Query parameters; unknown or malformed parameters become typed 400 errors.
#[derive(Debug)]
pub(crate) struct ApiQuery<T>(pub(crate) T);

from_parts!(ApiQuery<T: [DeserializeOwned]>, |parts, state| {
    // The form decoder replaces bytes that are not UTF-8 with U+FFFD and carries on, so a
    // search for `%ff%fe` would quietly become a search for two replacement characters.
    let raw = parts.uri.query().unwrap_or("");
    if percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .is_err()
    {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidQuery,
            "the query string is not UTF-8 once percent-decoded",
        ));
    }
    axum::extract::Query::<T>::from_request_parts(parts, state)
        .await
        .map(|axum::extract::Query(v)| ApiQuery(v))
        .map_err(|e: QueryRejection| ApiError::bad_request(ProblemCode::InvalidQuery, e.body_text()))
});

/// Path parameters; malformed ones become typed 400 errors.
#[derive(Debug)]
pub(crate) struct ApiPath<T>(pub(crate) T);

from_parts!(ApiPath<T: [DeserializeOwned + Send]>, |parts, state| {
    axum::extract::Path::<T>::from_request_parts(parts, state)
        .await
        .map(|axum::extract::Path(v)| ApiPath(v))
        .map_err(|e: PathRejection| ApiError::bad_request(ProblemCode::InvalidPath, e.body_text()))
});
