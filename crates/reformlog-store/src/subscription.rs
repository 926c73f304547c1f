//! Catch-up subscriptions that turn live: no gap and no duplicate at the seam.
//!
//! A subscription only ever pulls: it remembers the last position it delivered and asks for the
//! next ones, from the in-memory window of recent events when they are still there, from disk
//! when not. Writers never wait for subscribers; they only bump the visible head and wake them.
//! A subscriber that falls out of the recent window is told so and reads from disk until it has
//! caught up again.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::ReadError;
use crate::read::{Direction, EventFilter};
use crate::record::RecordedEvent;
use crate::store::{lock, Inner, Store};

/// How many events one catch-up read takes from disk.
const CATCH_UP_PAGE: usize = 512;

/// Where a subscription starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubscribeFrom {
    /// From position 1.
    Start,
    /// After the given position (a checkpoint the subscriber kept): the first event delivered
    /// is at `position + 1`.
    After(u64),
    /// From the current head: only events appended from now on.
    Now,
}

/// What a subscription hands out.
// Nearly every message is an event, so boxing it would add an allocation to the common path to
// shrink the rare ones.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SubscriptionMessage {
    /// The next event that matches the filter.
    Event(RecordedEvent),
    /// Every visible event up to `position` has been delivered; from here on the subscription
    /// is live. Sent each time it catches up (at the start, and after falling behind).
    CaughtUp {
        /// The head reached.
        position: u64,
    },
    /// The subscriber fell further behind than the in-memory window of recent events; it now
    /// reads from disk, still with no gap, and sends `CaughtUp` when back at the head.
    FellBehind {
        /// The last position delivered (or skipped by the filter) so far.
        last_seen: u64,
        /// The visible head when this was noticed.
        head: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    CatchingUp,
    Live,
}

/// A subscription to the global log. As an [`Iterator`] it blocks until the next message; use
/// [`Subscription::next_timeout`] to bound the wait.
pub struct Subscription {
    inner: Arc<Inner>,
    filter: EventFilter,
    last_seen: u64,
    mode: Mode,
    pending: VecDeque<SubscriptionMessage>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("last_seen", &self.last_seen)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Subscribes to the global log from `from`, passing on events that match `filter`.
    pub fn subscribe(&self, from: SubscribeFrom, filter: EventFilter) -> Subscription {
        let last_seen = match from {
            SubscribeFrom::Start => 0,
            SubscribeFrom::After(p) => p,
            SubscribeFrom::Now => self.inner.settle(),
        };
        Subscription {
            inner: Arc::clone(&self.inner),
            filter,
            last_seen,
            mode: Mode::CatchingUp,
            pending: VecDeque::new(),
        }
    }
}

impl Subscription {
    /// The last position delivered or passed over by the filter: the checkpoint to resume from.
    pub fn last_seen(&self) -> u64 {
        self.last_seen
    }

    /// The next message if one is ready now, without waiting.
    pub fn try_next(&mut self) -> Result<Option<SubscriptionMessage>, ReadError> {
        loop {
            if let Some(m) = self.pending.pop_front() {
                return Ok(Some(m));
            }
            // Everything acknowledged so far, once installed: "caught up" means caught up
            // with every write acknowledged before this call.
            let visible = self.inner.settle();
            if self.last_seen >= visible {
                if self.mode == Mode::CatchingUp {
                    self.mode = Mode::Live;
                    return Ok(Some(SubscriptionMessage::CaughtUp {
                        position: self.last_seen,
                    }));
                }
                return Ok(None);
            }
            if !self.fill_from_recent(visible)? {
                if self.mode == Mode::Live {
                    self.mode = Mode::CatchingUp;
                    self.pending.push_back(SubscriptionMessage::FellBehind {
                        last_seen: self.last_seen,
                        head: visible,
                    });
                }
                self.fill_from_disk(visible)?;
            }
        }
    }

