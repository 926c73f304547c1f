//! Names the entities a refusal mentions: each id in its detail becomes the entity's name
//! with its id, and the problem lists them, so a clerk reads "Vụ Bưu chính" where the domain
//! wrote a UUID.

use reformlog::{Date, EntityKind, Reformlog};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::problem::ApiError;

/// The ids in `text`, in order of first appearance.
fn ids_in(text: &str) -> Vec<Uuid> {
    let bytes = text.as_bytes();
    let mut out: Vec<Uuid> = Vec::new();
    let mut i = 0;
    while i + 36 <= bytes.len() {
        let starts_word = i == 0 || !bytes[i - 1].is_ascii_hexdigit();
        if starts_word {
            if let Some(id) = text.get(i..i + 36).and_then(|s| Uuid::parse_str(s).ok()) {
                if !out.contains(&id) {
                    out.push(id);
                }
                i += 36;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// `error` with the entities its detail names by id named by name too. Lookups that fail
/// leave the text as it is: naming is a courtesy, never a second error.
pub(crate) fn name_entities(domain: &Reformlog, error: ApiError) -> ApiError {
    if !error.status().is_client_error() {
        return error;
    }
    let on = Date::from_ymd(9999, 12, 31).ok();
    let mut detail = error.detail().to_owned();
    let mut named = Vec::new();
    for id in ids_in(&detail.clone()) {
        let found = EntityKind::ALL.iter().find_map(|kind| {
            let summary = domain.entity(kind.key(id), on?, None).ok()??;
            Some((*kind, summary.name?))
        });
        let Some((kind, name)) = found else { continue };
        let word = kind.category();
        detail = detail
            .replace(
                &format!("{word}-{id}"),
                &format!("{word} \"{name}\" ({id})"),
            )
            .replace(
                &format!("{word} {id}"),
                &format!("{word} \"{name}\" ({id})"),
            );
        if !detail.contains(&format!("({id})")) {
            detail = detail.replace(&id.to_string(), &format!("\"{name}\" ({id})"));
        }
        named.push(json!({ "kind": word, "id": id, "name": name }));
    }
    if named.is_empty() {
        return error;
    }
    error
        .with_detail(detail)
        .with_field("entities", Value::Array(named))
}

#[cfg(test)]
mod tests {
    use super::ids_in;

    #[test]
    fn ids_are_found_where_they_stand_alone_or_after_a_kind() {
        let a = "0190a5c0-0000-7000-8000-000000000001";
        let b = "0190a5c0-0000-7000-8000-000000000002";
        let text = format!("seat {a} of committee-{b} (and {a} again); not x{b}");
        let found: Vec<String> = ids_in(&text).iter().map(|u| u.to_string()).collect();
        assert_eq!(found, vec![a.to_owned(), b.to_owned()]);
        assert!(ids_in("no ids here, 0190a5c0-0000").is_empty());
    }
}
