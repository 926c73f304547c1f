//! Given/when/then tests of `decide` and `apply`: each invariant refuses what breaks it.

use super::support::*;
use crate::payload::{
    DeadlineExtension, DecisionRecord, MembershipEnd, MembershipStart, PostAppointment,
    PostDeparture, SeatAbolition, TaskAssignment, TaskCreation, TaskProgress, TaskStatusChange,
    UnitDissolution, UnitEstablishment, UnitMerger, UnitMove, UnitRenaming,
};
use crate::{
    Assignment, Command, DomainError, Event, MembershipId, Role, SeatHolder, TaskId, TaskStatus,
    UnitKind,
};

fn start(
    committee: crate::CommitteeId,
    seat: crate::SeatId,
    who: &str,
    from: &str,
    ended_on: Option<&str>,
    dec: crate::DecisionId,
) -> Command {
    Command::StartMembership(MembershipStart {
        committee,
        membership: MembershipId::new(),
        seat,
        person: person(who),
        from: d(from),
        ended_on: ended_on.map(d),
        decision: dec,
    })
}

#[test]
fn a_committee_has_at_most_one_head_on_any_date() {
    let mut w = seeded();
    let (c, dec) = test_committee(&mut w, 1, "2022-02-01");
    let create = |slug: &str, on: &str| create_seat(c, seat_spec(slug, Role::Head), on, dec);
    w.exec(create("head-a", "2022-02-01")).unwrap();
    let err = w.exec(create("head-b", "2022-03-01")).unwrap_err();
    assert!(matches!(
        err,
        DomainError::SoleRoleTaken {
            role: Role::Head,
            ..
        }
    ));
    // Once the first head seat ends, a new one may start.
    w.exec(Command::AbolishSeat(SeatAbolition {
        committee: c,
        seat: seat_spec("head-a", Role::Head).seat,
        ended_on: d("2022-03-01"),
        decision: dec,
    }))
    .unwrap();
    w.exec(create("head-b", "2022-03-01")).unwrap();
}

#[test]
fn memberships_of_one_seat_do_not_overlap() {
    let mut w = seeded();
    let (c, dec) = test_committee(&mut w, 2, "2022-02-01");
    let s = seat_spec("member-1", Role::Member);
    w.exec(create_seat(c, s.clone(), "2022-02-01", dec))
        .unwrap();
    w.exec(start(
        c,
        s.seat,
        "thanh-vien-1",
        "2022-02-01",
        Some("2022-06-01"),
        dec,
    ))
    .unwrap();
    let same = w
        .exec(start(c, s.seat, "thanh-vien-1", "2022-05-01", None, dec))
        .unwrap_err();
    assert!(matches!(same, DomainError::OverlappingMembership { .. }));
    let other = w
        .exec(start(c, s.seat, "thanh-vien-2", "2022-05-31", None, dec))
        .unwrap_err();
    assert!(matches!(other, DomainError::SeatOccupied { .. }));
    // Half-open intervals: the next holder may start on the day the first one's ends.
    w.exec(start(c, s.seat, "thanh-vien-2", "2022-06-01", None, dec))
        .unwrap();
}

#[test]
fn a_membership_cannot_end_before_it_starts() {
    let mut w = seeded();
    let (c, dec) = test_committee(&mut w, 3, "2022-02-01");
    let s = seat_spec("member-1", Role::Member);
    w.exec(create_seat(c, s.clone(), "2022-02-01", dec))
        .unwrap();
    let err = w
        .exec(start(
            c,
            s.seat,
            "thanh-vien-1",
            "2022-03-01",
            Some("2022-02-28"),
            dec,
        ))
        .unwrap_err();
    assert!(matches!(err, DomainError::EndsBeforeStart { .. }));
    let m = MembershipId::new();
    w.exec(Command::StartMembership(MembershipStart {
        committee: c,
        membership: m,
        seat: s.seat,
        person: person("thanh-vien-1"),
        from: d("2022-03-01"),
        ended_on: None,
        decision: dec,
    }))
    .unwrap();
    let err = w
        .exec(Command::EndMembership(MembershipEnd {
            committee: c,
            membership: m,
            ended_on: d("2022-03-01"),
            decision: dec,
        }))
        .unwrap_err();
    assert!(matches!(err, DomainError::EndsBeforeStart { .. }));
}

