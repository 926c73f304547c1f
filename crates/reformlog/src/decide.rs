//! `decide`: turns a command into events after checking every invariant against what is
//! known, without any I/O.
//!
//! Each event a command yields is checked against the state as left by the events before
//! it in the same command (an overlay), so a reconstitution is validated as a whole. A
//! correction or retraction is validated by replaying the entity's stream with the change in
//! place, checking every event again in recording order.

use crate::command::{Command, SeatSpec};
use crate::date::Date;
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::ids::{CommitteeId, DecisionId, EntityKey, EventId};
use crate::model::TaskStatus;
use crate::source::{Source, ViewRef, Views};
use crate::view::{
    covers, effective_events, evolve, fact_statuses, overlaps, CommitteeView, EntityView,
    FactStatus,
};
use std::collections::HashMap;

/// Views of a base with some entities replaced by scratch versions.
struct Overlay<'a> {
    base: &'a dyn Views,
    changed: HashMap<EntityKey, Option<EntityView>>,
}

impl<'a> Overlay<'a> {
    fn new(base: &'a dyn Views) -> Self {
        Self {
            base,
            changed: HashMap::new(),
        }
    }

    fn evolve(&mut self, event: &Event) {
        let key = event.entity();
        let current = match self.changed.remove(&key) {
            Some(v) => v,
            None => self.base.view(&key).map(ViewRef::into_owned),
        };
        self.changed.insert(key, evolve(current, event));
    }
}

impl Views for Overlay<'_> {
    fn view(&self, key: &EntityKey) -> Option<ViewRef<'_>> {
        match self.changed.get(key) {
            Some(v) => v.as_ref().map(ViewRef::Borrowed),
            None => self.base.view(key),
        }
    }
}

/// Decides what a command means: the events to record, or why it is refused.
pub fn decide(state: &crate::Knowledge, command: &Command) -> Result<Vec<Event>, DomainError> {
    decide_write(state, command)
}

/// [`decide_with`] for a write of this one command: also refuses a dependant it leaves
/// attached to a unit past the unit's end (the whole-write rule of
/// [`crate::lineage::check_write`], which a list of commands runs once after all of them).
pub(crate) fn decide_write(
    state: &dyn Source,
    command: &Command,
) -> Result<Vec<Event>, DomainError> {
    let events = decide_with(state, command)?;
    let mut overlay = Overlay::new(state);
    for e in &events {
        overlay.evolve(e);
    }
    crate::lineage::check_write(&overlay, events.iter().map(|e| (0, e))).map_err(|(_, e)| e)?;
    Ok(events)
}

pub(crate) fn decide_with(
    state: &dyn Source,
    command: &Command,
) -> Result<Vec<Event>, DomainError> {
    match command {
        Command::Correct { target, corrected } => correct(state, *target, Some(corrected)),
        Command::Retract { target } => correct(state, *target, None),
        Command::MergeUnit { unit, on, .. } | Command::DissolveUnit { unit, on, .. } => {
            let events = checked(state, translate(state, command)?)?;
            crate::lineage::check_ending(state, *unit, *on)?;
            Ok(events)
        }
        other => {
            let events = checked(state, translate(state, other)?)?;
            for e in &events {
                crate::task_rules::check_responsible(state, e)?;
            }
            Ok(events)
        }
    }
}

/// `events` once each holds on the state the earlier ones leave.
fn checked(state: &dyn Source, events: Vec<Event>) -> Result<Vec<Event>, DomainError> {
    let mut overlay = Overlay::new(state);
    for e in &events {
        crate::text_rules::check_event(e)?;
        check(&overlay, e)?;
        overlay.evolve(e);
    }
    Ok(events)
}

fn committee_view(v: &dyn Views, id: CommitteeId) -> Result<CommitteeView, DomainError> {
    v.view(&EntityKey::Committee(id))
        .and_then(|c| c.as_committee().cloned())
        .ok_or(DomainError::UnknownCommittee(id))
}

/// Events that end every seat and membership of `c` still open on `on`.
fn close_open(c: &CommitteeView, on: Date, decision: DecisionId, out: &mut Vec<Event>) {
    for m in &c.memberships {
        if m.from < on && m.ended_on.is_none_or(|e| e > on) {
            out.push(Event::MembershipEnded {
                committee: c.id,
                membership: m.id,
                ended_on: on,
                decision,
            });
        }
    }
    for s in &c.seats {
        if s.from < on && s.ended_on.is_none_or(|e| e > on) {
            out.push(Event::SeatAbolished {
                committee: c.id,
                seat: s.id,
                ended_on: on,
                decision,
            });
        }
    }
}

