//! Turning what a person types (a UUID, a seed slug, a name or a decision number) into the one
//! entity id the daemon's routes take.

use reformlog::{EntityDetails, EntitySummary, SearchHit};
use reformlog_api::Envelope;

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
            let found: Envelope<EntitySummary> = crate::answer::decode(&v)?;
            return Ok(found.answer.id.to_string());
        }
    }
    match kind {
        Kind::Decision | Kind::Task => by_listing(client, kind, text),
        _ => by_search(client, kind, text),
    }
}

fn by_search(client: &Client, kind: Kind, text: &str) -> Result<String, Error> {
    let answer: Envelope<Vec<SearchHit>> = client.get_as("/v1/search", &[("q", Some(text))])?;
    let hits: Vec<Candidate> = answer
        .answer
        .iter()
        .filter(|h| h.entity.category() == kind.category())
        .map(|h| (h.name.to_string(), Some(h.entity.uuid().to_string())))
        .collect();
    if hits.is_empty() {
        return Err(not_found(client, kind, text, None));
    }
    pick(kind, text, hits)
}

fn by_listing(client: &Client, kind: Kind, text: &str) -> Result<String, Error> {
    let items: Vec<EntitySummary> =
        client.list_all_as(&format!("/v1/{}", plural(kind)), Some(LATEST), None)?;
    let needle = reformlog::fold(text);
    let name = |e: &EntitySummary| e.name.clone();
    let found: Vec<Candidate> = items
        .iter()
        .filter(|e| {
            number(e).is_some_and(|n| reformlog::fold(&n) == needle)
                || name(e).is_some_and(|n| reformlog::fold(&n).contains(&needle))
        })
        .map(candidate)
        .collect();
    if found.is_empty() {
        // A decision may be misspelt by its number or by its title.
        let id = |e: &EntitySummary| Some(e.id.to_string());
        let known: Vec<Candidate> = items
            .iter()
            .flat_map(|e| {
                [number(e), name(e)]
                    .into_iter()
                    .flatten()
                    .map(|l| (l, id(e)))
            })
            .collect();
        return Err(not_found(client, kind, text, Some(&known)));
    }
    pick(kind, text, found)
}

/// One candidate wins: the only one, or the only one whose whole name matches; several are
/// listed with their ids, so the right one can be given by id.
fn pick(kind: Kind, text: &str, candidates: Vec<Candidate>) -> Result<String, Error> {
    let needle = reformlog::fold(text);
    let exact: Vec<&Candidate> = candidates
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
            let shown: Vec<&Candidate> = candidates.iter().take(LISTED).collect();
            let more = candidates.len() - shown.len();
            return Err(Error::NotFound(format!(
                "{text:?} matches {} {}s; be more specific or give the id: {}{}",
                candidates.len(),
                kind.category(),
                listing(&shown),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )));
        }
    };
    chosen
        .and_then(|(_, id)| id.clone())
        .ok_or_else(|| Error::BadAnswer(format!("a {} without an id", kind.category())))
}

/// How alike a candidate's name must be (0 to 1, folded) to be suggested.
const ALIKE: f64 = 0.7;
/// At most this many suggestions or ambiguous candidates are listed.
const LISTED: usize = 8;

/// Nothing matched `text`: the error, with the names of `kind` most like it (folded, so
/// diacritics and case do not count) when some are close enough.
fn not_found(client: &Client, kind: Kind, text: &str, known: Option<&[Candidate]>) -> Error {
    let listed;
    let known = match known {
        Some(k) => k,
        None => {
            // Suggestions are a help: when the listing itself fails, the plain message stays.
            listed = list_candidates(client, kind).unwrap_or_default();
            &listed
        }
    };
    let close = suggestions(text, known);
    let mut message = format!("no {} matches {text:?}", kind.category());
    if !close.is_empty() {
        message.push_str("; did you mean ");
        message.push_str(&listing(&close));
        message.push('?');
    }
    Error::NotFound(message)
}

