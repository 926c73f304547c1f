//! Integrity: verify names the first tampered position; kept digests detect rewrites; open-time
//! checks refuse foreign, newer or locked stores.

use reformlog_store::{BreakKind, ExpectedRevision, OpenError, Store};

use crate::support::{ev, raw_db};

const LOG_TREE: &str = "reformlog.log.v1";

fn log_key(position: u64) -> Vec<u8> {
    let mut k = vec![0x10];
    k.extend_from_slice(&position.to_be_bytes());
    k
}

fn store_with(n: u64) -> (tempfile::TempDir, reformlog_store::HeadDigest) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for i in 0..n {
        store
            .append(
                "s-1",
                ExpectedRevision::Any,
                vec![ev("E", &format!("event {i}"))],
            )
            .unwrap();
    }
    let head = store.head().unwrap().unwrap();
    (dir, head)
}

/// Changes the stored record at `position` with `f`, through sled directly (as an attacker or
/// a disk error would, behind the store's back).
fn tamper(dir: &std::path::Path, position: u64, f: impl FnOnce(&mut Vec<u8>)) {
    let db = raw_db(dir);
    let tree = db.open_tree(LOG_TREE).unwrap();
    let mut bytes = tree.get(log_key(position)).unwrap().unwrap().to_vec();
    f(&mut bytes);
    tree.insert(log_key(position), bytes).unwrap();
    db.flush().unwrap();
}

#[test]
fn a_flipped_payload_byte_is_found_at_its_position() {
    let (dir, _) = store_with(12);
    tamper(dir.path(), 7, |b| {
        let last = b.len() - 34; // inside the payload, just before the record's hash
        b[last] ^= 0x01;
    });
    let store = Store::open(dir.path()).unwrap();
    let report = store.verify().unwrap();
    let br = report.first_break.unwrap();
    assert_eq!(br.position, 7);
    assert_eq!(br.kind, BreakKind::ContentChanged);
    assert_eq!(report.checked, 6);
}

#[test]
fn every_single_byte_flip_is_detected() {
    let (dir, _) = store_with(3);
    let len = {
        let db = raw_db(dir.path());
        db.open_tree(LOG_TREE)
            .unwrap()
            .get(log_key(2))
            .unwrap()
            .unwrap()
            .len()
    };
    for i in 0..len {
        tamper(dir.path(), 2, |b| b[i] ^= 0x80);
        let store = Store::open(dir.path()).unwrap();
        let report = store.verify().unwrap();
        let br = report
            .first_break
            .unwrap_or_else(|| panic!("flip at byte {i} not detected"));
        assert!(br.position == 2 || br.position == 3, "byte {i}: {br:?}");
        drop(store);
        tamper(dir.path(), 2, |b| b[i] ^= 0x80);
    }
    assert!(Store::open(dir.path()).unwrap().verify().unwrap().is_ok());
}

#[test]
fn a_rewritten_history_fails_against_a_kept_digest() {
    let (dir, kept) = store_with(5);
    // Replace the whole log by another history of the same length: it verifies on its own,
    // but not against the digest an outside party kept.
    std::fs::remove_dir_all(dir.path()).unwrap();
    let store = Store::open(dir.path()).unwrap();
    for i in 0..6 {
        store
            .append(
                "s-1",
                ExpectedRevision::Any,
                vec![ev("E", &format!("forged {i}"))],
            )
            .unwrap();
    }
    assert!(store.verify().unwrap().is_ok());
    let report = store.verify_extends(&kept).unwrap();
    assert_eq!(report.first_break.unwrap().kind, BreakKind::DigestMismatch);
}

#[test]
fn a_second_open_of_the_same_folder_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).unwrap();
    match Store::open(dir.path()) {
        Err(OpenError::Locked { .. }) => {}
        other => panic!("expected Locked, got {other:?}"),
    }
}

#[test]
fn newer_format_codec_change_and_foreign_data_are_refused() {
    let header_key = [0x00u8];
    let rewrite_header = |dir: &std::path::Path, f: &dyn Fn(&mut Vec<u8>)| {
        let db = raw_db(dir);
        let tree = db.open_tree(LOG_TREE).unwrap();
        let mut h = tree.get(header_key).unwrap().unwrap().to_vec();
        f(&mut h);
        tree.insert(header_key, h).unwrap();
        db.flush().unwrap();
    };
    let (dir, _) = store_with(1);
    // Format version is the u32 after the 16-byte magic.
    rewrite_header(dir.path(), &|h| {
        h[16..20].copy_from_slice(&5u32.to_be_bytes())
    });
    assert!(matches!(
        Store::open(dir.path()),
        Err(OpenError::NewerFormat {
            found: 5,
            supported: 4
        })
    ));
    rewrite_header(dir.path(), &|h| {
        h[16..20].copy_from_slice(&4u32.to_be_bytes());
        let last = h.len() - 1;
        h[last] = b'X';
    });
    assert!(matches!(
        Store::open(dir.path()),
        Err(OpenError::CodecMismatch { .. })
    ));
    rewrite_header(dir.path(), &|h| h[0] = b'X');
    assert!(matches!(
        Store::open(dir.path()),
        Err(OpenError::NotAStore { .. })
    ));

    // A sled database whose log tree holds data but no header.
    let foreign = tempfile::tempdir().unwrap();
    {
        let db = raw_db(foreign.path());
        db.open_tree(LOG_TREE)
            .unwrap()
            .insert([0x10u8], b"x".to_vec())
            .unwrap();
        db.flush().unwrap();
    }
    assert!(matches!(
        Store::open(foreign.path()),
        Err(OpenError::NotAStore { .. })
    ));
}
