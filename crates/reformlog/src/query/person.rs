//! A person's history: names, committee memberships, seats held ex officio through a post,
//! and posts held, each from when to when.

use super::error::QueryError;
use super::refs::{decision_ref, post_ref, unit_ref, DecisionRef, PostRef, UnitRef};
use crate::date::Date;
use crate::ids::{CommitteeId, EntityKey, MembershipId, PersonId, PostId, SeatId};
use crate::model::Role;
use crate::source::Source;
use crate::text::Name;
use crate::view::{Holding, Seat};
use serde::{Deserialize, Serialize};

/// A name an entity bore from a date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameFrom {
    /// The first day the name held (`YYYY-MM-DD`).
    pub from: Date,
    /// The name (NFC).
    pub name: Name,
}

/// One membership of a person.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipRecord {
    /// The committee the seat belongs to.
    pub committee: CommitteeId,
    /// The committee's name on the day the membership started.
    pub committee_name: Option<Name>,
    /// The seat held.
    pub seat: SeatId,
    /// The seat's role; `None` if the seat is not found in the committee.
    pub role: Option<Role>,
    /// The unit the seat represents, named as on the day the membership started.
    pub on_behalf_of: Option<UnitRef>,
    /// The membership's id.
    pub membership: MembershipId,
    /// The first day the person held the seat.
    pub from: Date,
    /// The first day they no longer held it; `None` while it is open.
    pub ended_on: Option<Date>,
    /// The decision that started the membership.
    pub decision: DecisionRef,
    /// The decision that ended it, if it has ended by one.
    pub end_decision: Option<DecisionRef>,
}

/// A committee seat a person held ex officio: the seat goes with a post, and the person held
/// the post. The tenure is the overlap of the seat's life and the person's holding of the
/// post; a seat of a post several people hold at once is held by each of them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExOfficioRecord {
    /// The committee the seat belongs to.
    pub committee: CommitteeId,
    /// The committee's name on the first day of the tenure.
    pub committee_name: Option<Name>,
    /// The seat held.
    pub seat: SeatId,
    /// The seat's role.
    pub role: Role,
    /// The seat's free-text description, as the decision words it.
    pub label: Option<String>,
    /// The unit the seat represents, if any.
    pub on_behalf_of: Option<UnitRef>,
    /// The post the seat goes with, which the person held.
    pub post: PostRef,
    /// The first day of the tenure.
    pub from: Date,
    /// The first day the person no longer sat; `None` while the tenure is open.
    pub ended_on: Option<Date>,
    /// The decision that created the seat.
    pub decision: DecisionRef,
    /// What ended the tenure: the decision that ended the seat if the seat ended first, or
    /// that ended the holding of the post (if one did) if the holding ended first.
    pub end_decision: Option<DecisionRef>,
    /// The decision that appointed the person to the post, if recorded.
    pub post_decision: Option<DecisionRef>,
}

/// One post a person held.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PositionRecord {
    /// The post held.
    pub post: PostRef,
    /// The first day of the holding.
    pub from: Date,
    /// The first day the person no longer held it; `None` while it is open.
    pub ended_on: Option<Date>,
    /// The appointing decision, if recorded.
    pub decision: Option<DecisionRef>,
}

/// A person's names, memberships, seats held ex officio and positions over time.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonHistory {
    /// The person the history is about.
    pub person: PersonId,
    /// Every name the person has borne, from the date each took effect.
    pub names: Vec<NameFrom>,
    /// Seats held personally, by appointment to the seat.
    pub memberships: Vec<MembershipRecord>,
    /// Seats held because the person held the post the seat goes with.
    pub ex_officio: Vec<ExOfficioRecord>,
    /// Posts held, with dates.
    pub positions: Vec<PositionRecord>,
}

