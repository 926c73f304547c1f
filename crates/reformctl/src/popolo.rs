//! Popolo JSON (popoloproject.com): the document reformctl exports (persons, organizations,
//! posts, memberships, plus decisions as events) and its translation back into commands.
//!
//! Popolo has no field for a few things the model needs to rebuild the same answers; those
//! travel as extra properties, which the Popolo schemas allow: on organizations `unit_id`,
//! `duties`, `decision_id`, `merged_into_id`; on posts `max_holders`, `on_behalf_of_id`,
//! `ex_officio_post_id`, `decision_id`, `end_decision_id`; on memberships `decision_id`,
//! `end_decision_id`; on events `signed_on`, `signer_id`, `amends`, `replaces`, `repeals`.
//! Committee seats are posts of the committee's organization; posts held in units (a
//! director's post) are posts of the unit, and holding one is a membership of the unit.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use reformlog::{
    Command, CommitteeId, Date, DecisionId, DecisionKind, HoldingId, MembershipId, Name, PersonId,
    PostId, Role, SeatId, SeatSpec, UnitId, UnitKind,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The classification of committee organizations.
pub(crate) const COMMITTEE: &str = "committee";
/// The URN prefix of a decision cited in `sources`.
pub const DECISION_URN: &str = "urn:reformlog:decision:";

/// A Popolo document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Document {
    #[serde(default)]
    pub persons: Vec<Person>,
    #[serde(default)]
    pub organizations: Vec<Organization>,
    #[serde(default)]
    pub posts: Vec<Post>,
    #[serde(default)]
    pub memberships: Vec<Membership>,
    /// Decisions, as Popolo events.
    #[serde(default)]
    pub events: Vec<DecisionEvent>,
}

/// A Popolo link (`sources`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A Popolo other name (a person's former names, with dates).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtherName {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
}

/// A Popolo identifier.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Identifier {
    pub identifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
}

/// A Popolo person.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    /// Every name the person has borne, with the dates it was in use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<OtherName>,
}

/// A Popolo organization: a unit or a committee.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    /// A unit kind (`ministry`, `department`, ...) or `committee`.
    pub classification: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub founding_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dissolution_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Link>,
    /// Extension: the unit that owns a committee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    /// Extension: a committee's standing duties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duties: Vec<String>,
    /// Extension: the decision that established a committee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_id: Option<String>,
    /// Extension: the unit a merged unit was merged into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into_id: Option<String>,
}

/// A Popolo post: a committee seat, or a post in a unit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Link>,
    /// Extension: how many may hold a unit's post at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_holders: Option<u16>,
    /// Extension: the unit a seat represents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of_id: Option<String>,
    /// Extension: the post whose holder holds an ex-officio seat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ex_officio_post_id: Option<String>,
    /// Extension: the seat's own label in the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat_label: Option<String>,
    /// Extension: the decision that created a seat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_id: Option<String>,
    /// Extension: the decision that ended a seat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_decision_id: Option<String>,
}

/// A Popolo membership: a person in a committee seat, or holding a unit's post.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Membership {
    pub id: String,
    pub person_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Link>,
    /// Extension: the decision that started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_id: Option<String>,
    /// Extension: the decision that ended it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_decision_id: Option<String>,
}

/// A decision as a Popolo event.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecisionEvent {
    pub id: String,
    /// The title.
    pub name: String,
    /// The decision's kind (`decision`, `decree`, `official_letter`, ...); when empty or left
    /// out, the kind its number tells (`15/2024/NĐ-CP` a decree).
    #[serde(default)]
    pub classification: String,
    /// The date in force.
    pub start_date: String,
    /// The issuing unit.
    pub organization_id: String,
    /// The number, scheme `decision-number`.
    pub identifiers: Vec<Identifier>,
    /// Extension: the signing date.
    pub signed_on: String,
    /// Extension: the signer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amends: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeals: Vec<String>,
}

/// Whether a JSON value looks like a Popolo document.
pub(crate) fn is_popolo(v: &Value) -> bool {
    ["persons", "organizations", "memberships", "posts"]
        .iter()
        .any(|k| v.get(k).is_some_and(Value::is_array))
}

