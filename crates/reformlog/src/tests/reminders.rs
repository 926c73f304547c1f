//! Given/when/then for deadline reminders: due soon, due and overdue as days pass; tasks
//! completed, extended, reopened, corrected or entered late; pages and cursors.

use super::support::*;
use crate::query::reminders::reminders;
use crate::{
    Assignment, Command, Date, Event, QueryError, ReminderAsk, ReminderCursor, ReminderKind,
    TaskId, Timestamp,
};

fn nv(n: u32) -> TaskId {
    TaskId::from_slug(&format!("nv-nhac-{n}")).unwrap()
}

fn create(n: u32, on: &str, deadline: &str) -> Command {
    Command::CreateTask(TaskCreation {
        task: nv(n),
        plan: None,
        title: format!("Nhiệm vụ {n}"),
        product: "Báo cáo".to_owned(),
        deadline: d(deadline),
        assignment: Some(Assignment {
            lead: unit("vu-to-chuc-can-bo"),
            cooperating: Vec::new(),
            responsible: Some(person("pham-minh-tien")),
        }),
        on: d(on),
    })
}

/// Days start at midnight UTC in these tests.
fn day_start(date: Date) -> Option<Timestamp> {
    Some(date.start_utc())
}

fn end_of(date: &str) -> Timestamp {
    Timestamp::from_micros(d(date).next_day().start_utc().as_micros() - 1)
}

/// Every reminder visible by the end of `until`, as (kind, date, deadline), from the start.
fn feed(w: &World, days: u32, until: &str) -> Vec<(ReminderKind, String, String)> {
    let ask = ReminderAsk {
        after: None,
        days: Some(days),
        until: None,
        limit: 1000,
    };
    let page = reminders(&w.k, &ask, end_of(until), &day_start).unwrap();
    assert!(!page.more);
    page.reminders
        .into_iter()
        .map(|r| (r.kind, r.on.to_string(), r.deadline.to_string()))
        .collect()
}

fn r(kind: ReminderKind, on: &str, deadline: &str) -> (ReminderKind, String, String) {
    (kind, on.to_owned(), deadline.to_owned())
}

/// The three reminders of `deadline` for a task left open past it: due soon from `soon`, due
/// on the day, overdue from `overdue`.
fn lapsed(soon: &str, deadline: &str, overdue: &str) -> Vec<(ReminderKind, String, String)> {
    vec![
        r(DueSoon, soon, deadline),
        r(Due, deadline, deadline),
        r(Overdue, overdue, deadline),
    ]
}

/// Reminders after `after`, `days` ahead for due soon, `limit` to a page, with no end.
fn ask_for(after: Option<ReminderCursor>, days: Option<u32>, limit: usize) -> ReminderAsk {
    ReminderAsk {
        after,
        days,
        until: None,
        limit,
    }
}

fn complete(n: u32, on: &str) -> Command {
    Command::CompleteTask(TaskStatusChange {
        task: nv(n),
        on: d(on),
        decision: None,
    })
}

fn reopen(n: u32, on: &str) -> Command {
    Command::ReopenTask(TaskStatusChange {
        task: nv(n),
        on: d(on),
        decision: None,
    })
}

fn extend(n: u32, deadline: &str, on: &str) -> Command {
    Command::ExtendDeadline(DeadlineExtension {
        task: nv(n),
        deadline: d(deadline),
        on: d(on),
        decision: None,
    })
}

use crate::payload::{DeadlineExtension, TaskCreation, TaskStatusChange};
use ReminderKind::{Due, DueSoon, Overdue};

