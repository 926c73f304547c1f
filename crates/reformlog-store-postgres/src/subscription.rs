//! Catch-up subscriptions that turn live on LISTEN/NOTIFY: no gap and no duplicate at the seam.
//!
//! A subscription has a connection of its own. It LISTENs first, then reads from the position
//! after its start to the head, one snapshot per page; after that it waits for a
//! notification (every commit sends one, delivered only once it has committed) or for its
//! poll interval to pass, and reads again from the position after the last one it delivered.
//! Reads only ever start at `last_seen + 1` and a snapshot sees whole commits in commit order,
//! so what it delivers is the log's positions in order, each once: a notification for a commit
//! already read (one that committed between the LISTEN and the first read) finds nothing new,
//! and one that is lost is made up for by the periodic read.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};
use reformlog_store::{Direction, EventFilter, SubscribeFrom, SubscriptionMessage};

use crate::error::PgError;
use crate::read::{head_position, log_page, snapshot_on};
use crate::PgLog;

/// The notification channel, as an SQL expression: one per schema, since a channel is
/// database-wide and logs in different schemas must not wake each other's subscribers. Hashed,
/// because a channel name is at most 63 bytes and a schema's name may be as long.
pub(crate) const CHANNEL: &str = "'reformlog_' || md5(coalesce(current_schema(), ''))";

/// How many events one read takes.
#[cfg(not(test))]
const PAGE: usize = 512;
/// Small in tests, so their catch-ups and live reads cross page boundaries.
#[cfg(test)]
const PAGE: usize = 16;

/// How long a live subscription waits for a notification before it reads anyway. PostgreSQL
/// does not drop notifications to a connected listener, so this only bounds the delay for a
/// commit that sent none (one written by hand, or by a build before subscriptions).
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    CatchingUp,
    Live,
}

/// A subscription to the global log on PostgreSQL: the sled store's
/// [`Subscription`](reformlog_store::Subscription), which reads that store's memory and cannot
/// serve this one, with the same start points, filter, messages and methods. As an
/// [`Iterator`] it blocks until the next message; [`PgSubscription::next_timeout`] bounds the
/// wait.
///
/// It starts no thread: all its work, the waiting included, runs in the caller's calls, and
/// dropping it closes its connection. A lost connection ends it with
/// [`PgError::SubscriptionLost`], which says where to resume.
pub struct PgSubscription {
    client: Client,
    filter: EventFilter,
    last_seen: u64,
    mode: Mode,
    pending: VecDeque<SubscriptionMessage>,
    poll_interval: Duration,
    last_read: Instant,
    lost: Option<Arc<postgres::Error>>,
    #[cfg(test)]
    backend_pid: i32,
}

impl std::fmt::Debug for PgSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSubscription")
            .field("last_seen", &self.last_seen)
            .field("mode", &self.mode)
            .field("lost", &self.lost.is_some())
            .finish_non_exhaustive()
    }
}

impl PgLog {
    /// Subscribes to the global log from `from`, passing on events that match `filter`, on a
    /// new connection to this log's database and schema. [`SubscribeFrom::Now`] starts at the
    /// head as it is once the subscription listens, so nothing committed after this returns is
    /// missed.
    pub fn subscribe(
        &self,
        from: SubscribeFrom,
        filter: EventFilter,
    ) -> Result<PgSubscription, PgError> {
        let mut config = self.config.clone();
        // Named, so an operator can tell the listeners among the server's connections.
        config.application_name("reformlog subscription");
        let mut client = config.connect(NoTls)?;
        let channel: String = client
            .query_one(&format!("SELECT {CHANNEL}"), &[])?
            .try_get(0)?;
        // The channel is `reformlog_` and hex digits: nothing to escape. LISTEN is in effect
        // when it returns (it commits on its own), before anything is read.
        client.batch_execute(&format!("LISTEN \"{channel}\""))?;
        let last_seen = match from {
            SubscribeFrom::Start => 0,
            SubscribeFrom::After(p) => p,
            SubscribeFrom::Now => snapshot_on(&mut client, head_position)?,
        };
        #[cfg(test)]
        let backend_pid = client.query_one("SELECT pg_backend_pid()", &[])?.get(0);
        Ok(PgSubscription {
            client,
            filter,
            last_seen,
            mode: Mode::CatchingUp,
            pending: VecDeque::new(),
            poll_interval: DEFAULT_POLL_INTERVAL,
            last_read: Instant::now(),
            lost: None,
            #[cfg(test)]
            backend_pid,
        })
    }
}

impl PgSubscription {
    /// Sets how long a live subscription waits for a notification before reading anyway
    /// ([`DEFAULT_POLL_INTERVAL`] unless set).
    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The last position delivered or passed over by the filter: the checkpoint to resume from.
    pub fn last_seen(&self) -> u64 {
        self.last_seen
    }

    /// The next message if one is ready now: messages already read, else one read of the log
    /// (so every commit acknowledged before this call is seen), without waiting.
    pub fn try_next(&mut self) -> Result<Option<SubscriptionMessage>, PgError> {
        loop {
            if let Some(m) = self.pending.pop_front() {
                return Ok(Some(m));
            }
            if self.read()? && self.pending.is_empty() {
                return Ok(None);
            }
        }
    }

