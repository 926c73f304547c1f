//! Catching up: applying the log past the checkpoint chunk by chunk, each written as one
//! batch with its checkpoint; and the rebuild from position 1.
//!
//! A rebuild runs on four threads: two read and decode the log, taking pages in turn (see
//! [`decode_log`]); one applies the decoded events in position order to the chunk; one
//! writes what the chunk spills (see [`Spiller`]), which stays readable to the applying
//! thread until it is in the table.

use super::cache::{self, CachedRow};
use super::chunk::{Chunk, Stamp};
use super::keys;
use super::row::corrupt;
use super::spill::{self, Budgets, Spiller};
use super::state::ReadModel;
use crate::codec::{decode_event, is_domain_stream};
use crate::error::Error;
use crate::event::Event;
use crate::view::EntityView;
use reformlog_store::{Direction, EventFilter, SideBatch, Store};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Events read from the log at a time while catching up.
const PAGE: usize = 10_000;

/// Threads that read and decode the log in a rebuild, taking pages in turn. Reading and
/// decoding is the larger part of a rebuild; with two such threads the applying thread
/// waits on them about as long as on the writing thread (measured at 1M events; a third
/// gained nothing on two cores).
const DECODERS: u64 = 2;

/// A rebuild's channels to one decoding thread: decoded pages, and pages to free.
type LaneEnds = (
    Receiver<Result<Decoded, Error>>,
    std::sync::mpsc::Sender<Vec<DecodedEvent>>,
);

/// The estimated memory (see `Chunk::estimated_bytes`) past which a chunk of applied events
/// is written. Large enough that a rebuild writes hot entities (committees, whose views grow
/// with their history) and relation entries once per a hundred thousand events or more;
/// small enough to keep the daemon's memory bounded while it catches up.
const CHUNK_BUDGET: usize = 48 << 20;

/// Events a chunk takes before the budget is looked at: with a large log, rows that grow
/// with history (every committee's memberships) can fill most of the budget by themselves,
/// and each chunk reloads and rewrites them, so chunks must not shrink below this.
const MIN_CHUNK_EVENTS: usize = 50_000;

