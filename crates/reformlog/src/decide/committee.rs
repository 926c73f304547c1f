//! Committees, their seats and memberships: what their commands record (a reconstitution
//! ends what is open and opens the new seats; a dissolution ends its sub-bodies too) and the
//! rules their events hold.

use super::check::Subject;
use super::dates::{ends_after, unit_alive};
use crate::command::{Command, SeatSpec};
use crate::date::Date;
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::ids::{CommitteeId, DecisionId, EntityKey, SeatId};
use crate::payload::{
    CommitteeDissolution, CommitteeDuties, CommitteeEstablishment, CommitteeRenaming,
    MembershipEnd, MembershipStart, SeatAbolition, SeatCreation, SeatHolderDesignation,
};
use crate::source::{Source, Views};
use crate::view::{covers, overlaps, CommitteeView};

fn committee_view(v: &dyn Views, id: CommitteeId) -> Result<CommitteeView, DomainError> {
    v.view(&EntityKey::Committee(id))
        .and_then(|c| c.as_committee().cloned())
        .ok_or(DomainError::UnknownCommittee(id))
}

/// Events that end every membership of `c` still open on `on`: of `seat`, or of every seat
/// when it is `None`.
fn end_memberships(
    c: &CommitteeView,
    seat: Option<SeatId>,
    on: Date,
    decision: DecisionId,
    out: &mut Vec<Event>,
) {
    for m in &c.memberships {
        if seat.is_none_or(|s| m.seat == s) && m.from < on && m.ended_on.is_none_or(|e| e > on) {
            out.push(Event::MembershipEnded(MembershipEnd {
                committee: c.id,
                membership: m.id,
                ended_on: on,
                decision,
            }));
        }
    }
}

