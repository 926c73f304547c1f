//! The embedding API over a real store: codec, read-your-writes, idempotency keys,
//! expected revisions, execute_all atomicity, rebuild and request-type strictness.

use super::support::*;
use crate::payload::{CommitteeDuties, CommitteeRenaming, PersonName, Retraction};
use crate::{
    decode_event, Answer, Command, Context, EntityKey, EntityKind, Error, Event, EventId,
    Knowledge, KnownAt, MembershipId, Query, Reformlog, Role, Seed,
};
use reformlog_store::{Direction, EventFilter};

pub(crate) fn open() -> (tempfile::TempDir, Reformlog) {
    let dir = tempfile::tempdir().unwrap();
    let log = Reformlog::open(dir.path()).unwrap();
    (dir, log)
}

pub(crate) fn ctx() -> Context {
    Context::new("thu-ky").with_reason("kiểm thử")
}

pub(crate) fn seeded_log() -> (tempfile::TempDir, Reformlog) {
    let (dir, log) = open();
    let seed = Seed::parse(SEED).unwrap();
    log.load_seed(&seed, &ctx()).unwrap();
    (dir, log)
}

/// The brute-force fold over the log as read back from the store.
pub(crate) fn brute(log: &Reformlog, known_at: Option<KnownAt>) -> Knowledge {
    let page = log
        .store()
        .read_all(None, Direction::Forward, usize::MAX, &EventFilter::all())
        .unwrap();
    let recorded: Vec<crate::Recorded> = page
        .events
        .iter()
        .map(|r| crate::codec::to_recorded(r).unwrap())
        .collect();
    Knowledge::from_log(&recorded, known_at)
}

#[test]
fn every_event_of_the_seed_round_trips_through_the_store_codec() {
    let (_dir, log) = seeded_log();
    let page = log
        .store()
        .read_all(None, Direction::Forward, usize::MAX, &EventFilter::all())
        .unwrap();
    assert!(page.events.len() > 100);
    for r in &page.events {
        let e = decode_event(r).unwrap();
        assert_eq!(e.type_name(), r.event_type);
        assert_eq!(e.entity().stream_name(), r.stream);
        assert_eq!(
            r.metadata.extra.get("valid_from").unwrap(),
            &e.valid_from().to_string()
        );
    }
    // The variants whose fields are enums with tags (EntityKey) and boxes.
    let target = EventId::new();
    for e in [
        Event::Retracted(Retraction {
            target,
            entity: EntityKey::Person(person("to-vien-3")),
            on: d("2022-02-01"),
        }),
        Event::Corrected {
            target,
            corrected: Box::new(Event::PersonRenamed(PersonName {
                person: person("to-vien-3"),
                name: name("Tổ viên 3"),
                on: d("2022-02-01"),
            })),
        },
    ] {
        let bytes = reformlog_store::encode_payload(&e).unwrap();
        let back: Event = reformlog_store::decode_payload(&bytes).unwrap();
        assert_eq!(back, e);
    }
}

#[test]
fn seed_composition_matches_the_fold() {
    let (_dir, log) = seeded_log();
    let q = Query::Composition {
        committee: committee(BCD),
        on: d("2022-01-15"),
    };
    let a = log.query(&q, None).unwrap();
    assert_eq!(a, brute(&log, None).answer(&q).unwrap());
    let Answer::Composition(c) = a else { panic!() };
    assert_eq!(c.holder_count(), 51);
    assert_eq!(log.read_model_position(), log.store().head_position());
}

