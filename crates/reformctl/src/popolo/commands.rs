//! A Popolo document translated into the commands that record it, in an order that satisfies
//! every reference: units and people, posts and their holdings, decisions, then committees,
//! seats and memberships (`seats`), then everything that ends.

use std::collections::{HashMap, HashSet};

use reformlog::{
    Command, Date, DecisionId, DecisionKind, DecisionRecord, HoldingId, Name, PersonId, PersonName,
    PostAbolition, PostAppointment, PostCreation, PostDeparture, PostId, UnitDissolution,
    UnitEstablishment, UnitId, UnitKind, UnitMerger,
};
use serde_json::Value;
use uuid::Uuid;

use super::error::PopoloError;
use super::ids::{membership_key, Ids, Kind};
use super::{DecisionEvent, Document, Membership, Organization, COMMITTEE, NUMBER_SCHEME};

/// The commands a document translates into, and what it carries that is not kept.
#[derive(Debug)]
pub(crate) struct Translated {
    pub commands: Vec<Command>,
    pub notes: Vec<String>,
}

pub(super) fn date(what: &str, s: Option<&str>) -> Result<Date, PopoloError> {
    let s = s.ok_or_else(|| PopoloError::invalid(what, "has no date"))?;
    s.parse()
        .map_err(|e| PopoloError::invalid(what, format!("a full date YYYY-MM-DD is needed ({e})")))
}

pub(super) fn opt_date(what: &str, s: Option<&str>) -> Result<Option<Date>, PopoloError> {
    s.map(|x| date(what, Some(x))).transpose()
}

fn enum_of<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, PopoloError> {
    serde_json::from_value(Value::String(s.to_string()))
        .map_err(|_| PopoloError::invalid(what, format!("{s:?} is not one reformlog knows")))
}

pub(super) fn name(what: &str, s: &str) -> Result<Name, PopoloError> {
    Name::new(s).map_err(|e| PopoloError::invalid(what, e))
}

/// How a membership ends: the date its start records when no decision ends it, else the
/// date and the decision of a separate end command.
pub(super) type Ending = (Option<Date>, Option<(Date, DecisionId)>);

pub(super) fn ending(ids: &Ids, what: &str, m: &Membership) -> Result<Ending, PopoloError> {
    let ended_on = opt_date(&format!("{what} end_date"), m.end_date.as_deref())?;
    let end_decision = ids.end_cited(what, m.end_decision_id.as_deref())?;
    Ok(match (ended_on, end_decision) {
        (ended_on, None) => (ended_on, None),
        (Some(e), Some(d)) => (None, Some((e, d))),
        (None, Some(_)) => {
            return Err(PopoloError::invalid(
                what,
                "has an end_decision_id but no end_date: give the date it ended",
            ))
        }
    })
}