fn open_seats(
    committee: CommitteeId,
    seats: &[SeatSpec],
    on: Date,
    decision: DecisionId,
    out: &mut Vec<Event>,
) {
    for s in seats {
        out.push(Event::SeatCreated {
            committee,
            seat: s.seat,
            role: s.role,
            on_behalf_of: s.on_behalf_of,
            ex_officio: s.ex_officio,
            label: s.label.clone(),
            from: on,
            ended_on: None,
            decision,
        });
        if let Some(h) = &s.holder {
            out.push(Event::MembershipStarted {
                committee,
                membership: h.membership,
                seat: s.seat,
                person: h.person,
                from: on,
                ended_on: None,
                decision,
            });
        }
    }
}

fn translate(state: &dyn Source, command: &Command) -> Result<Vec<Event>, DomainError> {
    use Command as C;
    use Event as E;
    let one = |e: Event| Ok(vec![e]);
    match command.clone() {
        C::EstablishUnit {
            unit,
            name,
            kind,
            parent,
            on,
            decision,
        } => one(E::UnitEstablished {
            unit,
            name,
            kind,
            parent,
            on,
            decision,
        }),
        C::RenameUnit {
            unit,
            name,
            on,
            decision,
        } => one(E::UnitRenamed {
            unit,
            name,
            on,
            decision,
        }),
        C::MoveUnit {
            unit,
            parent,
            on,
            decision,
        } => one(E::UnitMoved {
            unit,
            parent,
            on,
            decision,
        }),
        C::MergeUnit {
            unit,
            into,
            on,
            decision,
        } => one(E::UnitMerged {
            unit,
            into,
            on,
            decision,
        }),
        C::DissolveUnit { unit, on, decision } => one(E::UnitDissolved { unit, on, decision }),
        C::RegisterPerson { person, name, on } => one(E::PersonRegistered { person, name, on }),
        C::RenamePerson { person, name, on } => one(E::PersonRenamed { person, name, on }),
        C::CreatePost {
            post,
            title,
            unit,
            max_holders,
            on,
            decision,
        } => one(E::PostCreated {
            post,
            title,
            unit,
            max_holders,
            on,
            decision,
        }),
        C::AppointToPost {
            post,
            holding,
            person,
            from,
            ended_on,
            decision,
        } => one(E::PostHolderAppointed {
            post,
            holding,
            person,
            from,
            ended_on,
            decision,
        }),
        C::EndPostHolding {
            post,
            holding,
            ended_on,
            decision,
        } => one(E::PostHolderLeft {
            post,
            holding,
            ended_on,
            decision,
        }),
        C::AbolishPost { post, on, decision } => one(E::PostAbolished { post, on, decision }),
        C::RecordDecision {
            decision,
            number,
            kind,
            issuer,
            signer,
            signed_on,
            in_force_on,
            title,
            amends,
            replaces,
            repeals,
        } => one(E::DecisionRecorded {
            decision,
            number: number.trim().to_owned(),
            kind,
            issuer,
            signer,
            signed_on,
            in_force_on,
            title: title.trim().to_owned(),
            amends,
            replaces,
            repeals,
        }),
        C::EstablishCommittee {
            committee,
            name,
            parent,
            unit,
            on,
            decision,
            duties,
        } => {
            let mut out = vec![E::CommitteeEstablished {
                committee,
                name,
                parent,
                unit,
                on,
                decision,
            }];
            if !duties.is_empty() {
                out.push(E::DutiesSet {
                    committee,
                    duties,
                    on,
                    decision,
                });
            }
            Ok(out)
        }
        C::RenameCommittee {
            committee,
            name,
            on,
            decision,
        } => one(E::CommitteeRenamed {
            committee,
            name,
            on,
            decision,
        }),
        C::SetDuties {
            committee,
            duties,
            on,
            decision,
        } => one(E::DutiesSet {
            committee,
            duties,
            on,
            decision,
        }),
        C::CreateSeat {
            committee,
            spec,
            on,
            decision,
        } => {
            let mut out = Vec::new();
            open_seats(committee, &[spec], on, decision, &mut out);
            Ok(out)
        }
        C::AbolishSeat {
            committee,
            seat,
            ended_on,
            decision,
        } => {
            let c = committee_view(state, committee)?;
            let mut out: Vec<Event> = c
                .memberships
                .iter()
                .filter(|m| m.seat == seat && m.from < ended_on)
                .filter(|m| m.ended_on.is_none_or(|e| e > ended_on))
                .map(|m| E::MembershipEnded {
                    committee,
                    membership: m.id,
                    ended_on,
                    decision,
                })
                .collect();
            out.push(E::SeatAbolished {
                committee,
                seat,
                ended_on,
                decision,
            });
            Ok(out)
        }
        C::StartMembership {
            committee,
            membership,
            seat,
            person,
            from,
            ended_on,
            decision,
        } => one(E::MembershipStarted {
            committee,
            membership,
            seat,
            person,
            from,
            ended_on,
            decision,
        }),
        C::EndMembership {
            committee,
            membership,
            ended_on,
            decision,
        } => one(E::MembershipEnded {
            committee,
            membership,
            ended_on,
            decision,
        }),
        C::ReplaceSeatHolder {
            committee,
            seat,
            membership,
            person,
            on,
            decision,
        } => {
            let c = committee_view(state, committee)?;
            let mut out: Vec<Event> = c
                .memberships
                .iter()
                .filter(|m| m.seat == seat && m.from < on)
                .filter(|m| m.ended_on.is_none_or(|e| e > on))
                .map(|m| E::MembershipEnded {
                    committee,
                    membership: m.id,
                    ended_on: on,
                    decision,
                })
                .collect();
            out.push(E::MembershipStarted {
                committee,
                membership,
                seat,
                person,
                from: on,
                // A late entry before the seat's recorded end ends with the seat.
                ended_on: seat_end_after(&c, seat, on),
                decision,
            });
            Ok(out)
        }
        C::MoveMember {
            committee,
            from_membership,
            to_seat,
            membership,
            on,
            decision,
        } => {
            let c = committee_view(state, committee)?;
            let old = c
                .membership(from_membership)
                .ok_or(DomainError::UnknownMembership {
                    committee,
                    membership: from_membership,
                })?;
            Ok(vec![
                E::MembershipEnded {
                    committee,
                    membership: from_membership,
                    ended_on: on,
                    decision,
                },
                E::MembershipStarted {
                    committee,
                    membership,
                    seat: to_seat,
                    person: old.person,
                    from: on,
                    ended_on: seat_end_after(&c, to_seat, on),
                    decision,
                },
            ])
        }
        C::Reconstitute {
            committee,
            on,
            decision,
            seats,
            sub_bodies,
        } => {
            let mut seen = std::collections::HashSet::new();
            for s in seats
                .iter()
                .chain(sub_bodies.iter().flat_map(|b| b.seats.iter()))
            {
                if !seen.insert(s.seat.as_uuid()) {
                    return Err(DomainError::DuplicateId(s.seat.to_string()));
                }
                if let Some(h) = &s.holder {
                    if !seen.insert(h.membership.as_uuid()) {
                        return Err(DomainError::DuplicateId(h.membership.to_string()));
                    }
                }
            }
            let main = committee_view(state, committee)?;
            let mut out = Vec::new();
            close_open(&main, on, decision, &mut out);
            open_seats(committee, &seats, on, decision, &mut out);
            for body in &sub_bodies {
                let sub = committee_view(state, body.committee)?;
                if sub.parent != Some(committee) {
                    return Err(DomainError::NotASubBody {
                        parent: committee,
                        committee: body.committee,
                    });
                }
                close_open(&sub, on, decision, &mut out);
                open_seats(body.committee, &body.seats, on, decision, &mut out);
            }
            Ok(out)
        }
        C::DesignateSeatHolder {
            committee,
            seat,
            person,
            on,
            decision,
        } => one(E::SeatHolderDesignated {
            committee,
            seat,
            person,
            on,
            decision,
        }),
        C::DissolveCommittee {
            committee,
            on,
            decision,
        } => {
            let mut out = Vec::new();
            let mut todo = vec![committee];
            while let Some(id) = todo.pop() {
                let c = committee_view(state, id)?;
                if c.dissolved_on.is_some() && id != committee {
                    continue;
                }
                close_open(&c, on, decision, &mut out);
                out.push(E::CommitteeDissolved {
                    committee: id,
                    on,
                    decision,
                });
                todo.extend(state.children(id));
            }
            Ok(out)
        }
        C::CreateTask {
            task,
            plan,
            title,
            product,
            deadline,
            assignment,
            on,
        } => one(E::TaskCreated {
            task,
            plan,
            title: title.trim().to_owned(),
            product: product.trim().to_owned(),
            deadline,
            assignment,
            on,
        }),
        C::AssignTask {
            task,
            assignment,
            on,
            decision,
        } => {
            let view = state
                .view(&EntityKey::Task(task))
                .ok_or(DomainError::UnknownTask(task))?;
            let has_lead = view
                .as_task()
                .is_some_and(|t| t.assignments.at(on).is_some());
            Ok(vec![if has_lead {
                E::TaskReassigned {
                    task,
                    assignment,
                    on,
                    decision,
                }
            } else {
                E::TaskAssigned {
                    task,
                    assignment,
                    on,
                    decision,
                }
            }])
        }
        C::ExtendDeadline {
            task,
            deadline,
            on,
            decision,
        } => one(E::TaskDeadlineExtended {
            task,
            deadline,
            on,
            decision,
        }),
        C::ReportProgress {
            task,
            percent,
            note,
            evidence,
            on,
            decision,
        } => one(E::TaskProgressReported {
            task,
            percent,
            note,
            evidence,
            on,
            decision,
        }),
        C::CompleteTask { task, on, decision } => one(E::TaskCompleted { task, on, decision }),
        C::CancelTask { task, on, decision } => one(E::TaskCancelled { task, on, decision }),
        C::ReopenTask { task, on, decision } => one(E::TaskReopened { task, on, decision }),
        C::Correct { .. } | C::Retract { .. } => Ok(Vec::new()),
    }
}