#[test]
fn an_idempotency_key_makes_a_retry_a_no_op_and_refuses_another_command() {
    let (_dir, log) = seeded_log();
    let c = ctx().with_idempotency_key("yeu-cau-1");
    let first = log
        .execute(rename("to-vien-3", "Tổ viên 3 (mới)"), &c)
        .unwrap();
    assert!(!first.deduplicated);
    let head = log.store().head_position();
    let again = log
        .execute(rename("to-vien-3", "Tổ viên 3 (mới)"), &c)
        .unwrap();
    assert!(again.deduplicated);
    assert_eq!(again.first_position, first.first_position);
    assert_eq!(again.events, first.events);
    assert_eq!(log.store().head_position(), head);
    let err = log
        .execute(rename("to-vien-3", "Tổ viên 3 (khác)"), &c)
        .unwrap_err();
    assert!(matches!(err, Error::IdempotencyConflict { key } if key == "yeu-cau-1"));
    // The same command with another reason or source is another request, not a retry.
    for other in [
        c.clone().with_reason("lý do khác"),
        c.clone().with_source("34/QĐ-BTTTT"),
    ] {
        let err = log
            .execute(rename("to-vien-3", "Tổ viên 3 (mới)"), &other)
            .unwrap_err();
        assert!(matches!(err, Error::IdempotencyConflict { .. }), "{err:?}");
    }
    assert_eq!(log.store().head_position(), head);
    // Without a key the same command is a new change.
    let other = log.execute(rename("to-vien-3", "Tổ viên 3 (mới)"), &ctx());
    assert!(other.is_ok());
}

#[test]
fn expected_revision_is_checked_against_the_main_entity() {
    let (_dir, log) = seeded_log();
    let key = EntityKey::Person(person("to-vien-3"));
    let rev = log.revision(key).unwrap().unwrap();
    let stale = ctx().with_expected_revision(rev + 1);
    let err = log
        .execute(rename("to-vien-3", "Tổ viên 3 (a)"), &stale)
        .unwrap_err();
    assert!(matches!(
        err,
        Error::RevisionMismatch { expected, actual: Some(a), .. } if expected == rev + 1 && a == rev
    ));
    log.execute(
        rename("to-vien-3", "Tổ viên 3 (a)"),
        &ctx().with_expected_revision(rev),
    )
    .unwrap();
    assert_eq!(log.revision(key).unwrap(), Some(rev + 1));
    // The summary carries the same revision, for an ETag.
    let s = log.entity(key, d("2022-03-02"), None).unwrap().unwrap();
    assert_eq!(s.revision, rev + 1);
    assert_eq!(s.name.as_deref(), Some("Tổ viên 3 (a)"));
    // A new entity has no stream yet.
    let err = log
        .execute(
            Command::RegisterPerson(PersonName {
                person: person("thanh-vien-moi"),
                name: name("Thành viên 22"),
                on: d("2022-03-01"),
            }),
            &ctx().with_expected_revision(0),
        )
        .unwrap_err();
    assert!(matches!(err, Error::RevisionMismatch { actual: None, .. }));
}

#[test]
fn execute_all_is_all_or_nothing_and_decides_in_sequence() {
    let (_dir, log) = seeded_log();
    let head = log.store().head_position();
    let dec = crate::DecisionId::from_slug("hypothetical-50").unwrap();
    let record = ministry_document(
        dec,
        "HYPOTHETICAL-50/QĐ-BTTTT",
        crate::DecisionKind::Decision,
        "2022-06-01",
        "Hypothetical decision for tests; not a real document",
    );
    let replace = |who: &str| Command::ReplaceSeatHolder {
        committee: committee(BCD),
        seat: seat(BCD, "pho-truong-ban-2"),
        membership: MembershipId::from_slug(&format!("hypothetical-50-{who}")).unwrap(),
        person: person(who),
        on: d("2022-06-01"),
        decision: dec,
    };
    // The second replacement fails (the person already sits), so nothing is appended.
    let err = log
        .execute_all(
            vec![
                record.clone(),
                replace("to-vien-5"),
                replace("nguyen-huy-dung"),
            ],
            &ctx(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Domain(_)));
    assert_eq!(log.store().head_position(), head);
    // The replacement cites the decision recorded by the first command of the same call.
    let done = log
        .execute_all(vec![record, replace("to-vien-5")], &ctx())
        .unwrap();
    assert_eq!(done.last_position - done.first_position + 1, 3);
    assert_eq!(done.events[0].1, "decision_recorded");
    assert_eq!(log.read_model_position(), done.last_position);
    let q = Query::Composition {
        committee: committee(BCD),
        on: d("2022-06-02"),
    };
    let Answer::Composition(c) = log.query(&q, None).unwrap() else {
        panic!()
    };
    let deputy = c
        .seats
        .iter()
        .find(|s| s.seat == seat(BCD, "pho-truong-ban-2"))
        .unwrap();
    assert_eq!(deputy.holders[0].person.id, person("to-vien-5"));
    assert_eq!(deputy.role, Role::DeputyHead);
}

