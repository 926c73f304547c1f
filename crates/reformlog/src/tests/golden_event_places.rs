//! Every `Event` variant keeps its place in the enum, which is its number in every stored
//! payload: a variant reordered, removed or missing from the fixtures fails here, naming the
//! way to add one.
//!
//! Adding an event: append the variant at the end of `Event` (never reorder or remove one),
//! give it the next number in [`place`], append an instance to `every_event()`
//! (`golden_events.rs`), then append its line to `tests/fixtures/domain-events-v3.hex` with
//! `cargo test -p reformlog append_new_event_fixture_lines -- --ignored`, which writes only
//! the lines the file lacks. Schemas 1 and 2 are frozen: their fixtures keep the variants
//! they had.

use super::golden_events::every_event;
use crate::Event;

const V3: &str = include_str!("../../../../tests/fixtures/domain-events-v3.hex");

const HOW_TO_ADD: &str = "Event variants are stored by their place in the enum: append a new \
variant at the end of `Event`, never reorder or remove one (a changed variant is a new payload \
schema with a frozen copy of the old one, see codec/v2.rs); give it the next number in \
`place`, an instance at the end of `every_event()`, and add its line to \
tests/fixtures/domain-events-v3.hex with \
`cargo test -p reformlog append_new_event_fixture_lines -- --ignored` (existing lines are \
never rewritten)";

/// Each variant's place among `Event`'s variants. No wildcard: a new variant does not compile
/// until it is given its place here.
fn place(e: &Event) -> u32 {
    use Event as E;
    match e {
        E::UnitEstablished(_) => 0,
        E::UnitRenamed(_) => 1,
        E::UnitMoved(_) => 2,
        E::UnitMerged(_) => 3,
        E::UnitDissolved(_) => 4,
        E::PersonRegistered(_) => 5,
        E::PersonRenamed(_) => 6,
        E::PostCreated(_) => 7,
        E::PostHolderAppointed(_) => 8,
        E::PostHolderLeft(_) => 9,
        E::PostAbolished(_) => 10,
        E::DecisionRecorded(_) => 11,
        E::CommitteeEstablished(_) => 12,
        E::CommitteeRenamed(_) => 13,
        E::DutiesSet(_) => 14,
        E::SeatCreated(_) => 15,
        E::SeatAbolished(_) => 16,
        E::MembershipStarted(_) => 17,
        E::MembershipEnded(_) => 18,
        E::CommitteeDissolved(_) => 19,
        E::TaskCreated(_) => 20,
        E::TaskAssigned(_) => 21,
        E::TaskReassigned(_) => 22,
        E::TaskDeadlineExtended(_) => 23,
        E::TaskProgressReported(_) => 24,
        E::TaskCompleted(_) => 25,
        E::TaskCancelled(_) => 26,
        E::TaskReopened(_) => 27,
        E::Corrected { .. } => 28,
        E::Retracted(_) => 29,
        E::SeatHolderDesignated(_) => 30,
        E::DecisionLinked(_) => 31,
    }
}

#[test]
fn every_event_variant_keeps_its_place_and_its_fixture_line() {
    let events = every_event();
    let places: Vec<u32> = events.iter().map(place).collect();
    let expected: Vec<u32> = (0..places.len() as u32).collect();
    assert_eq!(
        places, expected,
        "every_event() is out of order: {HOW_TO_ADD}"
    );
    let lines: Vec<&str> = V3.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        events.len(),
        "tests/fixtures/domain-events-v3.hex has {} lines for {} variants: {HOW_TO_ADD}",
        lines.len(),
        events.len()
    );
    for (line, e) in lines.iter().zip(&events) {
        let (name, hex) = line.split_once(' ').unwrap();
        let bytes = reformlog_store::encode_payload(e).unwrap();
        assert_eq!(
            bytes[..4],
            place(e).to_be_bytes(),
            "`{}` is stored as another variant number than its place: {HOW_TO_ADD}",
            e.type_name()
        );
        assert_eq!(
            (name, &hex[..8]),
            (e.type_name(), hex_of(&place(e).to_be_bytes()).as_str()),
            "the fixture's line and the variant differ: a variant was reordered, renamed or \
             removed. {HOW_TO_ADD}"
        );
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends the lines of variants the schema-3 fixture does not hold yet; the lines it holds
/// are never rewritten (`cargo test -p reformlog append_new_event_fixture_lines -- --ignored`).
#[test]
#[ignore = "writes a committed fixture"]
fn append_new_event_fixture_lines() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/domain-events-v3.hex"
    );
    let old = std::fs::read_to_string(path).unwrap();
    let mut out: Vec<String> = old
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    for e in every_event().iter().skip(out.len()) {
        let bytes = reformlog_store::encode_payload(e).unwrap();
        out.push(format!("{} {}", e.type_name(), hex_of(&bytes)));
    }
    std::fs::write(path, out.join("\n") + "\n").unwrap();
}
