//! Given/when/then for the warnings on task answers (detail, lists, reports): a responsible
//! person gone from the lead unit or never in it, a lead unit merged or dissolved, a plan
//! repealed; each as of the date asked about and as known then.

use super::support::*;
use crate::payload::{
    DecisionRecord, PostDeparture, TaskCreation, TaskStatusChange, UnitDissolution, UnitMerger,
};
use crate::query::{TaskWarning, TaskWarningCode};
use crate::{
    Answer, Assignment, Command, DecisionKind, EntityDetails, EntityKey, KnownAt, Query,
    ReportScope, TaskFilter, TaskId,
};

fn nv() -> TaskId {
    TaskId::from_slug("nv-canh-bao").unwrap()
}

fn create(lead: &str, responsible: Option<&str>, plan: Option<crate::DecisionId>) -> Command {
    Command::CreateTask(TaskCreation {
        task: nv(),
        plan,
        title: "Nhiệm vụ cảnh báo".to_owned(),
        product: "Báo cáo".to_owned(),
        deadline: d("2022-12-31"),
        assignment: Some(Assignment {
            lead: unit(lead),
            cooperating: Vec::new(),
            responsible: responsible.map(person),
        }),
        on: d("2022-02-01"),
    })
}

/// The warnings of the task on `on`, from its detail; its list entry and report line agree.
fn warnings(k: &crate::Knowledge, on: &str) -> Vec<TaskWarning> {
    let on = d(on);
    let detail = crate::summary::summary(k, EntityKey::Task(nv()), on).unwrap();
    let EntityDetails::Task { warnings, .. } = detail.details else {
        panic!("not a task")
    };
    let Answer::Tasks(list) = k
        .answer(&Query::FilteredTasks {
            filter: TaskFilter::default(),
            on,
        })
        .unwrap()
    else {
        panic!("not tasks")
    };
    let listed = list.iter().find(|t| t.task == nv()).unwrap();
    assert_eq!(listed.warnings, warnings);
    let Answer::TaskReport(report) = k
        .answer(&Query::TaskReport {
            scope: ReportScope::All,
            on,
            from: None,
        })
        .unwrap()
    else {
        panic!("not a report")
    };
    let line = report.tasks.iter().find(|t| t.task == nv()).unwrap();
    assert_eq!(line.warnings, warnings);
    warnings
}

fn codes(w: &[TaskWarning]) -> Vec<TaskWarningCode> {
    w.iter().map(|x| x.code).collect()
}

#[test]
fn a_responsible_person_who_holds_a_post_in_the_lead_unit_raises_nothing() {
    let mut w = seeded();
    w.exec(create("vu-to-chuc-can-bo", Some("pham-minh-tien"), None))
        .unwrap();
    assert_eq!(warnings(&w.k, "2022-06-01"), vec![]);
}

#[test]
fn a_responsible_person_who_leaves_the_lead_unit_is_named_from_the_day_they_left() {
    let mut w = seeded();
    w.exec(create("vu-to-chuc-can-bo", Some("pham-minh-tien"), None))
        .unwrap();
    // Hypothetically, Phạm Minh Tiến leaves the post of Vụ trưởng on 2022-06-01.
    w.on_day("2022-06-02");
    w.exec(Command::EndPostHolding(PostDeparture {
        post: post("vu-truong-vu-to-chuc-can-bo"),
        holding: crate::HoldingId::from_slug("vu-truong-vu-to-chuc-can-bo/pham-minh-tien").unwrap(),
        ended_on: d("2022-06-01"),
        decision: None,
    }))
    .unwrap();
    assert_eq!(warnings(&w.k, "2022-05-31"), vec![]);
    let found = warnings(&w.k, "2022-07-01");
    assert_eq!(
        codes(&found),
        vec![TaskWarningCode::ResponsibleLeftLeadUnit]
    );
    assert_eq!(found[0].since, Some(d("2022-06-01")));
    assert_eq!(
        found[0].person.as_ref().map(|p| p.id),
        Some(person("pham-minh-tien"))
    );
    assert_eq!(
        found[0].unit.as_ref().map(|u| u.id),
        Some(unit("vu-to-chuc-can-bo"))
    );
    assert!(
        found[0].message.contains("Phạm Minh Tiến")
            && found[0].message.contains("Vụ Tổ chức cán bộ"),
        "{}",
        found[0].message
    );
    // As known before the departure was recorded, nothing was amiss.
    let before = w.as_known_at(KnownAt::Timestamp(d("2022-06-02").start_utc()));
    assert_eq!(warnings(&before, "2022-07-01"), vec![]);
    // A completed task raises no warnings.
    w.exec(Command::CompleteTask(TaskStatusChange {
        task: nv(),
        on: d("2022-07-01"),
        decision: None,
    }))
    .unwrap();
    assert_eq!(warnings(&w.k, "2022-07-01"), vec![]);
    assert_eq!(
        codes(&warnings(&w.k, "2022-06-30")),
        vec![TaskWarningCode::ResponsibleLeftLeadUnit]
    );
}

