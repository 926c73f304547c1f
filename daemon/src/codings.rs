//! Requests refused before routing because of how their body is coded: a transfer coding
//! other than `chunked` (501) or a content coding other than `identity` (415). The daemon
//! decodes neither, and reading a gzip body as plain JSON would answer about bytes the
//! client never meant.

use axum::extract::Request;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;

/// The codings of a comma-separated header, lower-cased, parameters dropped.
fn codings<'h>(
    headers: &'h HeaderMap,
    name: header::HeaderName,
) -> impl Iterator<Item = String> + 'h {
    headers.get_all(name).iter().flat_map(|v| {
        v.to_str()
            .unwrap_or("\u{0}")
            .split(',')
            .map(|c| {
                c.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>()
    })
}

/// Refuses a request whose body is coded in a way the daemon does not decode.
pub(crate) fn check(headers: &HeaderMap) -> Result<(), ApiError> {
    if let Some(other) = codings(headers, header::TRANSFER_ENCODING).find(|c| c != "chunked") {
        return Err(ApiError::unsupported_transfer_coding(&other));
    }
    if let Some(other) = codings(headers, header::CONTENT_ENCODING).find(|c| c != "identity") {
        return Err(ApiError::unsupported_content_coding(&other));
    }
    Ok(())
}

/// The middleware form of [`check`].
pub(crate) async fn refuse_unknown(req: Request, next: Next) -> Response {
    match check(req.headers()) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::http::StatusCode;

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, value.parse().unwrap());
        h
    }

    #[test]
    fn only_chunked_and_identity_pass() {
        assert!(check(&HeaderMap::new()).is_ok());
        assert!(check(&with(header::TRANSFER_ENCODING, "chunked")).is_ok());
        assert!(check(&with(header::TRANSFER_ENCODING, "Chunked")).is_ok());
        assert!(check(&with(header::CONTENT_ENCODING, "identity")).is_ok());
        let te = check(&with(header::TRANSFER_ENCODING, "gzip, chunked")).unwrap_err();
        assert_eq!(te.status(), StatusCode::NOT_IMPLEMENTED);
        let ce = check(&with(header::CONTENT_ENCODING, "gzip")).unwrap_err();
        assert_eq!(ce.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let br = check(&with(header::CONTENT_ENCODING, "identity, br")).unwrap_err();
        assert_eq!(br.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
}
