//! Committees, their seats and the memberships of those seats, translated into commands: a
//! seat is a post of a committee organization, and a membership of a committee that names no
//! post is given a seat of its own.

use std::collections::{HashMap, HashSet};

use reformlog::{
    Command, CommitteeCharter, CommitteeId, MembershipEnd, MembershipId, MembershipStart, PersonId,
    PostId, Role, SeatAbolition, SeatId, SeatSpec, UnitId,
};

use super::commands::{date, ending, name, opt_date, parents_first, Out};
use super::error::PopoloError;
use super::ids::{membership_key, Ids, Kind};
use super::vocab::role_of;
use super::{Document, Membership, Organization, Post, COMMITTEE};

/// A seat's role: its `reformlog_role`, else its `role` read as words, else a member.
fn role(what: &str, code: Option<&str>, words: Option<&str>) -> Result<Role, PopoloError> {
    match code.or(words) {
        None => Ok(Role::Member),
        Some(text) => role_of(text).ok_or_else(|| {
            PopoloError::invalid(
                what,
                format!("role {text:?} is not a committee role reformlog knows"),
            )
        }),
    }
}

/// Committees, parents first; then their seats and memberships.
pub(super) fn committees(
    doc: &Document,
    ids: &Ids,
    committees: &HashSet<&str>,
    out: &mut Out,
) -> Result<(), PopoloError> {
    let orgs: Vec<&Organization> = doc
        .organizations
        .iter()
        .filter(|o| o.classification.as_deref() == Some(COMMITTEE))
        .collect();
    for o in parents_first(orgs) {
        let what = format!("organization {}", o.id);
        out.now.push(Command::EstablishCommittee(CommitteeCharter {
            committee: CommitteeId::from_uuid(ids.own(Kind::Organization, &o.id)),
            name: name(&what, &o.name)?,
            parent: ids.to_opt(
                Kind::Organization,
                &what,
                "parent_id",
                o.parent_id.as_deref(),
                CommitteeId::from_uuid,
            )?,
            unit: ids.to_opt(
                Kind::Organization,
                &what,
                "unit_id",
                o.unit_id.as_deref(),
                UnitId::from_uuid,
            )?,
            on: date(&format!("{what} founding_date"), o.founding_date.as_deref())?,
            decision: ids.decision(&what, o.decision_id.as_deref(), &o.sources)?,
            duties: o.duties.clone(),
        }));
    }
    let mut seat_posts: Vec<&Post> = doc
        .posts
        .iter()
        .filter(|p| {
            p.organization_id
                .as_deref()
                .is_some_and(|o| committees.contains(o))
        })
        .collect();
    // By start date, and in the document's order within a date (a stable sort): the order
    // the exporting daemon listed them in, which compositions keep.
    seat_posts.sort_by(|a, b| a.start_date.cmp(&b.start_date));
    let mut seat_committee: HashMap<&str, CommitteeId> = HashMap::new();
    for p in seat_posts {
        let what = format!("post {}", p.id);
        let committee = CommitteeId::from_uuid(ids.own(
            Kind::Organization,
            p.organization_id.as_deref().unwrap_or_default(),
        ));
        let seat = SeatId::from_uuid(ids.own(Kind::Post, &p.id));
        seat_committee.insert(p.id.as_str(), committee);
        out.now.push(Command::CreateSeat {
            committee,
            spec: SeatSpec {
                seat,
                role: role(&what, p.reformlog_role.as_deref(), p.role.as_deref())?,
                on_behalf_of: ids.to_opt(
                    Kind::Organization,
                    &what,
                    "on_behalf_of_id",
                    p.on_behalf_of_id.as_deref(),
                    UnitId::from_uuid,
                )?,
                ex_officio: ids.to_opt(
                    Kind::Post,
                    &what,
                    "ex_officio_post_id",
                    p.ex_officio_post_id.as_deref(),
                    PostId::from_uuid,
                )?,
                label: p.seat_label.clone(),
                holder: None,
            },
            on: date(&format!("{what} start_date"), p.start_date.as_deref())?,
            decision: ids.decision(&what, p.decision_id.as_deref(), &p.sources)?,
        });
        if let Some(end) = opt_date(&what, p.end_date.as_deref())? {
            let decision = ids
                .end_cited(&what, p.end_decision_id.as_deref())?
                .or(ids.cite())
                .ok_or_else(|| PopoloError::NoDecision {
                    what: format!("{what} (its end)"),
                })?;
            out.seat_ends.push(Command::AbolishSeat(SeatAbolition {
                committee,
                seat,
                ended_on: end,
                decision,
            }));
        }
    }
    memberships(doc, ids, committees, &seat_committee, out)
}