/// Starts a named thread of a rebuild in `scope`. A thread that cannot be started is an
/// error to report, not a reason to panic; threads started before it end when the rebuild
/// drops their channels.
fn thread<'scope, 'env, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    name: String,
    f: impl FnOnce() -> T + Send + 'scope,
) -> Result<std::thread::ScopedJoinHandle<'scope, T>, Error> {
    std::thread::Builder::new()
        .name(name)
        .spawn_scoped(scope, f)
        .map_err(|e| reformlog_store::StorageError::io("cannot start a rebuild thread", e).into())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded data is `()`: the locks only order work, so poisoning carries nothing.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ReadModel {
    /// Applies every visible log event past the checkpoint; returns the new checkpoint.
    /// Cheap when nothing is new: one atomic load on each side.
    pub(crate) fn catch_up(&self) -> Result<u64, Error> {
        if self.checkpoint() >= self.store.head_position() {
            return Ok(self.checkpoint());
        }
        let _apply = lock(&self.apply);
        self.catch_up_locked()
    }

    fn catch_up_locked(&self) -> Result<u64, Error> {
        if self.checkpoint() == 0 && self.store.head_position() > 0 {
            return self.rebuild_locked();
        }
        loop {
            let from = self.checkpoint() + 1;
            if from > self.store.head_position() {
                return Ok(self.checkpoint());
            }
            let mut chunk = Chunk::new(self, from - 1);
            let mut next = Some(from);
            while let Some(start) = next {
                let page = self.store.read_all(
                    Some(start),
                    Direction::Forward,
                    PAGE,
                    &EventFilter::all(),
                )?;
                for e in &page.events {
                    chunk.apply(e)?;
                }
                next = page.next;
                if chunk.events() >= MIN_CHUNK_EVENTS && chunk.estimated_bytes() >= CHUNK_BUDGET {
                    break;
                }
            }
            let last = chunk.last_position();
            if last < from {
                // Nothing visible past the checkpoint yet.
                return Ok(self.checkpoint());
            }
            let flushed = chunk.into_batch()?;
            let _write = self.gate.write().unwrap_or_else(PoisonError::into_inner);
            self.tree().apply(flushed.batch)?;
            for (key, record, encoded) in flushed.rows {
                self.tasks.written(&key, &record);
                let stored_members = record
                    .view
                    .as_ref()
                    .and_then(EntityView::as_committee)
                    .map_or(0, |c| c.memberships.len());
                self.cache.replace(&key, cache::weight(encoded), || {
                    Some(CachedRow::from_record(record, encoded, stored_members))
                });
            }
            for prefix in &flushed.relations {
                self.relations.remove(prefix);
            }
            self.checkpoint.store(last, Ordering::Release);
        }
    }

    /// Makes every later rebuild spill after each event, hold no row, write every tail at
    /// once and decode pages of three events, so that small logs take every path a large
    /// one does.
    #[cfg(test)]
    pub(crate) fn spill_always(&self) {
        *self.budgets.lock().unwrap_or_else(PoisonError::into_inner) = Budgets {
            rows: 0,
            keep_rows: 0,
            index: 0,
            runs: 0,
            tail_max: 2,
            page: 3,
        };
    }

    /// Drops the read model and rebuilds it from position 1.
    pub(crate) fn rebuild(&self) -> Result<(), Error> {
        let _apply = lock(&self.apply);
        if self.store.head_position() == 0 {
            return self.reset();
        }
        self.rebuild_locked().map(|_| ())
    }

    /// Builds the read model from position 1 into an empty tree with one chunk that spills
    /// as it goes (see `chunk` and `spill`); returns the checkpoint.
    ///
    /// The tree carries no layout version until the last batch, which writes it with the
    /// checkpoint: a build cut short (a crash, an error) leaves a tree that the next open
    /// empties, and the next build here starts by emptying it too. Readers meanwhile see
    /// checkpoint 0, so the bound hides every row written so far; the caches they may have
    /// filled from those rows are emptied when the checkpoint moves.
    fn rebuild_locked(&self) -> Result<u64, Error> {
        self.reset()?;
        let tree = self.tree();
        tree.remove(keys::VERSION)?;
        let budgets = *self.budgets.lock().unwrap_or_else(PoisonError::into_inner);
        let last = std::thread::scope(|scope| {
            let (spiller, spills) = Spiller::new();
            let writer_tree = tree.clone();
            let writer = thread(scope, "reformlog-rebuild-write".to_owned(), move || {
                spill::write_spills(&writer_tree, spills)
            })?;
            // The rebuild covers the log as it is now; what is appended meanwhile is for the
            // next catch-up. Each lane has one decoded page waiting while it reads the next.
            let head = self.store.head_position();
            let page = budgets.page.max(1) as u64;
            let mut decoders = Vec::new();
            let mut lanes = Vec::new();
            for first in 0..DECODERS {
                let (pages, decoded) = std::sync::mpsc::sync_channel(1);
                let (used, to_free) = std::sync::mpsc::channel();
                let store = &self.store;
                let lane = Lane {
                    first,
                    stride: DECODERS,
                    page,
                    head,
                };
                let name = format!("reformlog-rebuild-decode-{first}");
                decoders.push(thread(scope, name, move || {
                    decode_log(store, lane, &pages, &to_free)
                })?);
                lanes.push((decoded, used));
            }
            let read = self.rebuild_pass(&spiller, &lanes, budgets);
            // Closing the channels ends the writer once it has written everything, and the
            // decoders if they are still reading.
            drop(spiller);
            drop(lanes);
            for decoder in decoders {
                if let Err(panic) = decoder.join() {
                    std::panic::resume_unwind(panic);
                }
            }
            let written = match writer.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            // The writer's own error explains an applier that found it stopped.
            written.and(read)
        })?;
        let mut done = SideBatch::default();
        done.insert(keys::VERSION, keys::LAYOUT_VERSION.to_be_bytes());
        done.insert(keys::CHECKPOINT, keys::u64_bytes(last));
        let _write = self.gate.write().unwrap_or_else(PoisonError::into_inner);
        tree.apply(done)?;
        self.cache.clear();
        self.relations.clear();
        self.tasks.clear();
        self.checkpoint.store(last, Ordering::Release);
        Ok(last)
    }

    /// The applying side of a rebuild: folds the pages of the log that `lanes` decode, in
    /// turn, into one chunk, handing what it spills and finally everything it holds to
    /// `spiller`; returns the last position.
    fn rebuild_pass(
        &self,
        spiller: &Spiller,
        lanes: &[LaneEnds],
        budgets: Budgets,
    ) -> Result<u64, Error> {
        let mut chunk = Chunk::for_rebuild(self, spiller, budgets);
        for (decoded, used) in lanes.iter().cycle() {
            let page = match decoded.recv() {
                Ok(Ok(Decoded::Page(page))) => page,
                // Lanes end in turn: the first to end has no page past the last one taken.
                Ok(Ok(Decoded::End)) => break,
                Ok(Err(e)) => return Err(e),
                // Only a panic ends a decoder without `End`; joining it re-raises that.
                Err(_) => return Err(corrupt("a decoding thread of the rebuild stopped")),
            };
            for event in &page {
                event.apply_to(&mut chunk)?;
                if chunk.needs_spill() {
                    spiller.write(chunk.spill()?)?;
                }
            }
            // To be freed by the thread that made it; if it has ended, here.
            let _ = used.send(page);
        }
        let last = chunk.last_position();
        spiller.write(chunk.finish()?)?;
        Ok(last)
    }
}

