//! `decision show` and `diff`: what a decision changed, and how a composition differs
//! between two dates.

use std::io::Write;

use serde_json::Value;

use crate::answer::{answer_of, arr, emit, or_dash, role_label, s, write_table, Output};
use crate::cli::Kind;
use crate::client::Client;
use crate::error::Error;
use crate::resolve::resolve;
use crate::table::Table;

use super::audit::history_table;

/// "A → B" when a changed place differs in this part, else "A".
fn change(before: &str, after: &str) -> String {
    if before == after {
        or_dash(after)
    } else {
        format!("{} → {}", or_dash(before), or_dash(after))
    }
}

/// The rows of a composition diff: `-` left, `+` joined, `~` changed place, under the first
/// column's title `sign` (blank in a table, where the signs speak for themselves).
fn diff_table(d: &Value, sign: &str) -> Table {
    // In the daemon's order, which is the decisions' order of the seats.
    let mut t = Table::new(&[sign, "ROLE", "PERSON", "LABEL"]);
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
    t
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
    let t = diff_table(d, "");
    if !t.is_empty() {
        write!(out, "{}", t.render())?;
    }
    Ok(())
}

/// The lines of `decision show` about the decision itself: number, kind (its Vietnamese
/// name), title, issuer, dates (saying so when it took effect before it was signed), signer,
/// where its text is published.
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
    for l in arr(d, "/links") {
        match l.get("note").and_then(Value::as_str) {
            Some(note) => text.push_str(&format!("text at {} ({note})\n", s(l, "/url"))),
            None => text.push_str(&format!("text at {}\n", s(l, "/url"))),
        }
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
    o: &Output,
) -> Result<(), Error> {
    let id = resolve(client, Kind::Decision, decision)?;
    let v = client.get(
        &format!("/v1/decisions/{id}/changes"),
        &[("known_at", known_at)],
    )?;
    if emit(out, o, &v)? {
        return Ok(());
    }
    let a = answer_of(&v)?;
    if o.is_csv() {
        // The changes citing it; the composition diffs are in the JSON and YAML forms.
        return write_table(out, o, &history_table(arr(a, "/changes")));
    }
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
    (from, to): (&str, &str),
    known_at: Option<&str>,
    o: &Output,
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
    if emit(out, o, &v)? {
        return Ok(());
    }
    let d = answer_of(&v)?;
    if o.is_csv() {
        return write_table(out, o, &diff_table(d, "CHANGE"));
    }
    diff_lines(out, d)
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
        let mut linked = on_time.clone();
        linked["links"] = serde_json::json!([
            {"url": "https://example.org/van-ban/1", "note": "Cổng thông tin"},
            {"url": "https://example.org/vbpl/1", "note": null}
        ]);
        assert!(decision_header(&linked).ends_with(
            "text at https://example.org/van-ban/1 (Cổng thông tin)\n\
             text at https://example.org/vbpl/1\n"
        ));
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
