//! Property tests: random histories (with corrections and retractions) never break the
//! invariants, and "as known at K" equals what was believed when the log stood at K.

use super::support::*;
use crate::payload::{MembershipEnd, MembershipStart, SeatAbolition};
use crate::{Command, Event, EventId, Knowledge, KnownAt, MembershipId, Role, SeatId};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::sync::OnceLock;

const DAY0: &str = "2023-01-01";

fn day(n: u32) -> crate::Date {
    let mut x = d(DAY0);
    for _ in 0..n {
        x = x.next_day();
    }
    x
}

#[derive(Clone, Debug)]
enum Op {
    Start {
        seat: usize,
        who: usize,
        from: u32,
        len: Option<u32>,
    },
    End {
        which: usize,
        at: u32,
    },
    Replace {
        seat: usize,
        who: usize,
        at: u32,
    },
    Retract {
        which: usize,
    },
    CorrectStart {
        which: usize,
        from: u32,
    },
    MoveHeadEnd {
        at: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..4usize, 0..5usize, 0..60u32, proptest::option::of(1..40u32))
            .prop_map(|(seat, who, from, len)| Op::Start { seat, who, from, len }),
        2 => (0..16usize, 0..70u32).prop_map(|(which, at)| Op::End { which, at }),
        2 => (0..4usize, 0..5usize, 1..60u32).prop_map(|(seat, who, at)| Op::Replace { seat, who, at }),
        1 => (0..32usize).prop_map(|which| Op::Retract { which }),
        1 => (0..32usize, 0..60u32).prop_map(|(which, from)| Op::CorrectStart { which, from }),
        1 => (1..60u32).prop_map(|at| Op::MoveHeadEnd { at }),
    ]
}

struct Fixture {
    world: World,
    committee: crate::CommitteeId,
    decision: crate::DecisionId,
    seats: Vec<SeatId>,
    head_end: EventId,
}

/// The recorded log, the committee, its decision, its seats and the event ending seat 0.
type Base = (
    Vec<crate::Recorded>,
    crate::CommitteeId,
    crate::DecisionId,
    Vec<SeatId>,
    EventId,
);

fn fixture() -> &'static Base {
    static F: OnceLock<Base> = OnceLock::new();
    F.get_or_init(|| {
        let mut w = seeded();
        let (c, dec) = test_committee(&mut w, 90, DAY0);
        let roles = [Role::Head, Role::Head, Role::Member, Role::Member];
        let mut seats = Vec::new();
        let mut head_end = None;
        for (i, role) in roles.iter().enumerate() {
            let spec = seat_spec(&format!("p{i}"), *role);
            seats.push(spec.seat);
            let from = if i == 1 { day(30) } else { day(0) };
            w.exec(Command::CreateSeat {
                committee: c,
                spec,
                on: from,
                decision: dec,
            })
            .map_err(|e| format!("{i}: {e}"))
            .unwrap();
            if i == 0 {
                head_end = Some(
                    w.exec(Command::AbolishSeat(SeatAbolition {
                        committee: c,
                        seat: seats[0],
                        ended_on: day(30),
                        decision: dec,
                    }))
                    .unwrap()[0],
                );
            }
        }
        (w.log, c, dec, seats, head_end.unwrap())
    })
}

fn world() -> Fixture {
    let (log, committee, decision, seats, head_end) = fixture().clone();
    let mut world = World::new();
    for r in &log {
        world.k.apply(r.clone());
    }
    world.log = log;
    world.clock = d("2023-03-01").start_utc();
    Fixture {
        world,
        committee,
        decision,
        seats,
        head_end,
    }
}

const PEOPLE: [&str; 5] = [
    "to-vien-1",
    "to-vien-2",
    "to-vien-3",
    "to-vien-4",
    "to-vien-5",
];

