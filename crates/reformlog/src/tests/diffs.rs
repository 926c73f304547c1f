//! Composition diffs across reconstitutions and moves: a person keeping their place in new
//! seats stays; one in another role, unit or post changed place; the rest left or joined.

use super::support::*;
use crate::{
    Command, CommitteeId, CompositionDiff, DecisionId, MembershipId, PersonId, Role, SeatHolder,
    SeatSpec,
};

/// A place in a composition: who, in which role, for which unit.
type Place = (&'static str, Role, Option<&'static str>);

/// The seats of one decision's composition, each held by its person; seat and membership
/// ids are the decision's own (`tag`), as a reconstitution creates new seats.
fn seats(tag: &str, places: &[Place]) -> Vec<SeatSpec> {
    places
        .iter()
        .map(|(who, role, behalf)| {
            let mut s = seat_spec(&format!("{tag}/{who}"), *role);
            s.on_behalf_of = behalf.map(unit);
            s.holder = Some(SeatHolder {
                membership: MembershipId::from_slug(&format!("{tag}/{who}/m")).unwrap(),
                person: person(who),
            });
            s
        })
        .collect()
}

/// Thirty people: a head, two deputies, Thành viên 1 to 21 (Thành viên 2 for Vụ Bưu chính)
/// and Tổ viên 1 to 6 as members.
fn thirty() -> Vec<Place> {
    const MEMBERS: [&str; 27] = [
        "thanh-vien-1",
        "thanh-vien-2",
        "thanh-vien-3",
        "thanh-vien-4",
        "thanh-vien-5",
        "thanh-vien-6",
        "thanh-vien-7",
        "thanh-vien-8",
        "thanh-vien-9",
        "thanh-vien-10",
        "thanh-vien-11",
        "thanh-vien-12",
        "thanh-vien-13",
        "thanh-vien-14",
        "thanh-vien-15",
        "thanh-vien-16",
        "thanh-vien-17",
        "thanh-vien-18",
        "thanh-vien-19",
        "thanh-vien-20",
        "thanh-vien-21",
        "to-vien-1",
        "to-vien-2",
        "to-vien-3",
        "to-vien-4",
        "to-vien-5",
        "to-vien-6",
    ];
    let mut v: Vec<Place> = vec![
        ("nguyen-huy-dung", Role::Head, None),
        ("pham-minh-tien", Role::DeputyHead, None),
        ("do-cong-anh", Role::DeputyHead, None),
    ];
    for m in MEMBERS {
        let behalf = (m == "thanh-vien-2").then_some("vu-buu-chinh");
        v.push((m, Role::Member, behalf));
    }
    v
}

/// A test committee composed of `first` from 2022-02-01, reconstituted as `second` on
/// 2023-02-01; returns it and the second decision.
fn reconstituted(n: u32, first: &[Place], second: &[Place]) -> (World, CommitteeId, DecisionId) {
    let mut w = seeded();
    let (c, dec) = test_committee(&mut w, n, "2022-02-01");
    w.exec(Command::Reconstitute {
        committee: c,
        on: d("2022-02-01"),
        decision: dec,
        seats: seats(&format!("bt{n}-2022"), first),
        sub_bodies: Vec::new(),
    })
    .unwrap();
    let again = hypothetical_decision(&mut w, n + 1, "2023-02-01");
    w.exec(Command::Reconstitute {
        committee: c,
        on: d("2023-02-01"),
        decision: again,
        seats: seats(&format!("bt{n}-2023"), second),
        sub_bodies: Vec::new(),
    })
    .unwrap();
    (w, c, again)
}

/// Every holding on either date is accounted for exactly once.
fn accounts_for_everyone(w: &World, diff: &CompositionDiff) {
    let count = |on| w.k.composition(diff.committee, on).unwrap().seated().len();
    let changed = diff.changed.len();
    assert_eq!(count(diff.before), diff.stayed + changed + diff.left.len());
    assert_eq!(count(diff.after), diff.stayed + changed + diff.joined.len());
}

fn people(entries: &[crate::DiffEntry]) -> Vec<Option<PersonId>> {
    entries.iter().map(|e| e.person).collect()
}

#[test]
fn a_reconstitution_keeping_28_of_30_people_keeps_28_and_changes_2() {
    // Given a committee of thirty, reconstituted with new seats in which Thành viên 20 and
    // 21 give way to Tổ viên 7 and 8,
    let first = thirty();
    let mut second: Vec<Place> = first
        .iter()
        .filter(|p| !matches!(p.0, "thanh-vien-20" | "thanh-vien-21"))
        .copied()
        .collect();
    second.push(("to-vien-7", Role::Member, None));
    second.push(("to-vien-8", Role::Member, None));
    let (w, c, again) = reconstituted(64, &first, &second);
    // when the compositions either side of the reconstitution are compared,
    let diff =
        w.k.composition_diff(c, d("2023-01-31"), d("2023-02-01"))
            .unwrap();
    // then 28 stayed, 2 left and 2 joined, in the decisions' order.
    assert_eq!(diff.stayed, 28);
    assert_eq!(
        people(&diff.left),
        [Some(person("thanh-vien-20")), Some(person("thanh-vien-21"))]
    );
    assert_eq!(
        people(&diff.joined),
        [Some(person("to-vien-7")), Some(person("to-vien-8"))]
    );
    assert!(diff.changed.is_empty());
    accounts_for_everyone(&w, &diff);
    // What the decision changed says the same.
    let changes = w.k.decision_changes(again).unwrap();
    assert_eq!(changes.compositions, [diff]);
}

