//! `history PERSON`: a person's names, committee seats (also those held ex officio) and posts.

use std::io::Write;

use serde_json::Value;

use crate::answer::{answer_of, arr, or_dash, print_json, role_label, s};
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
    json: bool,
) -> Result<(), Error> {
    let id = resolve(client, Kind::Person, person)?;
    let v = client.get(
        &format!("/v1/people/{id}/history"),
        &[("known_at", known_at)],
    )?;
    if json {
        return print_json(out, &v);
    }
    let a = answer_of(&v)?;
    for n in arr(a, "/names") {
        writeln!(out, "name from {}: {}", s(n, "/from"), s(n, "/name"))?;
    }
    writeln!(out, "\nCommittee seats")?;
    write!(out, "{}", seats_table(a).render())?;
    writeln!(out, "\nPositions")?;
    let mut t = Table::new(&["POST", "UNIT", "FROM", "UNTIL", "DECISION"]);
    for p in arr(a, "/positions") {
        t.row(vec![
            or_dash(s(p, "/post/title")),
            or_dash(s(p, "/post/unit/name")),
            s(p, "/from").into(),
            or_dash(s(p, "/ended_on")),
            or_dash(s(p, "/decision/number")),
        ]);
    }
    write!(out, "{}", t.render())?;
    Ok(())
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
    let mut rows: Vec<(&str, &Value)> = arr(a, "/memberships")
        .iter()
        .chain(arr(a, "/ex_officio"))
        .map(|m| (s(m, "/from"), m))
        .collect();
    // Dates are YYYY-MM-DD, so text order is date order; the sort is stable, so a day's
    // memberships stay before its ex-officio seats, each in the daemon's order.
    rows.sort_by_key(|(from, _)| *from);
    for (from, m) in rows {
        t.row(vec![
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
    t
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
