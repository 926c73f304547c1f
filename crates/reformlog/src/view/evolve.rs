//! Folding events into views: `evolve` (the `apply`) for one event, corrections and
//! retractions resolved to the facts still standing, and a view rebuilt from its stream.

use super::{
    CommitteeView, Designation, EntityView, Holding, Membership, PersonView, PostView, Progress,
    Seat, TaskView, Timeline, UnitEnd, UnitView,
};
use crate::event::{Event, Recorded};
use crate::ids::{EntityKey, EventId};
use crate::model::TaskStatus;
use crate::payload::{
    CommitteeDissolution, CommitteeDuties, CommitteeEstablishment, CommitteeRenaming,
    DeadlineExtension, MembershipEnd, MembershipStart, PersonName, PostAbolition, PostAppointment,
    PostCreation, PostDeparture, Retraction, SeatAbolition, SeatCreation, SeatHolderDesignation,
    TaskAssignment, TaskCreation, TaskProgress, TaskStatusChange, UnitDissolution,
    UnitEstablishment, UnitMerger, UnitMove, UnitRenaming,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Folds one fact event into the view of its entity.
pub(crate) fn evolve(view: Option<EntityView>, event: &Event) -> Option<EntityView> {
    use Event as E;
    match (view, event) {
        (
            None,
            E::UnitEstablished(UnitEstablishment {
                unit,
                name,
                kind,
                parent,
                on,
                ..
            }),
        ) => Some(EntityView::Unit(UnitView {
            id: *unit,
            kind: *kind,
            established_on: *on,
            names: Timeline::starting(*on, name.clone()),
            parents: Timeline::starting(*on, *parent),
            end: None,
        })),
        (None, E::PersonRegistered(PersonName { person, name, on })) => {
            Some(EntityView::Person(PersonView {
                id: *person,
                registered_on: *on,
                names: Timeline::starting(*on, name.clone()),
            }))
        }
        (
            None,
            E::PostCreated(PostCreation {
                post,
                title,
                unit,
                max_holders,
                on,
                ..
            }),
        ) => Some(EntityView::Post(PostView {
            id: *post,
            title: title.clone(),
            unit: *unit,
            max_holders: *max_holders,
            created_on: *on,
            abolished_on: None,
            holdings: Vec::new(),
        })),
        (None, E::DecisionRecorded(d)) => Some(EntityView::Decision(d.clone())),
        (
            None,
            E::CommitteeEstablished(CommitteeEstablishment {
                committee,
                name,
                parent,
                unit,
                on,
                decision,
            }),
        ) => Some(EntityView::Committee(CommitteeView {
            id: *committee,
            names: Timeline::starting(*on, name.clone()),
            parent: *parent,
            unit: *unit,
            established_on: *on,
            established_by: *decision,
            dissolved_on: None,
            duties: Timeline::default(),
            seats: Vec::new(),
            memberships: Vec::new(),
        })),
        (
            None,
            E::TaskCreated(TaskCreation {
                task,
                plan,
                title,
                product,
                deadline,
                assignment,
                on,
            }),
        ) => {
            let mut assignments = Timeline::default();
            if let Some(a) = assignment {
                assignments.insert(*on, a.clone());
            }
            Some(EntityView::Task(TaskView {
                id: *task,
                plan: *plan,
                title: title.clone(),
                product: product.clone(),
                created_on: *on,
                deadlines: Timeline::starting(*on, *deadline),
                assignments,
                progress: Vec::new(),
                statuses: Timeline::starting(*on, TaskStatus::Open),
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
        (EntityView::Unit(u), E::UnitRenamed(UnitRenaming { name, on, .. })) => {
            u.names.insert(*on, name.clone())
        }
        (EntityView::Unit(u), E::UnitMoved(UnitMove { parent, on, .. })) => {
            u.parents.insert(*on, *parent)
        }
        (
            EntityView::Unit(u),
            E::UnitMerged(UnitMerger {
                into, on, decision, ..
            }),
        ) => {
            u.end = Some(UnitEnd {
                on: *on,
                merged_into: Some(*into),
                decision: *decision,
            });
        }
        (EntityView::Unit(u), E::UnitDissolved(UnitDissolution { on, decision, .. })) => {
            u.end = Some(UnitEnd {
                on: *on,
                merged_into: None,
                decision: *decision,
            });
        }
        (EntityView::Person(p), E::PersonRenamed(PersonName { name, on, .. })) => {
            p.names.insert(*on, name.clone());
        }
        (
            EntityView::Post(p),
            E::PostHolderAppointed(PostAppointment {
                holding,
                person,
                from,
                ended_on,
                decision,
                ..
            }),
        ) => p.holdings.push(Holding {
            id: *holding,
            person: *person,
            from: *from,
            ended_on: *ended_on,
            decision: *decision,
            end_decision: None,
        }),
        (
            EntityView::Post(p),
            E::PostHolderLeft(PostDeparture {
                holding,
                ended_on,
                decision,
                ..
            }),
        ) => {
            if let Some(h) = p.holdings.iter_mut().find(|h| h.id == *holding) {
                h.ended_on = Some(*ended_on);
                h.end_decision = *decision;
            }
        }
        (EntityView::Post(p), E::PostAbolished(PostAbolition { on, .. })) => {
            p.abolished_on = Some(*on)
        }
        (EntityView::Committee(c), E::CommitteeRenamed(CommitteeRenaming { name, on, .. })) => {
            c.names.insert(*on, name.clone());
        }
        (EntityView::Committee(c), E::DutiesSet(CommitteeDuties { duties, on, .. })) => {
            c.duties.insert(*on, duties.clone());
        }
        (
            EntityView::Committee(c),
            E::SeatCreated(SeatCreation {
                seat,
                role,
                on_behalf_of,
                ex_officio,
                label,
                from,
                ended_on,
                decision,
                ..
            }),
        ) if c.seat(*seat).is_none() => {
            c.seats.push(Seat {
                id: *seat,
                role: *role,
                on_behalf_of: *on_behalf_of,
                ex_officio: *ex_officio,
                label: label.clone(),
                from: *from,
                ended_on: *ended_on,
                decision: *decision,
                end_decision: None,
                designations: Vec::new(),
            });
        }
        (
            EntityView::Committee(c),
            E::SeatHolderDesignated(SeatHolderDesignation {
                seat,
                person,
                on,
                decision,
                ..
            }),
        ) => {
            if let Some(s) = c.seats.iter_mut().find(|s| s.id == *seat) {
                let at = s.designations.partition_point(|d| d.from <= *on);
                s.designations.insert(
                    at,
                    Designation {
                        person: *person,
                        from: *on,
                        decision: *decision,
                    },
                );
            }
        }
        (
            EntityView::Committee(c),
            E::SeatAbolished(SeatAbolition {
                seat,
                ended_on,
                decision,
                ..
            }),
        ) => {
            if let Some(s) = c.seats.iter_mut().find(|s| s.id == *seat) {
                s.ended_on = Some(*ended_on);
                s.end_decision = Some(*decision);
            }
        }
        (
            EntityView::Committee(c),
            E::MembershipStarted(MembershipStart {
                membership,
                seat,
                person,
                from,
                ended_on,
                decision,
                ..
            }),
        ) if c.membership(*membership).is_none() => {
            c.memberships.push(Membership {
                id: *membership,
                seat: *seat,
                person: *person,
                from: *from,
                ended_on: *ended_on,
                decision: *decision,
                end_decision: None,
            });
        }
        (
            EntityView::Committee(c),
            E::MembershipEnded(MembershipEnd {
                membership,
                ended_on,
                decision,
                ..
            }),
        ) => {
            if let Some(m) = c.memberships.iter_mut().find(|m| m.id == *membership) {
                m.ended_on = Some(*ended_on);
                m.end_decision = Some(*decision);
            }
        }
        (EntityView::Committee(c), E::CommitteeDissolved(CommitteeDissolution { on, .. })) => {
            c.dissolved_on = Some(*on)
        }
        (EntityView::Task(t), E::TaskAssigned(TaskAssignment { assignment, on, .. }))
        | (EntityView::Task(t), E::TaskReassigned(TaskAssignment { assignment, on, .. })) => {
            t.assignments.insert(*on, assignment.clone());
        }
        (EntityView::Task(t), E::TaskDeadlineExtended(DeadlineExtension { deadline, on, .. })) => {
            t.deadlines.insert(*on, *deadline);
        }
        (
            EntityView::Task(t),
            E::TaskProgressReported(TaskProgress {
                percent,
                note,
                evidence,
                on,
                ..
            }),
        ) => t.progress.push(Progress {
            on: *on,
            percent: *percent,
            note: note.clone(),
            evidence: evidence.clone(),
        }),
        (EntityView::Task(t), E::TaskCompleted(TaskStatusChange { on, .. })) => {
            t.statuses.insert(*on, TaskStatus::Completed);
        }
        (EntityView::Task(t), E::TaskCancelled(TaskStatusChange { on, .. })) => {
            t.statuses.insert(*on, TaskStatus::Cancelled);
        }
        (EntityView::Task(t), E::TaskReopened(TaskStatusChange { on, .. })) => {
            t.statuses.insert(*on, TaskStatus::Open);
        }
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
            Event::Retracted(Retraction { target, .. }) => {
                replaced.insert(*target, None);
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
            Event::Retracted(Retraction { target, .. }) => {
                out.insert(
                    *target,
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
        EntityView::Decision(v) => EntityKey::Decision(v.decision),
        EntityView::Committee(v) => EntityKey::Committee(v.id),
        EntityView::Task(v) => EntityKey::Task(v.id),
    }
}
