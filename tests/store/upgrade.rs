//! Older stores are upgraded on open to today's packed indexes (rebuilt from the records) and
//! to format 4's commits and journal, with every read answering as before; an interrupted
//! upgrade or cleanup is finished.

use std::path::Path;

use reformlog_store::raw::encode_record_bytes;
use reformlog_store::{
    AppendError, Direction, EventFilter, ExpectedRevision, RecordedEvent, Store, StreamAppend,
};

use crate::support::{ev, raw_db};

const LOG_TREE: &str = "reformlog.log.v1";

/// Every answer the indexes give: each stream both ways, its revision, each event by id.
fn snapshot(store: &Store, streams: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let all = store
        .read_all(None, Direction::Forward, usize::MAX, &EventFilter::all())
        .unwrap()
        .events;
    for s in streams {
        let fwd: Vec<u64> = store
            .read_stream(s, None, Direction::Forward, usize::MAX)
            .unwrap()
            .iter()
            .map(|e| e.position)
            .collect();
        let bwd: Vec<u64> = store
            .read_stream(s, None, Direction::Backward, usize::MAX)
            .unwrap()
            .iter()
            .map(|e| e.position)
            .collect();
        let mid: Vec<u64> = store
            .read_stream(s, Some(70), Direction::Backward, 5)
            .unwrap()
            .iter()
            .map(|e| e.position)
            .collect();
        let rev = store.stream_revision(s).unwrap();
        out.push(format!("{s} {fwd:?} {bwd:?} {mid:?} {rev:?}"));
    }
    for e in &all {
        let found = store.find_event(e.event_id).unwrap().map(|r| r.position);
        out.push(format!("{} {found:?}", e.event_id));
    }
    out
}

/// Rewrites a current store the way format 1 kept it: `records` (read from it beforehand) in
/// record layout 1, one index key per entry, no commit table and no journal.
#[allow(
    clippy::disallowed_types,
    reason = "writes an older format's keys underneath the store, as only sled itself can"
)]
pub(crate) fn downgrade_to_v1(dir: &Path, records: &[RecordedEvent]) {
    std::fs::remove_dir_all(dir.join("journal")).unwrap();
    let db = raw_db(dir);
    let tree = db.open_tree(LOG_TREE).unwrap();
    let mut batch = sled::Batch::default();
    for k in tree.range([0x50u8]..[0x51u8]).keys() {
        batch.remove(k.unwrap());
    }
    for r in records {
        let mut key = vec![0x10u8];
        key.extend_from_slice(&r.position.to_be_bytes());
        batch.insert(key.clone(), encode_record_bytes(r).unwrap());
        let mut stream_key = vec![0x40];
        stream_key.extend_from_slice(r.stream.as_bytes());
        let no = tree.get(&stream_key).unwrap().unwrap();
        let mut rev_key = vec![0x20];
        rev_key.extend_from_slice(&no);
        rev_key.extend_from_slice(&r.revision.to_be_bytes());
        batch.insert(rev_key, &key[1..]);
        let mut id_key = vec![0x30];
        id_key.extend_from_slice(r.event_id.as_bytes());
        batch.insert(id_key, &key[1..]);
    }
    for prefix in [0x22u8, 0x32] {
        for k in tree.range([prefix]..[prefix + 1]).keys() {
            batch.remove(k.unwrap());
        }
    }
    // Half-written packed entries, as an upgrade stopped before its header moved leaves them.
    batch.insert(
        &[0x22u8, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0][..],
        &[1u8; 5][..],
    );
    batch.insert(&[0x32u8, 0, 3, 0xff, 0xff][..], &[7u8; 24][..]);
    let mut header = tree.get([0x00u8]).unwrap().unwrap().to_vec();
    header[16..20].copy_from_slice(&1u32.to_be_bytes());
    batch.insert(&[0x00u8][..], header);
    tree.apply_batch(batch).unwrap();
    db.flush().unwrap();
}

fn prefixes(dir: &Path) -> (Vec<u8>, u32) {
    let db = raw_db(dir);
    let tree = db.open_tree(LOG_TREE).unwrap();
    let mut seen: Vec<u8> = tree.iter().keys().map(|k| k.unwrap()[0]).collect();
    seen.dedup();
    let header = tree.get([0x00u8]).unwrap().unwrap();
    let version = u32::from_be_bytes(header[16..20].try_into().unwrap());
    (seen, version)
}

