//! A synthetic 25-year history, written only as format 2 seed files, imported file by file
//! into a store and decided in memory: the store answers as the brute-force fold does on both
//! time axes, and the facts the generator planted hold.
//!
//! `REFORMLOG_HISTORY_SEED` varies the history (a fixed one by default);
//! `REFORMLOG_HISTORY_SCALE` (default 1) multiplies its seats and changes.

mod generate;

use super::engine::{brute, ctx, open};
use crate::payload::Retraction;
use crate::{
    Answer, CommitteeId, Date, DecisionId, EntityKey, Event, EventId, EventMeta, Knowledge,
    KnownAt, PersonId, Query, Recorded, Reformlog, Seed, Timestamp, Translation, UnitId,
    UnitStatus,
};
use generate::{History, COMMITTEES, GROUP, MERGED_COMMITTEE, MINISTRY, NATIONAL, PRIME};
use reformlog_store::{Direction, EventFilter};
use std::collections::{BTreeMap, BTreeSet, HashMap};

const DEFAULT_SEED: u64 = 2025;

fn settings() -> (u64, u32) {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let seed = var("REFORMLOG_HISTORY_SEED").map_or(DEFAULT_SEED, |v| {
        v.trim()
            .parse()
            .expect("REFORMLOG_HISTORY_SEED is a number")
    });
    let scale = var("REFORMLOG_HISTORY_SCALE").map_or(1, |v| {
        v.trim()
            .parse()
            .expect("REFORMLOG_HISTORY_SCALE is a number")
    });
    (seed, scale)
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}
fn committee(slug: &str) -> CommitteeId {
    CommitteeId::from_slug(slug).unwrap()
}
fn person(slug: &str) -> PersonId {
    PersonId::from_slug(slug).unwrap()
}
fn unit(slug: &str) -> UnitId {
    UnitId::from_slug(slug).unwrap()
}
fn decision(slug: &str) -> DecisionId {
    DecisionId::from_slug(slug).unwrap()
}
fn seat(committee: &str, seat: &str) -> crate::SeatId {
    Seed::seat_id(committee, seat).unwrap()
}

/// The history, imported into a store (one commit per file) and decided in memory.
struct Imported {
    history: History,
    _dir: tempfile::TempDir,
    log: Reformlog,
    /// The store's head after each file; `positions[0]` is 0, before any.
    positions: Vec<u64>,
    /// The in-memory fold after each file; `memory[0]` is empty.
    memory: Vec<Knowledge>,
    memory_log: Vec<Recorded>,
    /// The log read back from the store.
    store_log: Vec<Recorded>,
}

fn read_log(log: &Reformlog) -> Vec<Recorded> {
    let page = log
        .store()
        .read_all(None, Direction::Forward, usize::MAX, &EventFilter::all())
        .unwrap();
    page.events
        .iter()
        .map(|r| crate::codec::to_recorded(r).unwrap())
        .collect()
}

