//! Golden payloads of every event variant: schema 1 as builds before task events cited
//! decisions wrote it still decodes, to the same events with no decision cited; schema 2 as
//! builds before evidence documents wrote it decodes to the same events with its free-text
//! evidence as the note; schema 3 (what this build writes) keeps its bytes. A variant missing
//! from a fixture fails the test.

use super::serde_names::{unhex, variant_name, variant_names};
use super::support::*;
use crate::codec::v1::EventV1;
use crate::codec::v2::EventV2;
use crate::payload::{
    CommitteeDissolution, CommitteeDuties, CommitteeEstablishment, CommitteeRenaming,
    DeadlineExtension, DecisionLink, DecisionRecord, MembershipEnd, MembershipStart, PersonName,
    PostAbolition, PostAppointment, PostCreation, PostDeparture, Retraction, SeatAbolition,
    SeatCreation, SeatHolderDesignation, TaskAssignment, TaskCreation, TaskProgress,
    TaskStatusChange, UnitDissolution, UnitEstablishment, UnitMerger, UnitMove, UnitRenaming,
};
use crate::{EntityKey, Event, Evidence, EvidenceDocument};
use std::collections::BTreeSet;

/// `type payload-hex` lines written by the build before schema 2.
const V1: &str = include_str!("../../../../tests/fixtures/domain-events-v1.hex");
/// The same for schema 2, written by the builds before schema 3.
const V2: &str = include_str!("../../../../tests/fixtures/domain-events-v2.hex");
/// The same for schema 3, written by `write_the_schema_3_fixture`.
const V3: &str = include_str!("../../../../tests/fixtures/domain-events-v3.hex");

/// The ids and dates every golden instance is built from, shared by the event and the
/// command fixtures so that both name the same seed-case entities.
pub(crate) struct Sample {
    pub(crate) dec: crate::DecisionId,
    pub(crate) u: crate::UnitId,
    pub(crate) p: crate::PersonId,
    pub(crate) c: crate::CommitteeId,
    pub(crate) post_id: crate::PostId,
    pub(crate) seat: crate::SeatId,
    pub(crate) membership: crate::MembershipId,
    pub(crate) holding: crate::HoldingId,
    pub(crate) task: crate::TaskId,
    pub(crate) target: crate::EventId,
    pub(crate) assignment: crate::Assignment,
    pub(crate) on: crate::Date,
    pub(crate) later: crate::Date,
}

pub(crate) fn sample() -> Sample {
    let u = unit("cuc-tin-hoc-hoa");
    let p = person("pham-minh-tien");
    Sample {
        dec: decision("qd-34-2022"),
        u,
        p,
        c: committee("bcd-cchc-bo-tttt"),
        post_id: post("thu-truong-bo-tttt"),
        seat: crate::SeatId::from_slug("bcd-cchc-bo-tttt/truong-ban").unwrap(),
        membership: crate::MembershipId::from_slug("bcd-cchc-bo-tttt/truong-ban/qd-34-2022")
            .unwrap(),
        holding: crate::HoldingId::from_slug("thu-truong-bo-tttt/pham-minh-tien").unwrap(),
        task: crate::TaskId::from_slug("nv-1").unwrap(),
        target: crate::EventId::from_uuid(uuid::Uuid::from_u128(
            0x0190_b0c1_0000_7000_8000_0000_0000_0001,
        )),
        assignment: crate::Assignment {
            lead: u,
            cooperating: vec![unit("van-phong-bo")],
            responsible: Some(p),
        },
        on: d("2022-01-14"),
        later: d("2022-06-30"),
    }
}

