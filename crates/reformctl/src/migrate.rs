//! `reformctl migrate-store`: the log copied commit for commit between a stopped sled store and
//! a PostgreSQL database (either way), exactly as recorded, then checked by its head digest
//! and a walk of the copy's hash chain.
//!
//! A copy that stops part way (a lost connection, a full disk, an interrupt) is taken up again
//! by running the same command: a target that holds the start of the source's log goes on from
//! its last commit; one that holds anything else is refused.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use reformlog_store::{Commit, HeadDigest, Store, StoreConfig, VerifyReport};
use reformlog_store_postgres::{PgError, PgLog};
use serde_json::json;

use crate::error::Error;
use crate::integrity::{open_existing, open_failed, store_dir, verify_store};
use crate::progress::Progress;

/// Commits per PostgreSQL transaction: large enough that a migration is not one round trip
/// per commit, small enough that a lost connection costs little to redo.
const BATCH: usize = 256;

/// `reformctl migrate-store`.
#[derive(Debug, Args)]
pub struct MigrateStoreArgs {
    /// Where the log is: `sled:DIR`, the data folder of a stopped reformd (its store is
    /// `DIR/store`), or a PostgreSQL URL (`postgres://USER@HOST/DB`).
    #[arg(long, value_name = "sled:DIR|postgres://...")]
    pub from: String,
    /// Where to copy it: `sled:DIR` (a data folder with no store yet) or a PostgreSQL URL (a
    /// database with no reformlog log yet). A target holding the start of this same log, left
    /// by a copy that stopped, is continued from its last commit.
    #[arg(long, value_name = "sled:DIR|postgres://...")]
    pub to: String,
}

