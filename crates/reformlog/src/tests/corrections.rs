//! Corrections and retractions: new events that cite what they correct, and answers "as
//! known at" before them keep the old belief.

use super::support::*;
use crate::payload::{
    CommitteeDissolution, MembershipEnd, MembershipStart, PersonName, SeatAbolition, SeatCreation,
};
use crate::{Command, DomainError, EntityKey, Event, KnownAt, MembershipId, Role, Standing};

fn register_misspelt(w: &mut World) -> crate::EventId {
    // Hypothetical: Tổ viên 3's name first typed with a wrong tone mark.
    w.exec(Command::RenamePerson(PersonName {
        person: person("to-vien-3"),
        name: name("Tổ viện 3"),
        on: d("2022-02-01"),
    }))
    .unwrap()[0]
}

#[test]
fn a_misspelt_name_is_corrected_and_the_old_belief_is_kept() {
    let mut w = seeded();
    let wrong = register_misspelt(&mut w);
    let before = w.position();
    w.on_day("2022-03-01");
    w.exec_because(
        Command::Correct {
            target: wrong,
            corrected: Event::PersonRenamed(PersonName {
                person: person("to-vien-3"),
                name: name("Tổ viên 3 (đã sửa)"),
                on: d("2022-02-01"),
            }),
        },
        "sửa lỗi chính tả",
    )
    .unwrap();
    let name_on = |k: &crate::Knowledge| {
        let c = k.composition(committee(BCD), d("2022-02-15")).unwrap();
        c.sub_bodies[0]
            .holding_of(person("to-vien-3"))
            .unwrap()
            .1
            .person
            .name
            .clone()
            .unwrap()
            .to_string()
    };
    assert_eq!(name_on(&w.k), "Tổ viên 3 (đã sửa)");
    assert_eq!(
        name_on(&w.as_known_at(KnownAt::Position(before))),
        "Tổ viện 3"
    );
    let by_time = w.as_known_at(KnownAt::Timestamp(d("2022-02-28").start_utc()));
    assert_eq!(name_on(&by_time), "Tổ viện 3");

    let h = w.k.history(EntityKey::Person(person("to-vien-3")));
    assert_eq!(h.len(), 3);
    assert!(matches!(h[1].standing, Standing::CorrectedBy(_)));
    assert_eq!(h[2].standing, Standing::Correction(wrong));
    assert_eq!(h[2].reason.as_deref(), Some("sửa lỗi chính tả"));
    assert!(h[2].recorded_at > h[1].recorded_at);
}

#[test]
fn a_wrong_date_is_corrected() {
    let mut w = seeded();
    let dec = hypothetical_decision(&mut w, 10, "2022-06-01");
    let m = MembershipId::new();
    let s = seat(BCD, "thanh-vien-cuc-bao-chi");
    let ended = w
        .exec(Command::EndMembership(MembershipEnd {
            committee: committee(BCD),
            membership: crate::Seed::membership_id(BCD, "thanh-vien-cuc-bao-chi", "qd-34-2022")
                .unwrap(),
            ended_on: d("2022-06-10"),
            decision: dec,
        }))
        .unwrap()[0];
    let started = w
        .exec(Command::StartMembership(MembershipStart {
            committee: committee(BCD),
            membership: m,
            seat: s,
            person: person("to-vien-4"),
            from: d("2022-06-10"),
            ended_on: None,
            decision: dec,
        }))
        .unwrap()[0];
    let known = w.position();
    // The decision took effect on the 1st, not the 10th: correct both events.
    for (target, event) in [
        (
            ended,
            Event::MembershipEnded(MembershipEnd {
                committee: committee(BCD),
                membership: crate::Seed::membership_id(BCD, "thanh-vien-cuc-bao-chi", "qd-34-2022")
                    .unwrap(),
                ended_on: d("2022-06-01"),
                decision: dec,
            }),
        ),
        (
            started,
            Event::MembershipStarted(MembershipStart {
                committee: committee(BCD),
                membership: m,
                seat: s,
                person: person("to-vien-4"),
                from: d("2022-06-01"),
                ended_on: None,
                decision: dec,
            }),
        ),
    ] {
        w.exec(Command::Correct {
            target,
            corrected: event,
        })
        .unwrap();
    }
    let holder = |k: &crate::Knowledge| {
        let c = k.composition(committee(BCD), d("2022-06-05")).unwrap();
        c.seats.iter().find(|x| x.seat == s).unwrap().holders[0]
            .person
            .id
    };
    assert_eq!(holder(&w.k), person("to-vien-4"));
    assert_eq!(
        holder(&w.as_known_at(KnownAt::Position(known))),
        person("thanh-vien-5")
    );
}

