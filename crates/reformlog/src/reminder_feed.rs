//! The reminder feed over the log: a time fence first, so that no commit can later appear at
//! a time the page covers, then the pure query on the read models.

use crate::date::{Date, Timestamp};
use crate::engine::Reformlog;
use crate::error::Error;
use crate::query::reminders::{reminders, ReminderAsk, ReminderPage};
use std::time::Duration;

/// How long a page waits for commits staged before its fence to become visible.
const FENCE_WAIT: Duration = Duration::from_secs(5);

impl Reformlog {
    /// The reminders after `ask.after` that had become visible by now (or by `ask.until`),
    /// in the feed's order; `day_start` says when a date begins in the caller's time zone.
    ///
    /// A bridge that always asks with the `next` of its last page gets every reminder once,
    /// whatever was recorded late or corrected meanwhile: the page covers the time up to its
    /// `horizon`, and the store records nothing more at or before a time it has fenced.
    pub fn reminders(
        &self,
        ask: &ReminderAsk,
        day_start: &dyn Fn(Date) -> Option<Timestamp>,
    ) -> Result<ReminderPage, Error> {
        let store = self.store();
        let (at, position) = store.time_fence();
        let horizon = if store.wait_visible(position, FENCE_WAIT) {
            at
        } else {
            // A commit staged before the fence is still in flight (or failed): cover only
            // what the visible log reaches, which nothing can be recorded before any more.
            let head = store.head_commit();
            match store.commit_info(head)? {
                Some(c) => c.recorded_at,
                None => Timestamp::from_micros(i64::MIN),
            }
        };
        let page = self.with_source(None, |s| reminders(s, ask, horizon, day_start))?;
        Ok(page?)
    }
}
