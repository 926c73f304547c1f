//! Unit lineage: what a merger or a dissolution leaves behind (refused while sub-units or
//! committees still depend on the unit), and a unit's parent, successor, predecessors and
//! sub-units on a date.

use crate::date::Date;
use crate::domain_error::DomainError;
use crate::ids::EntityKind;
use crate::ids::{CommitteeId, EntityKey, UnitId};
use crate::model::UnitKind;
use crate::query::error::QueryError;
use crate::query::refs::{unit_ref, UnitRef};
use crate::source::{Source, Views};
use crate::summary::UnitStatus;
use crate::text::Name;
use serde::{Deserialize, Serialize};

/// The sub-units whose parent is `unit` on `on`, and the committees it owns that are still
/// active on `on`: what a merger or dissolution of `unit` on `on` must deal with first.
fn dependants(s: &dyn Source, unit: UnitId, on: Date) -> (Vec<UnitId>, Vec<CommitteeId>) {
    let mut sub_units = Vec::new();
    for key in s.entities_of_kind(EntityKind::Unit) {
        let EntityKey::Unit(id) = key else { continue };
        let Some(view) = s.view(&key) else { continue };
        let Some(u) = view.as_unit() else { continue };
        if u.alive_on(on) && u.parents.at(on).copied().flatten() == Some(unit) {
            sub_units.push(id);
        }
    }
    let mut committees = Vec::new();
    for key in s.entities_of_kind(EntityKind::Committee) {
        let EntityKey::Committee(id) = key else {
            continue;
        };
        let Some(view) = s.header(&key) else { continue };
        let Some(c) = view.as_committee() else {
            continue;
        };
        if c.unit == Some(unit) && c.alive_on(on) {
            committees.push(id);
        }
    }
    (sub_units, committees)
}

/// The tasks `unit` leads that are open on `on`.
fn led_open_tasks(s: &dyn Source, unit: UnitId, on: Date) -> Vec<crate::ids::TaskId> {
    let mut out = Vec::new();
    for id in s.tasks_of_unit(unit) {
        let Some(view) = s.view(&EntityKey::Task(id)) else {
            continue;
        };
        let Some(t) = view.as_task() else { continue };
        let leads = t.assignments.at(on).is_some_and(|a| a.lead == unit);
        if leads && t.status_on(on) == Some(crate::model::TaskStatus::Open) {
            out.push(id);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Refuses to end `unit` on `on` while sub-units, committees or open tasks depend on it: each
/// must be moved (a sub-unit), dissolved (a committee) or reassigned (a task it leads) first,
/// by the same decision if need be.
pub(crate) fn check_ending(s: &dyn Source, unit: UnitId, on: Date) -> Result<(), DomainError> {
    let (sub_units, committees) = dependants(s, unit, on);
    let tasks = led_open_tasks(s, unit, on);
    if sub_units.is_empty() && committees.is_empty() && tasks.is_empty() {
        return Ok(());
    }
    Err(DomainError::UnitHasDependants {
        unit,
        on,
        sub_units,
        committees,
        tasks,
    })
}

/// The entity whose attachment to a unit an event can change: put under a parent, owned by
/// a unit, led by one, reopened, corrected or retracted. Other events leave attachments as
/// they were, so a history that broke the rule before it existed still takes them.
fn attached_entity(event: &crate::event::Event) -> Option<EntityKey> {
    use crate::event::Event as E;
    match event {
        E::Corrected { corrected, .. } => Some(corrected.entity()),
        E::UnitEstablished(_)
        | E::UnitMoved(_)
        | E::CommitteeEstablished(_)
        | E::TaskCreated(_)
        | E::TaskAssigned(_)
        | E::TaskReassigned(_)
        | E::TaskReopened(_)
        | E::Retracted(_) => Some(event.entity()),
        _ => None,
    }
}

/// Refuses a dependant still attached to a unit on the day that unit ended: a sub-unit under
/// it, a committee it owns, an open task it leads. [`check_ending`] keeps this when the
/// ending is written; this keeps it from the dependant's side, for a dependant written later
/// (a late entry dated before a merger recorded already, a correction, a retraction, a
/// reopening). It reads only the dependant's view and the views of the units it was ever
/// attached to.
pub(crate) fn check_attachments(v: &dyn Views, key: EntityKey) -> Result<(), DomainError> {
    let Some(view) = v.view(&key) else {
        return Ok(());
    };
    let end_of = |unit: UnitId| {
        v.view(&EntityKey::Unit(unit))
            .and_then(|u| u.as_unit().and_then(|u| u.end.as_ref().map(|e| e.on)))
    };
    let refuse = |unit: UnitId, on: Date| DomainError::UnitHasDependants {
        unit,
        on,
        sub_units: match key {
            EntityKey::Unit(id) => vec![id],
            _ => Vec::new(),
        },
        committees: match key {
            EntityKey::Committee(id) => vec![id],
            _ => Vec::new(),
        },
        tasks: match key {
            EntityKey::Task(id) => vec![id],
            _ => Vec::new(),
        },
    };
    if let Some(u) = view.as_unit() {
        for parent in u.parents.values().filter_map(|p| *p) {
            if let Some(end) = end_of(parent) {
                if u.alive_on(end) && u.parents.at(end).copied().flatten() == Some(parent) {
                    return Err(refuse(parent, end));
                }
            }
        }
    } else if let Some(c) = view.as_committee() {
        if let Some(owner) = c.unit {
            if let Some(end) = end_of(owner) {
                if c.alive_on(end) {
                    return Err(refuse(owner, end));
                }
            }
        }
    } else if let Some(t) = view.as_task() {
        for lead in t.assignments.values().map(|a| a.lead) {
            if let Some(end) = end_of(lead) {
                let leads = t.assignments.at(end).is_some_and(|a| a.lead == lead);
                if leads && t.status_on(end) == Some(crate::model::TaskStatus::Open) {
                    return Err(refuse(lead, end));
                }
            }
        }
    }
    Ok(())
}

/// [`check_attachments`] for every entity one write's events touch, on the state `v` after
/// all of them: a write may create a dependant and move it away before the merger in the
/// same decision. Gives the index (as paired with the event) of the first event whose entity
/// is left attached.
pub(crate) fn check_write<'e>(
    v: &dyn Views,
    events: impl IntoIterator<Item = (usize, &'e crate::event::Event)>,
) -> Result<(), (usize, DomainError)> {
    let mut seen: Vec<EntityKey> = Vec::new();
    for (index, event) in events {
        let Some(key) = attached_entity(event) else {
            continue;
        };
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        check_attachments(v, key).map_err(|e| (index, e))?;
    }
    Ok(())
}

/// A unit on a date: its place in the tree and its line of succession.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitLineage {
    /// The unit asked about.
    pub unit: UnitId,
    /// The name on the date.
    pub name: Option<Name>,
    /// What kind of body it is.
    pub kind: UnitKind,
    /// Where it stands on the date.
    pub status: UnitStatus,
    /// The day it was established.
    pub established_on: Date,
    /// The parent on the date.
    pub parent: Option<UnitRef>,
    /// Units whose parent it is on the date.
    pub sub_units: Vec<UnitRef>,
    /// Units merged into it on or before the date, with the merger's date.
    pub predecessors: Vec<Succession>,
    /// The unit it merged into, when it had merged by the date.
    pub successor: Option<Succession>,
    /// How it ended, when that is after the date: shown only as what happened later.
    pub later: Option<UnitEnding>,
}

/// One step in a line of succession.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Succession {
    /// The unit merged into, or merged from.
    pub unit: UnitRef,
    /// The day the merger took effect.
    pub on: Date,
}

/// How a unit ended.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitEnding {
    /// The day the unit ended (the first day it no longer exists).
    pub on: Date,
    /// Its successor, for a merger.
    pub merged_into: Option<UnitRef>,
}

