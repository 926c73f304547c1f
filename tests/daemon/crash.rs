//! Crash safety of the daemon: writers POST concurrently, the daemon is SIGKILLed and
//! restarted; every write that got a 2xx is present, and the read models agree with a fresh
//! rebuild.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::blocking::Client;
use serde_json::json;
use uuid::Uuid;

use super::support::Tokens;

fn spawn(dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reformd-under-test"))
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (child, base)
}

#[test]
fn acknowledged_writes_survive_sigkill_and_read_models_match_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = Tokens::create(dir.path());
    let client = Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let acked: Arc<Mutex<Vec<(Uuid, String, u64)>>> = Arc::default();
    for round in 0..3 {
        let (mut child, base) = spawn(dir.path());
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
        child.kill().unwrap();
        child.wait().unwrap();
        for w in writers {
            w.join().unwrap();
        }
    }
    assert!(!acked.lock().unwrap().is_empty());

    // Restart: every acknowledged person is there, with the name that was acknowledged.
    let (mut child, base) = spawn(dir.path());
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
        assert_eq!(person["name"], json!(name), "person {id}");
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
        incremental.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert!(incremental.len() >= acked.lock().unwrap().len());
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
