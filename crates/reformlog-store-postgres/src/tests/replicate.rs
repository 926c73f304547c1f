//! Whole commits across backends: a sled log copied here and back commit for commit with the
//! same head digest, recorded commits that do not continue this log refused leaving it as it
//! was, and appends after a copy that continue it.

use reformlog_store::{
    raw::record_hash, Commit, ExpectedRevision, HeadDigest, Store, StreamAppend, Timestamp,
};

use super::{event, TestDb};
use crate::{PgError, PgLog};

/// A sled log of `commits` commits over three streams, every third one across two of them.
fn sled_log(dir: &std::path::Path, commits: u64) -> Store {
    let store = Store::open(dir).unwrap();
    for n in 0..commits {
        let stream = format!("committee-{}", n % 3);
        let mut appends = vec![StreamAppend::new(
            stream,
            ExpectedRevision::Any,
            vec![event("MemberAdded", n), event("MemberAdded", n + 1000)],
        )];
        if n % 3 == 0 {
            appends.push(StreamAppend::new(
                "task-9",
                ExpectedRevision::Any,
                vec![event("TaskAssigned", n)],
            ));
        }
        store.append_multi(appends).unwrap();
    }
    store
}

fn all_sled(store: &Store) -> Vec<Commit> {
    store.read_commits(1, usize::MAX).unwrap()
}

fn all_pg(log: &PgLog) -> Vec<Commit> {
    log.read_commits(1, usize::MAX).unwrap()
}

#[test]
fn a_sled_log_copied_here_and_back_keeps_every_commit_and_the_head_digest() {
    let Some(db) = TestDb::new() else { return };
    let dir = tempfile::tempdir().unwrap();
    let source = sled_log(&dir.path().join("source"), 40);
    let log = db.log();
    // In batches of unequal size, so a batch boundary falls inside nothing special.
    let commits = all_sled(&source);
    for batch in commits.chunks(7) {
        log.append_recorded(batch).unwrap();
    }
    assert_eq!(all_pg(&log), commits, "every field of every commit");
    assert_eq!(log.head().unwrap(), source.head().unwrap());
    assert_eq!(log.head_commit().unwrap(), 40);
    assert!(log.verify().unwrap().is_ok());
    for stream in ["committee-0", "committee-1", "committee-2", "task-9"] {
        assert_eq!(
            log.stream_revision(stream).unwrap(),
            source.stream_revision(stream).unwrap()
        );
    }
    // Pages of the log by commit meet without a gap or an overlap.
    let mut paged = Vec::new();
    let mut from = 1;
    loop {
        let page = log.read_commits(from, 6).unwrap();
        let Some(last) = page.last() else { break };
        from = last.info.number + 1;
        paged.extend(page);
    }
    assert_eq!(paged, commits);

    let back = Store::open(dir.path().join("back")).unwrap();
    for commit in all_pg(&log) {
        back.append_recorded(&commit).unwrap();
    }
    assert_eq!(all_sled(&back), commits);
    assert_eq!(back.head().unwrap(), source.head().unwrap());
    assert!(back.verify().unwrap().is_ok());
}

/// The head digest and commit count, to show a refusal changed nothing.
fn state(log: &PgLog) -> (Option<HeadDigest>, u64) {
    (log.head().unwrap(), log.head_commit().unwrap())
}

fn refused(log: &PgLog, commits: &[Commit], why: &str) {
    let before = state(log);
    match log.append_recorded(commits) {
        Err(PgError::Mismatch(reason)) => assert!(reason.contains(why), "{why}: {reason}"),
        other => panic!("{why}: {other:?}"),
    }
    assert_eq!(state(log), before, "{why}: nothing written");
}

#[test]
fn recorded_commits_that_do_not_continue_this_log_are_refused_and_change_nothing() {
    let Some(db) = TestDb::new() else { return };
    let dir = tempfile::tempdir().unwrap();
    let source = sled_log(&dir.path().join("source"), 6);
    let commits = all_sled(&source);
    let log = db.log();
    log.append_recorded(&commits[..2]).unwrap();

    refused(&log, &commits[3..4], "does not follow");
    // The same commit again: its events are here already.
    refused(&log, &commits[..1], "stored already");
    // A batch is all or nothing: its good first commit is not kept either.
    refused(
        &log,
        &[commits[2].clone(), commits[4].clone()],
        "does not follow",
    );

    let mut altered = commits[2].clone();
    altered.events[0].payload = b"{\"n\":77}".to_vec();
    refused(&log, &[altered], "does not match its hash");

    let mut early = commits[2].clone();
    early.info.recorded_at = commits[1].info.recorded_at;
    for r in &mut early.events {
        r.recorded_at = early.info.recorded_at;
    }
    rechain(&mut early, commits[1].events.last().unwrap().hash);
    refused(&log, &[early], "not after commit 2");

    // Another log's third commit: the same numbers, its own chain.
    let other = sled_log(&dir.path().join("other"), 3);
    refused(&log, &all_sled(&other)[2..3], "previous-hash link");

    // An event id this log holds already, in an otherwise well-formed next commit.
    let mut reused = commits[2].clone();
    reused.events[0].event_id = commits[0].events[0].event_id;
    rechain(&mut reused, commits[1].events.last().unwrap().hash);
    refused(&log, &[reused], "stored already");

    let mut skipped = commits[2].clone();
    for r in &mut skipped.events {
        r.revision += 1;
    }
    rechain(&mut skipped, commits[1].events.last().unwrap().hash);
    refused(&log, &[skipped], "where this log is at");

    // After all that, the real next commits still go in.
    log.append_recorded(&commits[2..]).unwrap();
    assert_eq!(log.head().unwrap(), source.head().unwrap());
}

/// Re-links and re-hashes `commit`'s records after `prev`, so that only the change made to it
/// is wrong.
fn rechain(commit: &mut Commit, prev: reformlog_store::Hash) {
    let mut prev = prev;
    for r in &mut commit.events {
        r.prev_hash = prev;
        r.hash = record_hash(r);
        prev = r.hash;
    }
}

#[test]
fn appends_after_a_copy_continue_it_later_in_time_and_deduplicate_copied_events() {
    let Some(db) = TestDb::new() else { return };
    let dir = tempfile::tempdir().unwrap();
    let source = sled_log(&dir.path().join("source"), 5);
    let commits = all_sled(&source);
    let log = db.log();
    log.append_recorded(&commits).unwrap();
    let last = commits.last().unwrap();

    // A retry of a copied event is the copied commit's outcome.
    let first = &commits[0].events[0];
    let retry = reformlog_store::NewEvent {
        id: first.event_id,
        ..event("MemberAdded", 0)
    };
    let outcome = log
        .append(&first.stream, ExpectedRevision::Any, vec![retry])
        .unwrap();
    assert!(outcome.deduplicated);
    assert_eq!(outcome.commit, 1);

    let outcome = log
        .append(
            "committee-0",
            ExpectedRevision::Exact(3),
            vec![event("Met", 9)],
        )
        .unwrap();
    assert_eq!(outcome.commit, last.info.number + 1);
    assert_eq!(outcome.first_position, last.info.last_position + 1);
    let new = log.commit(outcome.commit).unwrap().unwrap();
    assert!(new.info.recorded_at > last.info.recorded_at);
    assert_eq!(new.events[0].prev_hash, last.events.last().unwrap().hash);
    assert!(log.verify().unwrap().is_ok());
    assert!(Timestamp::now() >= new.info.recorded_at);
}
