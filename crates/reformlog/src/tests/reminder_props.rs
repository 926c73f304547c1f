//! The reminder feed against a brute-force model: random task histories recorded at random
//! times (ahead of their dates, late, corrected, retracted), polled at random horizons with
//! random page sizes while the log grows, hand out exactly the model's reminders, in its
//! order, each once.
//!
//! The model steps through every moment at which anything can change (each commit, each
//! day's start), folds the log as recorded by then from scratch, and finds each occurrence
//! by scanning days one by one.

use super::support::*;
use crate::payload::{DeadlineExtension, TaskCreation, TaskStatusChange};
use crate::query::reminders::reminders;
use crate::source::Views;
use crate::{
    Assignment, Command, Date, EntityKey, Event, EventId, EventMeta, Knowledge, KnownAt, Recorded,
    ReminderAsk, ReminderKind, TaskId, TaskStatus, Timestamp,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

const DAY: i64 = 86_400_000_000;
/// Every date of a history falls in `[BASE, BASE + SPAN)`; the model scans a margin around.
const BASE: &str = "2023-03-01";
const SPAN: u32 = 40;

fn day(n: i64) -> Date {
    Date::from_julian_day(d(BASE).julian_day() + i32::try_from(n).unwrap()).unwrap()
}

/// Days start at 17:00 UTC the evening before, as in Asia/Ho_Chi_Minh.
fn day_start(date: Date) -> Option<Timestamp> {
    Some(Timestamp::from_micros(
        date.start_utc().as_micros() - 7 * 3_600_000_000,
    ))
}

fn task(n: usize) -> TaskId {
    TaskId::from_slug(&format!("nv-mo-hinh-{n}")).unwrap()
}

#[derive(Clone, Debug)]
enum Op {
    Create {
        task: usize,
        on: u32,
        len: u32,
    },
    Extend {
        task: usize,
        on: u32,
        by: u32,
    },
    Complete {
        task: usize,
        on: u32,
    },
    Cancel {
        task: usize,
        on: u32,
    },
    Reopen {
        task: usize,
        on: u32,
    },
    /// Corrects the task's creation to another date and deadline.
    Correct {
        task: usize,
        on: u32,
        len: u32,
    },
    Retract {
        task: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let t = 0usize..2;
    let on = 0u32..SPAN;
    prop_oneof![
        3 => (t.clone(), on.clone(), 0u32..12).prop_map(|(task, on, len)| Op::Create { task, on, len }),
        2 => (t.clone(), on.clone(), 1u32..10).prop_map(|(task, on, by)| Op::Extend { task, on, by }),
        2 => (t.clone(), on.clone()).prop_map(|(task, on)| Op::Complete { task, on }),
        1 => (t.clone(), on.clone()).prop_map(|(task, on)| Op::Cancel { task, on }),
        1 => (t.clone(), on.clone()).prop_map(|(task, on)| Op::Reopen { task, on }),
        1 => (t.clone(), on, 0u32..12).prop_map(|(task, on, len)| Op::Correct { task, on, len }),
        1 => t.prop_map(|task| Op::Retract { task }),
    ]
}

/// What task `n` is on `x` as `k` knows it: its deadline then, if it is open.
fn open_with(k: &Knowledge, n: usize, x: Date) -> Option<Date> {
    let view = k.view(&EntityKey::Task(task(n)))?;
    let t = view.as_task()?;
    (t.status_on(x) == Some(TaskStatus::Open))
        .then(|| t.deadline_on(x))
        .flatten()
}

fn creation(t: usize, on: u32, len: u32) -> Event {
    Event::TaskCreated(TaskCreation {
        task: task(t),
        plan: None,
        title: format!("Nhiệm vụ {}", t + 1),
        product: "Báo cáo".to_owned(),
        deadline: day(i64::from(on + len)),
        assignment: Some(Assignment {
            lead: unit("vu-to-chuc-can-bo"),
            cooperating: Vec::new(),
            responsible: None,
        }),
        on: day(i64::from(on)),
    })
}

/// The command an op stands for on the current state, if it makes sense.
fn command(k: &Knowledge, log: &[Recorded], op: &Op) -> Option<Command> {
    let created = |t: usize| {
        log.iter()
            .rev()
            .find(|r| matches!(&r.event, Event::TaskCreated(TaskCreation { task: x, .. }) if *x == task(t)))
            .map(|r| r.meta.event_id)
    };
    Some(match *op {
        Op::Create { task: t, on, len } => Command::restating(&creation(t, on, len)),
        Op::Extend { task: t, on, by } => {
            let view = k.view(&EntityKey::Task(task(t)))?;
            let current = view.as_task()?.deadline_on(day(i64::from(on)))?;
            Command::ExtendDeadline(DeadlineExtension {
                task: task(t),
                deadline: Date::from_julian_day(current.julian_day() + i32::try_from(by).ok()?)?,
                on: day(i64::from(on)),
                decision: None,
            })
        }
        Op::Complete { task: t, on } | Op::Cancel { task: t, on } | Op::Reopen { task: t, on } => {
            let (task, on, decision) = (task(t), day(i64::from(on)), None);
            match *op {
                Op::Complete { .. } => {
                    Command::CompleteTask(TaskStatusChange { task, on, decision })
                }
                Op::Cancel { .. } => Command::CancelTask(TaskStatusChange { task, on, decision }),
                _ => Command::ReopenTask(TaskStatusChange { task, on, decision }),
            }
        }
        Op::Correct { task: t, on, len } => Command::Correct {
            target: created(t)?,
            corrected: creation(t, on, len),
        },
        Op::Retract { task: t } => Command::Retract {
            target: created(t)?,
        },
    })
}

/// A log being written: each accepted command one commit, recorded at a given time.
struct Writer {
    k: Knowledge,
    log: Vec<Recorded>,
    commit: u64,
}

impl Writer {
    fn record(&mut self, events: Vec<Event>, at: Timestamp) {
        self.commit += 1;
        for event in events {
            let r = Recorded {
                meta: EventMeta {
                    position: self.k.last_position() + 1,
                    commit: self.commit,
                    event_id: EventId::new(),
                    recorded_at: at,
                    actor: "thu-ky".to_owned(),
                    reason: None,
                },
                event,
            };
            self.log.push(r.clone());
            self.k.apply(r);
        }
    }
}

/// The seed case, then each op that `decide` accepts as one commit, at its time.
fn history(ops: &[(Op, u32)]) -> Vec<Recorded> {
    let mut w = Writer {
        k: Knowledge::new(),
        log: Vec::new(),
        commit: 0,
    };
    let mut clock = day_start(day(-30)).unwrap().as_micros();
    let seed = crate::Seed::parse(SEED).unwrap();
    for c in seed.commands().unwrap() {
        let events = w.k.decide(&c).unwrap();
        w.record(events, Timestamp::from_micros(clock));
        clock += 1;
    }
    // Ops come at non-decreasing offsets: ahead of the dates they are about, or late.
    let mut offsets: Vec<u32> = ops.iter().map(|(_, at)| *at).collect();
    offsets.sort_unstable();
    for ((op, _), at) in ops.iter().zip(offsets) {
        let Some(c) = command(&w.k, &w.log, op) else {
            continue;
        };
        let Ok(events) = w.k.decide(&c) else { continue };
        // Some hours into a day, strictly after the last commit.
        let t = (day_start(day(i64::from(at) - 10)).unwrap().as_micros()
            + i64::from(at % 7) * 3_600_000_000
            + 1)
        .max(clock + 1);
        clock = t;
        w.record(events, Timestamp::from_micros(t));
    }
    w.log
}

type Key = (Timestamp, Date, ReminderKind, TaskId, Date);
/// (kind, deadline, date) of one occurrence.
type Occ = (ReminderKind, Date, Date);

/// Every occurrence task `n` has as `k` knows it, day by day: (kind, deadline, date).
fn brute_occurrences(k: &Knowledge, n: usize, days: u32, lo: i64, hi: i64) -> Vec<Occ> {
    let by_day: Vec<(Date, Option<Date>)> = (lo..=hi)
        .map(|i| (day(i), open_with(k, n, day(i))))
        .collect();
    let mut deadlines: Vec<Date> = by_day.iter().filter_map(|(_, dl)| *dl).collect();
    deadlines.sort();
    deadlines.dedup();
    let mut out = Vec::new();
    for dl in deadlines {
        let first = |from: Date, to: Date| {
            by_day
                .iter()
                .find(|(x, o)| from <= *x && *x <= to && *o == Some(dl))
                .map(|(x, _)| *x)
        };
        let shift =
            |n: i64| Date::from_julian_day(dl.julian_day() + i32::try_from(n).unwrap()).unwrap();
        if days > 0 {
            if let Some(x) = first(shift(-i64::from(days)), shift(-1)) {
                out.push((ReminderKind::DueSoon, dl, x));
            }
        }
        if first(dl, dl).is_some() {
            out.push((ReminderKind::Due, dl, dl));
        }
        if let Some(x) = first(shift(1), day(hi)) {
            out.push((ReminderKind::Overdue, dl, x));
        }
    }
    out
}

/// The model: every reminder with the first moment it is visible, by brute force.
fn model(log: &[Recorded], days: u32) -> Vec<Key> {
    let (lo, hi) = (-20i64, i64::from(SPAN) + 40);
    let mut moments: Vec<i64> = log.iter().map(|r| r.meta.recorded_at.as_micros()).collect();
    moments.extend((lo..=hi).map(|n| day_start(day(n)).unwrap().as_micros()));
    moments.sort_unstable();
    moments.dedup();
    let mut first: BTreeMap<(TaskId, ReminderKind, Date), Key> = BTreeMap::new();
    let mut known: Option<(usize, Vec<Vec<Occ>>)> = None;
    for t in moments {
        let upto = log
            .iter()
            .filter(|r| r.meta.recorded_at.as_micros() <= t)
            .count();
        if known.as_ref().is_none_or(|(n, _)| *n != upto) {
            let k = Knowledge::from_log(log, Some(KnownAt::Timestamp(Timestamp::from_micros(t))));
            let occ = (0..2)
                .map(|n| brute_occurrences(&k, n, days, lo, hi))
                .collect();
            known = Some((upto, occ));
        }
        let Some((_, occ)) = &known else { continue };
        let today = (lo..=hi)
            .map(day)
            .filter(|x| day_start(*x).unwrap().as_micros() <= t)
            .max();
        let Some(today) = today else { continue };
        for (n, list) in occ.iter().enumerate() {
            for (kind, dl, on) in list {
                if *on <= today {
                    first.entry((task(n), *kind, *dl)).or_insert((
                        Timestamp::from_micros(t),
                        *on,
                        *kind,
                        task(n),
                        *dl,
                    ));
                }
            }
        }
    }
    let mut out: Vec<Key> = first.into_values().collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn polling_with_each_cursor_hands_out_the_model_s_reminders_once_each(
        ops in prop::collection::vec((op(), 0u32..SPAN + 20), 1..14),
        days in 0u32..8,
        polls in prop::collection::vec((0u32..(SPAN + 40) * 4, 1usize..4), 1..8),
    ) {
        let log = history(&ops);
        let expected = model(&log, days);
        // Horizons in quarter days, rising; each poll sees at least every commit recorded by
        // its horizon, sometimes one more (recorded after the fence, yet visible).
        let mut horizons: Vec<(i64, usize)> = polls
            .iter()
            .map(|(q, limit)| (day_start(day(-20)).unwrap().as_micros() + i64::from(*q) * DAY / 4 + 1, *limit))
            .collect();
        horizons.sort_unstable();
        let last = horizons.last().map_or(i64::MIN, |h| h.0);
        let mut after = None;
        let mut handed: Vec<Key> = Vec::new();
        for (i, (h, limit)) in horizons.iter().enumerate() {
            let mut visible = log.iter().filter(|r| r.meta.recorded_at.as_micros() <= *h).count();
            if i % 2 == 1 && visible < log.len() {
                let next_commit = log[visible].meta.commit;
                visible += log[visible..].iter().take_while(|r| r.meta.commit == next_commit).count();
            }
            let k = Knowledge::from_log(&log[..visible], None);
            loop {
                let ask = ReminderAsk { after, days: Some(days), until: None, limit: *limit };
                let page = reminders(&k, &ask, Timestamp::from_micros(*h), &day_start).unwrap();
                prop_assert!(page.reminders.len() <= *limit);
                handed.extend(page.reminders.iter().map(|r| (r.visible_at, r.on, r.kind, r.task, r.deadline)));
                after = Some(page.next);
                if !page.more {
                    break;
                }
            }
        }
        let expected: Vec<Key> = expected.into_iter().filter(|k| k.0.as_micros() <= last).collect();
        prop_assert_eq!(handed, expected);
    }
}