/// The memberships of committee seats, and of committees with no post named.
fn memberships(
    doc: &Document,
    ids: &Ids,
    committees: &HashSet<&str>,
    seat_committee: &HashMap<&str, CommitteeId>,
    out: &mut Out,
) -> Result<(), PopoloError> {
    let post_ids: HashSet<&str> = doc.posts.iter().map(|p| p.id.as_str()).collect();
    let mut starts: Vec<(&Membership, String)> = Vec::new();
    for m in &doc.memberships {
        let key = membership_key(m);
        match (&m.post_id, &m.organization_id) {
            (Some(p), _) if seat_committee.contains_key(p.as_str()) => starts.push((m, key)),
            (Some(p), _) if post_ids.contains(p.as_str()) => {} // a unit post's holding
            (Some(p), _) => {
                return Err(PopoloError::Dangling {
                    what: format!("membership {key}"),
                    field: "post_id",
                    id: p.clone(),
                    kind: Kind::Post.name(),
                })
            }
            (None, Some(o)) if committees.contains(o.as_str()) => starts.push((m, key)),
            (None, _) => {
                return Err(PopoloError::invalid(
                    &format!("membership {key}"),
                    "names no post_id and no committee organization_id (a unit's members \
                     are the holders of its posts)",
                ))
            }
        }
    }
    // By start date, in the file's order within a date (a stable sort): a seat made for a
    // membership is listed where the file lists the membership.
    starts.sort_by(|a, b| a.0.start_date.cmp(&b.0.start_date));
    for (m, key) in starts {
        let what = format!("membership {key}");
        let from = date(&format!("{what} start_date"), m.start_date.as_deref())?;
        let decision = ids.decision(&what, m.decision_id.as_deref(), &m.sources)?;
        let (ended_on, end) = ending(ids, &what, m)?;
        let (committee, seat) = match m.post_id.as_deref() {
            Some(p) => {
                let committee = seat_committee.get(p).copied().ok_or_else(|| {
                    PopoloError::invalid(&what, "names a post that is not a committee seat")
                })?;
                (committee, SeatId::from_uuid(ids.own(Kind::Post, p)))
            }
            None => {
                let committee = CommitteeId::from_uuid(ids.own(
                    Kind::Organization,
                    m.organization_id.as_deref().unwrap_or_default(),
                ));
                let seat = SeatId::from_uuid(Kind::Post.map(&format!("seat of {key}")));
                out.now.push(Command::CreateSeat {
                    committee,
                    spec: SeatSpec {
                        seat,
                        role: role(&what, m.reformlog_role.as_deref(), m.role.as_deref())?,
                        on_behalf_of: ids.to_opt(
                            Kind::Organization,
                            &what,
                            "on_behalf_of_id",
                            m.on_behalf_of_id.as_deref(),
                            UnitId::from_uuid,
                        )?,
                        ex_officio: None,
                        label: None,
                        holder: None,
                    },
                    on: from,
                    decision,
                });
                // The seat is the membership's alone: left open, it would stand vacant after
                // the membership ends. It ends citing what ends the membership, else --cite.
                let seat_end = match (end, ended_on) {
                    (Some(end), _) => Some(end),
                    (None, Some(e)) => {
                        let decision = ids.cite().ok_or_else(|| PopoloError::NoDecision {
                            what: format!("{what} (the end of its seat)"),
                        })?;
                        Some((e, decision))
                    }
                    (None, None) => None,
                };
                if let Some((e, d)) = seat_end {
                    out.seat_ends.push(Command::AbolishSeat(SeatAbolition {
                        committee,
                        seat,
                        ended_on: e,
                        decision: d,
                    }));
                }
                (committee, seat)
            }
        };
        let membership = MembershipId::from_uuid(ids.own(Kind::Membership, &key));
        out.now.push(Command::StartMembership(MembershipStart {
            committee,
            membership,
            seat,
            person: PersonId::from_uuid(ids.to(Kind::Person, &what, "person_id", &m.person_id)?),
            from,
            ended_on,
            decision,
        }));
        if let Some((e, d)) = end {
            out.member_ends.push(Command::EndMembership(MembershipEnd {
                committee,
                membership,
                ended_on: e,
                decision: d,
            }));
        }
    }
    Ok(())
}