    /// Waits at most `timeout` for the next message, reading when a notification names a
    /// position after [`last_seen`](Self::last_seen) and at each poll interval.
    pub fn next_timeout(
        &mut self,
        timeout: Duration,
    ) -> Result<Option<SubscriptionMessage>, PgError> {
        let deadline = Instant::now() + timeout;
        if let Some(m) = self.try_next()? {
            return Ok(Some(m));
        }
        loop {
            let due = self.last_read + self.poll_interval;
            let now = Instant::now();
            if now < due {
                if now >= deadline {
                    return Ok(None);
                }
                if !self.wait(deadline.min(due))? {
                    continue;
                }
            }
            if let Some(m) = self.try_next()? {
                return Ok(Some(m));
            }
        }
    }

    /// One page from `last_seen + 1` in one snapshot; true when it reached the head. Buffered
    /// notifications are dropped first: the read sees every commit they announced.
    fn read(&mut self) -> Result<bool, PgError> {
        if let Some(e) = &self.lost {
            return Err(self.lost_error(Arc::clone(e)));
        }
        if let Err(e) = drop_buffered(&mut self.client) {
            return Err(self.lose(e));
        }
        let from = self.last_seen + 1;
        let filter = &self.filter;
        let page = snapshot_on(&mut self.client, |tx| {
            log_page(tx, Some(from), Direction::Forward, PAGE, filter)
        });
        let page = match page {
            Ok(page) => page,
            Err(PgError::Postgres(e)) if connection_failed(&self.client, &e) => {
                return Err(self.lose(e));
            }
            Err(e) => return Err(e),
        };
        self.last_read = Instant::now();
        // A full page ends where the next one starts; a short one scanned up to the head.
        let reached_head = page.next.is_none();
        self.last_seen = match page.next {
            Some(next) => next - 1,
            None => page.head.max(self.last_seen),
        };
        self.pending
            .extend(page.events.into_iter().map(SubscriptionMessage::Event));
        if reached_head && self.mode == Mode::CatchingUp {
            self.mode = Mode::Live;
            self.pending.push_back(SubscriptionMessage::CaughtUp {
                position: self.last_seen,
            });
        }
        Ok(reached_head)
    }

    /// Waits until `until` for a notification of a position after `last_seen`; true when one
    /// came. Notifications of positions already delivered are the seam's duplicates: skipped.
    fn wait(&mut self, until: Instant) -> Result<bool, PgError> {
        if let Some(e) = &self.lost {
            return Err(self.lost_error(Arc::clone(e)));
        }
        loop {
            let now = Instant::now();
            if now >= until {
                return Ok(false);
            }
            let note = self.client.notifications().timeout_iter(until - now).next();
            match note {
                // Any error on an idle listening connection is the connection's.
                Err(e) => return Err(self.lose(e)),
                // Early, the connection may have ended without an error: a read will say.
                Ok(None) => return Ok(Instant::now() < until),
                Ok(Some(note)) => {
                    // A payload that does not parse is not ours to judge: read anyway.
                    if note
                        .payload()
                        .parse::<u64>()
                        .map_or(true, |p| p > self.last_seen)
                    {
                        return Ok(true);
                    }
                }
            }
        }
    }

    fn lose(&mut self, e: postgres::Error) -> PgError {
        let e = Arc::new(e);
        self.lost = Some(Arc::clone(&e));
        self.lost_error(e)
    }

    fn lost_error(&self, source: Arc<postgres::Error>) -> PgError {
        PgError::SubscriptionLost {
            last_seen: self.last_seen,
            source,
        }
    }

    /// The server process serving this subscription's connection.
    #[cfg(test)]
    pub(crate) fn backend_pid(&self) -> i32 {
        self.backend_pid
    }
}

/// Empties the buffer of notifications received so far, polling the connection without
/// waiting.
fn drop_buffered(client: &mut Client) -> Result<(), postgres::Error> {
    let mut notifications = client.notifications();
    let mut buffered = notifications.iter();
    while buffered.next()?.is_some() {}
    Ok(())
}

/// Whether `e` means the connection is gone, not that one statement failed: closed, broken, or
/// ended by the server (a FATAL error, as when an administrator terminates the backend).
fn connection_failed(client: &Client, e: &postgres::Error) -> bool {
    if client.is_closed() || e.is_closed() {
        return true;
    }
    match e.as_db_error() {
        Some(db) => matches!(db.severity(), "FATAL" | "PANIC"),
        None => std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>()),
    }
}

impl Iterator for PgSubscription {
    type Item = Result<SubscriptionMessage, PgError>;

    /// The next message, waiting as long as it takes; after a lost connection, its error once
    /// and then `None`.
    fn next(&mut self) -> Option<Self::Item> {
        if self.lost.is_some() {
            return None;
        }
        loop {
            match self.next_timeout(self.poll_interval) {
                Ok(Some(m)) => return Some(Ok(m)),
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