/// The lineage of `unit` on `on`.
pub(crate) fn unit_lineage(
    s: &dyn Source,
    unit: UnitId,
    on: Date,
) -> Result<UnitLineage, QueryError> {
    let key = EntityKey::Unit(unit);
    let view = s.view(&key).ok_or(QueryError::NotFound(key))?;
    let u = view.as_unit().ok_or(QueryError::NotFound(key))?;
    let ended = u.end.as_ref().filter(|e| e.on <= on);
    let status = match ended {
        _ if on < u.established_on => UnitStatus::NotYetEstablished,
        Some(e) if e.merged_into.is_some() => UnitStatus::Merged,
        Some(_) => UnitStatus::Dissolved,
        None => UnitStatus::Active,
    };
    let mut sub_units = Vec::new();
    let mut predecessors = Vec::new();
    for other in s.entities_of_kind(EntityKind::Unit) {
        let EntityKey::Unit(id) = other else { continue };
        let Some(v) = s.view(&other) else { continue };
        let Some(o) = v.as_unit() else { continue };
        if o.alive_on(on) && o.parents.at(on).copied().flatten() == Some(unit) {
            sub_units.push(unit_ref(s, id, on));
        }
        if let Some(end) = o.end.as_ref() {
            if end.merged_into == Some(unit) && end.on <= on {
                // Named as it was on its last day.
                let last = end.on.previous_day();
                predecessors.push(Succession {
                    unit: unit_ref(s, id, last),
                    on: end.on,
                });
            }
        }
    }
    let name = |u: &UnitRef| {
        u.name
            .as_ref()
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default()
    };
    sub_units.sort_by(|a, b| crate::collate::collate(&name(a), &name(b)).then(a.id.cmp(&b.id)));
    predecessors.sort_by_key(|p| (p.on, p.unit.id));
    Ok(UnitLineage {
        unit,
        name: u.name_on(on).cloned(),
        kind: u.kind,
        status,
        established_on: u.established_on,
        parent: u
            .parents
            .at(on)
            .copied()
            .flatten()
            .map(|p| unit_ref(s, p, on)),
        sub_units,
        predecessors,
        successor: ended.and_then(|e| {
            e.merged_into.map(|m| Succession {
                unit: unit_ref(s, m, e.on),
                on: e.on,
            })
        }),
        later: u.end.as_ref().filter(|e| e.on > on).map(|e| UnitEnding {
            on: e.on,
            merged_into: e.merged_into.map(|m| unit_ref(s, m, e.on)),
        }),
    })
}
