//! A person's history includes the seats held ex officio: through a post, for as long as
//! both the seat and the holding of the post lasted.

use super::support::*;
use crate::payload::{PostAppointment, PostDeparture, SeatAbolition};
use crate::{Command, CommitteeId, DecisionId, HoldingId, KnownAt, Role, SeatId};

fn ex_officio_seat(
    w: &mut World,
    c: CommitteeId,
    dec: DecisionId,
    slug: &str,
    role: Role,
    post_slug: &str,
    on: &str,
) -> SeatId {
    let mut s = seat_spec(slug, role);
    s.ex_officio = Some(post(post_slug));
    w.exec(create_seat(c, s.clone(), on, dec)).unwrap();
    s.seat
}

/// A test committee whose deputy head sits as Vụ trưởng Vụ Tổ chức cán bộ (Phạm Minh Tiến)
/// and one member as Cục trưởng Cục Tin học hóa (Đỗ Công Anh), from 2022-02-01.
fn committee_of_posts(w: &mut World, n: u32) -> (CommitteeId, DecisionId, SeatId, SeatId) {
    let (c, dec) = test_committee(w, n, "2022-02-01");
    let deputy = ex_officio_seat(
        w,
        c,
        dec,
        &format!("bt{n}/pho-truong-ban"),
        Role::DeputyHead,
        "vu-truong-vu-to-chuc-can-bo",
        "2022-02-01",
    );
    let member = ex_officio_seat(
        w,
        c,
        dec,
        &format!("bt{n}/thanh-vien-cuc-tin-hoc-hoa"),
        Role::Member,
        "cuc-truong-cuc-tin-hoc-hoa",
        "2022-02-01",
    );
    (c, dec, deputy, member)
}

/// Hypothetically, on 2024-01-01 Phạm Minh Tiến leaves Vụ Tổ chức cán bộ to follow Đỗ Công
/// Anh as Cục trưởng Cục Tin học hóa, by decision `dec`.
fn tien_moves_to_the_authority(w: &mut World, dec: DecisionId) {
    for (post_slug, holder) in [
        ("vu-truong-vu-to-chuc-can-bo", "pham-minh-tien"),
        ("cuc-truong-cuc-tin-hoc-hoa", "do-cong-anh"),
    ] {
        w.exec(Command::EndPostHolding(PostDeparture {
            post: post(post_slug),
            holding: HoldingId::from_slug(&format!("{post_slug}/{holder}")).unwrap(),
            ended_on: d("2024-01-01"),
            decision: Some(dec),
        }))
        .unwrap();
    }
    w.exec(Command::AppointToPost(PostAppointment {
        post: post("cuc-truong-cuc-tin-hoc-hoa"),
        holding: HoldingId::from_slug("cuc-truong-cuc-tin-hoc-hoa/pham-minh-tien").unwrap(),
        person: person("pham-minh-tien"),
        from: d("2024-01-01"),
        ended_on: None,
        decision: Some(dec),
    }))
    .unwrap();
}

#[test]
fn a_person_seated_through_one_post_then_another_has_both_tenures() {
    // Given a committee whose seats go with posts, and Phạm Minh Tiến moving from one of the
    // posts to the other,
    let mut w = seeded();
    let (c, dec, deputy, member) = committee_of_posts(&mut w, 71);
    let moved = hypothetical_decision(&mut w, 72, "2024-01-01");
    tien_moves_to_the_authority(&mut w, moved);
    // when his history is asked for,
    let h = w.k.person_history(person("pham-minh-tien")).unwrap();
    // then it lists deputy head through the first post, then member through the second,
    // each from when to when, with the seat's decision and the post; his personal seats
    // in Decision 34 are still memberships.
    let tenures: Vec<_> = h
        .ex_officio
        .iter()
        .map(|x| {
            (
                x.committee,
                x.seat,
                x.role,
                x.post.id,
                x.from,
                x.ended_on,
                x.decision.id,
                x.end_decision.as_ref().map(|e| e.id),
            )
        })
        .collect();
    assert_eq!(
        tenures,
        [
            (
                c,
                deputy,
                Role::DeputyHead,
                post("vu-truong-vu-to-chuc-can-bo"),
                // The seat is younger than the holding: the seat's start.
                d("2022-02-01"),
                Some(d("2024-01-01")),
                dec,
                Some(moved),
            ),
            (
                c,
                member,
                Role::Member,
                post("cuc-truong-cuc-tin-hoc-hoa"),
                d("2024-01-01"),
                None,
                dec,
                None,
            ),
        ]
    );
    assert_eq!(
        h.ex_officio[0].committee_name.as_ref().map(|n| n.as_str()),
        Some("Ban thử nghiệm 71")
    );
    assert_eq!(
        h.ex_officio[1].post.title.as_ref().map(|n| n.as_str()),
        Some("Cục trưởng Cục Tin học hóa")
    );
    assert_eq!(
        h.ex_officio[1].post_decision.as_ref().map(|x| x.id),
        Some(moved)
    );
    assert_eq!(h.memberships.len(), 2);
    // Đỗ Công Anh sat as Cục trưởng until the move.
    let h = w.k.person_history(person("do-cong-anh")).unwrap();
    assert_eq!(h.ex_officio.len(), 1);
    assert_eq!(h.ex_officio[0].seat, member);
    assert_eq!(
        (h.ex_officio[0].from, h.ex_officio[0].ended_on),
        (d("2022-02-01"), Some(d("2024-01-01")))
    );
}

