//! What the export reads from the daemon: every entity on a date, each person's memberships
//! and post holdings, and the seats seen in compositions on the dates that matter, each answer
//! read into the library's own answer types.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use reformlog::{
    CommitteeId, Composition, Date, DecisionChanges, DecisionId, EntityDetails, EntitySummary,
    Event, MembershipRecord, PersonHistory, PersonId, PositionRecord, SeatId, SeatOnDate,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;

/// What the export reads from the daemon, gathered once for Popolo and CSV.
#[derive(Debug, Default)]
pub(crate) struct Gathered {
    pub units: Vec<EntitySummary>,
    pub people: Vec<EntitySummary>,
    pub posts: Vec<EntitySummary>,
    pub committees: Vec<EntitySummary>,
    pub decisions: Vec<EntitySummary>,
    /// (person id, person name, membership record) for every committee membership.
    pub memberships: Vec<(PersonId, String, MembershipRecord)>,
    /// (person id, position record) for every post holding.
    pub positions: Vec<(PersonId, PositionRecord)>,
    /// Seat id -> (committee id, seat as seen in a composition).
    pub seats: BTreeMap<SeatId, (CommitteeId, SeatOnDate)>,
    /// Seat id -> (first date the seat was seen on, its place in that date's compositions),
    /// which keeps the order the decisions list seats in.
    pub seat_seen: HashMap<SeatId, (Date, usize)>,
    /// Seat id -> (end date, end decision id), for seats seen to end.
    pub seat_ends: BTreeMap<SeatId, (Date, Option<DecisionId>)>,
}

/// A daemon answer wrapped as the query routes give it.
#[derive(Deserialize)]
struct Answered<T> {
    answer: T,
}

fn typed<T: DeserializeOwned>(what: &str, v: Value) -> Result<T, Error> {
    serde_json::from_value(v).map_err(|e| Error::BadAnswer(format!("{what}: {e}")))
}

fn list(client: &crate::client::Client, path: &str, on: &str) -> Result<Vec<EntitySummary>, Error> {
    client
        .list_all(path, Some(on), None)?
        .into_iter()
        .map(|v| typed(path, v))
        .collect()
}

/// The committee a committee summary says a sub-body belongs to.
pub(crate) fn parent_of(c: &EntitySummary) -> Option<CommitteeId> {
    match &c.details {
        EntityDetails::Committee { parent, .. } => parent.as_ref().map(|p| p.id),
        _ => None,
    }
}

/// Reads everything the export needs through the daemon's state routes.
pub(crate) fn gather(
    client: &crate::client::Client,
    on: &str,
    progress: &crate::progress::Progress,
) -> Result<Gathered, Error> {
    let mut g = Gathered {
        units: list(client, "/v1/units", on)?,
        people: list(client, "/v1/people", on)?,
        posts: list(client, "/v1/posts", on)?,
        committees: list(client, "/v1/committees", on)?,
        decisions: list(client, "/v1/decisions", on)?,
        ..Gathered::default()
    };
    let bar = progress.bar(g.people.len() as u64 + g.committees.len() as u64, "export");
    for p in &g.people {
        let id = PersonId::from_uuid(p.id);
        let name = p.name.clone().unwrap_or_default();
        let path = format!("/v1/people/{id}/history");
        let h: Answered<PersonHistory> = typed(&path, client.get(&path, &[])?)?;
        for m in h.answer.memberships {
            g.memberships.push((id, name.clone(), m));
        }
        for pos in h.answer.positions {
            g.positions.push((id, pos));
        }
        bar.inc(1);
    }
    // Seats are read from compositions on every date a membership in the committee starts or
    // ends, which finds every seat that was ever held, and sees the ones that ended.
    let parents: HashMap<CommitteeId, Option<CommitteeId>> = g
        .committees
        .iter()
        .map(|c| (CommitteeId::from_uuid(c.id), parent_of(c)))
        .collect();
    let top_of = |mut c: CommitteeId| {
        for _ in 0..16 {
            match parents.get(&c).copied().flatten() {
                Some(p) => c = p,
                None => break,
            }
        }
        c
    };
    for c in &g.committees {
        bar.inc(1);
        if parent_of(c).is_some() {
            continue;
        }
        let id = CommitteeId::from_uuid(c.id);
        let in_it: Vec<&MembershipRecord> = g
            .memberships
            .iter()
            .map(|(_, _, m)| m)
            .filter(|m| top_of(m.committee) == id)
            .collect();
        let mut dates: BTreeSet<Date> = BTreeSet::from([c.since]);
        let mut last_end: BTreeMap<SeatId, (Date, Option<DecisionId>)> = BTreeMap::new();
        let mut open_seats: HashSet<SeatId> = HashSet::new();
        for m in &in_it {
            dates.insert(m.from);
            match m.ended_on {
                None => {
                    open_seats.insert(m.seat);
                }
                Some(e) => {
                    dates.insert(e);
                    let end = (e, m.end_decision.as_ref().map(|d| d.id));
                    let entry = last_end.entry(m.seat).or_insert(end);
                    if end.0 > entry.0 {
                        *entry = end;
                    }
                }
            }
        }
        let mut present: BTreeMap<Date, BTreeSet<SeatId>> = BTreeMap::new();
        for d in &dates {
            let mut place = 0usize;
            let path = format!("/v1/committees/{id}/composition");
            let day = d.to_string();
            let v: Answered<Composition> = typed(&path, client.get(&path, &[("on", Some(&day))])?)?;
            let mut stack: Vec<Composition> = vec![v.answer];
            while let Some(comp) = stack.pop() {
                for seat in comp.seats {
                    present.entry(*d).or_default().insert(seat.seat);
                    g.seat_seen.entry(seat.seat).or_insert((*d, place));
                    place += 1;
                    g.seats.entry(seat.seat).or_insert((comp.committee, seat));
                }
                stack.extend(comp.sub_bodies);
            }
        }
        for (seat, (end, decision)) in last_end {
            let gone = present.get(&end).is_some_and(|s| !s.contains(&seat));
            if gone && !open_seats.contains(&seat) {
                g.seat_ends.insert(seat, (end, decision));
            }
        }
    }
    bar.finish_and_clear();
    abolished_by(client, &mut g)?;
    Ok(g)
}

/// The decisions that abolished the seats seen to end where the last membership's end cites
/// none (a membership ended in its start, its own seat abolished citing a decision): read
/// from what each decision changed, and only when such a seat exists, since it costs a
/// request per decision.
fn abolished_by(client: &crate::client::Client, g: &mut Gathered) -> Result<(), Error> {
    let unknown: HashSet<SeatId> = g
        .seat_ends
        .iter()
        .filter(|(_, (_, d))| d.is_none())
        .map(|(s, _)| *s)
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    for d in &g.decisions {
        let path = format!("/v1/decisions/{}/changes", d.id);
        let v: Answered<DecisionChanges> = typed(&path, client.get(&path, &[])?)?;
        for change in v.answer.changes {
            if let Event::SeatAbolished(a) = change.event {
                if unknown.contains(&a.seat) {
                    if let Some(end) = g.seat_ends.get_mut(&a.seat) {
                        end.1 = Some(a.decision);
                    }
                }
            }
        }
    }
    Ok(())
}
