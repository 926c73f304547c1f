//! reformctl end to end: a real reformd child process on 127.0.0.1:0, driven by reformctl as
//! a process, the way a clerk or a script uses it.

pub(crate) mod support;

// import: additions written once, changed entities refused by entry, files sharing entities.
mod import;
// a log export imported into a fresh daemon answers the same.
mod log_round_trip;
// migrate-store: the seed case's log moved to PostgreSQL and back, answering the same; another
// log, a busy store, a broken copy and bad places refused.
mod migrate_store;
// unit show: lineage of a merged ministry per date.
mod lineage;
// report: the year-end report as CSV and as a table.
mod report;
// readers of tasks: a viewer's task feed, warnings in task tables and reports.
mod tasks_for_readers;
// sheets: a plan's tasks from CSV and XLSX (written by openpyxl), bad sheets refused by row
// and column, listings and reports exported as CSV and XLSX and imported again.
mod sheets;
// a plan's year: tasks from a workbook, the year's changes, a late entry and a correction; the
// year-end report against a brute-force count on both time axes; decision citations.
mod plan_year;
// progress: a report citing an evidence document, its file hashed locally.
mod evidence;
// Popolo from elsewhere: a third-party file imported with --cite, again without change, and
// bad files refused with nothing written.
mod popolo;
// terminals and scripts: tables fitted to the width, output formats, errors as JSON, token
// messages, name suggestions, log levels, CSV byte-order marks.
mod terminal;

use serde_json::Value;

use support::{
    code, composition, ctl_as, ctl_offline, failed_with, fixture_data_dir, fixtures, ok, seed_file,
    stderr, verify_offline_against, Daemon,
};

fn holders(c: &Value) -> usize {
    let own: usize = c["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["holders"].as_array().unwrap().len())
        .sum();
    own + c["sub_bodies"]
        .as_array()
        .unwrap()
        .iter()
        .map(holders)
        .sum::<usize>()
}

/// `reformctl committee show` of the seed case's committee, with `more` arguments.
fn bcd_show<'a>(more: &[&'a str]) -> Vec<&'a str> {
    [&["committee", "show", "bcd-cchc-bo-tttt"][..], more].concat()
}

/// `args` with the daemon's JSON answer asked for.
fn json<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [&["--json"][..], args].concat()
}

/// `reformctl audit` of the clerk's changes, with `more` arguments.
fn by_clerk<'a>(more: &[&'a str]) -> Vec<&'a str> {
    [&["audit", "--actor", "token:clerk"][..], more].concat()
}

fn head(d: &Daemon) -> u64 {
    let v: Value = serde_json::from_str(&d.ok(&["--json", "verify"])).unwrap();
    v["head"]["position"].as_u64().unwrap()
}

