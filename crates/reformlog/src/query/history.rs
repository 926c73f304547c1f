//! The audit answers: an entity's history with each change's standing (corrected,
//! retracted), the changes one actor recorded in a time range, and what a decision changed.

use super::diff::{composition_diff, CompositionDiff};
use super::error::QueryError;
use super::refs::{
    decision_ref, person_ref, text_links, unit_ref, DecisionRef, PersonRef, TextLink, UnitRef,
};
use crate::date::{Date, Timestamp};
use crate::event::{Event, Recorded};
use crate::ids::{CommitteeId, DecisionId, EntityKey, EventId};
use crate::model::DecisionKind;
use crate::payload::Retraction;
use crate::source::Source;
use crate::view::{effective_events, fact_statuses, FactStatus};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A decision's own record.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionSummary {
    /// The decision's id.
    pub id: DecisionId,
    /// The document's number as written, e.g. `34/QĐ-BTTTT`.
    pub number: String,
    /// The document's kind.
    pub kind: DecisionKind,
    /// The kind's Vietnamese name, e.g. "Nghị định".
    pub kind_name: String,
    /// The issuing unit.
    pub issuer: UnitRef,
    /// The signer, if recorded.
    pub signer: Option<PersonRef>,
    /// The day it was signed.
    pub signed_on: Date,
    /// The day it took effect.
    pub in_force_on: Date,
    /// The decision took effect before the day it was signed (retroactive effect).
    pub in_force_before_signed: bool,
    /// The document's title.
    pub title: String,
    /// The decisions it amends.
    pub amends: Vec<DecisionRef>,
    /// The decisions it replaces.
    pub replaces: Vec<DecisionRef>,
    /// The decisions it repeals.
    pub repeals: Vec<DecisionRef>,
    /// Where its text is published, in recording order (absent from the answers of daemons
    /// before links, read as none).
    #[serde(default)]
    pub links: Vec<TextLink>,
}

/// How a recorded event stands now.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Neither corrected nor retracted: what it says stands.
    Effective,
    /// Replaced by the correction with this event id.
    CorrectedBy(EventId),
    /// Withdrawn by the retraction with this event id.
    RetractedBy(EventId),
    /// This event corrects another.
    Correction(EventId),
    /// This event retracts another.
    Retraction(EventId),
}

/// One recorded change to an entity, with its audit trail.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// The entity the change is about.
    pub entity: EntityKey,
    /// The change's log position.
    pub position: u64,
    /// The commit the change was recorded in: changes of one commit were made together.
    pub commit: u64,
    /// The event's id, which corrections and retractions cite.
    pub event_id: EventId,
    /// The event's type name, e.g. `unit_renamed`.
    pub what: String,
    /// The date from which what the change says is true in the world.
    pub valid_from: Date,
    /// When the change was recorded, in JSON as RFC 3339 in UTC to the microsecond.
    #[serde(with = "super::recorded_time")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
    /// Who recorded the change.
    pub actor: String,
    /// Why it was recorded, if the writer said.
    pub reason: Option<String>,
    /// The decision the change cites, if any.
    pub decision: Option<DecisionRef>,
    /// Whether it still stands or was corrected or retracted.
    pub standing: Standing,
    /// The change itself.
    pub event: Event,
}

/// What a decision changed: the changes citing it and, per committee, who sat there the
/// day before it took effect and on the day.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionChanges {
    /// The decision's own record.
    pub decision: DecisionSummary,
    /// The changes that cite the decision, in recording order.
    pub changes: Vec<HistoryEntry>,
    /// Per committee the decision changed: who sat there the day before it took effect and on the
    /// day.
    pub compositions: Vec<CompositionDiff>,
}

fn entries_of(s: &dyn Source, entity: EntityKey, raw: &[Recorded]) -> Vec<HistoryEntry> {
    let statuses = fact_statuses(raw);
    raw.iter()
        .map(|r| {
            let standing = match &r.event {
                Event::Corrected { target, .. } => Standing::Correction(*target),
                Event::Retracted(Retraction { target, .. }) => Standing::Retraction(*target),
                _ => match statuses.get(&r.meta.event_id) {
                    None | Some(FactStatus::Effective) => Standing::Effective,
                    Some(FactStatus::Corrected { by }) => Standing::CorrectedBy(*by),
                    Some(FactStatus::Retracted { by }) => Standing::RetractedBy(*by),
                },
            };
            HistoryEntry {
                entity,
                position: r.meta.position,
                commit: r.meta.commit,
                event_id: r.meta.event_id,
                what: r.event.type_name().to_owned(),
                valid_from: r.event.valid_from(),
                recorded_at: r.meta.recorded_at,
                actor: r.meta.actor.clone(),
                reason: r.meta.reason.clone(),
                decision: r.event.decision().map(|d| decision_ref(s, d)),
                standing,
                event: r.event.clone(),
            }
        })
        .collect()
}

