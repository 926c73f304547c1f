//! The questions of the issue, on both time axes, over the in-memory fold.

use super::support::*;
use crate::{fold, Answer, Command, EntityKey, KnownAt, MembershipId, Name, Query, Role};
use unicode_normalization::UnicodeNormalization;

/// A hypothetical later decision replacing a deputy head, recorded months late.
fn late_replacement(w: &mut World) -> (crate::DecisionId, u64) {
    w.on_day("2022-09-01");
    let dec = hypothetical_decision(w, 20, "2022-05-01");
    let before = w.position();
    w.exec_because(
        Command::ReplaceSeatHolder {
            committee: committee(BCD),
            seat: seat(BCD, "pho-truong-ban-2"),
            membership: MembershipId::from_slug("hypothetical-20-deputy").unwrap(),
            person: person("nguyen-phu-tien"),
            on: d("2022-05-01"),
            decision: dec,
        },
        "nhập muộn quyết định",
    )
    .unwrap();
    (dec, before)
}

fn deputies(k: &crate::Knowledge, on: &str) -> Vec<crate::PersonId> {
    let c = k.composition(committee(BCD), d(on)).unwrap();
    let mut v: Vec<_> = c
        .seats
        .iter()
        .filter(|s| s.role == Role::DeputyHead)
        .flat_map(|s| s.holders.iter().map(|h| h.person.id))
        .collect();
    v.sort();
    v
}

#[test]
fn late_facts_are_seen_now_but_not_as_known_before_they_were_entered() {
    let mut w = seeded();
    let (_, before) = late_replacement(&mut w);
    let mut now = vec![person("pham-minh-tien"), person("nguyen-phu-tien")];
    now.sort();
    assert_eq!(deputies(&w.k, "2022-06-01"), now);
    let old = w.as_known_at(KnownAt::Timestamp(d("2022-08-01").start_utc()));
    let mut then = vec![person("pham-minh-tien"), person("do-cong-anh")];
    then.sort();
    assert_eq!(deputies(&old, "2022-06-01"), then);
    assert_eq!(
        deputies(&w.as_known_at(KnownAt::Position(before)), "2022-06-01"),
        then
    );
    // Valid time still matters now: before 2022-05-01 Đỗ Công Anh was deputy.
    assert_eq!(deputies(&w.k, "2022-04-30"), then);
}

#[test]
fn what_a_decision_changed() {
    let mut w = seeded();
    let (dec, _) = late_replacement(&mut w);
    let ch = w.k.decision_changes(dec).unwrap();
    assert_eq!(ch.decision.number, "HYPOTHETICAL-20/QĐ-BTTTT");
    assert_eq!(ch.changes.len(), 2);
    assert!(ch
        .changes
        .iter()
        .all(|c| c.reason.as_deref() == Some("nhập muộn quyết định")));
    assert_eq!(ch.compositions.len(), 1);
    let diff = &ch.compositions[0];
    assert_eq!(
        (diff.before, diff.after),
        (d("2022-04-30"), d("2022-05-01"))
    );
    assert_eq!(diff.left.len(), 1);
    assert_eq!(diff.left[0].person, Some(person("do-cong-anh")));
    assert_eq!(diff.joined[0].person, Some(person("nguyen-phu-tien")));

    let d34 = w.k.decision_changes(decision("qd-34-2022")).unwrap();
    let diff = &d34.compositions[0];
    assert_eq!(diff.joined.len(), 24 + 27);
    assert!(diff.left.is_empty());
}

#[test]
fn composition_diff_between_two_dates() {
    let mut w = seeded();
    late_replacement(&mut w);
    let diff =
        w.k.composition_diff(committee(BCD), d("2022-02-01"), d("2022-12-01"))
            .unwrap();
    assert_eq!(diff.joined.len(), 1);
    assert_eq!(diff.left.len(), 1);
    assert_eq!(diff.stayed, 24 + 27 - 1);
}

