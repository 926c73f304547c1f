//! Name search: people, units, posts and committees by any name they have borne, folded
//! (case, diacritics, Unicode normal form), in Vietnamese order.

use crate::collate::collate;
use crate::ids::EntityKey;
use crate::source::Source;
use crate::text::{fold, folded_contains, Name};
use crate::view::EntityView;
use serde::{Deserialize, Serialize};

/// A name-search result.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    /// The entity found: a person, unit, post or committee.
    pub entity: EntityKey,
    /// The latest name.
    pub name: Name,
    /// The name that matched (an earlier one, if the entity was renamed).
    pub matched: Name,
}

/// People, units, posts and committees whose name (any they have borne) matches `text`,
/// ignoring case, diacritics and Unicode normal form.
pub(crate) fn search(s: &dyn Source, text: &str) -> Vec<SearchHit> {
    let needle = fold(text);
    if needle.is_empty() {
        return Vec::new();
    }
    let mut keys = s.named(&needle);
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        let Some(view) = s.view(&key) else { continue };
        let names = view.names();
        let Some(matched) = names
            .iter()
            .rev()
            .find(|n| folded_contains(&n.folded(), &needle))
        else {
            continue;
        };
        let latest = match view.as_ref() {
            EntityView::Unit(u) => u.names.latest().cloned(),
            EntityView::Person(p) => p.names.latest().cloned(),
            EntityView::Committee(c) => c.names.latest().cloned(),
            EntityView::Post(p) => Some(p.title.clone()),
            _ => None,
        };
        out.push(SearchHit {
            entity: key,
            name: latest.unwrap_or_else(|| (*matched).clone()),
            matched: (*matched).clone(),
        });
    }
    out.sort_by(|a, b| {
        collate(a.name.as_str(), b.name.as_str()).then_with(|| a.entity.cmp(&b.entity))
    });
    out
}