/// Every recorded change to one entity, in recording order, corrections included.
pub(crate) fn history(s: &dyn Source, entity: EntityKey) -> Vec<HistoryEntry> {
    let raw = s.stream(&entity);
    entries_of(s, entity, &raw)
}

/// Every change recorded by `actor` with `from <= recorded_at < to`.
pub(crate) fn changes_by(
    s: &dyn Source,
    actor: &str,
    from: Timestamp,
    to: Timestamp,
) -> Vec<HistoryEntry> {
    let mut by_entity: BTreeMap<EntityKey, Vec<u64>> = BTreeMap::new();
    for r in s.by_actor(actor, from, to) {
        by_entity
            .entry(r.event.entity())
            .or_default()
            .push(r.meta.position);
    }
    let mut out = Vec::new();
    for (entity, positions) in by_entity {
        let raw = s.stream(&entity);
        out.extend(
            entries_of(s, entity, &raw)
                .into_iter()
                .filter(|e| positions.contains(&e.position)),
        );
    }
    out.sort_by_key(|e| e.position);
    out
}

pub(crate) fn decision_changes(
    s: &dyn Source,
    decision: DecisionId,
) -> Result<DecisionChanges, QueryError> {
    let key = EntityKey::Decision(decision);
    let view = s.view(&key).ok_or(QueryError::NotFound(key))?;
    let view = view.as_decision().ok_or(QueryError::NotFound(key))?;
    let d = &view.record;
    let refs = |ids: &[DecisionId]| ids.iter().map(|x| decision_ref(s, *x)).collect();
    let summary = DecisionSummary {
        id: d.decision,
        number: d.number.clone(),
        kind: d.kind,
        kind_name: d.kind.vietnamese_name().to_owned(),
        issuer: unit_ref(s, d.issuer, d.signed_on),
        signer: d.signer.map(|p| person_ref(s, p, d.signed_on)),
        signed_on: d.signed_on,
        in_force_on: d.in_force_on,
        in_force_before_signed: d.in_force_on < d.signed_on,
        title: d.title.clone(),
        amends: refs(&d.amends),
        replaces: refs(&d.replaces),
        repeals: refs(&d.repeals),
        links: text_links(view),
    };
    let mut changes = Vec::new();
    let mut pivots: BTreeMap<CommitteeId, Date> = BTreeMap::new();
    let mut entities = s.citing(decision);
    entities.sort();
    entities.dedup();
    for entity in entities {
        let raw = s.stream(&entity);
        // Only facts that still cite the decision after corrections count.
        let effective: BTreeSet<EventId> = effective_events(&raw)
            .into_iter()
            .filter(|(_, e)| e.decision() == Some(decision))
            .map(|(id, _)| id)
            .collect();
        for entry in entries_of(s, entity, &raw) {
            if !effective.contains(&entry.event_id) {
                continue;
            }
            if let EntityKey::Committee(c) = entity {
                let p = pivots.entry(c).or_insert(entry.valid_from);
                *p = (*p).min(entry.valid_from);
            }
            changes.push(entry);
        }
    }
    changes.sort_by_key(|e| e.position);
    // A sub-body's change shows in its parent's composition; diff only the top committees.
    let tops: Vec<(CommitteeId, Date)> = pivots
        .iter()
        .filter(|(c, _)| {
            let parent = s
                .view(&EntityKey::Committee(**c))
                .and_then(|v| v.as_committee().and_then(|x| x.parent));
            parent.is_none_or(|p| !pivots.contains_key(&p))
        })
        .map(|(c, d)| (*c, *d))
        .collect();
    let mut compositions = Vec::new();
    for (c, pivot) in tops {
        compositions.push(composition_diff(s, c, pivot.previous_day(), pivot)?);
    }
    Ok(DecisionChanges {
        decision: summary,
        changes,
        compositions,
    })
}
