//! The entries of a seed file's format 1 sections (`[[units]]`, `[[people]]`, `[[decisions]]`,
//! `[[posts]]`, `[[committees]]`, `[[reconstitutions]]`, `[[tasks]]`), as the file spells them.

use serde::Deserialize;

use crate::date::Date;
use crate::model::{DecisionKind, Role, UnitKind};

/// An entry of `[[units]]`: one administrative unit.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUnit {
    /// The slug that names the unit in the import; its id is derived from it.
    pub slug: String,
    /// The unit's name (any Unicode form; stored as NFC).
    pub name: String,
    /// What kind of body the unit is.
    pub kind: UnitKind,
    /// The slug of the parent unit; absent for a top-level unit.
    pub parent: Option<String>,
    /// The day it is established (`YYYY-MM-DD`); default: `records_from`.
    pub established: Option<Date>,
}

/// An entry of `[[people]]`: one person.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPerson {
    /// The slug that names the person in the import; the id is derived from it.
    pub slug: String,
    /// The person's name (any Unicode form; stored as NFC).
    pub name: String,
}

/// An entry of `[[decisions]]`: one legal document (a decision, a plan, a decree, …).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDecision {
    /// The slug that names the decision in the import; the id is derived from it.
    pub slug: String,
    /// The document's number as written, e.g. `34/QĐ-BTTTT`.
    pub number: String,
    /// Told from the number when absent (e.g. `QĐ` is a decision, `NĐ-CP` a decree).
    pub kind: Option<DecisionKind>,
    /// The slug of the issuing unit.
    pub issuer: String,
    /// The slug of the signer, a person, if recorded.
    pub signer: Option<String>,
    /// The day the document is signed (`YYYY-MM-DD`).
    pub signed_on: Date,
    /// The day it takes effect; it may be before `signed_on` (retroactive effect).
    pub in_force_on: Date,
    /// The document's title.
    pub title: String,
    /// Slugs of the decisions it amends.
    #[serde(default)]
    pub amends: Vec<String>,
    /// Slugs of the decisions it replaces.
    #[serde(default)]
    pub replaces: Vec<String>,
    /// Slugs of the decisions it repeals.
    #[serde(default)]
    pub repeals: Vec<String>,
    /// Where its text is published: an absolute `http` or `https` URL, recorded as a link
    /// filed under the signing day.
    pub url: Option<String>,
    /// What the link is, e.g. "Cổng thông tin Bộ TT&TT"; only with `url`.
    pub url_note: Option<String>,
}

/// An entry of `[[posts]]`: one position and who holds it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPost {
    /// The slug that names the post in the import; the id is derived from it.
    pub slug: String,
    /// The post's title, e.g. "Thứ trưởng Bộ Thông tin và Truyền thông".
    pub title: String,
    /// The slug of the unit the post belongs to, if any.
    pub unit: Option<String>,
    /// How many people may hold the post at once (default 1).
    #[serde(default = "one")]
    pub max_holders: u16,
    /// The people who hold the post.
    #[serde(default)]
    pub holders: Vec<SeedHolder>,
}

pub(super) fn one() -> u16 {
    1
}

/// One holder of a `[[posts]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedHolder {
    /// The slug of the person who holds the post.
    pub person: String,
    /// The first day of the holding; default: `records_from`.
    pub from: Option<Date>,
    /// The holding's end, if known.
    pub ended_on: Option<Date>,
}

/// An entry of `[[committees]]`: one committee or sub-body.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCommittee {
    /// The slug that names the committee in the import; the id is derived from it.
    pub slug: String,
    /// The committee's name.
    pub name: String,
    /// The slug of the committee this one is a sub-body of (a working group), if any.
    pub parent: Option<String>,
    /// The slug of the unit that owns the committee.
    pub unit: Option<String>,
    /// The day it is established (`YYYY-MM-DD`).
    pub established: Date,
    /// The slug of the establishing decision.
    pub decision: String,
    /// Its standing duties, one text each.
    #[serde(default)]
    pub duties: Vec<String>,
}

/// An entry of `[[reconstitutions]]` ("kiện toàn"): a committee's whole composition from a date;
/// whatever was open ends then.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedReconstitution {
    /// The slug of the committee reconstituted.
    pub committee: String,
    /// The slug of the reconstituting decision.
    pub decision: String,
    /// The first day of the new composition.
    pub on: Date,
    /// The committee's seats from `on`, each with its holder.
    #[serde(default)]
    pub seats: Vec<SeedSeat>,
    /// The sub-bodies' seats from `on`.
    #[serde(default)]
    pub sub_bodies: Vec<SeedSubBody>,
}

/// The seats of one sub-body in a reconstitution.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSubBody {
    /// The slug of the sub-body (a committee whose parent is the one reconstituted).
    pub committee: String,
    /// Its seats from the reconstitution's date.
    #[serde(default)]
    pub seats: Vec<SeedSeat>,
}

/// One seat in a reconstitution, with who holds it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSeat {
    /// The seat's slug, scoped by its committee.
    pub slug: String,
    /// The seat's role (head, deputy head, member, …).
    pub role: Role,
    /// The slug of the person who holds it, for a personal seat.
    pub holder: Option<String>,
    /// The slug of the unit the seat represents ("a leader representing unit U"), if any.
    pub on_behalf_of: Option<String>,
    /// The slug of the post whose holders sit ex officio, instead of a personal holder.
    pub ex_officio: Option<String>,
    /// A free-text description of the seat as the decision words it.
    pub label: Option<String>,
}

/// An entry of `[[tasks]]` (or a spreadsheet row): one reform task.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTask {
    /// The slug that names the task in the import; the id is derived from it.
    pub slug: String,
    /// The slug of the plan (a decision of kind plan) it belongs to, if any.
    pub plan: Option<String>,
    /// What is to be done.
    pub title: String,
    /// The expected product (a report, a plan, a regulation).
    pub product: String,
    /// The day the task is created (`YYYY-MM-DD`).
    pub created: Date,
    /// The day the task is due; not before `created`.
    pub deadline: Date,
    /// The slug of the lead unit, if assigned.
    pub lead: Option<String>,
    /// Slugs of the cooperating units.
    #[serde(default)]
    pub cooperating: Vec<String>,
    /// The slug of the responsible person (needs a lead).
    pub responsible: Option<String>,
}
