//! `reformctl verify`: walk the hash chain through the daemon, or offline on a stopped store;
//! any break is an error naming the first bad position. Also opens stopped stores for the
//! other offline commands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reformlog_store::{HeadDigest, OpenError, Store, StoreConfig, VerifyReport};
use serde_json::Value;

use crate::client::Client;
use crate::error::Error;
use crate::progress::Progress;

/// The store folder inside a daemon's data folder.
pub(crate) fn store_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("store")
}

/// Opens an existing, stopped store; never creates one.
pub(crate) fn open_existing(dir: &Path) -> Result<Store, Error> {
    let has_files = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if !has_files {
        return Err(Error::Store {
            path: dir.to_path_buf(),
            reason: "no store here (give the daemon's data folder, which holds `store/`)".into(),
        });
    }
    StoreConfig::new(dir)
        .lock_wait(Duration::from_millis(500))
        .open()
        .map_err(|e| match e {
            OpenError::Locked { .. } => Error::StoreBusy(dir.to_path_buf()),
            other => Error::Store {
                path: dir.to_path_buf(),
                reason: other.to_string(),
            },
        })
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

fn report(
    out: &mut dyn Write,
    ok: bool,
    checked: u64,
    head: Option<(u64, String)>,
    bad: Option<u64>,
    reason: Option<String>,
) -> Result<(), Error> {
    if ok {
        match head {
            Some((p, h)) => writeln!(
                out,
                "ok: {checked} records verified; head position {p} hash {h}"
            )?,
            None => writeln!(out, "ok: the log is empty")?,
        }
        return Ok(());
    }
    Err(Error::Integrity(format!(
        "the hash chain breaks at position {}: {} ({checked} records checked before it)",
        bad.map_or_else(|| "?".to_string(), |b| b.to_string()),
        reason.unwrap_or_else(|| "no reason given".into())
    )))
}

/// `verify --offline --data-dir DIR`.
pub(crate) fn verify_offline(
    out: &mut dyn Write,
    data_dir: &Path,
    progress: &Progress,
) -> Result<(), Error> {
    let dir = store_dir(data_dir);
    let spinner = progress.spinner("verifying the hash chain");
    let store = open_existing(&dir)?;
    let r = verify_store(&store, &dir)?;
    spinner.finish_and_clear();
    report(
        out,
        r.is_ok(),
        r.checked,
        r.head.map(|h| (h.position, h.hash.to_hex())),
        r.first_break.as_ref().map(|b| b.position),
        r.first_break.map(|b| b.kind.to_string()),
    )
}

/// `verify` through the daemon (admin token).
pub(crate) fn verify_online(
    client: &Client,
    out: &mut dyn Write,
    json: bool,
    progress: &Progress,
) -> Result<(), Error> {
    let spinner = progress.spinner("verifying the hash chain");
    let v = client.post_empty("/v1/integrity/verify")?;
    spinner.finish_and_clear();
    if json {
        writeln!(out, "{v}")?;
    }
    let ok = v
        .get("ok")
        .and_then(Value::as_bool)
        .ok_or_else(|| Error::BadAnswer("verify: no `ok`".into()))?;
    let head = v.get("head").and_then(|h| {
        Some((
            h.get("position")?.as_u64()?,
            h.get("hash")?.as_str()?.to_string(),
        ))
    });
    let text: &mut dyn Write = if json { &mut std::io::sink() } else { out };
    report(
        text,
        ok,
        v.get("checked").and_then(Value::as_u64).unwrap_or(0),
        head,
        v.get("first_bad_position").and_then(Value::as_u64),
        v.get("reason").and_then(Value::as_str).map(str::to_string),
    )
}
