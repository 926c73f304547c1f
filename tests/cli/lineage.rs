//! `reformctl unit show` on a merger imported from a format 2 file: the unit as it was on
//! each date, its successor once merged, and the merger only as "later" before it.

use super::support::Daemon;

fn merger_file() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/lineage-merger.toml")
}

#[test]
fn a_merged_ministry_shows_its_successor_after_and_only_later_before() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path());
    d.ok(&["import", merger_file().to_str().unwrap()]);

    let before = d.ok(&["unit", "show", "bo-a", "--on", "2025-02-28"]);
    assert!(
        before.contains("Bộ A (ministry), active on 2025-02-28"),
        "{before}"
    );
    assert!(before.contains("sub-units: 3"), "{before}");
    assert!(
        before.contains("later: merged into Bộ B on 2025-03-01"),
        "{before}"
    );
    assert!(!before.contains("successor"), "{before}");

    let after = d.ok(&["unit", "show", "bo-a", "--on", "2025-03-01"]);
    assert!(after.contains("merged on 2025-03-01"), "{after}");
    assert!(after.contains("successor: Bộ B"), "{after}");
    assert!(!after.contains("later:"), "{after}");

    let b = d.ok(&["unit", "show", "Bộ B", "--on", "2025-03-01"]);
    assert!(b.contains("Bộ A (merged in on 2025-03-01)"), "{b}");
    assert!(b.contains("sub-units: 1\n  Vụ 3"), "{b}");

    let dept = d.ok(&["--json", "unit", "show", "vu-1", "--on", "2025-03-01"]);
    let v: serde_json::Value = serde_json::from_str(&dept).unwrap();
    assert_eq!(v["answer"]["parent"]["name"], "Bộ C", "{dept}");
}
