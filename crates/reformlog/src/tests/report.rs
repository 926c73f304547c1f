//! The task report: counts by standing, completion rate and days late, for a plan, a unit or
//! everything, on a date and over a period, in the fold and in the read models as known at
//! an earlier position.

use super::engine::{brute, ctx, open};
use super::support::*;
use crate::payload::{DeadlineExtension, TaskProgress, TaskStatusChange};
use crate::{
    Answer, Command, KnownAt, Query, ReportScope, ReportStanding, Seed, TaskId, TaskReport,
    Translation,
};

const PLANS: &str = include_str!("../../../../tests/data/seed-plans-2021.toml");

fn report(k: &crate::Knowledge, scope: ReportScope, on: &str, from: Option<&str>) -> TaskReport {
    let q = Query::TaskReport {
        scope,
        on: d(on),
        from: from.map(d),
    };
    match k.answer(&q).unwrap() {
        Answer::TaskReport(r) => r,
        other => panic!("{other:?}"),
    }
}

fn seeded_with_plans() -> Vec<Command> {
    let mut t = Translation::new();
    let mut out = Vec::new();
    for text in [SEED, PLANS] {
        out.extend(Seed::parse(text).unwrap().commands_in("", &mut t).unwrap());
    }
    out
}

/// The plans' year, then a 2022 task finished late, one left overdue and one cancelled.
fn later() -> Vec<Command> {
    let task = |slug: &str, deadline: &str| plain_task(slug, deadline, Some("vu-to-chuc-can-bo"));
    let id = |slug: &str| TaskId::from_slug(slug).unwrap();
    vec![
        task("nv-tre", "2022-06-30"),
        task("nv-qua-han", "2022-06-30"),
        task("nv-huy", "2022-06-30"),
        Command::CompleteTask(TaskStatusChange {
            task: id("nv-tre"),
            on: d("2022-07-10"),
            decision: None,
        }),
        Command::CancelTask(TaskStatusChange {
            task: id("nv-huy"),
            on: d("2022-05-01"),
            decision: None,
        }),
    ]
}

#[test]
fn the_2021_plan_report_counts_what_the_article_says_was_done() {
    let w = World::given(seeded_with_plans());
    let r = report(
        &w.k,
        ReportScope::Plan(decision("kh-chi-so-cchc-2020")),
        "2021-12-31",
        None,
    );
    assert_eq!(r.counts.total, 3);
    assert_eq!(r.counts.completed_on_time, 3);
    assert_eq!(r.completion_rate, Some(100.0));
    assert!(r.tasks.iter().all(|l| l.completed_on.is_some()));
    let mid = report(
        &w.k,
        ReportScope::Plan(decision("kh-chi-so-cchc-2020")),
        "2021-12-01",
        None,
    );
    assert_eq!((mid.counts.completed_on_time, mid.counts.open), (2, 1));
    assert_eq!(mid.completion_rate, Some(66.7));
}

#[test]
fn late_overdue_and_cancelled_tasks_are_counted_with_their_days() {
    let mut w = World::given(seeded_with_plans());
    for c in later() {
        w.exec(c).unwrap();
    }
    let unit_scope = ReportScope::Unit(unit("vu-to-chuc-can-bo"));
    let r = report(&w.k, unit_scope, "2022-07-20", Some("2022-01-01"));
    assert_eq!(r.counts.total, 3, "{r:?}");
    let by = |slug: &str| {
        r.tasks
            .iter()
            .find(|l| l.task == TaskId::from_slug(slug).unwrap())
            .unwrap()
            .clone()
    };
    let late = by("nv-tre");
    assert_eq!(late.standing, ReportStanding::CompletedLate);
    assert_eq!(
        (late.completed_on, late.days_late),
        (Some(d("2022-07-10")), Some(10))
    );
    let overdue = by("nv-qua-han");
    assert_eq!(overdue.standing, ReportStanding::Overdue);
    assert_eq!(overdue.days_late, Some(20));
    assert_eq!(by("nv-huy").standing, ReportStanding::Cancelled);
    // One of the two tasks not cancelled was completed.
    assert_eq!(r.completion_rate, Some(50.0));
    // Without the period, the 2021 tasks the unit leads are in it too.
    let all = report(&w.k, unit_scope, "2022-07-20", None);
    assert_eq!(all.counts.total, 3 + 4);
}

