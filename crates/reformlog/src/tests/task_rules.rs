//! Given/when/then for the task rules: plan kind and date, product, lead and cooperating
//! units, responsible person, deadline, completion after progress, and a unit that cannot be
//! dissolved while it leads open tasks.

use super::support::*;
use crate::{Assignment, Command, DecisionKind, DomainError, Event, TaskId};

fn plan(w: &mut World, kind: DecisionKind) -> crate::DecisionId {
    let id = decision(&format!("hypothetical-plan-{kind:?}"));
    w.exec(Command::RecordDecision {
        decision: id,
        number: "HYPOTHETICAL-8/KH-BTTTT".to_owned(),
        kind,
        issuer: unit("bo-tttt"),
        signer: None,
        signed_on: d("2022-01-20"),
        in_force_on: d("2022-01-20"),
        title: "Hypothetical reform plan for 2022, for tests".to_owned(),
        amends: Vec::new(),
        replaces: Vec::new(),
        repeals: Vec::new(),
    })
    .unwrap();
    id
}

fn task(
    plan: Option<crate::DecisionId>,
    on: &str,
    deadline: &str,
    product: &str,
    assignment: Option<Assignment>,
) -> Command {
    Command::CreateTask {
        task: TaskId::from_slug("nv-1").unwrap(),
        plan,
        title: "Nhiệm vụ 1".to_owned(),
        product: product.to_owned(),
        deadline: d(deadline),
        assignment,
        on: d(on),
    }
}

fn led_by(lead: &str, cooperating: &[&str]) -> Assignment {
    Assignment {
        lead: unit(lead),
        cooperating: cooperating.iter().map(|u| unit(u)).collect(),
        responsible: None,
    }
}

fn t1() -> TaskId {
    TaskId::from_slug("nv-1").unwrap()
}

#[test]
fn a_task_belongs_to_a_plan_in_force_and_of_the_plan_kind() {
    let mut w = seeded();
    let p = plan(&mut w, DecisionKind::Plan);
    let err = w
        .exec(task(Some(p), "2022-01-10", "2022-06-30", "Báo cáo", None))
        .unwrap_err();
    assert!(matches!(err, DomainError::PlanNotInForce { .. }), "{err}");
    let not_plan = decision("qd-34-2022");
    let err = w
        .exec(task(
            Some(not_plan),
            "2022-02-01",
            "2022-06-30",
            "Báo cáo",
            None,
        ))
        .unwrap_err();
    assert!(matches!(err, DomainError::NotAPlan { .. }), "{err}");
    w.exec(task(Some(p), "2022-02-01", "2022-06-30", "Báo cáo", None))
        .unwrap();
}

#[test]
fn a_task_needs_a_product_and_a_deadline_after_its_creation_also_when_corrected() {
    let mut w = seeded();
    let err = w
        .exec(task(None, "2022-02-01", "2022-06-30", "  ", None))
        .unwrap_err();
    assert_eq!(err, DomainError::Empty("task product"));
    let err = w
        .exec(task(None, "2022-02-01", "2022-01-31", "Báo cáo", None))
        .unwrap_err();
    assert!(
        matches!(err, DomainError::DeadlineBeforeCreation { .. }),
        "{err}"
    );
    let id = w
        .exec(task(None, "2022-02-01", "2022-06-30", "Báo cáo", None))
        .unwrap()[0];
    let err = w
        .exec(Command::Correct {
            target: id,
            corrected: Event::TaskCreated {
                task: t1(),
                plan: None,
                title: "Nhiệm vụ 1".to_owned(),
                product: "Báo cáo".to_owned(),
                deadline: d("2022-01-01"),
                assignment: None,
                on: d("2022-02-01"),
            },
        })
        .unwrap_err();
    assert!(
        matches!(&err, DomainError::DeadlineBeforeCreation { .. })
            || matches!(&err, DomainError::Inconsistent { cause, .. } if matches!(**cause, DomainError::DeadlineBeforeCreation { .. })),
        "{err}"
    );
}