/// One event of every variant, with every optional field filled where it has one.
pub(crate) fn every_event() -> Vec<Event> {
    let Sample {
        dec,
        u,
        p,
        c,
        post_id,
        seat,
        membership,
        holding,
        task,
        target,
        assignment,
        on,
        later,
    } = sample();
    vec![
        Event::UnitEstablished(UnitEstablishment {
            unit: u,
            name: name("Cục Tin học hóa"),
            kind: crate::UnitKind::Authority,
            parent: Some(unit("bo-tttt")),
            on,
            decision: Some(dec),
        }),
        Event::UnitRenamed(UnitRenaming {
            unit: u,
            name: name("Cục Chuyển đổi số quốc gia"),
            on,
            decision: Some(dec),
        }),
        Event::UnitMoved(UnitMove {
            unit: u,
            parent: None,
            on,
            decision: Some(dec),
        }),
        Event::UnitMerged(UnitMerger {
            unit: u,
            into: unit("bo-tttt"),
            on,
            decision: Some(dec),
        }),
        Event::UnitDissolved(UnitDissolution {
            unit: u,
            on,
            decision: None,
        }),
        Event::PersonRegistered(PersonName {
            person: p,
            name: name("Phạm Minh Tiến"),
            on,
        }),
        Event::PersonRenamed(PersonName {
            person: p,
            name: name("Phạm Minh Tiến"),
            on,
        }),
        Event::PostCreated(PostCreation {
            post: post_id,
            title: name("Thứ trưởng"),
            unit: Some(u),
            max_holders: 5,
            on,
            decision: Some(dec),
        }),
        Event::PostHolderAppointed(PostAppointment {
            post: post_id,
            holding,
            person: p,
            from: on,
            ended_on: Some(later),
            decision: Some(dec),
        }),
        Event::PostHolderLeft(PostDeparture {
            post: post_id,
            holding,
            ended_on: later,
            decision: Some(dec),
        }),
        Event::PostAbolished(PostAbolition {
            post: post_id,
            on,
            decision: None,
        }),
        Event::DecisionRecorded(DecisionRecord {
            decision: dec,
            number: "34/QĐ-BTTTT".to_owned(),
            kind: crate::DecisionKind::Decision,
            issuer: unit("bo-tttt"),
            signer: Some(p),
            signed_on: on,
            in_force_on: on,
            title: "Kiện toàn".to_owned(),
            amends: vec![decision("a")],
            replaces: vec![decision("b")],
            repeals: vec![decision("c")],
        }),
        Event::CommitteeEstablished(CommitteeEstablishment {
            committee: c,
            name: name("Ban chỉ đạo"),
            parent: Some(committee("x")),
            unit: Some(u),
            on,
            decision: dec,
        }),
        Event::CommitteeRenamed(CommitteeRenaming {
            committee: c,
            name: name("Ban chỉ đạo mới"),
            on,
            decision: dec,
        }),
        Event::DutiesSet(CommitteeDuties {
            committee: c,
            duties: vec!["Tham mưu".to_owned()],
            on,
            decision: dec,
        }),
        Event::SeatCreated(SeatCreation {
            committee: c,
            seat,
            role: crate::Role::Head,
            on_behalf_of: Some(u),
            ex_officio: Some(post_id),
            label: Some("Trưởng ban".to_owned()),
            from: on,
            ended_on: Some(later),
            decision: dec,
        }),
        Event::SeatAbolished(SeatAbolition {
            committee: c,
            seat,
            ended_on: later,
            decision: dec,
        }),
        Event::MembershipStarted(MembershipStart {
            committee: c,
            membership,
            seat,
            person: p,
            from: on,
            ended_on: Some(later),
            decision: dec,
        }),
        Event::MembershipEnded(MembershipEnd {
            committee: c,
            membership,
            ended_on: later,
            decision: dec,
        }),
        Event::CommitteeDissolved(CommitteeDissolution {
            committee: c,
            on: later,
            decision: dec,
        }),
        Event::TaskCreated(TaskCreation {
            task,
            plan: Some(dec),
            title: "Nhiệm vụ 1".to_owned(),
            product: "Báo cáo".to_owned(),
            deadline: later,
            assignment: Some(assignment.clone()),
            on,
        }),
        Event::TaskAssigned(TaskAssignment {
            task,
            assignment: assignment.clone(),
            on,
            decision: None,
        }),
        Event::TaskReassigned(TaskAssignment {
            task,
            assignment,
            on,
            decision: None,
        }),
        Event::TaskDeadlineExtended(DeadlineExtension {
            task,
            deadline: later,
            on,
            decision: None,
        }),
        Event::TaskProgressReported(TaskProgress {
            task,
            percent: 60,
            note: "Đang làm".to_owned(),
            evidence: Evidence {
                note: Some("Báo cáo số 1".to_owned()),
                documents: vec![
                    EvidenceDocument {
                        number: Some("123/BC-BTTTT".to_owned()),
                        title: Some("Báo cáo kết quả cải cách hành chính".to_owned()),
                        link: Some("https://mic.gov.vn/van-ban/123-bc-btttt.pdf".to_owned()),
                        sha256: Some(
                            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
                                .to_owned(),
                        ),
                    },
                    EvidenceDocument {
                        number: None,
                        title: Some("Biên bản họp".to_owned()),
                        link: None,
                        sha256: None,
                    },
                ],
            },
            on,
            decision: None,
        }),
        Event::TaskCompleted(TaskStatusChange {
            task,
            on,
            decision: None,
        }),
        Event::TaskCancelled(TaskStatusChange {
            task,
            on,
            decision: None,
        }),
        Event::TaskReopened(TaskStatusChange {
            task,
            on,
            decision: None,
        }),
        Event::Corrected {
            target,
            corrected: Box::new(Event::PersonRenamed(PersonName {
                person: p,
                name: name("Phạm Minh Tiến"),
                on,
            })),
        },
        Event::Retracted(Retraction {
            target,
            entity: EntityKey::Person(p),
            on,
        }),
        Event::SeatHolderDesignated(SeatHolderDesignation {
            committee: c,
            seat,
            person: p,
            on,
            decision: dec,
        }),
        Event::DecisionLinked(DecisionLink {
            decision: dec,
            url: "https://example.org/van-ban/34-qd-btttt".to_owned(),
            note: Some("Cổng thông tin Bộ TT&TT".to_owned()),
            on,
        }),
    ]
}

