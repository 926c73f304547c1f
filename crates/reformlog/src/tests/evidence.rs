//! Given/when/then tests of a progress report's evidence: documents cited by number, title,
//! link and hash are recorded and shown with the task; malformed evidence is refused and
//! changes nothing; the seed format names documents and takes hashes in capitals.

use super::decide::task_world;
use super::support::*;
use crate::payload::TaskProgress;
use crate::{
    Command, DomainError, EntityDetails, EntityKey, Event, Evidence, EvidenceDocument,
    EvidenceError, Seed, TaskId,
};

const HASH: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

/// What a refusal must be.
type Expected = fn(&EvidenceError) -> bool;

/// The report of 40% on `task` on 2022-02-01 citing `evidence`.
fn reported(task: TaskId, evidence: Evidence) -> Event {
    Event::TaskProgressReported(TaskProgress {
        task,
        percent: 40,
        note: "Đã có dự thảo".to_owned(),
        evidence,
        on: d("2022-02-01"),
        decision: None,
    })
}

fn report(task: TaskId, evidence: Evidence) -> Command {
    Command::restating(&reported(task, evidence))
}

fn cited() -> Evidence {
    Evidence {
        note: Some("công văn số 1".to_owned()),
        documents: vec![EvidenceDocument {
            number: Some("123/BC-BTTTT".to_owned()),
            title: Some("Báo cáo kết quả cải cách hành chính quý I".to_owned()),
            link: Some("https://mic.gov.vn/van-ban/123-bc-btttt.pdf".to_owned()),
            sha256: Some(HASH.to_owned()),
        }],
    }
}

fn last_report(w: &World, task: TaskId, on: &str) -> Option<crate::ProgressReport> {
    let summary = crate::summary::summary(&w.k, EntityKey::Task(task), d(on)).unwrap();
    match summary.details {
        EntityDetails::Task { last_report, .. } => last_report,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_report_citing_documents_is_shown_with_the_task_and_in_its_history() {
    // Given a task, when its progress is reported citing a document,
    let (mut w, task, _) = task_world();
    w.exec(report(task, cited())).unwrap();
    // then its details on a later date show the report with the document,
    let shown = last_report(&w, task, "2022-02-15").unwrap();
    assert_eq!(shown.percent, 40);
    assert_eq!(shown.evidence, cited());
    // none before the report's date,
    assert_eq!(last_report(&w, task, "2022-01-31"), None);
    // and its history holds the event as recorded.
    let history = w.k.history(EntityKey::Task(task));
    let Event::TaskProgressReported(TaskProgress { evidence, .. }) = &history.last().unwrap().event
    else {
        panic!("{history:?}")
    };
    assert_eq!(evidence, &cited());
}

#[test]
fn malformed_evidence_is_refused_and_changes_nothing() {
    let (mut w, task, _) = task_world();
    let before = w.position();
    let with = |f: fn(&mut EvidenceDocument)| {
        let mut e = cited();
        f(&mut e.documents[0]);
        e
    };
    let cases: Vec<(Evidence, Expected)> = vec![
        (
            with(|d| {
                d.number = None;
                d.title = None;
            }),
            |e| matches!(e, EvidenceError::Unnamed { document: 0 }),
        ),
        (
            with(|d| d.link = Some("ftp://mic.gov.vn/123.pdf".to_owned())),
            |e| matches!(e, EvidenceError::BadLink { document: 0, .. }),
        ),
        (
            with(|d| d.link = Some("mic.gov.vn/123.pdf".to_owned())),
            |e| matches!(e, EvidenceError::BadLink { document: 0, .. }),
        ),
        (with(|d| d.sha256 = Some(HASH[..40].to_owned())), |e| {
            matches!(e, EvidenceError::BadHash { document: 0, .. })
        }),
        (with(|d| d.sha256 = Some(HASH.to_uppercase())), |e| {
            matches!(e, EvidenceError::BadHash { document: 0, .. })
        }),
        (with(|d| d.title = Some(" ".to_owned())), |e| {
            matches!(e, EvidenceError::Blank { .. })
        }),
    ];
    for (evidence, expected) in cases {
        match w.exec(report(task, evidence.clone())) {
            Err(DomainError::Evidence(e)) => assert!(expected(&e), "{e:?} for {evidence:?}"),
            other => panic!("{other:?} for {evidence:?}"),
        }
        assert_eq!(w.position(), before, "nothing recorded for {evidence:?}");
    }
    assert_eq!(last_report(&w, task, "2022-02-15"), None);
}

#[test]
fn a_correction_adds_a_document_to_an_earlier_report_and_is_checked_too() {
    // Given a report that cited only free text,
    let (mut w, task, _) = task_world();
    let ids = w
        .exec(report(task, Evidence::note("công văn số 1")))
        .unwrap();
    let corrected = |evidence| reported(task, evidence);
    // a correction naming a malformed document is refused,
    let mut bad = cited();
    bad.documents[0].link = Some("javascript:alert(1)".to_owned());
    let err = w
        .exec(Command::Correct {
            target: ids[0],
            corrected: corrected(bad),
        })
        .unwrap_err();
    // (checked as the record the correction would leave)
    let DomainError::Inconsistent { cause, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(
            **cause,
            DomainError::Evidence(EvidenceError::BadLink { .. })
        ),
        "{err:?}"
    );
    // and one naming the document replaces what the report cites.
    w.exec(Command::Correct {
        target: ids[0],
        corrected: corrected(cited()),
    })
    .unwrap();
    assert_eq!(
        last_report(&w, task, "2022-02-15").unwrap().evidence,
        cited()
    );
}

#[test]
fn the_seed_format_names_documents_and_takes_a_hash_in_capitals() {
    let seed = Seed::parse(&super::seed_v2::every_change()).unwrap();
    let evidence = seed
        .commands()
        .unwrap()
        .into_iter()
        .find_map(|c| match c {
            Command::ReportProgress(TaskProgress { evidence, .. }) => Some(evidence),
            _ => None,
        })
        .unwrap();
    assert_eq!(evidence.note.as_deref(), Some("Công văn số 12"));
    assert_eq!(evidence.documents.len(), 2);
    assert_eq!(evidence.documents[0].number.as_deref(), Some("12/BC-VP"));
    assert_eq!(evidence.documents[0].sha256.as_deref(), Some(HASH));
    assert_eq!(evidence.documents[1].title.as_deref(), Some("Biên bản họp"));
    // A key the format does not have is refused, naming it.
    let typo = super::seed_v2::every_change().replace("title = \"Biên bản họp\"", "tittle = \"x\"");
    let err = Seed::parse(&typo).unwrap_err().to_string();
    assert!(err.contains("tittle"), "{err}");
}

#[test]
fn json_still_takes_evidence_as_text_the_note() {
    let task = TaskId::from_slug("t1").unwrap();
    let json = serde_json::json!({ "report_progress": {
        "task": task, "percent": 40, "note": "Đã có dự thảo",
        "evidence": "công văn số 1", "on": "2022-02-01", "decision": null } });
    let command: Command = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(command, report(task, Evidence::note("công văn số 1")));
    let mut without = json;
    without["report_progress"]
        .as_object_mut()
        .unwrap()
        .remove("evidence");
    let command: Command = serde_json::from_value(without).unwrap();
    assert_eq!(command, report(task, Evidence::default()));
}