/// An event as a rebuild's decoding thread hands it over: its body decoded (`None` if it is
/// not a domain event) and what the chunk needs of its record.
pub(crate) struct DecodedEvent {
    position: u64,
    revision: u64,
    recorded_at: i64,
    actor: String,
    event: Option<Event>,
}

impl DecodedEvent {
    /// Folds the event into `chunk`.
    pub(crate) fn apply_to(&self, chunk: &mut Chunk<'_>) -> Result<(), Error> {
        let stamp = Stamp {
            position: self.position,
            revision: self.revision,
            recorded_at: self.recorded_at,
            actor: &self.actor,
        };
        chunk.apply_decoded(&stamp, self.event.as_ref())
    }
}

/// What a rebuild's decoding thread sends: pages of events in position order, then `End`.
pub(crate) enum Decoded {
    Page(Vec<DecodedEvent>),
    End,
}

/// Which pages of the log one decoding thread of a rebuild reads: pages of `page`
/// positions, numbered from 0, every `stride`th from `first`, up to `head`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lane {
    pub(crate) first: u64,
    pub(crate) stride: u64,
    pub(crate) page: u64,
    pub(crate) head: u64,
}

/// A decoding thread of a rebuild: reads its lane of the log and decodes every domain
/// event, page by page, so that the applying thread only folds them in. Reading and
/// decoding the stored records is most of the work of a rebuild, and what a plain replay
/// does alone; here it overlaps the rest. Stops at the first error, which it sends, or when
/// the applying thread has gone.
///
/// The applying thread hands every page back through `used`, to be freed here: with glibc's
/// allocator, a thread that frees what another allocated takes the other's arena lock for
/// most blocks; at a million events that waiting took a fifth of the rebuild's time.
pub(crate) fn decode_log(
    store: &Store,
    lane: Lane,
    out: &SyncSender<Result<Decoded, Error>>,
    used: &Receiver<Vec<DecodedEvent>>,
) {
    let mut number = lane.first;
    loop {
        let start = number.saturating_mul(lane.page).saturating_add(1);
        if start > lane.head {
            break;
        }
        while let Ok(done) = used.try_recv() {
            drop(done);
        }
        let count = lane.page.min(lane.head - start + 1);
        let sent = match decode_page(store, start, count) {
            Ok(events) => out.send(Ok(Decoded::Page(events))),
            Err(e) => {
                let _ = out.send(Err(e));
                return;
            }
        };
        if sent.is_err() {
            return;
        }
        number = number.saturating_add(lane.stride);
    }
    // The applying thread may have stopped on an error of its own, which it reports.
    let _ = out.send(Ok(Decoded::End));
}

/// The `count` events from position `start`, decoded.
fn decode_page(store: &Store, start: u64, count: u64) -> Result<Vec<DecodedEvent>, Error> {
    let limit = usize::try_from(count).unwrap_or(usize::MAX);
    let read = store.read_all(Some(start), Direction::Forward, limit, &EventFilter::all())?;
    let mut events = Vec::with_capacity(read.events.len());
    for (expected, mut recorded) in (start..).zip(read.events) {
        // Lanes split the log by position, which is gap-free; a page must hold all of its.
        if recorded.position != expected {
            return Err(corrupt("a gap in the log's positions"));
        }
        let event = if is_domain_stream(&recorded.stream) {
            Some(decode_event(&recorded)?)
        } else {
            None
        };
        events.push(DecodedEvent {
            position: recorded.position,
            revision: recorded.revision,
            recorded_at: recorded.recorded_at.as_micros(),
            actor: std::mem::take(&mut recorded.metadata.actor),
            event,
        });
    }
    if events.len() != limit {
        return Err(corrupt("a page of the log ended early"));
    }
    Ok(events)
}
