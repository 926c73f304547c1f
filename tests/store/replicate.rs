//! `Store::append_recorded`, a store kept as a copy of another log commit by commit: a
//! follower of a store under concurrent writers ends with the same commits and head digest and
//! keeps them across a reopen; a commit that does not continue the copy, or whose records were
//! altered, is refused and changes nothing; the copy's own appends and retries then go on
//! from the copied log.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reformlog_store::{
    Commit, ExpectedRevision, Hash, ReplicateError, Store, StoreConfig, StreamAppend,
};

use crate::support::ev;

/// Copies every commit of `source` that `copy` lacks, in order; returns how many.
fn follow(source: &Store, copy: &Store) -> u64 {
    let mut copied = 0;
    loop {
        let page = source.read_commits(copy.head_commit() + 1, 64).unwrap();
        if page.is_empty() {
            return copied;
        }
        for commit in &page {
            copy.append_recorded(commit).unwrap();
            copied += 1;
        }
    }
}

#[test]
fn a_follower_of_a_store_under_concurrent_writers_ends_with_its_commits_and_head_digest() {
    let dir = tempfile::tempdir().unwrap();
    let source = Arc::new(Store::open(dir.path().join("source")).unwrap());
    let done = Arc::new(AtomicBool::new(false));
    // Commits the follower has copied so far: a writer waits for the first ones halfway, so
    // the copy runs while commits still arrive.
    let copied = Arc::new(AtomicU64::new(0));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let source = Arc::clone(&source);
            let copied = Arc::clone(&copied);
            std::thread::spawn(move || {
                for i in 0..60 {
                    if w == 0 && i == 30 {
                        let start = std::time::Instant::now();
                        while copied.load(Ordering::SeqCst) == 0 {
                            assert!(start.elapsed() < Duration::from_secs(30), "no follower");
                            std::thread::sleep(Duration::from_millis(1));
                        }
                    }
                    // Single- and multi-stream commits, streams shared between writers.
                    let mut appends = vec![StreamAppend::new(
                        format!("unit-{}", i % 7),
                        ExpectedRevision::Any,
                        vec![ev("Noted", &format!("writer {w} change {i}"))],
                    )];
                    if i % 3 == 0 {
                        appends.push(StreamAppend::new(
                            format!("person-{w}"),
                            ExpectedRevision::Any,
                            vec![
                                ev("Noted", &format!("writer {w} a {i}")),
                                ev("Noted", &format!("writer {w} b {i}")),
                            ],
                        ));
                    }
                    source.append_multi(appends).unwrap();
                }
            })
        })
        .collect();
    let follower = {
        let done = Arc::clone(&done);
        let source = Arc::clone(&source);
        let copied = Arc::clone(&copied);
        let path = dir.path().join("copy");
        std::thread::spawn(move || {
            let copy = Store::open(&path).unwrap();
            let mut during = 0;
            while !done.load(Ordering::SeqCst) {
                during += follow(&source, &copy);
                copied.store(during, Ordering::SeqCst);
            }
            follow(&source, &copy);
            (copy, during)
        })
    };
    for w in writers {
        w.join().unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let (copy, during) = follower.join().unwrap();
    assert!(
        during > 0,
        "the follower copied nothing while the writers appended"
    );

    assert_eq!(copy.head_commit(), source.head_commit());
    for n in 1..=source.head_commit() {
        assert_eq!(
            copy.commit(n).unwrap(),
            source.commit(n).unwrap(),
            "commit {n}"
        );
    }
    let report = copy.verify().unwrap();
    assert!(report.first_break.is_none(), "{report:?}");
    assert_eq!(copy.head().unwrap(), source.head().unwrap());
    assert_eq!(report.head, source.head().unwrap());
    for s in ["unit-0", "unit-6", "person-3"] {
        assert_eq!(
            copy.stream_revision(s).unwrap(),
            source.stream_revision(s).unwrap(),
            "{s}"
        );
    }

    // Durable: a reopened copy holds the same log and verifies.
    let head = copy.head().unwrap();
    let path = copy.path().to_path_buf();
    drop(copy);
    // sled lets go of its lock from its own threads a moment after the drop.
    let copy = StoreConfig::new(&path)
        .lock_wait(Duration::from_secs(5))
        .open()
        .unwrap();
    assert_eq!(copy.head().unwrap(), head);
    assert!(copy.verify().unwrap().first_break.is_none());
}

