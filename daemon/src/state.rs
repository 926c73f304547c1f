//! What every handler shares: the store, the domain, tokens, metrics and the shutdown signal.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use reformlog::KnownAt;
use reformlog_store::Store;
use tokio::sync::watch;

use crate::auth::TokenRegistry;
use crate::metrics::Metrics;
use crate::problem::ApiError;

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
    pub(crate) answers: crate::answer_cache::AnswerCache,
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

impl AppState {
    /// `known_at` as asked (see `params::parse_known_at`), refused like `min_position` when
    /// it names a position the log has not reached: a later answer would differ from this
    /// one, so answering now with the current state would pass off a guess as a fact.
    pub(crate) fn known_at(&self, known_at: Option<&str>) -> Result<Option<KnownAt>, ApiError> {
        let parsed = crate::routes::params::parse_known_at(known_at, &self.zone)?;
        if let Some(KnownAt::Position(p)) = parsed {
            let head = self.store.head_position();
            if p > head {
                return Err(ApiError::position_not_reached(format!(
                    "the log ends at position {head}; known_at={p} has not been written"
                )));
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