#[test]
fn a_format_1_store_is_upgraded_and_answers_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let mut streams = vec!["committee-long".to_string()];
    let (before, head, records) = {
        let store = Store::open(dir.path()).unwrap();
        // 150 events: a stream spanning ten index chunks, interleaved with short streams.
        for i in 0..150u64 {
            let person = format!("person-{}", i % 40);
            if i < 40 {
                streams.push(person.clone());
            }
            store
                .append_multi(vec![
                    StreamAppend::new(
                        "committee-long",
                        ExpectedRevision::Any,
                        vec![ev("MembershipStarted", &format!("Thành viên {i}"))],
                    ),
                    StreamAppend::new(
                        person,
                        ExpectedRevision::Any,
                        vec![ev("PersonRegistered", &format!("Thành viên {i}"))],
                    ),
                ])
                .unwrap();
        }
        let records = store
            .read_all(None, Direction::Forward, usize::MAX, &EventFilter::all())
            .unwrap()
            .events;
        (snapshot(&store, &streams), store.head().unwrap(), records)
    };
    downgrade_to_v1(dir.path(), &records);
    assert_eq!(
        prefixes(dir.path()),
        (vec![0x00, 0x01, 0x10, 0x20, 0x22, 0x30, 0x32, 0x40], 1)
    );

    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.recovery().upgraded_from, Some(1));
    assert_eq!(snapshot(&store, &streams), before);
    // Format 1 marked no commits: each event became one.
    assert_eq!(store.head_commit(), 300);
    let report = store.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.head, head);
    // The upgraded indexes keep working for writes: revisions go on, retries are recognised.
    let next = store
        .append(
            "committee-long",
            ExpectedRevision::Exact(149),
            vec![ev("MembershipEnded", "Thành viên 3")],
        )
        .unwrap();
    assert_eq!(next.streams, vec![("committee-long".to_string(), 150)]);
    let first = store
        .read_stream("committee-long", None, Direction::Forward, 1)
        .unwrap()
        .remove(0);
    let retry = NewEventFrom(&first).event();
    let again = store
        .append("committee-long", ExpectedRevision::Any, vec![retry])
        .unwrap();
    assert!(again.deduplicated);
    assert_eq!(again.first_position, first.position);
    drop(store);
    assert_eq!(
        prefixes(dir.path()),
        (vec![0x00, 0x01, 0x02, 0x10, 0x22, 0x32, 0x40, 0x50], 4)
    );
}

#[test]
fn an_interrupted_cleanup_is_finished_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store
            .append("person-1", ExpectedRevision::NoStream, vec![ev("E", "a")])
            .unwrap();
    }
    {
        let db = raw_db(dir.path());
        let tree = db.open_tree(LOG_TREE).unwrap();
        tree.insert([0x20u8, 1, 2], &[0u8; 8]).unwrap();
        tree.insert([0x30u8, 3], &[0u8; 8]).unwrap();
        tree.insert([0x21u8, 4], &[0u8; 8]).unwrap();
        tree.insert([0x31u8, 5], &[0u8; 24]).unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert!(store.verify().unwrap().is_ok());
    assert!(matches!(
        store.append("person-1", ExpectedRevision::NoStream, vec![ev("E", "b")]),
        Err(AppendError::WrongExpectedRevision { .. })
    ));
    drop(store);
    assert_eq!(
        prefixes(dir.path()),
        (vec![0x00, 0x01, 0x10, 0x22, 0x32, 0x40, 0x50], 4)
    );
}

/// The same event again, as a client retrying it would send it.
struct NewEventFrom<'a>(&'a RecordedEvent);

impl NewEventFrom<'_> {
    fn event(&self) -> reformlog_store::NewEvent {
        let r = self.0;
        reformlog_store::NewEvent::new(
            r.event_type.clone(),
            r.schema_version,
            r.payload.clone(),
            r.metadata.clone(),
        )
        .with_id(r.event_id)
    }
}
