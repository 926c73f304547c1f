//! Golden payloads: decision events written before the decision kinds grew still decode to
//! the kinds they were written with, and today's build writes the same bytes for them.

use super::serde_names::unhex;
use super::support::{d, decision, unit};
use crate::payload::DecisionRecord;
use crate::{DecisionKind, Event};

/// `kind payload-hex` lines, written by the build whose kinds were only decision, plan and
/// notice.
const FIXTURE: &str = include_str!("../../../../tests/fixtures/domain-decision-kinds.hex");

fn recorded(kind: DecisionKind) -> Event {
    Event::DecisionRecorded(DecisionRecord {
        decision: decision("qd-34-2022"),
        number: "34/QĐ-BTTTT".to_owned(),
        kind,
        issuer: unit("bo-tttt"),
        signer: None,
        signed_on: d("2022-01-14"),
        in_force_on: d("2022-01-14"),
        title: "Kiện toàn Ban chỉ đạo cải cách hành chính".to_owned(),
        amends: Vec::new(),
        replaces: Vec::new(),
        repeals: Vec::new(),
    })
}

#[test]
fn decision_events_of_the_first_three_kinds_keep_their_bytes() {
    let mut seen = 0;
    for line in FIXTURE.lines().filter(|l| !l.trim().is_empty()) {
        let (name, hex) = line.split_once(' ').unwrap();
        let kind = match name {
            "decision" => DecisionKind::Decision,
            "plan" => DecisionKind::Plan,
            "notice" => DecisionKind::Notice,
            other => panic!("unexpected kind {other} in the fixture"),
        };
        let bytes = unhex(hex);
        let decoded: Event = reformlog_store::decode_payload(&bytes).unwrap();
        assert_eq!(decoded, recorded(kind), "{name}");
        assert_eq!(
            reformlog_store::encode_payload(&recorded(kind)).unwrap(),
            bytes,
            "{name}"
        );
        seen += 1;
    }
    assert_eq!(seen, 3);
}

#[test]
fn every_kind_round_trips_through_the_payload_codec() {
    for kind in DecisionKind::ALL {
        let bytes = reformlog_store::encode_payload(&recorded(kind)).unwrap();
        let back: Event = reformlog_store::decode_payload(&bytes).unwrap();
        assert_eq!(back, recorded(kind));
    }
}