#[test]
fn unknown_references_are_refused() {
    let mut w = seeded();
    let (c, dec) = test_committee(&mut w, 4, "2022-02-01");
    let s = seat_spec("member-1", Role::Member);
    w.exec(create_seat(c, s.clone(), "2022-02-01", dec))
        .unwrap();
    let err = w
        .exec(start(c, s.seat, "thanh-vien-404", "2022-02-01", None, dec))
        .unwrap_err();
    assert!(matches!(err, DomainError::UnknownPerson(_)));
    let err = w
        .exec(start(
            c,
            s.seat,
            "thanh-vien-1",
            "2022-02-01",
            None,
            decision("nowhere"),
        ))
        .unwrap_err();
    assert!(matches!(err, DomainError::UnknownDecision(_)));
    let err = w
        .exec(Command::RenameUnit(UnitRenaming {
            unit: unit("nowhere"),
            name: name("Vụ Pháp chế"),
            on: d("2022-02-01"),
            decision: None,
        }))
        .unwrap_err();
    assert!(matches!(err, DomainError::UnknownUnit(_)));
}

#[test]
fn a_dissolved_unit_cannot_change_or_be_named() {
    let mut w = seeded();
    let dec = hypothetical_decision(&mut w, 1, "2023-01-01");
    w.exec(Command::DissolveUnit(UnitDissolution {
        unit: unit("trung-tam-thong-tin"),
        on: d("2023-01-01"),
        decision: Some(dec),
    }))
    .unwrap();
    let err = w
        .exec(Command::RenameUnit(UnitRenaming {
            unit: unit("trung-tam-thong-tin"),
            name: name("Trung tâm Thông tin"),
            on: d("2023-02-01"),
            decision: None,
        }))
        .unwrap_err();
    assert!(matches!(err, DomainError::Ended { .. }));
    // A rename effective before the dissolution is history entered late, and allowed.
    w.exec(Command::RenameUnit(UnitRenaming {
        unit: unit("trung-tam-thong-tin"),
        name: name("Đơn vị 2"),
        on: d("2022-06-01"),
        decision: None,
    }))
    .unwrap();
    let err = w
        .exec(Command::DissolveUnit(UnitDissolution {
            unit: unit("trung-tam-thong-tin"),
            on: d("2023-06-01"),
            decision: None,
        }))
        .unwrap_err();
    assert!(matches!(
        err,
        DomainError::Ended { .. } | DomainError::AlreadyEnded { .. }
    ));
    let err = w
        .exec(Command::RenameUnit(UnitRenaming {
            unit: unit("vu-phap-che"),
            name: name("Vụ Pháp chế"),
            on: d("2020-01-01"),
            decision: None,
        }))
        .unwrap_err();
    assert!(matches!(err, DomainError::BeforeStart { .. }));
}

#[test]
fn units_cannot_form_a_cycle_or_merge_into_themselves() {
    let mut w = seeded();
    let err = w
        .exec(Command::MoveUnit(UnitMove {
            unit: unit("bo-tttt"),
            parent: Some(unit("cuc-tin-hoc-hoa")),
            on: d("2022-03-01"),
            decision: None,
        }))
        .unwrap_err();
    assert!(matches!(err, DomainError::UnitCycle { .. }));
    let err = w
        .exec(Command::MergeUnit(UnitMerger {
            unit: unit("bo-tttt"),
            into: unit("bo-tttt"),
            on: d("2025-03-01"),
            decision: None,
        }))
        .unwrap_err();
    assert_eq!(err, DomainError::MergeIntoSelf(unit("bo-tttt")));
}