#[test]
fn an_open_task_is_due_soon_then_due_then_overdue_as_the_days_come() {
    let mut w = seeded();
    w.exec(create(1, "2022-02-01", "2022-03-31")).unwrap();
    assert_eq!(feed(&w, 7, "2022-03-23"), vec![]);
    assert_eq!(
        feed(&w, 7, "2022-03-24"),
        vec![r(DueSoon, "2022-03-24", "2022-03-31")]
    );
    assert_eq!(
        feed(&w, 7, "2022-04-01"),
        lapsed("2022-03-24", "2022-03-31", "2022-04-01")
    );
    // Each became visible at the start of its day: the task was on record long before.
    let page = reminders(
        &w.k,
        &ask_for(None, Some(7), 10),
        end_of("2022-04-01"),
        &day_start,
    )
    .unwrap();
    assert_eq!(page.reminders[1].visible_at, d("2022-03-31").start_utc());
    assert_eq!(page.reminders[0].title, "Nhiệm vụ 1");
    assert_eq!(
        page.reminders[0].lead.as_ref().and_then(|u| u.name.clone()),
        Some(name("Vụ Tổ chức cán bộ"))
    );
    // No due-soon reminders when asked for none.
    assert_eq!(
        feed(&w, 0, "2022-04-01"),
        vec![
            r(Due, "2022-03-31", "2022-03-31"),
            r(Overdue, "2022-04-01", "2022-03-31"),
        ]
    );
}

#[test]
fn a_completion_recorded_in_time_stops_the_reminders_after_it() {
    let mut w = seeded();
    w.exec(create(1, "2022-02-01", "2022-03-31")).unwrap();
    w.on_day("2022-03-28");
    w.exec(complete(1, "2022-03-28")).unwrap();
    assert_eq!(
        feed(&w, 7, "2022-12-31"),
        vec![r(DueSoon, "2022-03-24", "2022-03-31")]
    );
}

#[test]
fn a_completion_entered_late_takes_back_nothing_already_handed_out() {
    let mut w = seeded();
    w.exec(create(1, "2022-02-01", "2022-03-31")).unwrap();
    // Completed on 28 March, but the office records it only on 5 April.
    w.on_day("2022-04-05");
    w.exec(complete(1, "2022-03-28")).unwrap();
    assert_eq!(
        feed(&w, 7, "2022-12-31"),
        lapsed("2022-03-24", "2022-03-31", "2022-04-01")
    );
}

#[test]
fn a_deadline_extended_ahead_of_time_moves_every_reminder_to_the_new_deadline() {
    let mut w = seeded();
    w.exec(create(1, "2022-02-01", "2022-03-31")).unwrap();
    w.on_day("2022-03-10");
    w.exec(extend(1, "2022-06-30", "2022-03-10")).unwrap();
    assert_eq!(
        feed(&w, 7, "2022-07-01"),
        lapsed("2022-06-23", "2022-06-30", "2022-07-01")
    );
}

#[test]
fn an_extension_within_the_due_soon_window_is_due_soon_from_the_day_it_takes_effect() {
    let mut w = seeded();
    w.exec(create(1, "2022-02-01", "2022-03-31")).unwrap();
    w.on_day("2022-03-10");
    // From 12 April the deadline is 15 April: within a week of it at once.
    w.exec(extend(1, "2022-04-15", "2022-04-12")).unwrap();
    assert_eq!(
        feed(&w, 7, "2022-04-30"),
        [
            lapsed("2022-03-24", "2022-03-31", "2022-04-01"),
            lapsed("2022-04-12", "2022-04-15", "2022-04-16")
        ]
        .concat()
    );
}

#[test]
fn a_task_created_days_before_its_deadline_is_due_soon_on_the_day_it_is_created() {
    let mut w = seeded();
    w.on_day("2022-03-28");
    w.exec(create(1, "2022-03-28", "2022-03-31")).unwrap();
    assert_eq!(
        feed(&w, 7, "2022-03-28"),
        vec![r(DueSoon, "2022-03-28", "2022-03-31")]
    );
}

#[test]
fn a_task_reopened_after_its_deadline_is_overdue_on_the_day_it_reopens() {
    let mut w = seeded();
    w.exec(create(1, "2022-02-01", "2022-03-31")).unwrap();
    w.on_day("2022-03-30");
    w.exec(complete(1, "2022-03-30")).unwrap();
    w.on_day("2022-04-10");
    w.exec(reopen(1, "2022-04-10")).unwrap();
    assert_eq!(
        feed(&w, 7, "2022-04-30"),
        vec![
            r(DueSoon, "2022-03-24", "2022-03-31"),
            r(Overdue, "2022-04-10", "2022-03-31"),
        ]
    );
}

