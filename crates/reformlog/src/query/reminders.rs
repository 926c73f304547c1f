//! Deadline reminders: the occurrences a task's deadlines give (due soon, due, overdue),
//! derived from its recorded states, and the feed of them in the order they became visible,
//! resumable from an opaque cursor with no gap and no repeat.
//!
//! An occurrence is a fact of time passing, not a stored event. It becomes visible at the
//! first moment its date has begun (in the caller's time zone) while the log, as recorded
//! up to that moment, implies it: at the start of its day when the record came first, at the
//! recording when the record came late. The feed orders by that moment, so an answer up to
//! a horizon never changes once every commit recorded up to the horizon is known.

use super::error::QueryError;
use super::refs::{decision_ref, person_ref, unit_ref, DecisionRef, PersonRef, UnitRef};
use crate::date::{Date, Timestamp};
use crate::event::Recorded;
use crate::ids::EntityKind;
use crate::ids::{EntityKey, TaskId};
use crate::model::TaskStatus;
use crate::source::Source;
use crate::view::{rebuild_view, TaskView};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// How many days before a deadline "due soon" comes unless asked otherwise.
pub const DEFAULT_DUE_SOON_DAYS: u32 = 7;
/// The most days before a deadline "due soon" may be asked for.
pub const MAX_DUE_SOON_DAYS: u32 = 366;

/// What a reminder says about a task's deadline.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// The deadline is at most N days away and the task is open.
    DueSoon,
    /// Today is the deadline and the task is open.
    Due,
    /// The deadline has passed and the task is still open.
    Overdue,
}

impl ReminderKind {
    /// Every kind, in the order reminders of one moment and date come in.
    pub const ALL: [ReminderKind; 3] = [Self::DueSoon, Self::Due, Self::Overdue];

    /// The kind's name in answers and cursors: `due_soon`, `due`, `overdue`.
    pub fn name(self) -> &'static str {
        match self {
            Self::DueSoon => "due_soon",
            Self::Due => "due",
            Self::Overdue => "overdue",
        }
    }

    fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Where a bridge stands in the feed: everything that became visible up to a point of the
/// feed's order has been handed out. Opaque to callers; its text form is what the API gives.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReminderCursor {
    days: u32,
    at: Timestamp,
    /// Within `at`: handed out up to this one (`None`: all of `at`).
    last: Option<Tie>,
}

/// The order of reminders that became visible at the same moment.
type Tie = (Date, ReminderKind, TaskId, Date);

/// A reminder's place in the feed: when it became visible, then its date, kind, task and
/// deadline.
type Key = (Timestamp, Tie);

impl ReminderCursor {
    /// A cursor before everything that becomes visible at `at` or later, with due-soon
    /// reminders `days` before a deadline.
    pub fn from_time(days: u32, at: Timestamp) -> Self {
        Self {
            days,
            at: Timestamp::from_micros(at.as_micros().saturating_sub(1)),
            last: None,
        }
    }

    /// A cursor before every reminder.
    pub fn start(days: u32) -> Self {
        Self {
            days,
            at: Timestamp::from_micros(i64::MIN),
            last: None,
        }
    }

    /// How many days before a deadline this cursor's feed says "due soon".
    pub fn days(&self) -> u32 {
        self.days
    }

    /// Whether the reminder at `key` comes after this cursor.
    fn before(&self, key: &Key) -> bool {
        key.0 > self.at || (key.0 == self.at && self.last.is_some_and(|l| key.1 > l))
    }

    /// The later of two cursors of one feed.
    fn max(self, other: Self) -> Self {
        let rank = |c: &Self| (c.at, c.last.is_none(), c.last);
        if rank(&other) > rank(&self) {
            other
        } else {
            self
        }
    }
}

impl fmt::Display for ReminderCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r1.{}.{}", self.days, self.at.as_micros())?;
        if let Some((on, kind, task, deadline)) = self.last {
            write!(
                f,
                ".{on}.{}.{}.{deadline}",
                kind.name(),
                task.as_uuid().simple()
            )?;
        }
        Ok(())
    }
}

/// A text that is not a cursor the feed gave.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReminderCursorError {
    /// The text is not a cursor this feed hands out.
    #[error("not a reminder cursor this feed gave: {0:?}")]
    Malformed(String),
}

impl FromStr for ReminderCursor {
    type Err = ReminderCursorError;