/// Parents before children.
pub(super) fn parents_first(orgs: Vec<&Organization>) -> Vec<&Organization> {
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

/// What the translation has decided so far: the commands, and the ends, which go last.
#[derive(Default)]
pub(super) struct Out {
    pub now: Vec<Command>,
    pub member_ends: Vec<Command>,
    pub seat_ends: Vec<Command>,
    pub holding_ends: Vec<Command>,
    pub post_ends: Vec<Command>,
    pub unit_ends: Vec<Command>,
}

/// The commands that record the document, in an order that satisfies every reference, with
/// `cite` (an event of the file by id or number) for records that need a decision and cite
/// none.
pub(crate) fn to_commands(doc: &Document, cite: Option<&str>) -> Result<Translated, PopoloError> {
    let ids = Ids::new(doc, cite)?;
    let committees: HashSet<&str> = doc
        .organizations
        .iter()
        .filter(|o| o.classification.as_deref() == Some(COMMITTEE))
        .map(|o| o.id.as_str())
        .collect();
    let mut out = Out::default();
    units(doc, &ids, &mut out)?;
    people(doc, &ids, &mut out)?;
    let unit_posts = posts(doc, &ids, &committees, &mut out)?;
    holdings(doc, &ids, &unit_posts, &mut out)?;
    decisions(doc, &ids, &mut out)?;
    let links = super::links::link_commands(doc, &ids)?;
    out.now.extend(links.commands);
    super::seats::committees(doc, &ids, &committees, &mut out)?;
    let mut commands = out.now;
    commands.extend(out.member_ends);
    commands.extend(out.seat_ends);
    commands.extend(out.holding_ends);
    commands.extend(out.post_ends);
    commands.extend(out.unit_ends);
    Ok(Translated {
        commands,
        notes: super::extra::not_kept(doc, &links.unplaced),
    })
}

fn units(doc: &Document, ids: &Ids, out: &mut Out) -> Result<(), PopoloError> {
    let units: Vec<&Organization> = doc
        .organizations
        .iter()
        .filter(|o| o.classification.as_deref() != Some(COMMITTEE))
        .collect();
    for o in parents_first(units) {
        let what = format!("organization {}", o.id);
        let unit = UnitId::from_uuid(ids.own(Kind::Organization, &o.id));
        // Optional in Popolo, but nothing else tells a unit from a committee or its kind.
        let classification = o.classification.as_deref().ok_or_else(|| {
            PopoloError::invalid(
                &what,
                "has no classification: give a unit kind (ministry, department, ...) or \
                 committee",
            )
        })?;
        let org = |field, raw: Option<&str>| {
            ids.to_opt(Kind::Organization, &what, field, raw, UnitId::from_uuid)
        };
        out.now.push(Command::EstablishUnit(UnitEstablishment {
            unit,
            name: name(&what, &o.name)?,
            kind: enum_of::<UnitKind>(&format!("{what} classification"), classification)?,
            parent: org("parent_id", o.parent_id.as_deref())?,
            on: date(&format!("{what} founding_date"), o.founding_date.as_deref())?,
            decision: None,
        }));
        if let Some(end) = opt_date(&what, o.dissolution_date.as_deref())? {
            out.unit_ends
                .push(match org("merged_into_id", o.merged_into_id.as_deref())? {
                    Some(into) => Command::MergeUnit(UnitMerger {
                        unit,
                        into,
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
    Ok(())
}

fn people(doc: &Document, ids: &Ids, out: &mut Out) -> Result<(), PopoloError> {
    // A person whose names carry no dates is recorded from the first day the file seats them,
    // however the membership names them (by `id` or by their reformlog identifier); a
    // reference that names no one is refused where the membership is translated.
    let mut first_seen: HashMap<Uuid, Date> = HashMap::new();
    for m in &doc.memberships {
        let person = ids.to(Kind::Person, "", "person_id", &m.person_id);
        if let (Ok(person), Ok(Some(from))) = (person, opt_date("", m.start_date.as_deref())) {
            let e = first_seen.entry(person).or_insert(from);
            *e = (*e).min(from);
        }
    }
    for p in &doc.persons {
        let what = format!("person {}", p.id);
        let uuid = ids.own(Kind::Person, &p.id);
        let person = PersonId::from_uuid(uuid);
        let mut names: Vec<(Date, &str, Option<&str>)> = p
            .other_names
            .iter()
            .filter(|n| n.start_date.is_some())
            .map(|n| {
                let on = date(
                    &format!("{what} other_names start_date"),
                    n.start_date.as_deref(),
                );
                on.map(|on| (on, n.name.as_str(), n.end_date.as_deref()))
            })
            .collect::<Result<_, _>>()?;
        names.sort_by_key(|(d, _, _)| *d);
        if names.is_empty() {
            let on = first_seen.get(&uuid).copied().ok_or_else(|| {
                PopoloError::invalid(
                    &what,
                    "has no date to be recorded from: give other_names with a start_date, \
                     or a membership with one",
                )
            })?;
            names.push((on, p.name.as_str(), None));
        } else if !names.iter().any(|(_, n, _)| *n == p.name) {
            // Dated other names are the names a person bore before; `name` is the one borne
            // now, taken the day the latest of them ends (reformlog writes a name's end_date
            // as the day the next one begins).
            let ended = names.last().and_then(|(_, _, end)| *end).ok_or_else(|| {
                PopoloError::invalid(
                    &what,
                    format!(
                        "its name {:?} is not among its dated other_names and the latest of \
                         them has no end_date: give the date it was taken",
                        p.name
                    ),
                )
            })?;
            let on = date(&format!("{what} other_names end_date"), Some(ended))?;
            names.push((on, p.name.as_str(), None));
        }
        for (i, (on, n, _)) in names.iter().enumerate() {
            let change = PersonName {
                person,
                name: name(&what, n)?,
                on: *on,
            };
            out.now.push(match i {
                0 => Command::RegisterPerson(change),
                _ => Command::RenamePerson(change),
            });
        }
    }
    Ok(())
}

/// The posts of units (every post not of a committee), recorded; their raw ids.
fn posts<'d>(
    doc: &'d Document,
    ids: &Ids,
    committees: &HashSet<&str>,
    out: &mut Out,
) -> Result<HashSet<&'d str>, PopoloError> {
    let mut unit_posts = HashSet::new();
    for p in &doc.posts {
        if p.organization_id
            .as_deref()
            .is_some_and(|o| committees.contains(o))
        {
            continue;
        }
        unit_posts.insert(p.id.as_str());
        let what = format!("post {}", p.id);
        let post = PostId::from_uuid(ids.own(Kind::Post, &p.id));
        out.now.push(Command::CreatePost(PostCreation {
            post,
            title: name(&what, &p.label)?,
            unit: ids.to_opt(
                Kind::Organization,
                &what,
                "organization_id",
                p.organization_id.as_deref(),
                UnitId::from_uuid,
            )?,
            max_holders: p.max_holders.unwrap_or(1),
            on: date(&format!("{what} start_date"), p.start_date.as_deref())?,
            decision: None,
        }));
        if let Some(end) = opt_date(&what, p.end_date.as_deref())? {
            out.post_ends.push(Command::AbolishPost(PostAbolition {
                post,
                on: end,
                decision: None,
            }));
        }
    }
    Ok(unit_posts)
}

/// Memberships that hold a unit's post.
fn holdings(
    doc: &Document,
    ids: &Ids,
    unit_posts: &HashSet<&str>,
    out: &mut Out,
) -> Result<(), PopoloError> {
    for m in doc
        .memberships
        .iter()
        .filter(|m| m.post_id.as_deref().is_some_and(|p| unit_posts.contains(p)))
    {
        let key = membership_key(m);
        let what = format!("membership {key}");
        let post = PostId::from_uuid(ids.own(Kind::Post, m.post_id.as_deref().unwrap_or("")));
        let holding = HoldingId::from_uuid(ids.own(Kind::Membership, &key));
        let (ended_on, end) = ending(ids, &what, m)?;
        out.now.push(Command::AppointToPost(PostAppointment {
            post,
            holding,
            person: PersonId::from_uuid(ids.to(Kind::Person, &what, "person_id", &m.person_id)?),
            from: date(&format!("{what} start_date"), m.start_date.as_deref())?,
            ended_on,
            decision: ids.cited(&what, m.decision_id.as_deref(), &m.sources)?,
        }));
        if let Some((e, d)) = end {
            out.holding_ends
                .push(Command::EndPostHolding(PostDeparture {
                    post,
                    holding,
                    ended_on: e,
                    decision: Some(d),
                }));
        }
    }
    Ok(())
}

fn decisions(doc: &Document, ids: &Ids, out: &mut Out) -> Result<(), PopoloError> {
    let mut events: Vec<&DecisionEvent> = doc.events.iter().collect();
    events.sort_by(|a, b| {
        (&a.start_date, &a.signed_on, &a.id).cmp(&(&b.start_date, &b.signed_on, &b.id))
    });
    for e in events {
        let what = format!("event {}", e.id);
        let refs = |field: &'static str, v: &[String]| -> Result<Vec<DecisionId>, PopoloError> {
            v.iter()
                .map(|x| {
                    ids.to(Kind::Event, &what, field, x)
                        .map(DecisionId::from_uuid)
                })
                .collect()
        };
        let number = e
            .identifiers
            .iter()
            .find(|i| i.scheme.as_deref() == Some(NUMBER_SCHEME))
            .or_else(|| e.identifiers.iter().find(|i| i.scheme.is_none()))
            .map(|i| i.identifier.clone())
            .ok_or_else(|| {
                PopoloError::invalid(
                    &what,
                    format!("has no identifier of scheme {NUMBER_SCHEME:?} with its number"),
                )
            })?;
        let kind = if e.classification.trim().is_empty() {
            DecisionKind::from_number(&number).ok_or_else(|| {
                PopoloError::invalid(
                    &what,
                    format!(
                        "the kind of decision {number:?} cannot be told from its number; \
                         give its classification"
                    ),
                )
            })?
        } else {
            enum_of::<DecisionKind>(&format!("{what} classification"), &e.classification)?
        };
        let in_force_on = date(&format!("{what} start_date"), Some(&e.start_date))?;
        out.now.push(Command::RecordDecision(DecisionRecord {
            decision: DecisionId::from_uuid(ids.own(Kind::Event, &e.id)),
            number,
            kind,
            issuer: UnitId::from_uuid(ids.to(
                Kind::Organization,
                &what,
                "organization_id",
                &e.organization_id,
            )?),
            signer: ids.to_opt(
                Kind::Person,
                &what,
                "signer_id",
                e.signer_id.as_deref(),
                PersonId::from_uuid,
            )?,
            // A file that gives only the date in force is taken as signed that day.
            signed_on: opt_date(&format!("{what} signed_on"), e.signed_on.as_deref())?
                .unwrap_or(in_force_on),
            in_force_on,
            title: e.name.clone(),
            amends: refs("amends", &e.amends)?,
            replaces: refs("replaces", &e.replaces)?,
            repeals: refs("repeals", &e.repeals)?,
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A document with one decision event of `number` and `classification` (left out when
    /// `None`).
    fn with_decision(number: &str, classification: Option<&str>) -> Document {
        let event = serde_json::json!({
            "id": uuid::Uuid::nil().to_string(), "name": "(Giả định) Văn bản kiểm thử",
            "start_date": "2024-03-01", "organization_id": uuid::Uuid::nil().to_string(),
            "identifiers": [{ "identifier": number, "scheme": "decision-number" }],
            "signed_on": "2024-03-02"
        });
        let mut doc: Document =
            serde_json::from_value(serde_json::json!({ "events": [event] })).unwrap();
        if let (Some(c), Some(e)) = (classification, doc.events.first_mut()) {
            e.classification = c.to_string();
        }
        doc
    }

    fn kind(doc: &Document) -> Result<DecisionKind, PopoloError> {
        match to_commands(doc, None)?.commands.into_iter().next() {
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
        assert!(e.to_string().contains("classification"), "{e}");
    }
}
