//! `history PERSON`: a person's names, committee seats (also those held ex officio) and posts.

use std::io::Write;

use serde_json::Value;

use crate::answer::{answer_of, arr, emit, or_dash, role_label, s, Output};
use crate::cli::Kind;
use crate::client::Client;
use crate::error::Error;
use crate::resolve::resolve;
use crate::table::Table;

/// `history PERSON`.
pub(crate) fn history(
    client: &Client,
    out: &mut dyn Write,
    person: &str,
    known_at: Option<&str>,
    o: &Output,
) -> Result<(), Error> {
    let id = resolve(client, Kind::Person, person)?;
    let v = client.get(
        &format!("/v1/people/{id}/history"),
        &[("known_at", known_at)],
    )?;
    if emit(out, o, &v)? {
        return Ok(());
    }
    let a = answer_of(&v)?;
    if o.is_csv() {
        return flat_table(a).write_csv(out, o.bom);
    }
    for n in arr(a, "/names") {
        writeln!(out, "name from {}: {}", s(n, "/from"), s(n, "/name"))?;
    }
    writeln!(out, "\nCommittee seats")?;
    write!(out, "{}", seats_table(a).render())?;
    writeln!(out, "\nPositions")?;
    let mut t = Table::new(&["POST", "UNIT", "FROM", "UNTIL", "DECISION"]);
    for p in arr(a, "/positions") {
        t.row(position_row(p));
    }
    write!(out, "{}", t.render())?;
    Ok(())
}

fn position_row(p: &Value) -> Vec<String> {
    vec![
        or_dash(s(p, "/post/title")),
        or_dash(s(p, "/post/unit/name")),
        s(p, "/from").into(),
        or_dash(s(p, "/ended_on")),
        or_dash(s(p, "/decision/number")),
    ]
}

/// Seats and positions in one table for CSV: a seat's row names its committee, a
/// position's its post, the KIND column telling them apart.
fn flat_table(a: &Value) -> Table {
    let mut t = Table::new(&[
        "KIND",
        "COMMITTEE OR POST",
        "ROLE",
        "UNIT",
        "EX OFFICIO",
        "FROM",
        "UNTIL",
        "DECISION",
        "ENDED BY",
    ]);
    for row in seat_rows(a) {
        // Already committee, role, on behalf of, ex officio, from, until, decision, ended by.
        t.row([vec!["seat".to_owned()], row].concat());
    }
    let blank = || crate::table::DASH.to_owned();
    for p in arr(a, "/positions") {
        let mut cells = position_row(p).into_iter();
        let mut next = || cells.next().unwrap_or_else(blank);
        let (post, unit) = (next(), next());
        let (from, until, decision) = (next(), next(), next());
        t.row(vec![
            "position".into(),
            post,
            blank(),
            unit,
            blank(),
            from,
            until,
            decision,
            blank(),
        ]);
    }
    t
}

/// A person's committee seats, oldest first: memberships, and seats held ex officio
/// through a post (named in the EX OFFICIO column).
fn seats_table(a: &Value) -> Table {
    let mut t = Table::new(&[
        "COMMITTEE",
        "ROLE",
        "ON BEHALF OF",
        "EX OFFICIO",
        "FROM",
        "UNTIL",
        "DECISION",
        "ENDED BY",
    ]);
    for row in seat_rows(a) {
        t.row(row);
    }
    t
}

/// A person's seats, oldest first, as rows of [`seats_table`].
fn seat_rows(a: &Value) -> Vec<Vec<String>> {
    let mut rows: Vec<(&str, &Value)> = arr(a, "/memberships")
        .iter()
        .chain(arr(a, "/ex_officio"))
        .map(|m| (s(m, "/from"), m))
        .collect();
    // Dates are YYYY-MM-DD, so text order is date order; the sort is stable, so a day's
    // memberships stay before its ex-officio seats, each in the daemon's order.
    rows.sort_by_key(|(from, _)| *from);
    let mut out = Vec::new();
    for (from, m) in rows {
        out.push(vec![
            or_dash(s(m, "/committee_name")),
            role_label(s(m, "/role")).into(),
            or_dash(s(m, "/on_behalf_of/name")),
            or_dash(s(m, "/post/title")),
            from.into(),
            or_dash(s(m, "/ended_on")),
            or_dash(s(m, "/decision/number")),
            or_dash(s(m, "/end_decision/number")),
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_person_s_seats_include_those_held_ex_officio_with_the_post() {
        let a = serde_json::json!({
            "memberships": [{
                "committee_name": "Ban chỉ đạo", "role": "deputy_head", "on_behalf_of": null,
                "from": "2022-01-14", "ended_on": null,
                "decision": {"id": "d", "number": "34/QĐ-BTTTT"}, "end_decision": null
            }],
            "ex_officio": [{
                "committee_name": "Ban thử nghiệm", "role": "member", "on_behalf_of": null,
                "post": {"id": "p", "title": "Cục trưởng Cục Tin học hóa", "unit": null},
                "from": "2021-06-01", "ended_on": "2024-01-01",
                "decision": {"id": "e", "number": "HYPOTHETICAL-1/QĐ-BTTTT"}, "end_decision": null
            }]
        });
        let text = seats_table(&a).render();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains("EX OFFICIO"), "{text}");
        // Oldest first: the ex-officio seat began earlier.
        for part in [
            "Ban thử nghiệm",
            "Thành viên",
            "Cục trưởng Cục Tin học hóa",
            "2021-06-01",
            "2024-01-01",
        ] {
            assert!(lines[1].contains(part), "{text}");
        }
        assert!(
            lines[2].contains("Phó Trưởng ban") && lines[2].contains("—"),
            "{text}"
        );
    }
}
