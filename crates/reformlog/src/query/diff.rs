//! Composition diffs: who stayed, changed place, left or joined a committee between two
//! dates, where a person keeping their place across a reconstitution counts as staying.

use super::composition::{composition, Composition};
use super::error::QueryError;
use crate::date::Date;
use crate::ids::{CommitteeId, PersonId, PostId, SeatId, UnitId};
use crate::model::Role;
use crate::text::Name;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};

/// One seat-and-person line of a composition diff.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffEntry {
    /// The committee or sub-body the seat belongs to.
    pub committee: CommitteeId,
    /// The seat.
    pub seat: SeatId,
    /// The seat's role.
    pub role: Role,
    /// The seat's free-text description, as the decision words it.
    pub label: Option<String>,
    /// The unit the seat represents, if any.
    pub on_behalf_of: Option<UnitId>,
    /// The post whose holder holds the seat, for a seat held ex officio.
    pub ex_officio: Option<PostId>,
    /// `None` for a vacant seat.
    pub person: Option<PersonId>,
    /// The holder's name on the date of the composition the entry comes from.
    pub person_name: Option<Name>,
}

/// The same person in another place of the same committee (or sub-body): another role,
/// another unit represented, or another post sat for.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffChange {
    /// The place held on the earlier date.
    pub before: DiffEntry,
    /// The place held on the later date.
    pub after: DiffEntry,
}

/// What changed in a committee's composition between two dates.
///
/// Every holding (a person in a seat, or a vacant seat) on `before` is exactly one of
/// stayed, changed or left; every holding on `after` is one of stayed, changed or joined.
/// A holding stays when the same seat has the same holder on both dates, or when a seat
/// created since (by a reconstitution, say) has the same holder, role, unit represented
/// and ex-officio post as one that ended. Lists are in the order of the compositions:
/// `left` in that of `before`, `joined` and `changed` in that of `after`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompositionDiff {
    /// The committee compared (sub-bodies included).
    pub committee: CommitteeId,
    /// The earlier date (`YYYY-MM-DD`).
    pub before: Date,
    /// The later date.
    pub after: Date,
    /// Holdings on `after` with no counterpart on `before`.
    pub joined: Vec<DiffEntry>,
    /// Holdings on `before` with no counterpart on `after`.
    pub left: Vec<DiffEntry>,
    /// People who hold another place on `after` than on `before`, in the same committee.
    pub changed: Vec<DiffChange>,
    /// Holdings present on both dates.
    pub stayed: usize,
}

/// Every holding of a composition, sub-bodies included, in its order.
fn diff_entries(c: &Composition, out: &mut Vec<DiffEntry>) {
    for seat in &c.seats {
        let base = DiffEntry {
            committee: c.committee,
            seat: seat.seat,
            role: seat.role,
            label: seat.label.clone(),
            on_behalf_of: seat.on_behalf_of.as_ref().map(|u| u.id),
            ex_officio: seat.ex_officio.as_ref().map(|p| p.id),
            person: None,
            person_name: None,
        };
        if seat.holders.is_empty() {
            out.push(base.clone());
        }
        for h in &seat.holders {
            out.push(DiffEntry {
                person: Some(h.person.id),
                person_name: h.person.name.clone(),
                ..base.clone()
            });
        }
    }
    for b in &c.sub_bodies {
        diff_entries(b, out);
    }
}

/// What makes two holdings the same place for the same person, whatever the seat's id.
type Continuity = (
    CommitteeId,
    Role,
    Option<UnitId>,
    Option<PostId>,
    Option<PersonId>,
);

fn continuity(e: &DiffEntry) -> Continuity {
    (e.committee, e.role, e.on_behalf_of, e.ex_officio, e.person)
}

/// Pairs entries of `a` and `b` not yet paired whose keys are equal, each `b` entry with the
/// first unpaired `a` entry of its key; the pairs come in the order of `b`.
fn pair_by<K: std::hash::Hash + Eq>(
    a: &[DiffEntry],
    b: &[DiffEntry],
    a_paired: &mut [bool],
    b_paired: &mut [bool],
    key: impl Fn(&DiffEntry) -> Option<K>,
) -> Vec<(usize, usize)> {
    let mut open: HashMap<K, VecDeque<usize>> = HashMap::new();
    for (i, e) in a.iter().enumerate() {
        if !a_paired[i] {
            if let Some(k) = key(e) {
                open.entry(k).or_default().push_back(i);
            }
        }
    }
    let mut pairs = Vec::new();
    for (j, e) in b.iter().enumerate() {
        if b_paired[j] {
            continue;
        }
        let Some(k) = key(e) else { continue };
        if let Some(i) = open.get_mut(&k).and_then(|q| q.pop_front()) {
            a_paired[i] = true;
            b_paired[j] = true;
            pairs.push((i, j));
        }
    }
    pairs
}

pub(crate) fn composition_diff(
    s: &dyn crate::source::Source,
    committee: CommitteeId,
    before: Date,
    after: Date,
) -> Result<CompositionDiff, QueryError> {
    let mut a = Vec::new();
    diff_entries(&composition(s, committee, before)?, &mut a);
    let mut b = Vec::new();
    diff_entries(&composition(s, committee, after)?, &mut b);
    // Names can differ between the dates; entries are compared on ids only. The same seat
    // with the same holder first, then the same place in a seat created since.
    let mut a_paired = vec![false; a.len()];
    let mut b_paired = vec![false; b.len()];
    let same_seat = pair_by(&a, &b, &mut a_paired, &mut b_paired, |e| {
        Some((e.committee, e.seat, e.person))
    });
    let same_place = pair_by(&a, &b, &mut a_paired, &mut b_paired, |e| {
        Some(continuity(e))
    });
    let moved = pair_by(&a, &b, &mut a_paired, &mut b_paired, |e| {
        e.person.map(|p| (e.committee, p))
    });
    // Pairs come in the order of `after`, as `pair_by` walks it.
    let changed = moved
        .into_iter()
        .map(|(i, j)| DiffChange {
            before: a[i].clone(),
            after: b[j].clone(),
        })
        .collect();
    let left = a
        .iter()
        .zip(&a_paired)
        .filter(|(_, paired)| !**paired)
        .map(|(e, _)| e.clone())
        .collect();
    let joined = b
        .iter()
        .zip(&b_paired)
        .filter(|(_, paired)| !**paired)
        .map(|(e, _)| e.clone())
        .collect();
    Ok(CompositionDiff {
        committee,
        before,
        after,
        joined,
        left,
        changed,
        stayed: same_seat.len() + same_place.len(),
    })
}
