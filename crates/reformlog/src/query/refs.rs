//! How answers name the entities they mention: units, people, posts and decisions, each as
//! named on the date asked about; the posts a person held on a date.

use crate::collate::collate;
use crate::date::Date;
use crate::ids::{DecisionId, EntityKey, PersonId, PostId, UnitId};
use crate::source::Source;
use crate::text::Name;
use crate::view::{covers, EntityView};
use serde::{Deserialize, Serialize};

/// A unit, named as on the date asked about.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitRef {
    /// The unit's id.
    pub id: UnitId,
    /// Its name on the date (its first, for a date before it was established); `None` if
    /// the unit is not on record.
    pub name: Option<Name>,
}

/// A person, named as on the date asked about.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRef {
    /// The person's id.
    pub id: PersonId,
    /// Their name on the date (their first, for a date before they were registered); `None`
    /// if the person is not on record.
    pub name: Option<Name>,
}

/// A post with the unit it belongs to.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostRef {
    /// The post's id.
    pub id: PostId,
    /// Its title.
    pub title: Option<Name>,
    /// The unit it belongs to, named as on the date.
    pub unit: Option<UnitRef>,
}

/// A decision by number.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionRef {
    /// The decision's id.
    pub id: DecisionId,
    /// Its number as written, e.g. `34/QĐ-BTTTT`; `None` if the decision is not on record.
    pub number: Option<String>,
}

/// Where a decision's text is published, as the decision's answers list it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TextLink {
    /// The published text: an `http` or `https` URL.
    pub url: String,
    /// What the link is, e.g. "Cổng thông tin Bộ TT&TT".
    pub note: Option<String>,
}

/// A decision's links in recording order.
pub(crate) fn text_links(d: &crate::view::DecisionView) -> Vec<TextLink> {
    d.links
        .iter()
        .map(|l| TextLink {
            url: l.url.clone(),
            note: l.note.clone(),
        })
        .collect()
}

pub(crate) fn unit_ref(s: &dyn Source, id: UnitId, on: Date) -> UnitRef {
    let name = s
        .view(&EntityKey::Unit(id))
        .and_then(|v| v.as_unit().and_then(|u| u.name_on(on).cloned()));
    UnitRef { id, name }
}

pub(crate) fn person_ref(s: &dyn Source, id: PersonId, on: Date) -> PersonRef {
    let name = s
        .view(&EntityKey::Person(id))
        .and_then(|v| v.as_person().and_then(|p| p.name_on(on).cloned()));
    PersonRef { id, name }
}

pub(crate) fn post_ref(s: &dyn Source, id: PostId, on: Date) -> PostRef {
    let view = s.view(&EntityKey::Post(id));
    let post = view.as_deref().and_then(EntityView::as_post);
    PostRef {
        id,
        title: post.map(|p| p.title.clone()),
        unit: post.and_then(|p| p.unit).map(|u| unit_ref(s, u, on)),
    }
}

pub(crate) fn decision_ref(s: &dyn Source, id: DecisionId) -> DecisionRef {
    let number = s
        .view(&EntityKey::Decision(id))
        .and_then(|v| v.as_decision().map(|d| d.record.number.clone()));
    DecisionRef { id, number }
}

pub(crate) fn positions_on(s: &dyn Source, person: PersonId, on: Date) -> Vec<PostRef> {
    let mut out = Vec::new();
    for key in s.posts_of_person(person) {
        let EntityKey::Post(post) = key else { continue };
        // The person first: a post's holdings grow with its history, most of them others'.
        let holds = s
            .view(&key)
            .and_then(|v| {
                v.as_post().map(|p| {
                    p.holdings
                        .iter()
                        .any(|h| h.person == person && covers(h.from, h.ended_on, on))
                })
            })
            .unwrap_or(false);
        if holds {
            out.push(post_ref(s, post, on));
        }
    }
    out.sort_by(|a, b| {
        collate(name_str(&a.title), name_str(&b.title)).then_with(|| a.id.cmp(&b.id))
    });
    out
}

/// A name for collation; an entity without one comes first.
pub(super) fn name_str(name: &Option<Name>) -> &str {
    name.as_ref().map_or("", Name::as_str)
}
