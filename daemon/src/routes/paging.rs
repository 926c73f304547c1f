//! `Link` headers (RFC 8288) on paged lists: the next page's address, built from the request's
//! own so that every filter the client gave carries over.

use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What stays unescaped in a query value: RFC 3986's unreserved characters.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The request's address with `set` replacing (or adding) parameters and `drop` removed, as a
/// `rel="next"` link.
pub(crate) fn next_link(uri: &Uri, set: &[(&str, &str)], drop: &[&str]) -> Option<HeaderValue> {
    let replaced = |pair: &&str| {
        let key = pair.split('=').next().unwrap_or("");
        set.iter().any(|(k, _)| *k == key) || drop.contains(&key)
    };
    let mut query: Vec<String> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| !replaced(p))
        .map(String::from)
        .collect();
    for (key, value) in set {
        query.push(format!("{key}={}", utf8_percent_encode(value, VALUE)));
    }
    let link = format!("<{}?{}>; rel=\"next\"", uri.path(), query.join("&"));
    HeaderValue::from_str(&link).ok()
}

/// `body` as the answer, with the next page's `Link` when there is one.
pub(crate) fn with_next(body: impl IntoResponse, next: Option<HeaderValue>) -> Response {
    let mut response = body.into_response();
    if let Some(link) = next {
        response.headers_mut().insert(header::LINK, link);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(uri: &str, set: &[(&str, &str)], drop: &[&str]) -> String {
        let uri: Uri = uri.parse().expect("a test address");
        let link = next_link(&uri, set, drop).expect("a link");
        String::from_utf8(link.as_bytes().to_vec()).expect("ASCII")
    }

    #[test]
    fn the_next_page_keeps_every_other_parameter() {
        assert_eq!(
            link(
                "/v1/units?on=2022-02-01&cursor=a&limit=2",
                &[("cursor", "b")],
                &[]
            ),
            "</v1/units?on=2022-02-01&limit=2&cursor=b>; rel=\"next\""
        );
        assert_eq!(
            link("/v1/events", &[("from", "101")], &["since"]),
            "</v1/events?from=101>; rel=\"next\""
        );
        assert_eq!(
            link(
                "/v1/events?since=2022-01-01T00%3A00%3A00Z&types=A",
                &[("from", "7")],
                &["since"]
            ),
            "</v1/events?types=A&from=7>; rel=\"next\""
        );
    }

    #[test]
    fn values_are_escaped() {
        assert_eq!(
            link("/v1/reminders", &[("after", "a b/c")], &[]),
            "</v1/reminders?after=a%20b%2Fc>; rel=\"next\""
        );
    }
}