/// `every_event()` as schemas 1 and 2 could hold it: evidence only as free text.
fn without_documents(events: Vec<Event>) -> Vec<Event> {
    events
        .into_iter()
        .map(|mut e| {
            if let Event::TaskProgressReported(TaskProgress { evidence, .. }) = &mut e {
                evidence.documents.clear();
            }
            e
        })
        .collect()
}

/// How many variants schemas 1 and 2 had (up to `SeatHolderDesignated`): they are frozen, so
/// a variant added later is only in schema 3's fixture.
const FROZEN_VARIANTS: usize = 31;

fn frozen_variants(events: Vec<Event>) -> Vec<Event> {
    events.into_iter().take(FROZEN_VARIANTS).collect()
}

fn lines(text: &str) -> Vec<(&str, Vec<u8>)> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (name, hex) = l.split_once(' ').unwrap();
            (name, unhex(hex))
        })
        .collect()
}

#[test]
fn the_builder_covers_every_variant() {
    let made: BTreeSet<String> = every_event().iter().map(variant_name).collect();
    let all: BTreeSet<String> = variant_names::<Event>().into_iter().collect();
    assert_eq!(made, all);
}

/// Each line of a frozen schema's fixture, read as that schema and turned into today's events
/// by `upcast`, is the sample event of its place as the schema could hold it.
fn assert_frozen_schema_decodes(fixture: &str, schema: u32, upcast: impl Fn(&[u8]) -> Event) {
    let expected = frozen_variants(without_documents(every_event()));
    let found = lines(fixture);
    assert_eq!(
        found.len(),
        expected.len(),
        "one line per variant of schema {schema}"
    );
    for ((name, bytes), want) in found.iter().zip(&expected) {
        let event = upcast(bytes);
        assert_eq!(&event, want, "{name}");
        assert_eq!(event.type_name(), *name);
    }
}

#[test]
fn schema_1_payloads_decode_to_the_same_events_citing_no_decision() {
    assert_frozen_schema_decodes(V1, 1, |bytes| {
        let old: EventV1 = reformlog_store::decode_payload(bytes).unwrap();
        Event::from(EventV2::from(old))
    });
}

#[test]
fn schema_2_payloads_decode_to_the_same_events_with_evidence_as_the_note() {
    assert_frozen_schema_decodes(V2, 2, |bytes| {
        let old: EventV2 = reformlog_store::decode_payload(bytes).unwrap();
        Event::from(old)
    });
}

#[test]
fn schema_3_payloads_keep_their_bytes() {
    let expected = every_event();
    let found = lines(V3);
    assert_eq!(found.len(), expected.len(), "one line per variant");
    for ((name, bytes), want) in found.iter().zip(&expected) {
        let event: Event = reformlog_store::decode_payload(bytes).unwrap();
        assert_eq!(&event, want, "{name}");
        assert_eq!(
            &reformlog_store::encode_payload(want).unwrap(),
            bytes,
            "{name}"
        );
    }
}

/// Writes the schema-3 fixture; run once when schema 3 is introduced, never again
/// (`cargo test -p reformlog write_the_schema_3_fixture -- --ignored`).
#[test]
#[ignore = "writes a committed fixture"]
fn write_the_schema_3_fixture() {
    let mut out = String::new();
    for e in every_event() {
        let bytes = reformlog_store::encode_payload(&e).unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        out.push_str(&format!("{} {hex}\n", e.type_name()));
    }
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/domain-events-v3.hex"
    );
    std::fs::write(path, out).unwrap();
}
