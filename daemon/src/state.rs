//! What every handler shares: the store, the domain, tokens, metrics and the shutdown signal.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use axum::body::Bytes;

use reformlog_store::Store;
use tokio::sync::watch;

use crate::auth::TokenRegistry;
use crate::metrics::Metrics;

#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) domain: reformlog::Reformlog,
    pub(crate) tokens: TokenRegistry,
    pub(crate) metrics: Metrics,
    /// Turns true when the daemon starts shutting down; long-lived responses end on it.
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) ready: AtomicBool,
    /// The log head when the daemon started: ready once the read models reach it.
    pub(crate) start_head: u64,
    /// Rendered answers of the current read-model position.
    pub(crate) answers: AnswerCache,
    /// Where plain dates in parameters start and end.
    pub(crate) zone: crate::zone::Zone,
    /// How many days after today a change may take effect.
    pub(crate) max_future_days: u32,
    /// The data folder (its token file goes into backups).
    pub(crate) data_dir: std::path::PathBuf,
    /// Where `POST /v1/backup` writes backups.
    pub(crate) backup_dir: std::path::PathBuf,
    /// Whether the daemon keeps an anchor file.
    pub(crate) anchored: bool,
    /// Held while a backup is written: one at a time.
    pub(crate) backup_running: Mutex<()>,
}

/// Rendered answers memoized per read-model position: an answer is a pure function of the
/// query and the position, so a repeated question costs a lookup until the next write moves
/// the position (which empties the cache).
#[derive(Debug, Default)]
pub(crate) struct AnswerCache {
    inner: Mutex<(u64, HashMap<String, Bytes>)>,
}

/// Past this many answers the cache starts over; answers are tens of KiB at most.
const ANSWER_CACHE_ENTRIES: usize = 256;

impl AnswerCache {
    pub(crate) fn get(&self, position: u64, key: &str) -> Option<Bytes> {
        let inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if inner.0 != position {
            return None;
        }
        inner.1.get(key).cloned()
    }

    pub(crate) fn put(&self, position: u64, key: String, value: Bytes) {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if inner.0 != position {
            // Only the newest position is worth keeping; an older one never comes back.
            if position < inner.0 {
                return;
            }
            inner.0 = position;
            inner.1.clear();
        }
        if inner.1.len() >= ANSWER_CACHE_ENTRIES {
            inner.1.clear();
        }
        inner.1.insert(key, value);
    }
}

impl AppState {
    /// `known_at` as asked (see `domain::parse_known_at`), refused like `min_position` when
    /// it names a position the log has not reached: a later answer would differ from this
    /// one, so answering now with the current state would pass off a guess as a fact.
    pub(crate) fn known_at(
        &self,
        known_at: Option<&str>,
    ) -> Result<Option<reformlog::KnownAt>, crate::problem::ApiError> {
        let parsed = crate::domain::parse_known_at(known_at, &self.zone)?;
        if let Some(reformlog::KnownAt::Position(p)) = parsed {
            let head = self.store.head_position();
            if p > head {
                return Err(crate::problem::ApiError::bad_request(
                    "position-not-reached",
                    format!("the log ends at position {head}; known_at={p} has not been written"),
                ));
            }
        }
        Ok(parsed)
    }

    pub(crate) fn read_model_position(&self) -> u64 {
        self.domain.read_model_position()
    }

    pub(crate) fn is_ready(&self) -> bool {
        if self.ready.load(Ordering::Acquire) {
            return true;
        }
        let ready = self.read_model_position() >= self.start_head;
        if ready {
            self.ready.store(true, Ordering::Release);
        }
        ready
    }
}
