//! reformctl on a terminal and in scripts: tables fitted to the width, the output formats,
//! errors as JSON, token messages, name suggestions, log levels and CSV byte-order marks.

use serde_json::Value;

use super::support::{ctl_with, seed_file, Daemon};

/// `committee show` of the seed case's committee the day after Decision 34.
const SHOW: [&str; 5] = [
    "committee",
    "show",
    "bcd-cchc-bo-tttt",
    "--on",
    "2022-01-15",
];

fn stdout_of(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn the_committee_fits_a_terminal_of_100_columns_without_cutting_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path());
    d.ok(&["import", seed_file().to_str().unwrap()]);
    let token = Some(d.token.as_str());

    // Piped without COLUMNS: one line per row, wider than the terminal would be.
    let piped = stdout_of(&ctl_with(&d.base, token, &SHOW, &[]));
    let widest = piped.lines().map(reformctl::display_width).max().unwrap();
    assert!(widest > 100, "{piped}");

    let fitted = stdout_of(&ctl_with(&d.base, token, &SHOW, &[("COLUMNS", "100")]));
    let answer = d.ok(&[
        "--json",
        "committee",
        "show",
        "bcd-cchc-bo-tttt",
        "--on",
        "2022-01-15",
    ]);
    for line in fitted.lines() {
        assert!(reformctl::display_width(line) <= 100, "{line:?}\n{fitted}");
        for word in line.split_whitespace() {
            // No piece of a cell begins with a combining mark cut off its letter, and every
            // word is one the daemon's answer or the table's own text holds.
            let first = word.chars().next().unwrap();
            assert!(!('\u{300}'..='\u{36f}').contains(&first), "{line:?}");
        }
    }
    let v: Value = serde_json::from_str(&answer).unwrap();
    let head = &v["answer"]["seats"][0]["holders"][0]["person"]["name"];
    assert_eq!(head, "Nguyễn Huy Dũng");
    for name in ["Nguyễn", "Huy", "Dũng"] {
        assert!(fitted.split_whitespace().any(|w| w == name), "{fitted}");
    }
    assert!(fitted.lines().count() > piped.lines().count(), "{fitted}");
}

/// The one JSON object an error is written as with `-o json`, and the exit code.
fn json_error(out: &std::process::Output) -> (Value, Option<u8>) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    let v: Value = serde_json::from_str(&err).unwrap_or_else(|e| panic!("{e}: {err}"));
    (v, out.status.code().and_then(|c| u8::try_from(c).ok()))
}

