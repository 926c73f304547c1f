//! Given/when/then for the task rules: plan kind and date, product, lead and cooperating
//! units, responsible person (on record, not gone from the lead unit), deadline, completion
//! after progress, and a unit that cannot be dissolved while it leads open tasks.

use super::support::*;
use crate::payload::{
    PersonName, PostDeparture, TaskAssignment, TaskCreation, TaskProgress, TaskStatusChange,
    UnitDissolution,
};
use crate::{Assignment, Command, DecisionKind, DomainError, Event, TaskId};

fn plan(w: &mut World, kind: DecisionKind) -> crate::DecisionId {
    let id = decision(&format!("hypothetical-plan-{kind:?}"));
    w.exec(ministry_document(
        id,
        "HYPOTHETICAL-8/KH-BTTTT",
        kind,
        "2022-01-20",
        "Hypothetical reform plan for 2022, for tests",
    ))
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
    Command::CreateTask(TaskCreation {
        task: TaskId::from_slug("nv-1").unwrap(),
        plan,
        title: "Nhiệm vụ 1".to_owned(),
        product: product.to_owned(),
        deadline: d(deadline),
        assignment,
        on: d(on),
    })
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

/// Task nv-1 of no plan, for the product "Báo cáo", created on `on`.
fn unplanned(on: &str, deadline: &str, assignment: Option<Assignment>) -> Command {
    task(None, on, deadline, "Báo cáo", assignment)
}

/// The event creating task nv-1 of no plan, for the product "Báo cáo".
fn task_created(title: &str, deadline: &str, assignment: Option<Assignment>, on: &str) -> Event {
    Event::TaskCreated(TaskCreation {
        task: t1(),
        plan: None,
        title: title.to_owned(),
        product: "Báo cáo".to_owned(),
        deadline: d(deadline),
        assignment,
        on: d(on),
    })
}

/// Task nv-1 assigned to `assignment` from `on`, by no decision.
fn assign(assignment: Assignment, on: &str) -> Command {
    Command::AssignTask(TaskAssignment {
        task: t1(),
        assignment,
        on: d(on),
        decision: None,
    })
}

/// A progress report of `percent` on task nv-1, citing nothing.
fn progress(percent: u8, on: &str) -> Command {
    Command::ReportProgress(TaskProgress {
        task: t1(),
        percent,
        note: "Đang thực hiện".to_owned(),
        evidence: crate::Evidence::default(),
        on: d(on),
        decision: None,
    })
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
        .exec(unplanned("2022-02-01", "2022-01-31", None))
        .unwrap_err();
    assert!(
        matches!(err, DomainError::DeadlineBeforeCreation { .. }),
        "{err}"
    );
    let id = w.exec(unplanned("2022-02-01", "2022-06-30", None)).unwrap()[0];
    let err = w
        .exec(Command::Correct {
            target: id,
            corrected: task_created("Nhiệm vụ 1", "2022-01-01", None, "2022-02-01"),
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
        .exec(unplanned("2022-02-01", "2022-06-30", Some(both)))
        .unwrap_err();
    assert!(matches!(err, DomainError::LeadAlsoCooperating(_)), "{err}");
    let twice = led_by("vu-to-chuc-can-bo", &["van-phong-bo", "van-phong-bo"]);
    let err = w
        .exec(unplanned("2022-02-01", "2022-06-30", Some(twice)))
        .unwrap_err();
    assert!(matches!(err, DomainError::DuplicateId(_)), "{err}");
    w.exec(unplanned("2022-02-01", "2022-06-30", None)).unwrap();
    let err = w
        .exec(assign(
            led_by("van-phong-bo", &["van-phong-bo"]),
            "2022-02-02",
        ))
        .unwrap_err();
    assert!(matches!(err, DomainError::LeadAlsoCooperating(_)), "{err}");
}

#[test]
fn a_responsible_person_is_on_record_by_the_assignment() {
    let mut w = seeded();
    w.exec(Command::RegisterPerson(PersonName {
        person: person("thanh-vien-22"),
        name: name("Thành viên 22"),
        on: d("2022-05-01"),
    }))
    .unwrap();
    let mut a = led_by("vu-to-chuc-can-bo", &[]);
    a.responsible = Some(person("thanh-vien-22"));
    let err = w
        .exec(unplanned("2022-02-01", "2022-06-30", Some(a.clone())))
        .unwrap_err();
    assert!(matches!(err, DomainError::BeforeStart { .. }), "{err}");
    w.exec(unplanned("2022-05-01", "2022-06-30", Some(a)))
        .unwrap();
}

#[test]
fn a_completion_cannot_come_before_a_progress_report() {
    let mut w = seeded();
    w.exec(unplanned("2022-02-01", "2022-06-30", None)).unwrap();
    w.exec(progress(30, "2022-04-01")).unwrap();
    let err = w
        .exec(Command::CompleteTask(TaskStatusChange {
            task: t1(),
            on: d("2022-03-01"),
            decision: None,
        }))
        .unwrap_err();
    assert!(
        matches!(err, DomainError::ProgressAfterCompletion { .. }),
        "{err}"
    );
    w.exec(Command::CompleteTask(TaskStatusChange {
        task: t1(),
        on: d("2022-04-01"),
        decision: None,
    }))
    .unwrap();
}

#[test]
fn a_unit_leading_open_tasks_cannot_be_dissolved_until_they_are_reassigned() {
    let mut w = seeded();
    w.exec(unplanned(
        "2022-02-01",
        "2022-06-30",
        Some(led_by("trung-tam-thong-tin", &[])),
    ))
    .unwrap();
    let dissolve = Command::DissolveUnit(UnitDissolution {
        unit: unit("trung-tam-thong-tin"),
        on: d("2022-03-01"),
        decision: None,
    });
    let err = w.exec(dissolve.clone()).unwrap_err();
    let DomainError::UnitHasDependants { tasks, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(tasks, &vec![t1()]);
    w.exec(assign(led_by("van-phong-bo", &[]), "2022-03-01"))
        .unwrap();
    // Still a member seat of the committee represents it; the seat is not a committee it owns.
    w.exec(dissolve).unwrap();
}

/// Hypothetically, Phạm Minh Tiến leaves the post of Vụ trưởng Vụ Tổ chức cán bộ on `on`.
fn pham_minh_tien_leaves(w: &mut World, on: &str) {
    w.exec(Command::EndPostHolding(PostDeparture {
        post: post("vu-truong-vu-to-chuc-can-bo"),
        holding: crate::HoldingId::from_slug("vu-truong-vu-to-chuc-can-bo/pham-minh-tien").unwrap(),
        ended_on: d(on),
        decision: None,
    }))
    .unwrap();
}

fn responsible(lead: &str, who: &str) -> Assignment {
    Assignment {
        responsible: Some(person(who)),
        ..led_by(lead, &[])
    }
}

#[test]
fn a_responsible_person_who_left_the_lead_unit_before_the_assignment_is_refused() {
    // Given Phạm Minh Tiến left his post in Vụ Tổ chức cán bộ on 2022-06-01,
    let mut w = seeded();
    pham_minh_tien_leaves(&mut w, "2022-06-01");
    let a = responsible("vu-to-chuc-can-bo", "pham-minh-tien");
    // when a task the unit leads names him responsible from 2022-07-01, it is refused,
    let err = w
        .exec(unplanned("2022-07-01", "2022-12-31", Some(a.clone())))
        .unwrap_err();
    assert_eq!(
        err,
        DomainError::ResponsibleLeftUnit {
            person: person("pham-minh-tien"),
            unit: unit("vu-to-chuc-can-bo"),
            left_on: d("2022-06-01"),
            on: d("2022-07-01"),
        }
    );
    // and so is an assignment from that date of a task created without one;
    w.exec(unplanned("2022-07-01", "2022-12-31", None)).unwrap();
    let err = w.exec(assign(a.clone(), "2022-07-01")).unwrap_err();
    assert!(
        matches!(err, DomainError::ResponsibleLeftUnit { .. }),
        "{err}"
    );
    // then naming the unit's new head, or no one, is accepted.
    w.exec(assign(led_by("vu-to-chuc-can-bo", &[]), "2022-07-01"))
        .unwrap();
}

#[test]
fn a_responsible_person_assigned_while_in_the_unit_stays_when_they_leave_later() {
    // Given a task assigned to Phạm Minh Tiến while he held his post,
    let mut w = seeded();
    w.exec(unplanned(
        "2022-02-01",
        "2022-12-31",
        Some(responsible("vu-to-chuc-can-bo", "pham-minh-tien")),
    ))
    .unwrap();
    // when he leaves on 2022-06-01, that is accepted (answers warn from then on),
    pham_minh_tien_leaves(&mut w, "2022-06-01");
    // then a later progress report is accepted too.
    w.exec(progress(50, "2022-07-01")).unwrap();
}

#[test]
fn a_responsible_person_with_no_post_of_the_lead_unit_on_record_is_accepted() {
    // Given Nguyễn Huy Dũng holds a post of the ministry, none of Vụ Tổ chức cán bộ,
    let mut w = seeded();
    // when a task the department leads names him responsible, it is accepted.
    w.exec(unplanned(
        "2022-02-01",
        "2022-12-31",
        Some(responsible("vu-to-chuc-can-bo", "nguyen-huy-dung")),
    ))
    .unwrap();
}

#[test]
fn a_correction_is_held_to_the_rule_only_when_it_changes_the_assignment() {
    // Given a task assigned to Phạm Minh Tiến from 2022-05-01, and his departure from
    // 2022-04-01 entered afterwards,
    let mut w = seeded();
    let a = responsible("vu-to-chuc-can-bo", "pham-minh-tien");
    let created = w
        .exec(unplanned("2022-05-01", "2022-12-31", Some(a.clone())))
        .unwrap()[0];
    pham_minh_tien_leaves(&mut w, "2022-04-01");
    let corrected = |title: &str, on: &str| Command::Correct {
        target: created,
        corrected: task_created(title, "2022-12-31", Some(a.clone()), on),
    };
    // when a correction moves the assignment's date, it is refused;
    let err = w.exec(corrected("Nhiệm vụ 1", "2022-05-15")).unwrap_err();
    assert!(
        matches!(err, DomainError::ResponsibleLeftUnit { .. }),
        "{err}"
    );
    // when one corrects only the title, it is accepted.
    w.exec(corrected("Nhiệm vụ 1 (sửa tên)", "2022-05-01"))
        .unwrap();
}
