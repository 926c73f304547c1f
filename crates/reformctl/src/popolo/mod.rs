//! Popolo JSON (popoloproject.com): the document reformctl exports (persons, organizations,
//! posts, memberships, plus decisions as events) and its translation back into commands.
//!
//! Popolo has no field for a few things the model needs to rebuild the same answers; those
//! travel as extra properties, which the Popolo schemas allow: on organizations `unit_id`,
//! `duties`, `decision_id`, `merged_into_id`; on posts `reformlog_role`, `max_holders`,
//! `on_behalf_of_id`, `ex_officio_post_id`, `decision_id`, `end_decision_id`; on memberships
//! `reformlog_role`, `decision_id`, `end_decision_id`; on events `signed_on`, `signer_id`,
//! `amends`, `replaces`, `repeals`. A decision's links to its published text are an event's
//! `sources`, and follow the decision's URN in the sources of the memberships it starts; on
//! import, a source's link is kept on the decision its record cites. Committee seats are posts of the committee's
//! organization; posts held in units (a director's post) are posts of the unit, and holding
//! one is a membership of the unit. Any other field a file carries is read into `extra` and
//! reported as not kept.

mod commands;
mod document;
mod error;
mod extra;
mod gather;
mod ids;
mod links;
mod seats;
#[cfg(test)]
mod tests;
mod vocab;

pub(crate) use commands::to_commands;
pub(crate) use document::document;
pub(crate) use gather::{gather, Gathered};
pub(crate) use vocab::role_code;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_with::skip_serializing_none;

/// The classification of committee organizations.
pub(crate) const COMMITTEE: &str = "committee";
/// The URN prefix of a decision cited in `sources`.
pub const DECISION_URN: &str = "urn:reformlog:decision:";
/// The identifier scheme of reformlog's own ids.
pub(crate) const SCHEME: &str = "reformlog";
/// The identifier scheme of a decision's number.
pub(crate) const NUMBER_SCHEME: &str = "decision-number";

/// Fields a record carries that this document has no place for, by name.
pub(crate) type Extra = BTreeMap<String, Value>;

/// A Popolo document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Document {
    #[serde(default)]
    pub persons: Vec<Person>,
    #[serde(default)]
    pub organizations: Vec<Organization>,
    #[serde(default)]
    pub posts: Vec<Post>,
    #[serde(default)]
    pub memberships: Vec<Membership>,
    /// Decisions, as Popolo events.
    #[serde(default)]
    pub events: Vec<DecisionEvent>,
    #[serde(flatten, skip_serializing)]
    pub extra: Extra,
}

/// A Popolo link (`sources`).
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub url: String,
    pub note: Option<String>,
}

/// A Popolo other name (a person's former names, with dates).
#[skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtherName {
    pub name: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// A Popolo identifier.
#[skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Identifier {
    pub identifier: String,
    pub scheme: Option<String>,
}

/// A Popolo person.
#[skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    /// The name as a list sorts it: the given name (the last word) first.
    pub sort_name: Option<String>,
    /// Every name the person has borne, with the dates it was in use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<OtherName>,
    /// reformlog's id, scheme `reformlog`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    #[serde(flatten, skip_serializing)]
    pub extra: Extra,
}

/// A Popolo organization: a unit or a committee.
#[skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    /// A unit kind (`ministry`, `department`, ...) or `committee`. Optional in Popolo; an
    /// organization without one is refused by name, since nothing else tells its kind.
    pub classification: Option<String>,
    /// A unit's parent unit, or the committee a sub-body belongs to.
    pub parent_id: Option<String>,
    pub founding_date: Option<String>,
    pub dissolution_date: Option<String>,
    /// reformlog's id, scheme `reformlog`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Link>,
    /// Extension: the unit that owns a committee.
    pub unit_id: Option<String>,
    /// Extension: a committee's standing duties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duties: Vec<String>,
    /// Extension: the decision that established a committee.
    pub decision_id: Option<String>,
    /// Extension: the unit a merged unit was merged into.
    pub merged_into_id: Option<String>,
    #[serde(flatten, skip_serializing)]
    pub extra: Extra,
}

/// A Popolo post: a committee seat, or a post in a unit.
#[skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    pub label: String,
    /// A seat's role in words (`Trưởng ban`).
    pub role: Option<String>,
    /// Extension: a seat's role as reformlog's code (`head`).
    pub reformlog_role: Option<String>,
    pub organization_id: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Link>,
    /// Extension: how many may hold a unit's post at once.
    pub max_holders: Option<u16>,
    /// Extension: the unit a seat represents.
    pub on_behalf_of_id: Option<String>,
    /// Extension: the post whose holder holds an ex-officio seat.
    pub ex_officio_post_id: Option<String>,
    /// Extension: the seat's own label in the decision.
    pub seat_label: Option<String>,
    /// Extension: the decision that created a seat.
    pub decision_id: Option<String>,
    /// Extension: the decision that ended a seat.
    pub end_decision_id: Option<String>,
    #[serde(flatten, skip_serializing)]
    pub extra: Extra,
}

/// A Popolo membership: a person in a committee seat, or holding a unit's post.
#[skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Membership {
    /// Optional in Popolo; one left out is derived from the person, the post or
    /// organization, and the start date.
    pub id: Option<String>,
    pub person_id: String,
    pub organization_id: Option<String>,
    pub post_id: Option<String>,
    /// The role in words: a seat's (`Thành viên`), or the title of the post held.
    pub role: Option<String>,
    /// Extension: the role as reformlog's code: a seat's role, or `post_holder`.
    pub reformlog_role: Option<String>,
    pub on_behalf_of_id: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Link>,
    /// Extension: the decision that started it.
    pub decision_id: Option<String>,
    /// Extension: the decision that ended it.
    pub end_decision_id: Option<String>,
    #[serde(flatten, skip_serializing)]
    pub extra: Extra,
}

/// A decision as a Popolo event.
#[skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecisionEvent {
    pub id: String,
    /// The title.
    pub name: String,
    /// The decision's kind (`decision`, `decree`, `official_letter`, ...); when empty or left
    /// out, the kind its number tells (`15/2024/NĐ-CP` a decree).
    #[serde(default)]
    pub classification: String,
    /// The date in force.
    pub start_date: String,
    /// The issuing unit.
    pub organization_id: String,
    /// The number, scheme `decision-number`, and reformlog's id, scheme `reformlog`.
    pub identifiers: Vec<Identifier>,
    /// Extension: the signing date; left out, the date in force.
    pub signed_on: Option<String>,
    /// Extension: the signer.
    pub signer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amends: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeals: Vec<String>,
    /// Where the decision's text is published.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Link>,
    #[serde(flatten, skip_serializing)]
    pub extra: Extra,
}

/// Whether a JSON value looks like a Popolo document.
pub(crate) fn is_popolo(v: &Value) -> bool {
    ["persons", "organizations", "memberships", "posts"]
        .iter()
        .any(|k| v.get(k).is_some_and(Value::is_array))
}

/// A source link citing a decision.
pub(crate) fn decision_link(id: &str, number: Option<&str>, ended: bool) -> Link {
    Link {
        url: format!("{DECISION_URN}{id}"),
        note: number.map(|n| {
            if ended {
                format!("ended by {n}")
            } else {
                n.to_string()
            }
        }),
    }
}