#[test]
fn reconstitution_ends_everything_open_and_starts_the_new_composition_in_one_command() {
    let mut w = seeded();
    let dec = hypothetical_decision(&mut w, 2, "2023-03-01");
    let new_head = SeatHolder {
        membership: MembershipId::from_slug("h2-head").unwrap(),
        person: person("pham-minh-tien"),
    };
    let mut head = seat_spec("h2-truong-ban", Role::Head);
    head.holder = Some(new_head);
    let events =
        w.k.decide(&Command::Reconstitute {
            committee: committee(BCD),
            on: d("2023-03-01"),
            decision: dec,
            seats: vec![head],
            sub_bodies: Vec::new(),
        })
        .unwrap();
    let ended = events
        .iter()
        .filter(|e| matches!(e, Event::MembershipEnded(_)))
        .count();
    let abolished = events
        .iter()
        .filter(|e| matches!(e, Event::SeatAbolished(_)))
        .count();
    assert_eq!((ended, abolished), (24, 24));
    assert!(events.iter().all(|e| e.decision() == Some(dec)));
    assert!(events.iter().all(|e| e.valid_from() == d("2023-03-01")));
    let before = w.k.composition(committee(BCD), d("2023-02-28")).unwrap();
    w.record_events(events);
    let after = w.k.composition(committee(BCD), d("2023-03-01")).unwrap();
    assert_eq!(before.seats.len(), 24);
    assert_eq!(after.seats.len(), 1);
    assert_eq!(
        after.seats[0].holders[0].person.id,
        person("pham-minh-tien")
    );
    // The working group was not part of this reconstitution and is unchanged.
    assert_eq!(after.sub_bodies[0].holder_count(), 27);
    // Asking about the earlier date still gives the earlier composition.
    let again = w.k.composition(committee(BCD), d("2023-02-28")).unwrap();
    assert_eq!(again, before);
}

#[test]
fn reconstitution_refuses_a_duplicate_seat_id() {
    let mut w = seeded();
    let dec = hypothetical_decision(&mut w, 3, "2023-03-01");
    let err = w
        .exec(Command::Reconstitute {
            committee: committee(BCD),
            on: d("2023-03-01"),
            decision: dec,
            seats: vec![seat_spec("x", Role::Member), seat_spec("x", Role::Member)],
            sub_bodies: Vec::new(),
        })
        .unwrap_err();
    assert!(matches!(err, DomainError::DuplicateId(_)));
}

#[test]
fn ex_officio_seats_resolve_to_the_post_holder_on_the_date() {
    let mut w = seeded();
    let (c, dec) = test_committee(&mut w, 5, "2022-02-01");
    let mut s = seat_spec("eo", Role::DeputyHead);
    s.ex_officio = Some(post("vu-truong-vu-to-chuc-can-bo"));
    w.exec(create_seat(c, s.clone(), "2022-02-01", dec))
        .unwrap();
    let err = w
        .exec(start(c, s.seat, "thanh-vien-1", "2022-02-01", None, dec))
        .unwrap_err();
    assert!(matches!(err, DomainError::ExOfficioSeat { .. }));
    // Hypothetically, Tổ viên 1 follows Phạm Minh Tiến as Vụ trưởng on 2024-01-01.
    let holding =
        crate::HoldingId::from_slug("vu-truong-vu-to-chuc-can-bo/pham-minh-tien").unwrap();
    w.exec(Command::EndPostHolding(PostDeparture {
        post: post("vu-truong-vu-to-chuc-can-bo"),
        holding,
        ended_on: d("2024-01-01"),
        decision: None,
    }))
    .unwrap();
    w.exec(Command::AppointToPost(PostAppointment {
        post: post("vu-truong-vu-to-chuc-can-bo"),
        holding: crate::HoldingId::new(),
        person: person("to-vien-1"),
        from: d("2024-01-01"),
        ended_on: None,
        decision: None,
    }))
    .unwrap();
    let holder = |on: &str| {
        let comp = w.k.composition(c, d(on)).unwrap();
        comp.seats[0].holders[0].person.id
    };
    assert_eq!(holder("2023-12-31"), person("pham-minh-tien"));
    assert_eq!(holder("2024-01-01"), person("to-vien-1"));
}

#[test]
fn a_post_holds_no_more_than_its_holders() {
    let mut w = seeded();
    let err = w
        .exec(Command::AppointToPost(PostAppointment {
            post: post("cuc-truong-cuc-tin-hoc-hoa"),
            holding: crate::HoldingId::new(),
            person: person("to-vien-2"),
            from: d("2022-06-01"),
            ended_on: None,
            decision: None,
        }))
        .unwrap_err();
    assert!(matches!(err, DomainError::PostFull { max: 1, .. }));
    // A second deputy director general fits (up to 4).
    w.exec(Command::AppointToPost(PostAppointment {
        post: post("pho-cuc-truong-cuc-tin-hoc-hoa"),
        holding: crate::HoldingId::new(),
        person: person("to-vien-2"),
        from: d("2022-06-01"),
        ended_on: None,
        decision: None,
    }))
    .unwrap();
}

