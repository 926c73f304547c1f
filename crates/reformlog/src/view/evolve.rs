//! Folding events into views: `evolve` (the `apply`) for one event, corrections and
//! retractions resolved to the facts still standing, and a view rebuilt from its stream.

use super::{
    CommitteeView, DecisionView, Designation, EntityView, Holding, Membership, PersonView,
    PostView, Progress, Seat, TaskView, Timeline, UnitEnd, UnitView,
};
use crate::event::{Event, Recorded};
use crate::ids::{EntityKey, EventId};
use crate::model::TaskStatus;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Folds one fact event into the view of its entity.
pub(crate) fn evolve(view: Option<EntityView>, event: &Event) -> Option<EntityView> {
    use Event as E;
    match (view, event) {
        (None, E::UnitEstablished(e)) => Some(EntityView::Unit(UnitView {
            id: e.unit,
            kind: e.kind,
            established_on: e.on,
            names: Timeline::starting(e.on, e.name.clone()),
            parents: Timeline::starting(e.on, e.parent),
            end: None,
        })),
        (None, E::PersonRegistered(e)) => Some(EntityView::Person(PersonView {
            id: e.person,
            registered_on: e.on,
            names: Timeline::starting(e.on, e.name.clone()),
        })),
        (None, E::PostCreated(e)) => Some(EntityView::Post(PostView {
            id: e.post,
            title: e.title.clone(),
            unit: e.unit,
            max_holders: e.max_holders,
            created_on: e.on,
            abolished_on: None,
            holdings: Vec::new(),
        })),
        (None, E::DecisionRecorded(d)) => Some(EntityView::Decision(DecisionView {
            record: d.clone(),
            links: Vec::new(),
        })),
        (None, E::CommitteeEstablished(c)) => Some(EntityView::Committee(CommitteeView {
            id: c.committee,
            names: Timeline::starting(c.on, c.name.clone()),
            parent: c.parent,
            unit: c.unit,
            established_on: c.on,
            established_by: c.decision,
            dissolved_on: None,
            duties: Timeline::default(),
            seats: Vec::new(),
            memberships: Vec::new(),
        })),
        (None, E::TaskCreated(t)) => {
            let mut assignments = Timeline::default();
            if let Some(a) = &t.assignment {
                assignments.insert(t.on, a.clone());
            }
            Some(EntityView::Task(TaskView {
                id: t.task,
                plan: t.plan,
                title: t.title.clone(),
                product: t.product.clone(),
                created_on: t.on,
                deadlines: Timeline::starting(t.on, t.deadline),
                assignments,
                progress: Vec::new(),
                statuses: Timeline::starting(t.on, TaskStatus::Open),
            }))
        }
        (Some(mut view), event) => {
            evolve_existing(&mut view, event);
            Some(view)
        }
        (None, _) => None,
    }
}