    /// Waits at most `timeout` for the next message.
    pub fn next_timeout(
        &mut self,
        timeout: Duration,
    ) -> Result<Option<SubscriptionMessage>, ReadError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(m) = self.try_next()? {
                return Ok(Some(m));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            self.wait_for_more(Some(deadline - now));
        }
    }

    /// Blocks until the visible head passes `last_seen` (or the timeout ends).
    fn wait_for_more(&self, timeout: Option<Duration>) {
        let (m, cv) = &self.inner.wake;
        let mut seen = lock(m);
        while *seen <= self.last_seen {
            match timeout {
                Some(t) => {
                    let (guard, result) = cv
                        .wait_timeout(seen, t)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    seen = guard;
                    if result.timed_out() {
                        return;
                    }
                }
                None => {
                    seen = cv
                        .wait(seen)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            }
        }
    }

    /// Takes events after `last_seen` from the recent window; false when the window no longer
    /// reaches back that far.
    fn fill_from_recent(&mut self, visible: u64) -> Result<bool, ReadError> {
        let recent = self
            .inner
            .recent
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(front) = recent.front() else {
            return Ok(false);
        };
        let wanted = self.last_seen + 1;
        if front.position > wanted {
            return Ok(false);
        }
        // Positions in the window are consecutive, so the index is an offset.
        let start = usize::try_from(wanted - front.position).unwrap_or(usize::MAX);
        let taken: Vec<RecordedEvent> = recent
            .iter()
            .skip(start)
            .take_while(|r| r.position <= visible)
            .take(CATCH_UP_PAGE)
            .cloned()
            .collect();
        drop(recent);
        if taken.is_empty() {
            return Ok(false);
        }
        for record in taken {
            self.last_seen = record.position;
            let event = self.inner.upcast(record)?;
            if self.filter.matches(&event) {
                self.pending.push_back(SubscriptionMessage::Event(event));
            }
        }
        Ok(true)
    }

    fn fill_from_disk(&mut self, visible: u64) -> Result<(), ReadError> {
        let store = Store {
            inner: Arc::clone(&self.inner),
        };
        let page = store.read_all(
            Some(self.last_seen + 1),
            Direction::Forward,
            CATCH_UP_PAGE,
            &EventFilter::all(),
        )?;
        for record in page.events {
            if record.position > visible {
                break;
            }
            self.last_seen = record.position;
            if self.filter.matches(&record) {
                self.pending.push_back(SubscriptionMessage::Event(record));
            }
        }
        Ok(())
    }
}

impl Iterator for Subscription {
    type Item = Result<SubscriptionMessage, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.try_next() {
                Ok(Some(m)) => return Some(Ok(m)),
                Ok(None) => self.wait_for_more(None),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(feature = "tokio")]
mod async_stream {
    //! The same subscription as an async `Stream`, woken by a tokio watch channel.

    use futures_core::Stream;

    use super::{Subscription, SubscriptionMessage};
    use crate::error::ReadError;

    impl Subscription {
        /// Turns the subscription into an async stream. Catch-up reads from disk run inline in
        /// pages of a few hundred events, which sled serves mostly from its cache.
        pub fn into_stream(self) -> impl Stream<Item = Result<SubscriptionMessage, ReadError>> {
            let rx = self.inner.wake_async.subscribe();
            futures_util::stream::unfold((self, rx, false), |(mut sub, mut rx, done)| async move {
                if done {
                    return None;
                }
                loop {
                    // Mark the current head seen before checking, so a wake-up that arrives
                    // between the check and the wait is not lost.
                    rx.borrow_and_update();
                    match sub.try_next() {
                        Ok(Some(m)) => return Some((Ok(m), (sub, rx, false))),
                        Ok(None) => {
                            if rx.changed().await.is_err() {
                                return None;
                            }
                        }
                        Err(e) => return Some((Err(e), (sub, rx, true))),
                    }
                }
            })
        }
    }
}