#[test]
fn person_history_lists_memberships_and_positions() {
    let w = seeded();
    let h = w.k.person_history(person("pham-minh-tien")).unwrap();
    assert_eq!(h.names[0].name, name("Phạm Minh Tiến"));
    let roles: Vec<_> = h.memberships.iter().map(|m| m.role).collect();
    assert_eq!(roles.len(), 2);
    assert!(roles.contains(&Some(Role::DeputyHead)));
    assert!(roles.contains(&Some(Role::GroupLeader)));
    assert_eq!(h.positions.len(), 1);
    assert_eq!(
        h.positions[0].post.title,
        Some(name("Vụ trưởng Vụ Tổ chức cán bộ"))
    );
}

#[test]
fn history_and_changes_by_actor() {
    let mut w = seeded();
    w.actor = "can-bo-nhap-lieu".to_owned();
    late_replacement(&mut w);
    let h = w.k.history(EntityKey::Committee(committee(BCD)));
    let last = h.last().unwrap();
    assert_eq!(last.actor, "can-bo-nhap-lieu");
    assert_eq!(last.valid_from, d("2022-05-01"));
    assert_eq!(
        last.decision.as_ref().unwrap().number.as_deref(),
        Some("HYPOTHETICAL-20/QĐ-BTTTT")
    );
    assert!(last.recorded_at >= d("2022-09-01").start_utc());

    let from = d("2022-09-01").start_utc();
    let to = d("2022-09-02").start_utc();
    let mine = w.k.changes_by("can-bo-nhap-lieu", from, to);
    // The decision itself plus the ended and the started membership.
    assert_eq!(mine.len(), 3);
    assert!(w.k.changes_by("thu-ky", from, to).is_empty());
    let seeding = w.k.changes_by(
        "thu-ky",
        d("2022-01-01").start_utc(),
        d("2022-02-01").start_utc(),
    );
    assert_eq!(seeding.len() as u64, w.k.last_position() - 3);
}

#[test]
fn search_ignores_case_diacritics_and_normal_form() {
    let w = seeded();
    let hits = w.k.search("pham minh tien");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].entity, EntityKey::Person(person("pham-minh-tien")));
    assert_eq!(w.k.search("DO CONG ANH")[0].name, name("Đỗ Công Anh"));
    let nfd: String = "Nguyễn Phú Tiến".nfd().collect();
    assert_eq!(
        w.k.search(&nfd)[0].entity,
        EntityKey::Person(person("nguyen-phu-tien"))
    );
    let units: Vec<_> =
        w.k.search("cuc tin hoc hoa")
            .into_iter()
            .map(|h| h.entity)
            .collect();
    assert!(units.contains(&EntityKey::Unit(unit("cuc-tin-hoc-hoa"))));
    // Two people share "tien": both are found.
    let tien: Vec<_> =
        w.k.search("tiến")
            .into_iter()
            .filter(|h| matches!(h.entity, EntityKey::Person(_)))
            .collect();
    assert_eq!(tien.len(), 2);
    assert!(w.k.search("   ").is_empty());
    assert_eq!(fold(Name::new("Đ").unwrap().as_str()), "d");
}

#[test]
fn queries_as_data_round_trip_through_json() {
    let w = seeded();
    let q = Query::Composition {
        committee: committee(BCD),
        on: d("2022-01-15"),
    };
    let text = serde_json::to_string(&q).unwrap();
    assert!(text.contains("\"2022-01-15\""));
    let back: Query = serde_json::from_str(&text).unwrap();
    assert_eq!(back, q);
    let answer = w.k.answer(&back).unwrap();
    let Answer::Composition(c) = &answer else {
        panic!("wrong answer kind")
    };
    assert_eq!(c.holder_count(), 51);
    let json = serde_json::to_string(&answer).unwrap();
    let again: Answer = serde_json::from_str(&json).unwrap();
    assert_eq!(again, answer);
}
