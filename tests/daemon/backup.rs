//! Online backups (`POST /v1/backup`, `reformctl backup --name`) under concurrent writes: the
//! daemon keeps acknowledging writes while it copies; the backup restores (with `reformctl
//! restore`) to exactly the commits up to its head, with its digest, and a daemon on the
//! restored folder answers for every write acknowledged before the backup and for none
//! acknowledged after its commit.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::support::Daemon;
use crate::cli::support::{code, ctl_as, ok, stderr};

/// Where a write's sending or acknowledgement fell relative to the backup request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Before,
    During,
    After,
}

/// The phase the writers read while the main thread moves it on.
struct PhaseCell(AtomicU8);

impl PhaseCell {
    fn get(&self) -> Phase {
        match self.0.load(Ordering::Acquire) {
            0 => Phase::Before,
            1 => Phase::During,
            _ => Phase::After,
        }
    }

    fn set(&self, phase: Phase) {
        self.0.store(phase as u8, Ordering::Release);
    }
}

#[derive(Debug, Clone)]
struct Acked {
    person: Uuid,
    last_position: u64,
    /// The phase when the write was sent, and when its answer came.
    sent: Phase,
    answered: Phase,
}

fn register(people: &[(Uuid, String)]) -> Value {
    let commands: Vec<Value> = people
        .iter()
        .map(|(id, name)| json!({ "register_person": { "person": id, "name": name, "on": "2022-02-01" } }))
        .collect();
    json!({ "commands": commands })
}

