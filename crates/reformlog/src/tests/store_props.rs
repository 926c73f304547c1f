//! Property: for random valid histories written through `Reformlog`, every read-model answer
//! on any (valid date, known-at position) equals the brute-force fold of the same log read
//! back from the store, before and after `rebuild`.

use super::engine::{brute, ctx, seeded_log};
use super::support::*;
use crate::payload::{
    DeadlineExtension, MembershipEnd, MembershipStart, PersonName, PostAppointment, TaskAssignment,
    TaskCreation, TaskProgress, TaskStatusChange, UnitRenaming,
};
use crate::{
    Assignment, Command, Context, DecisionKind, EntityKey, EntityKind, Event, EventId, HoldingId,
    KnownAt, MembershipId, Query, Reformlog, TaskId, Timestamp,
};
use proptest::prelude::*;

// The names, generators and setup below are shared with `whole_commits`, which writes the
// same kind of histories in multi-command batches.
pub(super) const UNITS: [&str; 6] = [
    "vu-buu-chinh",
    "cuc-tin-hoc-hoa",
    "vu-to-chuc-can-bo",
    "thanh-tra-bo",
    "van-phong-bo",
    "vu-phap-che",
];
pub(super) const PEOPLE: [&str; 6] = [
    "nguyen-huy-dung",
    "pham-minh-tien",
    "do-cong-anh",
    "nguyen-phu-tien",
    "thanh-vien-17",
    "to-vien-3",
];
const SEATS: [(&str, &str); 5] = [
    (BCD, "pho-truong-ban-2"),
    (BCD, "thanh-vien-vu-buu-chinh"),
    (BCD, "thanh-vien-cuc-bao-chi"),
    (TGV, "to-pho-1"),
    (TGV, "to-vien-3"),
];
pub(super) const POSTS: [&str; 2] = ["pho-cuc-truong-cuc-tin-hoc-hoa", "thu-truong-bo-tttt"];

pub(super) fn day(n: u32) -> crate::Date {
    let mut x = d("2022-01-01");
    for _ in 0..n {
        x = x.next_day();
    }
    x
}

pub(super) fn plan() -> crate::DecisionId {
    decision("hypothetical-plan-2022")
}

#[derive(Clone, Debug)]
pub(super) enum Op {
    Replace {
        seat: usize,
        who: usize,
        at: u32,
    },
    End {
        which: usize,
        at: u32,
    },
    Rename {
        who: usize,
        at: u32,
        n: u8,
    },
    RenameUnit {
        unit: usize,
        at: u32,
        n: u8,
    },
    Appoint {
        post: usize,
        who: usize,
        from: u32,
    },
    /// A seat that goes with a post: its holders sit ex officio.
    ExOfficio {
        post: usize,
        at: u32,
    },
    Correct {
        which: usize,
        shift: u32,
    },
    Retract {
        which: usize,
    },
    Task {
        n: u8,
        lead: usize,
        coop: usize,
        from: u32,
        len: u32,
    },
    Progress {
        task: u8,
        at: u32,
        percent: u8,
    },
    Complete {
        task: u8,
        at: u32,
    },
    Extend {
        task: u8,
        at: u32,
        len: u32,
    },
    Reassign {
        task: u8,
        lead: usize,
        at: u32,
    },
    Reopen {
        task: u8,
        at: u32,
    },
    Pair(Box<Op>, Box<Op>),
}

pub(super) fn leaf() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..5usize, 0..6usize, 14..300u32).prop_map(|(seat, who, at)| Op::Replace { seat, who, at }),
        1 => (0..64usize, 14..300u32).prop_map(|(which, at)| Op::End { which, at }),
        2 => (0..6usize, 0..300u32, 0..4u8).prop_map(|(who, at, n)| Op::Rename { who, at, n }),
        1 => (0..6usize, 0..300u32, 0..4u8).prop_map(|(unit, at, n)| Op::RenameUnit { unit, at, n }),
        1 => (0..2usize, 0..6usize, 0..300u32).prop_map(|(post, who, from)| Op::Appoint { post, who, from }),
        1 => (0..2usize, 14..300u32).prop_map(|(post, at)| Op::ExOfficio { post, at }),
        2 => (0..64usize, 0..40u32).prop_map(|(which, shift)| Op::Correct { which, shift }),
        1 => (0..64usize).prop_map(|which| Op::Retract { which }),
        3 => (0..6u8, 0..6usize, 0..6usize, 0..200u32, 1..120u32)
            .prop_map(|(n, lead, coop, from, len)| Op::Task { n, lead, coop, from, len }),
        2 => (0..6u8, 0..300u32, 0..=100u8).prop_map(|(task, at, percent)| Op::Progress { task, at, percent }),
        1 => (0..6u8, 0..300u32).prop_map(|(task, at)| Op::Complete { task, at }),
        1 => (0..6u8, 0..300u32, 1..90u32).prop_map(|(task, at, len)| Op::Extend { task, at, len }),
        1 => (0..6u8, 0..6usize, 0..300u32).prop_map(|(task, lead, at)| Op::Reassign { task, lead, at }),
        1 => (0..6u8, 0..300u32).prop_map(|(task, at)| Op::Reopen { task, at }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => leaf(),
        1 => (leaf(), leaf()).prop_map(|(a, b)| Op::Pair(Box::new(a), Box::new(b))),
    ]
}

