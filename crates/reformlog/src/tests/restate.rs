//! Restating: every event of a log, turned back into its command and decided in order on a
//! fresh state, records exactly that event again, corrections and retractions included.

use super::support::*;
use crate::payload::{PersonName, Retraction};
use crate::{Command, EventId, Seed};
use std::collections::HashMap;

/// Replays `w`'s log into a fresh world, one restated command per event.
fn replay(w: &World) -> World {
    let mut fresh = World::new();
    let mut ids: HashMap<EventId, EventId> = HashMap::new();
    for r in &w.log {
        let mut command = Command::restating(&r.event);
        match &mut command {
            Command::Correct { target, .. } | Command::Retract { target } => {
                *target = ids[target];
            }
            _ => {}
        }
        let events = fresh
            .k
            .decide(&command)
            .unwrap_or_else(|e| panic!("{e}: {command:?}"));
        // The same event, naming the target by its id in the fresh log.
        let mut expected = r.event.clone();
        match &mut expected {
            crate::Event::Corrected { target, .. }
            | crate::Event::Retracted(Retraction { target, .. }) => {
                *target = ids[target];
            }
            _ => {}
        }
        assert_eq!(events, vec![expected], "{command:?}");
        let new = fresh.record(events, None);
        ids.insert(r.meta.event_id, new[0]);
    }
    fresh
}

#[test]
fn the_seed_and_every_change_entry_replay_event_for_event() {
    let text = format!(
        "format = 2\n{SEED}\n{}",
        include_str!("../../../../tests/data/seed-plans-2021.toml")
            .split_once("records_from = \"2021-01-01\"\n")
            .unwrap()
            .1
    );
    let mut w = World::new();
    for c in Seed::parse(&text).unwrap().commands().unwrap() {
        w.exec(c).unwrap();
    }
    // A correction and a retraction on top.
    let renamed = w.exec(rename("to-vien-3", "Tổ viên 3 (sai)")).unwrap()[0];
    let corrected = crate::Event::PersonRenamed(PersonName {
        person: person("to-vien-3"),
        name: name("Tổ viên 3 (đúng)"),
        on: d("2022-03-01"),
    });
    w.exec(Command::Correct {
        target: renamed,
        corrected,
    })
    .unwrap();
    let moved = w.exec(rename("to-vien-4", "Tổ viên 4 (nhầm)")).unwrap()[0];
    w.exec(Command::Retract { target: moved }).unwrap();

    let fresh = replay(&w);
    let on = d("2022-03-02");
    assert_eq!(
        fresh.k.composition(committee(BCD), on).unwrap(),
        w.k.composition(committee(BCD), on).unwrap()
    );
    assert_eq!(
        fresh.k.person_history(person("to-vien-3")).unwrap(),
        w.k.person_history(person("to-vien-3")).unwrap()
    );
}

#[test]
fn every_kind_of_change_replays_event_for_event() {
    // Every change entry type but the correction and retraction, whose targets are made up.
    let text = super::seed_v2::every_change();
    let cut = text.find("[[changes]]\ntype = \"correct\"").unwrap();
    let mut w = World::new();
    for c in Seed::parse(&text[..cut]).unwrap().commands().unwrap() {
        w.exec(c).unwrap();
    }
    let fresh = replay(&w);
    assert_eq!(fresh.log.len(), w.log.len());
}
