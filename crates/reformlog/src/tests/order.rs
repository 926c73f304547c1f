//! The order of answers: seats as the decision lists them, from the fold and from the read
//! models (before and after a rebuild); name listings in Vietnamese alphabetical order.

use super::engine::{brute, ctx, seeded_log};
use super::support::*;
use crate::payload::CommitteeCharter;
use crate::{collate, Command, Composition, EntityKey, Query, Role, SeatSpec};

fn holder_names(c: &Composition) -> Vec<String> {
    c.seats
        .iter()
        .flat_map(|s| s.holders.iter())
        .map(|h| h.person.name.as_ref().unwrap().to_string())
        .collect()
}

fn numbered(prefix: &str, n: std::ops::RangeInclusive<u32>) -> Vec<String> {
    n.map(|i| format!("{prefix} {i}")).collect()
}

#[test]
fn a_composition_lists_seats_in_the_order_of_the_decision() {
    // Given the seed case, whose Decision 34 lists the head, the deputies, then 21 members
    // by unit and the working group's leader, deputies and members 1 to 24.
    let w = seeded();
    // When the composition is asked for,
    let c = w.k.composition(committee(BCD), d("2022-01-15")).unwrap();
    // then seats come as the decision lists them, not by name or id.
    let mut want = vec![
        "Nguyễn Huy Dũng".to_owned(),
        "Phạm Minh Tiến".to_owned(),
        "Đỗ Công Anh".to_owned(),
    ];
    want.extend(numbered("Thành viên", 1..=21));
    assert_eq!(holder_names(&c), want);
    let units: Vec<&str> = c
        .seats
        .iter()
        .filter_map(|s| s.on_behalf_of.as_ref())
        .map(|u| u.name.as_ref().unwrap().as_str())
        .collect();
    let tan_so = units.iter().position(|u| *u == "Cục Tần số Vô tuyến điện");
    let tin_hoc = units.iter().position(|u| *u == "Cục Tin học hóa");
    assert!(tan_so < tin_hoc, "{units:?}");
    let tgv = &c.sub_bodies[0];
    let mut want = vec![
        "Phạm Minh Tiến".to_owned(),
        "Đỗ Công Anh".to_owned(),
        "Nguyễn Phú Tiến".to_owned(),
    ];
    want.extend(numbered("Tổ viên", 1..=24));
    assert_eq!(holder_names(tgv), want);
}

fn spec(slug: &str, role: Role, who: &str) -> SeatSpec {
    let mut s = seat_spec(slug, role);
    s.holder = Some(crate::SeatHolder {
        membership: crate::MembershipId::from_slug(&format!("{slug}/{who}")).unwrap(),
        person: person(who),
    });
    s
}

#[test]
fn seats_keep_the_decisions_order_even_against_role_and_seats_created_later_follow() {
    // Given a committee reconstituted by a decision that lists a member before the head,
    let mut w = seeded();
    let (c, dec) = test_committee(&mut w, 60, "2022-03-01");
    w.exec(Command::Reconstitute {
        committee: c,
        on: d("2022-03-01"),
        decision: dec,
        seats: vec![
            spec("bt60-tv-20", Role::Member, "thanh-vien-20"),
            spec("bt60-truong-ban", Role::Head, "nguyen-huy-dung"),
            spec("bt60-tv-6", Role::Member, "thanh-vien-6"),
            spec("bt60-tv-14", Role::Member, "thanh-vien-14"),
        ],
        sub_bodies: Vec::new(),
    })
    .unwrap();
    // when two more seats are created one by one, the second a deputy head,
    let later = hypothetical_decision(&mut w, 61, "2022-04-01");
    for (slug, role, who) in [
        ("bt60-tv-5", Role::Member, "thanh-vien-5"),
        ("bt60-pho", Role::DeputyHead, "pham-minh-tien"),
    ] {
        w.exec(create_seat(c, spec(slug, role, who), "2022-04-01", later))
            .unwrap();
    }
    // then the decision's order holds, and the later seats follow in the order recorded.
    let names = holder_names(&w.k.composition(c, d("2022-04-01")).unwrap());
    assert_eq!(
        names,
        [
            "Thành viên 20",
            "Nguyễn Huy Dũng",
            "Thành viên 6",
            "Thành viên 14",
            "Thành viên 5",
            "Phạm Minh Tiến"
        ]
    );
}

