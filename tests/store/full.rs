//! Disk full on a small tmpfs: an append that cannot be journaled is refused with
//! `StorageFull` and keeps nothing, the store's write health says `Full` until space is back,
//! and the next append once it is gets the next commit number.
//!
//! The tests mount a 128 MiB tmpfs (CI runs as root); where mounting is not permitted they say
//! so and pass. A guard unmounts it (lazily) however the test ends.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reformlog_store::{
    AppendError, AppendOutcome, ExpectedRevision, Metadata, NewEvent, ReadError, Store,
    StoreConfig, WriteHealth,
};

use crate::support::{ev, fill, Tmpfs};
use uuid::Uuid;

/// An event whose payload (`kib` KiB) needs fresh pages of the file system to be journaled.
fn big_event(text: &str, kib: usize) -> NewEvent {
    let mut payload = text.as_bytes().to_vec();
    payload.resize(kib * 1024, b'.');
    NewEvent::new(
        "LedgerEntryMade",
        1,
        payload,
        Metadata::by("editor:test").with_reason("disk full test"),
    )
}

/// Every acknowledged outcome is in `store` with its ids, and `verify` is clean.
fn assert_all_there(store: &Store, acked: &[(AppendOutcome, Vec<Uuid>)]) {
    for (out, ids) in acked {
        let c = store
            .commit(out.commit)
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged commit {} missing", out.commit));
        assert_eq!(
            (c.info.first_position, c.info.last_position),
            (out.first_position, out.last_position)
        );
        let got: Vec<Uuid> = c.events.iter().map(|e| e.event_id).collect();
        assert_eq!(&got, ids, "commit {}", out.commit);
    }
    let report = store.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
}

#[test]
fn a_full_disk_refuses_the_append_keeps_nothing_and_recovers_when_space_is_back() {
    let Some(fs) = Tmpfs::mount_or_skip() else {
        return;
    };
    let dir = fs.path().join("store");
    // Small journal segments: a segment is allocated whole when it starts, so appends on the
    // full disk go on until the active one is used up.
    let store = StoreConfig::new(&dir)
        .journal_segment_bytes(64 * 1024)
        .open()
        .unwrap();
    let mut acked = Vec::new();
    for i in 0..20 {
        let e = big_event(&format!("before {i}"), 8);
        let id = e.id;
        let out = store
            .append("ledger-1", ExpectedRevision::Any, vec![e])
            .unwrap();
        acked.push((out, vec![id]));
    }
    store.persist().unwrap();
    let filler = fs.path().join("filler");
    let filled = fill(&filler);
    println!("filled {filled} bytes");
    // What is left of the space allocated ahead (the active segment) still takes appends.
    let mut used_up = false;
    for i in 0..64 {
        let e = big_event(&format!("into allocated space {i}"), 16);
        let id = e.id;
        match store.append("ledger-1", ExpectedRevision::Any, vec![e]) {
            Ok(out) => acked.push((out, vec![id])),
            Err(AppendError::StorageFull(_)) => {
                used_up = true;
                break;
            }
            Err(other) => panic!("append on a full disk: {other:?}"),
        }
    }
    assert!(used_up, "64 appends of 16 KiB fit on a full disk");
    let head = store.head_commit();
    let head_position = store.head_position();

    let mut refused = Vec::new();
    for i in 0..5 {
        let e = big_event(&format!("while full {i}"), 16);
        refused.push(e.id);
        match store.append("ledger-1", ExpectedRevision::Any, vec![e]) {
            Err(AppendError::StorageFull(why)) => {
                if i == 0 {
                    println!("refused: {why}");
                }
            }
            other => panic!("append {i} on a full disk: {other:?}"),
        }
        assert_eq!(store.head_commit(), head, "a refused append became visible");
        assert_eq!(store.head_position(), head_position);
        assert_eq!(store.read_event(head_position + 1).unwrap(), None);
        assert_eq!(store.commit(head + 1).unwrap(), None);
    }
    // A multi-stream append is refused whole too.
    let multi = vec![
        reformlog_store::StreamAppend::new(
            "ledger-1",
            ExpectedRevision::Any,
            vec![big_event("multi a", 16)],
        ),
        reformlog_store::StreamAppend::new(
            "ledger-2",
            ExpectedRevision::NoStream,
            vec![big_event("multi b", 16)],
        ),
    ];
    refused.extend(multi.iter().flat_map(|a| a.events.iter().map(|e| e.id)));
    assert!(matches!(
        store.append_multi(multi),
        Err(AppendError::StorageFull(_))
    ));
    assert_eq!(store.stream_revision("ledger-2").unwrap(), None);
    assert_all_there(&store, &acked);
    for id in &refused {
        assert_eq!(store.find_event(*id).unwrap(), None);
    }
    assert!(
        matches!(store.write_health(), WriteHealth::Full(_)),
        "write health on a full disk: {:?}",
        store.write_health()
    );

    std::fs::remove_file(&filler).unwrap();
    // The health check finds the space by itself, before any append.
    assert_eq!(store.write_health(), WriteHealth::Writable);
    let e = big_event("after", 16);
    let id = e.id;
    let out = store
        .append(
            "ledger-1",
            ExpectedRevision::Exact(store.stream_revision("ledger-1").unwrap().unwrap()),
            vec![e],
        )
        .expect("an append once space is back");
    assert_eq!(out.commit, head + 1, "no gap in commit numbers");
    assert_eq!(out.first_position, head_position + 1);
    acked.push((out, vec![id]));
    assert_all_there(&store, &acked);
    drop(store);

    let store = StoreConfig::new(&dir)
        .lock_wait(Duration::from_secs(5))
        .open()
        .unwrap();
    assert_eq!(store.head_commit(), head + 1);
    assert_all_there(&store, &acked);
    for id in &refused {
        assert_eq!(
            store.find_event(*id).unwrap(),
            None,
            "a refused event after reopen"
        );
    }
}