#[test]
fn the_seed_case_imports_once_and_shows_the_committee_before_and_after_decision_34() {
    let dir = tempfile::tempdir().unwrap();
    // Made before the daemon starts, so it need not wait for the token file to be reloaded.
    let viewer = Daemon::token_for(dir.path(), "viewer", reformd::Role::Viewer);
    let d = Daemon::start(dir.path());
    let seed = seed_file();
    let seed = seed.to_str().unwrap();

    let plan = d.ok(&["import", "--dry-run", seed]);
    assert!(plan.contains("+ decision 34/QĐ-BTTTT"), "{plan}");
    assert!(
        plan.contains("+ unit Cục Tin học hóa established 2021-01-01"),
        "{plan}"
    );
    assert!(plan.contains("dry run, nothing sent"), "{plan}");
    assert!(d.ctl(&["--json", "verify"]).status.success());

    let first = d.ok(&["import", seed]);
    assert!(first.contains("2 written"), "{first}");
    let after_first = head(&d);
    // Re-running the same import is a no-op, and its dry run says so.
    let again = d.ok(&["import", seed]);
    assert!(again.contains("2 already recorded"), "{again}");
    assert_eq!(head(&d), after_first);
    let plan = d.ok(&["import", "--dry-run", seed]);
    assert!(plan.contains("= decision 34/QĐ-BTTTT"), "{plan}");
    assert!(!plan.lines().any(|l| l.starts_with('+')), "{plan}");

    // The day before Decision 34 the committee had not been constituted; the day after, the
    // head, two deputy heads, 21 members and the 27-member working group.
    d.ok_showing(
        &bcd_show(&["--on", "2022-01-13"]),
        &["not active", "0 holders"],
    );
    let table = d.ok(&[
        "committee",
        "show",
        "Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông",
        "--on",
        "2022-01-15",
    ]);
    let head_row = table.lines().find(|l| l.starts_with("Trưởng ban")).unwrap();
    for part in [
        "Nguyễn Huy Dũng",
        "Thứ trưởng Bộ Thông tin và Truyền thông",
        "2022-01-14",
        "34/QĐ-BTTTT",
    ] {
        assert!(head_row.contains(part), "{head_row}");
    }
    assert!(table.contains("sub-body: Tổ giúp việc"), "{table}");
    // Columns line up by display width: "SINCE" starts in the same terminal column on every
    // row of the main table.
    let rows: Vec<&str> = table
        .lines()
        .skip(2)
        .take_while(|l| !l.is_empty())
        .collect();
    let col = |l: &str| {
        reformctl::display_width(
            &l[..l
                .find("2022-01-14")
                .unwrap_or_else(|| l.find("SINCE").unwrap())],
        )
    };
    assert!(rows.iter().all(|l| col(l) == col(rows[0])), "{table}");
    assert_eq!(holders(&composition(&d, "2022-01-15")), 24 + 27);
    assert_eq!(holders(&composition(&d, "2022-01-13")), 0);
    // As known at the end of the first write (units, people, posts), the committee was not
    // on record at all; as known at the end of the second, it was complete.
    let early = d.ctl(&bcd_show(&["--on", "2022-01-15", "--known-at", "82"]));
    assert_eq!(code(&early), Some(reformctl::exit::REFUSED));
    assert!(String::from_utf8_lossy(&early.stderr).contains("404"));
    let known = after_first.to_string();
    let complete = bcd_show(&["--on", "2022-01-15", "--known-at", &known]);
    let v: Value = serde_json::from_str(&d.ok(&json(&complete))).unwrap();
    assert_eq!(holders(&v["answer"]), 24 + 27);

    let hits = d.ok(&["search", "pham minh tien"]);
    assert!(hits.contains("Phạm Minh Tiến"), "{hits}");
    d.ok_showing(&["history", "Do Cong Anh"], &["Tổ phó", "Phó Trưởng ban"]);
    d.ok_showing(
        &["decision", "show", "34/QĐ-BTTTT"],
        &["committee_established", "+  Trưởng ban"],
    );
    let diff = d.ok(&[
        "diff",
        "bcd-cchc-bo-tttt",
        "--from",
        "2022-01-13",
        "--to",
        "2022-01-15",
    ]);
    assert_eq!(
        diff.lines().filter(|l| l.starts_with('+')).count(),
        24 + 27,
        "{diff}"
    );
    let audit = d.ok(&["audit", "--kind", "person", "--entity", "pham-minh-tien"]);
    assert!(audit.contains("token:clerk"), "{audit}");
    let by_actor = d.ok(&by_clerk(&[
        "--recorded-from",
        "2000-01-01",
        "--recorded-to",
        "2100-01-01",
    ]));
    assert_eq!(
        by_actor.lines().count() as u64,
        1 + after_first,
        "{by_actor}"
    );
    // `--from`/`--to` are the earlier names of the recorded range.
    let old_names = d.ok(&by_clerk(&["--from", "2000-01-01", "--to", "2100-01-01"]));
    assert_eq!(old_names, by_actor);
    // The valid-time range: every change of the seed case is about 2022-01-14 or earlier.
    assert_eq!(d.ok(&by_clerk(&["--valid-to", "2022-01-14"])), by_actor);
    assert!(d
        .ok(&by_clerk(&["--valid-from", "2022-01-15"]))
        .contains("no changes"));
    // known_at as a date: as known at the end of 1 January 2000, nothing was on record.
    let long_ago = d.ctl(&bcd_show(&["--known-at", "2000-01-01"]));
    assert_eq!(code(&long_ago), Some(reformctl::exit::REFUSED));
    assert!(d
        .ok(&["tasks", "--overdue", "--on", "2030-01-01"])
        .contains("no tasks"));

    // A viewer may not write: exit 4 and the daemon's problem detail on one line.
    let newcomer = dir.path().join("newcomer.toml");
    std::fs::write(&newcomer, "records_from = \"2022-01-01\"\n\n[[people]]\nslug = \"thanh-vien-22\"\nname = \"Thành viên 22\"\n").unwrap();
    let refused = ctl_as(&d.base, &viewer, &["import", newcomer.to_str().unwrap()]);
    assert_eq!(code(&refused), Some(reformctl::exit::REFUSED));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("403") && err.contains("forbidden") && err.lines().count() == 1,
        "{err}"
    );
    // An invalid file: exit 3, nothing sent.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "records_from = \"2022-01-01\"\n[[people]]\nslug = \"thanh-vien-17\"\nname = \"\"\n",
    )
    .unwrap();
    let out = d.ctl(&["import", bad.to_str().unwrap()]);
    assert_eq!(
        code(&out),
        Some(reformctl::exit::INVALID_INPUT),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(head(&d), after_first);
    // No daemon at all: exit 5.
    let gone = ctl_as("http://127.0.0.1:9", "x", &["search", "x"]);
    assert_eq!(code(&gone), Some(reformctl::exit::UNAVAILABLE));
}

