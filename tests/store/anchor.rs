//! The anchor file (`StoreConfig::anchor_file`): it follows the acknowledged head, and an open
//! refuses a log that does not extend it (an older copy of the folder put back, another log,
//! an empty one), naming both heads; a malformed anchor or a missing folder is refused too.

use std::path::Path;
use std::time::{Duration, Instant};

use reformlog_store::{BreakKind, ExpectedRevision, HeadDigest, OpenError, Store, StoreConfig};

use crate::support::ev;

fn open(store: &Path, anchor: &Path) -> Result<Store, OpenError> {
    StoreConfig::new(store).anchor_file(anchor).open()
}

fn append(store: &Store, n: usize, text: &str) -> HeadDigest {
    for i in 0..n {
        store
            .append(
                "unit-a",
                ExpectedRevision::Any,
                vec![ev("Noted", &format!("{text} {i}"))],
            )
            .unwrap();
    }
    store.head().unwrap().unwrap()
}

fn file_text(d: &HeadDigest) -> String {
    format!("{}:{}\n", d.position, d.hash)
}

#[test]
fn the_anchor_follows_the_head_and_an_older_copy_of_the_store_is_refused_naming_both_heads() {
    let dir = tempfile::tempdir().unwrap();
    let (live, old, other) = (
        dir.path().join("live"),
        dir.path().join("old"),
        dir.path().join("other-disk"),
    );
    std::fs::create_dir_all(&other).unwrap();
    let anchor = other.join("reformd.anchor");

    let store = open(&live, &anchor).unwrap();
    assert!(!anchor.exists(), "an empty log has no head to anchor");
    let first = append(&store, 3, "first");
    // Written by its own thread after the round: it catches up at once.
    let deadline = Instant::now() + Duration::from_secs(5);
    while store.stats().anchor_position != first.position && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(std::fs::read_to_string(&anchor).unwrap(), file_text(&first));
    drop(store);
    crate::support::copy_dir(&live, &old);

    let store = open(&live, &anchor).unwrap();
    let second = append(&store, 4, "second");
    // A sync returns once the anchor holds the head too.
    store.sync().unwrap();
    assert_eq!(
        std::fs::read_to_string(&anchor).unwrap(),
        file_text(&second)
    );
    drop(store);

    // The older copy put back: refused, naming the anchor's head and the log's.
    let newer = dir.path().join("newer");
    std::fs::rename(&live, &newer).unwrap();
    crate::support::copy_dir(&old, &live);
    let err = open(&live, &anchor).unwrap_err();
    match &err {
        OpenError::AnchorNotExtended {
            path,
            anchor: a,
            log,
        } => {
            assert_eq!(path, &anchor);
            assert_eq!(*a, second);
            assert_eq!(*log, Some(first));
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    for part in [
        format!("position {} hash {}", second.position, second.hash),
        format!("position {} hash {}", first.position, first.hash),
        anchor.display().to_string(),
        "rolled back or truncated".into(),
    ] {
        assert!(text.contains(&part), "{text} lacks {part}");
    }
    // Nothing was changed by the refusal; without the anchor the copy opens, and the kept
    // digest tells the same.
    let plain = Store::open(&live).unwrap();
    assert_eq!(plain.head().unwrap(), Some(first));
    let report = plain.verify_extends(&second).unwrap();
    assert_eq!(report.first_break.unwrap().kind, BreakKind::BeyondHead);
    drop(plain);
    assert_eq!(
        std::fs::read_to_string(&anchor).unwrap(),
        file_text(&second)
    );

    // The store the anchor follows opens again.
    std::fs::remove_dir_all(&live).unwrap();
    std::fs::rename(&newer, &live).unwrap();
    let store = open(&live, &anchor).unwrap();
    assert_eq!(store.head().unwrap(), Some(second));
    assert_eq!(store.stats().anchor_position, second.position);
}

#[test]
fn another_log_an_empty_one_or_a_broken_anchor_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let anchor = dir.path().join("anchor");
    let kept = {
        let store = open(&dir.path().join("a"), &anchor).unwrap();
        let head = append(&store, 3, "a");
        store.sync().unwrap();
        head
    };
    // Another log, longer, with other records at the anchor's position: rewritten.
    let other = Store::open(dir.path().join("b")).unwrap();
    append(&other, 5, "b");
    drop(other);
    let err = open(&dir.path().join("b"), &anchor).unwrap_err();
    assert!(
        matches!(&err, OpenError::AnchorNotExtended { log: Some(l), .. } if l.position == 5),
        "{err:?}"
    );
    assert!(err.to_string().contains("rewritten"), "{err}");
    // An empty (new) store under an anchor: refused, not taken for a fresh start.
    let err = open(&dir.path().join("c"), &anchor).unwrap_err();
    assert!(
        matches!(&err, OpenError::AnchorNotExtended { log: None, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("the log is empty"), "{err}");
    assert_eq!(std::fs::read_to_string(&anchor).unwrap(), file_text(&kept));

    // A file that holds no digest cannot be checked against: refused.
    let broken = dir.path().join("broken");
    std::fs::write(&broken, "not a digest\n").unwrap();
    let err = open(&dir.path().join("a"), &broken).unwrap_err();
    assert!(matches!(err, OpenError::Anchor { .. }), "{err:?}");
    // Nor is an anchor whose folder is not there (a second disk not mounted).
    let unmounted = dir.path().join("not-mounted").join("anchor");
    let err = open(&dir.path().join("a"), &unmounted).unwrap_err();
    assert!(
        matches!(&err, OpenError::Anchor { reason, .. } if reason.contains("folder")),
        "{err:?}"
    );
}
