//! `reformctl verify`: walk the hash chain through the daemon, or offline on a stopped store;
//! any break is an error naming the first bad position, and so is a log that no longer extends
//! a head digest kept earlier (`--expect-head`). Also opens stopped stores for the other
//! offline commands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reformlog_api::VerifyView;
use reformlog_store::{BreakKind, Hash, HeadDigest, OpenError, Store, StoreConfig, VerifyReport};
use serde_json::json;

use crate::client::Client;
use crate::error::Error;
use crate::progress::Progress;

/// The store folder inside a daemon's data folder.
pub(crate) fn store_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("store")
}

/// Opens an existing, stopped store; never creates one.
pub(crate) fn open_existing(dir: &Path) -> Result<Store, Error> {
    try_open(dir)?.map_err(|e| open_failed(dir, e))
}

/// Opens an existing store for `verify`: corruption the store finds while opening is exactly
/// what verification is asked to detect, so it is an integrity failure, not a failure to run.
fn open_to_verify(dir: &Path) -> Result<Store, Error> {
    try_open(dir)?.map_err(|e| match e {
        // A log shorter than its acknowledged head, or a journal gone, is the same finding.
        OpenError::Corrupt(_)
        | OpenError::LogBehindAcknowledged { .. }
        | OpenError::JournalMissing { .. } => {
            Error::Integrity(format!("store {}: {e}", dir.display()))
        }
        // Every other reason (and any the store adds later) keeps its usual exit code.
        other => open_failed(dir, other),
    })
}

/// Opens `dir` when it holds anything; the inner result is the store's own answer.
fn try_open(dir: &Path) -> Result<Result<Store, OpenError>, Error> {
    let has_files = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if !has_files {
        return Err(Error::Store {
            path: dir.to_path_buf(),
            reason: "no store here (give the daemon's data folder, which holds `store/`)".into(),
        });
    }
    Ok(StoreConfig::new(dir)
        .lock_wait(Duration::from_millis(500))
        .open())
}

pub(crate) fn open_failed(dir: &Path, e: OpenError) -> Error {
    match e {
        OpenError::Locked { .. } => Error::StoreBusy(dir.to_path_buf()),
        other => Error::Store {
            path: dir.to_path_buf(),
            reason: other.to_string(),
        },
    }
}

/// Walks the chain of an open store.
pub(crate) fn verify_store(store: &Store, dir: &Path) -> Result<VerifyReport, Error> {
    store.verify().map_err(|e| Error::Store {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })
}

/// The head digest of an open store.
pub(crate) fn head_of(store: &Store, dir: &Path) -> Result<Option<HeadDigest>, Error> {
    store.head().map_err(|e| Error::Store {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })
}

/// The head digest `--expect-head` names: the argument itself when it parses as one, else the
/// first non-empty line of the file it names.
pub(crate) fn expected_head(arg: &str) -> Result<HeadDigest, Error> {
    let not_digest = match parse_digest(arg) {
        Ok(d) => return Ok(d),
        Err(why) => why,
    };
    let text = std::fs::read_to_string(arg).map_err(|e| {
        let file = if e.kind() == std::io::ErrorKind::NotFound {
            "no file of that name exists".to_string()
        } else {
            format!("it cannot be read as a file: {e}")
        };
        Error::Usage(format!(
            "--expect-head {arg:?} is not a head digest ({not_digest}), and {file}"
        ))
    })?;
    let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return Err(Error::Usage(format!(
            "--expect-head {arg:?}: the file holds no head digest (POSITION:HEX64)"
        )));
    };
    parse_digest(line).map_err(|why| {
        Error::Usage(format!(
            "--expect-head {arg:?}: the file's first line {:?} is not a head digest: {why}",
            shorten(line)
        ))
    })
}