/// What one appender thread saw.
#[derive(Default)]
struct Seen {
    ok: Vec<(AppendOutcome, Vec<Uuid>)>,
    full: Vec<Uuid>,
    /// Refused with `OutcomeUnknown`: may or may not be in the log after a reopen.
    unknown: Vec<Uuid>,
    /// Refused with a storage error that is sled's ENOSPC (its reads fail once its flush
    /// met the full disk): refused before journaling, so never in the log.
    sled_full: Vec<Uuid>,
    other: Vec<String>,
}

#[test]
fn a_disk_that_fills_under_concurrent_appenders_keeps_every_acknowledged_and_no_refused_append() {
    let Some(fs) = Tmpfs::mount_or_skip() else {
        return;
    };
    let dir = fs.path().join("store");
    let store = StoreConfig::new(&dir)
        .journal_segment_bytes(256 * 1024)
        .open()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let seen: Arc<Mutex<BTreeMap<usize, Seen>>> = Arc::default();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let store = store.clone();
            let stop = Arc::clone(&stop);
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                let mut mine = Seen::default();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let e = big_event(&format!("thread {t} append {i}"), 1 + (i % 2));
                    let id = e.id;
                    match store.append(&format!("ledger-{t}"), ExpectedRevision::Any, vec![e]) {
                        Ok(out) => mine.ok.push((out, vec![id])),
                        Err(e) => {
                            match e {
                                AppendError::StorageFull(_) => mine.full.push(id),
                                AppendError::OutcomeUnknown(_) => mine.unknown.push(id),
                                AppendError::Storage(s)
                                | AppendError::Read(ReadError::Storage(s))
                                    if s.is_storage_full() =>
                                {
                                    mine.sled_full.push(id)
                                }
                                e => mine.other.push(format!("append {i}: {e}")),
                            }
                            std::thread::sleep(Duration::from_millis(1));
                        }
                    }
                    i += 1;
                }
                seen.lock().unwrap().insert(t, mine);
            })
        })
        .collect();
    // Let the appenders run, then fill the disk under them, keep it full a while, free it.
    std::thread::sleep(Duration::from_millis(200));
    let filler = fs.path().join("filler");
    fill(&filler);
    std::thread::sleep(Duration::from_millis(300));
    std::fs::remove_file(&filler).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    let after = store.append(
        "ledger-after",
        ExpectedRevision::Any,
        vec![big_event("after", 2)],
    );
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    let count = |f: fn(&Seen) -> usize| seen.values().map(f).sum::<usize>();
    println!(
        "{} acknowledged, {} refused as full, {} outcome unknown, {} storage errors naming \
         ENOSPC, {} other errors; an append once space was back: {:?}",
        count(|s| s.ok.len()),
        count(|s| s.full.len()),
        count(|s| s.unknown.len()),
        count(|s| s.sled_full.len()),
        count(|s| s.other.len()),
        after.as_ref().map(|o| o.commit)
    );
    let others: Vec<&String> = seen.values().flat_map(|s| &s.other).collect();
    assert!(others.is_empty(), "unexpected errors: {others:?}");
    // The full disk shows as StorageFull, or (sled's flush met it first) as OutcomeUnknown.
    assert!(
        count(|s| s.full.len() + s.unknown.len()) > 0,
        "the disk never filled under the appenders"
    );
    let mut acked: Vec<(AppendOutcome, Vec<Uuid>)> =
        seen.values().flat_map(|s| s.ok.iter().cloned()).collect();
    acked.sort_by_key(|(o, _)| o.commit);
    drop(store);

    let store = StoreConfig::new(&dir)
        .journal_segment_bytes(256 * 1024)
        .lock_wait(Duration::from_secs(5))
        .open()
        .unwrap();
    assert!(store.head_commit() >= acked.last().unwrap().0.commit);
    assert_all_there(&store, &acked);
    let commits = store.read_commits(1, usize::MAX).unwrap();
    for (i, c) in commits.iter().enumerate() {
        assert_eq!(c.info.number, i as u64 + 1, "commit numbers gap-free");
    }
    for id in seen
        .values()
        .flat_map(|s| s.full.iter().chain(&s.sled_full))
    {
        assert_eq!(
            store.find_event(*id).unwrap().map(|e| e.position),
            None,
            "an append refused as full is in the log"
        );
    }
    let unknown_kept = seen
        .values()
        .flat_map(|s| &s.unknown)
        .filter(|id| store.find_event(**id).unwrap().is_some())
        .count();
    println!("of the outcome-unknown appends, {unknown_kept} are in the reopened log");
    // The store takes appends after the reopen, whatever happened before it.
    let out = store
        .append(
            "ledger-after",
            ExpectedRevision::Any,
            vec![big_event("reopened", 2)],
        )
        .unwrap();
    assert_eq!(out.commit, commits.len() as u64 + 1);
}

