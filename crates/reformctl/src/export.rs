//! `reformctl export`: the whole log as JSON Lines, memberships as CSV, or Popolo JSON.

use std::io::Write;

use serde_json::Value;

use crate::cli::{ExportArgs, ExportFormat};
use crate::client::Client;
use crate::error::Error;
use crate::progress::Progress;
use crate::resolve::LATEST;

/// Runs `reformctl export`, writing to `out`.
pub(crate) fn run(
    client: &Client,
    out: &mut dyn Write,
    args: &ExportArgs,
    bom: bool,
    progress: &Progress,
) -> Result<(), Error> {
    let on = args.on.as_deref().unwrap_or(LATEST);
    match args.format {
        ExportFormat::Log => log(client, out, progress),
        ExportFormat::Memberships => {
            let g = crate::popolo::gather(client, on, progress)?;
            memberships_csv(&g, out, bom)
        }
        ExportFormat::Popolo => {
            let g = crate::popolo::gather(client, on, progress)?;
            let doc = crate::popolo::document(&g);
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(|e| Error::Output(e.into()))?;
            writeln!(out)?;
            progress.note(&format!(
                "exported {} persons, {} organizations, {} posts, {} memberships, {} decisions",
                doc.persons.len(),
                doc.organizations.len(),
                doc.posts.len(),
                doc.memberships.len(),
                doc.events.len()
            ));
            Ok(())
        }
    }
}

/// Every event from position 1 to the head as it was when the export started, one JSON object
/// per line, in position order, with hashes so the file can be checked against the chain.
fn log(client: &Client, out: &mut dyn Write, progress: &Progress) -> Result<(), Error> {
    let first = client.get("/v1/events", &[("limit", Some("1"))])?;
    let head = first.get("head").and_then(Value::as_u64).unwrap_or(0);
    let bar = progress.bar(head, "export log");
    let mut from = 1u64;
    let mut written = 0u64;
    while from <= head {
        let f = from.to_string();
        let page = client.get("/v1/events", &[("from", Some(&f)), ("limit", Some("1000"))])?;
        let events = page
            .get("events")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::BadAnswer("GET /v1/events: no events".into()))?;
        for e in events {
            let position = e.get("position").and_then(Value::as_u64).unwrap_or(0);
            if position > head {
                break;
            }
            serde_json::to_writer(&mut *out, e).map_err(|e| Error::Output(e.into()))?;
            writeln!(out)?;
            written += 1;
            bar.set_position(position);
        }
        match page.get("next").and_then(Value::as_u64) {
            Some(n) if n > from => from = n,
            _ => break,
        }
    }
    bar.finish_and_clear();
    progress.note(&format!("exported {written} events (positions 1..{head})"));
    Ok(())
}

/// One row per committee membership, oldest first.
fn memberships_csv(
    g: &crate::popolo::Gathered,
    out: &mut dyn Write,
    bom: bool,
) -> Result<(), Error> {
    let s = |v: &Value, p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut rows: Vec<Vec<String>> = g
        .memberships
        .iter()
        .map(|(pid, pname, m)| {
            vec![
                s(m, "/committee"),
                s(m, "/committee_name"),
                s(m, "/seat"),
                s(m, "/role"),
                pid.clone(),
                pname.clone(),
                s(m, "/on_behalf_of/id"),
                s(m, "/on_behalf_of/name"),
                s(m, "/from"),
                s(m, "/ended_on"),
                s(m, "/decision/number"),
                s(m, "/end_decision/number"),
                s(m, "/membership"),
            ]
        })
        .collect();
    // By start date, then committee, role and person as a reader looks them up: names in
    // Vietnamese order, roles head first; the membership id makes the order total.
    rows.sort_by(|a, b| {
        a[8].cmp(&b[8])
            .then_with(|| reformlog::collate(&a[1], &b[1]))
            .then_with(|| crate::answer::role_rank(&a[3]).cmp(&crate::answer::role_rank(&b[3])))
            .then_with(|| reformlog::collate(&a[5], &b[5]))
            .then_with(|| a[12].cmp(&b[12]))
    });
    if bom {
        out.write_all("\u{feff}".as_bytes())?;
    }
    let mut w = csv::Writer::from_writer(out);
    let header = [
        "committee_id",
        "committee",
        "seat_id",
        "role",
        "person_id",
        "person",
        "on_behalf_of_id",
        "on_behalf_of",
        "start_date",
        "end_date",
        "decision",
        "end_decision",
        "membership_id",
    ];
    let csv_err = crate::table::csv_error;
    w.write_record(header).map_err(csv_err)?;
    for r in rows {
        w.write_record(&r).map_err(csv_err)?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn membership_rows_follow_the_date_then_vietnamese_order_of_names_and_the_role_rank() {
        let m = |role: &str, person: &str| {
            serde_json::json!({
                "committee": "c", "committee_name": "Tổ giúp việc", "seat": "s", "role": role,
                "from": "2022-01-14", "membership": person,
            })
        };
        let g = crate::popolo::Gathered {
            memberships: [
                ("member", "Thành viên 14"),
                ("member", "Thành viên 6"),
                ("deputy_head", "Đỗ Công Anh"),
                ("head", "Nguyễn Huy Dũng"),
                ("deputy_head", "Phạm Minh Tiến"),
            ]
            .into_iter()
            .map(|(role, who)| ("p".to_owned(), who.to_owned(), m(role, who)))
            .collect(),
            ..Default::default()
        };
        let mut out = Vec::new();
        memberships_csv(&g, &mut out, false).unwrap();
        let people: Vec<String> = String::from_utf8(out)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(5).unwrap().to_owned())
            .collect();
        assert_eq!(
            people,
            [
                "Nguyễn Huy Dũng",
                "Đỗ Công Anh",
                "Phạm Minh Tiến",
                "Thành viên 6",
                "Thành viên 14"
            ]
        );
    }
}