/// Validates a correction (`Some`) or retraction (`None`) of `target`.
fn correct(
    state: &dyn Source,
    target: EventId,
    corrected: Option<&Event>,
) -> Result<Vec<Event>, DomainError> {
    let entity = state
        .entity_of_event(target)
        .ok_or(DomainError::UnknownEvent(target))?;
    let raw = state.stream(&entity);
    let original = raw
        .iter()
        .find(|r| r.meta.event_id == target)
        .ok_or(DomainError::UnknownEvent(target))?;
    if !original.event.is_fact() {
        return Err(DomainError::NotAFact(target));
    }
    if let Some(FactStatus::Retracted { .. }) = fact_statuses(&raw).get(&target) {
        return Err(DomainError::AlreadyRetracted(target));
    }
    let current = effective_events(&raw);
    if let Some(new) = corrected {
        crate::text_rules::check_event(new)?;
        if !new.is_fact() || new.type_name() != original.event.type_name() {
            return Err(DomainError::KindMismatch {
                expected: original.event.type_name(),
                found: new.type_name(),
            });
        }
        if new.entity() != entity {
            return Err(DomainError::EntityMismatch {
                expected: entity,
                found: new.entity(),
            });
        }
        if current.iter().any(|(id, e)| *id == target && e == new) {
            return Err(DomainError::NoChange);
        }
    }
    // Replay the entity from nothing with the change in place; other entities stay as known.
    let mut overlay = Overlay::new(state);
    overlay.changed.insert(entity, None);
    for (id, e) in &current {
        let e = if *id == target {
            match corrected {
                Some(new) => new,
                None => continue,
            }
        } else {
            e
        };
        check(&overlay, e).map_err(|cause| DomainError::Inconsistent {
            entity,
            cause: Box::new(cause),
        })?;
        overlay.evolve(e);
    }
    if let Some(new) = corrected {
        // A corrected assignment is held to the rule; a correction leaving it as it was is not.
        let before = current
            .iter()
            .find(|(id, _)| *id == target)
            .and_then(|(_, e)| crate::task_rules::assignment_of(e));
        if crate::task_rules::assignment_of(new) != before {
            crate::task_rules::check_responsible(state, new)?;
        }
    }
    Ok(vec![match corrected {
        Some(new) => Event::Corrected {
            target,
            corrected: Box::new(new.clone()),
        },
        None => Event::Retracted {
            target,
            entity,
            on: original.event.valid_from(),
        },
    }])
}