#[test]
fn every_read_writes_table_json_yaml_or_csv_and_errors_as_json_keep_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path());
    let seed = seed_file();
    let seed = seed.to_str().unwrap();

    // The dry run as data, before and after the import.
    let plan: Value =
        serde_json::from_str(&d.ok(&["--json", "import", "--dry-run", seed])).unwrap();
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["changes_already_recorded"], 0);
    assert!(plan["changes_new"].as_u64().unwrap() > 80, "{plan}");
    assert_eq!(plan["files"][0]["writes"][1]["changes"][0]["state"], "new");
    d.ok(&["import", seed]);
    let again: Value =
        serde_json::from_str(&d.ok(&["--json", "import", "--dry-run", seed])).unwrap();
    assert_eq!(again["changes_new"], 0);
    assert_eq!(again["changes_already_recorded"], plan["changes_new"]);

    // -o json is --json; YAML carries the same answer.
    let json: Value = serde_json::from_str(&d.ok(&[&SHOW[..], &["-o", "json"]].concat())).unwrap();
    let alias: Value = serde_json::from_str(&d.ok(&[&["--json"][..], &SHOW].concat())).unwrap();
    assert_eq!(json, alias);
    let yaml = d.ok(&[&SHOW[..], &["-o", "yaml"]].concat());
    let from_yaml: Value = serde_norway::from_str(&yaml).unwrap();
    assert_eq!(from_yaml, json);
    for read in [
        &["search", "pham minh tien"][..],
        &["history", "Do Cong Anh"],
        &["decision", "show", "34/QĐ-BTTTT"],
        &["unit", "show", "cuc-tin-hoc-hoa", "--on", "2022-02-01"],
        &[
            "diff",
            "bcd-cchc-bo-tttt",
            "--from",
            "2022-01-13",
            "--to",
            "2022-01-15",
        ],
        &["audit", "--kind", "person", "--entity", "pham-minh-tien"],
        &["tasks", "--overdue", "--on", "2030-01-01"],
        &["report", "--on", "2021-12-31"],
    ] {
        let as_json: Value =
            serde_json::from_str(&d.ok(&[read, &["-o", "json"]].concat())).unwrap();
        let as_yaml: Value =
            serde_norway::from_str(&d.ok(&[read, &["-o", "yaml"]].concat())).unwrap();
        assert_eq!(as_yaml, as_json, "{read:?}");
        let csv = d.ok(&[read, &["-o", "csv"]].concat());
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        let width = rows.headers().unwrap().len();
        assert!(width >= 2, "{read:?}: {csv}");
        for row in rows.records() {
            assert_eq!(row.unwrap().len(), width, "{read:?}: {csv}");
        }
    }

    // CSV of the composition: one table over the committee and its sub-body.
    let csv = d.ok(&[&SHOW[..], &["-o", "csv"]].concat());
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("body,role,person,position,on behalf of,since,decision")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() >= 24 + 27, "{csv}");
    assert!(rows.iter().any(|r| r.starts_with("Tổ giúp việc ")), "{csv}");
    assert!(
        rows.iter()
            .any(|r| r.contains(",Trưởng ban,Nguyễn Huy Dũng,") && r.contains(",34/QĐ-BTTTT")),
        "{csv}"
    );
    // A live feed as CSV rows under one header.
    let feed = d.ok(&["tail", "--from", "1", "--until-caught-up", "-o", "csv"]);
    assert!(
        feed.starts_with("position,recorded_at,event_type,stream,actor,source\n1,"),
        "{feed}"
    );

    // Errors as one JSON object, with the daemon's problem code and status when it answered.
    let unknown = d.ctl(&["committee", "show", "no-such-committee-xyz", "-o", "json"]);
    let (v, code) = json_error(&unknown);
    assert_eq!(code, Some(reformctl::exit::REFUSED));
    assert_eq!(v["error"]["code"], "not-found");
    assert!(v["error"]["status"].is_null());
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no-such-committee-xyz"));
    let early = d.ctl(&[
        "--json",
        "committee",
        "show",
        "bcd-cchc-bo-tttt",
        "--known-at",
        "1",
    ]);
    let (v, code) = json_error(&early);
    assert_eq!(code, Some(reformctl::exit::REFUSED));
    assert_eq!(v["error"]["status"], 404);
    assert_eq!(v["error"]["code"], "not-found");
    let usage = d.ctl(&["--json", "committee", "show"]);
    let (v, code) = json_error(&usage);
    assert_eq!(code, Some(reformctl::exit::USAGE));
    assert_eq!(v["error"]["code"], "usage");
    let both = d.ctl(&["--json", "search", "x", "-o", "yaml"]);
    let (v, code) = json_error(&both);
    assert_eq!(
        (code, &v["error"]["code"]),
        (Some(reformctl::exit::USAGE), &"usage".into())
    );
    let gone = ctl_with(
        "http://127.0.0.1:9",
        Some("x"),
        &["search", "x", "-o", "json"],
        &[],
    );
    let (v, code) = json_error(&gone);
    assert_eq!(code, Some(reformctl::exit::UNAVAILABLE));
    assert_eq!(v["error"]["code"], "unreachable");
    // Without JSON asked for, the error stays one line of text.
    let plain = d.ctl(&["committee", "show", "no-such-committee-xyz"]);
    assert!(String::from_utf8_lossy(&plain.stderr).starts_with("reformctl: "));
}

#[test]
fn a_missing_token_and_a_refused_one_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path());
    let none = ctl_with(&d.base, None, &["search", "tien"], &[]);
    let missing = String::from_utf8_lossy(&none.stderr).into_owned();
    assert_eq!(
        none.status.code(),
        Some(i32::from(reformctl::exit::REFUSED))
    );
    assert!(
        missing.contains("no token was sent") && missing.contains("REFORMCTL_TOKEN"),
        "{missing}"
    );
    let wrong = ctl_with(
        &d.base,
        Some("rfl_not_a_token_of_this_daemon"),
        &["search", "tien"],
        &[],
    );
    let refused = String::from_utf8_lossy(&wrong.stderr).into_owned();
    assert_eq!(
        wrong.status.code(),
        Some(i32::from(reformctl::exit::REFUSED))
    );
    assert!(
        refused.contains("refused the token") && !refused.contains("no token was sent"),
        "{refused}"
    );
    // As JSON: the daemon's code and status, the message still telling which.
    let (v, code) = json_error(&ctl_with(
        &d.base,
        None,
        &["search", "x", "-o", "json"],
        &[],
    ));
    assert_eq!(code, Some(reformctl::exit::REFUSED));
    assert_eq!(v["error"]["status"], 401);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no token was sent"));
    let bad = ctl_with(&d.base, Some("rfl_x"), &["search", "x", "-o", "json"], &[]);
    let (v, _) = json_error(&bad);
    assert_eq!(v["error"]["status"], 401);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("refused the token"));
}