#[test]
fn promotion_ends_one_membership_and_starts_another() {
    let mut w = seeded();
    let dec = hypothetical_decision(&mut w, 4, "2022-09-01");
    let old = crate::Seed::membership_id(TGV, "to-vien-5", "qd-34-2022").unwrap();
    // Hypothetically, Tổ viên 5 becomes a third deputy group leader: a new seat, then a move.
    let mut s = seat_spec("to-pho-3", Role::DeputyGroupLeader);
    s.seat = seat(TGV, "to-pho-3");
    w.exec(create_seat(committee(TGV), s.clone(), "2022-09-01", dec))
        .unwrap();
    w.exec(Command::MoveMember {
        committee: committee(TGV),
        from_membership: old,
        to_seat: s.seat,
        membership: MembershipId::new(),
        on: d("2022-09-01"),
        decision: dec,
    })
    .unwrap();
    let h = w.k.person_history(person("to-vien-5")).unwrap();
    assert_eq!(h.memberships.len(), 2);
    assert_eq!(h.memberships[0].role, Some(Role::GroupMember));
    assert_eq!(h.memberships[0].ended_on, Some(d("2022-09-01")));
    assert_eq!(h.memberships[1].role, Some(Role::DeputyGroupLeader));
    assert_eq!(h.memberships[1].ended_on, None);
}

#[test]
fn a_unit_names_a_new_person_for_its_seat() {
    let mut w = seeded();
    let dec = hypothetical_decision(&mut w, 5, "2022-10-01");
    let s = seat(BCD, "thanh-vien-cuc-bao-chi");
    w.exec(Command::ReplaceSeatHolder {
        committee: committee(BCD),
        seat: s,
        membership: MembershipId::new(),
        person: person("to-vien-9"),
        on: d("2022-10-01"),
        decision: dec,
    })
    .unwrap();
    let holder = |on: &str| {
        let c = w.k.composition(committee(BCD), d(on)).unwrap();
        let seat = c.seats.iter().find(|x| x.seat == s).unwrap().clone();
        seat.holders[0].person.name.clone().unwrap().to_string()
    };
    assert_eq!(holder("2022-09-30"), "Thành viên 5");
    assert_eq!(holder("2022-10-01"), "Tổ viên 9");
}

#[test]
fn answers_use_unit_names_as_on_the_date() {
    let mut w = seeded();
    let dec = hypothetical_decision(&mut w, 6, "2023-05-01");
    w.exec(Command::RenameUnit(UnitRenaming {
        unit: unit("vu-cntt"),
        name: name("Đơn vị 1"),
        on: d("2023-05-01"),
        decision: Some(dec),
    }))
    .unwrap();
    let seat_unit = |on: &str| {
        let c = w.k.composition(committee(BCD), d(on)).unwrap();
        c.seats
            .iter()
            .find(|x| x.seat == seat(BCD, "thanh-vien-vu-cntt"))
            .unwrap()
            .on_behalf_of
            .clone()
            .unwrap()
            .name
            .unwrap()
            .to_string()
    };
    assert_eq!(seat_unit("2023-04-30"), "Vụ Công nghệ thông tin");
    assert_eq!(seat_unit("2023-05-01"), "Đơn vị 1");
}

pub(super) fn task_world() -> (World, TaskId, crate::DecisionId) {
    let mut w = seeded();
    let plan = crate::DecisionId::from_slug("hypothetical-plan-2022").unwrap();
    w.exec(ministry_document(
        plan,
        "HYPOTHETICAL-7/KH-BTTTT",
        crate::DecisionKind::Plan,
        "2022-01-20",
        "Hypothetical reform plan for 2022, for tests",
    ))
    .unwrap();
    let task = TaskId::from_slug("t1").unwrap();
    w.exec(Command::CreateTask(TaskCreation {
        task,
        plan: Some(plan),
        title: "Báo cáo cải cách hành chính quý I".to_owned(),
        product: "báo cáo".to_owned(),
        deadline: d("2022-03-31"),
        assignment: Some(Assignment {
            lead: unit("vu-to-chuc-can-bo"),
            cooperating: vec![unit("cuc-tin-hoc-hoa")],
            responsible: Some(person("pham-minh-tien")),
        }),
        on: d("2022-01-20"),
    }))
    .unwrap();
    (w, task, plan)
}

