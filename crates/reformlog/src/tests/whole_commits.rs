//! Property: "as known at" a position or recorded time inside one atomic write answers as at
//! the end of that write, because an `execute_all` appends its events together.
//!
//! The log never stood between two events of one append, so a known-at bound that falls
//! inside a write must see all of it: the expected answer for position `p` is the answer at
//! the last position of the write that holds `p`. The writes' extents come from what
//! `execute_all` returned, not from the store.

use super::engine::{ctx, open};
use super::store_props::{commands, day, facts, leaf, plan, setup, task, Op, PEOPLE, POSTS, UNITS};
use super::support::*;
use crate::{
    Answer, EntityKey, EntityKind, EntitySummary, Executed, KnownAt, Query, Reformlog, Seed,
};
use proptest::prelude::*;

/// One append's positions, as `execute_all` reported them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Write {
    first: u64,
    last: u64,
}

/// The extent of what `execute_all` appended; `None` when it appended nothing.
fn extent(e: &Executed) -> Option<Write> {
    (!e.events.is_empty() && !e.deduplicated).then_some(Write {
        first: e.first_position,
        last: e.last_position,
    })
}

/// The answers compared at one bound: compositions, entity summaries and lists.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Answers {
    compositions: Vec<Result<Answer, String>>,
    entities: Vec<Option<EntitySummary>>,
    lists: Vec<Vec<EntitySummary>>,
}

fn answers(log: &Reformlog, at: KnownAt) -> Answers {
    // The seed's composition date and one late in the random histories' dates.
    let dates = [d("2022-02-01"), day(200)];
    let mut compositions = Vec::new();
    for on in dates {
        for c in [BCD, TGV] {
            let q = Query::Composition {
                committee: committee(c),
                on,
            };
            compositions.push(log.query(&q, Some(at)).map_err(|e| e.to_string()));
        }
    }
    let mut keys = vec![
        EntityKey::Committee(committee(BCD)),
        EntityKey::Committee(committee(TGV)),
        EntityKey::Decision(decision("qd-34-2022")),
        EntityKey::Decision(plan()),
    ];
    keys.extend(POSTS.iter().map(|p| EntityKey::Post(post(p))));
    keys.extend((0..6).map(|n| EntityKey::Task(task(n))));
    keys.extend(PEOPLE.iter().map(|p| EntityKey::Person(person(p))));
    keys.extend(UNITS.iter().map(|u| EntityKey::Unit(unit(u))));
    let entities = keys
        .into_iter()
        .map(|key| log.entity(key, day(200), Some(at)).unwrap())
        .collect();
    let lists = EntityKind::ALL
        .into_iter()
        .map(|kind| log.list(kind, day(200), Some(at)).unwrap())
        .collect();
    Answers {
        compositions,
        entities,
        lists,
    }
}

/// Positions of `writes` whose answers by position, and by the recorded time of their
/// event, differ from the answers at the end of their write.
fn partial(log: &Reformlog, writes: &[Write]) -> (Vec<u64>, Vec<u64>) {
    let (mut by_position, mut by_time) = (Vec::new(), Vec::new());
    for w in writes {
        let expected = answers(log, KnownAt::Position(w.last));
        for p in w.first..=w.last {
            if answers(log, KnownAt::Position(p)) != expected {
                by_position.push(p);
            }
            // The recorded time of an event of the write is a time within the write.
            let e = log.store().read_event(p).unwrap().unwrap();
            let time = e.recorded_at;
            if answers(log, KnownAt::Timestamp(time)) != expected {
                by_time.push(p);
            }
        }
    }
    (by_position, by_time)
}

/// Loads the seed case in one `execute_all`; returns its extent.
fn load_seed(log: &Reformlog) -> Write {
    let seed = Seed::parse(SEED).unwrap();
    let done = log.execute_all(seed.commands().unwrap(), &ctx()).unwrap();
    extent(&done).unwrap()
}

#[test]
fn as_known_at_inside_the_seed_load_answers_as_at_its_end() {
    let (_dir, log) = open();
    let seed = load_seed(&log);
    assert_eq!(seed.first, 1);
    assert_eq!(log.store().head_position(), seed.last);
    // Before the load nothing is known; that is the answer at the end of no write at all.
    let empty = answers(&log, KnownAt::Position(0));
    assert_ne!(empty, answers(&log, KnownAt::Position(seed.last)));
    let (by_position, by_time) = partial(&log, &[seed]);
    assert!(
        by_position.is_empty() && by_time.is_empty(),
        "the seed load is one write of positions {}..={}; {} of them answer by position and {} \
         by recorded time with part of it (by position: {:?} .. {:?})",
        seed.first,
        seed.last,
        by_position.len(),
        by_time.len(),
        by_position.first(),
        by_position.last(),
    );
}

/// Runs the batches, one `execute_all` each, after the seed and the plan; returns the
/// extents of the appends after the seed, in log order.
fn write_history(log: &Reformlog, batches: &[Vec<Op>]) -> Result<Vec<Write>, TestCaseError> {
    let seed = load_seed(log);
    let mut writes = Vec::new();
    writes.extend(extent(&setup(log)));
    for batch in batches {
        // Facts as the batch starts: a later op may cite what an earlier one of the same
        // batch ends, and the domain then refuses the whole batch, which is fine.
        let facts = facts(log);
        let cmds: Vec<_> = batch.iter().flat_map(|op| commands(op, &facts)).collect();
        if cmds.is_empty() {
            continue;
        }
        match log.execute_all(cmds, &ctx()) {
            Ok(e) => writes.extend(extent(&e)),
            Err(crate::Error::Domain(_)) => {}
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        }
    }
    // The writes tile the log after the seed: nobody else appends.
    let mut next = seed.last + 1;
    for w in &writes {
        prop_assert_eq!(w.first, next, "writes {:?}", writes);
        prop_assert!(w.last >= w.first);
        next = w.last + 1;
    }
    prop_assert_eq!(log.store().head_position(), next - 1);
    Ok(writes)
}

proptest! {
    // Each case asks every position and every recorded time after the seed, so few cases,
    // and little shrinking (which re-runs whole cases).
    #![proptest_config(ProptestConfig {
        cases: 16,
        max_shrink_iters: 32,
        ..ProptestConfig::default()
    })]

    /// Random batches on top of the seed (whose own load the test above checks): every
    /// position and recorded time of each batch's write answers as at the write's end.
    #[test]
    fn as_known_at_inside_a_write_answers_as_at_its_end(
        batches in proptest::collection::vec(proptest::collection::vec(leaf(), 1..4), 1..10),
    ) {
        let (_dir, log) = open();
        let writes = write_history(&log, &batches)?;
        let (by_position, by_time) = partial(&log, &writes);
        let multi = writes.iter().filter(|w| w.last > w.first).count();
        let positions: u64 = writes.iter().map(|w| w.last - w.first + 1).sum();
        prop_assert!(
            by_position.is_empty() && by_time.is_empty(),
            "{} writes after the seed ({} of several events, {} positions): {} answer by \
             position and {} by recorded time with part of their write; first by position \
             {:?} in {:?}",
            writes.len(),
            multi,
            positions,
            by_position.len(),
            by_time.len(),
            by_position.first(),
            by_position
                .first()
                .and_then(|p| writes.iter().find(|w| w.first <= *p && *p <= w.last)),
        );
    }
}
