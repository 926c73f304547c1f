//! `history PERSON`: a person's names, committee seats (also those held ex officio) and posts.

use std::io::Write;

use reformlog::{Date, DecisionRef, PersonHistory, PositionRecord, PostRef, Role, UnitRef};
use reformlog_api::Envelope;

use crate::answer::{decode, emit, name_of, or_dash, role_label, wire, Output};
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
    let reply: Envelope<PersonHistory> = decode(&v)?;
    let a = &reply.answer;
    if o.is_csv() {
        return flat_table(a).write_csv(out, o.bom);
    }
    for n in &a.names {
        writeln!(out, "name from {}: {}", n.from, n.name)?;
    }
    writeln!(out, "\nCommittee seats")?;
    write!(out, "{}", seats_table(a).render())?;
    writeln!(out, "\nPositions")?;
    let mut t = Table::new(&["POST", "UNIT", "FROM", "UNTIL", "DECISION"]);
    for p in &a.positions {
        t.row(position_row(p));
    }
    write!(out, "{}", t.render())?;
    Ok(())
}

fn post_title(p: &PostRef) -> &str {
    name_of(p.title.as_ref())
}

fn unit_name(u: Option<&UnitRef>) -> &str {
    name_of(u.and_then(|u| u.name.as_ref()))
}

fn number(d: Option<&DecisionRef>) -> &str {
    d.and_then(|d| d.number.as_deref()).unwrap_or("")
}

fn date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn position_row(p: &PositionRecord) -> Vec<String> {
    vec![
        or_dash(post_title(&p.post)),
        or_dash(unit_name(p.post.unit.as_ref())),
        p.from.to_string(),
        or_dash(&date(p.ended_on)),
        or_dash(number(p.decision.as_ref())),
    ]
}

/// Seats and positions in one table for CSV: a seat's row names its committee, a
/// position's its post, the KIND column telling them apart.
fn flat_table(a: &PersonHistory) -> Table {
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
    for p in &a.positions {
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
fn seats_table(a: &PersonHistory) -> Table {
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

/// One seat of a person, a membership or one held ex officio, as its row shows it.
struct SeatRow<'a> {
    committee_name: Option<&'a reformlog::Name>,
    role: Option<Role>,
    on_behalf_of: Option<&'a UnitRef>,
    post: Option<&'a PostRef>,
    from: Date,
    ended_on: Option<Date>,
    decision: &'a DecisionRef,
    end_decision: Option<&'a DecisionRef>,
}

/// A person's seats, oldest first, as rows of [`seats_table`].
fn seat_rows(a: &PersonHistory) -> Vec<Vec<String>> {
    let memberships = a.memberships.iter().map(|m| SeatRow {
        committee_name: m.committee_name.as_ref(),
        role: m.role,
        on_behalf_of: m.on_behalf_of.as_ref(),
        post: None,
        from: m.from,
        ended_on: m.ended_on,
        decision: &m.decision,
        end_decision: m.end_decision.as_ref(),
    });
    let ex_officio = a.ex_officio.iter().map(|m| SeatRow {
        committee_name: m.committee_name.as_ref(),
        role: Some(m.role),
        on_behalf_of: m.on_behalf_of.as_ref(),
        post: Some(&m.post),
        from: m.from,
        ended_on: m.ended_on,
        decision: &m.decision,
        end_decision: m.end_decision.as_ref(),
    });
    let mut rows: Vec<(String, SeatRow<'_>)> = memberships
        .chain(ex_officio)
        .map(|m| (m.from.to_string(), m))
        .collect();
    // Dates are YYYY-MM-DD, so text order is date order; the sort is stable, so a day's
    // memberships stay before its ex-officio seats, each in the daemon's order.
    rows.sort_by(|(a, _), (b, _)| a.cmp(b));
    let mut out = Vec::new();
    for (from, m) in rows {
        let role = m.role.map(|r| wire(&r)).unwrap_or_default();
        out.push(vec![
            or_dash(name_of(m.committee_name)),
            role_label(&role).into(),
            or_dash(unit_name(m.on_behalf_of)),
            or_dash(m.post.map_or("", post_title)),
            from,
            or_dash(&date(m.ended_on)),
            or_dash(number(Some(m.decision))),
            or_dash(number(m.end_decision)),
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
        let id = |n: u8| format!("00000000-0000-0000-0000-0000000000{n:02}");
        let a = serde_json::json!({
            "person": id(1), "names": [], "positions": [],
            "memberships": [{
                "committee": id(2), "seat": id(3), "membership": id(4),
                "committee_name": "Ban chỉ đạo", "role": "deputy_head", "on_behalf_of": null,
                "from": "2022-01-14", "ended_on": null,
                "decision": {"id": id(5), "number": "34/QĐ-BTTTT"}, "end_decision": null
            }],
            "ex_officio": [{
                "committee": id(6), "seat": id(7), "label": null, "post_decision": null,
                "committee_name": "Ban thử nghiệm", "role": "member", "on_behalf_of": null,
                "post": {"id": id(8), "title": "Cục trưởng Cục Tin học hóa", "unit": null},
                "from": "2021-06-01", "ended_on": "2024-01-01",
                "decision": {"id": id(9), "number": "HYPOTHETICAL-1/QĐ-BTTTT"}, "end_decision": null
            }]
        });
        let a: PersonHistory = serde_json::from_value(a).unwrap();
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