#[test]
fn a_task_is_overdue_after_its_deadline_until_completed() {
    let (mut w, task, plan) = task_world();
    assert!(w.k.overdue_tasks(d("2022-03-31")).is_empty());
    assert_eq!(w.k.overdue_tasks(d("2022-04-01")).len(), 1);
    w.exec(Command::ExtendDeadline(DeadlineExtension {
        task,
        deadline: d("2022-04-30"),
        on: d("2022-03-25"),
        decision: None,
    }))
    .unwrap();
    assert!(w.k.overdue_tasks(d("2022-04-01")).is_empty());
    assert_eq!(w.k.overdue_tasks(d("2022-05-01")).len(), 1);
    w.exec(Command::CompleteTask(TaskStatusChange {
        task,
        on: d("2022-05-10"),
        decision: None,
    }))
    .unwrap();
    assert_eq!(w.k.overdue_tasks(d("2022-05-09")).len(), 1);
    assert!(w.k.overdue_tasks(d("2022-05-10")).is_empty());
    let t = &w.k.tasks_of_plan(plan, d("2022-05-10"))[0];
    assert_eq!(t.status, TaskStatus::Completed);
    let err = w
        .exec(Command::CompleteTask(TaskStatusChange {
            task,
            on: d("2022-05-11"),
            decision: None,
        }))
        .unwrap_err();
    assert!(matches!(err, DomainError::TaskNotOpen { .. }));
    w.exec(Command::ReopenTask(TaskStatusChange {
        task,
        on: d("2022-06-01"),
        decision: None,
    }))
    .unwrap();
    assert_eq!(w.k.overdue_tasks(d("2022-06-01")).len(), 1);
    w.exec(Command::CancelTask(TaskStatusChange {
        task,
        on: d("2022-06-02"),
        decision: None,
    }))
    .unwrap();
    assert!(w.k.overdue_tasks(d("2022-06-02")).is_empty());
}

#[test]
fn task_progress_and_deadlines_are_checked() {
    let (mut w, task, _) = task_world();
    let err = w
        .exec(Command::ReportProgress(TaskProgress {
            task,
            percent: 101,
            note: String::new(),
            evidence: crate::Evidence::default(),
            on: d("2022-02-01"),
            decision: None,
        }))
        .unwrap_err();
    assert_eq!(err, DomainError::InvalidPercent(101));
    w.exec(Command::ReportProgress(TaskProgress {
        task,
        percent: 40,
        note: "Đã có dự thảo".to_owned(),
        evidence: crate::Evidence::note("công văn số 1"),
        on: d("2022-02-01"),
        decision: None,
    }))
    .unwrap();
    let err = w
        .exec(Command::ExtendDeadline(DeadlineExtension {
            task,
            deadline: d("2022-03-01"),
            on: d("2022-02-02"),
            decision: None,
        }))
        .unwrap_err();
    assert!(matches!(err, DomainError::DeadlineNotLater { .. }));
    let t = &w.k.tasks_of_unit(unit("cuc-tin-hoc-hoa"), d("2022-02-01"))[0];
    assert_eq!(t.percent, Some(40));
    assert_eq!(t.lead.as_ref().unwrap().id, unit("vu-to-chuc-can-bo"));
}

#[test]
fn assigning_an_assigned_task_reassigns_it() {
    let (mut w, task, _) = task_world();
    let a = Assignment {
        lead: unit("van-phong-bo"),
        cooperating: Vec::new(),
        responsible: None,
    };
    let events =
        w.k.decide(&Command::AssignTask(TaskAssignment {
            task,
            assignment: a,
            on: d("2022-02-15"),
            decision: None,
        }))
        .unwrap();
    assert!(matches!(events[0], Event::TaskReassigned(_)));
    w.record_events(events);
    assert!(w
        .k
        .tasks_of_unit(unit("vu-to-chuc-can-bo"), d("2022-02-15"))
        .is_empty());
    assert_eq!(
        w.k.tasks_of_unit(unit("vu-to-chuc-can-bo"), d("2022-02-14"))
            .len(),
        1
    );
    assert_eq!(
        w.k.tasks_of_unit(unit("van-phong-bo"), d("2022-02-15"))
            .len(),
        1
    );
}