#[test]
fn the_lead_does_not_also_cooperate_and_no_unit_cooperates_twice() {
    let mut w = seeded();
    let both = led_by("vu-to-chuc-can-bo", &["vu-to-chuc-can-bo"]);
    let err = w
        .exec(task(
            None,
            "2022-02-01",
            "2022-06-30",
            "Báo cáo",
            Some(both),
        ))
        .unwrap_err();
    assert!(matches!(err, DomainError::LeadAlsoCooperating(_)), "{err}");
    let twice = led_by("vu-to-chuc-can-bo", &["van-phong-bo", "van-phong-bo"]);
    let err = w
        .exec(task(
            None,
            "2022-02-01",
            "2022-06-30",
            "Báo cáo",
            Some(twice),
        ))
        .unwrap_err();
    assert!(matches!(err, DomainError::DuplicateId(_)), "{err}");
    w.exec(task(None, "2022-02-01", "2022-06-30", "Báo cáo", None))
        .unwrap();
    let err = w
        .exec(Command::AssignTask {
            task: t1(),
            assignment: led_by("van-phong-bo", &["van-phong-bo"]),
            on: d("2022-02-02"),
            decision: None,
        })
        .unwrap_err();
    assert!(matches!(err, DomainError::LeadAlsoCooperating(_)), "{err}");
}

#[test]
fn a_responsible_person_is_on_record_by_the_assignment() {
    let mut w = seeded();
    w.exec(Command::RegisterPerson {
        person: person("thanh-vien-22"),
        name: name("Thành viên 22"),
        on: d("2022-05-01"),
    })
    .unwrap();
    let mut a = led_by("vu-to-chuc-can-bo", &[]);
    a.responsible = Some(person("thanh-vien-22"));
    let err = w
        .exec(task(
            None,
            "2022-02-01",
            "2022-06-30",
            "Báo cáo",
            Some(a.clone()),
        ))
        .unwrap_err();
    assert!(matches!(err, DomainError::BeforeStart { .. }), "{err}");
    w.exec(task(None, "2022-05-01", "2022-06-30", "Báo cáo", Some(a)))
        .unwrap();
}

#[test]
fn a_completion_cannot_come_before_a_progress_report() {
    let mut w = seeded();
    w.exec(task(None, "2022-02-01", "2022-06-30", "Báo cáo", None))
        .unwrap();
    w.exec(Command::ReportProgress {
        task: t1(),
        percent: 30,
        note: "Đang thực hiện".to_owned(),
        evidence: crate::Evidence::default(),
        on: d("2022-04-01"),
        decision: None,
    })
    .unwrap();
    let err = w
        .exec(Command::CompleteTask {
            task: t1(),
            on: d("2022-03-01"),
            decision: None,
        })
        .unwrap_err();
    assert!(
        matches!(err, DomainError::ProgressAfterCompletion { .. }),
        "{err}"
    );
    w.exec(Command::CompleteTask {
        task: t1(),
        on: d("2022-04-01"),
        decision: None,
    })
    .unwrap();
}

#[test]
fn a_unit_leading_open_tasks_cannot_be_dissolved_until_they_are_reassigned() {
    let mut w = seeded();
    w.exec(task(
        None,
        "2022-02-01",
        "2022-06-30",
        "Báo cáo",
        Some(led_by("trung-tam-thong-tin", &[])),
    ))
    .unwrap();
    let dissolve = Command::DissolveUnit {
        unit: unit("trung-tam-thong-tin"),
        on: d("2022-03-01"),
        decision: None,
    };
    let err = w.exec(dissolve.clone()).unwrap_err();
    let DomainError::UnitHasDependants { tasks, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(tasks, &vec![t1()]);
    w.exec(Command::AssignTask {
        task: t1(),
        assignment: led_by("van-phong-bo", &[]),
        on: d("2022-03-01"),
        decision: None,
    })
    .unwrap();
    // Still a member seat of the committee represents it; the seat is not a committee it owns.
    w.exec(dissolve).unwrap();
}