    fn from_str(text: &str) -> Result<Self, ReminderCursorError> {
        let bad = || ReminderCursorError::Malformed(text.chars().take(120).collect());
        let parts: Vec<&str> = text.split('.').collect();
        let (days, at, tie) = match parts.as_slice() {
            ["r1", days, at] => (days, at, None),
            ["r1", days, at, on, kind, task, deadline] => {
                (days, at, Some((on, kind, task, deadline)))
            }
            _ => return Err(bad()),
        };
        let days: u32 = days.parse().map_err(|_| bad())?;
        if days > MAX_DUE_SOON_DAYS {
            return Err(bad());
        }
        let at = Timestamp::from_micros(at.parse().map_err(|_| bad())?);
        let last = match tie {
            None => None,
            Some((on, kind, task, deadline)) => Some((
                on.parse().map_err(|_| bad())?,
                ReminderKind::named(kind).ok_or_else(bad)?,
                TaskId::from_uuid(Uuid::try_parse(task).map_err(|_| bad())?),
                deadline.parse().map_err(|_| bad())?,
            )),
        };
        Ok(Self { days, at, last })
    }
}

impl TryFrom<String> for ReminderCursor {
    type Error = ReminderCursorError;
    fn try_from(text: String) -> Result<Self, ReminderCursorError> {
        text.parse()
    }
}

impl From<ReminderCursor> for String {
    fn from(c: ReminderCursor) -> String {
        c.to_string()
    }
}

/// One reminder: a task's deadline occurrence as it became visible.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reminder {
    /// Due soon, due today, or overdue.
    pub kind: ReminderKind,
    /// The task's id.
    pub task: TaskId,
    /// The task's title.
    pub title: String,
    /// The task's deadline on `on`.
    pub deadline: Date,
    /// The day the occurrence falls on.
    pub on: Date,
    /// When it became visible: the start of `on`, or the recording that made it known if
    /// that came later.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub visible_at: Timestamp,
    /// The task's plan, if any.
    pub plan: Option<DecisionRef>,
    /// The lead unit and responsible person on `on`, named as on `on`.
    pub lead: Option<UnitRef>,
    /// The responsible person on `on`, if any.
    pub responsible: Option<PersonRef>,
    /// The cursor right after this reminder.
    pub cursor: ReminderCursor,
}

/// What a bridge asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ReminderAsk {
    /// Where the bridge stands; `None` starts before every reminder.
    pub after: Option<ReminderCursor>,
    /// Days before a deadline for "due soon" (default 7, or the cursor's); a cursor keeps
    /// the number it was made with.
    pub days: Option<u32>,
    /// Hand out only what had become visible by this time (a replay of the feed as it stood
    /// then); default: as far as the log allows now.
    pub until: Option<Timestamp>,
    /// At most this many reminders.
    pub limit: usize,
}

/// A page of the feed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReminderPage {
    /// The reminders, in the order they became visible.
    pub reminders: Vec<Reminder>,
    /// Where to continue: after the last reminder when the page is full, else after
    /// everything visible by `horizon`.
    pub next: ReminderCursor,
    /// The page holds every reminder visible by this time that came after the cursor (up
    /// to the limit).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub horizon: Timestamp,
    /// More reminders visible by `horizon` come after `next`.
    pub more: bool,
}

/// One occurrence a task state implies.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Occurrence {
    kind: ReminderKind,
    deadline: Date,
    on: Date,
}

fn shift(date: Date, days: i64) -> Option<Date> {
    let day = i64::from(date.julian_day()).checked_add(days)?;
    Date::from_julian_day(i32::try_from(day).ok()?)
}

/// The occurrences `t` implies, on any date: for each deadline it has had, due soon on the
/// first day from `days` days before it to the day before on which the task is open with
/// that deadline; due on the deadline day if it is open then with that deadline; overdue on
/// the first day after it on which it is open with that deadline still.
fn occurrences(t: &TaskView, days: u32) -> Vec<Occurrence> {
    // Whether the task is open with deadline `d` changes only on these dates.
    let mut changes: Vec<Date> = t
        .statuses
        .0
        .iter()
        .map(|(d, _)| *d)
        .chain(t.deadlines.0.iter().map(|(d, _)| *d))
        .collect();
    changes.sort();
    changes.dedup();
    let mut deadlines: Vec<Date> = t.deadlines.values().copied().collect();
    deadlines.sort();
    deadlines.dedup();
    let holds =
        |x: Date, d: Date| t.status_on(x) == Some(TaskStatus::Open) && t.deadline_on(x) == Some(d);
    let first = |from: Date, to: Option<Date>, d: Date| {
        std::iter::once(from)
            .chain(
                changes
                    .iter()
                    .copied()
                    .filter(|c| *c > from && to.is_none_or(|to| *c <= to)),
            )
            .find(|x| holds(*x, d))
    };
    let mut out = Vec::new();
    for d in deadlines {
        if days > 0 {
            if let (Some(from), Some(to)) = (shift(d, -i64::from(days)), shift(d, -1)) {
                if let Some(on) = first(from, Some(to), d) {
                    out.push(Occurrence {
                        kind: ReminderKind::DueSoon,
                        deadline: d,
                        on,
                    });
                }
            }
        }
        if holds(d, d) {
            out.push(Occurrence {
                kind: ReminderKind::Due,
                deadline: d,
                on: d,
            });
        }
        if let Some(from) = shift(d, 1) {
            if let Some(on) = first(from, None, d) {
                out.push(Occurrence {
                    kind: ReminderKind::Overdue,
                    deadline: d,
                    on,
                });
            }
        }
    }
    out
}

