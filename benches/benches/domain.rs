//! The domain benchmarks P6 (composition latency as the log grows) and P7 (read-model
//! rebuild against plain replay), each a ratio against a baseline measured in the same run.
//!
//! `cargo bench -p reformlog-benches --bench domain` builds a log of plausible domain events
//! (units, people, posts, committees with yearly turnover, reform tasks with progress) with
//! the store's bulk import, then measures:
//!
//! - P6: p50/p99 of `Query::Composition` of one committee (24 seats and a 27-seat sub-body,
//!   like Decision 34) on a random date, in a small log and in the big one; target p99
//!   ≤ 1 ms and big-log p99 ÷ small-log p99 ≤ 1.5.
//! - P7: `Reformlog::rebuild` time ÷ a plain replay of the same log (`read_all` and
//!   `decode_event` of every event); target ≤ 2.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `REFORMLOG_BENCH_DOMAIN_EVENTS` | 1000000 | events in the big log |
//! | `REFORMLOG_BENCH_DOMAIN_SMALL` | 10000 | events in the small log |
//! | `REFORMLOG_BENCH_DOMAIN_QUERIES` | 2000 | timed queries per log |
//! | `REFORMLOG_BENCH_QUICK` | off | `1` for a quick run (100000 / 10000 events, 500 queries) |
//!
//! Without `--bench` (as under `cargo test --benches`) it makes one tiny pass.

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use reformlog::{
    decode_event, Answer, Assignment, CommitteeId, DecisionId, DecisionKind, Event, HoldingId,
    MembershipId, Name, PersonId, PostId, Query, Reformlog, Role, SeatId, TaskId, UnitId, UnitKind,
};
use reformlog_store::{
    encode_payload, Direction, EventFilter, ExpectedRevision, Metadata, NewEvent, StreamAppend,
};

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// `StoreConfig`'s default page cache.
const CACHE_BYTES: u64 = 32 * 1024 * 1024;
/// Seats of the committee P6 asks about and of its sub-body (as in Decision 34).
const MAIN_SEATS: usize = 24;
const SUB_SEATS: usize = 27;
/// Seats of every other committee.
const SEATS: usize = 30;
const FIRST_YEAR: i32 = 2015;
const YEARS: i32 = 11;

struct Settings {
    big: u64,
    small: u64,
    queries: usize,
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

impl Settings {
    fn load() -> Self {
        let full = std::env::args().any(|a| a == "--bench");
        let quick = std::env::var("REFORMLOG_BENCH_QUICK").is_ok_and(|v| v == "1");
        let (big, small, queries) = match (full, quick) {
            (false, _) => (4_000, 2_000, 50),
            (true, true) => (100_000, 10_000, 500),
            (true, false) => (1_000_000, 10_000, 2_000),
        };
        Self {
            big: env_u64("REFORMLOG_BENCH_DOMAIN_EVENTS").unwrap_or(big),
            small: env_u64("REFORMLOG_BENCH_DOMAIN_SMALL").unwrap_or(small),
            queries: env_u64("REFORMLOG_BENCH_DOMAIN_QUERIES").map_or(queries, |q| q as usize),
        }
    }
}

/// A small deterministic generator (xorshift), so every run builds the same log.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn date(year: i32, day_of_year: u32) -> reformlog::Date {
    let start = reformlog::Date::from_ymd(year, 1, 1).unwrap_or(reformlog::Date::MIN);
    reformlog::Date::from_julian_day(start.julian_day() + day_of_year as i32).unwrap_or(start)
}

fn name(text: String) -> Name {
    Name::new(&text).unwrap_or_else(|_| Name::new("Không tên").expect("a valid name"))
}

/// A committee, the decision that set it up, and each seat's open membership.
type CommitteeState = (CommitteeId, DecisionId, Vec<(SeatId, MembershipId)>);

/// Builds appends of plausible events, round by round, until about `target` events.
struct World {
    rng: Rng,
    appends: Vec<StreamAppend>,
    events: u64,
    target: u64,
    units: Vec<UnitId>,
    people: Vec<PersonId>,
    /// Per committee: (id, decision, seats with their open membership and holder).
    committees: Vec<CommitteeState>,
    tasks: Vec<TaskId>,
    posts: Vec<(PostId, Option<HoldingId>)>,
}

