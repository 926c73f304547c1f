//! reformd when storage fails, driven as a process: on a full disk (a small tmpfs, filled) a
//! write is refused with 503 `storage-full` and `Retry-After`, never a plain 500; `/readyz`
//! says `storage-full` while `/healthz` stays 200; every acknowledged write stays readable,
//! in every answer; once space is freed, writes and readiness come back without a restart;
//! after a restart every acknowledged write is there and no refused one is. A write whose
//! answer was lost (the daemon killed under it) is settled by a retry with the same
//! Idempotency-Key: recorded once, the retry deduplicated or written.
//!
//! Where mounting a tmpfs is not permitted the full-disk test says so and passes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::{json, Value};
use uuid::Uuid;

use super::support::Tokens;
use crate::support::{fill, sigterm, spawn_reformd, Tmpfs};

/// The demo committee, read while the disk is full.
const COMMITTEE: &str = "bcd-cchc-bo-tttt";

/// A reformd child process on 127.0.0.1:0.
struct Reformd {
    child: Child,
    base: String,
}

impl Reformd {
    fn start(data: &Path, demo: bool) -> Self {
        let extra: &[&str] = if demo { &["--demo"] } else { &[] };
        let (child, base) = spawn_reformd(data, extra);
        Self { child, base }
    }

    /// Still the process that was started: nothing restarted it.
    fn assert_running(&mut self) {
        assert!(self.child.try_wait().unwrap().is_none(), "reformd exited");
    }

    /// SIGTERM, and wait for it to exit.
    fn stop(mut self) {
        let status = sigterm(&mut self.child).unwrap();
        assert!(status.success(), "reformd exited with {status:?}");
    }

    /// SIGKILL, and reap it.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Reformd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One person registered with a key of its own: what a client would send again to retry.
#[derive(Clone, Debug)]
struct Write {
    person: Uuid,
    name: String,
    key: String,
}

impl Write {
    fn new(n: usize) -> Self {
        Self {
            person: Uuid::new_v4(),
            name: format!("Thành viên {n}"),
            key: Uuid::new_v4().to_string(),
        }
    }

    fn body(&self) -> Value {
        json!({ "commands": [{ "register_person": {
            "person": self.person, "name": self.name, "on": "2022-02-01"
        } }] })
    }
}

/// What a write's answer said.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// 201: recorded now, at these positions.
    Written(u64, u64),
    /// 200: recorded before, by an earlier try with the same key, at these positions.
    Deduplicated(u64, u64),
    /// 503 with this code.
    Refused(String),
}

/// The codes a write may get when storage fails, each a 503 with `Retry-After`.
const STORAGE_CODES: [&str; 4] = [
    "storage-full",
    "store-lost",
    "storage-failed",
    "outcome-unknown",
];

/// Checks a 503 is a storage problem as the API promises: problem+json, a stable code,
/// `Retry-After`; returns the code.
fn storage_problem(what: &str, response: reqwest::blocking::Response) -> String {
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u32>().ok());
    assert!(retry.is_some(), "{what}: a 503 without Retry-After");
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(kind, "application/problem+json", "{what}");
    let body: Value = response.json().unwrap();
    let code = body["code"].as_str().unwrap_or_default().to_owned();
    assert!(
        STORAGE_CODES.contains(&code.as_str()),
        "{what}: 503 with code {code:?}: {body}"
    );
    code
}

/// A client of one daemon: writes and reads with an editor's token, the whole log with an
/// auditor's.
struct Api {
    client: Client,
    base: String,
    token: String,
    auditor: String,
}

impl Api {
    fn new(base: &str, tokens: &Tokens) -> Self {
        Self {
            client: Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            base: base.to_owned(),
            token: tokens.editor.clone(),
            auditor: tokens.auditor.clone(),
        }
    }

    fn post(&self, w: &Write) -> reqwest::Result<reqwest::blocking::Response> {
        self.client
            .post(format!("{}/v1/commands", self.base))
            .bearer_auth(&self.token)
            .header("Idempotency-Key", &w.key)
            .json(&w.body())
            .send()
    }