/// A hypothetical committee of the ministry whose deputy head sits as Vụ trưởng Vụ Tổ chức cán
/// bộ and one member as Cục trưởng Cục Tin học hóa; reconstituted on 2023-02-01 with new
/// seats (Thành viên 3 for Thành viên 2); Phạm Minh Tiến follows Đỗ Công Anh as Cục trưởng on
/// 2024-01-01. Every date and decision here is made up for the test.
fn seats_by_post() -> String {
    format!(
        "{SEATS_BY_POST_ENTITIES}{}{}{SEATS_BY_POST_COMMITTEE}{}{}",
        hypothetical_decision(1, "2022-02-01"),
        hypothetical_decision(2, "2023-02-01"),
        reconstitution(1, "2022-02-01", "thanh-vien-2"),
        reconstitution(2, "2023-02-01", "thanh-vien-3"),
    )
}

/// The hypothetical decision `n` of the committee in [`seats_by_post`], signed and in force on
/// `on`.
fn hypothetical_decision(n: u8, on: &str) -> String {
    format!(
        r#"[[decisions]]
slug = "hypothetical-cli-{n}"
number = "HYPOTHETICAL-C{n}/QĐ-BTTTT"
kind = "decision"
issuer = "bo-tttt"
signed_on = "{on}"
in_force_on = "{on}"
title = "Hypothetical decision for tests; not a real document"

"#
    )
}

/// The committee's reconstitution by decision `n` on `on`: the deputy head and a member ex
/// officio through the two posts, Thành viên 1 and `member`, seats named by the year.
fn reconstitution(n: u8, on: &str, member: &str) -> String {
    let year = &on[..4];
    let mut toml = format!(
        r#"
[[reconstitutions]]
committee = "ban-thu-nghiem-cli"
decision = "hypothetical-cli-{n}"
on = "{on}"
"#
    );
    for (seat, role, how) in [
        (
            "pho-truong-ban",
            "deputy_head",
            "ex_officio = \"vu-truong-vu-to-chuc-can-bo\"",
        ),
        (
            "thanh-vien-cuc",
            "member",
            "ex_officio = \"cuc-truong-cuc-tin-hoc-hoa\"",
        ),
        ("thanh-vien-1", "member", "holder = \"thanh-vien-1\""),
        (member, "member", &format!("holder = \"{member}\"")),
    ] {
        toml.push_str(&format!(
            "\n[[reconstitutions.seats]]\nslug = \"{seat}-{year}\"\nrole = \"{role}\"\n{how}\n"
        ));
    }
    toml
}

/// The units and people of [`seats_by_post`].
const SEATS_BY_POST_ENTITIES: &str = include_str!("../data/cli-seats-by-post-entities.toml");