fn evolve_existing(view: &mut EntityView, event: &Event) {
    use Event as E;
    match (view, event) {
        (EntityView::Unit(u), E::UnitRenamed(e)) => u.names.insert(e.on, e.name.clone()),
        (EntityView::Unit(u), E::UnitMoved(e)) => u.parents.insert(e.on, e.parent),
        (EntityView::Unit(u), E::UnitMerged(e)) => {
            u.end = Some(UnitEnd {
                on: e.on,
                merged_into: Some(e.into),
                decision: e.decision,
            });
        }
        (EntityView::Unit(u), E::UnitDissolved(e)) => {
            u.end = Some(UnitEnd {
                on: e.on,
                merged_into: None,
                decision: e.decision,
            });
        }
        (EntityView::Person(p), E::PersonRenamed(e)) => p.names.insert(e.on, e.name.clone()),
        (EntityView::Post(p), E::PostHolderAppointed(e)) => p.holdings.push(Holding {
            id: e.holding,
            person: e.person,
            from: e.from,
            ended_on: e.ended_on,
            decision: e.decision,
            end_decision: None,
        }),
        (EntityView::Post(p), E::PostHolderLeft(e)) => {
            if let Some(h) = p.holdings.iter_mut().find(|h| h.id == e.holding) {
                h.ended_on = Some(e.ended_on);
                h.end_decision = e.decision;
            }
        }
        (EntityView::Post(p), E::PostAbolished(e)) => p.abolished_on = Some(e.on),
        (EntityView::Decision(d), E::DecisionLinked(e)) => d.links.push(e.clone()),
        (EntityView::Committee(c), E::CommitteeRenamed(e)) => {
            c.names.insert(e.on, e.name.clone());
        }
        (EntityView::Committee(c), E::DutiesSet(e)) => c.duties.insert(e.on, e.duties.clone()),
        (EntityView::Committee(c), E::SeatCreated(e)) if c.seat(e.seat).is_none() => {
            c.seats.push(Seat {
                id: e.seat,
                role: e.role,
                on_behalf_of: e.on_behalf_of,
                ex_officio: e.ex_officio,
                label: e.label.clone(),
                from: e.from,
                ended_on: e.ended_on,
                decision: e.decision,
                end_decision: None,
                designations: Vec::new(),
            });
        }
        (EntityView::Committee(c), E::SeatHolderDesignated(e)) => {
            if let Some(s) = c.seats.iter_mut().find(|s| s.id == e.seat) {
                let at = s.designations.partition_point(|d| d.from <= e.on);
                let designation = Designation {
                    person: e.person,
                    from: e.on,
                    decision: e.decision,
                };
                s.designations.insert(at, designation);
            }
        }
        (EntityView::Committee(c), E::SeatAbolished(e)) => {
            if let Some(s) = c.seats.iter_mut().find(|s| s.id == e.seat) {
                s.ended_on = Some(e.ended_on);
                s.end_decision = Some(e.decision);
            }
        }
        (EntityView::Committee(c), E::MembershipStarted(e))
            if c.membership(e.membership).is_none() =>
        {
            c.memberships.push(Membership {
                id: e.membership,
                seat: e.seat,
                person: e.person,
                from: e.from,
                ended_on: e.ended_on,
                decision: e.decision,
                end_decision: None,
            });
        }
        (EntityView::Committee(c), E::MembershipEnded(e)) => {
            if let Some(m) = c.memberships.iter_mut().find(|m| m.id == e.membership) {
                m.ended_on = Some(e.ended_on);
                m.end_decision = Some(e.decision);
            }
        }
        (EntityView::Committee(c), E::CommitteeDissolved(e)) => c.dissolved_on = Some(e.on),
        (EntityView::Task(t), E::TaskAssigned(e) | E::TaskReassigned(e)) => {
            t.assignments.insert(e.on, e.assignment.clone());
        }
        (EntityView::Task(t), E::TaskDeadlineExtended(e)) => t.deadlines.insert(e.on, e.deadline),
        (EntityView::Task(t), E::TaskProgressReported(e)) => t.progress.push(Progress {
            on: e.on,
            percent: e.percent,
            note: e.note.clone(),
            evidence: e.evidence.clone(),
        }),
        (EntityView::Task(t), E::TaskCompleted(e)) => {
            t.statuses.insert(e.on, TaskStatus::Completed);
        }
        (EntityView::Task(t), E::TaskCancelled(e)) => {
            t.statuses.insert(e.on, TaskStatus::Cancelled);
        }
        (EntityView::Task(t), E::TaskReopened(e)) => t.statuses.insert(e.on, TaskStatus::Open),
        _ => {}
    }
}

/// How a fact event stands after the corrections recorded so far.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub(crate) enum FactStatus {
    Effective,
    Corrected { by: EventId },
    Retracted { by: EventId },
}

/// The fact events of one stream as they now stand: corrections substituted, retractions
/// dropped, in recording order. Returns (event id, effective event) pairs.
pub(crate) fn effective_events(raw: &[Recorded]) -> Vec<(EventId, Event)> {
    let mut replaced: HashMap<EventId, Option<&Event>> = HashMap::new();
    for r in raw {
        match &r.event {
            Event::Corrected { target, corrected } => {
                replaced.insert(*target, Some(corrected.as_ref()));
            }
            Event::Retracted(retraction) => {
                replaced.insert(retraction.target, None);
            }
            _ => {}
        }
    }
    raw.iter()
        .filter(|r| r.event.is_fact())
        .filter_map(|r| match replaced.get(&r.meta.event_id) {
            None => Some((r.meta.event_id, r.event.clone())),
            Some(Some(e)) => Some((r.meta.event_id, (*e).clone())),
            Some(None) => None,
        })
        .collect()
}

/// The status of every fact event of one stream.
pub(crate) fn fact_statuses(raw: &[Recorded]) -> HashMap<EventId, FactStatus> {
    let mut out = HashMap::new();
    for r in raw {
        match &r.event {
            Event::Corrected { target, .. } => {
                out.insert(
                    *target,
                    FactStatus::Corrected {
                        by: r.meta.event_id,
                    },
                );
            }
            Event::Retracted(retraction) => {
                out.insert(
                    retraction.target,
                    FactStatus::Retracted {
                        by: r.meta.event_id,
                    },
                );
            }
            _ => {}
        }
    }
    out
}

/// Rebuilds the view of one entity from its whole stream.
pub(crate) fn rebuild_view(raw: &[Recorded]) -> Option<EntityView> {
    effective_events(raw)
        .iter()
        .fold(None, |view, (_, e)| evolve(view, e))
}

/// The key of the entity a view describes.
pub(crate) fn key_of(view: &EntityView) -> EntityKey {
    match view {
        EntityView::Unit(v) => EntityKey::Unit(v.id),
        EntityView::Person(v) => EntityKey::Person(v.id),
        EntityView::Post(v) => EntityKey::Post(v.id),
        EntityView::Decision(v) => EntityKey::Decision(v.record.decision),
        EntityView::Committee(v) => EntityKey::Committee(v.id),
        EntityView::Task(v) => EntityKey::Task(v.id),
    }
}
