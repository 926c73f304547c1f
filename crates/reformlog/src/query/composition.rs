//! Who sat on a committee (and its sub-bodies) on a date: its seats in the order they were
//! created, each with its holders, personal or ex officio through a post.

use super::error::QueryError;
use super::refs::{decision_ref, name_str, person_ref, positions_on, post_ref, unit_ref};
use super::refs::{DecisionRef, PersonRef, PostRef, UnitRef};
use crate::collate::collate;
use crate::date::Date;
use crate::ids::{CommitteeId, EntityKey, MembershipId, PersonId, SeatId};
use crate::model::Role;
use crate::source::Source;
use crate::text::Name;
use crate::view::{covers, Membership};
use serde::{Deserialize, Serialize};

/// Someone holding a seat on a date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatHolding {
    /// The holder, named as on the date asked about.
    pub person: PersonRef,
    /// The first day of the holding: the membership's, or for an ex-officio holder the latest of
    /// the seat's start, the start of their holding of the post and their designation.
    pub since: Date,
    /// `None` for an ex-officio holder (the holding is of the post, not the seat).
    pub membership: Option<MembershipId>,
    /// The decision behind the holding (the appointment, designation or post appointment), if
    /// recorded.
    pub decision: Option<DecisionRef>,
    /// Posts the person held on the date.
    pub positions: Vec<PostRef>,
}

/// One seat of a committee on a date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatOnDate {
    /// The seat's id.
    pub seat: SeatId,
    /// The seat's role (head, deputy head, member, …).
    pub role: Role,
    /// The seat's free-text description, as the decision words it.
    pub label: Option<String>,
    /// The unit the seat represents ("a leader representing unit U"), if any.
    pub on_behalf_of: Option<UnitRef>,
    /// The post whose holders sit ex officio, for a seat held through a post.
    pub ex_officio: Option<PostRef>,
    /// Who holds the seat on the date: none for an empty seat, several for a post several people
    /// hold.
    pub holders: Vec<SeatHolding>,
    /// The first day the seat existed.
    pub since: Date,
    /// The decision that created the seat.
    pub decision: DecisionRef,
}

/// Who sat on a committee (and its sub-bodies) on a date.
///
/// Seats come in the order they were created, which is the order of the decisions that
/// created them and, within one decision, the order it lists them in (the `seats` of a
/// reconstitution; seats created one by one come after, in the order they were recorded).
/// Sub-bodies come in Vietnamese alphabetical order of their names on the date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Composition {
    /// The committee's id.
    pub committee: CommitteeId,
    /// Its name on the date (its first name, for a date before it was established).
    pub name: Option<Name>,
    /// The date asked about (`YYYY-MM-DD`).
    pub on: Date,
    /// Whether the committee existed on the date.
    pub active: bool,
    /// Its standing duties on the date.
    pub duties: Vec<String>,
    /// Its seats open on the date.
    pub seats: Vec<SeatOnDate>,
    /// Its sub-bodies on the date, each with its own composition.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub sub_bodies: Vec<Composition>,
}

impl Composition {
    /// Every (committee, seat, person) on the date, sub-bodies included.
    pub fn seated(&self) -> Vec<(CommitteeId, SeatId, Option<PersonId>)> {
        let mut out = Vec::new();
        for s in &self.seats {
            if s.holders.is_empty() {
                out.push((self.committee, s.seat, None));
            }
            for h in &s.holders {
                out.push((self.committee, s.seat, Some(h.person.id)));
            }
        }
        for b in &self.sub_bodies {
            out.extend(b.seated());
        }
        out
    }

    /// The first seat `person` holds on the date, searched in this committee's seats and then
    /// in its sub-bodies', with the holding (its person's name as of the answer, since when, on
    /// which decision).
    pub fn holding_of(&self, person: PersonId) -> Option<(&SeatOnDate, &SeatHolding)> {
        self.seats
            .iter()
            .find_map(|s| {
                s.holders
                    .iter()
                    .find(|h| h.person.id == person)
                    .map(|h| (s, h))
            })
            .or_else(|| self.sub_bodies.iter().find_map(|b| b.holding_of(person)))
    }

