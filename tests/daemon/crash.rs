//! Crash safety of the daemon: writers POST concurrently, the daemon is SIGKILLed and
//! restarted (once in the middle of an online backup); every write that got a 2xx is present,
//! the read models agree with a fresh rebuild, and the interrupted backup is never taken for a
//! whole one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::blocking::Client;
use serde_json::json;
use uuid::Uuid;

use super::support::Tokens;
use crate::support::spawn_reformd;

#[test]
fn acknowledged_writes_survive_sigkill_and_read_models_match_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = Tokens::create(dir.path());
    let client = Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let acked: Arc<Mutex<Vec<(Uuid, String, u64)>>> = Arc::default();
    let backups = dir.path().join("backups");
    let partial = backups.join(".nightly.partial");
    for round in 0..4 {
        let (mut child, base) = spawn_reformd(dir.path(), &[]);
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let client = client.clone();
                let base = base.clone();
                let token = tokens.editor.clone();
                let acked = Arc::clone(&acked);
                std::thread::spawn(move || {
                    for i in 0.. {
                        let id = Uuid::now_v7();
                        let name = format!("Thành viên {}", 1000 * (round + 1) + 100 * w + i);
                        let body = json!({ "commands": [{ "register_person": { "person": id, "name": name, "on": "2022-02-01" } }] });
                        match client.post(format!("{base}/v1/commands")).bearer_auth(&token).json(&body).send() {
                            Ok(r) if r.status().is_success() => {
                                let v: serde_json::Value = r.json().unwrap();
                                acked.lock().unwrap().push((id, name, v["last_position"].as_u64().unwrap()));
                            }
                            // The kill: connections fail from here on.
                            _ => break,
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(300 + 200 * round as u64));
        if round == 3 {
            // The last round's kill lands while an online backup copies the log.
            let (client, base, token) = (client.clone(), base.clone(), tokens.admin.clone());
            let backup = std::thread::spawn(move || {
                client
                    .post(format!("{base}/v1/backup"))
                    .bearer_auth(&token)
                    .timeout(Duration::from_secs(120))
                    .json(&json!({ "name": "nightly" }))
                    .send()
                    .map(|r| r.status())
            });
            let copying = partial.join(".store.partial").join("conf");
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            while !copying.exists() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            assert!(copying.exists(), "the backup never started copying");
            child.kill().unwrap();
            assert!(backup.join().unwrap().is_err(), "the backup was answered");
        } else {
            child.kill().unwrap();
        }
        child.wait().unwrap();
        for w in writers {
            w.join().unwrap();
        }
    }
    assert!(!acked.lock().unwrap().is_empty());
    // What the kill left of the backup is under its temporary name only, and no restore takes
    // it for a backup.
    assert!(partial.is_dir());
    assert!(!backups.join("nightly").exists());
    let restore_into = tempfile::tempdir().unwrap();
    let args = [
        "restore",
        partial.to_str().unwrap(),
        "--data-dir",
        restore_into.path().to_str().unwrap(),
    ];
    let out = crate::cli::support::ctl_as("http://127.0.0.1:9", "", &args);
    assert!(!out.status.success());
    assert!(
        crate::cli::support::stderr(&out).contains("manifest"),
        "{}",
        crate::cli::support::stderr(&out)
    );

    // Restart: every acknowledged person is there, with the name that was acknowledged.
    let (mut child, base) = spawn_reformd(dir.path(), &[]);
    let get = |path: &str| -> serde_json::Value {
        let r = client
            .get(format!("{base}{path}"))
            .bearer_auth(&tokens.admin)
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().unwrap()
    };
    for (id, name, _) in acked.lock().unwrap().iter() {
        let person = get(&format!("/v1/people/{id}?on=2022-03-01"));
        assert_eq!(person["answer"]["name"], json!(name), "person {id}");
    }
    let verify = client
        .post(format!("{base}/v1/integrity/verify"))
        .bearer_auth(&tokens.admin)
        .send()
        .unwrap();
    assert_eq!(verify.json::<serde_json::Value>().unwrap()["ok"], true);
    let mut incremental = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/people?on=2022-03-01&limit=500&cursor={c}"),
            None => "/v1/people?on=2022-03-01&limit=500".to_string(),
        };
        let page = get(&path);
        incremental.extend(page["answer"]["items"].as_array().unwrap().iter().cloned());
        match page["answer"]["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert!(incremental.len() >= acked.lock().unwrap().len());
    // A backup of the same name now replaces what the killed one left, and restores.
    let r = client
        .post(format!("{base}/v1/backup"))
        .bearer_auth(&tokens.admin)
        .timeout(Duration::from_secs(120))
        .json(&json!({ "name": "nightly" }))
        .send()
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let b: serde_json::Value = r.json().unwrap();
    assert!(!partial.exists());
    let args = [
        "restore",
        b["path"].as_str().unwrap(),
        "--data-dir",
        restore_into.path().to_str().unwrap(),
    ];
    let said = crate::cli::support::ok(
        crate::cli::support::ctl_as("http://127.0.0.1:9", "", &args),
        &args,
    );
    assert!(
        said.contains(&format!(
            "head position {} hash {} matches the backup",
            b["head"]["position"],
            b["head"]["hash"].as_str().unwrap()
        )),
        "{said}"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    // The read models after kills and catch-up equal a rebuild from the log alone.
    let rebuilt = {
        let domain = reformlog::Reformlog::open(dir.path().join("store")).unwrap();
        domain.rebuild().unwrap();
        let on: reformlog::Date = "2022-03-01".parse().unwrap();
        let mut people = domain
            .list(reformlog::EntityKind::Person, on, None)
            .unwrap();
        people.sort_by_key(|p| p.id);
        serde_json::to_value(people).unwrap()
    };
    assert_eq!(serde_json::Value::Array(incremental), rebuilt);
}
