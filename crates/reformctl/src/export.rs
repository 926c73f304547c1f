//! `reformctl export`: the whole log as JSON Lines, memberships as CSV, or Popolo JSON.

use std::io::Write;

use reformlog_api::{Envelope, EventPage};
use serde::Deserialize;
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

/// A log page's events as the daemon sent them, in the envelope every read answers in.
#[derive(Deserialize)]
struct RawPage {
    answer: RawEvents,
}

#[derive(Deserialize)]
struct RawEvents {
    events: Vec<Value>,
}

/// Every event from position 1 to the head as it was when the export started, one JSON object
/// per line, in position order, with hashes so the file can be checked against the chain.
fn log(client: &Client, out: &mut dyn Write, progress: &Progress) -> Result<(), Error> {
    let first: Envelope<EventPage> = client.get_as("/v1/events", &[("limit", Some("1"))])?;
    let head = first.answer.head;
    let bar = progress.bar(head, "export log");
    let mut from = 1u64;
    let mut written = 0u64;
    while from <= head {
        let f = from.to_string();
        let page = client.get("/v1/events", &[("from", Some(&f)), ("limit", Some("1000"))])?;
        // Each event is written as it came, so the file keeps every field the daemon sent;
        // the typed page only says where each one is.
        let raw: RawPage = crate::answer::decode(&page)?;
        let typed: EventPage = crate::answer::decode::<Envelope<EventPage>>(&page)?.answer;
        for (e, view) in raw.answer.events.iter().zip(&typed.events) {
            let position = view.position;
            if position > head {
                break;
            }
            serde_json::to_writer(&mut *out, e).map_err(|e| Error::Output(e.into()))?;
            writeln!(out)?;
            written += 1;
            bar.set_position(position);
        }
        match typed.next {
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
    let text = |t: Option<String>| t.unwrap_or_default();
    let mut rows: Vec<Vec<String>> = g
        .memberships
        .iter()
        .map(|(pid, pname, m)| {
            vec![
                m.committee.to_string(),
                text(m.committee_name.as_ref().map(|n| n.to_string())),
                m.seat.to_string(),
                text(m.role.map(crate::popolo::role_code)),
                pid.to_string(),
                pname.clone(),
                text(m.on_behalf_of.as_ref().map(|u| u.id.to_string())),
                text(
                    m.on_behalf_of
                        .as_ref()
                        .and_then(|u| u.name.as_ref())
                        .map(|n| n.to_string()),
                ),
                m.from.to_string(),
                text(m.ended_on.map(|d| d.to_string())),
                text(m.decision.number.clone()),
                text(m.end_decision.as_ref().and_then(|d| d.number.clone())),
                m.membership.to_string(),
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
        let nil = uuid::Uuid::nil();
        let m = |role: &str| {
            serde_json::from_value::<reformlog::MembershipRecord>(serde_json::json!({
                "committee": nil, "committee_name": "Tổ giúp việc", "seat": nil, "role": role,
                "on_behalf_of": null, "membership": nil, "from": "2022-01-14", "ended_on": null,
                "decision": {"id": nil, "number": "34/QĐ-BTTTT"}, "end_decision": null,
            }))
            .unwrap()
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
            .map(|(role, who)| (reformlog::PersonId::from_uuid(nil), who.to_owned(), m(role)))
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
