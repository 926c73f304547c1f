//! Snapshots (`Store::snapshot_to`) while writers append: the copy holds exactly the commits
//! up to its head, record for record, verifies, has the snapshot's head digest, and holds
//! nothing acknowledged after that commit; stores upgraded from format 3 copy too.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use reformlog_store::{ExpectedRevision, SnapshotError, Store, StreamAppend};
use uuid::Uuid;

use crate::support::ev;

/// One acknowledged append: its commit, its positions, its event ids, and whether it was
/// acknowledged while the snapshot ran.
#[derive(Debug, Clone)]
struct Acked {
    commit: u64,
    last_position: u64,
    ids: Vec<Uuid>,
    during: bool,
}

/// The same commits, event for event (every field, hashes included), in both stores.
fn assert_same_commits(a: &Store, b: &Store, last: u64) {
    for n in 1..=last {
        let x = a.commit(n).unwrap().unwrap();
        let y = b
            .commit(n)
            .unwrap()
            .unwrap_or_else(|| panic!("commit {n} missing"));
        assert_eq!(x, y, "commit {n}");
    }
}

#[test]
fn a_snapshot_taken_under_concurrent_writers_holds_exactly_the_commits_up_to_its_head() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("live")).unwrap();
    // A log long enough that copying it takes a while: the writers have time to go on.
    let mut bulk = store.bulk_import_flushed_at_end();
    for i in 0..4000 {
        let stream = format!("unit-{}", i % 97);
        bulk.append_multi(&[
            StreamAppend::new(
                &stream,
                ExpectedRevision::Any,
                vec![ev("Noted", &format!("bulk {i}"))],
            ),
            StreamAppend::new(
                "committee-bcd",
                ExpectedRevision::Any,
                vec![ev("Seen", &format!("bulk {i}"))],
            ),
        ])
        .unwrap();
    }
    bulk.finish().unwrap();

    let running = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (store, running, stop, acked) = (
                store.clone(),
                Arc::clone(&running),
                Arc::clone(&stop),
                Arc::clone(&acked),
            );
            std::thread::spawn(move || {
                let mut i = 0u64;
                while !stop.load(Ordering::Acquire) {
                    let (a, b) = (
                        ev("Noted", &format!("w{w} {i}")),
                        ev("Seen", &format!("w{w} {i}")),
                    );
                    let ids = vec![a.id, b.id];
                    let own = format!("person-w{w}");
                    let outcome = store
                        .append_multi(vec![
                            StreamAppend::new(&own, ExpectedRevision::Any, vec![a]),
                            StreamAppend::new("committee-bcd", ExpectedRevision::Any, vec![b]),
                        ])
                        .unwrap();
                    acked.lock().unwrap().push(Acked {
                        commit: outcome.commit,
                        last_position: outcome.last_position,
                        ids,
                        during: running.load(Ordering::Acquire),
                    });
                    i += 1;
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let before = store.head_commit();
    running.store(true, Ordering::Release);
    let snap = store.snapshot_to(dir.path().join("snap")).unwrap();
    running.store(false, Ordering::Release);
    // Some more writes after the snapshot returned.
    let after_start = acked.lock().unwrap().len();
    while acked.lock().unwrap().len() < after_start + 10 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    stop.store(true, Ordering::Release);
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.iter().any(|a| a.during),
        "no write was acknowledged while the snapshot ran"
    );
    assert!(snap.commit >= before, "{snap:?} before {before}");
    let head = snap.head.unwrap();
    assert_eq!(head.position, snap.records);
    assert_eq!(
        store
            .commit_info(snap.commit)
            .unwrap()
            .unwrap()
            .last_position,
        head.position
    );
    assert!(store.verify_extends(&head).unwrap().is_ok());
    assert!(!dir.path().join(".snap.partial").exists());

    let copy = Store::open(dir.path().join("snap")).unwrap();
    assert_eq!(copy.head_commit(), snap.commit);
    assert_eq!(copy.head().unwrap(), Some(head));
    assert!(copy.verify().unwrap().is_ok());
    assert_same_commits(&store, &copy, snap.commit);
    for a in &acked {
        for id in &a.ids {
            let found = copy.find_event(*id).unwrap();
            if a.commit <= snap.commit {
                assert!(
                    found.is_some(),
                    "{a:?} acknowledged at or before the snapshot"
                );
            } else {
                assert!(found.is_none(), "{a:?} acknowledged after the snapshot");
                assert!(a.last_position > head.position);
            }
        }
    }
    assert!(acked.iter().any(|a| a.commit > snap.commit));
    // The copy is a store like any other: it takes appends that continue its chain.
    let next = copy
        .append("unit-0", ExpectedRevision::Any, vec![ev("Noted", "after")])
        .unwrap();
    assert_eq!(
        (next.first_position, next.commit),
        (head.position + 1, snap.commit + 1)
    );
    assert!(copy.verify().unwrap().is_ok());
}

#[test]
fn a_snapshot_goes_only_into_a_new_folder_and_replaces_a_stale_partial_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("live")).unwrap();
    let empty = store.snapshot_to(dir.path().join("empty")).unwrap();
    assert_eq!((empty.commit, empty.head, empty.records), (0, None, 0));
    assert_eq!(
        Store::open(dir.path().join("empty"))
            .unwrap()
            .head()
            .unwrap(),
        None
    );

    for i in 0..5 {
        store
            .append(
                "unit-a",
                ExpectedRevision::Any,
                vec![ev("Noted", &i.to_string())],
            )
            .unwrap();
    }
    // What an interrupted snapshot leaves: a partial folder, never the name asked for.
    let partial = dir.path().join(".snap.partial");
    std::fs::create_dir_all(partial.join("junk")).unwrap();
    let snap = store.snapshot_to(dir.path().join("snap")).unwrap();
    assert_eq!(snap.records, 5);
    assert!(!partial.exists());
    assert!(!dir.path().join("snap").join("junk").exists());
    match store.snapshot_to(dir.path().join("snap")) {
        Err(SnapshotError::Exists(p)) => assert_eq!(p, dir.path().join("snap")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        store.snapshot_to(Path::new("/")),
        Err(SnapshotError::InvalidTarget(_))
    ));
}

