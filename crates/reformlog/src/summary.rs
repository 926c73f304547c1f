//! One entity as it stood on a date (for `GET /units/{id}` and listings): a serializable
//! summary built from views over any `Source`, so the read models and the in-memory fold
//! give the same answer.

use crate::date::Date;
use crate::evidence::Evidence;
use crate::ids::{
    CommitteeId, DecisionId, EntityKey, EntityKind, PersonId, PostId, TaskId, UnitId,
};
use crate::model::{DecisionKind, TaskStatus, UnitKind};
use crate::query::person::NameFrom;
use crate::query::refs::{decision_ref, person_ref, positions_on, text_links, unit_ref};
use crate::query::refs::{DecisionRef, PersonRef, PostRef, TextLink, UnitRef};
use crate::query::tasks::task_refs;
use crate::query::warnings::{task_warnings, TaskWarning};
use crate::source::Source;
use crate::text::Name;
use crate::view::{EntityView, Timeline};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A committee by name on the date asked about.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitteeRef {
    /// The committee's id.
    pub id: CommitteeId,
    /// Its name on the date asked about (its first, for a date before it was established);
    /// `None` if the committee is not on record.
    pub name: Option<Name>,
}

/// Where a unit stands on a date.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitStatus {
    /// The date is before the unit was established.
    NotYetEstablished,
    /// Established by the date and not ended.
    Active,
    /// Merged into another unit (`merged_into`) by the date.
    Merged,
    /// Dissolved without a successor by the date.
    Dissolved,
}

/// The kind-specific part of an [`EntitySummary`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EntityDetails {
    /// A unit: ministry, department, authority, …
    Unit {
        /// What kind of body it is.
        kind: UnitKind,
        /// Every name the unit has borne, from the date each took effect.
        names: Vec<NameFrom>,
        /// Its parent on the date (or its first parent, for a date before it was established).
        parent: Option<UnitRef>,
        /// Where it stands on the date.
        status: UnitStatus,
        /// The day its merger or dissolution took effect, if on or before the date.
        ended_on: Option<Date>,
        /// The unit that succeeded it, if it was merged by the date.
        merged_into: Option<UnitRef>,
    },
    /// A person.
    Person {
        /// Every name the person has borne, from the date each took effect.
        names: Vec<NameFrom>,
        /// Posts held on the date.
        positions: Vec<PostRef>,
    },
    /// A post (a position such as "Thứ trưởng").
    Post {
        /// The unit the post belongs to, if any.
        unit: Option<UnitRef>,
        /// How many people may hold it at once.
        max_holders: u16,
        /// Holders on the date.
        holders: Vec<PersonRef>,
        /// The day it was abolished, if it has been.
        abolished_on: Option<Date>,
    },
    /// A committee or a sub-body.
    Committee {
        /// The committee it is a sub-body of, if any.
        parent: Option<CommitteeRef>,
        /// The unit that owns it, if any.
        unit: Option<UnitRef>,
        /// Sub-bodies that exist on the date.
        sub_bodies: Vec<CommitteeRef>,
        /// The decision that established it.
        established_by: DecisionRef,
        /// The day it was dissolved, if it has been.
        dissolved_on: Option<Date>,
        /// Its standing duties on the date, one text each.
        duties: Vec<String>,
    },
    /// A legal document: a decision, a plan, a decree, …
    Decision {
        /// The document's number as written, e.g. `34/QĐ-BTTTT`.
        number: String,
        /// The document's kind.
        kind: DecisionKind,
        /// The kind's Vietnamese name, e.g. "Nghị định".
        kind_name: String,
        /// The issuing unit.
        issuer: UnitRef,
        /// The signer, if recorded.
        signer: Option<PersonRef>,
        /// The day it was signed.
        signed_on: Date,
        /// The day it took effect.
        in_force_on: Date,
        /// The decision took effect before the day it was signed (retroactive effect).
        in_force_before_signed: bool,
        /// The decisions it amends.
        amends: Vec<DecisionRef>,
        /// The decisions it replaces.
        replaces: Vec<DecisionRef>,
        /// The decisions it repeals.
        repeals: Vec<DecisionRef>,
        /// Where its text is published, in recording order (absent from the answers of
        /// daemons before links, read as none).
        #[serde(default)]
        links: Vec<TextLink>,
    },
    /// A reform task.
    Task {
        /// The expected product (a report, a plan, a regulation).
        product: String,
        /// The plan it belongs to, if any.
        plan: Option<DecisionRef>,
        /// The lead unit on the date, if assigned.
        lead: Option<UnitRef>,
        /// The cooperating units on the date.
        cooperating: Vec<UnitRef>,
        /// The responsible person on the date, if any.
        responsible: Option<PersonRef>,
        /// `None` before the task was created.
        status: Option<TaskStatus>,
        /// The deadline on the date (after any extension by then).
        deadline: Option<Date>,
        /// The latest reported progress on or before the date, 0 to 100.
        percent: Option<u8>,
        /// Open on the date and past its deadline.
        overdue: bool,
        /// What makes the assignment or plan doubtful on the date (open tasks only).
        warnings: Vec<TaskWarning>,
        /// The latest progress report on or before the date, with the evidence it cites.
        last_report: Option<ProgressReport>,
    },
}

