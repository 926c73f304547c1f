//! What every handler shares: the store, the domain, tokens, metrics and the shutdown signal.

use std::sync::atomic::{AtomicBool, Ordering};

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
}

impl AppState {
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