#[test]
fn a_store_upgraded_from_format_3_snapshots_with_its_head_digest() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    crate::support::copy_dir(&fixtures.join("store-v3"), &dir.path().join("live"));
    let store = Store::open(dir.path().join("live")).unwrap();
    let kept = std::fs::read_to_string(fixtures.join("store-v3.head")).unwrap();
    let (position, hash) = kept.trim().split_once(' ').unwrap();
    let snap = store.snapshot_to(dir.path().join("snap")).unwrap();
    let head = snap.head.unwrap();
    assert_eq!(
        (head.position.to_string(), head.hash.to_hex()),
        (position.to_string(), hash.to_string())
    );
    let copy = Store::open(dir.path().join("snap")).unwrap();
    assert!(copy.verify_extends(&head).unwrap().is_ok());
    assert_same_commits(&store, &copy, snap.commit);
}

#[test]
fn a_broken_chain_is_not_copied_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live");
    {
        let store = Store::open(&live).unwrap();
        for i in 0..12 {
            store
                .append(
                    "unit-a",
                    ExpectedRevision::Any,
                    vec![ev("Noted", &format!("event {i}"))],
                )
                .unwrap();
        }
        // Acknowledged commits may live only in the journal until sled's files are persisted;
        // the byte flipped below must be in sled's files.
        store.persist().unwrap();
    }
    // A payload byte flipped behind the store's back (a disk error, or a forger).
    {
        let db = crate::support::raw_db(&live);
        let tree = db.open_tree("reformlog.log.v1").unwrap();
        let mut key = vec![0x10];
        key.extend_from_slice(&7u64.to_be_bytes());
        let mut bytes = tree.get(&key).unwrap().unwrap().to_vec();
        let inside = bytes.len() - 34;
        bytes[inside] ^= 0x01;
        tree.insert(key, bytes).unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(&live).unwrap();
    match store.snapshot_to(dir.path().join("snap")) {
        Err(SnapshotError::Broken { position, .. }) => assert_eq!(position, 7),
        other => panic!("{other:?}"),
    }
    assert!(!dir.path().join("snap").exists());
    // Nor is what the failed copy wrote kept.
    assert!(!dir.path().join(".snap.partial").exists());
}

#[test]
fn a_snapshots_sled_files_under_a_newer_journal_take_back_every_later_commit() {
    // The recovery path of ARCHITECTURE.md with an online backup: its sled files put back,
    // the store's own (newer) journal kept, and the open re-applies what came after.
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let live = dir.path().join("live");
    crate::support::copy_dir(&fixtures.join("store-v3"), &live);
    let store = Store::open(&live).unwrap();
    let grow = |store: &Store, from: usize, to: usize| {
        for i in from..to {
            let own = format!("unit-new-{}", i % 7);
            store
                .append_multi(vec![
                    StreamAppend::new(
                        &own,
                        ExpectedRevision::Any,
                        vec![ev("Noted", &i.to_string())],
                    ),
                    StreamAppend::new(
                        "committee-bcd",
                        ExpectedRevision::Any,
                        vec![ev("Seen", &i.to_string())],
                    ),
                ])
                .unwrap();
        }
    };
    grow(&store, 0, 10);
    let snap = store.snapshot_to(dir.path().join("snap")).unwrap();
    grow(&store, 10, 30);
    let head = store.head().unwrap().unwrap();
    let commits = store.head_commit();
    drop(store);

    for entry in std::fs::read_dir(&live).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == "journal" {
            continue;
        }
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
    }
    for entry in std::fs::read_dir(dir.path().join("snap")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == "journal" {
            continue;
        }
        let target = live.join(entry.file_name());
        if entry.path().is_dir() {
            crate::support::copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    let store = reformlog_store::StoreConfig::new(&live)
        .lock_wait(std::time::Duration::from_secs(10))
        .open()
        .unwrap();
    assert_eq!(store.recovery().reapplied_commits, commits - snap.commit);
    assert_eq!(store.head().unwrap(), Some(head));
    assert!(store.verify().unwrap().is_ok());
    assert_eq!(store.stream_revision("unit-new-3").unwrap(), Some(3));
}