#[test]
fn an_online_backup_under_concurrent_writes_restores_to_exactly_its_commit() {
    let d = Daemon::start(true);
    // A log long enough that the copy takes a while.
    for batch in 0..40 {
        let people: Vec<_> = (0..250)
            .map(|i| {
                (
                    Uuid::now_v7(),
                    format!("Thành viên {}", 10_000 + 250 * batch + i),
                )
            })
            .collect();
        let r = d.post_json("/v1/commands", &d.tokens.editor, &register(&people));
        assert!(r.status().is_success(), "{}", r.status());
    }

    let phase = Arc::new(PhaseCell(AtomicU8::new(Phase::Before as u8)));
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (client, base, token) = (d.client.clone(), d.base.clone(), d.tokens.editor.clone());
            let (phase, acked) = (Arc::clone(&phase), Arc::clone(&acked));
            std::thread::spawn(move || {
                let mut after = 0;
                for i in 0.. {
                    let sent = phase.get();
                    if sent == Phase::After {
                        // A few writes after the backup answered, then stop.
                        if after == 5 {
                            return;
                        }
                        after += 1;
                    }
                    let person = Uuid::now_v7();
                    let body = register(&[(person, format!("Thành viên {}", 100 * w + i))]);
                    let r = client
                        .post(format!("{base}/v1/commands"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .unwrap();
                    assert!(r.status().is_success(), "{}", r.status());
                    let v: Value = r.json().unwrap();
                    acked.lock().unwrap().push(Acked {
                        person,
                        last_position: v["last_position"].as_u64().unwrap(),
                        sent,
                        answered: phase.get(),
                    });
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < 40 {
        std::thread::sleep(Duration::from_millis(5));
    }
    phase.set(Phase::During);
    let started = Instant::now();
    let r = d.post_json("/v1/backup", &d.tokens.admin, &json!({ "name": "evening" }));
    let took = started.elapsed();
    phase.set(Phase::After);
    for w in writers {
        w.join().unwrap();
    }
    assert_eq!(r.status(), StatusCode::CREATED);
    let b: Value = r.json().unwrap();
    let head = b["head"]["position"].as_u64().unwrap();
    let hash = b["head"]["hash"].as_str().unwrap().to_string();
    assert_eq!(b["records"].as_u64(), Some(head));
    let acked = acked.lock().unwrap().clone();
    // Sent and answered while the backup request was in flight.
    let during = acked
        .iter()
        .filter(|a| a.sent == Phase::During && a.answered == Phase::During)
        .count();
    println!(
        "backup of {head} records took {} ms; {during} writes acknowledged meanwhile",
        took.as_millis()
    );
    assert!(
        during > 0,
        "no write was acknowledged while the backup ran ({took:?})"
    );
    for a in acked.iter().filter(|a| a.answered == Phase::Before) {
        assert!(
            a.last_position <= head,
            "{a:?} acknowledged before the backup, past {head}"
        );
    }
    assert!(
        acked.iter().any(|a| a.last_position > head),
        "no write landed after the backup's commit"
    );

    // Its folder: the name asked for, nothing partial beside it, the manifest's head.
    let path = std::path::PathBuf::from(b["path"].as_str().unwrap());
    assert_eq!(path.file_name().unwrap(), "evening");
    let backups = path.parent().unwrap();
    let names: Vec<_> = std::fs::read_dir(backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["evening"]);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(path.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["format"], "reformctl-backup/1");
    assert_eq!(manifest["head"], b["head"]);
    assert!(manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "tokens.toml"));

    // reformctl restores it and checks it, as a backup of a stopped store.
    let restored = tempfile::tempdir().unwrap();
    let args = [
        "restore",
        path.to_str().unwrap(),
        "--data-dir",
        restored.path().to_str().unwrap(),
    ];
    let said = ok(ctl_as("http://127.0.0.1:9", "", &args), &args);
    assert!(
        said.contains(&format!(
            "head position {head} hash {hash} matches the backup"
        )),
        "{said}"
    );
    {
        let store = reformlog_store::Store::open(restored.path().join("store")).unwrap();
        assert_eq!(store.head_commit(), b["commit"].as_u64().unwrap());
        let h = store.head().unwrap().unwrap();
        assert_eq!((h.position, h.hash.to_hex()), (head, hash.clone()));
    }

    // A daemon on the restored folder (its tokens came along) knows exactly the writes up to
    // the backup's head.
    let back = Daemon::start_in(restored, d.tokens.clone(), false);
    assert_eq!(back.head(), head);
    for a in &acked {
        let r = back.get(
            &format!("/v1/people/{}?on=2022-03-01", a.person),
            Some(&back.tokens.viewer),
        );
        let expected = if a.last_position <= head {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(r.status(), expected, "{a:?}, backup head {head}");
    }
    drop(back);

    // The same name again, a name that is not a folder name, a role below admin: refused.
    let again = d.post_json("/v1/backup", &d.tokens.admin, &json!({ "name": "evening" }));
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(again.json::<Value>().unwrap()["code"], "backup-exists");
    for bad in ["../evening", ".evening", "", "tối"] {
        let r = d.post_json("/v1/backup", &d.tokens.admin, &json!({ "name": bad }));
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(r.json::<Value>().unwrap()["code"], "invalid-backup-name");
    }
    let r = d.post_json("/v1/backup", &d.tokens.editor, &json!({ "name": "x" }));
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // reformctl asks the daemon for one, and says where it is and what head it holds.
    let out = ctl_as(
        &d.base,
        &d.tokens.admin,
        &["backup", "--name", "by-reformctl"],
    );
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let now = d.head();
    assert!(
        said.contains("by-reformctl on the daemon's host; verified; head position")
            && said.contains(&format!("backed up {now} records")),
        "{said}"
    );
    let out = ctl_as(
        &d.base,
        &d.tokens.admin,
        &["backup", "--name", "by-reformctl"],
    );
    assert_eq!(
        code(&out),
        Some(reformctl::exit::REFUSED),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("backup-exists"), "{}", stderr(&out));
    let out = ctl_as(&d.base, &d.tokens.admin, &["backup"]);
    assert_eq!(code(&out), Some(reformctl::exit::USAGE), "{}", stderr(&out));
}