#[test]
fn establishing_twice_is_refused() {
    let mut w = seeded();
    let err = w
        .exec(Command::EstablishUnit(UnitEstablishment {
            unit: unit("vu-phap-che"),
            name: name("Vụ Pháp chế"),
            kind: UnitKind::Department,
            parent: None,
            on: d("2022-01-01"),
            decision: None,
        }))
        .unwrap_err();
    assert!(matches!(err, DomainError::AlreadyExists(_)));
}

/// A HYPOTHETICAL decree signed on `signed_on` and in force from `in_force_on`.
fn decree(n: u32, signed_on: &str, in_force_on: &str) -> (crate::DecisionId, Command) {
    let id = crate::DecisionId::from_slug(&format!("hypothetical-decree-{n}")).unwrap();
    let command = Command::RecordDecision(DecisionRecord {
        decision: id,
        number: format!("HYPOTHETICAL-{n}/2024/NĐ-CP"),
        kind: crate::DecisionKind::Decree,
        issuer: unit("bo-tttt"),
        signer: None,
        signed_on: d(signed_on),
        in_force_on: d(in_force_on),
        title: "Hypothetical decree for tests; not a real document".to_owned(),
        amends: Vec::new(),
        replaces: Vec::new(),
        repeals: Vec::new(),
    });
    (id, command)
}

/// Whether the decision's answers (its changes and its summary) say it took effect before
/// it was signed, and the kind's name they show.
fn before_signed(w: &World, id: crate::DecisionId) -> (bool, bool, String) {
    let changes = w.k.decision_changes(id).unwrap();
    let summary =
        crate::summary::summary(&w.k, crate::EntityKey::Decision(id), d("2024-12-31")).unwrap();
    let crate::EntityDetails::Decision {
        in_force_before_signed,
        kind_name,
        ..
    } = summary.details
    else {
        panic!("not a decision: {summary:?}")
    };
    assert_eq!(changes.decision.kind_name, kind_name);
    (
        changes.decision.in_force_before_signed,
        in_force_before_signed,
        kind_name,
    )
}

#[test]
fn a_decree_may_take_effect_the_day_before_it_is_signed_and_answers_say_so() {
    // Given the seed case, when a decree in force the day before its signing is recorded,
    let mut w = seeded();
    let (id, command) = decree(1, "2024-03-02", "2024-03-01");
    w.exec(command).unwrap();
    // then it is accepted, and both answers about it flag the early effect.
    assert_eq!(before_signed(&w, id), (true, true, "Nghị định".to_owned()));
    let changes = w.k.decision_changes(id).unwrap();
    assert_eq!(changes.decision.in_force_on, d("2024-03-01"));
    assert_eq!(changes.decision.signed_on, d("2024-03-02"));
}

#[test]
fn a_retroactive_decree_months_before_signing_is_accepted() {
    let mut w = seeded();
    let (id, command) = decree(2, "2024-07-15", "2024-01-01");
    w.exec(command).unwrap();
    assert!(before_signed(&w, id).0);
}

#[test]
fn a_decision_in_force_on_or_after_signing_is_not_flagged() {
    let mut w = seeded();
    let (same_day, command) = decree(3, "2024-03-02", "2024-03-02");
    w.exec(command).unwrap();
    let (later, command) = decree(4, "2024-03-02", "2024-04-15");
    w.exec(command).unwrap();
    assert_eq!(
        before_signed(&w, same_day),
        (false, false, "Nghị định".to_owned())
    );
    assert_eq!(
        before_signed(&w, later),
        (false, false, "Nghị định".to_owned())
    );
    // The seed's own decision is signed and in force the same day.
    let (flag, _, name) = before_signed(&w, decision("qd-34-2022"));
    assert_eq!((flag, name.as_str()), (false, "Quyết định"));
}
