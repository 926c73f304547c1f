//! A generated log of plausible domain events (units, people, posts, committees with yearly
//! turnover, reform tasks with progress) for the domain and daemon benchmarks, built the same
//! way every run.

use reformlog::{
    Assignment, CommitteeEstablishment, CommitteeId, DecisionId, DecisionKind, DecisionRecord,
    Event, HoldingId, MembershipEnd, MembershipId, MembershipStart, Name, PersonId, PersonName,
    PostAppointment, PostCreation, PostDeparture, PostId, Role, SeatCreation, SeatId, TaskCreation,
    TaskId, TaskProgress, TaskStatusChange, UnitEstablishment, UnitId, UnitKind,
};
use reformlog_store::{encode_payload, ExpectedRevision, Metadata, NewEvent, StreamAppend};

/// The error type of the benchmark helpers.
pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Seats of the committee P6 asks about and of its sub-body (as in Decision 34).
pub const MAIN_SEATS: usize = 24;
pub const SUB_SEATS: usize = 27;
/// Seats of every other committee.
pub const SEATS: usize = 30;
pub const FIRST_YEAR: i32 = 2015;
pub const YEARS: i32 = 11;

/// A small deterministic generator (xorshift), so every run builds the same log.
#[derive(Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

pub fn date(year: i32, day_of_year: u32) -> reformlog::Date {
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
                reformlog::SCHEMA_VERSION,
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
        let e = Event::DecisionRecorded(DecisionRecord {
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
        });
        self.push(&e.clone(), vec![e])?;
        Ok(id)
    }

    /// A new membership of `seat` from `on`, held by a person drawn at random: its id and
    /// the event starting it.
    fn new_member(
        &mut self,
        committee: CommitteeId,
        seat: SeatId,
        on: reformlog::Date,
        decision: DecisionId,
    ) -> (MembershipId, Event) {
        let membership = MembershipId::new();
        let person = self.people[self.rng.below(self.people.len() as u64) as usize];
        let started = Event::MembershipStarted(MembershipStart {
            committee,
            membership,
            seat,
            person,
            from: on,
            ended_on: None,
            decision,
        });
        (membership, started)
    }

    fn committee(&mut self, parent: Option<CommitteeId>, seats: usize) -> Res<CommitteeId> {
        let n = self.committees.len();
        let dec = self.decision(FIRST_YEAR, n)?;
        let id = CommitteeId::new();
        let on = date(FIRST_YEAR, 14);
        let mut events = vec![Event::CommitteeEstablished(CommitteeEstablishment {
            committee: id,
            name: name(format!("Ban chỉ đạo {n}")),
            parent,
            unit: Some(self.units[n % self.units.len()]),
            on,
            decision: dec,
        })];
        let mut open = Vec::new();
        for s in 0..seats {
            let seat = SeatId::new();
            let role = match s {
                0 if parent.is_some() => Role::GroupLeader,
                0 => Role::Head,
                1 | 2 => Role::DeputyHead,
                _ => Role::Member,
            };
            events.push(Event::SeatCreated(SeatCreation {
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
            }));
            let (membership, started) = self.new_member(id, seat, on, dec);
            events.push(started);
            open.push((seat, membership));
        }
        let first = events[0].clone();
        self.push(&first, events)?;
        self.committees.push((id, dec, open));
        Ok(id)
    }

    fn build(target: u64) -> Res<(Vec<StreamAppend>, Vec<CommitteeId>)> {
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
            let e = Event::UnitEstablished(UnitEstablishment {
                unit,
                name: name(format!("Đơn vị {u}")),
                kind: UnitKind::Department,
                parent: w.units.first().copied(),
                on,
                decision: None,
            });
            w.push(&e.clone(), vec![e])?;
            w.units.push(unit);
            let post = PostId::new();
            let e = Event::PostCreated(PostCreation {
                post,
                title: name(format!("Vụ trưởng Đơn vị {u}")),
                unit: Some(unit),
                max_holders: 1,
                on,
                decision: None,
            });
            w.push(&e.clone(), vec![e])?;
            w.posts.push((post, None));
        }
        for p in 0..scale * 20 {
            let person = PersonId::new();
            let e = Event::PersonRegistered(PersonName {
                person,
                name: name(format!("Thành viên {p}")),
                on,
            });
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
        let committees = w.committees.iter().map(|c| c.0).collect();
        Ok((w.appends, committees))
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
                events.push(Event::MembershipEnded(MembershipEnd {
                    committee: id,
                    membership: old,
                    ended_on: on,
                    decision: dec,
                }));
                let (membership, started) = self.new_member(id, seat, on, dec);
                events.push(started);
                open[s] = (seat, membership);
            }
            let first = events[0].clone();
            self.push(&first, events)?;
            self.committees[c].2 = open;
        }
        for _ in 0..6 {
            let task = TaskId::new();
            let lead = self.units[self.rng.below(self.units.len() as u64) as usize];
            let e = Event::TaskCreated(TaskCreation {
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
            });
            self.push(&e.clone(), vec![e])?;
            self.tasks.push(task);
        }
        for _ in 0..10 {
            let task = self.tasks[self.rng.below(self.tasks.len() as u64) as usize];
            let percent = self.rng.below(101) as u8;
            let e = Event::TaskProgressReported(TaskProgress {
                task,
                percent,
                note: "Báo cáo tiến độ".to_owned(),
                evidence: reformlog::Evidence::default(),
                on: date(year, day + 5),
                decision: None,
            });
            let mut events = vec![e.clone()];
            if percent == 100 {
                events.push(Event::TaskCompleted(TaskStatusChange {
                    task,
                    on: date(year, day + 6),
                    decision: None,
                }));
            }
            self.push(&e, events)?;
        }
        let p = self.rng.below(self.posts.len() as u64) as usize;
        let (post, old) = self.posts[p];
        let holding = HoldingId::new();
        let person = self.people[self.rng.below(self.people.len() as u64) as usize];
        let mut events = Vec::new();
        if let Some(old) = old {
            events.push(Event::PostHolderLeft(PostDeparture {
                post,
                holding: old,
                ended_on: on,
                decision: None,
            }));
        }
        events.push(Event::PostHolderAppointed(PostAppointment {
            post,
            holding,
            person,
            from: on,
            ended_on: None,
            decision: None,
        }));
        let first = events[0].clone();
        self.push(&first, events)?;
        self.posts[p].1 = Some(holding);
        Ok(())
    }
}

/// About `target` events as appends, and every committee's id; the first committee has 24
/// seats and a 27-seat sub-body (the second), as in Decision 34.
pub fn generate(target: u64) -> Res<(Vec<StreamAppend>, Vec<CommitteeId>)> {
    World::build(target)
}