#[test]
fn the_report_as_known_at_an_earlier_position_matches_the_fold_of_that_prefix() {
    let (_dir, log) = open();
    log.execute_all(seeded_with_plans(), &ctx()).unwrap();
    let before = log.store().head_position();
    log.execute_all(later(), &ctx()).unwrap();
    for known_at in [None, Some(KnownAt::Position(before))] {
        let fold = brute(&log, known_at);
        for scope in [
            ReportScope::All,
            ReportScope::Unit(unit("vu-to-chuc-can-bo")),
            ReportScope::Plan(decision("kh-cchc-2021")),
        ] {
            for on in ["2021-06-30", "2021-12-31", "2022-07-20"] {
                let q = Query::TaskReport {
                    scope,
                    on: d(on),
                    from: None,
                };
                assert_eq!(log.query(&q, known_at).unwrap(), fold.answer(&q).unwrap());
            }
        }
    }
    // As known before the 2022 tasks were entered, the report of 2022 has none of them.
    let q = Query::TaskReport {
        scope: ReportScope::All,
        on: d("2022-07-20"),
        from: Some(d("2022-01-01")),
    };
    let Answer::TaskReport(then) = log.query(&q, Some(KnownAt::Position(before))).unwrap() else {
        panic!()
    };
    assert_eq!(then.counts.total, 0);
}

#[test]
fn a_report_of_an_unknown_plan_or_a_reversed_period_is_an_error() {
    let w = World::given(seeded_with_plans());
    let q = Query::TaskReport {
        scope: ReportScope::Plan(decision("khong-co")),
        on: d("2021-12-31"),
        from: None,
    };
    assert!(w.k.answer(&q).is_err());
    let q = Query::TaskReport {
        scope: ReportScope::All,
        on: d("2021-01-01"),
        from: Some(d("2021-12-31")),
    };
    assert!(w.k.answer(&q).is_err());
}

/// The read models answer a report over every task from a table they build when first asked
/// and keep current as batches land: asked before and after later changes (and after a
/// rebuild), it matches the fold, as known now and as known before the changes.
#[test]
fn the_report_of_every_task_stays_true_as_tasks_change_after_it_was_first_asked() {
    let (_dir, log) = open();
    log.execute_all(seeded_with_plans(), &ctx()).unwrap();
    let before = log.store().head_position();
    let q = |on: &str| Query::TaskReport {
        scope: ReportScope::All,
        on: d(on),
        from: None,
    };
    let first = log.query(&q("2022-07-20"), None).unwrap();
    assert_eq!(first, brute(&log, None).answer(&q("2022-07-20")).unwrap());
    log.execute_all(later(), &ctx()).unwrap();
    let check = |log: &crate::Reformlog| {
        for known_at in [None, Some(KnownAt::Position(before))] {
            let fold = brute(log, known_at);
            for on in ["2021-06-30", "2021-12-31", "2022-07-20"] {
                assert_eq!(
                    log.query(&q(on), known_at).unwrap(),
                    fold.answer(&q(on)).unwrap(),
                    "{on} {known_at:?}"
                );
            }
        }
    };
    check(&log);
    assert_ne!(log.query(&q("2022-07-20"), None).unwrap(), first);
    log.rebuild().unwrap();
    check(&log);
}

/// Many changes to tasks after the table is built (each rewrites the task's row, and the
/// table sets its parts aside and takes fresh ones, compacting now and then) leave the report
/// as the fold gives it.
#[test]
fn a_report_after_many_changes_to_its_tasks_matches_the_fold() {
    let (_dir, log) = open();
    log.execute_all(seeded_with_plans(), &ctx()).unwrap();
    let q = Query::TaskReport {
        scope: ReportScope::All,
        on: d("2021-12-31"),
        from: None,
    };
    log.query(&q, None).unwrap();
    let task = TaskId::from_slug("trien-khai-kh-cchc-2021").unwrap();
    for i in 0..150u8 {
        let report = Command::ReportProgress(TaskProgress {
            task,
            percent: i % 100,
            note: format!("Báo cáo {i}"),
            evidence: crate::Evidence::default(),
            on: d("2021-06-30"),
            decision: None,
        });
        log.execute_all(vec![report], &ctx()).unwrap();
    }
    let extend = Command::ExtendDeadline(DeadlineExtension {
        task,
        deadline: d("2022-03-31"),
        on: d("2021-07-01"),
        decision: None,
    });
    log.execute_all(vec![extend], &ctx()).unwrap();
    for on in ["2021-06-30", "2021-12-31", "2022-07-20"] {
        let q = Query::TaskReport {
            scope: ReportScope::All,
            on: d(on),
            from: None,
        };
        assert_eq!(
            log.query(&q, None).unwrap(),
            brute(&log, None).answer(&q).unwrap(),
            "{on}"
        );
    }
}