/// The posts and the committee of [`seats_by_post`].
const SEATS_BY_POST_COMMITTEE: &str = include_str!("../data/cli-seats-by-post-committee.toml");

#[test]
fn history_shows_seats_held_ex_officio_and_diff_keeps_who_kept_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(&dir.path().join("data"));
    let file = dir.path().join("seats-by-post.toml");
    std::fs::write(&file, seats_by_post()).unwrap();
    d.ok(&["import", file.to_str().unwrap()]);

    // Deputy head through one post (in each reconstitution's seat), then member through
    // the other, oldest first, each naming the post.
    let history = d.ok(&["history", "pham-minh-tien"]);
    let rows: Vec<&str> = history
        .lines()
        .skip_while(|l| *l != "Committee seats")
        .skip(2)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), 3, "{history}");
    for (row, parts) in rows.iter().zip([
        [
            "Phó Trưởng ban",
            "Vụ trưởng Vụ Tổ chức cán bộ",
            "2022-02-01",
            "2023-02-01",
        ],
        [
            "Phó Trưởng ban",
            "Vụ trưởng Vụ Tổ chức cán bộ",
            "2023-02-01",
            "2024-01-01",
        ],
        [
            "Thành viên",
            "Cục trưởng Cục Tin học hóa",
            "2024-01-01",
            "—",
        ],
    ]) {
        for part in parts {
            assert!(row.contains(part), "{part:?} in {row:?}\n{history}");
        }
        assert!(row.starts_with("Ban thử nghiệm"), "{history}");
    }

    // Across the reconstitution: the two who sit ex officio and Thành viên 1 stayed.
    let across = [
        "diff",
        "ban-thu-nghiem-cli",
        "--from",
        "2023-01-31",
        "--to",
        "2023-02-01",
    ];
    let diff = d.ok(&across);
    assert!(
        diff.starts_with(
            "between 2023-01-31 and 2023-02-01: 3 stayed, 0 changed place, 1 left, 1 joined"
        ),
        "{diff}"
    );
    let row = |sign: char| diff.lines().find(|l| l.starts_with(sign)).unwrap_or("");
    assert!(row('-').contains("Thành viên 2"), "{diff}");
    assert!(row('+').contains("Thành viên 3"), "{diff}");
    // The daemon's JSON says the same.
    let v: Value = serde_json::from_str(&d.ok(&json(&across))).unwrap();
    assert_eq!(v["answer"]["stayed"], 3);
    assert_eq!(v["answer"]["left"][0]["person_name"], "Thành viên 2");
}

