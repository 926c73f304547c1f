//! Rendered answers memoized per read-model position: an answer is a pure function of the
//! question and the position, so a repeated question costs a lookup until the next write
//! moves the position (which empties the cache).

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use reformlog::{KnownAt, Query};

use crate::routes::params::AuditFilter;

/// What an answer is a function of, besides the read-model position: the question, the
/// known-at asked, and the changes an audit answer keeps.
///
/// The map holds the whole key and compares it on every hit, not only its hash, so two
/// questions whose hashes collide never share an answer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct AnswerKey {
    pub(crate) query: Query,
    pub(crate) known_at: Option<KnownAt>,
    pub(crate) filter: AuditFilter,
}

/// The answers of the newest read-model position asked about.
#[derive(Debug, Default)]
pub(crate) struct AnswerCache {
    inner: Mutex<(u64, HashMap<AnswerKey, Bytes>)>,
}

/// Past this many answers the cache starts over; answers are tens of KiB at most.
const ANSWER_CACHE_ENTRIES: usize = 256;

impl AnswerCache {
    pub(crate) fn get(&self, position: u64, key: &AnswerKey) -> Option<Bytes> {
        let inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if inner.0 != position {
            return None;
        }
        inner.1.get(key).cloned()
    }

    pub(crate) fn put(&self, position: u64, key: AnswerKey, value: Bytes) {
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