#[test]
fn a_wrong_decision_reference_is_corrected() {
    let mut w = seeded();
    let right = hypothetical_decision(&mut w, 11, "2022-07-01");
    let wrong = hypothetical_decision(&mut w, 12, "2022-07-01");
    let (c, _) = test_committee(&mut w, 11, "2022-07-01");
    let spec = seat_spec("s", Role::Member);
    let created = w
        .exec(create_seat(c, spec.clone(), "2022-07-01", wrong))
        .unwrap()[0];
    assert_eq!(w.k.decision_changes(wrong).unwrap().changes.len(), 1);
    w.exec(Command::Correct {
        target: created,
        corrected: Event::SeatCreated(SeatCreation {
            committee: c,
            seat: spec.seat,
            role: Role::Member,
            on_behalf_of: None,
            ex_officio: None,
            label: None,
            from: d("2022-07-01"),
            ended_on: None,
            decision: right,
        }),
    })
    .unwrap();
    assert!(w.k.decision_changes(wrong).unwrap().changes.is_empty());
    assert_eq!(w.k.decision_changes(right).unwrap().changes.len(), 1);
}

#[test]
fn a_retracted_event_disappears_now_but_not_as_known_before() {
    let mut w = seeded();
    let dec = hypothetical_decision(&mut w, 13, "2022-08-01");
    let (c, _) = test_committee(&mut w, 13, "2022-08-01");
    let spec = seat_spec("s", Role::Member);
    w.exec(create_seat(c, spec.clone(), "2022-08-01", dec))
        .unwrap();
    let started = w
        .exec(Command::StartMembership(MembershipStart {
            committee: c,
            membership: MembershipId::new(),
            seat: spec.seat,
            person: person("to-vien-6"),
            from: d("2022-08-01"),
            ended_on: None,
            decision: dec,
        }))
        .unwrap()[0];
    let known = w.position();
    w.exec(Command::Retract { target: started }).unwrap();
    let count = |k: &crate::Knowledge| k.composition(c, d("2022-08-02")).unwrap().holder_count();
    assert_eq!(count(&w.k), 0);
    assert_eq!(count(&w.as_known_at(KnownAt::Position(known))), 1);
    let err = w.exec(Command::Retract { target: started }).unwrap_err();
    assert_eq!(err, DomainError::AlreadyRetracted(started));
}

#[test]
fn corrections_that_break_invariants_or_change_kind_are_refused() {
    let mut w = seeded();
    let dec = hypothetical_decision(&mut w, 14, "2022-08-01");
    let (c, _) = test_committee(&mut w, 14, "2022-08-01");
    let head_a = seat_spec("a", Role::Head);
    let head_b = seat_spec("b", Role::Head);
    let ids = [head_a.seat, head_b.seat];
    w.exec(create_seat(c, head_a, "2022-08-01", dec)).unwrap();
    let abolished = w
        .exec(Command::AbolishSeat(SeatAbolition {
            committee: c,
            seat: ids[0],
            ended_on: d("2022-09-01"),
            decision: dec,
        }))
        .unwrap()[0];
    w.exec(create_seat(
        c,
        seat_spec("b", Role::Head),
        "2022-09-01",
        dec,
    ))
    .unwrap();
    let err = w
        .exec(Command::Correct {
            target: abolished,
            corrected: Event::SeatAbolished(SeatAbolition {
                committee: c,
                seat: ids[0],
                ended_on: d("2022-10-01"),
                decision: dec,
            }),
        })
        .unwrap_err();
    assert!(matches!(
        err,
        DomainError::Inconsistent { ref cause, .. } if matches!(**cause, DomainError::SoleRoleTaken { .. })
    ));
    let err = w
        .exec(Command::Correct {
            target: abolished,
            corrected: Event::CommitteeDissolved(CommitteeDissolution {
                committee: c,
                on: d("2022-10-01"),
                decision: dec,
            }),
        })
        .unwrap_err();
    assert!(matches!(err, DomainError::KindMismatch { .. }));
    let err = w
        .exec(Command::Retract {
            target: crate::EventId::new(),
        })
        .unwrap_err();
    assert!(matches!(err, DomainError::UnknownEvent(_)));
}