/// A progress report as a task's details show it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressReport {
    /// The date the report speaks for.
    pub on: Date,
    /// The share done, 0 to 100.
    pub percent: u8,
    /// What the report says.
    pub note: String,
    /// The documents and free text it cites (empty when none).
    pub evidence: Evidence,
}

/// One entity as it stood on a date, as known at the position asked about.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntitySummary {
    /// What kind of entity this is.
    pub kind: EntityKind,
    /// The entity's id (the UUID of its `UnitId`, `PersonId`, … by `kind`).
    pub id: Uuid,
    /// The date the summary describes.
    pub on: Date,
    /// The name on that date (a post's title, a decision's or task's title).
    pub name: Option<String>,
    /// When the entity came to be: established, registered, created or signed.
    pub since: Date,
    /// Whether it existed on `on` (started by then and not ended).
    pub active: bool,
    /// The last revision of its stream (for `ETag` / `If-Match`).
    pub revision: u64,
    /// What the kind tells about it on the date.
    pub details: EntityDetails,
}

/// The summary of `key` on `on`, or `None` when the source does not know it.
pub(crate) fn summary(s: &dyn Source, key: EntityKey, on: Date) -> Option<EntitySummary> {
    // A summary shows nothing of a committee's memberships.
    let view = s.header(&key)?;
    let revision = s.revision(&key)?;
    let kind = EntityKind::of(&key);
    let (name, since, active, details) = match view.as_ref() {
        EntityView::Unit(u) => {
            let status = match &u.end {
                _ if on < u.established_on => UnitStatus::NotYetEstablished,
                Some(end) if end.on <= on => match end.merged_into {
                    Some(_) => UnitStatus::Merged,
                    None => UnitStatus::Dissolved,
                },
                _ => UnitStatus::Active,
            };
            (
                u.name_on(on).map(|n| n.to_string()),
                u.established_on,
                u.alive_on(on),
                EntityDetails::Unit {
                    kind: u.kind,
                    names: names_from(&u.names),
                    parent: u
                        .parents
                        .at_or_first(on)
                        .copied()
                        .flatten()
                        .map(|p| unit_ref(s, p, on)),
                    status,
                    // What happens after the date asked about is not part of the answer.
                    ended_on: u.end.as_ref().filter(|e| e.on <= on).map(|e| e.on),
                    merged_into: u
                        .end
                        .as_ref()
                        .filter(|e| e.on <= on)
                        .and_then(|e| e.merged_into)
                        .map(|m| unit_ref(s, m, on)),
                },
            )
        }
        EntityView::Person(p) => (
            p.name_on(on).map(|n| n.to_string()),
            p.registered_on,
            p.registered_on <= on,
            EntityDetails::Person {
                names: names_from(&p.names),
                positions: positions_on(s, p.id, on),
            },
        ),
        EntityView::Post(p) => (
            Some(p.title.to_string()),
            p.created_on,
            p.alive_on(on),
            EntityDetails::Post {
                unit: p.unit.map(|u| unit_ref(s, u, on)),
                max_holders: p.max_holders,
                holders: p
                    .holders_on(on)
                    .map(|h| person_ref(s, h.person, on))
                    .collect(),
                abolished_on: p.abolished_on,
            },
        ),
        EntityView::Committee(c) => {
            let committee_ref = |id: CommitteeId| CommitteeRef {
                id,
                name: s.header(&EntityKey::Committee(id)).and_then(|v| {
                    v.as_committee()
                        .and_then(|x| x.names.at_or_first(on).cloned())
                }),
            };
            let mut children = s.children(c.id);
            children.sort();
            children.dedup();
            let mut sub_bodies: Vec<CommitteeRef> = children
                .into_iter()
                .filter(|child| {
                    s.header(&EntityKey::Committee(*child))
                        .and_then(|v| {
                            v.as_committee()
                                .map(|x| x.parent == Some(c.id) && x.alive_on(on))
                        })
                        .unwrap_or(false)
                })
                .map(committee_ref)
                .collect();
            // By name, as compositions list them.
            sub_bodies.sort_by(|a, b| {
                crate::collate::collate(name_of(a), name_of(b)).then_with(|| a.id.cmp(&b.id))
            });
            (
                c.names.at_or_first(on).map(|n| n.to_string()),
                c.established_on,
                c.alive_on(on),
                EntityDetails::Committee {
                    parent: c.parent.map(committee_ref),
                    unit: c.unit.map(|u| unit_ref(s, u, on)),
                    sub_bodies,
                    established_by: decision_ref(s, c.established_by),
                    dissolved_on: c.dissolved_on,
                    duties: c.duties.at(on).cloned().unwrap_or_default(),
                },
            )
        }
        EntityView::Decision(view) => {
            let d = &view.record;
            let refs = |ids: &[DecisionId]| ids.iter().map(|x| decision_ref(s, *x)).collect();
            (
                Some(d.title.clone()),
                d.signed_on,
                d.signed_on <= on,
                EntityDetails::Decision {
                    number: d.number.clone(),
                    kind: d.kind,
                    kind_name: d.kind.vietnamese_name().to_owned(),
                    issuer: unit_ref(s, d.issuer, on),
                    signer: d.signer.map(|p| person_ref(s, p, on)),
                    signed_on: d.signed_on,
                    in_force_on: d.in_force_on,
                    in_force_before_signed: d.in_force_on < d.signed_on,
                    amends: refs(&d.amends),
                    replaces: refs(&d.replaces),
                    repeals: refs(&d.repeals),
                    links: text_links(view),
                },
            )
        }
        EntityView::Task(t) => {
            let status = t.status_on(on);
            let refs = task_refs(s, t, on);
            (
                Some(t.title.clone()),
                t.created_on,
                status.is_some(),
                EntityDetails::Task {
                    product: t.product.clone(),
                    plan: refs.plan,
                    lead: refs.lead,
                    cooperating: refs.cooperating,
                    responsible: refs.responsible,
                    status,
                    deadline: t.deadline_on(on),
                    percent: t.progress_on(on).map(|p| p.percent),
                    overdue: t.overdue_on(on),
                    warnings: task_warnings(s, t, on),
                    last_report: t.progress_on(on).map(|p| ProgressReport {
                        on: p.on,
                        percent: p.percent,
                        note: p.note.clone(),
                        evidence: p.evidence.clone(),
                    }),
                },
            )
        }
    };
    Some(EntitySummary {
        kind,
        id: key.uuid(),
        on,
        name,
        since,
        active,
        revision,
        details,
    })
}

