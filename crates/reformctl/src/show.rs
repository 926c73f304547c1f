//! Read commands: composition, person history, what a decision changed, composition diffs,
//! tasks, the audit trail and search, as aligned tables or (with `--json`) the daemon's JSON.

use std::io::Write;

use serde_json::Value;

use crate::cli::{AuditArgs, Kind, TimeArgs};
use crate::client::{segment, Client};
use crate::error::Error;
use crate::resolve::resolve;
use crate::table::Table;

/// How a role reads in a decision.
pub(crate) fn role_label(role: &str) -> &str {
    match role {
        "head" => "Trưởng ban",
        "standing_deputy_head" => "Phó Trưởng ban thường trực",
        "deputy_head" => "Phó Trưởng ban",
        "member" => "Thành viên",
        "group_leader" => "Tổ trưởng",
        "deputy_group_leader" => "Tổ phó",
        "group_member" => "Tổ viên",
        "secretary" => "Thư ký",
        other => other,
    }
}

/// A role's rank in the order of [`reformlog::Role`]: head first, secretary last.
pub(crate) fn role_rank(role: &str) -> usize {
    const ORDER: [&str; 8] = [
        "head",
        "standing_deputy_head",
        "deputy_head",
        "member",
        "group_leader",
        "deputy_group_leader",
        "group_member",
        "secretary",
    ];
    ORDER.iter().position(|r| *r == role).unwrap_or(ORDER.len())
}

pub(crate) fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

pub(crate) fn arr<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

pub(crate) fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "—".into()
    } else {
        text.into()
    }
}

/// The `answer` member of a reply the daemon sends for a query.
pub(crate) fn answer_of(v: &Value) -> Result<&Value, Error> {
    v.get("answer")
        .ok_or_else(|| Error::BadAnswer("no answer".into()))
}

pub(crate) fn print_json(out: &mut dyn Write, v: &Value) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(v).map_err(|e| Error::BadAnswer(e.to_string()))?;
    writeln!(out, "{text}")?;
    Ok(())
}