fn parse(name: &str, text: &str) -> Seed {
    Seed::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Decides the commands of one file in memory, stamping its events as one commit.
fn decide_file(
    k: &mut Knowledge,
    log: &mut Vec<Recorded>,
    t: &mut Translation,
    name: &str,
    seed: &Seed,
    commit: u64,
) {
    let commands = seed
        .commands_in(name, t)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    for c in commands {
        let events = k
            .decide(&c)
            .unwrap_or_else(|e| panic!("{name}: {}: {c:?}", t.describe(&e.to_string())));
        for event in events {
            let position = k.last_position() + 1;
            let r = Recorded {
                meta: EventMeta {
                    position,
                    commit,
                    event_id: EventId::new(),
                    recorded_at: Timestamp::from_micros(
                        date("2025-06-01").start_utc().as_micros() + position as i64,
                    ),
                    actor: "thu-ky".to_owned(),
                    reason: None,
                },
                event,
            };
            log.push(r.clone());
            k.apply(r);
        }
    }
}

fn import() -> Imported {
    let (seed, scale) = settings();
    // Shown with a failure, to run the same history again.
    eprintln!("REFORMLOG_HISTORY_SEED={seed} REFORMLOG_HISTORY_SCALE={scale}");
    let history = generate::generate(seed, scale);
    let seeds: Vec<Seed> = history.files.iter().map(|(n, t)| parse(n, t)).collect();

    // (b) The store: the files given again each time with one more, as a clerk imports a
    // new period, so each file is one commit and the earlier ones are skipped.
    let (dir, log) = open();
    let mut positions = vec![0];
    for k in 0..seeds.len() {
        let files: Vec<&Seed> = seeds[..=k].iter().collect();
        let appended = log
            .load_seeds(&files, &ctx())
            .unwrap_or_else(|e| panic!("{}: {e}", history.files[k].0));
        assert!(appended > 0, "{} appends something", history.files[k].0);
        positions.push(log.store().head_position());
    }
    // The corrections name the events as the store recorded them.
    let (name, text) = history.corrections(&read_log(&log));
    let corrections = parse(&name, &text);
    let mut files: Vec<&Seed> = seeds.iter().collect();
    files.push(&corrections);
    log.load_seeds(&files, &ctx())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    positions.push(log.store().head_position());
    let store_log = read_log(&log);

    // (a) In memory: the same files translated as one import and decided on a `Knowledge`.
    let mut t = Translation::new();
    let mut k = Knowledge::new();
    let mut memory_log = Vec::new();
    let mut memory = vec![k.clone()];
    for (i, (seed, (name, _))) in seeds.iter().zip(&history.files).enumerate() {
        decide_file(&mut k, &mut memory_log, &mut t, name, seed, i as u64 + 1);
        memory.push(k.clone());
    }
    let (name, text) = history.corrections(&memory_log);
    let corrections = parse(&name, &text);
    let commit = memory.len() as u64;
    decide_file(&mut k, &mut memory_log, &mut t, &name, &corrections, commit);
    memory.push(k);

    Imported {
        history,
        _dir: dir,
        log,
        positions,
        memory,
        memory_log,
        store_log,
    }
}

type Got = Result<Answer, String>;

/// A seat held ex officio: committee, seat, from, until.
type Tenure = (CommitteeId, crate::SeatId, Date, Option<Date>);

fn ask_store(log: &Reformlog, q: &Query, at: Option<KnownAt>) -> Got {
    log.query(q, at).map_err(|e| e.to_string())
}

fn ask_fold(k: &Knowledge, q: &Query) -> Got {
    k.answer(q).map_err(|e| e.to_string())
}

impl Imported {
    /// Every valid date the checks look at: each quarter, and each day something planted
    /// happened with the day before it.
    fn dates(&self) -> Vec<Date> {
        let f = &self.history.facts;
        let mut out = BTreeSet::new();
        for y in 2000..=2025 {
            for m in [1, 4, 7, 10] {
                out.insert(Date::from_ymd(y, m, 1).unwrap());
            }
        }
        let mut special = vec![f.merger.on, f.dissolved_unit.1, f.mistakes.late_date.1];
        special.extend(f.reconstitutions.iter().map(|r| r.on));
        special.push(f.replacements[f.late].on);
        special.push(f.replacements[f.mistakes.late_date.0].on);
        special.push(f.mistakes.wrong_rename.3);
        for d in special {
            out.insert(d);
            out.insert(d.previous_day());
        }
        out.into_iter().collect()
    }

    /// The questions asked on every time axis.
    fn queries(&self) -> Vec<Query> {
        let f = &self.history.facts;
        let mut out = Vec::new();
        for on in self.dates() {
            for c in COMMITTEES {
                out.push(Query::Composition {
                    committee: committee(c),
                    on,
                });
            }
        }
        for p in &f.people {
            out.push(Query::PersonHistory { person: person(p) });
        }
        let mut lineage_dates: BTreeSet<Date> = (2000..=2025)
            .map(|y| Date::from_ymd(y, 7, 1).unwrap())
            .collect();
        for d in [f.merger.on, f.dissolved_unit.1] {
            lineage_dates.insert(d);
            lineage_dates.insert(d.previous_day());
        }
        for u in &f.units {
            for &on in &lineage_dates {
                out.push(Query::UnitLineage { unit: unit(u), on });
            }
        }
        let mut diffs: BTreeSet<(String, Date)> = f.change_dates.iter().cloned().collect();
        diffs.insert((NATIONAL.to_owned(), f.mistakes.late_date.1));
        for (c, on) in diffs {
            // A change to the working group shows in the ministry committee's composition.
            let c = if c == GROUP { MINISTRY.to_owned() } else { c };
            out.push(Query::CompositionDiff {
                committee: committee(&c),
                before: on.previous_day(),
                after: on,
            });
        }
        for c in COMMITTEES {
            out.push(Query::CompositionDiff {
                committee: committee(c),
                before: date("2001-01-01"),
                after: date("2025-12-31"),
            });
        }
        for x in &f.decisions {
            out.push(Query::DecisionChanges {
                decision: decision(x),
            });
        }
        for c in COMMITTEES {
            out.push(Query::History {
                entity: EntityKey::Committee(committee(c)),
            });
        }
        for u in ["bo-a", "bo-b", "vu-7"] {
            out.push(Query::History {
                entity: EntityKey::Unit(unit(u)),
            });
        }
        out
    }

    /// The points "as known at" the checks use, each with the file count it stands for (to
    /// compare with the in-memory fold after that many files) and whether every question is
    /// asked there or a sample: the end of each file's commit but the last, and now, in full;
    /// the end of the last (the head, asked as a position), a position inside a commit
    /// (which stands for its end) and a recorded time, sampled.
    fn known_ats(&self) -> Vec<(Option<KnownAt>, Option<usize>, bool)> {
        let last = self.positions.len() - 1;
        let mut out: Vec<(Option<KnownAt>, Option<usize>, bool)> = (1..last)
            .map(|n| (self.after_file(n), Some(n), true))
            .collect();
        out.push((None, Some(last), true));
        out.push((self.after_file(last), Some(last), false));
        out.push((
            Some(KnownAt::Position(self.positions[1] + 1)),
            Some(2),
            false,
        ));
        let third = self
            .store_log
            .iter()
            .find(|r| r.meta.position == self.positions[3])
            .unwrap();
        out.push((
            Some(KnownAt::Timestamp(third.meta.recorded_at)),
            None,
            false,
        ));
        out
    }

    fn store(&self, q: &Query, at: Option<KnownAt>) -> Answer {
        self.log
            .query(q, at)
            .unwrap_or_else(|e| panic!("{q:?} as known at {at:?}: {e}"))
    }

    fn diff(&self, c: &str, on: Date, at: Option<KnownAt>) -> crate::CompositionDiff {
        let q = Query::CompositionDiff {
            committee: committee(c),
            before: on.previous_day(),
            after: on,
        };
        let Answer::CompositionDiff(d) = self.store(&q, at) else {
            panic!()
        };
        d
    }

    fn composition(&self, c: &str, on: Date, at: Option<KnownAt>) -> crate::Composition {
        let q = Query::Composition {
            committee: committee(c),
            on,
        };
        let Answer::Composition(x) = self.store(&q, at) else {
            panic!()
        };
        x
    }

    fn lineage(&self, u: &str, on: Date, at: Option<KnownAt>) -> crate::UnitLineage {
        let Answer::UnitLineage(l) = self.store(&Query::UnitLineage { unit: unit(u), on }, at)
        else {
            panic!()
        };
        l
    }

    fn person_history(&self, p: &str, at: Option<KnownAt>) -> crate::PersonHistory {
        let Answer::PersonHistory(h) = self.store(&Query::PersonHistory { person: person(p) }, at)
        else {
            panic!()
        };
        h
    }

    /// Known at the end of the commit of file `n` (1-based; 0 is before any).
    fn after_file(&self, n: usize) -> Option<KnownAt> {
        Some(KnownAt::Position(self.positions[n]))
    }
}

fn summary(h: &History) -> String {
    format!(
        "{} files; {} people, {} units, {} decisions, {} replacements, {} reconstitutions; \
         entries {:?}",
        h.files.len() + 1,
        h.facts.people.len(),
        h.facts.units.len(),
        h.facts.decisions.len(),
        h.facts.replacements.len(),
        h.facts.reconstitutions.len(),
        h.facts.counts
    )
}

#[test]
fn the_store_records_the_events_decided_in_memory_stream_by_stream() {
    let x = import();
    eprintln!("{}", summary(&x.history));
    assert_eq!(x.store_log.len(), x.memory_log.len());
    // Where each event stands in its own stream, to compare corrections by what they cite.
    let place = |log: &[Recorded]| {
        let mut streams: BTreeMap<EntityKey, Vec<Recorded>> = BTreeMap::new();
        let mut at: HashMap<EventId, (EntityKey, usize)> = HashMap::new();
        for r in log {
            let key = r.event.entity();
            let list = streams.entry(key).or_default();
            at.insert(r.meta.event_id, (key, list.len()));
            list.push(r.clone());
        }
        (streams, at)
    };
    let (store, store_at) = place(&x.store_log);
    let (memory, memory_at) = place(&x.memory_log);
    assert_eq!(
        store.keys().collect::<Vec<_>>(),
        memory.keys().collect::<Vec<_>>()
    );
    let nil = EventId::from_uuid(uuid::Uuid::nil());
    let cited = |e: &Event, at: &HashMap<EventId, (EntityKey, usize)>| match e {
        Event::Corrected { target, corrected } => (
            Event::Corrected {
                target: nil,
                corrected: corrected.clone(),
            },
            Some(at[target]),
        ),
        Event::Retracted(Retraction { target, entity, on }) => (
            Event::Retracted(Retraction {
                target: nil,
                entity: *entity,
                on: *on,
            }),
            Some(at[target]),
        ),
        other => (other.clone(), None),
    };
    for (key, events) in &store {
        let mine = &memory[key];
        assert_eq!(events.len(), mine.len(), "{key}");
        for (a, b) in events.iter().zip(mine) {
            assert_eq!(
                cited(&a.event, &store_at),
                cited(&b.event, &memory_at),
                "{key}"
            );
        }
    }
    // One commit per file.
    let commits: BTreeSet<u64> = x.store_log.iter().map(|r| r.meta.commit).collect();
    assert_eq!(commits.len(), x.history.files.len() + 1);
}

#[test]
fn the_store_answers_as_the_brute_force_fold_as_known_now_and_between_files() {
    let x = import();
    let queries = x.queries();
    let mut asked = 0;
    for (at, files, full) in x.known_ats() {
        let fold = brute(&x.log, at);
        let memory = files.map(|n| &x.memory[n]);
        for (i, q) in queries.iter().enumerate() {
            if !full && i % 7 != 0 {
                continue;
            }
            let got = ask_store(&x.log, q, at);
            assert_eq!(got, ask_fold(&fold, q), "{q:?} as known at {at:?}");
            asked += 1;
            // The in-memory fold of the same files, stamped on its own, gives the answers
            // that do not depend on where the log put each event.
            let Some(memory) = memory else { continue };
            let want = ask_fold(memory, q);
            match (q, got, want) {
                (Query::DecisionChanges { .. }, Ok(got), Ok(want)) => {
                    let (Answer::DecisionChanges(got), Answer::DecisionChanges(want)) = (got, want)
                    else {
                        panic!()
                    };
                    assert_eq!(got.decision, want.decision, "{q:?} as known at {at:?}");
                    assert_eq!(
                        got.compositions, want.compositions,
                        "{q:?} as known at {at:?}"
                    );
                    let what = |c: &[crate::HistoryEntry]| {
                        let mut v: Vec<_> = c
                            .iter()
                            .map(|e| (e.entity, e.what.clone(), e.valid_from, e.decision.clone()))
                            .collect();
                        v.sort_by_key(|e| format!("{e:?}"));
                        v
                    };
                    assert_eq!(
                        what(&got.changes),
                        what(&want.changes),
                        "{q:?} as known at {at:?}"
                    );
                }
                // Histories are about positions and recorded times.
                (Query::History { .. }, Ok(_), Ok(_)) => {}
                (_, got, want) => assert_eq!(got, want, "{q:?} as known at {at:?} (in memory)"),
            }
        }
    }
    eprintln!("{asked} answers compared, {} questions", queries.len());
}

#[test]
fn the_planted_facts_hold_on_both_time_axes() {
    let x = import();
    let f = &x.history.facts;

    // The head of the national committee in 2013 is the Prime Minister the generator
    // appointed, sitting ex officio.
    let on = date("2013-07-01");
    let prime = f
        .holdings
        .iter()
        .find(|h| h.post == PRIME && h.from <= on && h.ended_on.is_none_or(|e| e > on))
        .unwrap();
    let c = x.composition(NATIONAL, on, None);
    let head = c
        .seats
        .iter()
        .find(|s| s.role == crate::Role::Head)
        .unwrap();
    let holders: Vec<PersonId> = head.holders.iter().map(|h| h.person.id).collect();
    assert_eq!(holders, vec![person(&prime.person)]);
    assert!(head.holders[0].membership.is_none(), "held ex officio");

    // Every replacement: the old holder left, the new one joined, everyone else stayed.
    for (i, r) in f.replacements.iter().enumerate() {
        let c = if r.committee == GROUP {
            MINISTRY
        } else {
            &r.committee
        };
        let d = x.diff(c, r.on, None);
        let before = x.composition(c, r.on.previous_day(), None);
        let n = holdings(&before);
        let left: Vec<_> = d.left.iter().map(|e| (e.seat, e.person)).collect();
        let joined: Vec<_> = d.joined.iter().map(|e| (e.seat, e.person)).collect();
        let s = seat(&r.committee, &r.seat);
        assert_eq!(
            left,
            vec![(s, Some(person(&r.old)))],
            "replacement {i}: {r:?}"
        );
        assert_eq!(
            joined,
            vec![(s, Some(person(&r.new)))],
            "replacement {i}: {r:?}"
        );
        assert!(d.changed.is_empty(), "replacement {i}: {r:?}");
        assert_eq!(d.stayed, n - 1, "replacement {i}: {r:?}");
    }

    // Reconstitutions keep those in the same place, in the diff across them and in what
    // their decision changed.
    for r in &f.reconstitutions {
        let d = x.diff(&r.committee, r.on, None);
        assert_eq!(d.stayed, r.stayed, "{r:?}");
        assert!(r.stayed > 0, "{r:?}");
        let q = Query::DecisionChanges {
            decision: decision(&r.decision),
        };
        let Answer::DecisionChanges(changes) = x.store(&q, None) else {
            panic!()
        };
        let diff = changes
            .compositions
            .iter()
            .find(|c| c.committee == committee(&r.committee))
            .unwrap();
        assert_eq!(diff, &d, "{r:?}");
    }

    // The late entry: its decision is unknown before its file and recorded after it.
    let late = &f.replacements[f.late];
    assert_eq!(late.file, 3, "recorded in the 2015–2019 file");
    let q = Query::DecisionChanges {
        decision: decision(&late.decision),
    };
    let before_file = x.after_file(late.file);
    let after_file = x.after_file(late.file + 1);
    assert!(
        matches!(
            x.log.query(&q, before_file),
            Err(crate::Error::Query(crate::QueryError::NotFound(_)))
        ),
        "unknown before its file"
    );
    let Answer::DecisionChanges(changes) = x.store(&q, after_file) else {
        panic!()
    };
    let kinds: BTreeSet<&str> = changes.changes.iter().map(|e| e.what.as_str()).collect();
    assert!(kinds.contains("membership_started") && kinds.contains("membership_ended"));
    assert!(changes.decision.title.contains("giả định"));
    // Its valid date is older than changes recorded before it.
    let older = x
        .store_log
        .iter()
        .filter(|r| r.meta.position <= x.positions[late.file])
        .any(|r| r.event.valid_from() > late.on);
    assert!(
        older,
        "a late entry: later valid dates were recorded before it"
    );
    let seated = |at| {
        let c = x.composition(&late.committee, late.on, at);
        let s = seat(&late.committee, &late.seat);
        let s = c.seats.iter().find(|x| x.seat == s).unwrap();
        s.holders[0].person.id
    };
    assert_eq!(seated(before_file), person(&late.old));
    assert_eq!(seated(after_file), person(&late.new));
    assert!(x.diff(NATIONAL, late.on, before_file).joined.is_empty());
    assert_eq!(x.diff(NATIONAL, late.on, after_file).joined.len(), 1);

    // The replacement written a month late: corrected in the last file.
    let (i, recorded) = f.mistakes.late_date;
    let r = &f.replacements[i];
    let before_fix = x.after_file(x.positions.len() - 2);
    assert!(x.diff(NATIONAL, r.on, before_fix).joined.is_empty());
    assert_eq!(x.diff(NATIONAL, recorded, before_fix).joined.len(), 1);
    assert_eq!(x.diff(NATIONAL, r.on, None).joined.len(), 1);
    assert!(x.diff(NATIONAL, recorded, None).joined.is_empty());
    let from = |at| {
        let h = x.person_history(&r.new, at);
        let m = h
            .memberships
            .iter()
            .find(|m| m.decision.id == decision(&r.decision));
        m.unwrap().from
    };
    assert_eq!(from(before_fix), recorded);
    assert_eq!(from(None), r.on);

    // The misspelt name, and the rename that was withdrawn.
    let (who, wrong, right) = &f.mistakes.misspelt;
    let name = |at| x.person_history(who, at).names[0].name.to_string();
    assert_eq!(&name(before_fix), wrong);
    assert_eq!(&name(None), right);
    let (c, wrong, _, on) = &f.mistakes.wrong_rename;
    let name = |at| x.composition(c, *on, at).name.unwrap().to_string();
    assert_eq!(&name(before_fix), wrong);
    assert_eq!(
        name(None),
        "Ban chỉ đạo cải cách hành chính Bộ A (giả định)"
    );

    // The merger: the merged ministry's successor, the departments' new parents, and the
    // dissolved committee; before its file none of it was known.
    let m = &f.merger;
    let day_before = m.on.previous_day();
    let l = x.lineage(&m.unit, day_before, None);
    assert_eq!(l.status, UnitStatus::Active);
    assert!(l.successor.is_none());
    let later = l.later.unwrap();
    assert_eq!(later.on, m.on);
    assert_eq!(later.merged_into.unwrap().id, unit(&m.into));
    let l = x.lineage(&m.unit, m.on, None);
    assert_eq!(l.status, UnitStatus::Merged);
    let successor = l.successor.unwrap();
    assert_eq!((successor.unit.id, successor.on), (unit(&m.into), m.on));
    let into = x.lineage(&m.into, m.on, None);
    assert!(into
        .predecessors
        .iter()
        .any(|p| p.unit.id == unit(&m.unit) && p.on == m.on));
    assert_eq!(into.name.unwrap().to_string(), "Bộ A (sau hợp nhất)");
    assert_eq!(
        x.lineage(&m.into, day_before, None)
            .name
            .unwrap()
            .to_string(),
        "Bộ A"
    );
    for (u, from, to) in &m.moved {
        let parent = |on| x.lineage(u, on, None).parent.unwrap().id;
        assert_eq!(parent(day_before), unit(from), "{u}");
        assert_eq!(parent(m.on), unit(to), "{u}");
    }
    let q = Query::DecisionChanges {
        decision: decision(&m.decision),
    };
    let Answer::DecisionChanges(changes) = x.store(&q, None) else {
        panic!()
    };
    let kinds: BTreeMap<&str, usize> = changes.changes.iter().fold(BTreeMap::new(), |mut m, e| {
        *m.entry(e.what.as_str()).or_default() += 1;
        m
    });
    for (what, n) in [
        ("committee_dissolved", 1),
        ("seat_abolished", 1 + 5), // the national seat, and the dissolved committee's five
        ("post_holder_left", 1),
        ("post_abolished", 1),
        ("unit_moved", 3),
        ("unit_merged", 1),
        ("unit_renamed", 1),
    ] {
        assert_eq!(kinds.get(what), Some(&n), "{what} in {kinds:?}");
    }
    assert_eq!(changes.decision.kind, crate::DecisionKind::Resolution);
    let merger_file = 3;
    let unknown = x.lineage(&m.unit, m.on, x.after_file(merger_file));
    assert_eq!(unknown.status, UnitStatus::Active);
    assert!(unknown.successor.is_none() && unknown.later.is_none());
    let dissolved = x.composition(&m.dissolved_committee, m.on, None);
    assert!(!dissolved.active);
    assert_eq!(dissolved.holder_count(), 0);
    let before = x.composition(&m.dissolved_committee, day_before, None);
    assert!(before.active && before.holder_count() > 0);
    assert!(
        x.composition(MERGED_COMMITTEE, m.on, x.after_file(merger_file))
            .active
    );
    let (u, on) = &f.dissolved_unit;
    assert_eq!(x.lineage(u, *on, None).status, UnitStatus::Dissolved);
    assert_eq!(
        x.lineage(u, on.previous_day(), None).status,
        UnitStatus::Active
    );

    // Ex-officio tenure: each holder of a post sat in each seat that goes with it for the
    // overlap of the holding and the seat's life.
    let mut expected: BTreeMap<String, BTreeSet<Tenure>> = BTreeMap::new();
    for h in &f.holdings {
        let entry = expected.entry(h.person.clone()).or_default();
        for s in f.ex_officio_seats.iter().filter(|s| s.post == h.post) {
            let from = h.from.max(s.from);
            let ended_on = match (h.ended_on, s.ended_on) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if ended_on.is_none_or(|e| e > from) {
                entry.insert((
                    committee(&s.committee),
                    seat(&s.committee, &s.seat),
                    from,
                    ended_on,
                ));
            }
        }
    }
    let mut several = 0;
    for (p, want) in &expected {
        let h = x.person_history(p, None);
        let got: BTreeSet<_> = h
            .ex_officio
            .iter()
            .map(|e| (e.committee, e.seat, e.from, e.ended_on))
            .collect();
        assert_eq!(&got, want, "seats held ex officio by {p}");
        several += usize::from(got.len() > 1);
    }
    assert!(several > 0, "someone sat ex officio in more than one seat");
}

/// The number of holdings of a composition, a vacant seat counting as one: what a diff
/// sorts into stayed, changed or left.
fn holdings(c: &crate::Composition) -> usize {
    let own: usize = c.seats.iter().map(|s| s.holders.len().max(1)).sum();
    own + c.sub_bodies.iter().map(holdings).sum::<usize>()
}

// Late entries dated before a change recorded earlier, which that change's rule would have
// refused. Each is the smallest case of a pattern the history above has to steer around.

/// Decides the files in order as one import; the first refusal, if any.
fn late_files(files: &[&str]) -> Result<super::support::World, String> {
    let mut w = super::support::World::new();
    let mut t = Translation::new();
    for (i, text) in files.iter().enumerate() {
        let name = format!("file {}", i + 1);
        let seed = parse(&name, text);
        for c in seed.commands_in(&name, &mut t).map_err(|e| e.to_string())? {
            w.exec(c).map_err(|e| t.describe(&e.to_string()))?;
        }
    }
    Ok(w)
}

const LATE_BASE: &str = include_str!("seeds/late-base.toml");

/// Recorded later: "Thành viên 2 replaced Thành viên 1 on 2021-06-01", before the 2022
/// reconstitution recorded already.
const LATE_REPLACEMENT: &str = include_str!("seeds/late-replacement.toml");

#[test]
fn a_late_replacement_before_a_recorded_reconstitution_does_not_outlast_the_seat() {
    // Either refused, or the new holder's tenure ends with the seat (on the reconstitution).
    let Ok(w) = late_files(&[LATE_BASE, LATE_REPLACEMENT]) else {
        return;
    };
    let h = w.k.person_history(person("thanh-vien-2")).unwrap();
    assert_eq!(h.memberships.len(), 1);
    assert_eq!(h.memberships[0].from, date("2021-06-01"));
    assert_eq!(
        h.memberships[0].ended_on,
        Some(date("2022-01-01")),
        "the seat ended on 2022-01-01"
    );
}

/// Recorded later: a department of Bộ X and a committee it owned, both from 2021, before
/// the merger of 2022 recorded already, and neither ended.
const LATE_DEPENDANTS: &str = include_str!("seeds/late-dependants.toml");

#[test]
fn a_late_dependant_of_a_unit_merged_already_is_refused() {
    // The merger itself is refused while a sub-unit or a committee depends on the unit; a
    // late entry must not reach the same state by the other order.
    let err = late_files(&[LATE_BASE, LATE_DEPENDANTS])
        .err()
        .expect("a sub-unit dated before its parent's recorded merger is refused");
    assert!(
        err.contains("bo-x"),
        "the error names the merged unit: {err}"
    );
    assert!(err.contains("2022-01-01"), "and its end: {err}");
}
