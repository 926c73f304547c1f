//! A Popolo document translated into the commands that record it, in an order that satisfies
//! every reference: units and people, decisions, posts, committees and seats, holdings and
//! memberships, then everything that ends.

use std::collections::{HashMap, HashSet};

use reformlog::{
    Command, CommitteeCharter, CommitteeId, Date, DecisionId, DecisionKind, DecisionRecord,
    HoldingId, MembershipEnd, MembershipId, MembershipStart, Name, PersonId, PersonName,
    PostAbolition, PostAppointment, PostCreation, PostDeparture, PostId, Role, SeatAbolition,
    SeatId, SeatSpec, UnitDissolution, UnitEstablishment, UnitId, UnitKind, UnitMerger,
};
use serde_json::Value;
use uuid::Uuid;

use super::{
    DecisionEvent, Document, Link, Membership, Organization, Post, COMMITTEE, DECISION_URN,
};

fn uuid(what: &str, s: &str) -> Result<Uuid, String> {
    Uuid::parse_str(s).map_err(|_| format!("{what} id {s:?} is not a UUID"))
}

fn date(what: &str, s: Option<&str>) -> Result<Date, String> {
    let s = s.ok_or_else(|| format!("{what} has no date"))?;
    s.parse()
        .map_err(|e| format!("{what}: a full date YYYY-MM-DD is needed ({e})"))
}

fn opt_date(what: &str, s: Option<&str>) -> Result<Option<Date>, String> {
    s.map(|x| date(what, Some(x))).transpose()
}

/// The id an optional field gives, as a `T`.
fn opt_id<T>(what: &str, s: Option<&str>, id: fn(Uuid) -> T) -> Result<Option<T>, String> {
    s.map(|x| uuid(what, x).map(id)).transpose()
}

/// How a membership ends: the date its start records, and the date and decision of a
/// separate end command.
type Ending = (Option<Date>, Option<(Date, DecisionId)>);

/// How a membership (in a seat, or holding a post) ends: the date its start records when no
/// decision ends it, else the date and the decision of a separate end command.
fn ending(what: &str, m: &Membership) -> Result<Ending, String> {
    let ended_on = opt_date(what, m.end_date.as_deref())?;
    let end_decision = opt_id(what, m.end_decision_id.as_deref(), DecisionId::from_uuid)?;
    Ok(match (ended_on, end_decision) {
        (ended_on, None) => (ended_on, None),
        (Some(e), Some(d)) => (None, Some((e, d))),
        (None, Some(_)) => (None, None),
    })
}

fn enum_of<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, String> {
    serde_json::from_value(Value::String(s.to_string()))
        .map_err(|_| format!("{what} {s:?} is not one reformlog knows"))
}

fn name(s: &str) -> Result<Name, String> {
    Name::new(s).map_err(|e| e.to_string())
}

fn decision_of(what: &str, id: Option<&str>, sources: &[Link]) -> Result<DecisionId, String> {
    let raw = id
        .map(str::to_string)
        .or_else(|| {
            sources
                .iter()
                .find(|l| {
                    l.url.starts_with(DECISION_URN)
                        && !l.note.as_deref().unwrap_or("").starts_with("ended by")
                })
                .map(|l| l.url.trim_start_matches(DECISION_URN).to_string())
        })
        .ok_or_else(|| {
            format!("{what} cites no decision (decision_id or a {DECISION_URN} source)")
        })?;
    Ok(DecisionId::from_uuid(uuid(what, &raw)?))
}

/// Parents before children.
fn parents_first(orgs: Vec<&Organization>) -> Vec<&Organization> {
    let ids: HashSet<&str> = orgs.iter().map(|o| o.id.as_str()).collect();
    let mut done: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    let mut pending = orgs;
    while !pending.is_empty() {
        let before = pending.len();
        let (ready, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|o| {
            o.parent_id
                .as_deref()
                .is_none_or(|p| done.contains(p) || !ids.contains(p))
        });
        for o in &ready {
            done.insert(o.id.as_str());
        }
        out.extend(ready);
        if rest.len() == before {
            // A cycle: keep the input order and let validation name the problem.
            out.extend(rest);
            break;
        }
        pending = rest;
    }
    out
}