#[test]
fn a_seat_abolished_first_ends_the_tenure_by_its_decision() {
    // Given the deputy head's seat abolished on 2023-06-01, before the post holding ends,
    let mut w = seeded();
    let (c, _, deputy, _) = committee_of_posts(&mut w, 73);
    let abolished = hypothetical_decision(&mut w, 74, "2023-06-01");
    w.exec(Command::AbolishSeat(SeatAbolition {
        committee: c,
        seat: deputy,
        ended_on: d("2023-06-01"),
        decision: abolished,
    }))
    .unwrap();
    let moved = hypothetical_decision(&mut w, 75, "2024-01-01");
    tien_moves_to_the_authority(&mut w, moved);
    // when Phạm Minh Tiến's history is asked for, then that tenure ends with the seat.
    let h = w.k.person_history(person("pham-minh-tien")).unwrap();
    let first = &h.ex_officio[0];
    assert_eq!(first.seat, deputy);
    assert_eq!(first.ended_on, Some(d("2023-06-01")));
    assert_eq!(first.end_decision.as_ref().map(|x| x.id), Some(abolished));
}

#[test]
fn every_holder_of_a_post_held_by_several_sits_in_its_seat() {
    // Given a seat that goes with "Thứ trưởng" (up to five at once) and a second deputy
    // minister from 2023-01-01,
    let mut w = seeded();
    let (c, dec) = test_committee(&mut w, 76, "2022-02-01");
    let seat = ex_officio_seat(
        &mut w,
        c,
        dec,
        "bt76/thu-truong",
        Role::Head,
        "thu-truong-bo-tttt",
        "2022-02-01",
    );
    w.exec(Command::AppointToPost(PostAppointment {
        post: post("thu-truong-bo-tttt"),
        holding: HoldingId::new(),
        person: person("thanh-vien-17"),
        from: d("2023-01-01"),
        ended_on: None,
        decision: None,
    }))
    .unwrap();
    // then both have the seat in their history, each from when they sat.
    for (who, from) in [
        ("nguyen-huy-dung", "2022-02-01"),
        ("thanh-vien-17", "2023-01-01"),
    ] {
        let h = w.k.person_history(person(who)).unwrap();
        assert_eq!(h.ex_officio.len(), 1, "{who}");
        assert_eq!(
            (h.ex_officio[0].seat, h.ex_officio[0].from),
            (seat, d(from))
        );
    }
}

#[test]
fn tenures_as_known_before_the_move_was_entered_are_still_open() {
    // Given the move entered later,
    let mut w = seeded();
    committee_of_posts(&mut w, 77);
    let before = w.position();
    let moved = hypothetical_decision(&mut w, 78, "2024-01-01");
    tien_moves_to_the_authority(&mut w, moved);
    // when the history is asked as known before it was entered, then the deputy head's
    // tenure is open and there is no other.
    let old = w.as_known_at(KnownAt::Position(before));
    let h = old.person_history(person("pham-minh-tien")).unwrap();
    assert_eq!(h.ex_officio.len(), 1);
    assert_eq!(h.ex_officio[0].ended_on, None);
    assert_eq!(h.ex_officio[0].role, Role::DeputyHead);
}