/// Parses `POSITION:HEX64`, or `POSITION HEX64` as the store's `*.head` fixtures keep it.
fn parse_digest(text: &str) -> Result<HeadDigest, String> {
    let text = text.trim();
    let (position, hash) = text
        .split_once(':')
        .or_else(|| text.split_once(char::is_whitespace))
        .ok_or("expected POSITION:HEX64")?;
    let (position, hash) = (position.trim(), hash.trim());
    let position: u64 = position
        .parse()
        .map_err(|_| format!("the position {:?} is not a whole number", shorten(position)))?;
    if position == 0 {
        // Positions start at 1; an empty log has no head digest to keep.
        return Err("positions start at 1".into());
    }
    let hash = Hash::from_hex(hash).ok_or_else(|| {
        format!(
            "the hash must be 64 hexadecimal digits, not {} characters {:?}",
            hash.chars().count(),
            shorten(hash)
        )
    })?;
    Ok(HeadDigest { position, hash })
}

/// At most 80 characters of something a person gave, for an error message.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn digest_text(d: &HeadDigest) -> String {
    format!("{}:{}", d.position, d.hash)
}

/// What a verification found, from the store's report or the daemon's answer.
struct Outcome {
    checked: u64,
    /// The last good record.
    head: Option<(u64, String)>,
    /// The first break: its position when known, and why.
    broken: Option<(Option<u64>, String)>,
    /// The chain itself verified, but the log does not extend the kept digest.
    not_extending: bool,
}

fn report(out: &mut dyn Write, o: Outcome, kept: Option<&HeadDigest>) -> Result<(), Error> {
    let checked = o.checked;
    let head_position = o.head.as_ref().map_or(0, |(p, _)| *p);
    if let (true, Some(k)) = (o.not_extending, kept) {
        let log_head = match &o.head {
            Some((p, h)) => format!("{p}:{h}"),
            None => "none (the log is empty)".to_string(),
        };
        let why = if k.position > head_position {
            format!(
                "the log ends at position {head_position}, below the kept position {}: it was rolled back or truncated (the log's head is {log_head})",
                k.position
            )
        } else {
            format!(
                "the record at the kept position {} has another hash (the log's head is {log_head}): the log was rewritten at or below it",
                k.position
            )
        };
        return Err(Error::Integrity(format!(
            "the log does not extend the kept head {}: {why} ({checked} records verified)",
            digest_text(k)
        )));
    }
    if let Some((bad, reason)) = o.broken {
        return Err(Error::Integrity(format!(
            "the hash chain breaks at position {}: {reason} ({checked} records checked before it)",
            bad.map_or_else(|| "?".to_string(), |b| b.to_string()),
        )));
    }
    let extends = kept.map_or_else(String::new, |k| {
        format!("; extends the kept head {}", digest_text(k))
    });
    match o.head {
        Some((p, h)) => writeln!(
            out,
            "ok: {checked} records verified; head position {p} hash {h}{extends}"
        )?,
        None => writeln!(out, "ok: the log is empty")?,
    }
    Ok(())
}

/// `verify --offline --data-dir DIR [--expect-head DIGEST]`.
pub(crate) fn verify_offline(
    out: &mut dyn Write,
    data_dir: &Path,
    kept: Option<&HeadDigest>,
    progress: &Progress,
) -> Result<(), Error> {
    let dir = store_dir(data_dir);
    let spinner = progress.spinner("verifying the hash chain");
    let store = open_to_verify(&dir)?;
    let r = match kept {
        Some(k) => store.verify_extends(k).map_err(|e| Error::Store {
            path: dir.clone(),
            reason: e.to_string(),
        })?,
        None => verify_store(&store, &dir)?,
    };
    spinner.finish_and_clear();
    let not_extending = r
        .first_break
        .as_ref()
        .is_some_and(|b| matches!(b.kind, BreakKind::DigestMismatch | BreakKind::BeyondHead));
    report(
        out,
        Outcome {
            checked: r.checked,
            head: r.head.map(|h| (h.position, h.hash.to_hex())),
            broken: r
                .first_break
                .map(|b| (Some(b.position), b.kind.to_string())),
            not_extending,
        },
        kept,
    )
}