/// A store at `path` holding one commit per text, each one event on the same stream.
fn log_of(path: std::path::PathBuf, texts: &[String]) -> Store {
    let store = Store::open(path).unwrap();
    for text in texts {
        store
            .append(
                "committee-34",
                ExpectedRevision::Any,
                vec![ev("Noted", text)],
            )
            .unwrap();
    }
    store
}

/// A store with three commits, and an empty one to copy them into.
fn source_and_copy(dir: &std::path::Path) -> (Store, Store) {
    let texts: Vec<String> = (0..3).map(|i| format!("change {i}")).collect();
    let source = log_of(dir.join("source"), &texts);
    (source, Store::open(dir.join("copy")).unwrap())
}

fn refused(copy: &Store, commit: &Commit) -> String {
    let head = copy.head().unwrap();
    let err = copy.append_recorded(commit).unwrap_err();
    assert!(matches!(err, ReplicateError::Mismatch(_)), "{err:?}");
    assert_eq!(
        copy.head().unwrap(),
        head,
        "a refused commit changed the copy"
    );
    err.to_string()
}

#[test]
fn a_commit_that_does_not_continue_the_copy_or_was_altered_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (source, copy) = source_and_copy(dir.path());
    let commits = source.read_commits(1, 10).unwrap();
    assert_eq!(commits.len(), 3);

    // Out of order: commit 2 before commit 1.
    let msg = refused(&copy, &commits[1]);
    assert!(msg.contains("does not follow"), "{msg}");

    // A payload changed after it was hashed.
    let mut altered = commits[0].clone();
    altered.events[0].payload.push(b'!');
    let msg = refused(&copy, &altered);
    assert!(msg.contains("does not match its hash"), "{msg}");

    // A record that names another commit.
    let mut renamed = commits[0].clone();
    renamed.events[0].commit = 2;
    refused(&copy, &renamed);

    // More positions than records.
    let mut short = commits[0].clone();
    short.info.last_position += 1;
    let msg = refused(&copy, &short);
    assert!(msg.contains("holds 1 records"), "{msg}");

    copy.append_recorded(&commits[0]).unwrap();
    // A commit timed before the one it follows, rehashed so that only its time is wrong.
    let mut early = commits[1].clone();
    early.info.recorded_at = commits[0].info.recorded_at;
    early.events[0].recorded_at = early.info.recorded_at;
    early.events[0].hash = reformlog_store::raw::record_hash(&early.events[0]);
    let msg = refused(&copy, &early);
    assert!(msg.contains("not after commit 1"), "{msg}");
    // The same commit again no longer follows.
    refused(&copy, &commits[0]);

    // A commit of another log with the same numbers: its chain does not link to the copy's.
    let texts: Vec<String> = (0..2).map(|i| format!("elsewhere {i}")).collect();
    let other = log_of(dir.path().join("other"), &texts);
    let foreign = other.commit(2).unwrap().unwrap();
    let msg = refused(&copy, &foreign);
    assert!(msg.contains("previous-hash link"), "{msg}");

    // A hash link rewritten to fit, with the hash recomputed to match, still fails: the
    // record's own hash then differs from what it says.
    let mut forged = foreign.clone();
    forged.events[0].prev_hash = copy.head().unwrap().unwrap().hash;
    assert_ne!(forged.events[0].prev_hash, Hash::ZERO);
    let msg = refused(&copy, &forged);
    assert!(msg.contains("does not match its hash"), "{msg}");

    for c in &commits[1..] {
        copy.append_recorded(c).unwrap();
    }
    assert_eq!(copy.head().unwrap(), source.head().unwrap());
}

#[test]
fn the_copy_appends_after_the_copied_log_and_knows_its_event_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (source, copy) = source_and_copy(dir.path());
    follow(&source, &copy);
    let first = source.read_event(1).unwrap().unwrap();

    // A retry of a copied event is recognised as that event.
    let mut again = ev("Noted", "change 0");
    again.id = first.event_id;
    let retry = copy
        .append("committee-34", ExpectedRevision::Any, vec![again])
        .unwrap();
    assert!(retry.deduplicated);
    assert_eq!(retry.first_position, 1);

    // Expected revisions see the copied stream; a new commit follows the copied one.
    let next = copy
        .append(
            "committee-34",
            ExpectedRevision::Exact(2),
            vec![ev("Noted", "change 3")],
        )
        .unwrap();
    assert_eq!((next.commit, next.first_position), (4, 4));
    assert_eq!(
        copy.read_event(4).unwrap().unwrap().prev_hash,
        source.head().unwrap().unwrap().hash
    );
    assert!(copy.verify().unwrap().first_break.is_none());
}
