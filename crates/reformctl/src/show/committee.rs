//! `committee show`: a committee's composition on a date, its sub-bodies below it.

use std::io::Write;

use reformlog::{Composition, DecisionRef};
use reformlog_api::Envelope;

use crate::answer::{decode, name_of, or_dash, read_on, role_label, wire, write_position, Output};
use crate::cli::{Kind, TimeArgs};
use crate::client::Client;
use crate::error::Error;
use crate::table::Table;

const COLUMNS: [&str; 6] = [
    "ROLE",
    "PERSON",
    "POSITION",
    "ON BEHALF OF",
    "SINCE",
    "DECISION",
];

/// The rows of one composition (no sub-bodies): role, person, position, on behalf of, since,
/// decision.
fn composition_table(c: &Composition) -> Table {
    let mut t = Table::new(&COLUMNS);
    for row in composition_rows(c) {
        t.row(row);
    }
    t
}

/// A composition and its sub-bodies as one table for CSV, each row led by its body's name.
fn flat_table(c: &Composition) -> Table {
    fn add(t: &mut Table, c: &Composition) {
        for row in composition_rows(c) {
            t.row([vec![name_of(c.name.as_ref()).to_owned()], row].concat());
        }
        for sub in &c.sub_bodies {
            add(t, sub);
        }
    }
    let mut t = Table::new(&[&["BODY"][..], &COLUMNS].concat());
    add(&mut t, c);
    t
}

fn number(d: Option<&DecisionRef>) -> Option<&str> {
    d.and_then(|d| d.number.as_deref())
}

fn composition_rows(c: &Composition) -> Vec<Vec<String>> {
    let mut t = Vec::new();
    for seat in &c.seats {
        let mut role = role_label(&wire(&seat.role)).to_string();
        let behalf = name_of(seat.on_behalf_of.as_ref().and_then(|u| u.name.as_ref())).to_string();
        // A member seat's label usually restates the unit it represents; show it only when
        // the unit column does not already say who the seat is for.
        if let Some(label) = seat.label.as_ref().filter(|_| behalf.is_empty()) {
            role = format!("{role} ({label})");
        }
        let seat_decision = number(Some(&seat.decision)).unwrap_or("");
        if seat.holders.is_empty() {
            let vacant = match seat.ex_officio.as_ref().and_then(|p| p.title.as_ref()) {
                Some(post) => format!("(ex officio: {post}, vacant)"),
                None => "(vacant)".into(),
            };
            t.push(vec![
                role.clone(),
                vacant,
                "—".into(),
                or_dash(&behalf),
                seat.since.to_string(),
                or_dash(seat_decision),
            ]);
        }
        for h in &seat.holders {
            let positions: Vec<&str> = h
                .positions
                .iter()
                .filter_map(|p| p.title.as_ref().map(|t| t.as_str()))
                .collect();
            let decision = number(h.decision.as_ref()).unwrap_or(seat_decision);
            t.push(vec![
                role.clone(),
                or_dash(name_of(h.person.name.as_ref())),
                or_dash(&positions.join("; ")),
                or_dash(&behalf),
                h.since.to_string(),
                or_dash(decision),
            ]);
        }
    }
    t
}

fn write_composition(out: &mut dyn Write, c: &Composition, depth: usize) -> Result<(), Error> {
    let heading = format!(
        "{}{}{}",
        if depth == 0 {
            String::new()
        } else {
            format!("{}sub-body: ", "  ".repeat(depth - 1))
        },
        or_dash(name_of(c.name.as_ref())),
        if c.active {
            ""
        } else {
            " (not active on this date)"
        }
    );
    writeln!(out, "{heading}")?;
    let t = composition_table(c);
    let holders: usize = c.seats.iter().map(|x| x.holders.len()).sum();
    writeln!(
        out,
        "on {}: {} seats, {} holders",
        c.on,
        c.seats.len(),
        holders
    )?;
    if !t.is_empty() {
        write!(out, "{}", t.render())?;
    }
    for sub in &c.sub_bodies {
        writeln!(out)?;
        write_composition(out, sub, depth + 1)?;
    }
    Ok(())
}

/// `committee show`.
pub(crate) fn committee_show(
    client: &Client,
    out: &mut dyn Write,
    committee: &str,
    time: &TimeArgs,
    o: &Output,
) -> Result<(), Error> {
    let what = (Kind::Committee, committee, "composition");
    let Some(v) = read_on(client, out, what, time, o)? else {
        return Ok(());
    };
    let reply: Envelope<Composition> = decode(&v)?;
    if o.is_csv() {
        return flat_table(&reply.answer).write_csv(out, o.bom);
    }
    write_composition(out, &reply.answer, 0)?;
    write_position(out, reply.position)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn composition_rows_show_role_person_position_unit_since_decision() {
        let id = |n: u8| format!("00000000-0000-0000-0000-0000000000{n:02}");
        let c = serde_json::json!({
            "committee": id(9), "name": "Ban chỉ đạo", "on": "2022-01-15", "active": true,
            "duties": [],
            "seats": [{
                "seat": id(1), "role": "member", "label": null,
                "on_behalf_of": {"id": id(2), "name": "Vụ Bưu chính"}, "ex_officio": null,
                "since": "2022-01-14", "decision": {"id": id(3), "number": "34/QĐ-BTTTT"},
                "holders": [{"person": {"id": id(4), "name": "Thành viên 1"}, "since": "2022-01-14",
                             "membership": id(5), "decision": {"id": id(3), "number": "34/QĐ-BTTTT"},
                             "positions": []}]
            }],
            "sub_bodies": []
        });
        let c: Composition = serde_json::from_value(c).unwrap();
        let text = composition_table(&c).render();
        let row = text.lines().nth(1).unwrap();
        for part in [
            "Thành viên",
            "Thành viên 1",
            "Vụ Bưu chính",
            "2022-01-14",
            "34/QĐ-BTTTT",
        ] {
            assert!(row.contains(part), "{row}");
        }
    }
}
