//! README.md as a test: every `sh` block runs, in order, in one shell against the built
//! binaries, in a fresh folder, and what the README says a command prints is checked.
//!
//! The shell stands in for a newcomer at a terminal: `cargo run -p reformd -- ARGS` runs the
//! daemon binary, `cargo build` has nothing left to do, a daemon started in the foreground
//! is put in the background until it answers, and each `##` section starts with the daemons
//! of the one before stopped (the reader pressed Ctrl-C). Commands that follow a feed
//! forever are stopped after a few seconds. Opening the web page in a browser fetches it, so
//! the page shell the daemon serves is what is checked.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const README: &str = include_str!("../README.md");

/// One command of a README block: its text (continuation lines joined) and its section.
#[derive(Debug)]
struct Step {
    section: String,
    text: String,
}

/// The `sh` blocks' commands, and the `toml` block that configures reformctl.
fn steps() -> (Vec<Step>, Option<String>) {
    let mut steps = Vec::new();
    let mut config = None;
    let mut section = String::new();
    let mut block: Option<(String, Vec<String>)> = None;
    for line in README.lines() {
        if let Some((lang, body)) = &mut block {
            if line.trim_start().starts_with("```") {
                if lang == "sh" {
                    let mut pending = String::new();
                    for l in body.iter() {
                        if let Some(cont) = l.strip_suffix('\\') {
                            pending.push_str(cont);
                            pending.push(' ');
                            continue;
                        }
                        pending.push_str(l);
                        let text = pending.trim().to_owned();
                        pending.clear();
                        if !text.is_empty() && !text.starts_with('#') {
                            steps.push(Step {
                                section: section.clone(),
                                text,
                            });
                        }
                    }
                } else if lang == "toml" && body.iter().any(|l| l.starts_with("url =")) {
                    config = Some(body.join("\n"));
                }
                block = None;
            } else {
                body.push(line.to_owned());
            }
            continue;
        }
        if let Some(h) = line.strip_prefix("## ") {
            section = h.trim().to_owned();
        } else if let Some(lang) = line.trim_start().strip_prefix("```") {
            block = Some((lang.trim().to_owned(), Vec::new()));
        }
    }
    (steps, config)
}

/// The command without its trailing comment (` # ...`).
fn command_of(text: &str) -> &str {
    match text.find(" # ") {
        Some(i) => text[..i].trim_end(),
        None => text,
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The script a newcomer would have typed, with the stand-ins described above.
fn script(steps: &[Step], config: Option<&str>, config_path: &Path) -> String {
    let mut out = String::from(
        r#"set -u
trap 'kill $(jobs -p) 2> /dev/null' EXIT
cargo() {
  case "$1" in
    run) shift; while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done; shift; reformd "$@" ;;
    build|test) return 0 ;;
    *) echo "unexpected: cargo $*" >&2; return 99 ;;
  esac
}
xdg-open() { curl -sf "$1"; }
ready() {
  for _ in $(seq 200); do
    curl -sf http://127.0.0.1:8080/healthz > /dev/null && return 0
    sleep 0.05
  done
  echo "the daemon did not answer on 127.0.0.1:8080" >&2
  return 1
}
"#,
    );
    let mut section = String::new();
    for step in steps {
        if step.section != section {
            section.clone_from(&step.section);
            out.push_str("kill $(jobs -p) 2> /dev/null; wait 2> /dev/null\n");
        }
        let cmd = command_of(&step.text);
        // On a line of its own even after output that ends without a newline (curl's JSON).
        out.push_str(&format!(
            "printf '\\n%s\\n' {}\n",
            shell_quote(&format!("@@@ {cmd}"))
        ));
        let runs_daemon = cmd.contains("-p reformd --") && !cmd.contains("token")
            || cmd.starts_with("reformd ") && !cmd.starts_with("reformd token");
        let follows = cmd.starts_with("curl -N") || cmd.starts_with("reformctl tail");
        let line = if cmd.starts_with("cargo test") {
            "true".to_owned()
        } else if runs_daemon {
            let cmd = cmd.trim_end_matches('&').trim_end();
            // The binary itself, so that the job is the daemon and stopping it stops it.
            let cmd = match cmd.split_once(" -- ") {
                Some((cargo, args)) if cargo.starts_with("cargo run") => format!("reformd {args}"),
                _ => cmd.to_owned(),
            };
            format!("{cmd} >> daemon.log 2>&1 &\nready")
        } else if follows {
            format!("{{ timeout 3 {cmd} || [ $? -eq 124 ]; }}")
        } else {
            cmd.to_owned()
        };
        out.push_str(&format!(
            "{line}\nstatus=$?; if [ $status -ne 0 ]; then echo \"@@@ FAILED ($status)\"; exit 1; fi\n"
        ));
        if cmd.contains("token create") {
            // A reader takes a moment before the next command; the daemon reloads tokens
            // within a second.
            out.push_str("sleep 1.2\n");
        }
        if cmd.contains("token create --role admin") {
            if let Some(config) = config {
                let text = config.replace(
                    "/path/to/van-phong.token",
                    &format!("{}/van-phong.token", config_path.display()),
                );
                out.push_str(&format!(
                    "mkdir -p \"$XDG_CONFIG_HOME/reformctl\"\nprintf '%s\\n' {} > \"$XDG_CONFIG_HOME/reformctl/config.toml\"\n",
                    shell_quote(&text)
                ));
            }
        }
    }
    out.push_str("kill $(jobs -p) 2> /dev/null; wait 2> /dev/null\necho '@@@ END'\n");
    out
}