#[test]
fn a_responsible_person_without_a_post_in_the_lead_unit_is_accepted_and_named() {
    let mut w = seeded();
    // Nguyễn Huy Dũng is Thứ trưởng of the ministry, not of Vụ Tổ chức cán bộ.
    w.exec(create("vu-to-chuc-can-bo", Some("nguyen-huy-dung"), None))
        .unwrap();
    let found = warnings(&w.k, "2022-06-01");
    assert_eq!(
        codes(&found),
        vec![TaskWarningCode::ResponsibleNotInLeadUnit]
    );
    assert_eq!(found[0].since, None);
}

#[test]
fn a_lead_unit_merged_or_dissolved_after_the_task_was_entered_names_its_end() {
    let mut w = seeded();
    // Hypothetically, Vụ Bưu chính leads a task from February and is merged into Cục Tin học
    // hóa on 2022-09-01 with the task still open. Today's rules refuse that merger (and a
    // task entered late for a merged unit), so the events are recorded as a history written
    // before the rules would hold them; answers must still warn about it.
    w.exec(create("vu-buu-chinh", None, None)).unwrap();
    w.record_events(vec![crate::Event::UnitMerged(UnitMerger {
        unit: unit("vu-buu-chinh"),
        into: unit("cuc-tin-hoc-hoa"),
        on: d("2022-09-01"),
        decision: None,
    })]);
    assert_eq!(warnings(&w.k, "2022-08-31"), vec![]);
    let found = warnings(&w.k, "2022-09-01");
    assert_eq!(codes(&found), vec![TaskWarningCode::LeadUnitMerged]);
    assert_eq!(
        found[0].successor.as_ref().map(|u| u.id),
        Some(unit("cuc-tin-hoc-hoa"))
    );
    assert!(
        found[0].message.contains("Cục Tin học hóa"),
        "{}",
        found[0].message
    );

    let mut w = seeded();
    w.exec(create("vu-buu-chinh", None, None)).unwrap();
    w.record_events(vec![crate::Event::UnitDissolved(UnitDissolution {
        unit: unit("vu-buu-chinh"),
        on: d("2022-09-01"),
        decision: None,
    })]);
    let found = warnings(&w.k, "2022-10-01");
    assert_eq!(codes(&found), vec![TaskWarningCode::LeadUnitDissolved]);
    assert_eq!(found[0].since, Some(d("2022-09-01")));
    assert_eq!(found[0].successor, None);
}

#[test]
fn a_repealed_plan_is_named_with_the_decision_that_repealed_it_from_its_date() {
    let mut w = seeded();
    let plan = decision("hypothetical-plan-2022");
    w.exec(ministry_document(
        plan,
        "HYPOTHETICAL-9/KH-BTTTT",
        DecisionKind::Plan,
        "2022-01-20",
        "Hypothetical reform plan for 2022, for tests",
    ))
    .unwrap();
    w.exec(create("vu-to-chuc-can-bo", None, Some(plan)))
        .unwrap();
    let known_before = w.position();
    let repeal = decision("hypothetical-repeal-2022");
    w.exec(Command::RecordDecision(DecisionRecord {
        decision: repeal,
        number: "HYPOTHETICAL-10/QĐ-BTTTT".to_owned(),
        kind: DecisionKind::Decision,
        issuer: unit("bo-tttt"),
        signer: None,
        signed_on: d("2022-09-01"),
        in_force_on: d("2022-09-01"),
        title: "Hypothetical decision repealing the plan, for tests".to_owned(),
        amends: Vec::new(),
        replaces: Vec::new(),
        repeals: vec![plan],
    }))
    .unwrap();
    assert_eq!(warnings(&w.k, "2022-08-31"), vec![]);
    let found = warnings(&w.k, "2022-09-01");
    assert_eq!(codes(&found), vec![TaskWarningCode::PlanRepealed]);
    assert_eq!(found[0].decision.as_ref().map(|x| x.id), Some(repeal));
    assert_eq!(found[0].plan.as_ref().map(|x| x.id), Some(plan));
    assert!(
        found[0].message.contains("HYPOTHETICAL-10/QĐ-BTTTT"),
        "{}",
        found[0].message
    );
    let before = w.as_known_at(KnownAt::Position(known_before));
    assert_eq!(warnings(&before, "2022-09-01"), vec![]);
}
