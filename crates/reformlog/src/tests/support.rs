//! A tiny in-memory "log" for given/when/then tests: decide, stamp, apply.

use crate::payload::{CommitteeCharter, DecisionRecord, PersonName};
use crate::{
    Command, Date, DomainError, Event, EventId, EventMeta, Knowledge, KnownAt, Recorded, Timestamp,
};

pub(crate) fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// Knowledge plus the log that produced it, with a settable clock and actor.
pub(crate) struct World {
    pub(crate) k: Knowledge,
    pub(crate) log: Vec<Recorded>,
    pub(crate) clock: Timestamp,
    pub(crate) actor: String,
}

impl World {
    pub(crate) fn new() -> Self {
        Self {
            k: Knowledge::new(),
            log: Vec::new(),
            clock: d("2022-01-20").start_utc(),
            actor: "thu-ky".to_owned(),
        }
    }

    pub(crate) fn given(commands: impl IntoIterator<Item = Command>) -> Self {
        let mut w = Self::new();
        for c in commands {
            w.exec(c).unwrap();
        }
        w
    }

    /// Records on the morning of `date` from now on.
    pub(crate) fn on_day(&mut self, date: &str) {
        self.clock = d(date).start_utc();
    }

    pub(crate) fn position(&self) -> u64 {
        self.k.last_position()
    }

    /// Decides and, if accepted, appends and applies; returns the new events' ids.
    pub(crate) fn exec(&mut self, command: Command) -> Result<Vec<EventId>, DomainError> {
        let events = self.k.decide(&command)?;
        Ok(self.record(events, None))
    }

    pub(crate) fn exec_because(
        &mut self,
        command: Command,
        reason: &str,
    ) -> Result<Vec<EventId>, DomainError> {
        let events = self.k.decide(&command)?;
        Ok(self.record(events, Some(reason.to_owned())))
    }

    /// Appends events already decided.
    pub(crate) fn record_events(&mut self, events: Vec<Event>) -> Vec<EventId> {
        self.record(events, None)
    }

    pub(crate) fn record(&mut self, events: Vec<Event>, reason: Option<String>) -> Vec<EventId> {
        let mut ids = Vec::new();
        for event in events {
            self.clock = Timestamp::from_micros(self.clock.as_micros() + 1_000_000);
            let r = Recorded {
                meta: EventMeta {
                    position: self.k.last_position() + 1,
                    commit: self.k.last_position() + 1,
                    event_id: EventId::new(),
                    recorded_at: self.clock,
                    actor: self.actor.clone(),
                    reason: reason.clone(),
                },
                event,
            };
            ids.push(r.meta.event_id);
            self.log.push(r.clone());
            self.k.apply(r);
        }
        ids
    }

    /// What the log said at `known_at`.
    pub(crate) fn as_known_at(&self, known_at: KnownAt) -> Knowledge {
        Knowledge::from_log(&self.log, Some(known_at))
    }
}

pub(crate) const SEED: &str = include_str!("../../../../tests/data/seed-decision-34.toml");

pub(crate) fn unit(slug: &str) -> crate::UnitId {
    crate::UnitId::from_slug(slug).unwrap()
}
pub(crate) fn person(slug: &str) -> crate::PersonId {
    crate::PersonId::from_slug(slug).unwrap()
}
pub(crate) fn decision(slug: &str) -> crate::DecisionId {
    crate::DecisionId::from_slug(slug).unwrap()
}
pub(crate) fn committee(slug: &str) -> crate::CommitteeId {
    crate::CommitteeId::from_slug(slug).unwrap()
}
pub(crate) fn post(slug: &str) -> crate::PostId {
    crate::PostId::from_slug(slug).unwrap()
}
pub(crate) fn seat(committee: &str, seat: &str) -> crate::SeatId {
    crate::Seed::seat_id(committee, seat).unwrap()
}
pub(crate) fn name(s: &str) -> crate::Name {
    crate::Name::new(s).unwrap()
}

