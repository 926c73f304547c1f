//! The Decision 34 seed case through the embedding API: composition before and after the
//! decision, a hypothetical late-recorded replacement and a name correction answered on both
//! time axes, idempotent seed loading, and answers that survive reopening the store.

use reformlog::{
    Answer, CommitteeId, Composition, Context, DecisionId, DecisionRecord, EntityKey, Event,
    KnownAt, MembershipId, Name, PersonId, PersonName, Query, Reformlog, Role, SeatId, Seed,
    Timestamp,
};

const SEED: &str = include_str!("../data/seed-decision-34.toml");
const BCD: &str = "bcd-cchc-bo-tttt";
const TGV: &str = "to-giup-viec";

fn d(s: &str) -> reformlog::Date {
    s.parse().unwrap()
}

fn committee(slug: &str) -> CommitteeId {
    CommitteeId::from_slug(slug).unwrap()
}

fn person(slug: &str) -> PersonId {
    PersonId::from_slug(slug).unwrap()
}

fn ctx() -> Context {
    Context::new("thu-ky").with_reason("nhập quyết định")
}

fn composition(log: &Reformlog, on: &str, known_at: Option<KnownAt>) -> Composition {
    let q = Query::Composition {
        committee: committee(BCD),
        on: d(on),
    };
    match log.query(&q, known_at).unwrap() {
        Answer::Composition(c) => c,
        other => panic!("unexpected answer {other:?}"),
    }
}

fn holders(c: &Composition, role: Role) -> Vec<String> {
    let mut out: Vec<String> = c
        .seats
        .iter()
        .chain(c.sub_bodies.iter().flat_map(|b| b.seats.iter()))
        .filter(|s| s.role == role)
        .flat_map(|s| s.holders.iter())
        .map(|h| h.person.name.as_ref().unwrap().to_string())
        .collect();
    out.sort();
    out
}

fn check_decision_34(c: &Composition) {
    assert!(c.active);
    assert_eq!(holders(c, Role::Head), ["Nguyễn Huy Dũng"]);
    assert_eq!(
        holders(c, Role::DeputyHead),
        ["Phạm Minh Tiến", "Đỗ Công Anh"]
    );
    let members: Vec<_> = c.seats.iter().filter(|s| s.role == Role::Member).collect();
    assert_eq!(members.len(), 21);
    assert!(members.iter().all(|s| s.on_behalf_of.is_some()));
    assert_eq!(c.sub_bodies.len(), 1);
    let group = &c.sub_bodies[0];
    assert_eq!(group.committee, committee(TGV));
    assert_eq!(group.holder_count(), 27);
    assert_eq!(holders(c, Role::GroupLeader), ["Phạm Minh Tiến"]);
    assert_eq!(
        holders(c, Role::DeputyGroupLeader),
        ["Nguyễn Phú Tiến", "Đỗ Công Anh"]
    );
}