#[test]
fn a_misspelt_name_gets_suggestions_and_an_ambiguous_one_lists_the_candidates_with_ids() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path());
    d.ok(&["import", seed_file().to_str().unwrap()]);
    let id_of = |kind: &str, name: &str| -> String {
        let v: Value = serde_json::from_str(&d.ok(&["--json", "search", name])).unwrap();
        let hit = v["answer"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["entity"]["kind"] == kind && h["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {v}"));
        hit["entity"]["id"].as_str().unwrap().to_owned()
    };
    let refused = |args: &[&str]| -> String {
        let out = d.ctl(args);
        assert_eq!(out.status.code(), Some(i32::from(reformctl::exit::REFUSED)));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let tien = id_of("person", "Phạm Minh Tiến");
    let phu_tien = id_of("person", "Nguyễn Phú Tiến");

    // Misspelt, without diacritics: the names most like it, with their ids.
    let err = refused(&["history", "Pham Minh Tein"]);
    assert!(
        err.contains(&format!("did you mean \"Phạm Minh Tiến\" (id {tien})")),
        "{err}"
    );
    let committee = "Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông";
    let err = refused(&["committee", "show", "ban chi dao cai cach hanh chanh"]);
    assert!(
        err.contains(&format!("did you mean \"{committee}\"")),
        "{err}"
    );
    let err = refused(&["unit", "show", "Cuc Tin hoc hao"]);
    assert!(err.contains("did you mean \"Cục Tin học hóa\""), "{err}");
    // Nothing alike: no suggestion.
    let err = refused(&["history", "Zzyzx Qwv"]);
    assert!(
        err.contains("no person matches") && !err.contains("did you mean"),
        "{err}"
    );

    // Ambiguous: every candidate with its id, so the right one can be given.
    let err = refused(&["history", "tien"]);
    assert!(err.contains("matches 2 persons"), "{err}");
    for part in [
        format!("\"Phạm Minh Tiến\" (id {tien})"),
        format!("\"Nguyễn Phú Tiến\" (id {phu_tien})"),
    ] {
        assert!(err.contains(&part), "{part} in {err}");
    }
    // And the id given works.
    d.ok_showing(&["history", &tien], &["Phó Trưởng ban"]);
}

#[test]
fn log_level_wins_over_rust_log_and_both_are_documented() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path());
    let logged = |args: &[&str], env: &[(&str, &str)]| {
        let out = ctl_with(&d.base, Some(&d.token), args, env);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let search = ["search", "tien"];
    // Each request is logged at debug: method, URL and the daemon's status.
    assert!(!logged(&search, &[]).contains("/v1/search"));
    let debug = logged(&[&["--log-level", "debug"][..], &search].concat(), &[]);
    assert!(
        debug.contains("GET") && debug.contains("/v1/search") && debug.contains("status=200"),
        "{debug}"
    );
    let from_env = logged(&search, &[("RUST_LOG", "reformctl=debug")]);
    assert!(from_env.contains("/v1/search"), "{from_env}");
    let flag_wins = logged(
        &[&["--log-level", "error"][..], &search].concat(),
        &[("RUST_LOG", "debug")],
    );
    assert!(!flag_wins.contains("/v1/search"), "{flag_wins}");
    let unreadable = logged(&search, &[("RUST_LOG", "reformctl=loudest")]);
    assert!(unreadable.contains("is not a log filter"), "{unreadable}");

    let help = ctl_with(&d.base, None, &["--help"], &[]);
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    assert!(
        help.contains("--log-level") && help.contains("RUST_LOG") && help.contains("wins over"),
        "{help}"
    );
}

#[test]
fn every_csv_starts_with_the_byte_order_mark_when_asked_and_not_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path());
    d.import_seed_and_plans();
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    for args in [
        &["export", "memberships"][..],
        &[
            "tasks",
            "--unit",
            "vu-to-chuc-can-bo",
            "--on",
            "2021-06-30",
            "--csv",
        ],
        &["report", "--on", "2021-12-31", "-o", "csv"],
        &[
            "committee",
            "show",
            "bcd-cchc-bo-tttt",
            "--on",
            "2022-01-15",
            "-o",
            "csv",
        ],
        &["search", "pham minh tien", "-o", "csv"],
        &["unit", "show", "cuc-tin-hoc-hoa", "-o", "csv"],
        &["tail", "--from", "1", "--until-caught-up", "-o", "csv"],
    ] {
        let plain = ctl_with(&d.base, Some(&d.token), args, &[]);
        let marked = ctl_with(
            &d.base,
            Some(&d.token),
            &[&["--bom"][..], args].concat(),
            &[],
        );
        assert!(
            plain.status.success() && marked.status.success(),
            "{args:?}"
        );
        assert!(!plain.stdout.starts_with(BOM), "{args:?}");
        assert!(marked.stdout.starts_with(BOM), "{args:?}");
        if args[0] != "tail" {
            // The same table after the mark (a feed's times are read live, the rest is not).
            assert_eq!(&marked.stdout[3..], &plain.stdout[..], "{args:?}");
        }
    }
    // The mark is for CSV only: JSON stays plain JSON.
    let json = ctl_with(
        &d.base,
        Some(&d.token),
        &["--bom", "search", "tien", "-o", "json"],
        &[],
    );
    assert!(
        json.stdout.starts_with(b"{"),
        "{}",
        String::from_utf8_lossy(&json.stdout)
    );
}
