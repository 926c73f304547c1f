//! `reformctl tail`: follows the daemon's Server-Sent Events feed. Each event's `id` is its log
//! position; after a dropped connection it reconnects with `Last-Event-ID`, and with
//! `--checkpoint` a later run resumes where this one stopped, with no gap and no repeat.
//!
//! The SSE lines are read here, on the blocking client every other command uses: the parsing
//! crates work on an async byte stream, which would bring a runtime into reformctl for this
//! one command.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::time::Duration;

use reformlog_api::EventView;
use serde_json::Value;

use crate::answer::Output;
use crate::cli::{Format, TailArgs};
use crate::client::Client;
use crate::error::Error;
use crate::progress::Progress;

/// How long to wait before reconnecting; doubles up to the cap after each failure.
const RETRY_START: Duration = Duration::from_millis(500);
const RETRY_CAP: Duration = Duration::from_secs(30);

fn read_checkpoint(path: &Path) -> Result<Option<u64>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => text.trim().parse::<u64>().map(Some).map_err(|_| {
            Error::input(
                path.display().to_string(),
                "the checkpoint is not a log position",
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("cannot read", path, e)),
    }
}

fn write_checkpoint(path: &Path, position: u64) -> Result<(), Error> {
    // Write then rename, so a crash never leaves a half-written checkpoint.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, format!("{position}\n"))
        .map_err(|e| Error::io("cannot write", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io("cannot write", path, e))
}

/// The columns of an event in CSV, in the order of [`event_line`].
const CSV_COLUMNS: [&str; 6] = [
    "position",
    "recorded_at",
    "event_type",
    "stream",
    "actor",
    "source",
];

/// An event's cells in [`CSV_COLUMNS`].
fn event_cells(e: &EventView) -> Vec<String> {
    vec![
        e.position.to_string(),
        e.recorded_at.clone(),
        e.event_type.clone(),
        e.stream.clone(),
        e.actor.clone(),
        e.source.clone().unwrap_or_default(),
    ]
}

/// One event in the format asked for: a line for people, a JSON line, a YAML document, or
/// a CSV row (the header written before the first).
fn write_event(
    out: &mut dyn Write,
    o: &Output,
    data: &str,
    header_due: &mut bool,
) -> Result<(), Error> {
    let parsed = serde_json::from_str::<Value>(data);
    match (o.format, parsed) {
        (Format::Table, _) => writeln!(out, "{}", event_line(data))?,
        (Format::Json, _) | (_, Err(_)) => writeln!(out, "{data}")?,
        (Format::Yaml, Ok(v)) => {
            writeln!(out, "---")?;
            crate::answer::print_yaml(out, &v)?;
        }
        (Format::Csv, Ok(_)) => {
            // A row of blanks would pass for an event; an event of another shape stops the
            // feed with what was wrong instead.
            let event = serde_json::from_str::<EventView>(data).map_err(|e| {
                Error::BadAnswer(format!("a feed event of an unexpected shape: {e}"))
            })?;
            // A writer per event, so each row goes out as it comes: a feed need not end.
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new());
            if std::mem::take(header_due) {
                if o.bom {
                    out.write_all("\u{feff}".as_bytes())?;
                }
                w.write_record(CSV_COLUMNS)
                    .map_err(crate::table::csv_error)?;
            }
            w.write_record(event_cells(&event))
                .map_err(crate::table::csv_error)?;
            let bytes = w
                .into_inner()
                .map_err(|e| Error::Output(std::io::Error::other(e.to_string())))?;
            out.write_all(&bytes)?;
        }
    }
    Ok(())
}

/// One line per event, for people.
fn event_line(data: &str) -> String {
    let Ok(e) = serde_json::from_str::<EventView>(data) else {
        return data.to_string();
    };
    format!(
        "{:>6}  {}  {:<28} {:<48} {}{}",
        e.position,
        e.recorded_at,
        e.event_type,
        e.stream,
        e.actor,
        e.source.map(|x| format!(" [{x}]")).unwrap_or_default()
    )
}

enum Ended {
    CaughtUp,
    Disconnected(String),
}