    /// Sends `w` and reads the answer: 201, 200 (a retry) or a storage 503; anything else
    /// fails the test.
    fn write(&self, w: &Write) -> Outcome {
        let response = self.post(w).unwrap();
        let status = response.status().as_u16();
        match status {
            200 | 201 => {
                let v: Value = response.json().unwrap();
                let at = (
                    v["first_position"].as_u64().unwrap(),
                    v["last_position"].as_u64().unwrap(),
                );
                assert_eq!(v["deduplicated"], json!(status == 200), "{v}");
                if status == 201 {
                    Outcome::Written(at.0, at.1)
                } else {
                    Outcome::Deduplicated(at.0, at.1)
                }
            }
            503 => Outcome::Refused(storage_problem(&w.name, response)),
            _ => panic!(
                "write of {}: {status} {}",
                w.name,
                response.text().unwrap_or_default()
            ),
        }
    }

    fn get(&self, path: &str) -> reqwest::blocking::Response {
        self.get_as(path, &self.token)
    }

    fn get_as(&self, path: &str, token: &str) -> reqwest::blocking::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .unwrap()
    }

    fn get_ok(&self, path: &str) -> Value {
        self.get_ok_as(path, &self.token)
    }

    fn get_ok_as(&self, path: &str, token: &str) -> Value {
        let r = self.get_as(path, token);
        let status = r.status();
        let text = r.text().unwrap();
        assert_eq!(status.as_u16(), 200, "GET {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// The `/readyz` status, and the problem's code when not ready.
    fn readiness(&self) -> (u16, Option<String>) {
        let r = self.get("/readyz");
        match r.status().as_u16() {
            200 => (200, None),
            503 => (503, Some(storage_problem("readyz", r))),
            other => panic!("readyz: {other}"),
        }
    }

    fn wait_ready(&self, within: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if self.readiness().0 == 200 {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "not ready within {within:?}: {:?}",
                self.readiness()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The person as the daemon answers now, or `None` for a 404.
    fn person_name(&self, person: Uuid) -> Option<String> {
        let r = self.get(&format!("/v1/people/{person}?on=2022-03-01"));
        match r.status().as_u16() {
            200 => Some(
                r.json::<Value>().unwrap()["answer"]["name"]
                    .as_str()?
                    .to_owned(),
            ),
            404 => None,
            other => panic!("GET person {person}: {other} {}", r.text().unwrap()),
        }
    }

    /// Every person the listing shows, through all its pages.
    fn listed_people(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/v1/people?on=2022-03-01&limit=500&cursor={c}"),
                None => "/v1/people?on=2022-03-01&limit=500".to_owned(),
            };
            let page = self.get_ok(&path);
            for item in page["answer"]["items"].as_array().unwrap() {
                out.insert(item["id"].as_str().unwrap().to_owned());
            }
            match page["answer"]["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return out,
            }
        }
    }

    /// How many `person_registered` events the log holds for each person, from the whole log.
    fn registrations(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        let mut from = 1;
        loop {
            let page = self.get_ok_as(
                &format!("/v1/events?from={from}&limit=1000&categories=person"),
                &self.auditor,
            );
            for e in page["answer"]["events"].as_array().unwrap() {
                if e["event_type"] == "person_registered" {
                    let stream = e["stream"].as_str().unwrap();
                    let person = stream.strip_prefix("person-").unwrap().to_owned();
                    *out.entry(person).or_default() += 1;
                }
            }
            match page["answer"]["next"].as_u64() {
                Some(next) if next > from => from = next,
                _ => return out,
            }
        }
    }
}

#[test]
fn a_full_disk_refuses_writes_keeps_reads_and_recovers_without_a_restart() {
    let Some(fs) = Tmpfs::mount_or_skip() else {
        return;
    };
    let data = fs.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let tokens = Tokens::create(&data);
    let mut daemon = Reformd::start(&data, true);
    let api = Api::new(&daemon.base, &tokens);
    api.wait_ready(Duration::from_secs(30));

    let mut acked: Vec<(Write, Outcome)> = Vec::new();
    for n in 0..20 {
        let w = Write::new(n);
        let out = api.write(&w);
        assert!(
            matches!(out, Outcome::Written(..)),
            "before the fill: {out:?}"
        );
        acked.push((w, out));
    }

    let filler = fs.path().join("filler");
    println!("filled {} bytes", fill(&filler));
    // What the journal and sled had allocated ahead takes a few more; then writes are refused.
    let mut refused: Vec<Write> = Vec::new();
    let mut unknown: Vec<Write> = Vec::new();
    let mut in_a_row = 0;
    for n in 20..2000 {
        let w = Write::new(n);
        match api.write(&w) {
            out @ Outcome::Written(..) => {
                in_a_row = 0;
                acked.push((w, out));
            }
            Outcome::Refused(code) if code == "outcome-unknown" => unknown.push(w),
            Outcome::Refused(code) => {
                assert_eq!(code, "storage-full", "{}", w.name);
                refused.push(w);
                in_a_row += 1;
                if in_a_row == 5 {
                    break;
                }
            }
            out => panic!("a new write answered {out:?}"),
        }
    }
    assert_eq!(in_a_row, 5, "writes were not refused on the full disk");
    println!(
        "on the full disk: {} acknowledged in all, {} refused, {} outcome unknown",
        acked.len(),
        refused.len(),
        unknown.len()
    );

    // Alive, not ready, and saying why.
    let health = api.get("/healthz");
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(api.readiness(), (503, Some("storage-full".to_owned())));
    // A refused write sent again is refused again: nothing of it was kept.
    assert_eq!(
        api.write(&refused[0]),
        Outcome::Refused("storage-full".into())
    );

    // Reads of what was acknowledged work, and no answer leaves one out or shows a refused one.
    for (w, _) in &acked {
        assert_eq!(api.person_name(w.person), Some(w.name.clone()), "{w:?}");
    }
    let listed = api.listed_people();
    for (w, _) in &acked {
        assert!(
            listed.contains(&w.person.to_string()),
            "{} not listed",
            w.name
        );
    }
    for w in &refused {
        assert!(!listed.contains(&w.person.to_string()), "{} listed", w.name);
        assert_eq!(api.person_name(w.person), None, "{} readable", w.name);
    }
    let last = acked
        .iter()
        .filter_map(|(_, o)| match o {
            Outcome::Written(_, last) => Some(*last),
            _ => None,
        })
        .max()
        .unwrap();
    api.get_ok(&format!(
        "/v1/committees/{COMMITTEE}/composition?on=2022-03-01&min_position={last}"
    ));
    assert_eq!(api.readiness(), (503, Some("storage-full".to_owned())));

    // Space freed: ready again and writing, by itself.
    std::fs::remove_file(&filler).unwrap();
    let took = api.wait_ready(Duration::from_secs(15));
    println!("ready again {took:?} after space was freed");
    daemon.assert_running();
    for w in unknown.drain(..) {
        let out = api.write(&w);
        assert!(
            matches!(out, Outcome::Written(..) | Outcome::Deduplicated(..)),
            "an outcome-unknown write retried: {out:?}"
        );
        acked.push((w, out));
    }
    // Half the refused writes sent again with their keys are written now, not found recorded.
    let retried: Vec<Write> = refused.drain(..refused.len() / 2 + 1).collect();
    for w in retried {
        let out = api.write(&w);
        assert!(matches!(out, Outcome::Written(..)), "{}: {out:?}", w.name);
        acked.push((w, out));
    }
    let w = Write::new(5000);
    let out = api.write(&w);
    assert!(matches!(out, Outcome::Written(..)), "{out:?}");
    acked.push((w, out));
    daemon.assert_running();

    // After a restart: every acknowledged write once, no refused one, the same first answers.
    daemon.stop();
    let daemon = Reformd::start(&data, false);
    let api = Api::new(&daemon.base, &tokens);
    api.wait_ready(Duration::from_secs(30));
    let registered = api.registrations();
    for (w, _) in &acked {
        assert_eq!(api.person_name(w.person), Some(w.name.clone()), "{w:?}");
        assert_eq!(registered.get(&w.person.to_string()), Some(&1), "{w:?}");
    }
    for w in &refused {
        assert_eq!(api.person_name(w.person), None, "refused {} kept", w.name);
        assert_eq!(registered.get(&w.person.to_string()), None, "{w:?}");
    }
    for (w, first) in acked.iter().take(5).chain(acked.iter().rev().take(5)) {
        let (Outcome::Written(a, b) | Outcome::Deduplicated(a, b)) = first else {
            unreachable!("only recorded writes are kept in the list")
        };
        assert_eq!(api.write(w), Outcome::Deduplicated(*a, *b), "{}", w.name);
    }
    let verify = api
        .client
        .post(format!("{}/v1/integrity/verify", api.base))
        .bearer_auth(&tokens.admin)
        .send()
        .unwrap();
    assert_eq!(verify.json::<Value>().unwrap()["ok"], json!(true));
    daemon.stop();
}

#[test]
fn a_write_whose_answer_was_lost_is_settled_by_a_retry_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = Tokens::create(dir.path());
    let daemon = Reformd::start(dir.path(), false);
    // What each writer sent last without an answer, and what was answered.
    let lost: Arc<Mutex<Vec<Write>>> = Arc::default();
    let answered: Arc<Mutex<Vec<(Write, Outcome)>>> = Arc::default();
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let api = Api::new(&daemon.base, &tokens);
            let (lost, answered) = (Arc::clone(&lost), Arc::clone(&answered));
            std::thread::spawn(move || {
                for i in 0.. {
                    let w = Write::new(1000 * (t + 1) + i);
                    let Ok(response) = api.post(&w) else {
                        // The kill: sent, maybe recorded, never answered.
                        lost.lock().unwrap().push(w);
                        return;
                    };
                    assert_eq!(response.status().as_u16(), 201);
                    let v: Value = response.json().unwrap();
                    let at = (
                        v["first_position"].as_u64().unwrap(),
                        v["last_position"].as_u64().unwrap(),
                    );
                    answered
                        .lock()
                        .unwrap()
                        .push((w, Outcome::Written(at.0, at.1)));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(400));
    daemon.kill();
    for w in writers {
        w.join().unwrap();
    }
    let lost = std::mem::take(&mut *lost.lock().unwrap());
    let answered = std::mem::take(&mut *answered.lock().unwrap());
    assert!(!lost.is_empty(), "no write was in flight at the kill");

    let daemon = Reformd::start(dir.path(), false);
    let api = Api::new(&daemon.base, &tokens);
    api.wait_ready(Duration::from_secs(30));
    let before = api.registrations();
    let (mut found, mut written) = (0, 0);
    for w in &lost {
        let was = before.get(&w.person.to_string()).copied().unwrap_or(0);
        assert!(was <= 1, "{}: {was} registrations", w.name);
        match api.write(w) {
            // The lost write had been recorded: the retry says so.
            Outcome::Deduplicated(..) if was == 1 => found += 1,
            // It had not: the retry records it.
            Outcome::Written(..) if was == 0 => written += 1,
            out => panic!(
                "{}: {was} registrations before the retry, which answered {out:?}",
                w.name
            ),
        }
    }
    println!(
        "{} writes answered, {} lost: {found} found recorded by the retry, {written} written by it",
        answered.len(),
        lost.len()
    );
    for (w, first) in &answered {
        let Outcome::Written(a, b) = first else {
            unreachable!("answered writes are 201")
        };
        assert_eq!(api.write(w), Outcome::Deduplicated(*a, *b), "{}", w.name);
    }
    // Each write is in the log exactly once, whichever way its retry went.
    let after = api.registrations();
    for w in lost.iter().chain(answered.iter().map(|(w, _)| w)) {
        assert_eq!(after.get(&w.person.to_string()), Some(&1), "{}", w.name);
        assert_eq!(api.person_name(w.person), Some(w.name.clone()));
    }
    daemon.stop();
}