#[test]
fn a_member_promoted_to_deputy_head_changed_place_and_did_not_stay() {
    // Given a reconstitution in which Thành viên 1 becomes a third deputy head and Thành
    // viên 2 represents Vụ Pháp chế instead of Vụ Bưu chính,
    let first = thirty();
    let second: Vec<Place> = first
        .iter()
        .map(|p| match p.0 {
            "thanh-vien-1" => ("thanh-vien-1", Role::DeputyHead, None),
            "thanh-vien-2" => ("thanh-vien-2", Role::Member, Some("vu-phap-che")),
            _ => *p,
        })
        .collect();
    let (w, c, _) = reconstituted(66, &first, &second);
    // when the compositions are compared,
    let diff =
        w.k.composition_diff(c, d("2023-01-31"), d("2023-02-01"))
            .unwrap();
    // then both changed place, neither stayed, and nobody left or joined.
    assert_eq!(diff.stayed, 28);
    assert!(diff.left.is_empty() && diff.joined.is_empty(), "{diff:?}");
    let moves: Vec<_> = diff
        .changed
        .iter()
        .map(|x| {
            (
                x.after.person,
                x.before.role,
                x.after.role,
                x.before.on_behalf_of,
                x.after.on_behalf_of,
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            (
                Some(person("thanh-vien-1")),
                Role::Member,
                Role::DeputyHead,
                None,
                None
            ),
            (
                Some(person("thanh-vien-2")),
                Role::Member,
                Role::Member,
                Some(unit("vu-buu-chinh")),
                Some(unit("vu-phap-che"))
            ),
        ]
    );
    accounts_for_everyone(&w, &diff);
}

#[test]
fn a_move_to_a_new_seat_is_a_change_of_place_and_leaves_the_old_seat_vacant() {
    // Given the seed case, and a hypothetical decision moving Thành viên 1 from the seat for
    // Vụ Bưu chính to a new third deputy head's seat,
    let mut w = seeded();
    let dec = hypothetical_decision(&mut w, 68, "2022-09-01");
    let mut s = seat_spec("pho-truong-ban-3", Role::DeputyHead);
    s.seat = seat(BCD, "pho-truong-ban-3");
    w.exec(create_seat(committee(BCD), s.clone(), "2022-09-01", dec))
        .unwrap();
    w.exec(Command::MoveMember {
        committee: committee(BCD),
        from_membership: crate::Seed::membership_id(BCD, "thanh-vien-vu-buu-chinh", "qd-34-2022")
            .unwrap(),
        to_seat: s.seat,
        membership: MembershipId::new(),
        on: d("2022-09-01"),
        decision: dec,
    })
    .unwrap();
    // when the day before and the day of the move are compared,
    let diff =
        w.k.composition_diff(committee(BCD), d("2022-08-31"), d("2022-09-01"))
            .unwrap();
    // then Thành viên 1 changed place, everyone else stayed, and the old seat is vacant.
    assert_eq!(diff.changed.len(), 1);
    let moved = &diff.changed[0];
    assert_eq!(moved.after.person, Some(person("thanh-vien-1")));
    assert_eq!(
        (moved.before.role, moved.after.role),
        (Role::Member, Role::DeputyHead)
    );
    assert_eq!(diff.stayed, 24 + 27 - 1);
    assert!(diff.left.is_empty());
    assert_eq!(people(&diff.joined), [None]);
    assert_eq!(diff.joined[0].seat, seat(BCD, "thanh-vien-vu-buu-chinh"));
    accounts_for_everyone(&w, &diff);
}

#[test]
fn an_ex_officio_seat_created_again_for_the_same_post_stays() {
    // Given a seat that goes with the post of Vụ trưởng Vụ Tổ chức cán bộ (Phạm Minh Tiến),
    // and a reconstitution that creates it again,
    let mut w = seeded();
    let (c, dec) = test_committee(&mut w, 69, "2022-02-01");
    let ex_officio = |slug: &str| {
        let mut s = seat_spec(slug, Role::Member);
        s.ex_officio = Some(post("vu-truong-vu-to-chuc-can-bo"));
        s
    };
    w.exec(create_seat(
        c,
        ex_officio("bt69-2022/vu-truong"),
        "2022-02-01",
        dec,
    ))
    .unwrap();
    let again = hypothetical_decision(&mut w, 70, "2023-02-01");
    w.exec(Command::Reconstitute {
        committee: c,
        on: d("2023-02-01"),
        decision: again,
        seats: vec![ex_officio("bt69-2023/vu-truong")],
        sub_bodies: Vec::new(),
    })
    .unwrap();
    // when the compositions either side are compared, then its holder stayed.
    let diff =
        w.k.composition_diff(c, d("2023-01-31"), d("2023-02-01"))
            .unwrap();
    assert_eq!(diff.stayed, 1);
    assert!(diff.left.is_empty() && diff.joined.is_empty() && diff.changed.is_empty());
}
