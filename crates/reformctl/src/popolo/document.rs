//! The Popolo document of what the export gathered.

use std::collections::HashMap;

use reformlog::{
    DecisionId, DecisionRef, EntityDetails, EntitySummary, HoldingId, TextLink, UnitRef,
};
use serde::Serialize;

use super::gather::Gathered;
use super::links::sources_of;
use super::vocab::{role_code, role_words, sort_name, POST_HOLDER};
use super::{
    decision_link, DecisionEvent, Document, Identifier, Link, Membership, Organization, OtherName,
    Person, Post, COMMITTEE, NUMBER_SCHEME, SCHEME,
};

/// A value's serialized code (`ministry`, `decree`).
fn code<T: Serialize>(t: &T) -> Option<String> {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
}

/// reformlog's id as a Popolo identifier.
fn own_id(id: impl ToString) -> Vec<Identifier> {
    vec![Identifier {
        identifier: id.to_string(),
        scheme: Some(SCHEME.into()),
    }]
}

fn unit_id(u: &Option<UnitRef>) -> Option<String> {
    u.as_ref().map(|u| u.id.to_string())
}

/// The Popolo document of what was gathered.
pub(crate) fn document(g: &Gathered) -> Document {
    let number_of: HashMap<DecisionId, String> = g
        .decisions
        .iter()
        .filter_map(|d| match &d.details {
            EntityDetails::Decision { number, .. } => {
                Some((DecisionId::from_uuid(d.id), number.clone()))
            }
            _ => None,
        })
        .collect();
    let links_of: HashMap<DecisionId, &[TextLink]> = g
        .decisions
        .iter()
        .filter_map(|d| match &d.details {
            EntityDetails::Decision { links, .. } => {
                Some((DecisionId::from_uuid(d.id), links.as_slice()))
            }
            _ => None,
        })
        .collect();
    // A record started by a decision cites it, then the decision's published text.
    let cites = |id: DecisionId, sources: &mut Vec<Link>| {
        sources.extend(sources_of(links_of.get(&id).copied().unwrap_or_default()));
    };
    let link = |id: DecisionId, ended: bool| {
        decision_link(
            &id.to_string(),
            number_of.get(&id).map(String::as_str),
            ended,
        )
    };
    let mut doc = Document::default();
    for p in &g.people {
        doc.persons.push(person(p));
    }
    for u in &g.units {
        let EntityDetails::Unit {
            kind,
            parent,
            ended_on,
            merged_into,
            ..
        } = &u.details
        else {
            continue;
        };
        doc.organizations.push(Organization {
            id: u.id.to_string(),
            name: u.name.clone().unwrap_or_default(),
            classification: Some(code(kind).unwrap_or_else(|| "other".into())),
            parent_id: unit_id(parent),
            founding_date: Some(u.since.to_string()),
            dissolution_date: ended_on.map(|d| d.to_string()),
            identifiers: own_id(u.id),
            sources: Vec::new(),
            unit_id: None,
            duties: Vec::new(),
            decision_id: None,
            merged_into_id: unit_id(merged_into),
            extra: Default::default(),
        });
    }
    for c in &g.committees {
        let EntityDetails::Committee {
            parent,
            unit,
            established_by,
            dissolved_on,
            duties,
            ..
        } = &c.details
        else {
            continue;
        };
        doc.organizations.push(Organization {
            id: c.id.to_string(),
            name: c.name.clone().unwrap_or_default(),
            classification: Some(COMMITTEE.into()),
            parent_id: parent.as_ref().map(|p| p.id.to_string()),
            founding_date: Some(c.since.to_string()),
            dissolution_date: dissolved_on.map(|d| d.to_string()),
            identifiers: own_id(c.id),
            sources: vec![link(established_by.id, false)],
            unit_id: unit_id(unit),
            duties: duties.clone(),
            decision_id: Some(established_by.id.to_string()),
            merged_into_id: None,
            extra: Default::default(),
        });
    }
    for p in &g.posts {
        let EntityDetails::Post {
            unit,
            max_holders,
            abolished_on,
            ..
        } = &p.details
        else {
            continue;
        };
        doc.posts.push(Post {
            id: p.id.to_string(),
            label: p.name.clone().unwrap_or_default(),
            role: None,
            reformlog_role: None,
            organization_id: unit_id(unit),
            start_date: Some(p.since.to_string()),
            end_date: abolished_on.map(|d| d.to_string()),
            sources: Vec::new(),
            max_holders: Some(*max_holders),
            on_behalf_of_id: None,
            ex_officio_post_id: None,
            seat_label: None,
            decision_id: None,
            end_decision_id: None,
            extra: Default::default(),
        });
    }
    seats(g, &link, &mut doc);
    for (person, _, m) in &g.memberships {
        let mut sources = vec![link(m.decision.id, false)];
        cites(m.decision.id, &mut sources);
        sources.extend(m.end_decision.as_ref().map(|d| link(d.id, true)));
        doc.memberships.push(Membership {
            id: Some(m.membership.to_string()),
            person_id: person.to_string(),
            organization_id: Some(m.committee.to_string()),
            post_id: Some(m.seat.to_string()),
            role: m.role.map(role_words),
            reformlog_role: m.role.map(role_code),
            on_behalf_of_id: unit_id(&m.on_behalf_of),
            start_date: Some(m.from.to_string()),
            end_date: m.ended_on.map(|d| d.to_string()),
            sources,
            decision_id: Some(m.decision.id.to_string()),
            end_decision_id: m.end_decision.as_ref().map(|d| d.id.to_string()),
            extra: Default::default(),
        });
    }
    for (person, pos) in &g.positions {
        let post = pos.post.id.to_string();
        let from = pos.from.to_string();
        // Holdings have no id in the answers; this one is stable for the same post, person
        // and start, so exporting twice gives the same document.
        let id = HoldingId::from_slug(&format!("popolo/{post}/{person}/{from}"))
            .map(|h| h.to_string())
            .ok();
        doc.memberships.push(Membership {
            id,
            person_id: person.to_string(),
            organization_id: unit_id(&pos.post.unit),
            post_id: Some(post),
            role: pos.post.title.as_ref().map(|t| t.to_string()),
            reformlog_role: Some(POST_HOLDER.into()),
            on_behalf_of_id: None,
            start_date: Some(from),
            end_date: pos.ended_on.map(|d| d.to_string()),
            sources: pos
                .decision
                .iter()
                .flat_map(|d| {
                    let mut sources = vec![link(d.id, false)];
                    cites(d.id, &mut sources);
                    sources
                })
                .collect(),
            decision_id: pos.decision.as_ref().map(|d| d.id.to_string()),
            end_decision_id: None,
            extra: Default::default(),
        });
    }
    for d in &g.decisions {
        if let Some(e) = event(d) {
            doc.events.push(e);
        }
    }
    doc
}