/// A name and the id it belongs to.
type Candidate = (String, Option<String>);

/// Every entity of `kind` with its latest name.
fn list_candidates(client: &Client, kind: Kind) -> Result<Vec<Candidate>, Error> {
    let items: Vec<EntitySummary> =
        client.list_all_as(&format!("/v1/{}", plural(kind)), Some(LATEST), None)?;
    Ok(items.iter().map(candidate).collect())
}

/// A decision's number, which is how people name decisions.
fn number(e: &EntitySummary) -> Option<String> {
    match &e.details {
        EntityDetails::Decision { number, .. } => Some(number.clone()),
        _ => None,
    }
}

fn candidate(e: &EntitySummary) -> Candidate {
    let label = number(e).or_else(|| e.name.clone()).unwrap_or_default();
    (label, Some(e.id.to_string()))
}

/// The candidates whose folded name, or a run of its words as long as the text, is at
/// least [`ALIKE`] like the folded text, most alike first.
fn suggestions<'a>(text: &str, candidates: &'a [Candidate]) -> Vec<&'a Candidate> {
    let needle = reformlog::fold(text);
    let words = needle.split(' ').count();
    let mut scored: Vec<((f64, f64), &Candidate)> = candidates
        .iter()
        .filter_map(|c| {
            let name = reformlog::fold(&c.0);
            let parts: Vec<&str> = name.split(' ').collect();
            let windows = parts
                .windows(words.min(parts.len()).max(1))
                .map(|w| w.join(" "));
            let whole = strsim::normalized_levenshtein(&needle, &name);
            let best = windows
                .map(|part| strsim::normalized_levenshtein(&needle, &part))
                .fold(whole, f64::max);
            (best >= ALIKE).then_some(((best, whole), c))
        })
        .collect();
    // Among names alike in their best part, the one more alike as a whole comes first.
    scored.sort_by(|((best_a, whole_a), _), ((best_b, whole_b), _)| {
        best_b.total_cmp(best_a).then(whole_b.total_cmp(whole_a))
    });
    scored.into_iter().take(LISTED).map(|(_, c)| c).collect()
}

/// Names with their ids, for a person to choose from: `"Phạm Minh Tiến" (id …)`.
fn listing(candidates: &[&Candidate]) -> String {
    candidates
        .iter()
        .map(|(name, id)| match id {
            Some(id) => format!("{name:?} (id {id})"),
            None => format!("{name:?}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
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
        assert!(
            err.to_string()
                .contains(r#"matches 2 persons; be more specific or give the id: "Phạm Minh Tiến" (id a), "Nguyễn Phú Tiến" (id b)"#),
            "{err}"
        );
        assert!(pick(Kind::Unit, "x", vec![]).is_err());
        assert!(looks_like_slug("bcd-cchc-bo-tttt") && !looks_like_slug("Ban chỉ đạo"));
    }

    #[test]
    fn misspelt_names_are_suggested_whatever_their_diacritics() {
        let c = |n: &str| (n.to_string(), Some(n.to_lowercase()));
        let known = vec![
            c("Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông"),
            c("Tổ giúp việc"),
            c("Phạm Minh Tiến"),
            c("Nguyễn Phú Tiến"),
            c("Đỗ Công Anh"),
        ];
        let names = |text: &str| -> Vec<&str> {
            suggestions(text, &known)
                .into_iter()
                .map(|c| c.0.as_str())
                .collect()
        };
        // A letter wrong in the part of the name typed, without diacritics.
        assert_eq!(
            names("ban chi dao cai cach hanh chanh"),
            ["Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông"]
        );
        assert_eq!(names("Phạm Mnh Tiến")[0], "Phạm Minh Tiến");
        assert_eq!(names("do cong anhh"), ["Đỗ Công Anh"]);
        assert!(names("xyz").is_empty());
        let shown = listing(&suggestions("pham minh tein", &known));
        assert!(
            shown.starts_with(r#""Phạm Minh Tiến" (id phạm minh tiến)"#),
            "{shown}"
        );
    }
}
