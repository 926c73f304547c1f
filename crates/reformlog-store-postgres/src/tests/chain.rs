//! The integrity walk over rows tampered with by SQL, and versioned schema migrations.

use reformlog_store::{BreakKind, ExpectedRevision};

use super::{event, TestDb};
use crate::{PgError, SCHEMA_VERSION};

/// A log of ten events in four commits: positions 1, 2-4, 5-7, 8-10.
fn ten_events(db: &TestDb) -> crate::PgLog {
    let log = db.log();
    log.append(
        "committee-bcd",
        ExpectedRevision::NoStream,
        vec![event("Est", 0)],
    )
    .unwrap();
    for c in 0..3 {
        let events = (0..3).map(|i| event("MemberAdded", c * 3 + i)).collect();
        log.append("committee-bcd", ExpectedRevision::Any, events)
            .unwrap();
    }
    let report = log.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.checked, 10);
    assert_eq!(report.head, log.head().unwrap());
    log
}

/// Tampers with the ten-event log and returns where and how the walk breaks.
fn break_after(sql: &str) -> Option<(u64, BreakKind, u64)> {
    let db = TestDb::new()?;
    let log = ten_events(&db);
    db.sql(sql);
    let report = log.verify().unwrap();
    let b = report.first_break.expect("the walk breaks");
    Some((b.position, b.kind, report.checked))
}

#[test]
fn a_changed_payload_is_named_at_its_position() {
    let Some((position, kind, checked)) =
        break_after("UPDATE reformlog_events SET payload = '\\x7b7d' WHERE position = 6")
    else {
        return;
    };
    assert_eq!((position, kind, checked), (6, BreakKind::ContentChanged, 5));
}

#[test]
fn a_changed_time_breaks_the_commit_s_first_record() {
    let Some((position, kind, _)) =
        break_after("UPDATE reformlog_commits SET recorded_at = recorded_at + 1 WHERE number = 3")
    else {
        return;
    };
    assert_eq!((position, kind), (5, BreakKind::ContentChanged));
}

#[test]
fn a_relinked_record_is_a_broken_link() {
    let Some((position, kind, _)) = break_after(
        "UPDATE reformlog_events SET prev_hash = (SELECT hash FROM reformlog_events WHERE position = 1) \
         WHERE position = 4",
    ) else {
        return;
    };
    assert_eq!((position, kind), (4, BreakKind::BrokenLink));
}

#[test]
fn a_deleted_record_is_missing() {
    let Some((position, kind, checked)) =
        break_after("DELETE FROM reformlog_events WHERE position = 8")
    else {
        return;
    };
    assert_eq!((position, kind, checked), (8, BreakKind::Missing, 7));
}

#[test]
fn a_truncated_tail_is_behind_the_head_row() {
    let Some((position, kind, checked)) = break_after(
        "DELETE FROM reformlog_events WHERE position >= 8; \
                     DELETE FROM reformlog_commits WHERE number = 4",
    ) else {
        return;
    };
    assert_eq!(checked, 7);
    assert_eq!(
        (position, kind),
        (
            8,
            BreakKind::BehindAcknowledged {
                commit: 4,
                position: 10
            }
        )
    );
}

#[test]
fn a_hash_of_the_wrong_length_does_not_decode() {
    let Some((position, kind, _)) =
        break_after("UPDATE reformlog_events SET hash = '\\x00' WHERE position = 2")
    else {
        return;
    };
    assert_eq!(position, 2);
    assert!(matches!(kind, BreakKind::Undecodable(_)), "{kind:?}");
}

#[test]
fn migrations_apply_once_and_a_newer_schema_is_refused() {
    let Some(db) = TestDb::new() else { return };
    // Several daemons starting together on an empty schema: one migrates, the others wait.
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let config = db.config.clone();
            std::thread::spawn(move || crate::PgLog::connect_with(&config).map(|_| ()))
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    let log = db.log();
    log.append(
        "committee-bcd",
        ExpectedRevision::NoStream,
        vec![event("Est", 0)],
    )
    .unwrap();
    // Reconnecting keeps the log.
    assert_eq!(db.log().head_position().unwrap(), 1);

    db.sql("UPDATE reformlog_schema SET version = 7");
    let err = crate::PgLog::connect_with(&db.config).unwrap_err();
    assert!(
        matches!(err, PgError::NewerSchema { found: 7, supported } if supported == SCHEMA_VERSION),
        "{err}"
    );
    assert!(err.to_string().contains("version 7"), "{err}");
}