/// `verify [--expect-head DIGEST]` through the daemon (admin token).
pub(crate) fn verify_online(
    client: &Client,
    out: &mut dyn Write,
    json: bool,
    kept: Option<&HeadDigest>,
    progress: &Progress,
) -> Result<(), Error> {
    let spinner = progress.spinner("verifying the hash chain");
    let body =
        kept.map(|k| json!({ "expect_head": { "position": k.position, "hash": k.hash.to_hex() } }));
    let v = client.post_json("/v1/integrity/verify", body.as_ref())?;
    spinner.finish_and_clear();
    if json {
        writeln!(out, "{v}")?;
    }
    let verified: VerifyView = crate::answer::decode(&v)?;
    let ok = verified.ok;
    let extends = verified.extends;
    if kept.is_some() && ok && extends != Some(true) {
        // A daemon that ignores the digest would answer `ok` without checking it; saying
        // "extends" then would be a false assurance.
        return Err(Error::BadAnswer(
            "verify: the daemon did not say whether the log extends the kept head (is it older than this reformctl?)".into(),
        ));
    }
    let head = verified.head.map(|h| (h.position, h.hash));
    let broken = (!ok).then(|| {
        (
            verified.first_bad_position,
            verified
                .reason
                .clone()
                .unwrap_or_else(|| "no reason given".to_owned()),
        )
    });
    let text: &mut dyn Write = if json { &mut std::io::sink() } else { out };
    report(
        text,
        Outcome {
            checked: verified.checked,
            head,
            broken,
            not_extending: extends == Some(false),
        },
        kept,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const HEX: &str = "8737929ce767a27a33666afb546976fe3b91108287c405e1a13dfcf497bb6183";

    #[test]
    fn a_digest_parses_with_a_colon_or_a_space() {
        for text in [
            format!("5:{HEX}"),
            format!("5 {HEX}"),
            format!(" 5:{HEX}\n"),
        ] {
            let d = parse_digest(&text).unwrap();
            assert_eq!(d.position, 5);
            assert_eq!(d.hash.to_hex(), HEX);
        }
        assert_eq!(
            parse_digest(&format!("5:{}", HEX.to_uppercase()))
                .unwrap()
                .hash
                .to_hex(),
            HEX
        );
    }

    #[test]
    fn malformed_digests_say_what_is_wrong() {
        assert!(parse_digest("kept.head")
            .unwrap_err()
            .contains("POSITION:HEX64"));
        assert!(parse_digest(&format!("x:{HEX}"))
            .unwrap_err()
            .contains("whole number"));
        assert!(parse_digest(&format!("0:{HEX}"))
            .unwrap_err()
            .contains("start at 1"));
        assert!(parse_digest("5:abc")
            .unwrap_err()
            .contains("not 3 characters"));
        assert!(parse_digest(&format!("5:{}", "g".repeat(64))).is_err());
    }

    #[test]
    fn a_file_gives_its_first_non_empty_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("store.head");
        std::fs::write(&file, format!("\n  \n7 {HEX}\nignored\n")).unwrap();
        let d = expected_head(file.to_str().unwrap()).unwrap();
        assert_eq!((d.position, d.hash.to_hex().as_str()), (7, HEX));
        std::fs::write(&file, "\n\n").unwrap();
        let e = expected_head(file.to_str().unwrap()).unwrap_err();
        assert!(matches!(e, Error::Usage(_)) && e.to_string().contains("no head digest"));
        std::fs::write(&file, "7:nothex\n").unwrap();
        let e = expected_head(file.to_str().unwrap()).unwrap_err();
        assert!(e.to_string().contains("first line"), "{e}");
        let missing = dir.path().join("missing.head");
        let e = expected_head(missing.to_str().unwrap()).unwrap_err();
        assert!(
            matches!(e, Error::Usage(_)) && e.to_string().contains("no file"),
            "{e}"
        );
    }
}
