//! Unit lineage: a merger that leaves sub-units or committees behind is refused naming them;
//! once they are dealt with, parent, successor, predecessors and sub-units answer per date,
//! and what happened later shows only as later.

use super::support::*;
use crate::lineage::unit_lineage;
use crate::payload::{TaskCreation, TaskStatusChange, UnitEstablishment, UnitMove};
use crate::summary::{summary, EntityDetails, UnitStatus};
use crate::{DomainError, EntityKey, Seed};

/// Two ministries and a third, one with three departments and a committee, then the 2025
/// merger; placeholder names throughout.
const MERGER_FILE: &str = include_str!("../../../../tests/data/lineage-merger.toml");

fn parts() -> (&'static str, &'static str) {
    MERGER_FILE.split_once("# --- the merger\n").unwrap()
}

fn world(text: &str) -> Result<World, DomainError> {
    let mut w = World::new();
    for c in Seed::parse(text).unwrap().commands().unwrap() {
        w.exec(c)?;
    }
    Ok(w)
}

#[test]
fn a_merger_leaving_a_department_or_a_committee_behind_is_refused_naming_them() {
    let (before, merger) = parts();
    let partial = merger
        .replace("  { unit = \"vu-3\", to = \"bo-b\" },\n", "")
        .replacen(
            "type = \"dissolve_committee\"",
            "type = \"set_duties\"\nduties = []",
            1,
        );
    let err = world(&format!("{before}{partial}")).err().unwrap();
    assert_eq!(
        err,
        DomainError::UnitHasDependants {
            unit: unit("bo-a"),
            on: d("2025-03-01"),
            sub_units: vec![unit("vu-3")],
            committees: vec![committee("bcd-a")],
            tasks: Vec::new(),
        }
    );
    assert!(err.to_string().contains(&unit("vu-3").to_string()), "{err}");
}

#[test]
fn lineage_answers_per_date_and_shows_the_merger_only_as_later_before_it() {
    let w = world(MERGER_FILE).unwrap();
    let before = unit_lineage(&w.k, unit("bo-a"), d("2025-02-28")).unwrap();
    assert_eq!(before.status, UnitStatus::Active);
    assert!(before.successor.is_none());
    let later = before.later.unwrap();
    assert_eq!(later.on, d("2025-03-01"));
    assert_eq!(later.merged_into.unwrap().id, unit("bo-b"));
    assert_eq!(before.sub_units.len(), 3);

    let after = unit_lineage(&w.k, unit("bo-a"), d("2025-03-01")).unwrap();
    assert_eq!(after.status, UnitStatus::Merged);
    assert_eq!(after.successor.unwrap().unit.id, unit("bo-b"));
    assert!(after.later.is_none() && after.sub_units.is_empty());

    let b = unit_lineage(&w.k, unit("bo-b"), d("2025-03-01")).unwrap();
    let preds: Vec<_> = b.predecessors.iter().map(|p| p.unit.id).collect();
    assert_eq!(preds, vec![unit("bo-a")]);
    let subs: Vec<_> = b.sub_units.iter().map(|u| u.id).collect();
    assert_eq!(subs, vec![unit("vu-3")]);
    assert!(unit_lineage(&w.k, unit("bo-b"), d("2025-02-28"))
        .unwrap()
        .predecessors
        .is_empty());

    let c = unit_lineage(&w.k, unit("bo-c"), d("2025-03-01")).unwrap();
    assert_eq!(c.sub_units.len(), 2);
    let dept = |on| {
        unit_lineage(&w.k, unit("vu-1"), d(on))
            .unwrap()
            .parent
            .unwrap()
            .id
    };
    assert_eq!(dept("2025-02-28"), unit("bo-a"));
    assert_eq!(dept("2025-03-01"), unit("bo-c"));
}

#[test]
fn a_unit_on_a_date_before_its_merger_shows_no_end() {
    let w = world(MERGER_FILE).unwrap();
    let on = |date| {
        let s = summary(&w.k, EntityKey::Unit(unit("bo-a")), d(date)).unwrap();
        let EntityDetails::Unit {
            status,
            ended_on,
            merged_into,
            ..
        } = s.details
        else {
            panic!()
        };
        (status, ended_on, merged_into.map(|m| m.id))
    };
    assert_eq!(on("2025-02-28"), (UnitStatus::Active, None, None));
    assert_eq!(
        on("2025-03-01"),
        (
            UnitStatus::Merged,
            Some(d("2025-03-01")),
            Some(unit("bo-b"))
        )
    );
}

