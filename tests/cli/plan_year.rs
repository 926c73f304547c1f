//! A reform plan through the year, driven through reformctl and the API: the plan's tasks
//! from an XLSX workbook, the year's changes (progress, an extension and a reassignment under
//! decisions, a cancellation and a reopening, completions on time and late), a late entry and
//! a deadline correction; the year-end report checked against a brute-force count over the
//! exported log on both time axes, and every decision's changes against what cited it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Value};

use super::support::Daemon;

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn head(d: &Daemon) -> u64 {
    log(d).last().map_or(0, |e| e["position"].as_u64().unwrap())
}

fn log(d: &Daemon) -> Vec<Value> {
    d.ok(&["export", "log"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// One task as the brute-force fold sees it: dated deadlines and statuses, in log order.
#[derive(Default, Debug)]
struct Folded {
    plan: Option<String>,
    deadlines: Vec<(String, String)>,
    statuses: Vec<(String, &'static str)>,
}

/// The task events of `log` up to `known_at`, corrections and retractions applied, folded
/// per task. Dates are ISO strings, so they order as text.
fn fold(log: &[Value], known_at: u64) -> BTreeMap<String, Folded> {
    let seen: Vec<&Value> = log
        .iter()
        .filter(|e| e["position"].as_u64().unwrap() <= known_at)
        .collect();
    let mut replaced: BTreeMap<String, Option<Value>> = BTreeMap::new();
    for e in &seen {
        if let Some(c) = e["data"].get("corrected") {
            replaced.insert(
                c["target"].as_str().unwrap().to_owned(),
                Some(c["corrected"].clone()),
            );
        }
        if let Some(r) = e["data"].get("retracted") {
            replaced.insert(r["target"].as_str().unwrap().to_owned(), None);
        }
    }
    let mut tasks: BTreeMap<String, Folded> = BTreeMap::new();
    for e in &seen {
        let data = match replaced.get(e["event_id"].as_str().unwrap()) {
            Some(Some(corrected)) => corrected.clone(),
            Some(None) => continue,
            None => e["data"].clone(),
        };
        let Some((kind, body)) = data.as_object().and_then(|o| o.iter().next()) else {
            continue;
        };
        let Some(task) = body.get("task").and_then(Value::as_str) else {
            continue;
        };
        let t = tasks.entry(task.to_owned()).or_default();
        let on = body["on"].as_str().unwrap_or_default().to_owned();
        match kind.as_str() {
            "task_created" => {
                t.plan = body["plan"].as_str().map(String::from);
                t.deadlines
                    .push((on.clone(), body["deadline"].as_str().unwrap().to_owned()));
                t.statuses.push((on, "open"));
            }
            "task_deadline_extended" => t
                .deadlines
                .push((on, body["deadline"].as_str().unwrap().to_owned())),
            "task_completed" => t.statuses.push((on, "completed")),
            "task_cancelled" => t.statuses.push((on, "cancelled")),
            "task_reopened" => t.statuses.push((on, "open")),
            _ => {}
        }
    }
    tasks
}

fn days(from: &str, to: &str) -> i64 {
    let julian = |s: &str| {
        let p: Vec<i64> = s.split('-').map(|x| x.parse().unwrap()).collect();
        let (y, m, d) = (p[0], p[1], p[2]);
        let a = (14 - m) / 12;
        let (y, m) = (y + 4800 - a, m + 12 * a - 3);
        d + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
    };
    julian(to) - julian(from)
}

/// What the report must say of each task of `plan` on `on`: standing, completion date and
/// days late, by task id.
fn expected(
    tasks: &BTreeMap<String, Folded>,
    plan: &str,
    on: &str,
) -> BTreeMap<String, (String, Option<String>, Option<i64>)> {
    let mut out = BTreeMap::new();
    for (id, t) in tasks {
        if t.plan.as_deref() != Some(plan) {
            continue;
        }
        // The last status of a date wins; statuses in log order within a date.
        let mut dated: Vec<&(String, &str)> = t.statuses.iter().collect();
        dated.sort_by(|a, b| a.0.cmp(&b.0));
        let Some(status) = dated
            .iter()
            .rev()
            .find(|(d, _)| d.as_str() <= on)
            .map(|s| s.1)
        else {
            continue;
        };
        let done = (status == "completed").then(|| {
            dated
                .iter()
                .rev()
                .find(|(d, s)| d.as_str() <= on && *s == "completed")
                .unwrap()
                .0
                .clone()
        });
        let at = done.clone().unwrap_or_else(|| on.to_owned());
        let mut deadlines: Vec<&(String, String)> = t.deadlines.iter().collect();
        deadlines.sort_by(|a, b| a.0.cmp(&b.0));
        let deadline = deadlines
            .iter()
            .rev()
            .find(|(d, _)| d.as_str() <= at.as_str())
            .or(deadlines.first())
            .map(|(_, d)| d.clone())
            .unwrap();
        let late = days(&deadline, &at);
        let (standing, days_late) = match status {
            "cancelled" => ("cancelled", None),
            "completed" if late > 0 => ("completed_late", Some(late)),
            "completed" => ("completed_on_time", None),
            _ if late > 0 => ("overdue", Some(late)),
            _ => ("open", None),
        };
        out.insert(id.clone(), (standing.to_owned(), done, days_late));
    }
    out
}

fn report(d: &Daemon, on: &str, known_at: u64) -> Value {
    let text = d.ok(&[
        "--json",
        "report",
        "--plan",
        "kh-cchc-2021",
        "--on",
        on,
        "--known-at",
        &known_at.to_string(),
    ]);
    serde_json::from_str::<Value>(&text).unwrap()["answer"].clone()
}

fn as_reported(report: &Value) -> BTreeMap<String, (String, Option<String>, Option<i64>)> {
    report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["task"].as_str().unwrap().to_owned(),
                (
                    l["standing"].as_str().unwrap().to_owned(),
                    l["completed_on"].as_str().map(String::from),
                    l["days_late"].as_i64(),
                ),
            )
        })
        .collect()
}

fn count(lines: &BTreeMap<String, (String, Option<String>, Option<i64>)>, standing: &str) -> u64 {
    lines.values().filter(|(s, _, _)| s == standing).count() as u64
}

#[test]
fn a_plan_s_year_from_a_workbook_to_the_year_end_report_holds_on_both_time_axes() {
    let dirs = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dirs.path().join("data"));
    let seeds = [
        data("seed-decision-34.toml"),
        data("seed-plans-2021.toml"),
        data("tasks-kh-cchc-2021.xlsx"),
    ];
    let import = |extra: &[String]| {
        let mut args: Vec<&str> = vec!["import"];
        args.extend(seeds.iter().map(String::as_str));
        args.extend(extra.iter().map(String::as_str));
        args.extend(["--plan", "kh-cchc-2021"]);
        d.ok(&args);
        head(&d)
    };
    let planned = import(&[]);
    let year = import(&[data("plan-year-2021.toml")]);
    let late = import(&[
        data("plan-year-2021.toml"),
        data("plan-year-2021-late.toml"),
    ]);
    assert!(planned < year && year < late);

    // A deadline typed wrong in the sheet, corrected through the API: CCHC-03 was due
    // 2021-12-15, not 2021-11-15.
    let entries = log(&d);
    let created = entries
        .iter()
        .find(|e| {
            e["data"]["task_created"]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Duy trì hệ thống quản lý chất lượng"))
        })
        .unwrap();
    let mut corrected = created["data"].clone();
    corrected["task_created"]["deadline"] = json!("2021-12-15");
    let answer = reqwest::blocking::Client::new()
        .post(format!("{}/v1/commands", d.base))
        .bearer_auth(&d.token)
        .json(&json!({
            "reason": "sửa thời hạn nhập sai",
            "commands": [{ "correct": { "target": created["event_id"], "corrected": corrected } }],
        }))
        .send()
        .unwrap();
    assert_eq!(answer.status().as_u16(), 201, "{}", answer.text().unwrap());
    let now = head(&d);

    let entries = log(&d);
    let plan = created["data"]["task_created"]["plan"].as_str().unwrap();
    for known_at in [planned, year, late, now] {
        let tasks = fold(&entries, known_at);
        for on in ["2021-06-30", "2021-09-30", "2021-12-31"] {
            let want = expected(&tasks, plan, on);
            let got = report(&d, on, known_at);
            let lines = as_reported(&got);
            assert_eq!(lines, want, "on {on} as known at {known_at}");
            let counts = &got["counts"];
            for standing in [
                "open",
                "overdue",
                "completed_on_time",
                "completed_late",
                "cancelled",
            ] {
                assert_eq!(
                    counts[standing].as_u64(),
                    Some(count(&want, standing)),
                    "{standing} on {on} as known at {known_at}"
                );
            }
            assert_eq!(counts["total"].as_u64(), Some(want.len() as u64));
        }
    }
    // What the office sends upward, as first drawn and as known now.
    let first = as_reported(&report(&d, "2021-12-31", year));
    assert_eq!(
        (
            count(&first, "completed_on_time"),
            count(&first, "completed_late"),
            count(&first, "overdue")
        ),
        (2, 1, 1)
    );
    let last = as_reported(&report(&d, "2021-12-31", now));
    assert_eq!(
        (
            count(&last, "completed_on_time"),
            count(&last, "completed_late"),
            count(&last, "overdue")
        ),
        (3, 1, 0)
    );
    // Mid-year, CCHC-03 stood cancelled; it was reopened in September.
    let mid = as_reported(&report(&d, "2021-08-01", now));
    assert_eq!(count(&mid, "cancelled"), 1);

    // Every change recorded citing a decision is listed by that decision, and nothing else.
    let mut cited: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in &entries {
        let Some((_, body)) = e["data"].as_object().and_then(|o| o.iter().next()) else {
            continue;
        };
        if body.get("task").is_none() {
            continue;
        }
        if let Some(decision) = body.get("decision").and_then(Value::as_str) {
            cited
                .entry(decision.to_owned())
                .or_default()
                .push(e["event_id"].as_str().unwrap().to_owned());
        }
    }
    for slug in [
        "qd-gia-han-cchc-2021",
        "qd-dieu-chinh-cchc-2021",
        "qd-khoi-phuc-cchc-2021",
    ] {
        let shown: Value =
            serde_json::from_str(&d.ok(&["--json", "decision", "show", slug])).unwrap();
        let id = shown["answer"]["changes"][0]["decision"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let listed: Vec<String> = shown["answer"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["entity"]["kind"] == "task")
            .map(|c| c["event_id"].as_str().unwrap().to_owned())
            .collect();
        let want = cited.remove(&id).unwrap_or_default();
        assert!(!want.is_empty(), "{slug} cites task changes");
        assert_eq!(listed, want, "{slug}");
    }
    assert_eq!(
        cited.keys().count(),
        0,
        "task changes cite only the year's decisions: {cited:?}"
    );
}