#[test]
fn a_popolo_export_reimports_into_a_fresh_daemon_with_the_same_answers() {
    let dirs = tempfile::tempdir().unwrap();
    let a = Daemon::start(&dirs.path().join("a"));
    // Decision 34's text, at a placeholder address: its sources name none.
    let link = dirs.path().join("link.toml");
    std::fs::write(
        &link,
        "format = 2\nrecords_from = \"2022-01-01\"\n\n[[changes]]\ntype = \"link_decision\"\n\
         decision = \"qd-34-2022\"\nurl = \"https://example.org/van-ban/34-qd-btttt\"\n\
         note = \"Cổng thông tin (địa chỉ giả định)\"\non = \"2022-01-14\"\n",
    )
    .unwrap();
    a.ok(&[
        "import",
        seed_file().to_str().unwrap(),
        link.to_str().unwrap(),
    ]);
    let file = dirs.path().join("bcd.popolo.json");
    a.ok(&["export", "popolo", "-o", file.to_str().unwrap()]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let text = serde_json::json!({
        "url": "https://example.org/van-ban/34-qd-btttt",
        "note": "Cổng thông tin (địa chỉ giả định)"
    });
    let d34 = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["identifiers"][0]["identifier"] == "34/QĐ-BTTTT")
        .unwrap();
    assert_eq!(d34["sources"], serde_json::json!([text]));
    assert_eq!(doc["persons"].as_array().unwrap().len(), 4 + 21 + 24);
    let memberships = doc["memberships"].as_array().unwrap();
    let seated: Vec<&Value> = memberships
        .iter()
        .filter(|m| m["reformlog_role"] == "member")
        .collect();
    assert_eq!(seated.len(), 21);
    for m in &seated {
        // The role in words, beside reformlog's code.
        assert_eq!(m["role"], "Thành viên");
        // Popolo field names, with the unit represented and the decision as the source.
        for field in ["person_id", "organization_id", "post_id", "on_behalf_of_id"] {
            assert!(m[field].is_string(), "{field} in {m}");
        }
        assert_eq!(m["start_date"], "2022-01-14");
        assert_eq!(m["sources"][0]["note"], "34/QĐ-BTTTT");
        assert!(m["sources"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with(reformctl::DECISION_URN));
        assert_eq!(m["sources"][1], text);
    }
    assert_valid_popolo(&file);
    let orgs = doc["organizations"].as_array().unwrap();
    let committees: Vec<&Value> = orgs
        .iter()
        .filter(|o| o["classification"] == "committee")
        .collect();
    assert_eq!(committees.len(), 2);
    // The working group names the committee it belongs to; a department, its ministry.
    let by_name = |name: &str| orgs.iter().find(|o| o["name"] == name).unwrap();
    let bcd = by_name("Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông");
    assert_eq!(
        by_name("Tổ giúp việc Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông")
            ["parent_id"],
        bcd["id"]
    );
    assert_eq!(
        by_name("Vụ Bưu chính")["parent_id"],
        by_name("Bộ Thông tin và Truyền thông")["id"]
    );
    assert_eq!(bcd["identifiers"][0]["scheme"], "reformlog");
    assert_eq!(bcd["identifiers"][0]["identifier"], bcd["id"]);
    let head_of = doc["persons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Nguyễn Huy Dũng")
        .unwrap();
    assert_eq!(head_of["sort_name"], "Dũng Nguyễn Huy");
    let holding = memberships
        .iter()
        .find(|m| m["reformlog_role"] == "post_holder")
        .unwrap();
    assert!(holding["role"].is_string() && holding["role"] != "post_holder");

    let b = Daemon::start(&dirs.path().join("b"));
    b.ok(&["import", file.to_str().unwrap()]);
    for on in ["2022-01-13", "2022-01-14", "2022-01-15", "2030-01-01"] {
        assert_eq!(
            composition(&a, on),
            composition(&b, on),
            "composition on {on}"
        );
    }
    assert_eq!(
        a.ok(&["export", "memberships"]),
        b.ok(&["export", "memberships"])
    );
    assert_eq!(a.ok(&["export", "popolo"]), b.ok(&["export", "popolo"]));
    let linked = b.ok(&["decision", "show", "34/QĐ-BTTTT"]);
    assert!(
        linked.contains("text at https://example.org/van-ban/34-qd-btttt"),
        "{linked}"
    );
    // Importing the same Popolo file again changes nothing.
    let head_b = head(&b);
    b.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(head(&b), head_b);
}

#[test]
fn verify_backup_and_restore_keep_the_same_head_digest() {
    let dirs = tempfile::tempdir().unwrap();
    let data = dirs.path().join("data");
    let d = Daemon::start(&data);
    d.ok(&["import", seed_file().to_str().unwrap()]);
    let online = d.ok(&["verify"]);
    assert!(online.starts_with("ok: "), "{online}");
    let log = d.ok(&["export", "log"]);
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, head(&d));
    assert!(lines.windows(2).all(|w| w[1]["prev_hash"] == w[0]["hash"]));
    let data_arg = data.to_str().unwrap();
    // While the daemon runs, offline commands cannot take its store: exit 7.
    let busy = ctl_offline(&["verify", "--offline", "--data-dir", data_arg]);
    assert_eq!(code(&busy), Some(reformctl::exit::STORE_BUSY));
    let before = composition(&d, "2022-01-15");
    d.stop();

    let offline = ok(
        ctl_offline(&["verify", "--offline", "--data-dir", data_arg]),
        &["verify"],
    );
    assert_eq!(offline, online);
    let bk = dirs.path().join("backup");
    let said = ok(
        ctl_offline(&["backup", "--data-dir", data_arg, "-o", bk.to_str().unwrap()]),
        &["backup"],
    );
    assert!(said.contains("backed up"), "{said}");
    let restored = dirs.path().join("restored");
    let said = ok(
        ctl_offline(&[
            "restore",
            bk.to_str().unwrap(),
            "--data-dir",
            restored.to_str().unwrap(),
        ]),
        &["restore"],
    );
    assert!(said.contains("matches the backup"), "{said}");
    let again = ok(
        ctl_offline(&[
            "verify",
            "--offline",
            "--data-dir",
            restored.to_str().unwrap(),
        ]),
        &["verify"],
    );
    assert_eq!(again, online);
    // The restored folder serves the same answers (its tokens came with the backup).
    std::fs::copy(data.join("clerk.token"), restored.join("clerk.token")).unwrap();
    let r = Daemon::start(&restored);
    assert_eq!(composition(&r, "2022-01-15"), before);
}

