//! Golden fixtures: record bytes and whole stores written by earlier format versions must
//! decode, with every field, in every later build. A failure here means a format change needs
//! a new version. The stores of formats 1, 2 and 3 hold the same events; they differ only in
//! their index layout, which an open upgrades. The format-4 store holds commits in sled and
//! more in its journal, so reading it decodes records, commit entries and journal frames.

use std::collections::BTreeMap;
use std::path::Path;

use reformlog_store::raw::{decode_record_bytes, encode_record_bytes, record_hash};
use reformlog_store::{Direction, EventFilter, Hash, Metadata, RecordedEvent, Store, Timestamp};
use uuid::Uuid;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The record the fixture holds, field by field.
fn expected_record() -> RecordedEvent {
    let mut extra = BTreeMap::new();
    extra.insert("decision".to_string(), "34/QĐ-BTTTT".to_string());
    let mut r = RecordedEvent {
        position: 42,
        commit: 42,
        stream: "committee-bcd-cchc-btttt".to_string(),
        revision: 3,
        event_id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0042),
        event_type: "MembershipStarted".to_string(),
        schema_version: 1,
        recorded_at: Timestamp::from_micros(1_642_000_000_123_456),
        metadata: Metadata {
            actor: "editor:van-phong-bo".to_string(),
            reason: Some("Kiện toàn Ban chỉ đạo cải cách hành chính".to_string()),
            source: Some("34/QĐ-BTTTT".to_string()),
            correlation_id: Some(Uuid::from_u128(7)),
            causation_id: None,
            extra,
        },
        payload: "Phó Trưởng ban: Đỗ Công Anh".as_bytes().to_vec(),
        prev_hash: Hash([0x11; 32]),
        hash: Hash::ZERO,
    };
    r.hash = record_hash(&r);
    r
}

#[test]
fn record_v1_bytes_decode_to_every_field() {
    let hex_text = std::fs::read_to_string(fixtures().join("record-v1.hex")).unwrap();
    let bytes = hex::decode(hex_text.trim()).unwrap();
    let decoded = decode_record_bytes(&bytes).unwrap();
    assert_eq!(decoded, expected_record());
    // The hash covers the canonical layout, which must not drift either.
    assert_eq!(record_hash(&decoded), decoded.hash);
    let hash_text = std::fs::read_to_string(fixtures().join("record-v1.hash")).unwrap();
    assert_eq!(decoded.hash.to_hex(), hash_text.trim());
    // Today's encoder still writes the same bytes for version 1.
    assert_eq!(encode_record_bytes(&decoded).unwrap(), bytes);
}

#[test]
fn store_v1_fixture_opens_reads_and_verifies() {
    check_store_fixture("store-v1");
}

#[test]
fn store_v2_fixture_opens_reads_and_verifies() {
    check_store_fixture("store-v2");
}

#[test]
fn store_v3_fixture_opens_reads_and_verifies() {
    check_store_fixture("store-v3");
}

/// The store fixture `name` opened and verified, its head the one `name.head` kept, with
/// every event it holds. A store is opened for writing, so this works on a copy of the
/// committed folder.
fn open_fixture(name: &str) -> (tempfile::TempDir, Store, Vec<RecordedEvent>) {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_dir(&fixtures().join(name), dir.path());
    let store = Store::open(dir.path()).unwrap();
    let report = store.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    let kept = std::fs::read_to_string(fixtures().join(format!("{name}.head"))).unwrap();
    let (pos, hash) = kept.trim().split_once(' ').unwrap();
    let head = store.head().unwrap().unwrap();
    assert_eq!(head.position, pos.parse::<u64>().unwrap());
    assert_eq!(head.hash.to_hex(), hash);
    let events = store
        .read_all(None, Direction::Forward, 100, &EventFilter::all())
        .unwrap()
        .events;
    (dir, store, events)
}

fn check_store_fixture(name: &str) {
    let (_dir, store, events) = open_fixture(name);
    assert_eq!(events.len(), 5);
    assert_eq!(events[0].stream, "committee-bcd");
    assert_eq!(
        String::from_utf8(events[4].payload.clone()).unwrap(),
        "Tổ trưởng: Phạm Minh Tiến"
    );
    assert_eq!(
        store.stream_revision("person-pham-minh-tien").unwrap(),
        Some(1)
    );
    let tien = store
        .read_stream("person-pham-minh-tien", None, Direction::Backward, 10)
        .unwrap();
    assert_eq!(
        tien.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![5, 3]
    );
    assert_eq!(
        store
            .find_event(events[1].event_id)
            .unwrap()
            .map(|e| e.position),
        Some(2)
    );
}