/// The task's states as recorded: after each commit of its stream, the view and the time
/// the commit was recorded.
fn versions(raw: &[Recorded]) -> Vec<(Timestamp, Option<TaskView>)> {
    let mut out = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let last_of_commit = raw
            .get(i + 1)
            .is_none_or(|n| n.meta.commit != r.meta.commit);
        if last_of_commit {
            let view = rebuild_view(&raw[..=i]).and_then(|v| v.as_task().cloned());
            out.push((r.meta.recorded_at, view));
        }
    }
    out
}

/// Each occurrence of one task with the moment it became visible and the state that made it
/// so: the first moment its day had begun while the recorded state implied it.
fn visible(
    raw: &[Recorded],
    days: u32,
    day_start: &dyn Fn(Date) -> Option<Timestamp>,
) -> Vec<(Timestamp, Occurrence, TaskView)> {
    let states = versions(raw);
    let mut found: BTreeMap<(ReminderKind, Date), (Timestamp, Occurrence, TaskView)> =
        BTreeMap::new();
    for (i, (recorded, view)) in states.iter().enumerate() {
        let Some(view) = view else { continue };
        let until = states.get(i + 1).map(|(t, _)| *t);
        for o in occurrences(view, days) {
            if found.contains_key(&(o.kind, o.deadline)) {
                continue;
            }
            let Some(start) = day_start(o.on) else {
                continue;
            };
            let at = start.max(*recorded);
            if until.is_none_or(|u| at < u) {
                found.insert((o.kind, o.deadline), (at, o, view.clone()));
            }
        }
    }
    found.into_values().collect()
}

/// The page of reminders after `ask.after` that became visible by `horizon` (and by
/// `ask.until`), in feed order. `day_start` is when a date begins in the caller's zone.
///
/// Exact when every commit recorded at or before `horizon` is in `s`: commits recorded
/// later change nothing at or before `horizon`, so a later call with a later horizon hands
/// out exactly the reminders that became visible after this page's `next`.
pub(crate) fn reminders(
    s: &dyn Source,
    ask: &ReminderAsk,
    horizon: Timestamp,
    day_start: &dyn Fn(Date) -> Option<Timestamp>,
) -> Result<ReminderPage, QueryError> {
    let days = match (ask.after, ask.days) {
        (Some(c), Some(d)) if c.days != d => {
            return Err(QueryError::CursorDays {
                cursor: c.days,
                asked: d,
            })
        }
        (Some(c), _) => c.days,
        (None, Some(d)) => d,
        (None, None) => DEFAULT_DUE_SOON_DAYS,
    };
    if days > MAX_DUE_SOON_DAYS {
        return Err(QueryError::DueSoonDays {
            days,
            max: MAX_DUE_SOON_DAYS,
        });
    }
    let horizon = ask.until.map_or(horizon, |u| u.min(horizon));
    let after = ask.after.unwrap_or(ReminderCursor::start(days));
    let limit = ask.limit.max(1);
    // Every task stream, also of tasks whose creation was retracted since: what they
    // implied while they stood was visible then.
    let mut keys = s.entities_of_kind(EntityKind::Task);
    keys.sort();
    keys.dedup();
    let mut due: Vec<(Key, Occurrence, TaskView)> = Vec::new();
    for key in keys {
        let EntityKey::Task(id) = key else { continue };
        let raw = s.stream(&key);
        for (at, o, view) in visible(&raw, days, day_start) {
            let key = (at, (o.on, o.kind, id, o.deadline));
            if at <= horizon && after.before(&key) {
                due.push((key, o, view));
            }
        }
    }
    due.sort_by_key(|a| a.0);
    let more = due.len() > limit;
    due.truncate(limit);
    let cursor_at = |key: &Key| ReminderCursor {
        days,
        at: key.0,
        last: Some(key.1),
    };
    let next = match due.last() {
        Some((key, _, _)) if more => cursor_at(key),
        _ => after.max(ReminderCursor {
            days,
            at: horizon,
            last: None,
        }),
    };
    let reminders = due
        .into_iter()
        .map(|(key, o, t)| {
            let assignment = t.assignments.at(o.on);
            Reminder {
                kind: o.kind,
                task: key.1 .2,
                title: t.title.clone(),
                deadline: o.deadline,
                on: o.on,
                visible_at: key.0,
                plan: t.plan.map(|p| decision_ref(s, p)),
                lead: assignment.map(|a| unit_ref(s, a.lead, o.on)),
                responsible: assignment
                    .and_then(|a| a.responsible)
                    .map(|p| person_ref(s, p, o.on)),
                cursor: cursor_at(&key),
            }
        })
        .collect();
    Ok(ReminderPage {
        reminders,
        next,
        horizon,
        more,
    })
}