    /// Number of people holding a seat, sub-bodies included (a person counts once per seat).
    pub fn holder_count(&self) -> usize {
        self.seated().iter().filter(|(_, _, p)| p.is_some()).count()
    }
}

/// Who sat on `committee` (and, recursively, its sub-bodies) on `on`.
pub(crate) fn composition(
    s: &dyn Source,
    committee: CommitteeId,
    on: Date,
) -> Result<Composition, QueryError> {
    composition_depth(s, committee, on, 0)
}

fn composition_depth(
    s: &dyn Source,
    committee: CommitteeId,
    on: Date,
    depth: usize,
) -> Result<Composition, QueryError> {
    let key = EntityKey::Committee(committee);
    let view = s.view(&key).ok_or(QueryError::NotFound(key))?;
    let c = view.as_committee().ok_or(QueryError::NotFound(key))?;
    let active = c.alive_on(on);
    let mut seats = Vec::new();
    if active {
        // The memberships in force on the date, in the view's order: one pass over the
        // committee's history (a date comparison each) and nothing built per membership
        // that is not in force.
        let seated: Vec<&Membership> = c
            .memberships
            .iter()
            .filter(|m| covers(m.from, m.ended_on, on))
            .collect();
        seats.reserve(c.seats.len());
        // Seats in the view's order, which is the order they were created in (log position,
        // then the order of the events of one command): the order the decision lists them.
        for seat in c.seats.iter().filter(|x| covers(x.from, x.ended_on, on)) {
            let holders = match seat.ex_officio {
                Some(post) => s
                    .view(&EntityKey::Post(post))
                    .and_then(|v| {
                        v.as_post().map(|p| {
                            // A designation, when there is one, names which holder sits.
                            let designated = seat.designations.iter().rev().find(|d| d.from <= on);
                            p.holders_on(on)
                                .filter(|h| seat.seats_holder(h.person, on))
                                .map(|h| SeatHolding {
                                    person: person_ref(s, h.person, on),
                                    since: h
                                        .from
                                        .max(seat.from)
                                        .max(designated.map_or(seat.from, |d| d.from)),
                                    membership: None,
                                    decision: designated
                                        .map(|d| d.decision)
                                        .or(h.decision)
                                        .map(|d| decision_ref(s, d)),
                                    positions: positions_on(s, h.person, on),
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .unwrap_or_default(),
                None => seated
                    .iter()
                    .filter(|m| m.seat == seat.id)
                    .map(|m| SeatHolding {
                        person: person_ref(s, m.person, on),
                        since: m.from,
                        membership: Some(m.id),
                        decision: Some(decision_ref(s, m.decision)),
                        positions: positions_on(s, m.person, on),
                    })
                    .collect(),
            };
            seats.push(SeatOnDate {
                seat: seat.id,
                role: seat.role,
                label: seat.label.clone(),
                on_behalf_of: seat.on_behalf_of.map(|u| unit_ref(s, u, on)),
                ex_officio: seat.ex_officio.map(|p| post_ref(s, p, on)),
                holders,
                since: seat.from,
                decision: decision_ref(s, seat.decision),
            });
        }
    }
    let mut sub_bodies = Vec::new();
    // Sub-bodies nest a level or two in practice; the bound only guards against a cycle.
    if depth < 16 {
        let mut children: Vec<CommitteeId> = s
            .children(committee)
            .into_iter()
            .filter(|child| {
                s.view(&EntityKey::Committee(*child))
                    .and_then(|v| v.as_committee().map(|x| x.parent == Some(committee)))
                    .unwrap_or(false)
            })
            .collect();
        children.sort();
        children.dedup();
        for child in children {
            let sub = composition_depth(s, child, on, depth + 1)?;
            if sub.active {
                sub_bodies.push(sub);
            }
        }
        // A list of committees: by name, as a Vietnamese reader looks one up.
        sub_bodies.sort_by(|a, b| {
            collate(name_str(&a.name), name_str(&b.name))
                .then_with(|| a.committee.cmp(&b.committee))
        });
    }
    Ok(Composition {
        committee,
        name: c.names.at_or_first(on).cloned(),
        on,
        active,
        duties: c.duties.at(on).cloned().unwrap_or_default(),
        seats,
        sub_bodies,
    })
}
