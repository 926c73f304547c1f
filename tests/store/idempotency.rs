//! Idempotent appends: a retry is a no-op that returns the original positions, over the whole log.

use reformlog_store::{AppendError, ExpectedRevision, StreamAppend};

use crate::support::{ev, temp_store};

#[test]
fn retry_returns_original_positions_and_appends_nothing() {
    let (_d, store) = temp_store();
    let first = ev("E", "a");
    let second = ev("E", "b");
    let batch = vec![
        StreamAppend::new(
            "committee-1",
            ExpectedRevision::NoStream,
            vec![first.clone()],
        ),
        StreamAppend::new("person-1", ExpectedRevision::NoStream, vec![second.clone()]),
    ];
    let original = store.append_multi(batch.clone()).unwrap();
    // Many unrelated appends later, so no cache of recent ids could be what answers.
    for i in 0..300 {
        store
            .append(
                &format!("other-{i}"),
                ExpectedRevision::Any,
                vec![ev("E", "x")],
            )
            .unwrap();
    }
    let retry = store.append_multi(batch).unwrap();
    assert!(retry.deduplicated);
    assert_eq!(
        (retry.first_position, retry.last_position),
        (original.first_position, original.last_position)
    );
    assert_eq!(retry.streams, original.streams);
    assert_eq!(store.head_position(), 302);
}

#[test]
fn retry_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let e = ev("E", "a");
    {
        let store = reformlog_store::Store::open(dir.path()).unwrap();
        store
            .append("s-1", ExpectedRevision::NoStream, vec![e.clone()])
            .unwrap();
    }
    let store = reformlog_store::Store::open(dir.path()).unwrap();
    let retry = store
        .append("s-1", ExpectedRevision::NoStream, vec![e])
        .unwrap();
    assert!(retry.deduplicated);
    assert_eq!(store.head_position(), 1);
}

#[test]
fn same_id_with_other_content_is_refused() {
    let (_d, store) = temp_store();
    let e = ev("E", "a");
    store
        .append("s-1", ExpectedRevision::Any, vec![e.clone()])
        .unwrap();
    let mut changed = e.clone();
    changed.payload = b"b".to_vec();
    assert!(matches!(
        store.append("s-1", ExpectedRevision::Any, vec![changed]),
        Err(AppendError::EventIdConflict { position: 1, .. })
    ));
    // The same event sent to another stream is other content too.
    assert!(matches!(
        store.append("s-2", ExpectedRevision::Any, vec![e.clone()]),
        Err(AppendError::EventIdConflict { .. })
    ));
    // Part stored, part new: neither a retry nor a fresh append.
    assert!(matches!(
        store.append("s-1", ExpectedRevision::Any, vec![e, ev("E", "new")]),
        Err(AppendError::PartialDuplicate { .. })
    ));
    assert_eq!(store.head_position(), 1);
}

#[test]
fn concurrent_retries_of_one_append_store_it_once() {
    let (_d, store) = temp_store();
    let batch = vec![StreamAppend::new(
        "s-1",
        ExpectedRevision::Any,
        vec![ev("E", "a"), ev("E", "b")],
    )];
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            let batch = batch.clone();
            std::thread::spawn(move || store.append_multi(batch).unwrap())
        })
        .collect();
    let outcomes: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(outcomes.iter().filter(|o| !o.deduplicated).count(), 1);
    assert!(outcomes.iter().all(|o| o.last_position == 2));
    assert_eq!(store.head_position(), 2);
}