pub(crate) fn person_history(
    s: &dyn Source,
    person: PersonId,
) -> Result<PersonHistory, QueryError> {
    let key = EntityKey::Person(person);
    let view = s.view(&key).ok_or(QueryError::NotFound(key))?;
    let p = view.as_person().ok_or(QueryError::NotFound(key))?;
    let names = p
        .names
        .0
        .iter()
        .map(|(from, name)| NameFrom {
            from: *from,
            name: name.clone(),
        })
        .collect();
    let mut memberships = Vec::new();
    let mut committees = s.committees_of_person(person);
    committees.sort();
    committees.dedup();
    for cid in committees {
        let Some(cv) = s.view(&EntityKey::Committee(cid)) else {
            continue;
        };
        let Some(c) = cv.as_committee() else { continue };
        for m in c.memberships.iter().filter(|m| m.person == person) {
            let seat = c.seat(m.seat);
            memberships.push(MembershipRecord {
                committee: cid,
                committee_name: c.names.at_or_first(m.from).cloned(),
                seat: m.seat,
                role: seat.map(|x| x.role),
                on_behalf_of: seat
                    .and_then(|x| x.on_behalf_of)
                    .map(|u| unit_ref(s, u, m.from)),
                membership: m.id,
                from: m.from,
                ended_on: m.ended_on,
                decision: decision_ref(s, m.decision),
                end_decision: m.end_decision.map(|d| decision_ref(s, d)),
            });
        }
    }
    memberships.sort_by(|a, b| {
        (a.from, a.committee, a.membership).cmp(&(b.from, b.committee, b.membership))
    });
    let mut positions = Vec::new();
    let mut ex_officio = Vec::new();
    let mut posts = s.posts_of_person(person);
    posts.sort();
    posts.dedup();
    for key in posts {
        let EntityKey::Post(post) = key else { continue };
        let Some(pv) = s.view(&key) else { continue };
        let Some(p) = pv.as_post() else { continue };
        let held: Vec<&Holding> = p.holdings.iter().filter(|h| h.person == person).collect();
        for h in &held {
            positions.push(PositionRecord {
                post: post_ref(s, post, h.from),
                from: h.from,
                ended_on: h.ended_on,
                decision: h.decision.map(|d| decision_ref(s, d)),
            });
        }
        ex_officio_tenures(s, post, &held, &mut ex_officio);
    }
    positions.sort_by_key(|p| (p.from, p.post.id));
    ex_officio.sort_by_key(|x| (x.from, x.committee, x.seat, x.post.id));
    Ok(PersonHistory {
        person,
        names,
        memberships,
        ex_officio,
        positions,
    })
}

/// The seats that go with `post`, each overlapped with the person's holdings of it.
fn ex_officio_tenures(
    s: &dyn Source,
    post: PostId,
    held: &[&Holding],
    out: &mut Vec<ExOfficioRecord>,
) {
    if held.is_empty() {
        return;
    }
    let mut committees = s.committees_seating_post(post);
    committees.sort();
    committees.dedup();
    for cid in committees {
        // The seats are in the committee's row: its memberships are not needed.
        let Some(cv) = s.header(&EntityKey::Committee(cid)) else {
            continue;
        };
        let Some(c) = cv.as_committee() else { continue };
        for seat in c.seats.iter().filter(|x| x.ex_officio == Some(post)) {
            for h in held {
                for tenure in tenures(s, cid, seat, h) {
                    out.push(ExOfficioRecord {
                        committee_name: c.names.at_or_first(tenure.from).cloned(),
                        ..tenure
                    });
                }
            }
        }
    }
}

/// The tenures of holding `h` in `seat` (`committee_name` left empty): the overlap of the
/// seat's life, the holding and each period in which the seat's designations let the holder
/// sit (the whole seat when there are none).
fn tenures(
    s: &dyn Source,
    committee: CommitteeId,
    seat: &Seat,
    h: &Holding,
) -> Vec<ExOfficioRecord> {
    let Some(post) = seat.ex_officio else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (p_from, p_until, designation) in seat.sitting_periods(h.person) {
        let from = seat.from.max(h.from).max(p_from);
        // Each end with the decision behind it; the seat's first when two fall on one day.
        let ends = [
            (seat.ended_on, seat.end_decision),
            (h.ended_on, h.end_decision),
            (p_until, None),
        ];
        let end = ends
            .iter()
            .filter_map(|(e, d)| e.map(|e| (e, *d)))
            .min_by_key(|(e, _)| *e);
        let ended_on = end.map(|(e, _)| e);
        if ended_on.is_some_and(|e| e <= from) {
            continue;
        }
        out.push(ExOfficioRecord {
            committee,
            committee_name: None,
            seat: seat.id,
            role: seat.role,
            label: seat.label.clone(),
            on_behalf_of: seat.on_behalf_of.map(|u| unit_ref(s, u, from)),
            post: post_ref(s, post, from),
            from,
            ended_on,
            decision: decision_ref(s, designation.unwrap_or(seat.decision)),
            end_decision: end.and_then(|(_, d)| d).map(|d| decision_ref(s, d)),
            post_decision: h.decision.map(|d| decision_ref(s, d)),
        });
    }
    out
}
