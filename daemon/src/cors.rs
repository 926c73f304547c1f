//! Cross-origin access for the configured origins only: the preflight answered before any
//! token is asked for, and the headers a page needs to send and to read.

use axum::http::{header, HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Checks that `origin` is an origin as browsers send it: `http` or `https`, a host, an
/// optional port, and nothing after (no path, no trailing slash).
pub(crate) fn check_origin(origin: &str) -> Result<(), String> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| format!("cors origin {origin:?} must start with https:// or http://"))?;
    let valid = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "cors origin {origin:?} must be scheme://host[:port], with no path or slash after it"
        ))
    }
}

/// The layer for `origins` (already checked), or `None` when there are none: then no
/// cross-origin header is ever sent and a preflight is an ordinary unknown method.
pub(crate) fn layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(allowed))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                header::IF_NONE_MATCH,
                HeaderName::from_static("idempotency-key"),
                HeaderName::from_static("last-event-id"),
            ])
            .expose_headers([
                header::ETAG,
                header::LOCATION,
                header::RETRY_AFTER,
                header::WWW_AUTHENTICATE,
                HeaderName::from_static("x-request-id"),
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bare_origins_are_taken() {
        for ok in [
            "https://vanphong.mic.gov.vn",
            "http://127.0.0.1:5173",
            "http://[::1]:8080",
        ] {
            assert_eq!(check_origin(ok), Ok(()), "{ok}");
        }
        for bad in [
            "vanphong.mic.gov.vn",
            "https://",
            "https://vanphong.mic.gov.vn/",
            "https://vanphong.mic.gov.vn/trang",
            "ftp://vanphong.mic.gov.vn",
            "https://van phong",
            "*",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }
}