/// The command renaming the person `who` to `to` on 2022-03-01.
pub(crate) fn rename(who: &str, to: &str) -> Command {
    Command::RenamePerson(PersonName {
        person: person(who),
        name: name(to),
        on: d("2022-03-01"),
    })
}

pub(crate) const BCD: &str = "bcd-cchc-bo-tttt";
pub(crate) const TGV: &str = "to-giup-viec";

/// A plain reform task `slug` ("Nhiệm vụ slug", a report as its product) created on 1 February
/// 2022 with its deadline, led by `lead` when given.
pub(crate) fn plain_task(slug: &str, deadline: &str, lead: Option<&str>) -> Command {
    Command::CreateTask(crate::payload::TaskCreation {
        task: crate::TaskId::from_slug(slug).unwrap(),
        plan: None,
        title: format!("Nhiệm vụ {slug}"),
        product: "Báo cáo".to_owned(),
        deadline: d(deadline),
        assignment: lead.map(|lead| crate::Assignment {
            lead: unit(lead),
            cooperating: Vec::new(),
            responsible: None,
        }),
        on: d("2022-02-01"),
    })
}

/// The seed case, recorded on 2022-01-20.
pub(crate) fn seeded() -> World {
    let seed = crate::Seed::parse(SEED).unwrap();
    World::given(seed.commands().unwrap())
}

/// The command recording a clearly hypothetical document `number` of the ministry, of
/// `kind`, signed and in force on `on`, amending, replacing and repealing nothing.
pub(crate) fn ministry_document(
    id: crate::DecisionId,
    number: &str,
    kind: crate::DecisionKind,
    on: &str,
    title: &str,
) -> Command {
    Command::RecordDecision(DecisionRecord {
        decision: id,
        number: number.to_owned(),
        kind,
        issuer: unit("bo-tttt"),
        signer: None,
        signed_on: d(on),
        in_force_on: d(on),
        title: title.to_owned(),
        amends: Vec::new(),
        replaces: Vec::new(),
        repeals: Vec::new(),
    })
}

/// Records a clearly hypothetical decision `HYPOTHETICAL-n/QĐ-BTTTT` in force on `on`.
pub(crate) fn hypothetical_decision(w: &mut World, n: u32, on: &str) -> crate::DecisionId {
    let id = crate::DecisionId::from_slug(&format!("hypothetical-{n}")).unwrap();
    w.exec(ministry_document(
        id,
        &format!("HYPOTHETICAL-{n}/QĐ-BTTTT"),
        crate::DecisionKind::Decision,
        on,
        "Hypothetical decision for tests; not a real document",
    ))
    .unwrap();
    id
}

/// A second, empty committee "Ban thử nghiệm n" set up by a hypothetical decision.
pub(crate) fn test_committee(
    w: &mut World,
    n: u32,
    on: &str,
) -> (crate::CommitteeId, crate::DecisionId) {
    let dec = hypothetical_decision(w, 100 + n, on);
    let id = crate::CommitteeId::from_slug(&format!("ban-thu-nghiem-{n}")).unwrap();
    w.exec(Command::EstablishCommittee(CommitteeCharter {
        committee: id,
        name: name(&format!("Ban thử nghiệm {n}")),
        parent: None,
        unit: Some(unit("bo-tttt")),
        on: d(on),
        decision: dec,
        duties: Vec::new(),
    }))
    .unwrap();
    (id, dec)
}

/// The command creating the seat `spec` in `committee` on `on`, by `decision`.
pub(crate) fn create_seat(
    committee: crate::CommitteeId,
    spec: crate::SeatSpec,
    on: &str,
    decision: crate::DecisionId,
) -> Command {
    Command::CreateSeat {
        committee,
        spec,
        on: d(on),
        decision,
    }
}

pub(crate) fn seat_spec(slug: &str, role: crate::Role) -> crate::SeatSpec {
    crate::SeatSpec {
        seat: crate::SeatId::from_slug(slug).unwrap(),
        role,
        on_behalf_of: None,
        ex_officio: None,
        label: None,
        holder: None,
    }
}