/// Where a log lives, as `--from` and `--to` name it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// A daemon's data folder.
    Sled(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl Place {
    fn parse(flag: &str, text: &str) -> Result<Self, Error> {
        if let Some(dir) = text.strip_prefix("sled:") {
            if dir.is_empty() {
                return Err(Error::Usage(format!(
                    "{flag} sled: needs a folder, as sled:DIR"
                )));
            }
            return Ok(Place::Sled(PathBuf::from(dir)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Place::Postgres(text.to_string()));
        }
        Err(Error::Usage(format!(
            "{flag} {:?} is neither sled:DIR nor a postgres:// URL",
            redacted(text)
        )))
    }

    /// The place as messages name it: a URL without its password.
    fn name(&self) -> String {
        match self {
            Place::Sled(dir) => format!("sled:{}", dir.display()),
            Place::Postgres(url) => redacted(url),
        }
    }
}

/// `url` with any password replaced by `***`, fit to print.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{scheme}://{name}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// An open log on either backend.
enum Log {
    Sled { store: Store, dir: PathBuf },
    Postgres { log: Box<PgLog>, name: String },
}

impl Log {
    fn open_source(place: &Place) -> Result<Self, Error> {
        match place {
            Place::Sled(data_dir) => {
                let dir = store_dir(data_dir);
                // Held open, the store's lock keeps a daemon from writing during the copy.
                Ok(Log::Sled {
                    store: open_existing(&dir)?,
                    dir,
                })
            }
            Place::Postgres(url) => Self::connect(url),
        }
    }

    fn open_target(place: &Place) -> Result<Self, Error> {
        match place {
            Place::Sled(data_dir) => {
                let dir = store_dir(data_dir);
                let opened = StoreConfig::new(&dir)
                    .lock_wait(std::time::Duration::from_millis(500))
                    .open();
                let store = opened.map_err(|e| open_failed(&dir, e))?;
                Ok(Log::Sled { store, dir })
            }
            Place::Postgres(url) => Self::connect(url),
        }
    }

    fn connect(url: &str) -> Result<Self, Error> {
        let name = redacted(url);
        let log = PgLog::connect(url).map_err(|e| database(&name, e))?;
        Ok(Log::Postgres {
            log: Box::new(log),
            name,
        })
    }

    fn head_commit(&self) -> Result<u64, Error> {
        match self {
            Log::Sled { store, .. } => Ok(store.head_commit()),
            Log::Postgres { log, name } => log.head_commit().map_err(|e| database(name, e)),
        }
    }

    fn read_commits(&self, from: u64, limit: usize) -> Result<Vec<Commit>, Error> {
        match self {
            Log::Sled { store, dir } => store
                .read_commits(from, limit)
                .map_err(|e| store_error(dir, e)),
            Log::Postgres { log, name } => {
                log.read_commits(from, limit).map_err(|e| database(name, e))
            }
        }
    }

    /// The head digest as it stood after commit `number` (`None` for 0).
    fn digest_at(&self, number: u64) -> Result<Option<HeadDigest>, Error> {
        if number == 0 {
            return Ok(None);
        }
        let commit = self.read_commits(number, 1)?;
        Ok(commit
            .first()
            .and_then(|c| c.events.last())
            .map(|r| HeadDigest {
                position: r.position,
                hash: r.hash,
            }))
    }

    fn append(&self, commits: &[Commit]) -> Result<(), Error> {
        match self {
            Log::Sled { store, dir } => {
                for commit in commits {
                    store.append_recorded(commit).map_err(|e| match e {
                        reformlog_store::ReplicateError::Mismatch(reason) => {
                            Error::Integrity(format!("store {}: {reason}", dir.display()))
                        }
                        other => store_error(dir, other),
                    })?;
                }
                Ok(())
            }
            Log::Postgres { log, name } => {
                log.append_recorded(commits).map_err(|e| database(name, e))
            }
        }
    }

    fn verify(&self) -> Result<VerifyReport, Error> {
        match self {
            Log::Sled { store, dir } => verify_store(store, dir),
            Log::Postgres { log, name } => log.verify().map_err(|e| database(name, e)),
        }
    }
}

fn store_error(dir: &Path, e: impl std::fmt::Display) -> Error {
    Error::Store {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    }
}

fn database(name: &str, e: PgError) -> Error {
    match e {
        // Another writer moved the target's head, or it holds another log.
        PgError::Mismatch(reason) => Error::Integrity(format!("{name}: {reason}")),
        PgError::Corrupt(c) => Error::Integrity(format!("{name}: {c}")),
        other => Error::Database {
            target: name.to_string(),
            reason: other.to_string(),
        },
    }
}

/// `reformctl migrate-store --from A --to B`.
pub(crate) fn run(
    out: &mut dyn Write,
    args: &MigrateStoreArgs,
    json: bool,
    progress: &Progress,
) -> Result<(), Error> {
    let from = Place::parse("--from", &args.from)?;
    let to = Place::parse("--to", &args.to)?;
    if from == to {
        return Err(Error::Usage(format!(
            "--from and --to both name {}",
            from.name()
        )));
    }
    let source = Log::open_source(&from)?;
    // The commits to copy are those the source holds now; a PostgreSQL source may take more
    // while the copy runs, and a later run copies those.
    let last = source.head_commit()?;
    let expected = source.digest_at(last)?;
    // A broken chain is not copied: the copy would refuse it part way, leaving half a log.
    let spinner = progress.spinner("verifying the source");
    let checked = source.verify()?;
    spinner.finish_and_clear();
    if let Some(b) = &checked.first_break {
        return Err(Error::Integrity(format!(
            "{} breaks at position {}: {}; not copying a broken chain",
            from.name(),
            b.position,
            b.kind
        )));
    }
    let target = Log::open_target(&to)?;
    let done = target.head_commit()?;
    if done > last {
        return Err(Error::Integrity(format!(
            "{} holds {done} commits, more than the {last} of {}: it is not a copy of it",
            to.name(),
            from.name()
        )));
    }
    if done > 0 && target.digest_at(done)? != source.digest_at(done)? {
        return Err(Error::Integrity(format!(
            "{} holds another log: its commit {done} is not that of {}",
            to.name(),
            from.name()
        )));
    }

    let bar = progress.bar(last - done, "commits");
    let mut next = done + 1;
    let mut events = 0u64;
    while next <= last {
        let limit = usize::try_from(last - next + 1).unwrap_or(BATCH).min(BATCH);
        let batch = source.read_commits(next, limit)?;
        let Some(end) = batch.last().map(|c| c.info.number) else {
            return Err(Error::Integrity(format!(
                "{}: commit {next} is gone while copying",
                from.name()
            )));
        };
        target.append(&batch)?;
        events += batch.iter().map(|c| c.events.len() as u64).sum::<u64>();
        bar.inc(batch.len() as u64);
        next = end + 1;
    }
    bar.finish_and_clear();

    let spinner = progress.spinner("verifying the copy");
    let report = target.verify()?;
    spinner.finish_and_clear();
    if let Some(b) = &report.first_break {
        return Err(Error::Integrity(format!(
            "the copy in {} breaks at position {}: {}",
            to.name(),
            b.position,
            b.kind
        )));
    }
    let head = target.digest_at(last)?;
    if head != expected || report.head != expected {
        return Err(Error::Integrity(format!(
            "the copy in {} ends at {}, not at the head {} of {}",
            to.name(),
            digest_text(report.head.as_ref()),
            digest_text(expected.as_ref()),
            from.name()
        )));
    }
    let copied = last - done;
    if json {
        let head = expected
            .as_ref()
            .map(|h| json!({"position": h.position, "hash": h.hash.to_hex()}));
        writeln!(
            out,
            "{}",
            json!({
                "from": from.name(),
                "to": to.name(),
                "commits_copied": copied,
                "events_copied": events,
                "commits": last,
                "records_verified": report.checked,
                "head": head,
            })
        )?;
    } else {
        writeln!(
            out,
            "copied {copied} commits ({events} events) from {} to {}; {} commits, {} records verified, head {}",
            from.name(),
            to.name(),
            last,
            report.checked,
            digest_text(expected.as_ref())
        )?;
    }
    Ok(())
}

fn digest_text(d: Option<&HeadDigest>) -> String {
    d.map_or("(empty log)".to_string(), |h| {
        format!("{}:{}", h.position, h.hash.to_hex())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn places_parse_and_passwords_never_print() {
        assert_eq!(
            Place::parse("--from", "sled:data").unwrap(),
            Place::Sled(PathBuf::from("data"))
        );
        assert!(matches!(
            Place::parse("--to", "postgresql://reformlog@db/reformlog").unwrap(),
            Place::Postgres(_)
        ));
        for bad in ["sled:", "data", "mysql://db", ""] {
            assert!(
                matches!(Place::parse("--to", bad), Err(Error::Usage(_))),
                "{bad}"
            );
        }
        let secret = "postgres://reformlog:hunter2@db.example:5432/reformlog";
        assert_eq!(
            redacted(secret),
            "postgres://reformlog:***@db.example:5432/reformlog"
        );
        let err = Place::parse("--to", "pg://reformlog:hunter2@db/x").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert_eq!(
            redacted("postgres://reformlog@db/x"),
            "postgres://reformlog@db/x"
        );
    }
}
