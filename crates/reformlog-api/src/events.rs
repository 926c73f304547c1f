//! Recorded events as the API shows them: one event with its decoded domain event, and a page
//! of the global log.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A recorded event: the store's envelope and the decoded domain event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    /// Global position (gap-free, from 1).
    pub position: u64,
    /// The commit (one atomic write) the event belongs to: gap-free, from 1; every event of a
    /// commit has the same `recorded_at`.
    pub commit: u64,
    /// The stream: `<kind>-<uuid>` of the entity the event is about.
    pub stream: String,
    /// Revision within the stream (from 0).
    pub revision: u64,
    /// The event's id (UUID).
    pub event_id: String,
    /// The event's type, as the domain names it (`unit_established`, …).
    pub event_type: String,
    /// The payload schema the event was written in.
    pub schema_version: u32,
    /// When the log recorded the event (RFC 3339, UTC, microseconds).
    pub recorded_at: String,
    /// Who recorded it: the principal of the token the write came with.
    pub actor: String,
    /// Why, as the write said.
    pub reason: Option<String>,
    /// Where it came from (a file, a document), as the write said.
    pub source: Option<String>,
    /// The id tying the events of one piece of work together.
    pub correlation_id: Option<String>,
    /// The event that caused this one.
    pub causation_id: Option<String>,
    /// Further metadata the write carried.
    #[schema(value_type = Object)]
    pub extra: BTreeMap<String, String>,
    /// The domain event as JSON, or `null` when the payload is not a domain event this build
    /// knows.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// Hash of the previous record (hex).
    pub prev_hash: String,
    /// This record's hash (hex).
    pub hash: String,
}

/// A page of the global log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventPage {
    /// The events of this page, in log order (or backward, when asked).
    pub events: Vec<EventView>,
    /// The position to continue from (the `from` of the next page), if there is more.
    pub next: Option<u64>,
    /// The log head when the page was read.
    pub head: u64,
}