/// The rows of one composition (no sub-bodies): role, person, position, on behalf of, since,
/// decision.
fn composition_table(c: &Value) -> Table {
    let mut t = Table::new(&[
        "ROLE",
        "PERSON",
        "POSITION",
        "ON BEHALF OF",
        "SINCE",
        "DECISION",
    ]);
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
            t.row(vec![
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
            t.row(vec![
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
    json: bool,
) -> Result<(), Error> {
    let id = resolve(client, Kind::Committee, committee)?;
    let v = client.get(
        &format!("/v1/committees/{id}/composition"),
        &[
            ("on", time.on.as_deref()),
            ("known_at", time.known_at.as_deref()),
        ],
    )?;
    if json {
        return print_json(out, &v);
    }
    let answer = answer_of(&v)?;
    write_composition(out, answer, 0)?;
    writeln!(
        out,
        "(as known at log position {})",
        v.get("position").and_then(Value::as_u64).unwrap_or(0)
    )?;
    Ok(())
}

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

fn history_table(entries: &[Value]) -> Table {
    let mut t = Table::new(&[
        "POS",
        "WHAT",
        "VALID FROM",
        "RECORDED AT",
        "ACTOR",
        "DECISION",
        "STANDING",
        "REASON",
    ]);
    for e in entries {
        let standing = match e.get("standing") {
            Some(Value::String(x)) => x.clone(),
            Some(Value::Object(m)) => m
                .iter()
                .next()
                .map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or("")))
                .unwrap_or_default(),
            _ => String::new(),
        };
        t.row(vec![
            e.get("position")
                .and_then(Value::as_u64)
                .unwrap_or(0)
                .to_string(),
            s(e, "/what").into(),
            s(e, "/valid_from").into(),
            e.get("recorded_at")
                .and_then(Value::as_i64)
                .map(|t| reformlog_store::Timestamp::from_micros(t).to_rfc3339_micros())
                .unwrap_or_default(),
            s(e, "/actor").into(),
            or_dash(s(e, "/decision/number")),
            standing,
            or_dash(s(e, "/reason")),
        ]);
    }
    t
}

/// "A → B" when a changed place differs in this part, else "A".
fn change(before: &str, after: &str) -> String {
    if before == after {
        or_dash(after)
    } else {
        format!("{} → {}", or_dash(before), or_dash(after))
    }
}

fn diff_lines(out: &mut dyn Write, d: &Value) -> Result<(), Error> {
    let count = |key: &str| arr(d, key).len();
    writeln!(
        out,
        "between {} and {}: {} stayed, {} changed place, {} left, {} joined",
        s(d, "/before"),
        s(d, "/after"),
        d.get("stayed").and_then(Value::as_u64).unwrap_or(0),
        count("/changed"),
        count("/left"),
        count("/joined"),
    )?;
    // In the daemon's order, which is the decisions' order of the seats.
    let mut t = Table::new(&["", "ROLE", "PERSON", "LABEL"]);
    for e in arr(d, "/left") {
        t.row(diff_row("-", e));
    }
    for e in arr(d, "/joined") {
        t.row(diff_row("+", e));
    }
    for c in arr(d, "/changed") {
        let (b, a) = (&c["before"], &c["after"]);
        t.row(vec![
            "~".into(),
            change(role_label(s(b, "/role")), role_label(s(a, "/role"))),
            or_dash(s(a, "/person_name")),
            change(s(b, "/label"), s(a, "/label")),
        ]);
    }
    if !t.is_empty() {
        write!(out, "{}", t.render())?;
    }
    Ok(())
}

/// The lines of `decision show` about the decision itself: number, kind (its Vietnamese
/// name), title, issuer, dates (saying so when it took effect before it was signed), signer.
fn decision_header(d: &Value) -> String {
    let kind = match s(d, "/kind_name") {
        "" => s(d, "/kind"),
        name => name,
    };
    let mut text = format!(
        "{} ({kind}) — {}\nissued by {}; signed {}; in force {}",
        s(d, "/number"),
        s(d, "/title"),
        or_dash(s(d, "/issuer/name")),
        s(d, "/signed_on"),
        s(d, "/in_force_on")
    );
    if d.get("in_force_before_signed").and_then(Value::as_bool) == Some(true) {
        text.push_str(", before it was signed");
    }
    text.push('\n');
    if let Some(signer) = d.pointer("/signer/name").and_then(Value::as_str) {
        text.push_str(&format!("signed by {signer}\n"));
    }
    text
}

fn diff_row(sign: &str, e: &Value) -> Vec<String> {
    let person = match e.get("person") {
        Some(Value::String(_)) => or_dash(s(e, "/person_name")),
        _ => "(vacant)".into(),
    };
    vec![
        sign.into(),
        role_label(s(e, "/role")).into(),
        person,
        or_dash(s(e, "/label")),
    ]
}

/// `decision show`.
pub(crate) fn decision_show(
    client: &Client,
    out: &mut dyn Write,
    decision: &str,
    known_at: Option<&str>,
    json: bool,
) -> Result<(), Error> {
    let id = resolve(client, Kind::Decision, decision)?;
    let v = client.get(
        &format!("/v1/decisions/{id}/changes"),
        &[("known_at", known_at)],
    )?;
    if json {
        return print_json(out, &v);
    }
    let a = answer_of(&v)?;
    write!(
        out,
        "{}",
        decision_header(a.get("decision").unwrap_or(&Value::Null))
    )?;
    writeln!(out, "\nChanges citing it")?;
    write!(out, "{}", history_table(arr(a, "/changes")).render())?;
    for c in arr(a, "/compositions") {
        writeln!(out, "\nComposition change")?;
        diff_lines(out, c)?;
    }
    Ok(())
}

/// `diff COMMITTEE --from --to`.
pub(crate) fn diff(
    client: &Client,
    out: &mut dyn Write,
    committee: &str,
    from: &str,
    to: &str,
    known_at: Option<&str>,
    json: bool,
) -> Result<(), Error> {
    let id = resolve(client, Kind::Committee, committee)?;
    let v = client.get(
        &format!("/v1/committees/{id}/diff"),
        &[
            ("from", Some(from)),
            ("to", Some(to)),
            ("known_at", known_at),
        ],
    )?;
    if json {
        return print_json(out, &v);
    }
    diff_lines(out, v.get("answer").unwrap_or(&Value::Null))
}

/// One line per warning the daemon gave about these tasks: `warning: TITLE: MESSAGE`
/// (what makes the assignment or plan doubtful on the date).
pub(crate) fn write_warnings(out: &mut dyn Write, tasks: &[Value]) -> Result<(), Error> {
    for task in tasks {
        for w in arr(task, "/warnings") {
            writeln!(
                out,
                "warning: {}: {} [{}]",
                s(task, "/title"),
                s(w, "/message"),
                s(w, "/code")
            )?;
        }
    }
    Ok(())
}

/// `audit --kind K --entity X` or `audit --actor A`, each optionally within a recorded-time
/// range and a valid-date range. Dates in the recorded range are days in the daemon's time
/// zone, so they are sent as typed.
pub(crate) fn audit(
    client: &Client,
    out: &mut dyn Write,
    args: &AuditArgs,
    json: bool,
) -> Result<(), Error> {
    let ranges = [
        ("recorded_from", args.recorded_from.as_deref()),
        ("recorded_to", args.recorded_to.as_deref()),
        ("valid_from", args.valid_from.as_deref()),
        ("valid_to", args.valid_to.as_deref()),
    ];
    let v =
        match (&args.kind, &args.entity, &args.actor) {
            (Some(kind), Some(entity), None) => {
                let id = resolve(client, *kind, entity)?;
                let mut query = vec![("known_at", args.known_at.as_deref())];
                query.extend(ranges);
                client.get(
                    &format!("/v1/history/{}/{}", kind.singular(), segment(&id)),
                    &query,
                )?
            }
            (None, None, Some(actor)) => {
                let mut query = vec![("actor", Some(actor.as_str()))];
                query.extend(ranges);
                client.get("/v1/audit/changes", &query)?
            }
            _ => return Err(Error::Usage(
                "give --kind and --entity, or --actor (either with --recorded-from/--recorded-to \
                 and --valid-from/--valid-to)"
                    .into(),
            )),
        };
    if json {
        return print_json(out, &v);
    }
    let entries = arr(&v, "/answer");
    if entries.is_empty() {
        writeln!(out, "no changes")?;
    } else {
        write!(out, "{}", history_table(entries).render())?;
        for line in evidence_lines(entries) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// What each progress report of a history cites, one line per note or document, after the
/// table (a document does not fit in a column).
fn evidence_lines(entries: &[Value]) -> Vec<String> {
    let mut lines = Vec::new();
    for e in entries {
        let position = e.get("position").and_then(Value::as_u64).unwrap_or(0);
        let Some(evidence) = e
            .pointer("/event/task_progress_reported/evidence")
            .and_then(|v| serde_json::from_value::<reformlog::Evidence>(v.clone()).ok())
        else {
            continue;
        };
        if let Some(note) = &evidence.note {
            lines.push(format!("evidence of {position}: {note}"));
        }
        for d in &evidence.documents {
            lines.push(format!(
                "evidence of {position}: {}",
                crate::task_progress::document_line(d)
            ));
        }
    }
    lines
}

/// `search NAME`.
pub(crate) fn search(
    client: &Client,
    out: &mut dyn Write,
    text: &str,
    json: bool,
) -> Result<(), Error> {
    let v = client.get("/v1/search", &[("q", Some(text))])?;
    if json {
        return print_json(out, &v);
    }
    let mut t = Table::new(&["KIND", "NAME", "MATCHED", "ID"]);
    for h in arr(&v, "/answer") {
        let matched = s(h, "/matched");
        t.row(vec![
            s(h, "/entity/kind").into(),
            s(h, "/name").into(),
            if matched == s(h, "/name") {
                String::new()
            } else {
                matched.into()
            },
            s(h, "/entity/id").into(),
        ]);
    }
    if t.is_empty() {
        writeln!(out, "nothing matches {text:?}")?;
    } else {
        write!(out, "{}", t.render())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn decision_header_names_the_kind_and_an_effect_before_signing() {
        let d = serde_json::json!({
            "number": "HYPOTHETICAL-1/2024/NĐ-CP", "kind": "decree", "kind_name": "Nghị định",
            "title": "Nghị định thử", "issuer": {"id": "u", "name": "Chính phủ"},
            "signer": null, "signed_on": "2024-03-02", "in_force_on": "2024-03-01",
            "in_force_before_signed": true
        });
        let text = decision_header(&d);
        assert_eq!(
            text,
            "HYPOTHETICAL-1/2024/NĐ-CP (Nghị định) — Nghị định thử\n\
             issued by Chính phủ; signed 2024-03-02; in force 2024-03-01, before it was signed\n"
        );
        let mut on_time = d.clone();
        on_time["in_force_on"] = "2024-03-02".into();
        on_time["in_force_before_signed"] = false.into();
        assert!(!decision_header(&on_time).contains("before it was signed"));
    }

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

    #[test]
    fn a_diff_counts_and_lists_who_changed_place_left_and_joined() {
        let entry = |role: &str, person: Option<&str>, label: Option<&str>| {
            serde_json::json!({
                "committee": "c", "seat": "s", "role": role, "label": label,
                "on_behalf_of": null, "ex_officio": null,
                "person": person.map(|_| "p"), "person_name": person
            })
        };
        let d = serde_json::json!({
            "before": "2023-01-31", "after": "2023-02-01", "stayed": 28,
            "left": [entry("member", Some("Thành viên 20"), None)],
            "joined": [entry("member", None, None)],
            "changed": [{
                "before": entry("member", Some("Thành viên 1"), None),
                "after": entry("deputy_head", Some("Thành viên 1"), None)
            }]
        });
        let mut out = Vec::new();
        diff_lines(&mut out, &d).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with(
                "between 2023-01-31 and 2023-02-01: 28 stayed, 1 changed place, 1 left, 1 joined"
            ),
            "{text}"
        );
        let row = |sign: &str| text.lines().find(|l| l.starts_with(sign)).unwrap();
        assert!(row("-").contains("Thành viên 20"), "{text}");
        assert!(row("+").contains("(vacant)"), "{text}");
        let moved = row("~");
        assert!(
            moved.contains("Thành viên → Phó Trưởng ban") && moved.contains("Thành viên 1"),
            "{text}"
        );
    }
}