impl World {
    fn push(&mut self, stream_of: &Event, events: Vec<Event>) -> Res<()> {
        let stream = stream_of.entity().stream_name();
        let mut out = Vec::with_capacity(events.len());
        for e in events {
            let metadata = Metadata::by(format!("bien-tap-{}", self.rng.below(20)))
                .with_extra("valid_from", e.valid_from().to_string());
            out.push(NewEvent::new(
                e.type_name(),
                1,
                encode_payload(&e)?,
                metadata,
            ));
            self.events += 1;
        }
        self.appends
            .push(StreamAppend::new(stream, ExpectedRevision::Any, out));
        Ok(())
    }

    fn decision(&mut self, year: i32, n: usize) -> Res<DecisionId> {
        let id = DecisionId::new();
        let e = Event::DecisionRecorded {
            decision: id,
            number: format!("{n}/QĐ-{year}"),
            kind: DecisionKind::Decision,
            issuer: self.units[0],
            signer: None,
            signed_on: date(year, 10),
            in_force_on: date(year, 14),
            title: format!("Quyết định {n} năm {year}"),
            amends: Vec::new(),
            replaces: Vec::new(),
            repeals: Vec::new(),
        };
        self.push(&e.clone(), vec![e])?;
        Ok(id)
    }

    fn committee(&mut self, parent: Option<CommitteeId>, seats: usize) -> Res<CommitteeId> {
        let n = self.committees.len();
        let dec = self.decision(FIRST_YEAR, n)?;
        let id = CommitteeId::new();
        let on = date(FIRST_YEAR, 14);
        let mut events = vec![Event::CommitteeEstablished {
            committee: id,
            name: name(format!("Ban chỉ đạo {n}")),
            parent,
            unit: Some(self.units[n % self.units.len()]),
            on,
            decision: dec,
        }];
        let mut open = Vec::new();
        for s in 0..seats {
            let seat = SeatId::new();
            let role = match s {
                0 if parent.is_some() => Role::GroupLeader,
                0 => Role::Head,
                1 | 2 => Role::DeputyHead,
                _ => Role::Member,
            };
            events.push(Event::SeatCreated {
                committee: id,
                seat,
                role,
                on_behalf_of: (role == Role::Member)
                    .then(|| self.units[self.rng.below(self.units.len() as u64) as usize]),
                ex_officio: None,
                label: None,
                from: on,
                ended_on: None,
                decision: dec,
            });
            let membership = MembershipId::new();
            let person = self.people[self.rng.below(self.people.len() as u64) as usize];
            events.push(Event::MembershipStarted {
                committee: id,
                membership,
                seat,
                person,
                from: on,
                ended_on: None,
                decision: dec,
            });
            open.push((seat, membership));
        }
        let first = events[0].clone();
        self.push(&first, events)?;
        self.committees.push((id, dec, open));
        Ok(id)
    }

    fn build(target: u64) -> Res<(Vec<StreamAppend>, CommitteeId)> {
        let mut w = World {
            rng: Rng(0x9e37_79b9_7f4a_7c15),
            appends: Vec::new(),
            events: 0,
            target,
            units: Vec::new(),
            people: Vec::new(),
            committees: Vec::new(),
            tasks: Vec::new(),
            posts: Vec::new(),
        };
        let scale = (target / 1000).max(4);
        let on = date(FIRST_YEAR - 1, 0);
        for u in 0..(scale / 3).clamp(30, 400) {
            let unit = UnitId::new();
            let e = Event::UnitEstablished {
                unit,
                name: name(format!("Đơn vị {u}")),
                kind: UnitKind::Department,
                parent: w.units.first().copied(),
                on,
                decision: None,
            };
            w.push(&e.clone(), vec![e])?;
            w.units.push(unit);
            let post = PostId::new();
            let e = Event::PostCreated {
                post,
                title: name(format!("Vụ trưởng Đơn vị {u}")),
                unit: Some(unit),
                max_holders: 1,
                on,
                decision: None,
            };
            w.push(&e.clone(), vec![e])?;
            w.posts.push((post, None));
        }
        for p in 0..scale * 20 {
            let person = PersonId::new();
            let e = Event::PersonRegistered {
                person,
                name: name(format!("Thành viên {p}")),
                on,
            };
            w.push(&e.clone(), vec![e])?;
            w.people.push(person);
        }
        let main = w.committee(None, MAIN_SEATS)?;
        w.committee(Some(main), SUB_SEATS)?;
        // About 45 events a round; dates advance with the rounds and never go back, so each
        // seat has one holder at a time.
        let rounds = (target / 45).max(1);
        let per_year = (rounds / YEARS as u64).max(1);
        let mut round = 0u64;
        while w.events < w.target {
            if w.committees.len() < (scale as usize).max(2) {
                w.committee(None, SEATS)?;
            }
            let year = FIRST_YEAR + ((round / per_year) as i32).min(YEARS - 1);
            let day = 20 + ((round % per_year) * 320 / per_year) as u32;
            w.round(year, day)?;
            round += 1;
        }
        Ok((w.appends, main))
    }

