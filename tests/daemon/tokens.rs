//! Tokens as an operator edits them while the daemon serves: concurrent creates and a revoke
//! lose nothing, a revocation holds from the next request, expiry, last use, and owner-only
//! files (the daemon refuses a token file others can read).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command};

use crate::support::{sigterm, spawn_reformd};

const EXE: &str = env!("CARGO_BIN_EXE_reformd-under-test");

fn token(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(EXE)
        .arg("token")
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap()
}

fn create(data: &Path, name: &str, extra: &[&str]) -> Result<String, String> {
    let mut args = vec!["create", "--role", "viewer", "--name", name];
    args.extend_from_slice(extra);
    let out = token(data, &args);
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap().trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn status(client: &reqwest::blocking::Client, base: &str, secret: &str) -> u16 {
    client
        .get(format!("{base}/v1/people"))
        .header("Authorization", format!("Bearer {secret}"))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

fn stop(mut child: Child) {
    let _ = sigterm(&mut child);
}

#[test]
fn concurrent_creates_and_a_revoke_lose_nothing_and_the_revoke_holds_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    create(&data, "warm-up", &[]).unwrap();
    let (daemon, base) = spawn_reformd(&data, &[]);
    let client = reqwest::blocking::Client::new();
    for trial in 0..20 {
        let victim = format!("victim-{trial}");
        let victim_secret = create(&data, &victim, &[]).unwrap();
        assert_eq!(status(&client, &base, &victim_secret), 200);
        let creates: Vec<_> = (0..8)
            .map(|i| {
                let data = data.clone();
                std::thread::spawn(move || create(&data, &format!("t{trial}-{i}"), &[]))
            })
            .collect();
        let revoke = token(&data, &["revoke", "--name", &victim]);
        assert!(revoke.status.success(), "{revoke:?}");
        // Every request read after the revoke returned is refused.
        assert_eq!(status(&client, &base, &victim_secret), 401, "trial {trial}");
        for (i, c) in creates.into_iter().enumerate() {
            let secret = c
                .join()
                .unwrap()
                .unwrap_or_else(|e| panic!("trial {trial} create {i} failed: {e}"));
            assert_eq!(
                status(&client, &base, &secret),
                200,
                "trial {trial}: a create that printed a secret is in the file"
            );
        }
    }
    let list = token(&data, &["list"]);
    let text = String::from_utf8(list.stdout).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.contains("\tactive\t")).count(),
        1 + 20 * 8
    );
    assert_eq!(
        text.lines().filter(|l| l.contains("\trevoked\t")).count(),
        20
    );
    stop(daemon);
}

#[test]
fn an_expired_token_is_refused_and_list_shows_expiry_and_last_use() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::seconds(3))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let brief = create(&data, "brief", &["--expires", &soon]).unwrap();
    let lasting = create(&data, "lasting", &["--expires", "90d"]).unwrap();
    let bad = create(&data, "past", &["--expires", "2020-01-01"]).unwrap_err();
    assert!(bad.contains("bad expiry"), "{bad}");
    let (daemon, base) = spawn_reformd(&data, &[]);
    let client = reqwest::blocking::Client::new();
    assert_eq!(status(&client, &base, &brief), 200);
    assert_eq!(status(&client, &base, &lasting), 200);
    std::thread::sleep(std::time::Duration::from_secs(4));
    let r = client
        .get(format!("{base}/v1/people"))
        .header("Authorization", format!("bearer {brief}"))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let problem: serde_json::Value = r.json().unwrap();
    assert_eq!(problem["code"], "token-expired", "{problem}");
    // Lower-case scheme is the same scheme.
    let r = client
        .get(format!("{base}/v1/people"))
        .header("Authorization", format!("bearer {lasting}"))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // Two Authorization headers are a bad request, not a guess.
    let r = client
        .get(format!("{base}/v1/people"))
        .header("Authorization", format!("Bearer {lasting}"))
        .header("Authorization", format!("Bearer {brief}"))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    stop(daemon);
    let text = String::from_utf8(token(&data, &["list"]).stdout).unwrap();
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name}\t")))
            .unwrap_or_else(|| panic!("{text}"))
            .to_owned()
    };
    assert!(line("brief").contains("\texpired\t"), "{text}");
    let lasting_line = line("lasting");
    let fields: Vec<&str> = lasting_line.split('\t').collect();
    assert_eq!(fields[3], "active", "{text}");
    assert_ne!(fields[4], "never", "expiry shown: {text}");
    assert_ne!(fields[5], "never", "last use recorded at shutdown: {text}");
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        }
        out.push(p);
    }
}

#[test]
fn the_data_folder_is_owner_only_and_a_readable_token_file_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    create(&data, "viewer-1", &[]).unwrap();
    let (daemon, _) = spawn_reformd(&data, &[]);
    stop(daemon);
    assert_eq!(mode(&data), 0o700);
    let mut files = Vec::new();
    walk(&data, &mut files);
    assert!(files.len() > 3, "{files:?}");
    for f in &files {
        let want = if f.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(f), want, "{}", f.display());
    }
    std::fs::set_permissions(
        data.join("tokens.toml"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let out = Command::new(EXE)
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("readable by other users") && stderr.contains("chmod 600"),
        "{stderr}"
    );
}

#[test]
fn a_token_command_works_on_the_folder_the_daemon_would_serve() {
    let scratch = tempfile::tempdir().unwrap();
    let listed = |args: &[&str], env: Option<&Path>| {
        let mut cmd = Command::new(EXE);
        cmd.current_dir(scratch.path())
            .env_remove("REFORMD_DATA_DIR")
            .env_remove("REFORMD_CONFIG");
        if let Some(dir) = env {
            cmd.env("REFORMD_DATA_DIR", dir);
        }
        let out = cmd.args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let given = scratch.path().join("given-before");
    let by_env = scratch.path().join("by-env");
    let by_file = scratch.path().join("by-file");
    let config = scratch.path().join("reformd.toml");
    // A serving option the daemon would refuse does not stop a token command, which reads
    // only the folder from the file.
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\nmax_connections = 0\ncolour = \"xanh\"\n",
            by_file.display().to_string()
        ),
    )
    .unwrap();
    let g = given.to_str().unwrap();
    let c = config.to_str().unwrap();
    // `--data-dir` before `token`, the environment, and the config file each decide the
    // folder; the token's own `--data-dir` wins over all of them.
    listed(
        &[
            "--data-dir",
            g,
            "token",
            "create",
            "--role",
            "viewer",
            "--name",
            "truoc",
        ],
        None,
    );
    listed(
        &[
            "token",
            "create",
            "--role",
            "viewer",
            "--name",
            "moi-truong",
        ],
        Some(&by_env),
    );
    listed(
        &[
            "--config", c, "token", "create", "--role", "viewer", "--name", "tep",
        ],
        None,
    );
    let own = scratch.path().join("own");
    let o = own.to_str().unwrap();
    listed(
        &[
            "--data-dir",
            g,
            "token",
            "create",
            "--role",
            "viewer",
            "--name",
            "rieng",
            "--data-dir",
            o,
        ],
        None,
    );
    for (dir, name) in [
        (&given, "truoc"),
        (&by_env, "moi-truong"),
        (&by_file, "tep"),
        (&own, "rieng"),
    ] {
        let list = listed(
            &["token", "list", "--data-dir", dir.to_str().unwrap()],
            None,
        );
        let names: Vec<&str> = list
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .collect();
        assert_eq!(names, [name], "{}", dir.display());
    }
    // Nothing went to the default folder of the working directory.
    assert!(!scratch.path().join("reformd-data").exists());
}
