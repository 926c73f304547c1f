//! The Popolo document of what the export gathered.

use std::collections::HashMap;

use reformlog::HoldingId;
use serde_json::Value;

use super::gather::{st, Gathered};
use super::{
    decision_link, DecisionEvent, Document, Identifier, Link, Membership, Organization, OtherName,
    Person, Post, COMMITTEE,
};

/// The Popolo document of what was gathered.
pub(crate) fn document(g: &Gathered) -> Document {
    let number_of: HashMap<String, String> = g
        .decisions
        .iter()
        .filter_map(|d| Some((st(d, "/id")?, st(d, "/details/decision/number")?)))
        .collect();
    let link =
        |id: &str, ended: bool| decision_link(id, number_of.get(id).map(String::as_str), ended);
    let mut doc = Document::default();
    for p in &g.people {
        let names: Vec<&Value> = p
            .pointer("/details/person/names")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let other_names = names
            .iter()
            .enumerate()
            .map(|(i, n)| OtherName {
                name: st(n, "/name").unwrap_or_default(),
                start_date: st(n, "/from"),
                end_date: names.get(i + 1).and_then(|next| st(next, "/from")),
            })
            .collect();
        doc.persons.push(Person {
            id: st(p, "/id").unwrap_or_default(),
            name: names
                .last()
                .and_then(|n| st(n, "/name"))
                .or_else(|| st(p, "/name"))
                .unwrap_or_default(),
            other_names,
        });
    }
    for u in &g.units {
        doc.organizations.push(Organization {
            id: st(u, "/id").unwrap_or_default(),
            name: st(u, "/name").unwrap_or_default(),
            classification: st(u, "/details/unit/kind").unwrap_or_else(|| "other".into()),
            parent_id: st(u, "/details/unit/parent/id"),
            founding_date: st(u, "/since"),
            dissolution_date: st(u, "/details/unit/ended_on"),
            sources: Vec::new(),
            unit_id: None,
            duties: Vec::new(),
            decision_id: None,
            merged_into_id: st(u, "/details/unit/merged_into/id"),
        });
    }
    for c in &g.committees {
        let decision = st(c, "/details/committee/established_by/id");
        doc.organizations.push(Organization {
            id: st(c, "/id").unwrap_or_default(),
            name: st(c, "/name").unwrap_or_default(),
            classification: COMMITTEE.into(),
            parent_id: st(c, "/details/committee/parent/id"),
            founding_date: st(c, "/since"),
            dissolution_date: st(c, "/details/committee/dissolved_on"),
            sources: decision.iter().map(|d| link(d, false)).collect(),
            unit_id: st(c, "/details/committee/unit/id"),
            duties: c
                .pointer("/details/committee/duties")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|d| d.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            decision_id: decision,
            merged_into_id: None,
        });
    }
    for p in &g.posts {
        doc.posts.push(Post {
            id: st(p, "/id").unwrap_or_default(),
            label: st(p, "/name").unwrap_or_default(),
            role: None,
            organization_id: st(p, "/details/post/unit/id"),
            start_date: st(p, "/since"),
            end_date: st(p, "/details/post/abolished_on"),
            sources: Vec::new(),
            max_holders: p
                .pointer("/details/post/max_holders")
                .and_then(Value::as_u64)
                .and_then(|n| u16::try_from(n).ok()),
            on_behalf_of_id: None,
            ex_officio_post_id: None,
            seat_label: None,
            decision_id: None,
            end_decision_id: None,
        });
    }
    // Seats in the order they begin and, among those of one date, in the order the
    // compositions list them: the import creates them in this order, so a composition
    // lists them as the exporting daemon did.
    let mut seats: Vec<(&String, &(String, Value))> = g.seats.iter().collect();
    seats.sort_by_cached_key(|(sid, (_, seat))| {
        (
            st(seat, "/since"),
            g.seat_seen.get(*sid).cloned(),
            (*sid).clone(),
        )
    });
    for (sid, (cid, seat)) in seats {
        let role = st(seat, "/role").unwrap_or_default();
        let label = st(seat, "/label");
        let behalf = st(seat, "/on_behalf_of/name");
        let decision = st(seat, "/decision/id");
        let end = g.seat_ends.get(sid);
        let mut sources: Vec<Link> = decision.iter().map(|d| link(d, false)).collect();
        sources.extend(end.and_then(|(_, d)| d.as_deref()).map(|d| link(d, true)));
        let mut text = crate::answer::role_label(&role).to_string();
        if let Some(l) = &label {
            text = format!("{text} ({l})");
        } else if let Some(b) = &behalf {
            text = format!("{text} — {b}");
        }
        doc.posts.push(Post {
            id: sid.clone(),
            label: text,
            role: Some(role),
            organization_id: Some(cid.clone()),
            start_date: st(seat, "/since"),
            end_date: end.map(|(e, _)| e.clone()),
            sources,
            max_holders: None,
            on_behalf_of_id: st(seat, "/on_behalf_of/id"),
            ex_officio_post_id: st(seat, "/ex_officio/id"),
            seat_label: label,
            decision_id: decision,
            end_decision_id: end.and_then(|(_, d)| d.clone()),
        });
    }
    for (person, _, m) in &g.memberships {
        let decision = st(m, "/decision/id");
        let end_decision = st(m, "/end_decision/id");
        let mut sources: Vec<Link> = decision.iter().map(|d| link(d, false)).collect();
        sources.extend(end_decision.iter().map(|d| link(d, true)));
        doc.memberships.push(Membership {
            id: st(m, "/membership").unwrap_or_default(),
            person_id: person.clone(),
            organization_id: st(m, "/committee"),
            post_id: st(m, "/seat"),
            role: st(m, "/role"),
            on_behalf_of_id: st(m, "/on_behalf_of/id"),
            start_date: st(m, "/from"),
            end_date: st(m, "/ended_on"),
            sources,
            decision_id: decision,
            end_decision_id: end_decision,
        });
    }
    for (person, pos) in &g.positions {
        let post = st(pos, "/post/id").unwrap_or_default();
        let from = st(pos, "/from").unwrap_or_default();
        // Holdings have no id in the answers; this one is stable for the same post, person
        // and start, so exporting twice gives the same document.
        let id = HoldingId::from_slug(&format!("popolo/{post}/{person}/{from}"))
            .map(|h| h.to_string())
            .unwrap_or_default();
        let decision = st(pos, "/decision/id");
        doc.memberships.push(Membership {
            id,
            person_id: person.clone(),
            organization_id: st(pos, "/post/unit/id"),
            post_id: Some(post),
            role: st(pos, "/post/title"),
            on_behalf_of_id: None,
            start_date: Some(from),
            end_date: st(pos, "/ended_on"),
            sources: decision.iter().map(|d| link(d, false)).collect(),
            decision_id: decision,
            end_decision_id: None,
        });
    }
    for d in &g.decisions {
        let list = |k: &str| -> Vec<String> {
            d.pointer(&format!("/details/decision/{k}"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|x| st(x, "/id")).collect())
                .unwrap_or_default()
        };
        doc.events.push(DecisionEvent {
            id: st(d, "/id").unwrap_or_default(),
            name: st(d, "/name").unwrap_or_default(),
            classification: st(d, "/details/decision/kind").unwrap_or_else(|| "decision".into()),
            start_date: st(d, "/details/decision/in_force_on").unwrap_or_default(),
            organization_id: st(d, "/details/decision/issuer/id").unwrap_or_default(),
            identifiers: vec![Identifier {
                identifier: st(d, "/details/decision/number").unwrap_or_default(),
                scheme: Some("decision-number".into()),
            }],
            signed_on: st(d, "/details/decision/signed_on").unwrap_or_default(),
            signer_id: st(d, "/details/decision/signer/id"),
            amends: list("amends"),
            replaces: list("replaces"),
            repeals: list("repeals"),
        });
    }
    doc
}