/// What each command printed, by command.
fn outputs(stdout: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in stdout.lines() {
        if let Some(cmd) = line.strip_prefix("@@@ ") {
            current = Some(cmd.to_owned());
            map.entry(cmd.to_owned()).or_insert_with(String::new);
            continue;
        }
        if let Some(cmd) = &current {
            if let Some(text) = map.get_mut(cmd) {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    map
}

/// What the README says these commands print (a fragment of each).
const PRINTS: &[(&str, &[&str])] = &[
    (
        "reformctl tasks --plan kh-cchc-2021 --on 2021-03-01",
        &[
            "Rà soát thủ tục hành chính thuộc phạm vi quản lý của Bộ",
            "Cập nhật quy chế làm việc của Ban chỉ đạo cải cách hành chính",
            "2021-11-15",
        ],
    ),
    (
        "reformctl tasks --plan kh-cchc-2021 --status cancelled --on 2021-08-01",
        &["Duy trì hệ thống quản lý chất lượng", "cancelled"],
    ),
    (
        "reformctl decision show qd-gia-han-cchc-2021",
        &["task_deadline_extended", "2021-06-25"],
    ),
    (
        "reformctl report --plan kh-cchc-2021 --on 2021-12-31",
        &["4 tasks on 2021-12-31: 0 open, 0 overdue, 2 completed on time, 2 completed late"],
    ),
    (
        r#"reformctl report --plan kh-cchc-2021 --on 2021-12-31 --known-at "$FIRST""#,
        &["4 tasks on 2021-12-31: 0 open, 1 overdue, 2 completed on time, 1 completed late"],
    ),
    (
        "xdg-open http://127.0.0.1:8080/",
        &[r#"id="main""#, "/assets/app.js"],
    ),
    (
        r#"curl -s "$R/v1/committees/bcd-cchc-bo-tttt/composition?on=2022-02-01""#,
        &["Nguyễn Huy Dũng", "Phạm Minh Tiến", "Đỗ Công Anh"],
    ),
    (
        r#"curl -s "$R/v1/committees/bcd-cchc-bo-tttt/composition?on=2022-01-10""#,
        &[r#""active":false"#],
    ),
    (r#"curl -s "$R/v1/search?q=do%20cong%20anh""#, &["Đỗ Công Anh"]),
    (
        r#"curl -s "$R/v1/units/cuc-tin-hoc-hoa?on=2022-02-01""#,
        &["Cục Tin học hóa"],
    ),
    (
        r#"curl -s "$R/v1/decisions/qd-34-2022/changes""#,
        &["34/QĐ-BTTTT"],
    ),
    (r#"curl -s "$R/v1/integrity/head""#, &[r#""hash""#]),
    (
        r#"curl -s -o /dev/null -w '%{http_code}\n' -H "If-None-Match: $TAG" "$R/v1/committees/bcd-cchc-bo-tttt/composition?on=2022-02-01""#,
        &["304"],
    ),
    (
        r#"curl -s -D - -o /dev/null "$R/v1/units?limit=2" | grep -i '^link:'"#,
        &["rel=\"next\"", "cursor="],
    ),
    (
        r#"curl -s "$R/v1/reminders?limit=10""#,
        &[r#""kind":"due_soon""#, r#""on":"2021-12-24""#, "Vụ Tổ chức cán bộ"],
    ),
    (
        r#"curl -N -s "$R/v1/reminders/stream?after=$(cat bridge.cursor)" | while read -r field value; do    case "$field$value" in 'data:{"kind"'*) echo "send: $value" ;; id:*) echo "$value" > bridge.cursor ;; esac; done"#,
        &[r#"send: {"kind":"due_soon""#],
    ),
    (
        "reformctl import --dry-run tests/data/seed-decision-34.toml",
        &["+ decision 34/QĐ-BTTTT", "dry run, nothing sent"],
    ),
    (
        "reformctl import tests/data/seed-decision-34.toml",
        &["import done", "0 already recorded"],
    ),
    (
        "reformctl import --dry-run tests/data/seed-decision-34.toml tests/data/seed-plans-2021.toml",
        &["= decision 34/QĐ-BTTTT", "+ decision KH CCHC 2021"],
    ),
    (
        "reformctl import tests/data/seed-decision-34.toml tests/data/seed-plans-2021.toml",
        &["import done"],
    ),
    (
        r#"reformctl progress trien-khai-kh-cchc-2021 --percent 50 --on 2021-06-30 --note "Đã triển khai"    --evidence-title "Báo cáo sơ kết 6 tháng (ví dụ)" --evidence-file so-ket.txt"#,
        &[
            "recorded: 50% on 2021-06-30",
            "sha256 fea144774d790793295ed9cef67ff476f4bc1a3dd37411cf997c96d83708b43a",
        ],
    ),
    (
        "reformctl audit --kind task --entity trien-khai-kh-cchc-2021",
        &["task_progress_reported", "\"Báo cáo sơ kết 6 tháng (ví dụ)\" sha256 fea14477"],
    ),
    (
        r#"reformctl tasks --unit vu-to-chuc-can-bo --on 2021-06-30 --known-at "$P""#,
        &["no tasks"],
    ),
    (
        "reformctl tasks --plan kh-chi-so-cchc-2020 --on 2021-12-01",
        &["completed"],
    ),
    ("reformctl tasks --overdue --on 2022-01-05", &["no tasks"]),
    (
        "reformctl tasks --unit vu-to-chuc-can-bo --role lead --due-within 30 --on 2021-12-15",
        &["Tổ chức triển khai kế hoạch cải cách hành chính năm 2021", "leads"],
    ),
    (
        "reformctl report --plan kh-chi-so-cchc-2020 --on 2021-12-31",
        &["3 tasks on 2021-12-31", "3 completed on time", "completion rate: 100 %"],
    ),
    (
        r#"reformctl report --on 2021-12-31 --known-at "$P""#,
        &["0 tasks on 2021-12-31"],
    ),
    (
        r#"reformctl committee show "Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông" --on 2022-01-15"#,
        &["Nguyễn Huy Dũng", "Trưởng ban"],
    ),
    (
        "reformctl committee show bcd-cchc-bo-tttt --on 2022-01-13",
        &["not active"],
    ),
    (
        r#"reformctl search "pham minh tien""#,
        &["Phạm Minh Tiến"],
    ),
    (r#"reformctl history "Do Cong Anh""#, &["Đỗ Công Anh"]),
    ("reformctl decision show 34/QĐ-BTTTT", &["34/QĐ-BTTTT"]),
    (
        "reformctl tasks --unit vu-to-chuc-can-bo --on 2021-06-30",
        &["Tổ chức triển khai kế hoạch cải cách hành chính năm 2021", "leads", "cooperates"],
    ),
    ("reformctl verify", &["ok"]),
    (
        "reformctl verify --expect-head office.anchor",
        &["ok: ", "extends the kept head"],
    ),
    (
        "reformctl backup --name evening-2022-01-14",
        &["to office-data/backups/evening-2022-01-14 on the daemon's host; verified; head position"],
    ),
    (
        "reformctl restore office-data/backups/evening-2022-01-14 --data-dir reformd-restored-evening",
        &["matches the backup"],
    ),
    (
        "reformctl verify --offline --data-dir office-data --expect-head office.anchor",
        &["extends the kept head"],
    ),
    ("reformctl unit show cuc-tin-hoc-hoa --on 2022-02-01", &["Cục Tin học hóa", "parent: Bộ Thông tin và Truyền thông"]),
];

#[test]
fn every_command_the_readme_shows_works_as_printed() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let bin = work.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_reformd-under-test"),
        bin.join("reformd"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_reformctl-under-test"),
        bin.join("reformctl"),
    )
    .unwrap();
    std::fs::create_dir_all(work.join("tests")).unwrap();
    std::os::unix::fs::symlink(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
        work.join("tests/data"),
    )
    .unwrap();
    let (steps, config) = steps();
    assert!(steps.len() > 30, "{steps:?}");
    let text = script(&steps, config.as_deref(), work);
    std::fs::write(work.join("readme.sh"), &text).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("readme.sh")
        .current_dir(work)
        .env("PATH", path)
        .env("HOME", work)
        .env("XDG_CONFIG_HOME", work.join("config"))
        // A shell twelve hours west of UTC: its `date +%F` is seldom the daemon's day in
        // Asia/Ho_Chi_Minh, so a command that takes the shell's today for the daemon's fails.
        .env("TZ", "AOE+12")
        .env_remove("REFORMCTL_URL")
        .env_remove("REFORMCTL_TOKEN")
        .env_remove("REFORMCTL_CONFIG")
        .env_remove("REFORMD_DATA_DIR")
        .env_remove("REFORMD_BIND")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let log = std::fs::read_to_string(work.join("daemon.log")).unwrap_or_default();
    assert!(
        stdout.contains("@@@ END"),
        "a README command failed:\n{}\n--- stderr\n{stderr}\n--- daemon\n{log}",
        stdout
            .lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    );
    let printed = outputs(&stdout);
    for (cmd, fragments) in PRINTS {
        let Some(text) = printed.get(*cmd) else {
            panic!("the README no longer shows `{cmd}`; update this test with it");
        };
        for f in *fragments {
            assert!(text.contains(f), "`{cmd}` printed no {f:?}:\n{text}");
        }
    }
}
