//! Turning what a person types (a UUID, a seed slug, a name or a decision number) into the one
//! entity id the daemon's routes take.

use serde_json::Value;

use crate::cli::{plural, Kind};
use crate::client::{segment, Client};
use crate::error::Error;

/// A date late enough that every entity recorded so far exists on it, so a lookup finds
/// entities whatever their dates (and shows their latest names).
pub(crate) const LATEST: &str = "9999-12-31";

fn looks_like_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The id (UUID text) of the entity of `kind` that `text` names.
pub(crate) fn resolve(client: &Client, kind: Kind, text: &str) -> Result<String, Error> {
    let text = text.trim();
    if uuid::Uuid::parse_str(text).is_ok() {
        return Ok(text.to_string());
    }
    if looks_like_slug(text) {
        let path = format!("/v1/{}/{}", plural(kind), segment(text));
        if let Some(v) = client.get_opt(&path, &[("on", Some(LATEST))])? {
            if let Some(id) = v.get("id").and_then(Value::as_str) {
                return Ok(id.to_string());
            }
        }
    }
    match kind {
        Kind::Decision | Kind::Task => by_listing(client, kind, text),
        _ => by_search(client, kind, text),
    }
}

fn by_search(client: &Client, kind: Kind, text: &str) -> Result<String, Error> {
    let answer = client.get("/v1/search", &[("q", Some(text))])?;
    let hits: Vec<&Value> = answer
        .get("answer")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|h| {
                    h.pointer("/entity/kind").and_then(Value::as_str) == Some(kind.category())
                })
                .collect()
        })
        .unwrap_or_default();
    let name = |h: &Value| {
        h.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let id = |h: &Value| {
        h.pointer("/entity/id")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    pick(kind, text, hits.iter().map(|h| (name(h), id(h))).collect())
}

fn by_listing(client: &Client, kind: Kind, text: &str) -> Result<String, Error> {
    let items = client.list_all(&format!("/v1/{}", plural(kind)), Some(LATEST), None)?;
    let needle = reformlog::fold(text);
    let found: Vec<(String, Option<String>)> = items
        .iter()
        .filter(|e| {
            let number = e
                .pointer("/details/decision/number")
                .and_then(Value::as_str);
            let name = e.get("name").and_then(Value::as_str);
            number.is_some_and(|n| reformlog::fold(n) == needle)
                || name.is_some_and(|n| reformlog::fold(n).contains(&needle))
        })
        .map(|e| {
            let label = e
                .pointer("/details/decision/number")
                .or_else(|| e.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            (
                label,
                e.get("id").and_then(Value::as_str).map(str::to_string),
            )
        })
        .collect();
    pick(kind, text, found)
}

/// One candidate wins: the only one, or the only one whose whole name matches.
fn pick(
    kind: Kind,
    text: &str,
    candidates: Vec<(String, Option<String>)>,
) -> Result<String, Error> {
    let needle = reformlog::fold(text);
    let exact: Vec<&(String, Option<String>)> = candidates
        .iter()
        .filter(|(n, _)| reformlog::fold(n) == needle)
        .collect();
    let chosen = match (candidates.len(), exact.len()) {
        (1, _) => candidates.first(),
        (_, 1) => exact.first().copied(),
        (0, _) => {
            return Err(Error::NotFound(format!(
                "no {} matches {text:?}",
                kind.category()
            )));
        }
        _ => {
            let names: Vec<&str> = candidates
                .iter()
                .map(|(n, _)| n.as_str())
                .take(10)
                .collect();
            return Err(Error::NotFound(format!(
                "{text:?} matches {} {}s; be more specific or give the id: {}",
                candidates.len(),
                kind.category(),
                names.join("; ")
            )));
        }
    };
    chosen
        .and_then(|(_, id)| id.clone())
        .ok_or_else(|| Error::BadAnswer(format!("a {} without an id", kind.category())))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn one_candidate_or_one_exact_match_wins() {
        let c = |n: &str, id: &str| (n.to_string(), Some(id.to_string()));
        assert_eq!(
            pick(Kind::Person, "tien", vec![c("Phạm Minh Tiến", "a")]).unwrap(),
            "a"
        );
        let two = vec![c("Phạm Minh Tiến", "a"), c("Nguyễn Phú Tiến", "b")];
        assert_eq!(
            pick(Kind::Person, "nguyen phu tien", two.clone()).unwrap(),
            "b"
        );
        let err = pick(Kind::Person, "tien", two).unwrap_err();
        assert!(err.to_string().contains("matches 2 persons"), "{err}");
        assert!(pick(Kind::Unit, "x", vec![]).is_err());
        assert!(looks_like_slug("bcd-cchc-bo-tttt") && !looks_like_slug("Ban chỉ đạo"));
    }
}