/// A page of entities of one kind, in id order.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntityPage {
    /// The entities on the page.
    pub items: Vec<EntitySummary>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next: Option<Uuid>,
}

/// Up to `limit` entities of `kind` that had come to be by `on`, with ids after `after`, in
/// id order. Reads only as many entities as the page needs (plus those it skips as not yet
/// begun on `on`).
pub(crate) fn list_page(
    s: &dyn Source,
    kind: EntityKind,
    on: Date,
    after: Option<Uuid>,
    limit: usize,
) -> EntityPage {
    let limit = limit.max(1);
    let mut cursor = after.map(|id| key_of(kind, id));
    let mut items = Vec::with_capacity(limit);
    loop {
        let want = limit - items.len() + 1;
        let keys = s.entities_of_kind_after(kind, cursor, want);
        let exhausted = keys.len() < want;
        for k in keys {
            if items.len() == limit {
                // One more entity exists beyond the page, whether or not it qualifies.
                return EntityPage {
                    next: items.last().map(|x: &EntitySummary| x.id),
                    items,
                };
            }
            cursor = Some(k);
            if let Some(x) = summary(s, k, on).filter(|x| x.since <= on) {
                items.push(x);
            }
        }
        if exhausted {
            return EntityPage { items, next: None };
        }
    }
}

/// A committee's name for collation; one without a name comes first.
/// Every name of a unit or a person, from the date each took effect.
fn names_from(names: &Timeline<Name>) -> Vec<NameFrom> {
    names
        .0
        .iter()
        .map(|(from, name)| NameFrom {
            from: *from,
            name: name.clone(),
        })
        .collect()
}

fn name_of(c: &CommitteeRef) -> &str {
    c.name.as_ref().map_or("", Name::as_str)
}

fn key_of(kind: EntityKind, id: Uuid) -> EntityKey {
    match kind {
        EntityKind::Unit => EntityKey::Unit(UnitId::from_uuid(id)),
        EntityKind::Person => EntityKey::Person(PersonId::from_uuid(id)),
        EntityKind::Post => EntityKey::Post(PostId::from_uuid(id)),
        EntityKind::Committee => EntityKey::Committee(CommitteeId::from_uuid(id)),
        EntityKind::Decision => EntityKey::Decision(DecisionId::from_uuid(id)),
        EntityKind::Task => EntityKey::Task(TaskId::from_uuid(id)),
    }
}

/// Every entity of `kind` that had come to be by `on`, in key order.
pub(crate) fn list(s: &dyn Source, kind: EntityKind, on: Date) -> Vec<EntitySummary> {
    let mut keys = s.entities_of_kind(kind);
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| summary(s, k, on))
        .filter(|x| x.since <= on)
        .collect()
}