/// A source link citing a decision.
pub(crate) fn decision_link(id: &str, number: Option<&str>, ended: bool) -> Link {
    Link {
        url: format!("{DECISION_URN}{id}"),
        note: number.map(|n| {
            if ended {
                format!("ended by {n}")
            } else {
                n.to_string()
            }
        }),
    }
}

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
        out.push(Command::EstablishUnit {
            unit,
            name: name(&o.name)?,
            kind: enum_of::<UnitKind>("classification", &o.classification)?,
            parent: o
                .parent_id
                .as_deref()
                .map(|p| uuid(&what, p).map(UnitId::from_uuid))
                .transpose()?,
            on: date(&format!("{what} founding_date"), o.founding_date.as_deref())?,
            decision: None,
        });
        if let Some(end) = opt_date(&what, o.dissolution_date.as_deref())? {
            unit_ends.push(match &o.merged_into_id {
                Some(into) => Command::MergeUnit {
                    unit,
                    into: UnitId::from_uuid(uuid(&what, into)?),
                    on: end,
                    decision: None,
                },
                None => Command::DissolveUnit {
                    unit,
                    on: end,
                    decision: None,
                },
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
        out.push(Command::RegisterPerson {
            person,
            name: name(first)?,
            on: first_on,
        });
        for (on, n) in names.iter().skip(1) {
            out.push(Command::RenamePerson {
                person,
                name: name(n)?,
                on: *on,
            });
        }
    }
    let mut post_ends = Vec::new();
    for p in doc.posts.iter().filter(|p| !seats.contains(p.id.as_str())) {
        let what = format!("post {}", p.id);
        let post = PostId::from_uuid(uuid(&what, &p.id)?);
        out.push(Command::CreatePost {
            post,
            title: name(&p.label)?,
            unit: p
                .organization_id
                .as_deref()
                .map(|u| uuid(&what, u).map(UnitId::from_uuid))
                .transpose()?,
            max_holders: p.max_holders.unwrap_or(1),
            on: date(&format!("{what} start_date"), p.start_date.as_deref())?,
            decision: None,
        });
        if let Some(end) = opt_date(&what, p.end_date.as_deref())? {
            post_ends.push(Command::AbolishPost {
                post,
                on: end,
                decision: None,
            });
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
        let ended_on = opt_date(&what, m.end_date.as_deref())?;
        let end_decision = m
            .end_decision_id
            .as_deref()
            .map(|d| uuid(&what, d).map(DecisionId::from_uuid))
            .transpose()?;
        out.push(Command::AppointToPost {
            post,
            holding,
            person: PersonId::from_uuid(uuid(&what, &m.person_id)?),
            from: date(&format!("{what} start_date"), m.start_date.as_deref())?,
            ended_on: if end_decision.is_some() {
                None
            } else {
                ended_on
            },
            decision: m
                .decision_id
                .as_deref()
                .map(|d| uuid(&what, d).map(DecisionId::from_uuid))
                .transpose()?,
        });
        if let (Some(e), Some(d)) = (ended_on, end_decision) {
            holding_ends.push(Command::EndPostHolding {
                post,
                holding,
                ended_on: e,
                decision: Some(d),
            });
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
        out.push(Command::RecordDecision {
            decision: DecisionId::from_uuid(uuid(&what, &e.id)?),
            number,
            kind,
            issuer: UnitId::from_uuid(uuid(&what, &e.organization_id)?),
            signer: e
                .signer_id
                .as_deref()
                .map(|s| uuid(&what, s).map(PersonId::from_uuid))
                .transpose()?,
            signed_on: date(&format!("{what} signed_on"), Some(&e.signed_on))?,
            in_force_on: date(&format!("{what} start_date"), Some(&e.start_date))?,
            title: e.name.clone(),
            amends: ids(&e.amends)?,
            replaces: ids(&e.replaces)?,
            repeals: ids(&e.repeals)?,
        });
    }
    let committee_orgs: Vec<&Organization> = doc
        .organizations
        .iter()
        .filter(|o| o.classification == COMMITTEE)
        .collect();
    for o in parents_first(committee_orgs) {
        let what = format!("organization {}", o.id);
        out.push(Command::EstablishCommittee {
            committee: CommitteeId::from_uuid(uuid(&what, &o.id)?),
            name: name(&o.name)?,
            parent: o
                .parent_id
                .as_deref()
                .map(|p| uuid(&what, p).map(CommitteeId::from_uuid))
                .transpose()?,
            unit: o
                .unit_id
                .as_deref()
                .map(|u| uuid(&what, u).map(UnitId::from_uuid))
                .transpose()?,
            on: date(&format!("{what} founding_date"), o.founding_date.as_deref())?,
            decision: decision_of(&what, o.decision_id.as_deref(), &o.sources)?,
            duties: o.duties.clone(),
        });
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
                on_behalf_of: p
                    .on_behalf_of_id
                    .as_deref()
                    .map(|u| uuid(&what, u).map(UnitId::from_uuid))
                    .transpose()?,
                ex_officio: p
                    .ex_officio_post_id
                    .as_deref()
                    .map(|x| uuid(&what, x).map(PostId::from_uuid))
                    .transpose()?,
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
            seat_ends.push(Command::AbolishSeat {
                committee,
                seat,
                ended_on: end,
                decision: DecisionId::from_uuid(uuid(&what, decision)?),
            });
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
        let ended_on = opt_date(&what, m.end_date.as_deref())?;
        let end_decision = m
            .end_decision_id
            .as_deref()
            .map(|d| uuid(&what, d).map(DecisionId::from_uuid))
            .transpose()?;
        out.push(Command::StartMembership {
            committee,
            membership,
            seat: SeatId::from_uuid(uuid(&what, seat_raw)?),
            person: PersonId::from_uuid(uuid(&what, &m.person_id)?),
            from: date(&format!("{what} start_date"), m.start_date.as_deref())?,
            ended_on: if end_decision.is_some() {
                None
            } else {
                ended_on
            },
            decision: decision_of(&what, m.decision_id.as_deref(), &m.sources)?,
        });
        if let (Some(e), Some(d)) = (ended_on, end_decision) {
            member_ends.push(Command::EndMembership {
                committee,
                membership,
                ended_on: e,
                decision: d,
            });
        }
    }
    out.extend(member_ends);
    out.extend(seat_ends);
    out.extend(holding_ends);
    out.extend(post_ends);
    out.extend(unit_ends);
    Ok(out)
}

/// What the export reads from the daemon, gathered once for Popolo and CSV.
#[derive(Debug, Default)]
pub(crate) struct Gathered {
    pub units: Vec<Value>,
    pub people: Vec<Value>,
    pub posts: Vec<Value>,
    pub committees: Vec<Value>,
    pub decisions: Vec<Value>,
    /// (person id, person name, membership record) for every committee membership.
    pub memberships: Vec<(String, String, Value)>,
    /// (person id, position record) for every post holding.
    pub positions: Vec<(String, Value)>,
    /// Seat id -> (committee id, seat as seen in a composition).
    pub seats: BTreeMap<String, (String, Value)>,
    /// Seat id -> (first date the seat was seen on, its place in that date's compositions),
    /// which keeps the order the decisions list seats in.
    pub seat_seen: HashMap<String, (String, usize)>,
    /// Seat id -> (end date, end decision id), for seats seen to end.
    pub seat_ends: BTreeMap<String, (String, Option<String>)>,
}

fn st(v: &Value, p: &str) -> Option<String> {
    v.pointer(p).and_then(Value::as_str).map(str::to_string)
}

/// Reads everything the export needs through the daemon's state routes.
pub(crate) fn gather(
    client: &crate::client::Client,
    on: &str,
    progress: &crate::progress::Progress,
) -> Result<Gathered, crate::error::Error> {
    let mut g = Gathered {
        units: client.list_all("/v1/units", Some(on), None)?,
        people: client.list_all("/v1/people", Some(on), None)?,
        posts: client.list_all("/v1/posts", Some(on), None)?,
        committees: client.list_all("/v1/committees", Some(on), None)?,
        decisions: client.list_all("/v1/decisions", Some(on), None)?,
        ..Gathered::default()
    };
    let bar = progress.bar(g.people.len() as u64 + g.committees.len() as u64, "export");
    for p in &g.people {
        let id = st(p, "/id").unwrap_or_default();
        let name = st(p, "/name").unwrap_or_default();
        let h = client.get(&format!("/v1/people/{id}/history"), &[])?;
        for m in h
            .pointer("/answer/memberships")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            g.memberships.push((id.clone(), name.clone(), m.clone()));
        }
        for pos in h
            .pointer("/answer/positions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            g.positions.push((id.clone(), pos.clone()));
        }
        bar.inc(1);
    }
    // Seats are read from compositions on every date a membership in the committee starts or
    // ends, which finds every seat that was ever held, and sees the ones that ended.
    let parent_of: HashMap<String, Option<String>> = g
        .committees
        .iter()
        .map(|c| {
            (
                st(c, "/id").unwrap_or_default(),
                st(c, "/details/committee/parent/id"),
            )
        })
        .collect();
    let top_of = |mut c: String| {
        for _ in 0..16 {
            match parent_of.get(&c).cloned().flatten() {
                Some(p) => c = p,
                None => break,
            }
        }
        c
    };
    for c in &g.committees {
        let id = st(c, "/id").unwrap_or_default();
        bar.inc(1);
        if parent_of.get(&id).cloned().flatten().is_some() {
            continue;
        }
        let mut dates: BTreeSet<String> = st(c, "/since").into_iter().collect();
        let mut last_end: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
        for (_, _, m) in &g.memberships {
            if top_of(st(m, "/committee").unwrap_or_default()) != id {
                continue;
            }
            dates.extend(st(m, "/from"));
            dates.extend(st(m, "/ended_on"));
        }
        let mut open_seats: HashSet<String> = HashSet::new();
        for m in g
            .memberships
            .iter()
            .map(|(_, _, m)| m)
            .filter(|m| top_of(st(m, "/committee").unwrap_or_default()) == id)
        {
            let seat = st(m, "/seat").unwrap_or_default();
            match st(m, "/ended_on") {
                None => {
                    open_seats.insert(seat);
                }
                Some(e) => {
                    let end = (e, st(m, "/end_decision/id"));
                    let entry = last_end.entry(seat).or_insert_with(|| end.clone());
                    if end.0 > entry.0 {
                        *entry = end;
                    }
                }
            }
        }
        let mut present: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for d in &dates {
            let mut place = 0usize;
            let v = client.get(
                &format!("/v1/committees/{id}/composition"),
                &[("on", Some(d))],
            )?;
            let mut stack: Vec<&Value> = v.get("answer").into_iter().collect();
            while let Some(comp) = stack.pop() {
                let cid = st(comp, "/committee").unwrap_or_default();
                for seat in comp
                    .get("seats")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let sid = st(seat, "/seat").unwrap_or_default();
                    present.entry(d.clone()).or_default().insert(sid.clone());
                    g.seat_seen
                        .entry(sid.clone())
                        .or_insert_with(|| (d.clone(), place));
                    place += 1;
                    g.seats
                        .entry(sid)
                        .or_insert_with(|| (cid.clone(), seat.clone()));
                }
                stack.extend(
                    comp.get("sub_bodies")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten(),
                );
            }
        }
        for (seat, (end, decision)) in last_end {
            let gone = present.get(&end).is_some_and(|s| !s.contains(&seat));
            if gone && !open_seats.contains(&seat) {
                g.seat_ends.insert(seat, (end, decision));
            }
        }
    }
    bar.finish();
    Ok(g)
}

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
        let mut text = crate::show::role_label(&role).to_string();
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
            Some(Command::RecordDecision { kind, .. }) => Ok(kind),
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
