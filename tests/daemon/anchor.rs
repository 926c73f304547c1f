//! The anchor file (`reformd --anchor-file`): a daemon writes its head digest there; started
//! again on an older copy of its store, it refuses, naming both heads, and `reformctl verify
//! --expect-head` on that anchor fails the same way, offline and online.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use uuid::Uuid;

use super::support::{Daemon, Tokens};
use crate::cli::support::{ctl_as, failed_with, stderr, verify_offline_against};

fn write_people(d: &Daemon, n: usize) -> (u64, String) {
    for i in 0..n {
        let body = json!({ "commands": [{ "register_person": {
            "person": Uuid::now_v7(), "name": format!("Thành viên {}", 30 + i), "on": "2022-02-01"
        } }] });
        let r = d.post_json("/v1/commands", &d.tokens.editor, &body);
        assert!(r.status().is_success(), "{}", r.status());
    }
    let h: Value = d.get_json("/v1/integrity/head", &d.tokens.viewer);
    (
        h["answer"]["position"].as_u64().unwrap(),
        h["answer"]["hash"].as_str().unwrap().to_string(),
    )
}

fn with_anchor(dir: tempfile::TempDir, tokens: &Tokens, anchor: &Path) -> Daemon {
    let anchor = anchor.to_path_buf();
    Daemon::start_in_with(dir, tokens.clone(), move |c| c.anchor_file = Some(anchor))
}

#[test]
fn a_daemon_started_on_an_older_copy_of_its_store_is_refused_naming_both_heads() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = Tokens::create(dir.path());
    let other_disk = tempfile::tempdir().unwrap();
    let anchor = other_disk.path().join("reformd.anchor");

    let d = with_anchor(dir, &tokens, &anchor);
    let (p1, h1) = write_people(&d, 3);
    let dir = d.stop();
    let old = tempfile::tempdir().unwrap();
    crate::support::copy_dir(&dir.path().join("store"), old.path());

    let d = with_anchor(dir, &tokens, &anchor);
    let (p2, h2) = write_people(&d, 4);
    let metrics = d.get("/metrics", None).text().unwrap();
    assert!(
        metrics.contains("reformd_anchor_write_failures_total 0"),
        "{metrics}"
    );
    let dir = d.stop();
    assert_eq!(
        std::fs::read_to_string(&anchor).unwrap(),
        format!("{p2}:{h2}\n")
    );

    // The older copy put back in place of the store.
    let store = dir.path().join("store");
    let newer = dir.path().join("store-newer");
    std::fs::rename(&store, &newer).unwrap();
    crate::support::copy_dir(old.path(), &store);

    let out = Command::new(env!("CARGO_BIN_EXE_reformd-under-test"))
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .arg("--anchor-file")
        .arg(&anchor)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("does not extend the anchor"), "{err}");
    assert!(err.contains(&format!("position {p2} hash {h2}")), "{err}");
    assert!(err.contains(&format!("position {p1} hash {h1}")), "{err}");
    assert!(err.contains("rolled back or truncated"), "{err}");
    // The same refusal, typed, for an embedder.
    let mut config = reformd::ServeConfig::local(dir.path());
    config.anchor_file = Some(anchor.clone());
    match reformd::App::open(config) {
        Err(reformd::StartError::Domain(reformlog::OpenError::Store(
            reformlog_store::OpenError::AnchorNotExtended { anchor: a, log, .. },
        ))) => {
            assert_eq!((a.position, a.hash.to_hex()), (p2, h2.clone()));
            let log = log.unwrap();
            assert_eq!((log.position, log.hash.to_hex()), (p1, h1.clone()));
        }
        other => panic!("{other:?}"),
    }

    // verify --expect-head on the anchor, offline: the same finding, exit 6.
    let anchor_arg = anchor.to_str().unwrap();
    let data_arg = dir.path().to_str().unwrap();
    let not_extended = |out: &std::process::Output| {
        let err = failed_with(out, reformctl::exit::INTEGRITY);
        assert!(
            err.contains(&format!("does not extend the kept head {p2}:{h2}"))
                && err.contains(&format!("the log's head is {p1}:{h1}")),
            "{err}"
        );
    };
    not_extended(&verify_offline_against(data_arg, anchor_arg));
    // ...and online, through a daemon started on the old copy without the anchor.
    let d = Daemon::start_in(dir, tokens.clone(), false);
    not_extended(&ctl_as(
        &d.base,
        &d.tokens.admin,
        &["verify", "--expect-head", anchor_arg],
    ));
    let dir = d.stop();

    // The store the anchor follows starts again, and the anchor moves on with it.
    std::fs::remove_dir_all(&store).unwrap();
    std::fs::rename(&newer, &store).unwrap();
    let d = with_anchor(dir, &tokens, &anchor);
    let (p3, h3) = write_people(&d, 1);
    assert!(p3 > p2);
    d.stop();
    assert_eq!(
        std::fs::read_to_string(&anchor).unwrap(),
        format!("{p3}:{h3}\n")
    );
}