fn unknown(key: EntityKey) -> DomainError {
    match key {
        EntityKey::Unit(id) => DomainError::UnknownUnit(id),
        EntityKey::Person(id) => DomainError::UnknownPerson(id),
        EntityKey::Post(id) => DomainError::UnknownPost(id),
        EntityKey::Committee(id) => DomainError::UnknownCommittee(id),
        EntityKey::Decision(id) => DomainError::UnknownDecision(id),
        EntityKey::Task(id) => DomainError::UnknownTask(id),
    }
}

fn ends_after(from: Date, ended_on: Option<Date>) -> Result<(), DomainError> {
    match ended_on {
        Some(e) if e <= from => Err(DomainError::EndsBeforeStart { from, ended_on: e }),
        _ => Ok(()),
    }
}

/// Checks one fact event against the views; the heart of the invariants.
pub(crate) fn check(v: &dyn Views, event: &Event) -> Result<(), DomainError> {
    use Event as E;
    let key = event.entity();
    for r in event.references() {
        if v.view(&r).is_none() {
            return Err(unknown(r));
        }
    }
    let this = v.view(&key);
    let creates = matches!(
        event,
        E::UnitEstablished { .. }
            | E::PersonRegistered { .. }
            | E::PostCreated { .. }
            | E::DecisionRecorded { .. }
            | E::CommitteeEstablished { .. }
            | E::TaskCreated { .. }
    );
    match (&this, creates) {
        (Some(_), true) => return Err(DomainError::AlreadyExists(key)),
        (None, false) => return Err(unknown(key)),
        _ => {}
    }
    let unit_alive = |id, on: Date| -> Result<(), DomainError> {
        let key = EntityKey::Unit(id);
        let view = v.view(&key).ok_or(DomainError::UnknownUnit(id))?;
        match view.as_unit() {
            Some(u) if u.alive_on(on) => Ok(()),
            Some(u) if on < u.established_on => Err(DomainError::BeforeStart { entity: key, on }),
            _ => Err(DomainError::Ended { entity: key, on }),
        }
    };
    let this = this.as_deref();
    match event {
        E::UnitEstablished { parent, on, .. } => {
            if let Some(p) = parent {
                unit_alive(*p, *on)?;
            }
        }
        E::UnitRenamed { unit, on, .. } => unit_alive(*unit, *on)?,
        E::UnitMoved {
            unit, parent, on, ..
        } => {
            unit_alive(*unit, *on)?;
            if let Some(p) = parent {
                unit_alive(*p, *on)?;
                // Walk up from the new parent; meeting the unit itself means a cycle.
                let mut cursor = Some(*p);
                let mut steps = 0;
                while let Some(c) = cursor {
                    if c == *unit || steps > 256 {
                        return Err(DomainError::UnitCycle {
                            unit: *unit,
                            parent: *p,
                        });
                    }
                    steps += 1;
                    cursor = v
                        .view(&EntityKey::Unit(c))
                        .and_then(|u| u.as_unit().and_then(|u| u.parents.at(*on).copied()))
                        .flatten();
                }
            }
        }
        E::UnitMerged { unit, on, .. } | E::UnitDissolved { unit, on, .. } => {
            if let E::UnitMerged { into, .. } = event {
                if into == unit {
                    return Err(DomainError::MergeIntoSelf(*unit));
                }
                unit_alive(*into, *on)?;
            }
            unit_alive(*unit, *on)?;
            if let Some(u) = this.and_then(EntityView::as_unit) {
                if u.end.is_some() {
                    return Err(DomainError::AlreadyEnded { entity: key });
                }
                ends_after(u.established_on, Some(*on))?;
                if u.last_change() >= *on {
                    return Err(DomainError::LaterChanges {
                        entity: key,
                        on: *on,
                    });
                }
            }
        }
        E::PersonRegistered { .. } => {}
        E::PersonRenamed { on, .. } => {
            if let Some(p) = this.and_then(EntityView::as_person) {
                if *on < p.registered_on {
                    return Err(DomainError::BeforeStart {
                        entity: key,
                        on: *on,
                    });
                }
            }
        }
        E::PostCreated {
            unit,
            max_holders,
            on,
            ..
        } => {
            if *max_holders == 0 {
                return Err(DomainError::NoHolders);
            }
            if let Some(u) = unit {
                unit_alive(*u, *on)?;
            }
        }
        E::PostHolderAppointed {
            post,
            holding,
            person,
            from,
            ended_on,
            ..
        } => {
            ends_after(*from, *ended_on)?;
            let p = this
                .and_then(EntityView::as_post)
                .ok_or(DomainError::UnknownPost(*post))?;
            if !p.alive_on(*from) {
                return Err(DomainError::Ended {
                    entity: key,
                    on: *from,
                });
            }
            if p.holdings.iter().any(|h| h.id == *holding) {
                return Err(DomainError::HoldingExists(*holding));
            }
            let overlapping: Vec<_> = p
                .holdings
                .iter()
                .filter(|h| overlaps(h.from, h.ended_on, *from, *ended_on))
                .collect();
            if overlapping.iter().any(|h| h.person == *person) {
                return Err(DomainError::AlreadyHoldsPost {
                    person: *person,
                    post: *post,
                });
            }
            // Most holders at once within the new tenure: the count only rises at a start.
            let starts = std::iter::once(*from)
                .chain(overlapping.iter().map(|h| h.from).filter(|d| *d > *from));
            let peak = starts
                .map(|d| {
                    overlapping
                        .iter()
                        .filter(|h| covers(h.from, h.ended_on, d))
                        .count()
                })
                .max()
                .unwrap_or(0);
            if peak + 1 > usize::from(p.max_holders) {
                return Err(DomainError::PostFull {
                    post: *post,
                    max: p.max_holders,
                    from: *from,
                });
            }
        }
        E::PostHolderLeft {
            post,
            holding,
            ended_on,
            ..
        } => {
            let p = this
                .and_then(EntityView::as_post)
                .ok_or(DomainError::UnknownPost(*post))?;
            let h = p.holdings.iter().find(|h| h.id == *holding).ok_or(
                DomainError::UnknownHolding {
                    post: *post,
                    holding: *holding,
                },
            )?;
            ends_after(h.from, Some(*ended_on))?;
            if h.ended_on.is_some_and(|e| e <= *ended_on) {
                return Err(DomainError::AlreadyEnded { entity: key });
            }
        }
        E::PostAbolished { on, .. } => {
            if let Some(p) = this.and_then(EntityView::as_post) {
                if p.abolished_on.is_some() {
                    return Err(DomainError::AlreadyEnded { entity: key });
                }
                ends_after(p.created_on, Some(*on))?;
                if p.holdings
                    .iter()
                    .any(|h| h.ended_on.is_none_or(|e| e > *on))
                {
                    return Err(DomainError::LaterChanges {
                        entity: key,
                        on: *on,
                    });
                }
            }
        }
        // A decision may take effect before the day it is signed (retroactive effect); the
        // answers about it say so.
        E::DecisionRecorded { number, title, .. } => {
            if number.is_empty() {
                return Err(DomainError::Empty("decision number"));
            }
            if title.is_empty() {
                return Err(DomainError::Empty("decision title"));
            }
        }
        E::CommitteeEstablished {
            parent, unit, on, ..
        } => {
            if let Some(p) = parent {
                committee_alive(v, *p, *on)?;
            }
            if let Some(u) = unit {
                unit_alive(*u, *on)?;
            }
        }
        E::CommitteeRenamed { committee, on, .. } | E::DutiesSet { committee, on, .. } => {
            committee_alive(v, *committee, *on)?;
        }
        E::SeatCreated {
            committee,
            seat,
            role,
            on_behalf_of,
            ex_officio,
            from,
            ended_on,
            ..
        } => {
            ends_after(*from, *ended_on)?;
            let c = committee_alive(v, *committee, *from)?;
            if c.seat(*seat).is_some() {
                return Err(DomainError::SeatExists(*seat));
            }
            if let Some(u) = on_behalf_of {
                unit_alive(*u, *from)?;
            }
            if let Some(p) = ex_officio {
                let key = EntityKey::Post(*p);
                let alive = v
                    .view(&key)
                    .and_then(|x| x.as_post().map(|p| p.alive_on(*from)))
                    .unwrap_or(false);
                if !alive {
                    return Err(DomainError::Ended {
                        entity: key,
                        on: *from,
                    });
                }
            }
            if role.is_sole()
                && c.seats
                    .iter()
                    .any(|s| s.role == *role && overlaps(s.from, s.ended_on, *from, *ended_on))
            {
                return Err(DomainError::SoleRoleTaken {
                    committee: *committee,
                    role: *role,
                    from: *from,
                });
            }
        }
        E::SeatAbolished {
            committee,
            seat,
            ended_on,
            ..
        } => {
            let c = committee_view(v, *committee)?;
            let s = c.seat(*seat).ok_or(DomainError::UnknownSeat {
                committee: *committee,
                seat: *seat,
            })?;
            ends_after(s.from, Some(*ended_on))?;
            if s.ended_on.is_some_and(|e| e <= *ended_on) {
                return Err(DomainError::AlreadyEnded { entity: key });
            }
            if c.memberships
                .iter()
                .any(|m| m.seat == *seat && m.ended_on.is_none_or(|e| e > *ended_on))
            {
                return Err(DomainError::SeatStillHeld {
                    seat: *seat,
                    ended_on: *ended_on,
                });
            }
        }
        E::MembershipStarted {
            committee,
            membership,
            seat,
            person,
            from,
            ended_on,
            ..
        } => {
            ends_after(*from, *ended_on)?;
            let c = committee_alive(v, *committee, *from)?;
            if c.membership(*membership).is_some() {
                return Err(DomainError::MembershipExists(*membership));
            }
            let s = c.seat(*seat).ok_or(DomainError::UnknownSeat {
                committee: *committee,
                seat: *seat,
            })?;
            if !covers(s.from, s.ended_on, *from) {
                return Err(DomainError::SeatNotActive {
                    seat: *seat,
                    on: *from,
                });
            }
            if s.ex_officio.is_some() {
                return Err(DomainError::ExOfficioSeat { seat: *seat });
            }
            for m in &c.memberships {
                if !overlaps(m.from, m.ended_on, *from, *ended_on) {
                    continue;
                }
                if m.seat == *seat && m.person == *person {
                    return Err(DomainError::OverlappingMembership {
                        person: *person,
                        seat: *seat,
                    });
                }
                if m.seat == *seat {
                    return Err(DomainError::SeatOccupied {
                        seat: *seat,
                        holder: m.person,
                    });
                }
                if m.person == *person {
                    return Err(DomainError::PersonAlreadySeated {
                        person: *person,
                        committee: *committee,
                    });
                }
            }
        }
        E::MembershipEnded {
            committee,
            membership,
            ended_on,
            ..
        } => {
            let c = committee_view(v, *committee)?;
            let m = c
                .membership(*membership)
                .ok_or(DomainError::UnknownMembership {
                    committee: *committee,
                    membership: *membership,
                })?;
            ends_after(m.from, Some(*ended_on))?;
            if m.ended_on.is_some_and(|e| e <= *ended_on) {
                return Err(DomainError::AlreadyEnded { entity: key });
            }
        }
        E::SeatHolderDesignated {
            committee,
            seat,
            person,
            on,
            ..
        } => {
            let c = committee_alive(v, *committee, *on)?;
            let s = c.seat(*seat).ok_or(DomainError::UnknownSeat {
                committee: *committee,
                seat: *seat,
            })?;
            if !covers(s.from, s.ended_on, *on) {
                return Err(DomainError::SeatNotActive {
                    seat: *seat,
                    on: *on,
                });
            }
            let post = s
                .ex_officio
                .ok_or(DomainError::NotExOfficio { seat: *seat })?;
            let holds = v
                .view(&EntityKey::Post(post))
                .and_then(|p| {
                    p.as_post()
                        .map(|p| p.holders_on(*on).any(|h| h.person == *person))
                })
                .unwrap_or(false);
            if !holds {
                return Err(DomainError::NotPostHolder {
                    person: *person,
                    post,
                    on: *on,
                });
            }
            if s.designations.iter().any(|d| d.from == *on) {
                return Err(DomainError::AlreadyDesignated {
                    seat: *seat,
                    on: *on,
                });
            }
        }
        E::CommitteeDissolved { committee, on, .. } => {
            let c = committee_alive(v, *committee, *on)?;
            if c.dissolved_on.is_some() {
                return Err(DomainError::AlreadyEnded { entity: key });
            }
            ends_after(c.established_on, Some(*on))?;
            if c.seats.iter().any(|s| s.ended_on.is_none_or(|e| e > *on)) {
                return Err(DomainError::LaterChanges {
                    entity: key,
                    on: *on,
                });
            }
        }
        E::TaskCreated {
            title,
            assignment,
            on,
            ..
        } => {
            crate::task_rules::check(v, this, event)?;
            if title.is_empty() {
                return Err(DomainError::Empty("task title"));
            }
            if let Some(a) = assignment {
                unit_alive(a.lead, *on)?;
                for u in &a.cooperating {
                    unit_alive(*u, *on)?;
                }
            }
        }
        E::TaskAssigned {
            task,
            assignment,
            on,
            ..
        }
        | E::TaskReassigned {
            task,
            assignment,
            on,
            ..
        } => {
            let t = task_open(this, *task, *on)?;
            crate::task_rules::check(v, this, event)?;
            let had = t.assignments.at(*on).is_some();
            if had != matches!(event, E::TaskReassigned { .. }) {
                return Err(DomainError::LaterChanges {
                    entity: key,
                    on: *on,
                });
            }
            unit_alive(assignment.lead, *on)?;
            for u in &assignment.cooperating {
                unit_alive(*u, *on)?;
            }
        }
        E::TaskDeadlineExtended {
            task, deadline, on, ..
        } => {
            let t = task_open(this, *task, *on)?;
            if let Some(current) = t.deadline_on(*on) {
                if *deadline <= current {
                    return Err(DomainError::DeadlineNotLater {
                        deadline: *deadline,
                        current,
                    });
                }
            }
        }
        E::TaskProgressReported {
            task,
            percent,
            evidence,
            on,
            ..
        } => {
            if *percent > 100 {
                return Err(DomainError::InvalidPercent(*percent));
            }
            evidence.check()?;
            task_open(this, *task, *on)?;
        }
        E::TaskCompleted { task, on, .. } | E::TaskCancelled { task, on, .. } => {
            let t = task_open(this, *task, *on)?;
            crate::task_rules::check(v, this, event)?;
            if t.statuses.last_date().is_some_and(|d| d > *on) {
                return Err(DomainError::LaterChanges {
                    entity: key,
                    on: *on,
                });
            }
        }
        E::TaskReopened { task, on, .. } => {
            let t = this
                .and_then(EntityView::as_task)
                .ok_or(DomainError::UnknownTask(*task))?;
            match t.status_on(*on) {
                None => {
                    return Err(DomainError::BeforeStart {
                        entity: key,
                        on: *on,
                    })
                }
                Some(TaskStatus::Open) => {
                    return Err(DomainError::TaskNotClosed {
                        task: *task,
                        on: *on,
                    })
                }
                Some(_) => {}
            }
            if t.statuses.last_date().is_some_and(|d| d > *on) {
                return Err(DomainError::LaterChanges {
                    entity: key,
                    on: *on,
                });
            }
        }
        E::Corrected { .. } | E::Retracted { .. } => {}
    }
    Ok(())
}