/// Fills the disk under a fresh store at `fs`, then makes small appends (they may still fit in
/// the journal's last page and in the space the store keeps reserved for sled), with a
/// `persist` after each, which must never fail: sled does not survive a failed write, so the
/// store keeps it from meeting the full disk. Returns the store, the filler and every
/// append's id and result.
#[allow(clippy::type_complexity)]
fn small_appends_on_a_full_disk(
    fs: &Tmpfs,
) -> (
    Store,
    std::path::PathBuf,
    Vec<(Uuid, Result<AppendOutcome, AppendError>)>,
) {
    let store = Store::open(fs.path().join("store")).unwrap();
    store
        .append("ledger-1", ExpectedRevision::Any, vec![ev("E", "before")])
        .unwrap();
    store.persist().unwrap();
    let filler = fs.path().join("filler");
    fill(&filler);
    let mut results = Vec::new();
    for i in 0..40 {
        let e = ev("E", "tiny");
        let id = e.id;
        let r = store.append("ledger-1", ExpectedRevision::Any, vec![e]);
        results.push((id, r));
        if let Err(e) = store.persist() {
            panic!("sled's flush met the full disk after append {i}: {e}");
        }
    }
    (store, filler, results)
}

fn describe(results: &[(Uuid, Result<AppendOutcome, AppendError>)]) -> String {
    results
        .iter()
        .enumerate()
        .map(|(i, (_, r))| format!("append {i}: {:?}", r.as_ref().map(|o| o.commit)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// sled keeps the first write error it meets as a global error and fails every later
/// operation with it until the database is reopened, so the store keeps space reserved for
/// sled's file and refuses appends with `StorageFull` while it cannot: appends succeed again
/// once space is back, without a reopen.
#[test]
fn appends_succeed_again_once_space_is_back_and_sled_never_meets_the_full_disk() {
    let Some(fs) = Tmpfs::mount_or_skip() else {
        return;
    };
    let (store, filler, results) = small_appends_on_a_full_disk(&fs);
    for (_, r) in &results {
        if let Err(e) = r {
            assert!(
                matches!(e, AppendError::StorageFull(_)),
                "an append on a full disk: {e:?}\n{}",
                describe(&results)
            );
        }
    }
    if results.iter().any(|(_, r)| r.is_err()) {
        assert!(
            matches!(store.write_health(), WriteHealth::Full(_)),
            "write health after refusals: {:?}",
            store.write_health()
        );
    }
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(store.write_health(), WriteHealth::Writable);
    let out = store.append("ledger-1", ExpectedRevision::Any, vec![ev("E", "after")]);
    assert!(out.is_ok(), "an append once space is back: {out:?}");
    store
        .persist()
        .expect("sled persists again once space is back");
}

/// On a full disk, an acknowledged append is in the log after a reopen, one refused with
/// `StorageFull` is not, and `OutcomeUnknown` (journaled, not installed) is in it.
#[test]
fn every_append_on_a_full_disk_is_kept_exactly_as_its_answer_says() {
    let Some(fs) = Tmpfs::mount_or_skip() else {
        return;
    };
    let (store, filler, mut results) = small_appends_on_a_full_disk(&fs);
    std::fs::remove_file(&filler).unwrap();
    for _ in 0..3 {
        let e = ev("E", "after");
        let id = e.id;
        results.push((id, store.append("ledger-1", ExpectedRevision::Any, vec![e])));
    }
    drop(store);
    let store = StoreConfig::new(fs.path().join("store"))
        .lock_wait(Duration::from_secs(5))
        .open()
        .unwrap();
    let mut missing = Vec::new();
    for (i, (id, r)) in results.iter().enumerate() {
        let there = store.find_event(*id).unwrap().is_some();
        match r {
            Ok(_) => assert!(there, "acknowledged append {i} missing"),
            Err(AppendError::OutcomeUnknown(_)) if !there => missing.push(i),
            Err(AppendError::StorageFull(_)) => assert!(!there, "refused append {i} kept"),
            _ => {}
        }
    }
    assert!(
        missing.is_empty(),
        "appends {missing:?} were refused with OutcomeUnknown but are not in the reopened log \
         (head commit {}):\n{}",
        store.head_commit(),
        describe(&results)
    );
}
