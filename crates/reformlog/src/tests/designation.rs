//! A seat held through a post that several people hold at once: before any designation every
//! holder sits; a decision designates which one, and a later one another; compositions and
//! person histories follow, in the fold and in the read models.

use super::engine::{brute, ctx, open};
use super::support::*;
use crate::payload::{CommitteeCharter, PersonName, PostAppointment, SeatHolderDesignation};
use crate::{Command, DomainError, HoldingId, KnownAt, Query, Role, Seed};

const DEC: &str = "hypothetical-designation";
const BT: &str = "ban-thu-nghiem-designation";

fn dec() -> crate::DecisionId {
    decision(DEC)
}

fn bt() -> crate::CommitteeId {
    committee(BT)
}

fn the_seat() -> crate::SeatId {
    Seed::seat_id(BT, "pho-truong-ban").unwrap()
}

/// After the seed: a hypothetical decision, a test committee whose deputy head sits as "a
/// Deputy Minister" from 2022-02-01, and a hypothetical second Deputy Minister ("Thành viên
/// 22", a placeholder) from 2022-03-01.
fn steps() -> Vec<Command> {
    let mut spec = seat_spec("unused", Role::DeputyHead);
    spec.seat = the_seat();
    spec.ex_officio = Some(post("thu-truong-bo-tttt"));
    vec![
        ministry_document(
            dec(),
            "HYPOTHETICAL-90/QĐ-BTTTT",
            crate::DecisionKind::Decision,
            "2022-02-01",
            "Hypothetical decision for tests; not a real document",
        ),
        Command::EstablishCommittee(CommitteeCharter {
            committee: bt(),
            name: name("Ban thử nghiệm (giả định)"),
            parent: None,
            unit: Some(unit("bo-tttt")),
            on: d("2022-02-01"),
            decision: dec(),
            duties: Vec::new(),
        }),
        Command::RegisterPerson(PersonName {
            person: person("thanh-vien-22"),
            name: name("Thành viên 22"),
            on: d("2022-01-01"),
        }),
        Command::AppointToPost(PostAppointment {
            post: post("thu-truong-bo-tttt"),
            holding: HoldingId::from_slug("thu-truong-bo-tttt/thanh-vien-22").unwrap(),
            person: person("thanh-vien-22"),
            from: d("2022-03-01"),
            ended_on: None,
            decision: Some(dec()),
        }),
        Command::CreateSeat {
            committee: bt(),
            spec,
            on: d("2022-02-01"),
            decision: dec(),
        },
    ]
}

fn world() -> (World, crate::CommitteeId, crate::DecisionId, crate::SeatId) {
    let mut w = seeded();
    for c in steps() {
        w.exec(c).unwrap();
    }
    (w, bt(), dec(), the_seat())
}

fn designate(
    c: crate::CommitteeId,
    seat: crate::SeatId,
    who: &str,
    on: &str,
    dec: crate::DecisionId,
) -> Command {
    Command::DesignateSeatHolder(SeatHolderDesignation {
        committee: c,
        seat,
        person: person(who),
        on: d(on),
        decision: dec,
    })
}

fn sitting(w: &World, c: crate::CommitteeId, on: &str) -> Vec<crate::PersonId> {
    let comp = w.k.composition(c, d(on)).unwrap();
    comp.seats
        .iter()
        .flat_map(|s| s.holders.iter().map(|h| h.person.id))
        .collect()
}

#[test]
fn every_holder_sits_until_a_decision_designates_one() {
    let (mut w, c, _, seat) = world();
    let dung = person("nguyen-huy-dung");
    let other = person("thanh-vien-22");
    assert_eq!(sitting(&w, c, "2022-03-15").len(), 2);
    let d2 = hypothetical_decision(&mut w, 71, "2022-04-01");
    w.exec(designate(c, seat, "nguyen-huy-dung", "2022-04-01", d2))
        .unwrap();
    let d3 = hypothetical_decision(&mut w, 72, "2023-01-01");
    w.exec(designate(c, seat, "thanh-vien-22", "2023-01-01", d3))
        .unwrap();

    assert_eq!(sitting(&w, c, "2022-03-15"), vec![dung, other]);
    assert_eq!(sitting(&w, c, "2022-04-01"), vec![dung]);
    assert_eq!(sitting(&w, c, "2023-01-01"), vec![other]);
    let comp = w.k.composition(c, d("2023-06-01")).unwrap();
    let h = &comp.seats[0].holders[0];
    assert_eq!(h.since, d("2023-01-01"));
    assert_eq!(h.decision.as_ref().map(|x| x.id), Some(d3));

    // The spans each sat ex officio on the committee, by their own histories.
    let spans = |who| -> Vec<_> {
        w.k.person_history(who)
            .unwrap()
            .ex_officio
            .iter()
            .filter(|x| x.committee == c)
            .map(|x| (x.from, x.ended_on))
            .collect()
    };
    // Nguyễn Huy Dũng's history: with every holder, then designated, until 2023-01-01.
    assert_eq!(
        spans(dung),
        vec![
            (d("2022-02-01"), Some(d("2022-04-01"))),
            (d("2022-04-01"), Some(d("2023-01-01")))
        ]
    );
    assert_eq!(
        spans(other),
        vec![
            (d("2022-03-01"), Some(d("2022-04-01"))),
            (d("2023-01-01"), None)
        ]
    );
}