/// The end of `seat`, when it is recorded as ending after `on`: a membership started in it on
/// `on` (a late entry) ends then too, rather than outlasting the seat.
fn seat_end_after(c: &CommitteeView, seat: crate::ids::SeatId, on: Date) -> Option<Date> {
    c.seat(seat)
        .and_then(|s| s.ended_on)
        .filter(|end| *end > on)
}

fn committee_alive(v: &dyn Views, id: CommitteeId, on: Date) -> Result<CommitteeView, DomainError> {
    let c = committee_view(v, id)?;
    let key = EntityKey::Committee(id);
    if on < c.established_on {
        return Err(DomainError::BeforeStart { entity: key, on });
    }
    if !c.alive_on(on) {
        return Err(DomainError::Ended { entity: key, on });
    }
    Ok(c)
}

fn task_open(
    this: Option<&EntityView>,
    task: crate::ids::TaskId,
    on: Date,
) -> Result<&crate::view::TaskView, DomainError> {
    let t = this
        .and_then(EntityView::as_task)
        .ok_or(DomainError::UnknownTask(task))?;
    match t.status_on(on) {
        None => Err(DomainError::BeforeStart {
            entity: EntityKey::Task(task),
            on,
        }),
        Some(TaskStatus::Open) => Ok(t),
        Some(status) => Err(DomainError::TaskNotOpen { task, status, on }),
    }
}