#[test]
fn concurrent_writers_to_one_committee_are_all_recorded() {
    let (_dir, log) = seeded_log();
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let log = log.clone();
            std::thread::spawn(move || {
                for j in 0..5 {
                    log.execute(
                        Command::SetDuties(CommitteeDuties {
                            committee: committee(BCD),
                            duties: vec![format!("Nhiệm vụ {i}-{j}")],
                            on: d("2022-02-01"),
                            decision: decision("qd-34-2022"),
                        }),
                        &ctx(),
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let h = log
        .query(
            &Query::History {
                entity: EntityKey::Committee(committee(BCD)),
            },
            None,
        )
        .unwrap();
    let Answer::History(h) = h else { panic!() };
    assert_eq!(h.iter().filter(|e| e.what == "duties_set").count(), 1 + 20);
}

#[test]
fn reopening_keeps_the_read_models_and_rebuild_changes_no_answer() {
    let dir = tempfile::tempdir().unwrap();
    let q = Query::Composition {
        committee: committee(BCD),
        on: d("2022-01-15"),
    };
    let before = {
        let log = Reformlog::open(dir.path()).unwrap();
        log.load_seed(&Seed::parse(SEED).unwrap(), &ctx()).unwrap();
        log.query(&q, None).unwrap()
    };
    let log = Reformlog::open(dir.path()).unwrap();
    assert_eq!(log.read_model_position(), log.store().head_position());
    assert_eq!(log.query(&q, None).unwrap(), before);
    let units = log.list(EntityKind::Unit, d("2022-01-15"), None).unwrap();
    log.rebuild().unwrap();
    assert_eq!(log.query(&q, None).unwrap(), before);
    assert_eq!(
        log.list(EntityKind::Unit, d("2022-01-15"), None).unwrap(),
        units
    );
    assert_eq!(units.len(), 25);
}

#[test]
fn request_types_refuse_unknown_fields() {
    let ok = r#"{"rename_person":{"person":"6b2f1e0a-3c55-4d8e-9a41-7d02c39e5f11","name":"Tổ viên 3","on":"2022-03-01"}}"#;
    assert!(serde_json::from_str::<Command>(ok).is_ok());
    let extra = ok.replace(r#""on":"2022-03-01""#, r#""on":"2022-03-01","by":"x""#);
    assert!(serde_json::from_str::<Command>(&extra).is_err());
    let q = r#"{"search":{"text":"tien","limit":3}}"#;
    assert!(serde_json::from_str::<Query>(q).is_err());
    let key = r#"{"kind":"unit","id":"6b2f1e0a-3c55-4d8e-9a41-7d02c39e5f11","x":1}"#;
    assert!(serde_json::from_str::<EntityKey>(key).is_err());
    let key = r#"{"kind":"unit","id":"6b2f1e0a-3c55-4d8e-9a41-7d02c39e5f11"}"#;
    assert!(serde_json::from_str::<EntityKey>(key).is_ok());
}

#[test]
fn pages_of_a_listing_add_up_to_the_whole_listing() {
    let (_dir, log) = seeded_log();
    let known_before_import = Some(KnownAt::Position(3));
    for kind in [
        EntityKind::Person,
        EntityKind::Unit,
        EntityKind::Committee,
        EntityKind::Post,
    ] {
        for (on, known_at) in [
            (d("2022-02-01"), None),
            (d("2021-06-01"), None),
            (d("2022-02-01"), known_before_import),
        ] {
            let whole = log.list(kind, on, known_at).unwrap();
            for limit in [1, 7, 100] {
                let mut paged = Vec::new();
                let mut after = None;
                loop {
                    let page = log.list_page(kind, on, known_at, after, limit).unwrap();
                    assert!(page.items.len() <= limit);
                    paged.extend(page.items);
                    match page.next {
                        Some(next) => after = Some(next),
                        None => break,
                    }
                }
                assert_eq!(
                    paged, whole,
                    "{kind:?} on {on} known at {known_at:?}, pages of {limit}"
                );
            }
        }
    }
}

#[test]
fn a_rebuild_stopped_by_an_undecodable_event_reports_it_and_leaves_no_checkpoint() {
    use reformlog_store::{ExpectedRevision, Metadata, NewEvent};
    let dir = tempfile::tempdir().unwrap();
    let log = Reformlog::open(dir.path()).unwrap();
    log.load_seed(&Seed::parse(SEED).unwrap(), &ctx()).unwrap();
    // A domain stream's event whose body is not an event, then events of another stream,
    // so that both decoding lanes have pages left when the first meets it.
    let stream = EntityKey::Unit(crate::UnitId::new()).stream_name();
    let bad = NewEvent::new(
        "unit_established",
        crate::codec::SCHEMA_VERSION,
        vec![0xFF; 7],
        Metadata::by("tests"),
    );
    let bad_at = log
        .store()
        .append(&stream, ExpectedRevision::NoStream, vec![bad])
        .unwrap()
        .last_position;
    for i in 0..20 {
        let other = NewEvent::new("note", 1, vec![i], Metadata::by("tests"));
        log.store()
            .append("notes", ExpectedRevision::Any, vec![other])
            .unwrap();
    }
    log.spill_always();
    let err = log.rebuild().unwrap_err();
    assert!(matches!(err, crate::Error::Codec(_)), "{err:?}");
    assert!(
        err.to_string().contains(&format!("position {bad_at}")),
        "{err}"
    );
    // What the rebuild wrote stays hidden, and the next open tries again and says why not.
    assert_eq!(log.read_model_position(), 0);
    assert!(log
        .query(
            &Query::Composition {
                committee: committee(BCD),
                on: d("2022-01-15"),
            },
            None,
        )
        .is_err());
    drop(log);
    let err = Reformlog::open(dir.path()).unwrap_err();
    assert!(
        err.to_string().contains(&format!("position {bad_at}")),
        "{err}"
    );
}

#[test]
fn committee_summaries_read_without_memberships_match_the_fold_with_or_without_tails() {
    let dir = tempfile::tempdir().unwrap();
    {
        let log = Reformlog::open(dir.path()).unwrap();
        log.load_seed(&Seed::parse(SEED).unwrap(), &ctx()).unwrap();
    }
    let keys = [
        EntityKey::Committee(committee(BCD)),
        EntityKey::Committee(committee(TGV)),
    ];
    let dates = [d("2022-01-10"), d("2022-02-01"), d("2024-06-01")];
    // Renames are facts: a rebuild that spills after every event leaves the last one in a
    // tail or in the row, by the parity of the stream's events; two rounds cover both.
    for (round, name) in ["Ban Chỉ đạo (tên mới)", "Ban Chỉ đạo (tên mới hơn)"]
        .into_iter()
        .enumerate()
    {
        {
            let log = Reformlog::open(dir.path()).unwrap();
            log.execute(
                Command::RenameCommittee(CommitteeRenaming {
                    committee: committee(BCD),
                    name: crate::Name::new(name).unwrap(),
                    on: d("2024-01-01"),
                    decision: decision("qd-34-2022"),
                }),
                &ctx(),
            )
            .unwrap();
            log.spill_always();
            log.rebuild().unwrap();
        }
        // A fresh open: no row is cached, so summaries read rows alone where they can.
        let log = Reformlog::open(dir.path()).unwrap();
        let k = brute(&log, None);
        for on in dates {
            for key in keys {
                let got = log.entity(key, on, None).unwrap();
                let want = crate::summary::summary(&k, key, on);
                assert_eq!(got, want, "round {round}: {key} on {on}");
            }
            let got = log.list(EntityKind::Committee, on, None).unwrap();
            assert_eq!(got, crate::summary::list(&k, EntityKind::Committee, on));
        }
        let page = log
            .list_page(EntityKind::Committee, d("2024-06-01"), None, None, 1)
            .unwrap();
        assert_eq!(page.items.len(), 1);
    }
}
