//! `reformctl progress`: one progress report on a task, citing at most one evidence document
//! named on the command line; a file given is hashed here and only its SHA-256 is sent.

use std::io::{Read, Write};
use std::path::Path;

use reformlog::{Evidence, EvidenceDocument};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::answer::document_line;
use crate::cli::{Kind, ProgressArgs};
use crate::client::Client;
use crate::error::Error;
use crate::resolve::resolve;

/// The SHA-256 of a file's bytes, as 64 lowercase hexadecimal digits, read in pieces so a
/// large scan needs no more memory than a small one.
pub(crate) fn sha256_of_file(path: &Path) -> Result<String, Error> {
    let mut file =
        std::fs::File::open(path).map_err(|e| Error::io("cannot read evidence file", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::io("cannot read evidence file", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The evidence the flags describe, checked as the daemon will check it, so a bad link or a
/// document without number or title is refused before anything is sent.
pub(crate) fn evidence_of(args: &ProgressArgs) -> Result<Evidence, Error> {
    let sha256 = args
        .evidence_file
        .as_deref()
        .map(sha256_of_file)
        .transpose()?;
    let document = EvidenceDocument {
        number: args.evidence_number.clone(),
        title: args.evidence_title.clone(),
        link: args.evidence_link.clone(),
        sha256,
    };
    let evidence = Evidence {
        note: args.evidence_note.clone(),
        documents: if document == EvidenceDocument::default() {
            Vec::new()
        } else {
            vec![document]
        },
    };
    evidence.check().map_err(|e| {
        Error::Usage(format!(
            "{e} (--evidence-number, --evidence-title, --evidence-link, --evidence-file)"
        ))
    })?;
    Ok(evidence)
}

/// Runs `reformctl progress`. The report is sent as a change recorded at most once, so
/// running the same command again records nothing new.
pub(crate) fn run(
    client: &Client,
    out: &mut dyn Write,
    args: &ProgressArgs,
    json: bool,
) -> Result<(), Error> {
    let evidence = evidence_of(args)?;
    let task = resolve(client, Kind::Task, &args.task)?;
    let decision = args
        .decision
        .as_deref()
        .map(|d| resolve(client, Kind::Decision, d))
        .transpose()?;
    let command = json!({ "report_progress": {
        "task": task,
        "percent": args.percent,
        "note": args.note,
        "evidence": evidence,
        "on": args.on,
        "decision": decision,
    }});
    let body = json!({
        "reason": args.reason,
        "source": Value::Null,
        "commands": [command],
        "skip_recorded": true,
    });
    let written = client.post_changes("/v1/commands", &body)?;
    if json {
        // The fields this command has always printed: a dry run is never asked for here.
        #[derive(serde::Serialize)]
        struct Recorded<'a> {
            first_position: u64,
            last_position: u64,
            events: &'a [(String, String)],
            deduplicated: bool,
            skipped: &'a [usize],
        }
        let shown = Recorded {
            first_position: written.first_position,
            last_position: written.last_position,
            events: &written.events,
            deduplicated: written.deduplicated,
            skipped: &written.skipped,
        };
        let v = serde_json::to_value(&shown).map_err(|e| Error::BadAnswer(e.to_string()))?;
        return crate::answer::print_json(out, &v);
    }
    if written.deduplicated {
        writeln!(out, "already recorded: {}% on {}", args.percent, args.on)?;
    } else {
        writeln!(
            out,
            "recorded: {}% on {} (position {})",
            args.percent, args.on, written.last_position
        )?;
    }
    for d in &evidence.documents {
        writeln!(out, "evidence: {}", document_line(d))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_file_is_hashed_as_sha256sum_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bao-cao.txt");
        std::fs::write(&path, b"abc").unwrap();
        // FIPS 180-2's example for "abc".
        assert_eq!(
            sha256_of_file(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        std::fs::write(&path, b"").unwrap();
        assert_eq!(
            sha256_of_file(&path).unwrap(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let e = sha256_of_file(&dir.path().join("missing.pdf")).unwrap_err();
        assert!(matches!(e, Error::Io { .. }), "{e:?}");
    }
}
