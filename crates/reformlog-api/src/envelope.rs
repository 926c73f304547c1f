//! The envelope every read answers in, and the page entity listings come in.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A read's answer with the log position it reflects and, when the request asked for one,
/// the known-at it was answered as of.
// Its OpenAPI schema is named after the answer it holds (`Envelope_Composition`), so each
// route's document gives the shape of its own answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Envelope<T> {
    /// The answer: an object or a list, as the route says.
    pub answer: T,
    /// The log position the answer was read at. For reads of state and of the audit trail,
    /// and for reminder pages, the read models' position, read before the answer (so a write
    /// that lands in between may show too); for a page of the log, the log's head as the page
    /// was read; for the head digest, the digest's own position.
    pub position: u64,
    /// The knowledge time the request gave (`known_at`), resolved; left out when it gave none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_at: Option<AnsweredKnownAt>,
}

impl<T> Envelope<T> {
    /// An answer at `position`, asked with no known-at.
    pub fn new(answer: T, position: u64) -> Self {
        Self {
            answer,
            position,
            known_at: None,
        }
    }
}

/// The known-at a read was answered as of: a log position, or a recorded time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnsweredKnownAt {
    /// Everything recorded up to the end of the commit holding this position.
    Position(u64),
    /// Everything recorded at or before this time (RFC 3339, UTC, microseconds).
    Time(String),
}

/// One page of an entity listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    /// The entities of this page, in id order.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}