/// `POSITION:HASH` of a line of `export log`.
fn digest_of(event: &Value) -> String {
    format!("{}:{}", event["position"], event["hash"].as_str().unwrap())
}

#[test]
fn verify_expect_head_online_passes_for_a_kept_head_and_fails_for_a_rewritten_or_cut_log() {
    let dirs = tempfile::tempdir().unwrap();
    let data = dirs.path().join("data");
    let d = Daemon::start(&data);
    d.ok(&["import", seed_file().to_str().unwrap()]);
    let log: Vec<Value> = d
        .ok(&["export", "log"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = log.last().unwrap();
    let position = last["position"].as_u64().unwrap();
    let kept = digest_of(last);

    let said = d.ok(&["verify", "--expect-head", &kept]);
    assert!(said.starts_with("ok: "), "{said}");
    assert!(
        said.trim_end()
            .ends_with(&format!("; extends the kept head {kept}")),
        "{said}"
    );
    // A head kept earlier, that the log has since grown past, is still extended.
    let earlier = digest_of(&log[2]);
    let said = d.ok(&["verify", "--expect-head", &earlier]);
    assert!(
        said.contains(&format!("extends the kept head {earlier}")),
        "{said}"
    );
    // The digest in a file.
    let file = dirs.path().join("kept.head");
    std::fs::write(&file, format!("{kept}\n")).unwrap();
    let from_file = d.ok(&["verify", "--expect-head", file.to_str().unwrap()]);
    assert_eq!(from_file, d.ok(&["verify", "--expect-head", &kept]));
    let v: Value =
        serde_json::from_str(&d.ok(&["--json", "verify", "--expect-head", &kept])).unwrap();
    assert_eq!(
        (&v["ok"], &v["extends"]),
        (&Value::Bool(true), &Value::Bool(true)),
        "{v}"
    );

    // Another record's hash at the head position: the history was rewritten.
    let forged = format!("{position}:{}", log[0]["hash"].as_str().unwrap());
    let err = failed_with(
        &d.ctl(&["verify", "--expect-head", &forged]),
        reformctl::exit::INTEGRITY,
    );
    assert!(
        err.contains(&format!("does not extend the kept head {forged}"))
            && err.contains(&format!("kept position {position}"))
            && err.contains("rewritten"),
        "{err}"
    );
    // Still exit 6 with --json, which prints the daemon's answer.
    let out = d.ctl(&["--json", "verify", "--expect-head", &forged]);
    assert_eq!(code(&out), Some(reformctl::exit::INTEGRITY));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&v["ok"], &v["extends"]),
        (&Value::Bool(false), &Value::Bool(false)),
        "{v}"
    );
    // A kept position past the head: the log was rolled back or truncated.
    let ahead = format!("{}:{}", position + 4, last["hash"].as_str().unwrap());
    let err = failed_with(
        &d.ctl(&["verify", "--expect-head", &ahead]),
        reformctl::exit::INTEGRITY,
    );
    assert!(
        err.contains(&format!("kept position {}", position + 4))
            && err.contains("rolled back or truncated"),
        "{err}"
    );
    // A malformed digest is a usage error, found before any daemon is asked.
    let out = ctl_as(
        "http://127.0.0.1:9",
        "x",
        &["verify", "--expect-head", "12:xyz"],
    );
    assert_eq!(code(&out), Some(reformctl::exit::USAGE), "{}", stderr(&out));
    assert!(stderr(&out).contains("\"12:xyz\""), "{}", stderr(&out));

    // Offline on the stopped store, the same digests give the same answers.
    let online = d.ok(&["verify", "--expect-head", &earlier]);
    d.stop();
    let data_arg = data.to_str().unwrap();
    assert_eq!(
        ok(verify_offline_against(data_arg, &earlier), &["verify"]),
        online
    );
    let err = failed_with(
        &verify_offline_against(data_arg, &forged),
        reformctl::exit::INTEGRITY,
    );
    assert!(err.contains("rewritten"), "{err}");
}