#[test]
fn a_task_entered_late_gives_its_past_reminders_when_it_is_recorded_by_date() {
    let mut w = seeded();
    w.on_day("2022-05-10");
    w.exec(create(1, "2022-02-01", "2022-03-31")).unwrap();
    let recorded = w.clock;
    assert_eq!(feed(&w, 7, "2022-05-09"), vec![]);
    let ask = ask_for(None, Some(7), 10);
    let page = reminders(&w.k, &ask, end_of("2022-05-10"), &day_start).unwrap();
    let seen: Vec<_> = page
        .reminders
        .iter()
        .map(|r| (r.kind, r.visible_at))
        .collect();
    assert_eq!(
        seen,
        vec![(DueSoon, recorded), (Due, recorded), (Overdue, recorded)]
    );
}

#[test]
fn a_deadline_corrected_before_its_day_never_reminds_of_the_wrong_one() {
    let mut w = seeded();
    let created = w.exec(create(1, "2022-02-01", "2022-03-31")).unwrap()[0];
    w.on_day("2022-03-01");
    let Command::CreateTask(TaskCreation {
        task,
        plan,
        title,
        product,
        assignment,
        on,
        ..
    }) = create(1, "2022-02-01", "2022-03-31")
    else {
        unreachable!()
    };
    w.exec(Command::Correct {
        target: created,
        corrected: Event::TaskCreated(TaskCreation {
            task,
            plan,
            title,
            product,
            deadline: d("2022-04-30"),
            assignment,
            on,
        }),
    })
    .unwrap();
    assert_eq!(
        feed(&w, 7, "2022-05-01"),
        lapsed("2022-04-23", "2022-04-30", "2022-05-01")
    );
}

#[test]
fn pages_resume_from_their_cursors_and_a_foreign_cursor_is_refused() {
    let mut w = seeded();
    w.exec(create(1, "2022-02-01", "2022-03-31")).unwrap();
    w.exec(create(2, "2022-02-01", "2022-03-31")).unwrap();
    let horizon = end_of("2022-04-30");
    let mut after = None;
    let mut seen = Vec::new();
    loop {
        let ask = ask_for(after, None, 2);
        let page = reminders(&w.k, &ask, horizon, &day_start).unwrap();
        // The cursor survives its text form.
        let text = page.next.to_string();
        assert_eq!(text.parse::<ReminderCursor>().unwrap(), page.next);
        seen.extend(page.reminders.iter().map(|r| (r.kind, r.task)));
        after = Some(page.next);
        if !page.more {
            break;
        }
    }
    // By day, then kind, then task: both tasks' due-soon reminders first.
    let (a, b) = if nv(1) < nv(2) {
        (nv(1), nv(2))
    } else {
        (nv(2), nv(1))
    };
    assert_eq!(
        seen,
        vec![
            (DueSoon, a),
            (DueSoon, b),
            (Due, a),
            (Due, b),
            (Overdue, a),
            (Overdue, b)
        ]
    );
    // Asked again with the last cursor: nothing more, and the cursor stays.
    let ask = ask_for(after, None, 2);
    let again = reminders(&w.k, &ask, horizon, &day_start).unwrap();
    assert!(again.reminders.is_empty());
    assert_eq!(Some(again.next), after);
    // A cursor keeps its days; text that is not a cursor is refused.
    let other_days = ask_for(after, Some(3), 2);
    assert_eq!(
        reminders(&w.k, &other_days, horizon, &day_start).unwrap_err(),
        QueryError::CursorDays {
            cursor: 7,
            asked: 3
        }
    );
    for bad in [
        "",
        "r1",
        "r1.7",
        "r1.x.5",
        "r1.7.5.2022-01-01.due.x.2022-01-01",
        "r2.7.5",
    ] {
        assert!(bad.parse::<ReminderCursor>().is_err(), "{bad:?}");
    }
    let too_far = ask_for(None, Some(400), 2);
    assert!(matches!(
        reminders(&w.k, &too_far, horizon, &day_start),
        Err(QueryError::DueSoonDays { days: 400, .. })
    ));
}