#[test]
fn only_a_holder_of_the_post_can_be_designated_to_an_ex_officio_seat() {
    let (mut w, c, dec, seat) = world();
    let err = w
        .exec(designate(c, seat, "pham-minh-tien", "2022-04-01", dec))
        .unwrap_err();
    assert!(matches!(err, DomainError::NotPostHolder { .. }), "{err}");
    // Before "Thành viên 22" holds the post, neither.
    let err = w
        .exec(designate(c, seat, "thanh-vien-22", "2022-02-15", dec))
        .unwrap_err();
    assert!(matches!(err, DomainError::NotPostHolder { .. }), "{err}");
    let personal = seat_id(BCD, "truong-ban");
    let err = w
        .exec(designate(
            committee(BCD),
            personal,
            "nguyen-huy-dung",
            "2022-04-01",
            dec,
        ))
        .unwrap_err();
    assert!(matches!(err, DomainError::NotExOfficio { .. }), "{err}");
    w.exec(designate(c, seat, "nguyen-huy-dung", "2022-04-01", dec))
        .unwrap();
    let err = w
        .exec(designate(c, seat, "thanh-vien-22", "2022-04-01", dec))
        .unwrap_err();
    assert!(
        matches!(err, DomainError::AlreadyDesignated { .. }),
        "{err}"
    );
}

fn seat_id(committee: &str, slug: &str) -> crate::SeatId {
    Seed::seat_id(committee, slug).unwrap()
}

#[test]
fn the_read_models_answer_designations_as_the_fold_does_before_and_after_a_rebuild() {
    let (_dir, log) = open();
    log.load_seed(&Seed::parse(SEED).unwrap(), &ctx()).unwrap();
    log.execute_all(steps(), &ctx()).unwrap();
    let middle = log.store().head_position();
    log.execute(
        designate(bt(), the_seat(), "nguyen-huy-dung", "2022-04-01", dec()),
        &ctx(),
    )
    .unwrap();
    log.execute(
        designate(bt(), the_seat(), "thanh-vien-22", "2023-01-01", dec()),
        &ctx(),
    )
    .unwrap();
    let check = |log: &crate::Reformlog| {
        for known_at in [None, Some(KnownAt::Position(middle))] {
            let fold = brute(log, known_at);
            for on in ["2022-03-15", "2022-04-01", "2023-01-01"] {
                let q = Query::Composition {
                    committee: bt(),
                    on: d(on),
                };
                assert_eq!(
                    log.query(&q, known_at).unwrap(),
                    fold.answer(&q).unwrap(),
                    "{on}"
                );
            }
            for who in ["nguyen-huy-dung", "thanh-vien-22"] {
                let q = Query::PersonHistory {
                    person: person(who),
                };
                assert_eq!(
                    log.query(&q, known_at).unwrap(),
                    fold.answer(&q).unwrap(),
                    "{who}"
                );
            }
        }
    };
    check(&log);
    log.rebuild().unwrap();
    check(&log);
    // As known before the designations, both Deputy Ministers sit in 2023.
    let q = Query::Composition {
        committee: bt(),
        on: d("2023-06-01"),
    };
    let crate::Answer::Composition(then) = log.query(&q, Some(KnownAt::Position(middle))).unwrap()
    else {
        panic!()
    };
    assert_eq!(then.holder_count(), 2);
    let crate::Answer::Composition(now) = log.query(&q, None).unwrap() else {
        panic!()
    };
    assert_eq!(now.holder_count(), 1);
}
