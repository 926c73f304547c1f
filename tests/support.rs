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

/// Opens the sled database underneath a store, waiting while a just-dropped handle still
/// holds the file lock (sled releases it from background threads).
pub(crate) fn raw_db(dir: &std::path::Path) -> sled::Db {
    let mut tries = 0;
    loop {
        match sled::open(dir) {
            Ok(db) => return db,
            Err(_) if tries < 100 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("cannot open {dir:?}: {e}"),
        }
    }
}