pub(super) fn task(n: u8) -> TaskId {
    TaskId::from_slug(&format!("nhiem-vu-{n}")).unwrap()
}

/// The fact events of the log (for corrections and retractions to cite).
pub(super) fn facts(log: &Reformlog) -> Vec<(EventId, Event)> {
    let page = log
        .store()
        .read_all(
            None,
            reformlog_store::Direction::Forward,
            usize::MAX,
            &reformlog_store::EventFilter::all(),
        )
        .unwrap();
    page.events
        .iter()
        .map(|r| crate::codec::to_recorded(r).unwrap())
        .filter(|r| {
            r.event.is_fact()
                && matches!(
                    r.event,
                    Event::MembershipStarted(_)
                        | Event::MembershipEnded(_)
                        | Event::PersonRenamed(_)
                        | Event::UnitRenamed(_)
                        | Event::TaskProgressReported(_)
                        | Event::TaskDeadlineExtended(_)
                        | Event::PostHolderAppointed(_)
                )
        })
        .map(|r| (r.meta.event_id, r.event))
        .collect()
}

pub(super) fn commands(op: &Op, facts: &[(EventId, Event)]) -> Vec<Command> {
    let dec = decision("qd-34-2022");
    let one = |c| vec![c];
    match op {
        Op::Pair(a, b) => {
            let mut v = commands(a, facts);
            v.extend(commands(b, facts));
            v
        }
        Op::Replace { seat: s, who, at } => {
            let (c, slug) = SEATS[*s];
            one(Command::ReplaceSeatHolder {
                committee: committee(c),
                seat: seat(c, slug),
                membership: MembershipId::new(),
                person: person(PEOPLE[*who]),
                on: day(*at),
                decision: dec,
            })
        }
        Op::End { which, at } => {
            let ends: Vec<_> = facts
                .iter()
                .filter_map(|(_, e)| match e {
                    Event::MembershipStarted(MembershipStart {
                        committee,
                        membership,
                        ..
                    }) => Some((*committee, *membership)),
                    _ => None,
                })
                .collect();
            match ends.get(which % ends.len().max(1)) {
                Some((c, m)) => one(Command::EndMembership(MembershipEnd {
                    committee: *c,
                    membership: *m,
                    ended_on: day(*at),
                    decision: dec,
                })),
                None => Vec::new(),
            }
        }
        Op::Rename { who, at, n } => one(Command::RenamePerson(PersonName {
            person: person(PEOPLE[*who]),
            name: name(&format!("Thành viên {} (tên {n})", 17 + who)),
            on: day(*at),
        })),
        Op::RenameUnit { unit: u, at, n } => one(Command::RenameUnit(UnitRenaming {
            unit: unit(UNITS[*u]),
            name: name(&format!("Đơn vị {u} (tên {n})")),
            on: day(*at),
            decision: None,
        })),
        Op::Appoint { post: p, who, from } => one(Command::AppointToPost(PostAppointment {
            post: post(POSTS[*p]),
            holding: HoldingId::new(),
            person: person(PEOPLE[*who]),
            from: day(*from),
            ended_on: None,
            decision: None,
        })),
        Op::ExOfficio { post: p, at } => one(Command::CreateSeat {
            committee: committee(BCD),
            spec: crate::SeatSpec {
                seat: crate::SeatId::new(),
                role: crate::Role::Member,
                on_behalf_of: None,
                ex_officio: Some(post(POSTS[*p])),
                label: None,
                holder: None,
            },
            on: day(*at),
            decision: dec,
        }),
        Op::Correct { which, shift } => {
            // Newest first, so that corrections mostly hit this case's own events.
            let Some((id, e)) = facts.iter().rev().nth(which % 8) else {
                return Vec::new();
            };
            // The same event with one field changed.
            let mut corrected = e.clone();
            match &mut corrected {
                Event::PersonRenamed(PersonName { name: n, .. }) => {
                    *n = name(&format!("Tên đã sửa {shift}"))
                }
                Event::MembershipStarted(MembershipStart { from, .. }) => {
                    *from = if *from > day(14 + shift) {
                        day(14)
                    } else {
                        day(14 + shift)
                    };
                }
                Event::TaskProgressReported(TaskProgress {
                    percent, decision, ..
                }) => {
                    *percent = (*shift as u8).min(100);
                    *decision = None;
                }
                Event::UnitRenamed(UnitRenaming { name: n, .. }) => {
                    *n = name(&format!("Tên đơn vị đã sửa {shift}"));
                }
                _ => return Vec::new(),
            }
            one(Command::Correct {
                target: *id,
                corrected,
            })
        }
        Op::Retract { which } => match facts.iter().rev().nth(which % 12) {
            Some((id, _)) => one(Command::Retract { target: *id }),
            None => Vec::new(),
        },
        Op::Task {
            n,
            lead,
            coop,
            from,
            len,
        } => one(Command::CreateTask(TaskCreation {
            task: task(*n),
            plan: if n % 2 == 0 { Some(plan()) } else { None },
            title: format!("Nhiệm vụ {n}"),
            product: "Báo cáo".to_owned(),
            deadline: day(from + len),
            assignment: Some(Assignment {
                lead: unit(UNITS[*lead]),
                cooperating: vec![unit(UNITS[*coop])],
                responsible: Some(person(PEOPLE[*lead])),
            }),
            on: day(*from),
        })),
        Op::Progress {
            task: t,
            at,
            percent,
        } => one(Command::ReportProgress(TaskProgress {
            task: task(*t),
            percent: *percent,
            note: "Tiến độ".to_owned(),
            evidence: crate::Evidence::default(),
            on: day(*at),
            decision: None,
        })),
        Op::Complete { task: t, at } => one(Command::CompleteTask(TaskStatusChange {
            task: task(*t),
            on: day(*at),
            decision: None,
        })),
        Op::Extend { task: t, at, len } => one(Command::ExtendDeadline(DeadlineExtension {
            task: task(*t),
            deadline: day(at + len + 120),
            on: day(*at),
            decision: None,
        })),
        Op::Reassign { task: t, lead, at } => one(Command::AssignTask(TaskAssignment {
            task: task(*t),
            assignment: Assignment {
                lead: unit(UNITS[*lead]),
                cooperating: Vec::new(),
                responsible: None,
            },
            on: day(*at),
            decision: None,
        })),
        Op::Reopen { task: t, at } => one(Command::ReopenTask(TaskStatusChange {
            task: task(*t),
            on: day(*at),
            decision: None,
        })),
    }
}