fn command(f: &Fixture, op: &Op) -> Option<Command> {
    let c = f.committee;
    let dec = f.decision;
    let memberships: Vec<(EventId, Event)> = f
        .world
        .log
        .iter()
        .filter(|r| matches!(r.event, Event::MembershipStarted(MembershipStart { committee, .. }) if committee == c))
        .map(|r| (r.meta.event_id, r.event.clone()))
        .collect();
    let own_events: Vec<EventId> = f
        .world
        .log
        .iter()
        .filter(|r| r.event.entity() == crate::EntityKey::Committee(c) && r.event.is_fact())
        .map(|r| r.meta.event_id)
        .collect();
    Some(match op {
        Op::Start {
            seat,
            who,
            from,
            len,
        } => Command::StartMembership(MembershipStart {
            committee: c,
            membership: MembershipId::new(),
            seat: f.seats[*seat],
            person: person(PEOPLE[*who]),
            from: day(*from),
            ended_on: len.map(|l| day(from + l)),
            decision: dec,
        }),
        Op::End { which, at } => {
            let (_, Event::MembershipStarted(MembershipStart { membership, .. })) =
                memberships.get(*which)?
            else {
                return None;
            };
            Command::EndMembership(MembershipEnd {
                committee: c,
                membership: *membership,
                ended_on: day(*at),
                decision: dec,
            })
        }
        Op::Replace { seat, who, at } => Command::ReplaceSeatHolder {
            committee: c,
            seat: f.seats[*seat],
            membership: MembershipId::new(),
            person: person(PEOPLE[*who]),
            on: day(*at),
            decision: dec,
        },
        Op::Retract { which } => Command::Retract {
            target: *own_events.get(*which)?,
        },
        Op::CorrectStart { which, from } => {
            let (
                target,
                Event::MembershipStarted(MembershipStart {
                    committee,
                    membership,
                    seat,
                    person,
                    ended_on,
                    decision,
                    ..
                }),
            ) = memberships.get(*which)?.clone()
            else {
                return None;
            };
            Command::Correct {
                target,
                corrected: Event::MembershipStarted(MembershipStart {
                    committee,
                    membership,
                    seat,
                    person,
                    from: day(*from),
                    ended_on,
                    decision,
                }),
            }
        }
        Op::MoveHeadEnd { at } => Command::Correct {
            target: f.head_end,
            corrected: Event::SeatAbolished(SeatAbolition {
                committee: c,
                seat: f.seats[0],
                ended_on: day(*at),
                decision: dec,
            }),
        },
    })
}

fn assert_invariants(k: &Knowledge, c: crate::CommitteeId) -> Result<(), TestCaseError> {
    // A diff accounts for every holding on either date exactly once.
    for n in (0..75).step_by(5) {
        let (before, after) = (day(n), day(n + 6));
        let diff = k.composition_diff(c, before, after).unwrap();
        let count = |on| k.composition(c, on).unwrap().seated().len();
        let moved = diff.changed.len();
        prop_assert_eq!(count(before), diff.stayed + moved + diff.left.len());
        prop_assert_eq!(count(after), diff.stayed + moved + diff.joined.len());
    }
    for n in 0..75 {
        let comp = k.composition(c, day(n)).unwrap();
        let heads = comp.seats.iter().filter(|s| s.role == Role::Head).count();
        prop_assert!(heads <= 1, "two heads on day {}", n);
        let mut people = BTreeSet::new();
        for s in &comp.seats {
            prop_assert!(s.holders.len() <= 1, "two holders of one seat on day {}", n);
            for h in &s.holders {
                prop_assert!(
                    people.insert(h.person.id),
                    "a person in two seats on day {}",
                    n
                );
                let found = comp.holding_of(h.person.id).map(|(seat, _)| seat.seat);
                prop_assert_eq!(found, Some(s.seat), "holding_of on day {}", n);
            }
        }
        for (_, _, p) in comp.seated() {
            if let Some(p) = p.filter(|p| !people.contains(p)) {
                prop_assert!(
                    comp.holding_of(p).is_some(),
                    "a sub-body member on day {}",
                    n
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_histories_keep_the_invariants_and_known_at_equals_belief_then(
        ops in proptest::collection::vec(op(), 1..24),
        probes in proptest::collection::vec((0..24usize, 0..75u32), 4),
    ) {
        let mut f = world();
        let mut snapshots = vec![(f.world.position(), f.world.k.clone())];
        for op in &ops {
            let Some(cmd) = command(&f, op) else { continue };
            if f.world.exec(cmd).is_ok() {
                snapshots.push((f.world.position(), f.world.k.clone()));
            }
        }
        assert_invariants(&f.world.k, f.committee)?;
        for (i, n) in probes {
            let (pos, then) = &snapshots[i % snapshots.len()];
            let folded = f.world.as_known_at(KnownAt::Position(*pos));
            prop_assert_eq!(
                folded.composition(f.committee, day(n)).unwrap(),
                then.composition(f.committee, day(n)).unwrap()
            );
            assert_invariants(then, f.committee)?;
        }
    }

    #[test]
    fn events_round_trip_through_json(ops in proptest::collection::vec(op(), 1..12)) {
        let mut f = world();
        for op in &ops {
            if let Some(cmd) = command(&f, op) {
                let _ = f.world.exec(cmd);
            }
        }
        for r in f.world.log.iter().rev().take(30) {
            let text = serde_json::to_string(&r.event).unwrap();
            let back: Event = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&back, &r.event);
        }
    }
}