fn person(p: &EntitySummary) -> Person {
    let names = match &p.details {
        EntityDetails::Person { names, .. } => names.as_slice(),
        _ => &[],
    };
    let other_names = names
        .iter()
        .enumerate()
        .map(|(i, n)| OtherName {
            name: n.name.to_string(),
            start_date: Some(n.from.to_string()),
            end_date: names.get(i + 1).map(|next| next.from.to_string()),
        })
        .collect();
    let name = names
        .last()
        .map(|n| n.name.to_string())
        .or_else(|| p.name.clone())
        .unwrap_or_default();
    Person {
        id: p.id.to_string(),
        sort_name: Some(sort_name(&name)),
        name,
        other_names,
        identifiers: own_id(p.id),
        extra: Default::default(),
    }
}

/// The seats, in the order they begin and, among those of one date, in the order the
/// compositions list them: the import creates them in this order, so a composition lists
/// them as the exporting daemon did.
fn seats(g: &Gathered, link: &dyn Fn(DecisionId, bool) -> Link, doc: &mut Document) {
    let mut seats: Vec<_> = g.seats.iter().collect();
    seats.sort_by_key(|(sid, (_, seat))| (seat.since, g.seat_seen.get(*sid).copied(), **sid));
    for (sid, (cid, seat)) in seats {
        let end = g.seat_ends.get(sid);
        let mut sources = vec![link(seat.decision.id, false)];
        sources.extend(end.and_then(|(_, d)| *d).map(|d| link(d, true)));
        let words = role_words(seat.role);
        let label = match (&seat.label, &seat.on_behalf_of) {
            (Some(l), _) => format!("{words} ({l})"),
            (None, Some(UnitRef { name: Some(b), .. })) => format!("{words} — {b}"),
            _ => words.clone(),
        };
        doc.posts.push(Post {
            id: sid.to_string(),
            label,
            role: Some(words),
            reformlog_role: Some(role_code(seat.role)),
            organization_id: Some(cid.to_string()),
            start_date: Some(seat.since.to_string()),
            end_date: end.map(|(e, _)| e.to_string()),
            sources,
            max_holders: None,
            on_behalf_of_id: unit_id(&seat.on_behalf_of),
            ex_officio_post_id: seat.ex_officio.as_ref().map(|p| p.id.to_string()),
            seat_label: seat.label.clone(),
            decision_id: Some(seat.decision.id.to_string()),
            end_decision_id: end.and_then(|(_, d)| d.map(|d| d.to_string())),
            extra: Default::default(),
        });
    }
}

fn event(d: &EntitySummary) -> Option<DecisionEvent> {
    let EntityDetails::Decision {
        number,
        kind,
        issuer,
        signer,
        signed_on,
        in_force_on,
        amends,
        replaces,
        repeals,
        links,
        ..
    } = &d.details
    else {
        return None;
    };
    let ids = |v: &[DecisionRef]| v.iter().map(|x| x.id.to_string()).collect();
    let mut identifiers = vec![Identifier {
        identifier: number.clone(),
        scheme: Some(NUMBER_SCHEME.into()),
    }];
    identifiers.extend(own_id(d.id));
    Some(DecisionEvent {
        id: d.id.to_string(),
        name: d.name.clone().unwrap_or_default(),
        classification: code(kind).unwrap_or_else(|| "decision".into()),
        start_date: in_force_on.to_string(),
        organization_id: issuer.id.to_string(),
        identifiers,
        signed_on: Some(signed_on.to_string()),
        signer_id: signer.as_ref().map(|s| s.id.to_string()),
        amends: ids(amends),
        replaces: ids(replaces),
        repeals: ids(repeals),
        sources: sources_of(links).collect(),
        extra: Default::default(),
    })
}