    /// One round: a turnover in a few committees, new tasks and progress, a post holder.
    fn round(&mut self, year: i32, day: u32) -> Res<()> {
        let on = date(year, day);
        for _ in 0..3 {
            let c = self.rng.below(self.committees.len() as u64) as usize;
            let (id, dec, seats) = self.committees[c].clone();
            let mut events = Vec::new();
            let mut open = seats.clone();
            for _ in 0..4 {
                let s = self.rng.below(seats.len() as u64) as usize;
                let (seat, old) = open[s];
                let membership = MembershipId::new();
                let person = self.people[self.rng.below(self.people.len() as u64) as usize];
                events.push(Event::MembershipEnded {
                    committee: id,
                    membership: old,
                    ended_on: on,
                    decision: dec,
                });
                events.push(Event::MembershipStarted {
                    committee: id,
                    membership,
                    seat,
                    person,
                    from: on,
                    ended_on: None,
                    decision: dec,
                });
                open[s] = (seat, membership);
            }
            let first = events[0].clone();
            self.push(&first, events)?;
            self.committees[c].2 = open;
        }
        for _ in 0..6 {
            let task = TaskId::new();
            let lead = self.units[self.rng.below(self.units.len() as u64) as usize];
            let e = Event::TaskCreated {
                task,
                plan: None,
                title: format!("Nhiệm vụ {}", self.tasks.len()),
                product: "Báo cáo".to_owned(),
                deadline: date(year, day + 90),
                assignment: Some(Assignment {
                    lead,
                    cooperating: Vec::new(),
                    responsible: None,
                }),
                on,
            };
            self.push(&e.clone(), vec![e])?;
            self.tasks.push(task);
        }
        for _ in 0..10 {
            let task = self.tasks[self.rng.below(self.tasks.len() as u64) as usize];
            let percent = self.rng.below(101) as u8;
            let e = Event::TaskProgressReported {
                task,
                percent,
                note: "Báo cáo tiến độ".to_owned(),
                evidence: None,
                on: date(year, day + 5),
            };
            let mut events = vec![e.clone()];
            if percent == 100 {
                events.push(Event::TaskCompleted {
                    task,
                    on: date(year, day + 6),
                });
            }
            self.push(&e, events)?;
        }
        let p = self.rng.below(self.posts.len() as u64) as usize;
        let (post, old) = self.posts[p];
        let holding = HoldingId::new();
        let person = self.people[self.rng.below(self.people.len() as u64) as usize];
        let mut events = Vec::new();
        if let Some(old) = old {
            events.push(Event::PostHolderLeft {
                post,
                holding: old,
                ended_on: on,
                decision: None,
            });
        }
        events.push(Event::PostHolderAppointed {
            post,
            holding,
            person,
            from: on,
            ended_on: None,
            decision: None,
        });
        let first = events[0].clone();
        self.push(&first, events)?;
        self.posts[p].1 = Some(holding);
        Ok(())
    }
}