#[test]
fn the_read_models_give_the_decisions_order_before_and_after_a_rebuild() {
    // Given the seed case written through the store, and a seat created afterwards,
    let (_dir, log) = seeded_log();
    let dec = crate::DecisionId::from_slug("hypothetical-62").unwrap();
    log.execute(
        ministry_document(
            dec,
            "HYPOTHETICAL-62/QĐ-BTTTT",
            crate::DecisionKind::Decision,
            "2022-05-01",
            "Hypothetical decision for tests; not a real document",
        ),
        &ctx(),
    )
    .unwrap();
    let mut s = spec("to-pho-3", Role::DeputyGroupLeader, "thanh-vien-17");
    s.seat = seat(TGV, "to-pho-3");
    log.execute(create_seat(committee(TGV), s, "2022-05-01", dec), &ctx())
        .unwrap();
    let q = Query::Composition {
        committee: committee(BCD),
        on: d("2022-06-01"),
    };
    let want = brute(&log, None).answer(&q).unwrap();
    // when the read models answer, and again after they are rebuilt from the log,
    let before = log.query(&q, None).unwrap();
    log.rebuild().unwrap();
    let after = log.query(&q, None).unwrap();
    // then both answers are the fold's, the new seat last in the working group.
    assert_eq!(before, want);
    assert_eq!(after, want);
    let crate::Answer::Composition(c) = after else {
        panic!("not a composition")
    };
    let tgv = holder_names(&c.sub_bodies[0]);
    assert_eq!(tgv.len(), 3 + 24 + 1);
    assert_eq!(tgv.last().map(String::as_str), Some("Thành viên 17"));
}

#[test]
fn search_results_are_in_vietnamese_alphabetical_order() {
    let w = seeded();
    let hits = w.k.search("cuc");
    let names: Vec<&str> = hits.iter().map(|h| h.name.as_str()).collect();
    assert!(
        names.windows(2).all(|p| collate(p[0], p[1]).is_le()),
        "{names:?}"
    );
    let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(at("Cục Tần số Vô tuyến điện") < at("Cục Tin học hóa"));
    assert!(at("Cục Báo chí") < at("Cục Bưu điện Trung ương"));
    // Placeholders with numbers: by value.
    let people: Vec<String> =
        w.k.search("to vien")
            .into_iter()
            .filter(|h| matches!(h.entity, EntityKey::Person(_)))
            .map(|h| h.name.to_string())
            .collect();
    assert_eq!(people, numbered("Tổ viên", 1..=24));
}

#[test]
fn sub_bodies_are_listed_by_name() {
    // Given two more working groups of the seed committee, established after the first and
    // named so that one sorts before it and one after ("công" < "giúp" < "thư"),
    let mut w = seeded();
    let dec = hypothetical_decision(&mut w, 63, "2022-03-01");
    let mut group = |slug: &str, title: &str| {
        let id = crate::CommitteeId::from_slug(slug).unwrap();
        w.exec(Command::EstablishCommittee(CommitteeCharter {
            committee: id,
            name: name(title),
            parent: Some(committee(BCD)),
            unit: Some(unit("bo-tttt")),
            on: d("2022-03-01"),
            decision: dec,
            duties: Vec::new(),
        }))
        .unwrap();
        id
    };
    let thu_ky = group("to-thu-ky-thu-nghiem", "Tổ thư ký thử nghiệm");
    let cong_tac = group("to-cong-tac-thu-nghiem", "Tổ công tác thử nghiệm");
    // when the composition is asked for, then the sub-bodies come in alphabetical order.
    let c = w.k.composition(committee(BCD), d("2022-03-01")).unwrap();
    let subs: Vec<_> = c.sub_bodies.iter().map(|b| b.committee).collect();
    assert_eq!(subs, [cong_tac, committee(TGV), thu_ky]);
    // and so does the committee's summary.
    let key = EntityKey::Committee(committee(BCD));
    let summary = crate::summary::summary(&w.k, key, d("2022-03-01")).unwrap();
    let crate::EntityDetails::Committee { sub_bodies, .. } = summary.details else {
        panic!("not a committee")
    };
    let ids: Vec<_> = sub_bodies.iter().map(|b| b.id).collect();
    assert_eq!(ids, [cong_tac, committee(TGV), thu_ky]);
}