#[test]
fn store_v4_fixture_reads_every_field_of_records_commits_and_journal_frames() {
    let (_dir, store, events) = open_fixture("store-v4");
    // sled's files were taken before the last commits: they come from the journal's frames.
    assert_eq!(store.recovery().reapplied_commits, 3);
    let expected: Vec<RecordedEvent> = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("store-v4.events.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(events, expected);
    let commits: Vec<reformlog_store::CommitInfo> = (1..=store.head_commit())
        .map(|n| store.commit_info(n).unwrap().unwrap())
        .collect();
    let expected: Vec<reformlog_store::CommitInfo> = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("store-v4.commits.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(commits, expected);
    // The packed indexes answer for every event.
    for e in &events {
        assert_eq!(
            store.find_event(e.event_id).unwrap().map(|f| f.position),
            Some(e.position)
        );
        let by_stream = store
            .read_stream(&e.stream, Some(e.revision), Direction::Forward, 1)
            .unwrap();
        assert_eq!(by_stream[0].position, e.position);
    }
}

/// Writes the fixtures of the current format version (record bytes are still version 1). Run
/// once per format version (`--ignored`), rename the store fixture if the version moved, then
/// commit the files; never regenerate them for an existing version.
#[test]
#[ignore = "writes the golden fixtures; run only when introducing a new format version"]
fn write_golden_fixtures() {
    use reformlog_store::{ExpectedRevision, StreamAppend};
    let dir = fixtures();
    std::fs::create_dir_all(&dir).unwrap();
    let r = expected_record();
    std::fs::write(
        dir.join("record-v1.hex"),
        hex::encode(encode_record_bytes(&r).unwrap()) + "\n",
    )
    .unwrap();
    std::fs::write(dir.join("record-v1.hash"), r.hash.to_hex() + "\n").unwrap();

    let (_, store) = fresh_store(&dir.join("store-v3"));
    store
        .append_multi(vec![
            StreamAppend::new(
                "committee-bcd",
                ExpectedRevision::NoStream,
                vec![golden_event("CommitteeReconstituted", "Ban chỉ đạo CCHC")],
            ),
            membership(
                "person-nguyen-huy-dung",
                ExpectedRevision::NoStream,
                "Trưởng ban: Nguyễn Huy Dũng",
            ),
        ])
        .unwrap();
    for (stream, revision, text) in [
        (
            "person-pham-minh-tien",
            ExpectedRevision::NoStream,
            "Phó Trưởng ban: Phạm Minh Tiến",
        ),
        (
            "person-do-cong-anh",
            ExpectedRevision::NoStream,
            "Phó Trưởng ban: Đỗ Công Anh",
        ),
        (
            "person-pham-minh-tien",
            ExpectedRevision::Exact(0),
            "Tổ trưởng: Phạm Minh Tiến",
        ),
    ] {
        store
            .append_multi(vec![membership(stream, revision, text)])
            .unwrap();
    }
    let head = store.head().unwrap().unwrap();
    std::fs::write(
        dir.join("store-v3.head"),
        format!("{} {}\n", head.position, head.hash),
    )
    .unwrap();
}

/// A new store at `store_dir`, replacing any there, for a fixture writer.
fn fresh_store(store_dir: &Path) -> (std::path::PathBuf, Store) {
    let _ = std::fs::remove_dir_all(store_dir);
    (store_dir.to_path_buf(), Store::open(store_dir).unwrap())
}

/// One event of the store fixtures: its payload names `text`, an editor recorded it citing
/// Decision 34.
fn golden_event(event_type: &str, text: &str) -> reformlog_store::NewEvent {
    reformlog_store::NewEvent::new(
        event_type,
        1,
        text.as_bytes().to_vec(),
        Metadata::by("editor:golden").with_source("34/QĐ-BTTTT"),
    )
}

/// The membership `text` names started on `stream`, expected at `revision`: one append of
/// the store fixtures.
fn membership(
    stream: &str,
    revision: reformlog_store::ExpectedRevision,
    text: &str,
) -> reformlog_store::StreamAppend {
    reformlog_store::StreamAppend::new(
        stream,
        revision,
        vec![golden_event("MembershipStarted", text)],
    )
}

/// Writes the format-4 store fixture: commits of one and several streams, events whose
/// metadata differs from their commit's, and sled's files as they were before the last three
/// commits (so those are read from journal frames; one segment, so that no trimming races the
/// copy). Run once
/// (`--ignored`) and commit the files; never regenerate them for format 4.
#[test]
#[ignore = "writes the golden fixtures; run only when introducing a new format version"]
fn write_golden_store_v4() {
    use reformlog_store::{ExpectedRevision, NewEvent, StreamAppend};
    let dir = fixtures();
    let (store_dir, store) = fresh_store(&dir.join("store-v4"));
    let ev = golden_event;
    store
        .append_multi(vec![
            StreamAppend::new(
                "committee-bcd",
                ExpectedRevision::NoStream,
                vec![
                    ev("CommitteeReconstituted", "Ban chỉ đạo CCHC"),
                    ev("SeatCreated", "Trưởng ban"),
                ],
            ),
            membership(
                "person-nguyen-huy-dung",
                ExpectedRevision::NoStream,
                "Trưởng ban: Nguyễn Huy Dũng",
            ),
        ])
        .unwrap();
    let own = Metadata::by("editor:golden")
        .with_reason("Kiện toàn Ban chỉ đạo")
        .with_correlation(Uuid::from_u128(7))
        .with_causation(Uuid::from_u128(8))
        .with_extra("decision", "34/QĐ-BTTTT");
    store
        .append(
            "person-pham-minh-tien",
            ExpectedRevision::NoStream,
            vec![
                ev("MembershipStarted", "Phó Trưởng ban: Phạm Minh Tiến"),
                NewEvent::new(
                    "PersonRenamed",
                    2,
                    "Phạm Minh Tiến".as_bytes().to_vec(),
                    own,
                ),
            ],
        )
        .unwrap();
    store.sync().unwrap();
    store.persist().unwrap();
    // sled's files as they are now; the commits after this live only in the journal.
    let saved = tempfile::tempdir().unwrap();
    for f in ["db", "conf"] {
        std::fs::copy(store_dir.join(f), saved.path().join(f)).unwrap();
    }
    store
        .append_multi(vec![membership(
            "person-do-cong-anh",
            ExpectedRevision::NoStream,
            "Phó Trưởng ban: Đỗ Công Anh",
        )])
        .unwrap();
    store
        .append_multi(vec![
            membership(
                "person-pham-minh-tien",
                ExpectedRevision::Exact(1),
                "Tổ trưởng: Phạm Minh Tiến",
            ),
            StreamAppend::new(
                "committee-bcd",
                ExpectedRevision::Exact(1),
                vec![ev("SeatHolderReplaced", "Tổ trưởng")],
            ),
        ])
        .unwrap();
    store
        .append(
            "committee-bcd",
            ExpectedRevision::Exact(2),
            vec![NewEvent::new(
                "DutiesSet",
                1,
                Vec::new(),
                Metadata::by("admin:golden"),
            )],
        )
        .unwrap();
    let head = store.head().unwrap().unwrap();
    let events = store
        .read_all(None, Direction::Forward, 100, &EventFilter::all())
        .unwrap()
        .events;
    let commits: Vec<reformlog_store::CommitInfo> = (1..=store.head_commit())
        .map(|n| store.commit_info(n).unwrap().unwrap())
        .collect();
    drop(store);
    for f in ["db", "conf"] {
        std::fs::copy(saved.path().join(f), store_dir.join(f)).unwrap();
    }
    for entry in std::fs::read_dir(&store_dir).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") || name == "blobs" {
            let _ = std::fs::remove_dir_all(store_dir.join(&*name));
            let _ = std::fs::remove_file(store_dir.join(&*name));
        }
    }
    std::fs::write(
        dir.join("store-v4.head"),
        format!("{} {}\n", head.position, head.hash),
    )
    .unwrap();
    std::fs::write(
        dir.join("store-v4.events.json"),
        serde_json::to_string_pretty(&events).unwrap() + "\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("store-v4.commits.json"),
        serde_json::to_string_pretty(&commits).unwrap() + "\n",
    )
    .unwrap();
}
