//! The upcaster hook: turns old payload schema versions into current ones as events are read.

use crate::record::RecordedEvent;

/// Rewrites events written with an older payload schema into the current one, on read.
///
/// Stored bytes never change, so the record's `hash` keeps covering what was written; `verify`
/// reads records without upcasting. An upcaster must be a pure function of the event.
pub trait Upcaster: Send + Sync + 'static {
    /// Returns the event in its current schema, or why it cannot be read.
    fn upcast(&self, event: RecordedEvent) -> Result<RecordedEvent, String>;
}

/// Upcasts nothing.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NoUpcast;

impl Upcaster for NoUpcast {
    fn upcast(&self, event: RecordedEvent) -> Result<RecordedEvent, String> {
        Ok(event)
    }
}