/// The commands that record the document, in an order that satisfies every reference.
pub(crate) fn to_commands(doc: &Document) -> Result<Vec<Command>, String> {
    let committees: HashSet<&str> = doc
        .organizations
        .iter()
        .filter(|o| o.classification == COMMITTEE)
        .map(|o| o.id.as_str())
        .collect();
    let seats: HashSet<&str> = doc
        .posts
        .iter()
        .filter(|p| {
            p.organization_id
                .as_deref()
                .is_some_and(|o| committees.contains(o))
        })
        .map(|p| p.id.as_str())
        .collect();
    let mut out = Vec::new();
    let mut unit_ends = Vec::new();
    let units: Vec<&Organization> = doc
        .organizations
        .iter()
        .filter(|o| o.classification != COMMITTEE)
        .collect();
    for o in parents_first(units) {
        let what = format!("organization {}", o.id);
        let unit = UnitId::from_uuid(uuid(&what, &o.id)?);
        out.push(Command::EstablishUnit(UnitEstablishment {
            unit,
            name: name(&o.name)?,
            kind: enum_of::<UnitKind>("classification", &o.classification)?,
            parent: opt_id(&what, o.parent_id.as_deref(), UnitId::from_uuid)?,
            on: date(&format!("{what} founding_date"), o.founding_date.as_deref())?,
            decision: None,
        }));
        if let Some(end) = opt_date(&what, o.dissolution_date.as_deref())? {
            unit_ends.push(match &o.merged_into_id {
                Some(into) => Command::MergeUnit(UnitMerger {
                    unit,
                    into: UnitId::from_uuid(uuid(&what, into)?),
                    on: end,
                    decision: None,
                }),
                None => Command::DissolveUnit(UnitDissolution {
                    unit,
                    on: end,
                    decision: None,
                }),
            });
        }
    }
    for p in &doc.persons {
        let what = format!("person {}", p.id);
        let person = PersonId::from_uuid(uuid(&what, &p.id)?);
        let mut names: Vec<(Date, &str)> = p
            .other_names
            .iter()
            .map(|n| {
                Ok((
                    date(
                        &format!("{what} other_names start_date"),
                        n.start_date.as_deref(),
                    )?,
                    n.name.as_str(),
                ))
            })
            .collect::<Result<_, String>>()?;
        names.sort_by_key(|(d, _)| *d);
        let Some((first_on, first)) = names.first().copied() else {
            return Err(format!(
                "{what} needs other_names with start_date (the date the person is recorded from)"
            ));
        };
        out.push(Command::RegisterPerson(PersonName {
            person,
            name: name(first)?,
            on: first_on,
        }));
        for (on, n) in names.iter().skip(1) {
            out.push(Command::RenamePerson(PersonName {
                person,
                name: name(n)?,
                on: *on,
            }));
        }
    }
    let mut post_ends = Vec::new();
    for p in doc.posts.iter().filter(|p| !seats.contains(p.id.as_str())) {
        let what = format!("post {}", p.id);
        let post = PostId::from_uuid(uuid(&what, &p.id)?);
        out.push(Command::CreatePost(PostCreation {
            post,
            title: name(&p.label)?,
            unit: opt_id(&what, p.organization_id.as_deref(), UnitId::from_uuid)?,
            max_holders: p.max_holders.unwrap_or(1),
            on: date(&format!("{what} start_date"), p.start_date.as_deref())?,
            decision: None,
        }));
        if let Some(end) = opt_date(&what, p.end_date.as_deref())? {
            post_ends.push(Command::AbolishPost(PostAbolition {
                post,
                on: end,
                decision: None,
            }));
        }
    }
    let mut holding_ends = Vec::new();
    let post_ids: HashSet<&str> = doc.posts.iter().map(|p| p.id.as_str()).collect();
    for m in doc.memberships.iter().filter(|m| {
        m.post_id
            .as_deref()
            .is_some_and(|p| !seats.contains(p) && post_ids.contains(p))
    }) {
        let what = format!("membership {}", m.id);
        let post = PostId::from_uuid(uuid(&what, m.post_id.as_deref().unwrap_or_default())?);
        let holding = HoldingId::from_uuid(uuid(&what, &m.id)?);
        let (ended_on, end) = ending(&what, m)?;
        out.push(Command::AppointToPost(PostAppointment {
            post,
            holding,
            person: PersonId::from_uuid(uuid(&what, &m.person_id)?),
            from: date(&format!("{what} start_date"), m.start_date.as_deref())?,
            ended_on,
            decision: opt_id(&what, m.decision_id.as_deref(), DecisionId::from_uuid)?,
        }));
        if let Some((e, d)) = end {
            holding_ends.push(Command::EndPostHolding(PostDeparture {
                post,
                holding,
                ended_on: e,
                decision: Some(d),
            }));
        }
    }
    let mut events: Vec<&DecisionEvent> = doc.events.iter().collect();
    events.sort_by(|a, b| {
        (&a.start_date, &a.signed_on, &a.id).cmp(&(&b.start_date, &b.signed_on, &b.id))
    });
    for e in events {
        let what = format!("event {}", e.id);
        let ids = |v: &[String]| -> Result<Vec<DecisionId>, String> {
            v.iter()
                .map(|x| uuid(&what, x).map(DecisionId::from_uuid))
                .collect()
        };
        let number = e
            .identifiers
            .iter()
            .find(|i| i.scheme.as_deref() == Some("decision-number"))
            .or(e.identifiers.first())
            .map(|i| i.identifier.clone())
            .ok_or_else(|| format!("{what} has no identifier with its number"))?;
        let kind = if e.classification.trim().is_empty() {
            DecisionKind::from_number(&number).ok_or_else(|| {
                format!(
                    "{what}: the kind of decision {number:?} cannot be told from its number; \
                     give its classification"
                )
            })?
        } else {
            enum_of::<DecisionKind>("classification", &e.classification)?
        };
        out.push(Command::RecordDecision(DecisionRecord {
            decision: DecisionId::from_uuid(uuid(&what, &e.id)?),
            number,
            kind,
            issuer: UnitId::from_uuid(uuid(&what, &e.organization_id)?),
            signer: opt_id(&what, e.signer_id.as_deref(), PersonId::from_uuid)?,
            signed_on: date(&format!("{what} signed_on"), Some(&e.signed_on))?,
            in_force_on: date(&format!("{what} start_date"), Some(&e.start_date))?,
            title: e.name.clone(),
            amends: ids(&e.amends)?,
            replaces: ids(&e.replaces)?,
            repeals: ids(&e.repeals)?,
        }));
    }
    let committee_orgs: Vec<&Organization> = doc
        .organizations
        .iter()
        .filter(|o| o.classification == COMMITTEE)
        .collect();
    for o in parents_first(committee_orgs) {
        let what = format!("organization {}", o.id);
        out.push(Command::EstablishCommittee(CommitteeCharter {
            committee: CommitteeId::from_uuid(uuid(&what, &o.id)?),
            name: name(&o.name)?,
            parent: opt_id(&what, o.parent_id.as_deref(), CommitteeId::from_uuid)?,
            unit: opt_id(&what, o.unit_id.as_deref(), UnitId::from_uuid)?,
            on: date(&format!("{what} founding_date"), o.founding_date.as_deref())?,
            decision: decision_of(&what, o.decision_id.as_deref(), &o.sources)?,
            duties: o.duties.clone(),
        }));
    }
    let mut seat_posts: Vec<&Post> = doc
        .posts
        .iter()
        .filter(|p| seats.contains(p.id.as_str()))
        .collect();
    // By start date, and in the document's order within a date (a stable sort): the order
    // the exporting daemon listed them in, which compositions keep.
    seat_posts.sort_by(|a, b| a.start_date.cmp(&b.start_date));
    let mut seat_ends = Vec::new();
    let mut seat_committee: HashMap<&str, CommitteeId> = HashMap::new();
    for p in seat_posts {
        let what = format!("post {}", p.id);
        let committee = CommitteeId::from_uuid(uuid(
            &what,
            p.organization_id.as_deref().unwrap_or_default(),
        )?);
        let seat = SeatId::from_uuid(uuid(&what, &p.id)?);
        seat_committee.insert(p.id.as_str(), committee);
        out.push(Command::CreateSeat {
            committee,
            spec: SeatSpec {
                seat,
                role: enum_of::<Role>("role", p.role.as_deref().unwrap_or("member"))?,
                on_behalf_of: opt_id(&what, p.on_behalf_of_id.as_deref(), UnitId::from_uuid)?,
                ex_officio: opt_id(&what, p.ex_officio_post_id.as_deref(), PostId::from_uuid)?,
                label: p.seat_label.clone(),
                holder: None,
            },
            on: date(&format!("{what} start_date"), p.start_date.as_deref())?,
            decision: decision_of(&what, p.decision_id.as_deref(), &p.sources)?,
        });
        if let Some(end) = opt_date(&what, p.end_date.as_deref())? {
            let decision = p
                .end_decision_id
                .as_deref()
                .ok_or_else(|| format!("{what} has an end_date but no end_decision_id"))?;
            seat_ends.push(Command::AbolishSeat(SeatAbolition {
                committee,
                seat,
                ended_on: end,
                decision: DecisionId::from_uuid(uuid(&what, decision)?),
            }));
        }
    }
    let mut starts: Vec<&Membership> = doc
        .memberships
        .iter()
        .filter(|m| m.post_id.as_deref().is_some_and(|p| seats.contains(p)))
        .collect();
    starts.sort_by(|a, b| (&a.start_date, &a.id).cmp(&(&b.start_date, &b.id)));
    let mut member_ends = Vec::new();
    for m in starts {
        let what = format!("membership {}", m.id);
        let seat_raw = m.post_id.as_deref().unwrap_or_default();
        let committee = seat_committee
            .get(seat_raw)
            .copied()
            .ok_or_else(|| format!("{what} names an unknown seat"))?;
        let membership = MembershipId::from_uuid(uuid(&what, &m.id)?);
        let (ended_on, end) = ending(&what, m)?;
        out.push(Command::StartMembership(MembershipStart {
            committee,
            membership,
            seat: SeatId::from_uuid(uuid(&what, seat_raw)?),
            person: PersonId::from_uuid(uuid(&what, &m.person_id)?),
            from: date(&format!("{what} start_date"), m.start_date.as_deref())?,
            ended_on,
            decision: decision_of(&what, m.decision_id.as_deref(), &m.sources)?,
        }));
        if let Some((e, d)) = end {
            member_ends.push(Command::EndMembership(MembershipEnd {
                committee,
                membership,
                ended_on: e,
                decision: d,
            }));
        }
    }
    out.extend(member_ends);
    out.extend(seat_ends);
    out.extend(holding_ends);
    out.extend(post_ends);
    out.extend(unit_ends);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A document with one decision event of `number` and `classification` (left out when
    /// `None`).
    fn with_decision(number: &str, classification: Option<&str>) -> Document {
        let mut event = serde_json::json!({
            "id": uuid::Uuid::nil().to_string(), "name": "(Giả định) Văn bản kiểm thử",
            "start_date": "2024-03-01", "organization_id": uuid::Uuid::nil().to_string(),
            "identifiers": [{ "identifier": number, "scheme": "decision-number" }],
            "signed_on": "2024-03-02"
        });
        if let Some(c) = classification {
            event["classification"] = c.into();
        }
        serde_json::from_value(serde_json::json!({ "events": [event] })).unwrap()
    }

    fn kind(doc: &Document) -> Result<DecisionKind, String> {
        match to_commands(doc)?.into_iter().next() {
            Some(Command::RecordDecision(DecisionRecord { kind, .. })) => Ok(kind),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_decision_event_without_classification_takes_the_kind_its_number_tells() {
        assert_eq!(
            kind(&with_decision("15/2024/NĐ-CP", None)),
            Ok(DecisionKind::Decree)
        );
        assert_eq!(
            kind(&with_decision("567/BTTTT-TCCB", Some(""))),
            Ok(DecisionKind::OfficialLetter)
        );
        assert_eq!(
            kind(&with_decision("15/2024/NĐ-CP", Some("resolution"))),
            Ok(DecisionKind::Resolution)
        );
        let e = kind(&with_decision("HYPOTHETICAL", None)).unwrap_err();
        assert!(e.contains("classification"), "{e}");
    }
}