/// A store holding a generated log of about `events` events, read models caught up.
fn build(events: u64) -> Res<(tempfile::TempDir, Reformlog, CommitteeId, Duration)> {
    let dir = tempfile::tempdir()?;
    let log =
        Reformlog::open_with(reformlog::Options::new(dir.path()).cache_capacity(CACHE_BYTES))?;
    let (appends, main) = World::build(events)?;
    {
        let mut bulk = log.store().bulk_import_flushed_at_end();
        for a in appends {
            bulk.append_multi(&[a])?;
        }
        bulk.finish()?;
    }
    let started = Instant::now();
    log.catch_up()?;
    Ok((dir, log, main, started.elapsed()))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// p50 and p99 of the composition of `committee` on random dates.
fn p6(log: &Reformlog, committee: CommitteeId, queries: usize) -> Res<(Duration, Duration, usize)> {
    let mut rng = Rng(42);
    let random_query = |rng: &mut Rng| Query::Composition {
        committee,
        on: date(
            FIRST_YEAR + rng.below(YEARS as u64) as i32,
            rng.below(365) as u32,
        ),
    };
    let mut holders = 0;
    for _ in 0..queries / 4 + 10 {
        black_box(log.query(&random_query(&mut rng), None)?);
    }
    let mut times = Vec::with_capacity(queries);
    for _ in 0..queries {
        let q = random_query(&mut rng);
        let t = Instant::now();
        let answer = log.query(&q, None)?;
        times.push(t.elapsed());
        if let Answer::Composition(c) = black_box(answer) {
            holders = holders.max(c.holder_count());
        }
    }
    times.sort();
    Ok((percentile(&times, 0.5), percentile(&times, 0.99), holders))
}

/// `read_all` of the whole log and `decode_event` of every event: the replay baseline.
fn replay(log: &Reformlog) -> Res<(Duration, u64)> {
    let t = Instant::now();
    let mut from = Some(1);
    let mut n = 0u64;
    while let Some(start) = from {
        let page =
            log.store()
                .read_all(Some(start), Direction::Forward, 20_000, &EventFilter::all())?;
        for e in &page.events {
            black_box(decode_event(e)?);
            n += 1;
        }
        from = page.next;
    }
    Ok((t.elapsed(), n))
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() -> Res<()> {
    let s = Settings::load();
    println!(
        "domain benchmarks: big log {} events, small log {} events, {} queries",
        s.big, s.small, s.queries
    );

    let (_small_dir, small, small_main, _) = build(s.small)?;
    let (s50, s99, holders) = p6(&small, small_main, s.queries)?;
    println!(
        "P6 small log ({} events): composition ({holders} holders) p50 {}, p99 {}",
        small.store().head_position(),
        ms(s50),
        ms(s99)
    );
    drop(small);

    let t = Instant::now();
    let (_big_dir, big, big_main, projected) = build(s.big)?;
    let events = big.store().head_position();
    println!(
        "built the big log: {events} events in {:.1} s (projection {:.1} s)",
        t.elapsed().as_secs_f64(),
        projected.as_secs_f64()
    );
    let (b50, b99, holders) = p6(&big, big_main, s.queries)?;
    let ratio = b99.as_secs_f64() / s99.as_secs_f64().max(1e-9);
    println!(
        "P6 big log ({events} events): composition ({holders} holders) p50 {}, p99 {}",
        ms(b50),
        ms(b99)
    );
    println!(
        "P6 p99 big ÷ small = {ratio:.2} (target ≤ 1.5); p99 {} (target ≤ 1 ms): {}",
        ms(b99),
        if ratio <= 1.5 && b99 <= Duration::from_millis(1) {
            "met"
        } else {
            "MISSED"
        }
    );

    let (replay1, n) = replay(&big)?;
    let t = Instant::now();
    big.rebuild()?;
    let rebuild = t.elapsed();
    let (replay2, _) = replay(&big)?;
    let replay = replay1.min(replay2);
    let ratio = rebuild.as_secs_f64() / replay.as_secs_f64().max(1e-9);
    println!(
        "P7 rebuild {:.2} s ÷ replay {:.2} s ({n} events) = {ratio:.2} (target ≤ 2): {}",
        rebuild.as_secs_f64(),
        replay.as_secs_f64(),
        if ratio <= 2.0 { "met" } else { "MISSED" }
    );
    let (c50, c99, _) = p6(&big, big_main, s.queries)?;
    println!("P6 big log after rebuild: p50 {}, p99 {}", ms(c50), ms(c99));
    Ok(())
}
