//! Helpers shared by the integration tests.

use reformlog_store::{Metadata, NewEvent, Store};
use tempfile::TempDir;

/// A store in a fresh temporary folder; keep the `TempDir` alive as long as the store.
pub(crate) fn temp_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

/// A small event whose payload names `text`.
pub(crate) fn ev(event_type: &str, text: &str) -> NewEvent {
    NewEvent::new(
        event_type,
        1,
        text.as_bytes().to_vec(),
        Metadata::by("editor:test").with_reason("integration test"),
    )
}