#[test]
fn verify_offline_expect_head_checks_a_kept_digest_given_directly_or_in_a_file() {
    let root = tempfile::tempdir().unwrap();
    let data = fixture_data_dir(root.path(), "store-v3");
    let data_arg = data.to_str().unwrap();
    // The fixture keeps its head as `POSITION HASH`, the form a file may also use.
    let head_file = fixtures().join("store-v3.head");
    let head_text = std::fs::read_to_string(&head_file).unwrap();
    let (position, hash) = head_text.trim().split_once(' ').unwrap();
    let kept = format!("{position}:{hash}");
    let verify = |expect: &str| verify_offline_against(data_arg, expect);

    let said = ok(verify(head_file.to_str().unwrap()), &["verify", "FILE"]);
    assert_eq!(
        said.trim_end(),
        format!(
            "ok: 5 records verified; head position 5 hash {hash}; extends the kept head {kept}"
        )
    );
    assert_eq!(ok(verify(&kept), &["verify", "DIGEST"]), said);
    // A colon digest in a file, after blank lines.
    let file = root.path().join("kept.head");
    std::fs::write(&file, format!("\n   \n{kept}\n")).unwrap();
    assert_eq!(
        ok(verify(file.to_str().unwrap()), &["verify", "FILE"]),
        said
    );

    // Another hash at the kept position: exit 6, naming the position.
    let last = hash.chars().last().unwrap();
    let other = if last == '0' { '1' } else { '0' };
    let wrong = format!("{position}:{}{other}", &hash[..hash.len() - 1]);
    let err = failed_with(&verify(&wrong), reformctl::exit::INTEGRITY);
    assert!(
        err.contains(&format!("does not extend the kept head {wrong}"))
            && err.contains("kept position 5")
            && err.contains("rewritten"),
        "{err}"
    );
    // A kept position beyond the head: exit 6, the log was cut back below it.
    let ahead = format!("9:{hash}");
    let err = failed_with(&verify(&ahead), reformctl::exit::INTEGRITY);
    assert!(
        err.contains("ends at position 5, below the kept position 9")
            && err.contains("rolled back or truncated"),
        "{err}"
    );

    // Malformed digests, missing and unusable files: usage errors naming what was given.
    let empty = root.path().join("empty.head");
    std::fs::write(&empty, "\n\n").unwrap();
    let garbage = root.path().join("garbage.head");
    std::fs::write(&garbage, "head: five\n").unwrap();
    let missing = root.path().join("missing.head");
    let zero = format!("0:{hash}");
    for (given, says) in [
        ("5:abc", "64 hexadecimal digits"),
        ("five", "no file of that name"),
        (zero.as_str(), "positions start at 1"),
        (missing.to_str().unwrap(), "no file of that name"),
        (empty.to_str().unwrap(), "holds no head digest"),
        (garbage.to_str().unwrap(), "first line"),
    ] {
        let out = verify(given);
        let err = stderr(&out);
        assert_eq!(code(&out), Some(reformctl::exit::USAGE), "{given}: {err}");
        assert!(
            err.contains(&format!("{given:?}")) && err.contains(says),
            "{given}: {err}"
        );
    }
}

