//! What the export reads from the daemon: every entity on a date, each person's memberships
//! and post holdings, and the seats seen in compositions on the dates that matter.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

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

pub(super) fn st(v: &Value, p: &str) -> Option<String> {
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
    bar.finish_and_clear();
    Ok(g)
}