/// Records the plan the tasks cite; returns what was appended.
pub(super) fn setup(log: &Reformlog) -> crate::Executed {
    log.execute(
        ministry_document(
            plan(),
            "HYPOTHETICAL-KH/BTTTT",
            DecisionKind::Plan,
            "2022-01-05",
            "Hypothetical reform plan for tests; not a real document",
        ),
        &ctx(),
    )
    .unwrap()
}

/// Every question, asked of the read models and of the fold, on one (date, known-at) pair.
fn compare(log: &Reformlog, at: Option<KnownAt>, on: crate::Date) -> Result<(), TestCaseError> {
    let k = brute(log, at);
    let from = d("2000-01-01").start_utc();
    let to = Timestamp::from_micros(i64::MAX);
    let mut queries = vec![
        Query::Composition {
            committee: committee(BCD),
            on,
        },
        Query::Composition {
            committee: committee(TGV),
            on,
        },
        Query::CompositionDiff {
            committee: committee(BCD),
            before: d("2022-01-13"),
            after: on,
        },
        Query::DecisionChanges {
            decision: decision("qd-34-2022"),
        },
        Query::TasksOfPlan { plan: plan(), on },
        Query::OverdueTasks { on },
        Query::ChangesBy {
            actor: "thu-ky".to_owned(),
            from,
            to,
        },
        Query::ChangesBy {
            actor: "bien-tap".to_owned(),
            from: Timestamp::from_micros(0),
            to,
        },
        Query::Search {
            text: "tien".to_owned(),
        },
        Query::Search {
            text: "Tên đã sửa".to_owned(),
        },
        Query::Search {
            text: "don vi".to_owned(),
        },
    ];
    for p in PEOPLE {
        queries.push(Query::PersonHistory { person: person(p) });
        queries.push(Query::History {
            entity: EntityKey::Person(person(p)),
        });
    }
    for u in UNITS {
        queries.push(Query::TasksOfUnit { unit: unit(u), on });
    }
    queries.push(Query::History {
        entity: EntityKey::Committee(committee(BCD)),
    });
    queries.push(Query::History {
        entity: EntityKey::Task(task(0)),
    });
    for q in &queries {
        let got = log.query(q, at).map_err(|e| e.to_string());
        let want = k.answer(q).map_err(|e| e.to_string());
        prop_assert_eq!(got, want, "query {:?} at {:?} on {}", q, at, on);
    }
    let mut keys = vec![
        EntityKey::Committee(committee(BCD)),
        EntityKey::Committee(committee(TGV)),
        EntityKey::Decision(decision("qd-34-2022")),
        EntityKey::Decision(plan()),
        EntityKey::Post(post(POSTS[0])),
    ];
    keys.extend((0..6).map(|n| EntityKey::Task(task(n))));
    keys.extend(PEOPLE.iter().map(|p| EntityKey::Person(person(p))));
    keys.extend(UNITS.iter().map(|u| EntityKey::Unit(unit(u))));
    for key in keys {
        let got = log.entity(key, on, at).unwrap();
        let want = crate::summary::summary(&k, key, on);
        prop_assert_eq!(got, want, "entity {} at {:?} on {}", key, at, on);
    }
    for kind in EntityKind::ALL {
        let got = log.list(kind, on, at).unwrap();
        let want = crate::summary::list(&k, kind, on);
        prop_assert_eq!(got, want, "list {:?} at {:?} on {}", kind, at, on);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn read_models_equal_the_fold_on_both_time_axes(
        ops in proptest::collection::vec(op(), 1..28),
        probes in proptest::collection::vec((0..400u32, 0..1000u64, any::<bool>()), 3),
    ) {
        let (_dir, log) = seeded_log();
        setup(&log);
        for (i, op) in ops.iter().enumerate() {
            let facts = facts(&log);
            let cmds = commands(op, &facts);
            if cmds.is_empty() {
                continue;
            }
            // Two actors, so the actor index has interleaved runs.
            let c = if i % 3 == 0 { Context::new("bien-tap") } else { ctx() };
            match log.execute_all(cmds, &c) {
                Ok(_) | Err(crate::Error::Domain(_)) => {}
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            }
            if i == ops.len() / 2 {
                // Midway, so that the read models' caches hold views and relations that the
                // later commands change: answers must follow.
                compare(&log, None, day(200))?;
            }
        }
        let head = log.store().head_position();
        let mut probes: Vec<(crate::Date, Option<KnownAt>)> = probes
            .into_iter()
            .map(|(on, at, by_time)| {
                let position = at % (head + 1);
                let at = if by_time {
                    let time = log
                        .store()
                        .read_event(position.max(1))
                        .unwrap()
                        .map(|r| r.recorded_at)
                        .unwrap_or(Timestamp::from_micros(0));
                    KnownAt::Timestamp(time)
                } else {
                    KnownAt::Position(position)
                };
                (day(on), Some(at))
            })
            .collect();
        probes.push((day(200), None));
        for (on, at) in &probes {
            compare(&log, *at, *on)?;
        }
        log.rebuild().unwrap();
        prop_assert_eq!(log.read_model_position(), head);
        for (on, at) in &probes {
            compare(&log, *at, *on)?;
        }
        // Again, spilling after every event: rows written and read back, tails noted,
        // folded by readers and by the rebuild itself.
        log.spill_always();
        log.rebuild().unwrap();
        prop_assert_eq!(log.read_model_position(), head);
        for (on, at) in &probes {
            compare(&log, *at, *on)?;
        }
        // And then the ordinary catch-up over rows that still have tails.
        for op in ops.iter().rev().take(4) {
            let cmds = commands(op, &facts(&log));
            if !cmds.is_empty() {
                match log.execute_all(cmds, &ctx()) {
                    Ok(_) | Err(crate::Error::Domain(_)) => {}
                    Err(e) => return Err(TestCaseError::fail(e.to_string())),
                }
            }
        }
        compare(&log, None, day(200))?;
        compare(&log, None, day(400))?;
    }
}
