//! Delete the folder under a running store: no later append is acknowledged.
//!
//! The same with the folder moved away, replaced by a fresh empty folder of the same name, or
//! replaced by a copy of itself: each round checks that its journal segment is still the file
//! at its path, so every append after the loss is refused with `StoreLost`, while reads of
//! what was acknowledged before keep working; the store's write health says `Lost` before any
//! append meets the loss.

use std::path::Path;

use reformlog_store::{AppendError, AppendOutcome, ExpectedRevision, Store, WriteHealth};
use uuid::Uuid;

use crate::support::{copy_dir, ev};

/// Opens a store in `dir` and appends ten commits; returns the store and the outcomes with
/// their event ids.
fn store_with_ten(dir: &Path) -> (Store, Vec<(AppendOutcome, Uuid)>) {
    let store = Store::open(dir).unwrap();
    let mut acked = Vec::new();
    for i in 0..10 {
        let e = ev("LedgerEntryMade", &format!("before {i}"));
        let id = e.id;
        let out = store
            .append(&format!("ledger-{}", i % 3), ExpectedRevision::Any, vec![e])
            .unwrap();
        acked.push((out, id));
    }
    (store, acked)
}

/// Twenty appends after the loss: none acknowledged, every one after the first `StoreLost`
/// (the first may also fail otherwise, as long as it fails); the ids of the refused appends.
fn twenty_refused(store: &Store, how: &str) -> Vec<Uuid> {
    let head = store.head_commit();
    // Before any append meets the loss, the health check finds it.
    match store.write_health() {
        WriteHealth::Lost(path) => assert_eq!(path, store.path(), "{how}"),
        other => panic!("{how}: write health {other:?} before an append, want Lost"),
    }
    let mut ids = Vec::new();
    for i in 0..20 {
        let e = ev("LedgerEntryMade", &format!("after {i}"));
        ids.push(e.id);
        match store.append("ledger-0", ExpectedRevision::Any, vec![e]) {
            Ok(out) => panic!("{how}: append {i} after the loss acknowledged: {out:?}"),
            Err(AppendError::StoreLost(path)) => {
                assert_eq!(
                    path,
                    store.path(),
                    "{how}: StoreLost names the store's folder"
                );
            }
            Err(e) if i == 0 => println!("{how}: the first append after the loss: {e}"),
            Err(e) => panic!("{how}: append {i}: {e:?}, want StoreLost"),
        }
        assert_eq!(
            store.head_commit(),
            head,
            "{how}: a refused append became visible"
        );
    }
    assert!(
        matches!(store.write_health(), WriteHealth::Lost(_)),
        "{how}: write health after the refusals"
    );
    ids
}

fn reads_still_work(store: &Store, acked: &[(AppendOutcome, Uuid)], how: &str) {
    for (out, id) in acked {
        let e = store
            .read_event(out.first_position)
            .unwrap()
            .unwrap_or_else(|| panic!("{how}: position {} unreadable", out.first_position));
        assert_eq!(e.event_id, *id, "{how}");
        assert_eq!(e.commit, out.commit, "{how}");
    }
    assert_eq!(store.head_commit(), acked.len() as u64, "{how}");
    let report = store.verify().unwrap();
    assert!(report.is_ok(), "{how}: {report:?}");
}

#[test]
fn appends_after_the_folder_is_deleted_are_refused() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("store");
    let (store, acked) = store_with_ten(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    twenty_refused(&store, "deleted");
    reads_still_work(&store, &acked, "deleted");
}

#[test]
fn appends_after_the_folder_is_replaced_by_an_empty_one_are_refused() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("store");
    let (store, acked) = store_with_ten(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::create_dir(&dir).unwrap();
    twenty_refused(&store, "replaced by an empty folder");
    reads_still_work(&store, &acked, "replaced by an empty folder");
    // Nothing was written into the new folder's place as if it were the store's.
    assert!(
        !dir.join("journal").exists(),
        "the store wrote a journal into the folder that replaced it"
    );
}

#[test]
fn appends_after_the_folder_is_replaced_by_a_copy_of_itself_are_refused() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("store");
    let (store, acked) = store_with_ten(&dir);
    let copy = parent.path().join("copy");
    copy_dir(&dir, &copy);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::rename(&copy, &dir).unwrap();
    twenty_refused(&store, "replaced by a copy");
    reads_still_work(&store, &acked, "replaced by a copy");
}

#[test]
fn appends_after_the_folder_is_moved_are_refused() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("store");
    let moved = parent.path().join("moved");
    let (store, acked) = store_with_ten(&dir);
    std::fs::rename(&dir, &moved).unwrap();
    twenty_refused(&store, "moved");
    reads_still_work(&store, &acked, "moved");
}

#[test]
fn a_store_reopened_where_it_was_moved_holds_none_of_the_refused_appends() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("store");
    let moved = parent.path().join("moved");
    let (store, acked) = store_with_ten(&dir);
    std::fs::rename(&dir, &moved).unwrap();
    let refused = twenty_refused(&store, "moved");
    drop(store);
    let store = Store::open(&moved).unwrap();
    let back: Vec<String> = refused
        .iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let e = store.find_event(*id).unwrap()?;
            Some(format!("refused append {i} at position {}", e.position))
        })
        .collect();
    assert!(
        back.is_empty(),
        "in the reopened store ({:?}): {}",
        store.recovery(),
        back.join(", ")
    );
    reads_still_work(&store, &acked, "reopened where it was moved");
}
