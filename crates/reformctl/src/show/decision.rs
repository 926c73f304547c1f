//! `decision show` and `diff`: what a decision changed, and how a composition differs
//! between two dates.

use std::io::Write;

use reformlog::{CompositionDiff, DecisionChanges, DecisionSummary, DiffEntry};
use reformlog_api::Envelope;

use crate::answer::{decode, emit, name_of, or_dash, role_label, wire, write_table, Output};
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

fn role_of(e: &DiffEntry) -> String {
    role_label(&wire(&e.role)).to_owned()
}

fn label_of(e: &DiffEntry) -> &str {
    e.label.as_deref().unwrap_or("")
}

/// The rows of a composition diff: `-` left, `+` joined, `~` changed place, under the first
/// column's title `sign` (blank in a table, where the signs speak for themselves).
fn diff_table(d: &CompositionDiff, sign: &str) -> Table {
    // In the daemon's order, which is the decisions' order of the seats.
    let mut t = Table::new(&[sign, "ROLE", "PERSON", "LABEL"]);
    for e in &d.left {
        t.row(diff_row("-", e));
    }
    for e in &d.joined {
        t.row(diff_row("+", e));
    }
    for c in &d.changed {
        let (b, a) = (&c.before, &c.after);
        t.row(vec![
            "~".into(),
            change(&role_of(b), &role_of(a)),
            or_dash(name_of(a.person_name.as_ref())),
            change(label_of(b), label_of(a)),
        ]);
    }
    t
}

fn diff_lines(out: &mut dyn Write, d: &CompositionDiff) -> Result<(), Error> {
    writeln!(
        out,
        "between {} and {}: {} stayed, {} changed place, {} left, {} joined",
        d.before,
        d.after,
        d.stayed,
        d.changed.len(),
        d.left.len(),
        d.joined.len(),
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
fn decision_header(d: &DecisionSummary) -> String {
    let kind = match d.kind_name.as_str() {
        "" => wire(&d.kind),
        name => name.to_owned(),
    };
    let mut text = format!(
        "{} ({kind}) — {}\nissued by {}; signed {}; in force {}",
        d.number,
        d.title,
        or_dash(name_of(d.issuer.name.as_ref())),
        d.signed_on,
        d.in_force_on
    );
    if d.in_force_before_signed {
        text.push_str(", before it was signed");
    }
    text.push('\n');
    if let Some(signer) = d.signer.as_ref().and_then(|p| p.name.as_ref()) {
        text.push_str(&format!("signed by {signer}\n"));
    }
    for l in &d.links {
        match &l.note {
            Some(note) => text.push_str(&format!("text at {} ({note})\n", l.url)),
            None => text.push_str(&format!("text at {}\n", l.url)),
        }
    }
    text
}

fn diff_row(sign: &str, e: &DiffEntry) -> Vec<String> {
    let person = match e.person {
        Some(_) => or_dash(name_of(e.person_name.as_ref())),
        None => "(vacant)".into(),
    };
    vec![sign.into(), role_of(e), person, or_dash(label_of(e))]
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
    let reply: Envelope<DecisionChanges> = decode(&v)?;
    let a = &reply.answer;
    if o.is_csv() {
        // The changes citing it; the composition diffs are in the JSON and YAML forms.
        return write_table(out, o, &history_table(&a.changes));
    }
    write!(out, "{}", decision_header(&a.decision))?;
    writeln!(out, "\nChanges citing it")?;
    write!(out, "{}", history_table(&a.changes).render())?;
    for c in &a.compositions {
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
    let reply: Envelope<CompositionDiff> = decode(&v)?;
    if o.is_csv() {
        return write_table(out, o, &diff_table(&reply.answer, "CHANGE"));
    }
    diff_lines(out, &reply.answer)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn decision_header_names_the_kind_and_an_effect_before_signing() {
        let d: DecisionSummary = serde_json::from_value(serde_json::json!({
            "id": "00000000-0000-0000-0000-000000000001",
            "number": "HYPOTHETICAL-1/2024/NĐ-CP", "kind": "decree", "kind_name": "Nghị định",
            "title": "Nghị định thử",
            "issuer": {"id": "00000000-0000-0000-0000-000000000002", "name": "Chính phủ"},
            "signer": null, "signed_on": "2024-03-02", "in_force_on": "2024-03-01",
            "in_force_before_signed": true, "amends": [], "replaces": [], "repeals": []
        }))
        .unwrap();
        let text = decision_header(&d);
        assert_eq!(
            text,
            "HYPOTHETICAL-1/2024/NĐ-CP (Nghị định) — Nghị định thử\n\
             issued by Chính phủ; signed 2024-03-02; in force 2024-03-01, before it was signed\n"
        );
        let mut on_time = d.clone();
        on_time.in_force_on = on_time.signed_on;
        on_time.in_force_before_signed = false;
        assert!(!decision_header(&on_time).contains("before it was signed"));
        let mut linked = on_time.clone();
        linked.links = vec![
            reformlog::TextLink {
                url: "https://example.org/van-ban/1".into(),
                note: Some("Cổng thông tin".into()),
            },
            reformlog::TextLink {
                url: "https://example.org/vbpl/1".into(),
                note: None,
            },
        ];
        assert!(decision_header(&linked).ends_with(
            "text at https://example.org/van-ban/1 (Cổng thông tin)\n\
             text at https://example.org/vbpl/1\n"
        ));
    }

    #[test]
    fn a_diff_counts_and_lists_who_changed_place_left_and_joined() {
        let entry = |role: &str, person: Option<&str>, label: Option<&str>| {
            serde_json::json!({
                "committee": "00000000-0000-0000-0000-000000000001",
                "seat": "00000000-0000-0000-0000-000000000002", "role": role, "label": label,
                "on_behalf_of": null, "ex_officio": null,
                "person": person.map(|_| "00000000-0000-0000-0000-000000000003"),
                "person_name": person
            })
        };
        let d = serde_json::json!({
            "committee": "00000000-0000-0000-0000-000000000001",
            "before": "2023-01-31", "after": "2023-02-01", "stayed": 28,
            "left": [entry("member", Some("Thành viên 20"), None)],
            "joined": [entry("member", None, None)],
            "changed": [{
                "before": entry("member", Some("Thành viên 1"), None),
                "after": entry("deputy_head", Some("Thành viên 1"), None)
            }]
        });
        let d: CompositionDiff = serde_json::from_value(d).unwrap();
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