#[test]
fn verify_offline_reports_a_store_too_corrupt_to_open_as_an_integrity_failure() {
    let root = tempfile::tempdir().unwrap();
    let data = fixture_data_dir(root.path(), "store-v3");
    // Cut the last record short behind the store's back, as a disk error would.
    {
        let db = crate::support::raw_db(&data.join("store"));
        let tree = db.open_tree("reformlog.log.v1").unwrap();
        let mut key = vec![0x10u8];
        key.extend_from_slice(&5u64.to_be_bytes());
        let bytes = tree.get(&key).unwrap().unwrap();
        tree.insert(key, bytes[..bytes.len() / 2].to_vec()).unwrap();
        db.flush().unwrap();
    }
    let out = ctl_offline(&["verify", "--offline", "--data-dir", data.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(code(&out), Some(reformctl::exit::INTEGRITY), "{err}");
    assert!(err.contains("corrupt"), "{err}");
}

#[test]
fn tail_prints_the_log_and_resumes_after_its_checkpoint() {
    let dirs = tempfile::tempdir().unwrap();
    let d = Daemon::start(dirs.path());
    d.ok(&["import", seed_file().to_str().unwrap()]);
    let checkpoint = dirs.path().join("tail.pos");
    let cp = checkpoint.to_str().unwrap();
    let first = d.ok(&[
        "--json",
        "tail",
        "--from",
        "1",
        "--until-caught-up",
        "--checkpoint",
        cp,
    ]);
    let positions: Vec<u64> = first
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["position"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(positions, (1..=head(&d)).collect::<Vec<_>>());
    let more = dirs.path().join("more.toml");
    std::fs::write(&more, "records_from = \"2022-01-01\"\n\n[[people]]\nslug = \"thanh-vien-22\"\nname = \"Thành viên 22\"\n").unwrap();
    d.ok(&["import", more.to_str().unwrap()]);
    let next = d.ok(&["tail", "--until-caught-up", "--checkpoint", cp]);
    assert_eq!(next.lines().count(), 1, "{next}");
    assert!(next.contains("person-"), "{next}");
    assert_eq!(
        std::fs::read_to_string(&checkpoint).unwrap().trim(),
        head(&d).to_string()
    );
}

#[test]
fn completions_and_man_pages_come_from_the_clap_definitions() {
    let bash = ok(ctl_offline(&["completions", "bash"]), &["completions"]);
    assert!(bash.contains("reformctl") && bash.contains("committee"));
    let man = ok(ctl_offline(&["man"]), &["man"]);
    assert!(man.contains(".TH") && man.contains("Exit codes"));
    let dir = tempfile::tempdir().unwrap();
    ok(
        ctl_offline(&["man", "--out-dir", dir.path().to_str().unwrap()]),
        &["man"],
    );
    assert!(dir.path().join("reformctl-import.1").is_file());
    let usage = ctl_offline(&["committee"]);
    assert_eq!(code(&usage), Some(reformctl::exit::USAGE));
}

/// Validates an export against the Popolo schemas (draft-03) with Python's `jsonschema` (the
/// Rust validators do not support draft-03). `REFORMLOG_POPOLO_SCHEMAS` names the folder of
/// schema files, and then validation is required (CI sets it). Without it the copies kept
/// beside the repository are used when present; a checkout without them skips only this
/// check (the caller's field-name assertions still run) and says so.
fn assert_valid_popolo(file: &std::path::Path) {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let schemas = match std::env::var_os("REFORMLOG_POPOLO_SCHEMAS") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => {
            let beside = manifest.join("../../shared/popolo-schemas");
            if !beside.join("membership.json").is_file() {
                eprintln!(
                    "Popolo schema validation skipped: set REFORMLOG_POPOLO_SCHEMAS to a folder of the Popolo schemas"
                );
                return;
            }
            beside
        }
    };
    assert!(
        schemas.join("membership.json").is_file(),
        "Popolo schemas not found at {}",
        schemas.display()
    );
    let out = std::process::Command::new("python3")
        .arg(manifest.join("cli/validate_popolo.py"))
        .arg(&schemas)
        .arg(file)
        .output()
        .expect("python3 with jsonschema is needed (.ci/run installs it)");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the Popolo export does not validate:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("0 errors"), "{report}");
}
