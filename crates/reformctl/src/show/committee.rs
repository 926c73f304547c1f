//! `committee show`: a committee's composition on a date, its sub-bodies below it.

use std::io::Write;

use serde_json::Value;

use crate::answer::{answer_of, arr, or_dash, read_on, role_label, s, write_position, Output};
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
fn composition_table(c: &Value) -> Table {
    let mut t = Table::new(&COLUMNS);
    for row in composition_rows(c) {
        t.row(row);
    }
    t
}

/// A composition and its sub-bodies as one table for CSV, each row led by its body's name.
fn flat_table(c: &Value) -> Table {
    fn add(t: &mut Table, c: &Value) {
        for row in composition_rows(c) {
            t.row([vec![s(c, "/name").to_owned()], row].concat());
        }
        for sub in arr(c, "/sub_bodies") {
            add(t, sub);
        }
    }
    let mut t = Table::new(&[&["BODY"][..], &COLUMNS].concat());
    add(&mut t, c);
    t
}

fn composition_rows(c: &Value) -> Vec<Vec<String>> {
    let mut t = Vec::new();
    for seat in arr(c, "/seats") {
        let mut role = role_label(s(seat, "/role")).to_string();
        let behalf = s(seat, "/on_behalf_of/name").to_string();
        // A member seat's label usually restates the unit it represents; show it only when
        // the unit column does not already say who the seat is for.
        if let Some(label) = seat
            .get("label")
            .and_then(Value::as_str)
            .filter(|_| behalf.is_empty())
        {
            role = format!("{role} ({label})");
        }
        let holders = arr(seat, "/holders");
        if holders.is_empty() {
            let vacant = match seat.pointer("/ex_officio/title").and_then(Value::as_str) {
                Some(post) => format!("(ex officio: {post}, vacant)"),
                None => "(vacant)".into(),
            };
            t.push(vec![
                role.clone(),
                vacant,
                "—".into(),
                or_dash(&behalf),
                s(seat, "/since").into(),
                or_dash(s(seat, "/decision/number")),
            ]);
        }
        for h in holders {
            let positions: Vec<&str> = arr(h, "/positions")
                .iter()
                .filter_map(|p| p.get("title").and_then(Value::as_str))
                .collect();
            let decision = h
                .pointer("/decision/number")
                .and_then(Value::as_str)
                .unwrap_or_else(|| s(seat, "/decision/number"));
            t.push(vec![
                role.clone(),
                or_dash(s(h, "/person/name")),
                or_dash(&positions.join("; ")),
                or_dash(&behalf),
                s(h, "/since").into(),
                or_dash(decision),
            ]);
        }
    }
    t
}

fn write_composition(out: &mut dyn Write, c: &Value, depth: usize) -> Result<(), Error> {
    let heading = format!(
        "{}{}{}",
        if depth == 0 {
            String::new()
        } else {
            format!("{}sub-body: ", "  ".repeat(depth - 1))
        },
        or_dash(s(c, "/name")),
        if c.get("active").and_then(Value::as_bool) == Some(false) {
            " (not active on this date)"
        } else {
            ""
        }
    );
    writeln!(out, "{heading}")?;
    let t = composition_table(c);
    let holders: usize = arr(c, "/seats")
        .iter()
        .map(|x| arr(x, "/holders").len())
        .sum();
    writeln!(
        out,
        "on {}: {} seats, {} holders",
        s(c, "/on"),
        arr(c, "/seats").len(),
        holders
    )?;
    if !t.is_empty() {
        write!(out, "{}", t.render())?;
    }
    for sub in arr(c, "/sub_bodies") {
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
    let answer = answer_of(&v)?;
    if o.is_csv() {
        return flat_table(answer).write_csv(out, o.bom);
    }
    write_composition(out, answer, 0)?;
    write_position(out, &v)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn composition_rows_show_role_person_position_unit_since_decision() {
        let c = serde_json::json!({
            "name": "Ban chỉ đạo", "on": "2022-01-15", "active": true,
            "seats": [{
                "seat": "s1", "role": "member", "label": null,
                "on_behalf_of": {"id": "u", "name": "Vụ Bưu chính"}, "ex_officio": null,
                "since": "2022-01-14", "decision": {"id": "d", "number": "34/QĐ-BTTTT"},
                "holders": [{"person": {"id": "p", "name": "Thành viên 1"}, "since": "2022-01-14",
                             "membership": "m", "decision": {"id": "d", "number": "34/QĐ-BTTTT"},
                             "positions": []}]
            }],
            "sub_bodies": []
        });
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