/// Events that end every seat and membership of `c` still open on `on`.
fn close_open(c: &CommitteeView, on: Date, decision: DecisionId, out: &mut Vec<Event>) {
    end_memberships(c, None, on, decision, out);
    for s in &c.seats {
        if s.from < on && s.ended_on.is_none_or(|e| e > on) {
            out.push(Event::SeatAbolished(SeatAbolition {
                committee: c.id,
                seat: s.id,
                ended_on: on,
                decision,
            }));
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
        out.push(Event::SeatCreated(SeatCreation {
            committee,
            seat: s.seat,
            role: s.role,
            on_behalf_of: s.on_behalf_of,
            ex_officio: s.ex_officio,
            label: s.label.clone(),
            from: on,
            ended_on: None,
            decision,
        }));
        if let Some(h) = &s.holder {
            out.push(Event::MembershipStarted(MembershipStart {
                committee,
                membership: h.membership,
                seat: s.seat,
                person: h.person,
                from: on,
                ended_on: None,
                decision,
            }));
        }
    }
}

/// The events a committee command that says more than its one event records (none for any
/// other command): a charter with duties, seats, ends with what they end, new compositions.
pub(super) fn translate(state: &dyn Source, command: &Command) -> Result<Vec<Event>, DomainError> {
    use Command as C;
    use Event as E;
    match command.clone() {
        C::EstablishCommittee(charter) => {
            let (established, duties) = charter.split();
            let mut out = Vec::new();
            if !duties.is_empty() {
                out.push(E::DutiesSet(CommitteeDuties {
                    committee: established.committee,
                    duties,
                    on: established.on,
                    decision: established.decision,
                }));
            }
            out.insert(0, E::CommitteeEstablished(established));
            Ok(out)
        }
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
        C::AbolishSeat(a) => {
            let c = committee_view(state, a.committee)?;
            let mut out = Vec::new();
            end_memberships(&c, Some(a.seat), a.ended_on, a.decision, &mut out);
            out.push(E::SeatAbolished(a));
            Ok(out)
        }
        C::ReplaceSeatHolder {
            committee,
            seat,
            membership,
            person,
            on,
            decision,
        } => {
            let c = committee_view(state, committee)?;
            let mut out = Vec::new();
            end_memberships(&c, Some(seat), on, decision, &mut out);
            out.push(E::MembershipStarted(MembershipStart {
                committee,
                membership,
                seat,
                person,
                from: on,
                // A late entry before the seat's recorded end ends with the seat.
                ended_on: seat_end_after(&c, seat, on),
                decision,
            }));
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
                E::MembershipEnded(MembershipEnd {
                    committee,
                    membership: from_membership,
                    ended_on: on,
                    decision,
                }),
                E::MembershipStarted(MembershipStart {
                    committee,
                    membership,
                    seat: to_seat,
                    person: old.person,
                    from: on,
                    ended_on: seat_end_after(&c, to_seat, on),
                    decision,
                }),
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
        C::DissolveCommittee(d) => {
            let mut out = Vec::new();
            let mut todo = vec![d.committee];
            while let Some(id) = todo.pop() {
                let c = committee_view(state, id)?;
                if c.dissolved_on.is_some() && id != d.committee {
                    continue;
                }
                close_open(&c, d.on, d.decision, &mut out);
                out.push(E::CommitteeDissolved(CommitteeDissolution {
                    committee: id,
                    ..d
                }));
                todo.extend(state.children(id));
            }
            Ok(out)
        }
        _ => Ok(Vec::new()),
    }
}

/// The rules a committee, seat or membership event holds beyond those of every event.
pub(super) fn check(subject: Subject<'_>, event: &Event) -> Result<(), DomainError> {
    let Subject { v, key, .. } = subject;
    use Event as E;
    match event {
        E::CommitteeEstablished(CommitteeEstablishment {
            parent, unit, on, ..
        }) => {
            if let Some(p) = parent {
                committee_alive(v, *p, *on)?;
            }
            if let Some(u) = unit {
                unit_alive(v, *u, *on)?;
            }
        }
        E::CommitteeRenamed(CommitteeRenaming { committee, on, .. })
        | E::DutiesSet(CommitteeDuties { committee, on, .. }) => {
            committee_alive(v, *committee, *on)?;
        }
        E::SeatCreated(SeatCreation {
            committee,
            seat,
            role,
            on_behalf_of,
            ex_officio,
            from,
            ended_on,
            ..
        }) => {
            ends_after(*from, *ended_on)?;
            let c = committee_alive(v, *committee, *from)?;
            if c.seat(*seat).is_some() {
                return Err(DomainError::SeatExists(*seat));
            }
            if let Some(u) = on_behalf_of {
                unit_alive(v, *u, *from)?;
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
        E::SeatAbolished(SeatAbolition {
            committee,
            seat,
            ended_on,
            ..
        }) => {
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
        E::MembershipStarted(e) => {
            ends_after(e.from, e.ended_on)?;
            let c = committee_alive(v, e.committee, e.from)?;
            if c.membership(e.membership).is_some() {
                return Err(DomainError::MembershipExists(e.membership));
            }
            let s = c.seat(e.seat).ok_or(DomainError::UnknownSeat {
                committee: e.committee,
                seat: e.seat,
            })?;
            if !covers(s.from, s.ended_on, e.from) {
                return Err(DomainError::SeatNotActive {
                    seat: e.seat,
                    on: e.from,
                });
            }
            if s.ex_officio.is_some() {
                return Err(DomainError::ExOfficioSeat { seat: e.seat });
            }
            for m in &c.memberships {
                if !overlaps(m.from, m.ended_on, e.from, e.ended_on) {
                    continue;
                }
                if m.seat == e.seat && m.person == e.person {
                    return Err(DomainError::OverlappingMembership {
                        person: e.person,
                        seat: e.seat,
                    });
                }
                if m.seat == e.seat {
                    return Err(DomainError::SeatOccupied {
                        seat: e.seat,
                        holder: m.person,
                    });
                }
                if m.person == e.person {
                    return Err(DomainError::PersonAlreadySeated {
                        person: e.person,
                        committee: e.committee,
                    });
                }
            }
        }
        E::MembershipEnded(MembershipEnd {
            committee,
            membership,
            ended_on,
            ..
        }) => {
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
        E::SeatHolderDesignated(SeatHolderDesignation {
            committee,
            seat,
            person,
            on,
            ..
        }) => {
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
        E::CommitteeDissolved(CommitteeDissolution { committee, on, .. }) => {
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
        _ => {}
    }
    Ok(())
}

/// The end of `seat`, when it is recorded as ending after `on`: a membership started in it on
/// `on` (a late entry) ends then too, rather than outlasting the seat.
fn seat_end_after(c: &CommitteeView, seat: SeatId, on: Date) -> Option<Date> {
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