/// Runs `reformctl tail`.
pub(crate) fn run(
    client: &Client,
    out: &mut dyn Write,
    args: &TailArgs,
    o: &Output,
    progress: &Progress,
) -> Result<(), Error> {
    let mut header_due = true;
    let mut last: Option<u64> = match &args.checkpoint {
        Some(p) => read_checkpoint(p)?,
        None => None,
    };
    let mut delay = RETRY_START;
    loop {
        let mut rb = client
            .get_request("/v1/events/stream")
            .header("Accept", "text/event-stream");
        let mut query: Vec<(&str, String)> = Vec::new();
        if let Some(c) = &args.categories {
            query.push(("categories", c.clone()));
        }
        if let Some(t) = &args.types {
            query.push(("types", t.clone()));
        }
        match (last, args.from) {
            (Some(p), _) => rb = rb.header("Last-Event-ID", p.to_string()),
            (None, Some(f)) => query.push(("from", f.to_string())),
            (None, None) => {}
        }
        rb = rb.query(&query);
        let ended = match client.send(rb) {
            Ok(response) => {
                delay = RETRY_START;
                follow(response, out, args, (o, &mut header_due), &mut last)?
            }
            // A refusal (bad token, bad parameters) will not fix itself by retrying.
            Err(
                e @ (Error::Refused { .. }
                | Error::TokenMissing { .. }
                | Error::TokenRefused { .. }),
            ) => return Err(e),
            Err(e) => Ended::Disconnected(e.to_string()),
        };
        match ended {
            Ended::CaughtUp => return Ok(()),
            Ended::Disconnected(why) => {
                progress.note(&format!(
                    "feed interrupted ({why}); reconnecting in {} ms",
                    delay.as_millis()
                ));
                std::thread::sleep(delay);
                delay = (delay * 2).min(RETRY_CAP);
            }
        }
    }
}

fn follow(
    response: reqwest::blocking::Response,
    out: &mut dyn Write,
    args: &TailArgs,
    (o, header_due): (&Output, &mut bool),
    last: &mut Option<u64>,
) -> Result<Ended, Error> {
    let reader = BufReader::new(response);
    let (mut id, mut event, mut data) = (None::<u64>, String::new(), String::new());
    for line in reader.lines() {
        let line = match line {
            Ok(l) => l,
            Err(e) => return Ok(Ended::Disconnected(e.to_string())),
        };
        if line.is_empty() {
            // A blank line ends one SSE message.
            if event == "caught-up" && args.until_caught_up {
                return Ok(Ended::CaughtUp);
            }
            if event.is_empty() || event == "message" {
                if let Some(position) = id {
                    write_event(out, o, &data, header_due)?;
                    out.flush()?;
                    *last = Some(position);
                    if let Some(p) = &args.checkpoint {
                        write_checkpoint(p, position)?;
                    }
                }
            }
            (id, event, data) = (None, String::new(), String::new());
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = line.split_once(':').map_or((line.as_str(), ""), |(f, v)| {
            (f, v.strip_prefix(' ').unwrap_or(v))
        });
        match field {
            "id" => id = value.trim().parse().ok(),
            "event" => event = value.to_string(),
            "data" => {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(value);
            }
            _ => {}
        }
    }
    Ok(Ended::Disconnected("the daemon closed the feed".into()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_csv_row_is_an_event_and_an_event_of_another_shape_is_an_error() {
        let csv = Output {
            format: Format::Csv,
            bom: false,
        };
        let event = serde_json::json!({
            "position": 7, "commit": 3, "stream": "committee-1", "revision": 1,
            "event_id": "e", "event_type": "committee_established", "schema_version": 3,
            "recorded_at": "2022-01-14T03:25:07.114210Z", "actor": "clerk", "reason": null,
            "source": "34/QĐ-BTTTT", "correlation_id": null, "causation_id": null,
            "extra": {}, "data": {}, "prev_hash": "00", "hash": "11",
        })
        .to_string();
        let (mut out, mut header_due) = (Vec::new(), true);
        write_event(&mut out, &csv, &event, &mut header_due).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.ends_with("7,2022-01-14T03:25:07.114210Z,committee_established,committee-1,clerk,34/QĐ-BTTTT\n"),
            "{text}"
        );
        let mut out = Vec::new();
        let err = write_event(&mut out, &csv, r#"{"position": 8}"#, &mut header_due).unwrap_err();
        assert!(matches!(err, Error::BadAnswer(_)), "{err}");
        assert!(out.is_empty());
    }

    #[test]
    fn checkpoints_round_trip_and_reject_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tail.pos");
        assert_eq!(read_checkpoint(&p).unwrap(), None);
        write_checkpoint(&p, 42).unwrap();
        assert_eq!(read_checkpoint(&p).unwrap(), Some(42));
        std::fs::write(&p, "x").unwrap();
        assert!(read_checkpoint(&p).is_err());
        let line = event_line(
            r#"{"position":7,"commit":3,"stream":"unit-1","revision":0,"event_id":"e","event_type":"UnitEstablished","schema_version":3,"recorded_at":"2022-01-14T00:00:00.000000Z","actor":"token:a","reason":null,"source":null,"correlation_id":null,"causation_id":null,"extra":{},"data":null,"prev_hash":"","hash":""}"#,
        );
        assert!(line.contains("UnitEstablished") && line.trim_start().starts_with('7'));
    }
}