/// A department of Bộ A established late, on `on`, by the 2020 decision.
fn late_department(on: &str) -> crate::Command {
    crate::Command::EstablishUnit(UnitEstablishment {
        unit: unit("vu-9"),
        name: name("Vụ 9"),
        kind: crate::UnitKind::Department,
        parent: Some(unit("bo-a")),
        on: d(on),
        decision: None,
    })
}

fn merged_log() -> (tempfile::TempDir, crate::Reformlog) {
    let (dir, log) = super::engine::open();
    log.load_seed(&Seed::parse(MERGER_FILE).unwrap(), &super::engine::ctx())
        .unwrap();
    (dir, log)
}

#[test]
fn a_department_entered_late_under_a_merged_unit_is_refused_as_a_whole_write() {
    let (_dir, log) = merged_log();
    let head = log.store().head_position();
    let err = log
        .execute_all(vec![late_department("2024-01-01")], &super::engine::ctx())
        .unwrap_err();
    let crate::Error::Domain(DomainError::UnitHasDependants {
        unit: u,
        on,
        sub_units,
        ..
    }) = err
    else {
        panic!("{err:?}")
    };
    assert_eq!((u, on), (unit("bo-a"), d("2025-03-01")));
    assert_eq!(sub_units, vec![unit("vu-9")]);
    assert_eq!(log.store().head_position(), head, "nothing is appended");
    // Dated after the merger it is a department of a unit that no longer exists, refused by
    // the parent rule; dated before and moved away by the same write it is accepted.
    let moved = crate::Command::MoveUnit(UnitMove {
        unit: unit("vu-9"),
        parent: Some(unit("bo-c")),
        on: d("2025-03-01"),
        decision: None,
    });
    log.execute_all(
        vec![late_department("2024-01-01"), moved],
        &super::engine::ctx(),
    )
    .unwrap();
}

#[test]
fn a_task_entered_late_for_a_merged_lead_is_refused_unless_it_ends_first() {
    let (_dir, log) = merged_log();
    let task = |slug: &str| {
        crate::Command::CreateTask(TaskCreation {
            task: crate::TaskId::from_slug(slug).unwrap(),
            plan: None,
            title: format!("Nhiệm vụ {slug}"),
            product: "Báo cáo".to_owned(),
            deadline: d("2024-12-31"),
            assignment: Some(crate::Assignment {
                lead: unit("bo-a"),
                cooperating: Vec::new(),
                responsible: None,
            }),
            on: d("2024-06-01"),
        })
    };
    let refused = log
        .execute_all(vec![task("nv-muon-1")], &super::engine::ctx())
        .unwrap_err();
    assert!(
        matches!(
            refused,
            crate::Error::Domain(DomainError::UnitHasDependants { ref tasks, .. })
                if tasks.len() == 1
        ),
        "{refused:?}"
    );
    let done = crate::Command::CompleteTask(TaskStatusChange {
        task: crate::TaskId::from_slug("nv-muon-2").unwrap(),
        on: d("2024-12-20"),
        decision: None,
    });
    log.execute_all(vec![task("nv-muon-2"), done], &super::engine::ctx())
        .unwrap();
}

#[test]
fn a_unit_lists_every_name_it_has_borne_whatever_the_date_asked() {
    let mut w = seeded();
    let tt = unit("trung-tam-thong-tin");
    let since = summary(&w.k, EntityKey::Unit(tt), d("2022-01-01"))
        .unwrap()
        .since;
    w.exec(crate::Command::RenameUnit(crate::payload::UnitRenaming {
        unit: tt,
        name: name("Đơn vị 2"),
        on: d("2022-06-01"),
        decision: None,
    }))
    .unwrap();
    let s = summary(&w.k, EntityKey::Unit(tt), d("2022-01-01")).unwrap();
    assert_eq!(s.name.as_deref(), Some("Trung tâm Thông tin"));
    let EntityDetails::Unit { names, .. } = s.details else {
        panic!("{:?}", s.details)
    };
    let names: Vec<(crate::Date, String)> = names
        .into_iter()
        .map(|n| (n.from, n.name.to_string()))
        .collect();
    assert_eq!(
        names,
        [
            (since, "Trung tâm Thông tin".to_owned()),
            (d("2022-06-01"), "Đơn vị 2".to_owned()),
        ]
    );
}
