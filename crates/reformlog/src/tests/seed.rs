//! The seed file of Decision 34 loads and answers the questions the article answers.

use super::support::*;
use crate::{Role, Seed, SeedError};

#[test]
fn seed_file_loads_into_the_composition_of_the_article() {
    let w = seeded();
    let c = w.k.composition(committee(BCD), d("2022-01-15")).unwrap();
    assert!(c.active);
    assert_eq!(c.duties.len(), 5);
    let by_role = |r: Role| c.seats.iter().filter(move |s| s.role == r);
    let head: Vec<_> = by_role(Role::Head).collect();
    assert_eq!(head.len(), 1);
    let dung = &head[0].holders[0];
    assert_eq!(dung.person.name, Some(name("Nguyễn Huy Dũng")));
    assert_eq!(
        dung.positions[0].title,
        Some(name("Thứ trưởng Bộ Thông tin và Truyền thông"))
    );
    let deputies: Vec<_> = by_role(Role::DeputyHead)
        .map(|s| s.holders[0].person.name.clone().unwrap().to_string())
        .collect();
    assert_eq!(deputies.len(), 2);
    assert!(deputies.contains(&"Phạm Minh Tiến".to_owned()));
    assert!(deputies.contains(&"Đỗ Công Anh".to_owned()));
    let members: Vec<_> = by_role(Role::Member).collect();
    assert_eq!(members.len(), 21);
    assert!(members
        .iter()
        .all(|m| m.on_behalf_of.is_some() && m.holders.len() == 1));
    assert_eq!(c.seats.len(), 24);

    assert_eq!(c.sub_bodies.len(), 1);
    let group = &c.sub_bodies[0];
    assert_eq!(group.seats.len(), 27);
    assert_eq!(group.holder_count(), 27);
    let leader: Vec<_> = group
        .seats
        .iter()
        .filter(|s| s.role == Role::GroupLeader)
        .collect();
    assert_eq!(
        leader[0].holders[0].person.name,
        Some(name("Phạm Minh Tiến"))
    );
    let deputy_names: Vec<_> = group
        .seats
        .iter()
        .filter(|s| s.role == Role::DeputyGroupLeader)
        .map(|s| s.holders[0].person.name.clone().unwrap().to_string())
        .collect();
    assert!(deputy_names.contains(&"Nguyễn Phú Tiến".to_owned()));
    assert_eq!(c.holder_count(), 24 + 27);
}

#[test]
fn before_decision_34_the_committee_did_not_exist() {
    let w = seeded();
    let c = w.k.composition(committee(BCD), d("2022-01-13")).unwrap();
    assert!(!c.active);
    assert!(c.seats.is_empty() && c.sub_bodies.is_empty());
}

#[test]
fn undefined_slugs_are_reported_where_the_clerk_wrote_them() {
    let text = SEED.replace("holder = \"thanh-vien-7\"", "holder = \"thanh-vien-99\"");
    let err = Seed::parse(&text).unwrap().commands().unwrap_err();
    let SeedError::At { at, error } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        **error,
        SeedError::UndefinedSlug {
            kind: "person",
            slug: "thanh-vien-99".to_owned()
        }
    );
    let line = SEED
        .lines()
        .position(|l| l.trim() == "[[reconstitutions]]")
        .unwrap()
        + 1;
    assert_eq!(
        (at.section, at.index, at.line),
        ("reconstitutions", 1, Some(line))
    );
    assert!(err
        .to_string()
        .contains(&format!(":{line} (reconstitutions #1)")));
    assert!(matches!(
        Seed::parse("records_from = \"2022-13-01\""),
        Err(SeedError::Syntax(_))
    ));
}

const PLANS: &str = include_str!("../../../../tests/data/seed-plans-2021.toml");

#[test]
fn the_2021_plans_the_article_names_load_with_the_seed_and_answer_task_questions() {
    let mut t = crate::Translation::new();
    let mut w = World::new();
    for text in [SEED, PLANS] {
        for c in Seed::parse(text).unwrap().commands_in("", &mut t).unwrap() {
            w.exec(c).unwrap();
        }
    }
    let open =
        w.k.tasks_of_unit(unit("vu-to-chuc-can-bo"), d("2021-06-30"));
    assert_eq!(open.len(), 5, "{open:?}");
    assert!(open
        .iter()
        .all(|t| t.status == crate::TaskStatus::Open && !t.overdue));
    let plan =
        w.k.tasks_of_plan(decision("kh-chi-so-cchc-2020"), d("2021-12-01"));
    assert_eq!(plan.len(), 3);
    assert_eq!(
        plan.iter()
            .filter(|t| t.status == crate::TaskStatus::Completed)
            .count(),
        2
    );
    // Every task was done by its deadline: none is overdue after it.
    assert!(w.k.overdue_tasks(d("2022-01-05")).is_empty());
}
