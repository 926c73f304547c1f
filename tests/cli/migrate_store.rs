//! `reformctl migrate-store`: the seed case's log moved from sled to PostgreSQL and back into a
//! new data folder, where a daemon gives the same answers and the same log export; a migration
//! continued after more commits; targets holding another log, busy stores and bad places
//! refused with their exit codes, changing nothing.

use serde_json::Value;

use super::support::{code, composition, ctl_offline, ok, seed_file, stderr, Daemon};
use crate::support::PgSchema;

fn migrate(from: &str, to: &str) -> std::process::Output {
    ctl_offline(&["--json", "migrate-store", "--from", from, "--to", to])
}

fn migrated(from: &str, to: &str) -> Value {
    let args = ["migrate-store", "--from", from, "--to", to];
    serde_json::from_str(&ok(migrate(from, to), &args)).unwrap()
}

fn sled(dir: &std::path::Path) -> String {
    format!("sled:{}", dir.display())
}

/// A file that renames a placeholder member of the seed case to `name`.
fn rename(dir: &std::path::Path, name: &str) -> String {
    let digits: String = name.chars().filter(char::is_ascii_digit).collect();
    let path = dir.join(format!("rename-{digits}.toml"));
    std::fs::write(
        &path,
        format!(
            "format = 2\nrecords_from = \"2021-01-01\"\n[[people]]\nslug = \"to-vien-3\"\nname = \"Tổ viên 3\"\n[[changes]]\ntype = \"rename_person\"\nperson = \"to-vien-3\"\nname = \"{name}\"\non = \"2022-03-01\"\n"
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn log_export(d: &Daemon, dir: &std::path::Path, name: &str) -> String {
    let path = dir.join(name);
    d.ok(&["export", "log", "-o", path.to_str().unwrap()]);
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_seed_case_moves_to_postgresql_and_back_with_the_same_answers() {
    let Some(db) = PgSchema::new() else { return };
    let url = db.url();
    let dirs = tempfile::tempdir().unwrap();
    let (a_dir, c_dir) = (dirs.path().join("a"), dirs.path().join("c"));

    // The seed and its plans first, moved while the daemon is stopped; then a rename, and the
    // same command carries on from the commit where the first move ended.
    let a = Daemon::start(&a_dir);
    a.import_seed_and_plans();
    a.stop();
    let first = migrated(&sled(&a_dir), &url);
    let seed_commits = first["commits"].as_u64().unwrap();
    assert!(seed_commits > 0);
    assert_eq!(first["commits_copied"], seed_commits);

    let a = Daemon::start(&a_dir);
    a.ok(&["import", &rename(dirs.path(), "Tổ viên 3 (2022)")]);
    let verified: Value = serde_json::from_str(&a.ok(&["--json", "verify"])).unwrap();
    let compositions: Vec<Value> = ["2021-01-01", "2022-01-14", "2030-01-01"]
        .iter()
        .map(|on| composition(&a, on))
        .collect();
    let history = a.ok(&["--json", "history", "pham-minh-tien"]);
    let export = log_export(&a, dirs.path(), "a.jsonl");
    a.stop();

    let second = migrated(&sled(&a_dir), &url);
    let all = second["commits"].as_u64().unwrap();
    assert!(all > seed_commits);
    assert_eq!(second["commits_copied"], all - seed_commits);
    // Nothing new: nothing copied, and the copy checked again.
    let again = migrated(&sled(&a_dir), &url);
    assert_eq!(again["commits_copied"], 0);
    assert_eq!(again["head"], second["head"]);

    let back = migrated(&url, &sled(&c_dir));
    assert_eq!(back["commits_copied"], all);
    assert_eq!(back["head"], second["head"]);
    let hash = back["head"]["hash"].as_str().unwrap();
    assert!(
        verified.to_string().contains(hash),
        "the head digest the daemon reported before the move: {verified}"
    );

    let c = Daemon::start(&c_dir);
    let moved: Vec<Value> = ["2021-01-01", "2022-01-14", "2030-01-01"]
        .iter()
        .map(|on| composition(&c, on))
        .collect();
    assert_eq!(moved, compositions);
    assert_eq!(c.ok(&["--json", "history", "pham-minh-tien"]), history);
    assert_eq!(log_export(&c, dirs.path(), "c.jsonl"), export);
    // The moved log takes new writes after its last commit.
    c.ok(&["import", &rename(dirs.path(), "Tổ viên 3 (2023)")]);
    assert!(c.ok(&["verify"]).contains("ok"));
}

#[test]
fn targets_holding_another_log_busy_stores_and_bad_places_are_refused() {
    let Some(db) = PgSchema::new() else { return };
    let url = db.url();
    let dirs = tempfile::tempdir().unwrap();
    let (a_dir, b_dir) = (dirs.path().join("a"), dirs.path().join("b"));
    let a = Daemon::start(&a_dir);
    a.ok(&["import", seed_file().to_str().unwrap()]);
    a.stop();
    let moved = migrated(&sled(&a_dir), &url);

    // Another log with the same seed: other event ids and times, so another chain.
    let b = Daemon::start(&b_dir);
    b.ok(&["import", seed_file().to_str().unwrap()]);
    let busy = migrate(&sled(&b_dir), &url);
    assert_eq!(code(&busy), Some(7), "{}", stderr(&busy));
    b.stop();
    let other = migrate(&sled(&b_dir), &url);
    assert_eq!(code(&other), Some(6), "{}", stderr(&other));
    assert!(stderr(&other).contains("another log"), "{}", stderr(&other));
    // Nothing changed: the database still holds a's log, and takes it up to date again.
    let again = migrated(&sled(&a_dir), &url);
    assert_eq!(again["commits_copied"], 0);
    assert_eq!(again["head"], moved["head"]);
    // The way back into a folder that holds another log is refused as well.
    let into_b = migrate(&url, &sled(&b_dir));
    assert_eq!(code(&into_b), Some(6), "{}", stderr(&into_b));

    // A copy edited in the database no longer verifies, and moving it is refused before
    // anything is written.
    db.sql("UPDATE reformlog_events SET payload = '\\x7b7d' WHERE position = 2");
    let d_dir = dirs.path().join("d");
    let broken = migrate(&url, &sled(&d_dir));
    assert_eq!(code(&broken), Some(6), "{}", stderr(&broken));
    assert!(
        stderr(&broken).contains("position 2"),
        "{}",
        stderr(&broken)
    );
    assert!(!d_dir.exists());

    for (from, to, exit) in [
        (sled(&a_dir), sled(&a_dir), 2),
        (sled(&a_dir), "mysql://db/x".to_string(), 2),
        ("sled:".to_string(), url.clone(), 2),
        (sled(&dirs.path().join("none")), url.clone(), 1),
        (
            sled(&a_dir),
            "postgres://reformlog:secret-word@127.0.0.1:9/x".to_string(),
            5,
        ),
    ] {
        let out = migrate(&from, &to);
        assert_eq!(code(&out), Some(exit), "{from} -> {to}: {}", stderr(&out));
        assert!(!stderr(&out).contains("secret-word"), "{}", stderr(&out));
    }
}
