//! Per-change keys: a change already recorded is skipped whatever write it came in, a
//! creation recorded with other content is a conflict naming the change, and a dry run
//! appends nothing.

use super::engine::{ctx, open, seeded_log};
use super::support::*;
use crate::payload::TaskProgress;
use crate::{Command, Error, Seed};

fn task(slug: &str, deadline: &str) -> Command {
    plain_task(slug, deadline, None)
}

#[test]
fn only_the_changes_not_yet_recorded_are_appended() {
    let (_dir, log) = seeded_log();
    let per_change = ctx().with_change_keys();
    let first = log
        .execute_all(
            vec![task("t1", "2022-06-30"), rename("to-vien-3", "Tổ viên 3a")],
            &per_change,
        )
        .unwrap();
    assert_eq!(first.events.len(), 2);
    assert!(first.skipped.is_empty());
    // The same two and one more, in another write: only the new one is appended.
    let head = log.store().head_position();
    let second = log
        .execute_all(
            vec![
                task("t1", "2022-06-30"),
                rename("to-vien-3", "Tổ viên 3a"),
                task("t2", "2022-09-30"),
            ],
            &per_change,
        )
        .unwrap();
    assert_eq!(second.skipped, vec![0, 1]);
    assert_eq!(second.events.len(), 1);
    assert_eq!(second.first_position, head + 1);
    assert!(!second.deduplicated);
    // All three again: nothing is appended and the write says so.
    let third = log
        .execute_all(
            vec![task("t2", "2022-09-30"), task("t1", "2022-06-30")],
            &per_change,
        )
        .unwrap();
    assert!(third.deduplicated);
    assert!(third.events.is_empty());
    assert_eq!(log.store().head_position(), head + 1);
}

#[test]
fn a_creation_recorded_with_other_content_is_a_conflict_naming_the_change() {
    let (_dir, log) = seeded_log();
    let per_change = ctx().with_change_keys();
    log.execute(task("t1", "2022-06-30"), &per_change).unwrap();
    let head = log.store().head_position();
    let err = log
        .execute_all(
            vec![task("t2", "2022-09-30"), task("t1", "2022-07-31")],
            &per_change,
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::ChangeConflict { index: 1, key } if key.starts_with("change:task:")),
        "{err:?}"
    );
    // Nothing of the write was appended, not even the new task before it.
    assert_eq!(log.store().head_position(), head);
}

#[test]
fn a_refused_change_is_named_by_its_index() {
    let (_dir, log) = seeded_log();
    let err = log
        .execute_all(
            vec![
                rename("to-vien-3", "Tổ viên 3a"),
                rename("khong-co-ai", "Không có"),
            ],
            &ctx().with_change_keys(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Refused { index: 1, .. }), "{err:?}");
}

#[test]
fn a_dry_run_decides_and_appends_nothing() {
    let (_dir, log) = seeded_log();
    let per_change = ctx().with_change_keys();
    log.execute(task("t1", "2022-06-30"), &per_change).unwrap();
    let head = log.store().head_position();
    let planned = log
        .dry_run(
            vec![task("t1", "2022-06-30"), task("t2", "2022-09-30")],
            &per_change,
        )
        .unwrap();
    assert_eq!(planned.skipped, vec![0]);
    assert_eq!(planned.events.len(), 1);
    assert_eq!(log.store().head_position(), head);
    // A dry run reports a refusal as the write would.
    assert!(log
        .dry_run(vec![rename("khong-co-ai", "Không có")], &ctx())
        .is_err());
}

#[test]
fn keys_of_both_kinds_cannot_be_combined() {
    let (_dir, log) = open();
    let both = ctx().with_change_keys().with_idempotency_key("k");
    let err = log.execute(task("t1", "2022-06-30"), &both).unwrap_err();
    assert!(matches!(err, Error::Options(_)), "{err:?}");
}

#[test]
fn a_seed_loaded_again_after_an_addition_appends_only_the_addition() {
    let (_dir, log) = seeded_log();
    let head = log.store().head_position();
    let seed = Seed::parse(SEED).unwrap();
    assert_eq!(log.load_seed(&seed, &ctx()).unwrap(), 0);
    assert_eq!(log.store().head_position(), head);
    let grown = format!("{SEED}\n[[people]]\nslug = \"thanh-vien-99\"\nname = \"Thành viên 99\"\n");
    let seed = Seed::parse(&grown).unwrap();
    assert_eq!(log.load_seed(&seed, &ctx()).unwrap(), 1);
    assert_eq!(log.store().head_position(), head + 1);
}

/// Keys and fingerprints of progress reports as the build before evidence documents computed
/// them: a report citing none keeps them, so a file imported then is skipped when imported
/// again; one citing documents is a change those builds could not record.
#[test]
fn a_progress_report_without_documents_keeps_the_key_older_builds_gave_it() {
    let task = crate::TaskId::from_slug("nv-1").unwrap();
    let report = |evidence: crate::Evidence, decision| {
        Command::ReportProgress(TaskProgress {
            task,
            percent: 60,
            note: "Đang làm".to_owned(),
            evidence,
            on: d("2022-03-01"),
            decision,
        })
    };
    let cited = Some(decision("qd-34-2022"));
    let note = || crate::Evidence::note("công văn số 1");
    for (command, print) in [
        (
            report(crate::Evidence::default(), None),
            "3a51fa35-d17d-565e-a141-170766240869",
        ),
        (
            report(crate::Evidence::default(), cited),
            "5bfde118-b465-5629-95a0-39d2ee2759d8",
        ),
        (report(note(), None), "8bd22d6c-c72c-5c71-805f-c71e30408004"),
        (
            report(note(), cited),
            "75f723bd-7d60-5d22-afa6-adbcbfb833e4",
        ),
    ] {
        assert_eq!(
            crate::idempotency::fingerprint(std::slice::from_ref(&command)).unwrap(),
            print
        );
        assert_eq!(
            command.change_key().unwrap(),
            format!("change:content:{print}")
        );
    }
    let mut with_document = note();
    with_document.documents.push(crate::EvidenceDocument {
        number: Some("123/BC-BTTTT".to_owned()),
        ..crate::EvidenceDocument::default()
    });
    let key = report(with_document, None).change_key().unwrap();
    assert!(key.starts_with("change:content:"), "{key}");
    assert_ne!(key, "change:content:8bd22d6c-c72c-5c71-805f-c71e30408004");
}