#[test]
fn decision_34_on_both_time_axes() {
    let dir = tempfile::tempdir().unwrap();
    let seed = Seed::parse(SEED).unwrap();
    let (late_at, corrected_at, before_late_time);
    {
        let log = Reformlog::open(dir.path()).unwrap();
        let loaded = log.load_seed(&seed, &ctx()).unwrap();
        assert!(loaded > 100);
        let head = log.store().head_position();
        // Loading the same seed again appends nothing.
        assert_eq!(log.load_seed(&seed, &ctx()).unwrap(), 0);
        assert_eq!(log.store().head_position(), head);

        // Before the decision the committee did not exist; from 2022-01-14 it has the
        // composition of the article.
        let before = composition(&log, "2022-01-13", None);
        assert!(!before.active && before.seats.is_empty());
        check_decision_34(&composition(&log, "2022-01-14", None));
        check_decision_34(&composition(&log, "2022-06-30", None));

        // Everything so far is the "known before the late entry" position.
        let known_before = log.store().head_position();
        before_late_time = Timestamp::from_micros(
            log.store()
                .read_event(known_before)
                .unwrap()
                .unwrap()
                .recorded_at
                .as_micros(),
        );
        // HYPOTHETICAL: a later decision (not a real document) replaces deputy head Đỗ Công
        // Anh by Nguyễn Phú Tiến from 2022-05-01, and is only recorded now, after queries
        // about May were already answered.
        let hypothetical = DecisionId::from_slug("hypothetical-replacement").unwrap();
        let replaced = log
            .execute_all(
                vec![
                    reformlog::Command::RecordDecision(DecisionRecord {
                        decision: hypothetical,
                        number: "HYPOTHETICAL-99/QĐ-BTTTT".to_owned(),
                        kind: reformlog::DecisionKind::Decision,
                        issuer: reformlog::UnitId::from_slug("bo-tttt").unwrap(),
                        signer: None,
                        signed_on: d("2022-04-28"),
                        in_force_on: d("2022-05-01"),
                        title: "Hypothetical decision for tests; not a real document".to_owned(),
                        amends: vec![DecisionId::from_slug("qd-34-2022").unwrap()],
                        replaces: Vec::new(),
                        repeals: Vec::new(),
                    }),
                    reformlog::Command::ReplaceSeatHolder {
                        committee: committee(BCD),
                        seat: Seed::seat_id(BCD, "pho-truong-ban-2").unwrap(),
                        membership: MembershipId::from_slug("hypothetical-99-deputy").unwrap(),
                        person: person("nguyen-phu-tien"),
                        on: d("2022-05-01"),
                        decision: hypothetical,
                    },
                ],
                &ctx().with_reason("nhập muộn quyết định"),
            )
            .unwrap();
        late_at = known_before;
        assert!(replaced.first_position > late_at);

        // A misspelt name is entered, then corrected; the correction cites the original.
        let misspelt = log
            .execute(
                reformlog::Command::RenamePerson(PersonName {
                    person: person("to-vien-3"),
                    name: Name::new("Tổ viện 3").unwrap(),
                    on: d("2022-02-01"),
                }),
                &ctx(),
            )
            .unwrap();
        let wrong_event = log
            .store()
            .read_event(misspelt.first_position)
            .unwrap()
            .unwrap()
            .event_id;
        corrected_at = log.store().head_position();
        log.execute(
            reformlog::Command::Correct {
                target: reformlog::EventId::from_uuid(wrong_event),
                corrected: Event::PersonRenamed(PersonName {
                    person: person("to-vien-3"),
                    name: Name::new("Tổ viên 3").unwrap(),
                    on: d("2022-02-01"),
                }),
            },
            &ctx().with_reason("sửa lỗi chính tả"),
        )
        .unwrap();
        check_answers(&log, late_at, corrected_at, before_late_time);
    }
    // Reopen: the log and the read models persist, and every answer is the same.
    let log = Reformlog::open(dir.path()).unwrap();
    assert_eq!(log.read_model_position(), log.store().head_position());
    check_answers(&log, late_at, corrected_at, before_late_time);
    assert_eq!(log.load_seed(&seed, &ctx()).unwrap(), 0);
    log.rebuild().unwrap();
    check_answers(&log, late_at, corrected_at, before_late_time);
}

fn check_answers(log: &Reformlog, late_at: u64, corrected_at: u64, before_late_time: Timestamp) {
    // As known now: from 2022-05-01 the hypothetical replacement holds the second deputy seat.
    let now = composition(log, "2022-05-15", None);
    assert_eq!(
        holders(&now, Role::DeputyHead),
        ["Nguyễn Phú Tiến", "Phạm Minh Tiến"]
    );
    assert_eq!(
        holders(&composition(log, "2022-04-30", None), Role::DeputyHead),
        ["Phạm Minh Tiến", "Đỗ Công Anh"]
    );
    // As known before the late entry (by position and by time): the same date still shows
    // the composition of Decision 34.
    for known in [
        KnownAt::Position(late_at),
        KnownAt::Timestamp(before_late_time),
    ] {
        check_decision_34(&composition(log, "2022-05-15", Some(known)));
    }

    // The name: corrected now, misspelt as known before the correction.
    let name_of = |known: Option<KnownAt>| {
        let c = composition(log, "2022-02-15", known);
        c.sub_bodies[0]
            .holding_of(person("to-vien-3"))
            .unwrap()
            .1
            .person
            .name
            .as_ref()
            .unwrap()
            .to_string()
    };
    assert_eq!(name_of(None), "Tổ viên 3");
    assert_eq!(name_of(Some(KnownAt::Position(corrected_at))), "Tổ viện 3");
    assert_eq!(name_of(Some(KnownAt::Position(late_at))), "Tổ viên 3");

    // Search finds the person by the folded name, diacritics-free.
    let Answer::Search(hits) = log
        .query(
            &Query::Search {
                text: "to vien 3".to_owned(),
            },
            None,
        )
        .unwrap()
    else {
        panic!("not a search answer")
    };
    assert!(hits
        .iter()
        .any(|h| h.entity == EntityKey::Person(person("to-vien-3"))));

    // The entity summary of the committee names its working group.
    let summary = log
        .entity(EntityKey::Committee(committee(BCD)), d("2022-05-15"), None)
        .unwrap()
        .unwrap();
    assert!(summary.active);
    match summary.details {
        reformlog::EntityDetails::Committee { sub_bodies, .. } => {
            assert_eq!(sub_bodies.len(), 1);
            assert_eq!(sub_bodies[0].id, committee(TGV));
        }
        other => panic!("unexpected details {other:?}"),
    }
    let seat: SeatId = Seed::seat_id(BCD, "pho-truong-ban-2").unwrap();
    assert!(now.seats.iter().any(|s| s.seat == seat));
}
