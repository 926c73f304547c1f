//! Payload schema 2, as builds before progress reports named evidence documents wrote it:
//! read and turned into today's events, a report's free-text evidence kept as its note.
//!
//! The layout is frozen: this enum lists schema 2's variants and fields in their stored order
//! and is never changed again. Schema 1 is read by turning it into this one.

use crate::date::Date;
use crate::event::Event;
use crate::evidence::Evidence;
use crate::ids::{
    CommitteeId, DecisionId, EntityKey, EventId, HoldingId, MembershipId, PersonId, PostId, SeatId,
    TaskId, UnitId,
};
use crate::model::{Assignment, DecisionKind, Role, UnitKind};
use crate::text::Name;
use serde::Deserialize;

/// An event as payload schema 2 stores it.
#[derive(Deserialize)]
pub(crate) enum EventV2 {
    UnitEstablished {
        unit: UnitId,
        name: Name,
        kind: UnitKind,
        parent: Option<UnitId>,
        on: Date,
        decision: Option<DecisionId>,
    },
    UnitRenamed {
        unit: UnitId,
        name: Name,
        on: Date,
        decision: Option<DecisionId>,
    },
    UnitMoved {
        unit: UnitId,
        parent: Option<UnitId>,
        on: Date,
        decision: Option<DecisionId>,
    },
    UnitMerged {
        unit: UnitId,
        into: UnitId,
        on: Date,
        decision: Option<DecisionId>,
    },
    UnitDissolved {
        unit: UnitId,
        on: Date,
        decision: Option<DecisionId>,
    },
    PersonRegistered {
        person: PersonId,
        name: Name,
        on: Date,
    },
    PersonRenamed {
        person: PersonId,
        name: Name,
        on: Date,
    },
    PostCreated {
        post: PostId,
        title: Name,
        unit: Option<UnitId>,
        max_holders: u16,
        on: Date,
        decision: Option<DecisionId>,
    },
    PostHolderAppointed {
        post: PostId,
        holding: HoldingId,
        person: PersonId,
        from: Date,
        ended_on: Option<Date>,
        decision: Option<DecisionId>,
    },
    PostHolderLeft {
        post: PostId,
        holding: HoldingId,
        ended_on: Date,
        decision: Option<DecisionId>,
    },
    PostAbolished {
        post: PostId,
        on: Date,
        decision: Option<DecisionId>,
    },
    DecisionRecorded {
        decision: DecisionId,
        number: String,
        kind: DecisionKind,
        issuer: UnitId,
        signer: Option<PersonId>,
        signed_on: Date,
        in_force_on: Date,
        title: String,
        amends: Vec<DecisionId>,
        replaces: Vec<DecisionId>,
        repeals: Vec<DecisionId>,
    },
    CommitteeEstablished {
        committee: CommitteeId,
        name: Name,
        parent: Option<CommitteeId>,
        unit: Option<UnitId>,
        on: Date,
        decision: DecisionId,
    },
    CommitteeRenamed {
        committee: CommitteeId,
        name: Name,
        on: Date,
        decision: DecisionId,
    },
    DutiesSet {
        committee: CommitteeId,
        duties: Vec<String>,
        on: Date,
        decision: DecisionId,
    },
    SeatCreated {
        committee: CommitteeId,
        seat: SeatId,
        role: Role,
        on_behalf_of: Option<UnitId>,
        ex_officio: Option<PostId>,
        label: Option<String>,
        from: Date,
        ended_on: Option<Date>,
        decision: DecisionId,
    },
    SeatAbolished {
        committee: CommitteeId,
        seat: SeatId,
        ended_on: Date,
        decision: DecisionId,
    },
    MembershipStarted {
        committee: CommitteeId,
        membership: MembershipId,
        seat: SeatId,
        person: PersonId,
        from: Date,
        ended_on: Option<Date>,
        decision: DecisionId,
    },
    MembershipEnded {
        committee: CommitteeId,
        membership: MembershipId,
        ended_on: Date,
        decision: DecisionId,
    },
    CommitteeDissolved {
        committee: CommitteeId,
        on: Date,
        decision: DecisionId,
    },
    TaskCreated {
        task: TaskId,
        plan: Option<DecisionId>,
        title: String,
        product: String,
        deadline: Date,
        assignment: Option<Assignment>,
        on: Date,
    },
    TaskAssigned {
        task: TaskId,
        assignment: Assignment,
        on: Date,
        decision: Option<DecisionId>,
    },
    TaskReassigned {
        task: TaskId,
        assignment: Assignment,
        on: Date,
        decision: Option<DecisionId>,
    },
    TaskDeadlineExtended {
        task: TaskId,
        deadline: Date,
        on: Date,
        decision: Option<DecisionId>,
    },
    TaskProgressReported {
        task: TaskId,
        percent: u8,
        note: String,
        evidence: Option<String>,
        on: Date,
        decision: Option<DecisionId>,
    },
    TaskCompleted {
        task: TaskId,
        on: Date,
        decision: Option<DecisionId>,
    },
    TaskCancelled {
        task: TaskId,
        on: Date,
        decision: Option<DecisionId>,
    },
    TaskReopened {
        task: TaskId,
        on: Date,
        decision: Option<DecisionId>,
    },
    Corrected {
        target: EventId,
        corrected: Box<EventV2>,
    },
    Retracted {
        target: EventId,
        entity: EntityKey,
        on: Date,
    },
    SeatHolderDesignated {
        committee: CommitteeId,
        seat: SeatId,
        person: PersonId,
        on: Date,
        decision: DecisionId,
    },
}

impl From<EventV2> for Event {
    fn from(e: EventV2) -> Self {
        match e {
            EventV2::UnitEstablished {
                unit,
                name,
                kind,
                parent,
                on,
                decision,
            } => Event::UnitEstablished {
                unit,
                name,
                kind,
                parent,
                on,
                decision,
            },
            EventV2::UnitRenamed {
                unit,
                name,
                on,
                decision,
            } => Event::UnitRenamed {
                unit,
                name,
                on,
                decision,
            },
            EventV2::UnitMoved {
                unit,
                parent,
                on,
                decision,
            } => Event::UnitMoved {
                unit,
                parent,
                on,
                decision,
            },
            EventV2::UnitMerged {
                unit,
                into,
                on,
                decision,
            } => Event::UnitMerged {
                unit,
                into,
                on,
                decision,
            },
            EventV2::UnitDissolved { unit, on, decision } => {
                Event::UnitDissolved { unit, on, decision }
            }
            EventV2::PersonRegistered { person, name, on } => {
                Event::PersonRegistered { person, name, on }
            }
            EventV2::PersonRenamed { person, name, on } => {
                Event::PersonRenamed { person, name, on }
            }
            EventV2::PostCreated {
                post,
                title,
                unit,
                max_holders,
                on,
                decision,
            } => Event::PostCreated {
                post,
                title,
                unit,
                max_holders,
                on,
                decision,
            },
            EventV2::PostHolderAppointed {
                post,
                holding,
                person,
                from,
                ended_on,
                decision,
            } => Event::PostHolderAppointed {
                post,
                holding,
                person,
                from,
                ended_on,
                decision,
            },
            EventV2::PostHolderLeft {
                post,
                holding,
                ended_on,
                decision,
            } => Event::PostHolderLeft {
                post,
                holding,
                ended_on,
                decision,
            },
            EventV2::PostAbolished { post, on, decision } => {
                Event::PostAbolished { post, on, decision }
            }
            EventV2::DecisionRecorded {
                decision,
                number,
                kind,
                issuer,
                signer,
                signed_on,
                in_force_on,
                title,
                amends,
                replaces,
                repeals,
            } => Event::DecisionRecorded {
                decision,
                number,
                kind,
                issuer,
                signer,
                signed_on,
                in_force_on,
                title,
                amends,
                replaces,
                repeals,
            },
            EventV2::CommitteeEstablished {
                committee,
                name,
                parent,
                unit,
                on,
                decision,
            } => Event::CommitteeEstablished {
                committee,
                name,
                parent,
                unit,
                on,
                decision,
            },
            EventV2::CommitteeRenamed {
                committee,
                name,
                on,
                decision,
            } => Event::CommitteeRenamed {
                committee,
                name,
                on,
                decision,
            },
            EventV2::DutiesSet {
                committee,
                duties,
                on,
                decision,
            } => Event::DutiesSet {
                committee,
                duties,
                on,
                decision,
            },
            EventV2::SeatCreated {
                committee,
                seat,
                role,
                on_behalf_of,
                ex_officio,
                label,
                from,
                ended_on,
                decision,
            } => Event::SeatCreated {
                committee,
                seat,
                role,
                on_behalf_of,
                ex_officio,
                label,
                from,
                ended_on,
                decision,
            },
            EventV2::SeatAbolished {
                committee,
                seat,
                ended_on,
                decision,
            } => Event::SeatAbolished {
                committee,
                seat,
                ended_on,
                decision,
            },
            EventV2::MembershipStarted {
                committee,
                membership,
                seat,
                person,
                from,
                ended_on,
                decision,
            } => Event::MembershipStarted {
                committee,
                membership,
                seat,
                person,
                from,
                ended_on,
                decision,
            },
            EventV2::MembershipEnded {
                committee,
                membership,
                ended_on,
                decision,
            } => Event::MembershipEnded {
                committee,
                membership,
                ended_on,
                decision,
            },
            EventV2::CommitteeDissolved {
                committee,
                on,
                decision,
            } => Event::CommitteeDissolved {
                committee,
                on,
                decision,
            },
            EventV2::TaskCreated {
                task,
                plan,
                title,
                product,
                deadline,
                assignment,
                on,
            } => Event::TaskCreated {
                task,
                plan,
                title,
                product,
                deadline,
                assignment,
                on,
            },
            EventV2::TaskAssigned {
                task,
                assignment,
                on,
                decision,
            } => Event::TaskAssigned {
                task,
                assignment,
                on,
                decision,
            },
            EventV2::TaskReassigned {
                task,
                assignment,
                on,
                decision,
            } => Event::TaskReassigned {
                task,
                assignment,
                on,
                decision,
            },
            EventV2::TaskDeadlineExtended {
                task,
                deadline,
                on,
                decision,
            } => Event::TaskDeadlineExtended {
                task,
                deadline,
                on,
                decision,
            },
            EventV2::TaskProgressReported {
                task,
                percent,
                note,
                evidence,
                on,
                decision,
            } => Event::TaskProgressReported {
                task,
                percent,
                note,
                evidence: evidence.map(Evidence::note).unwrap_or_default(),
                on,
                decision,
            },
            EventV2::TaskCompleted { task, on, decision } => {
                Event::TaskCompleted { task, on, decision }
            }
            EventV2::TaskCancelled { task, on, decision } => {
                Event::TaskCancelled { task, on, decision }
            }
            EventV2::TaskReopened { task, on, decision } => {
                Event::TaskReopened { task, on, decision }
            }
            EventV2::Corrected { target, corrected } => Event::Corrected {
                target,
                corrected: Box::new(Event::from(*corrected)),
            },
            EventV2::Retracted { target, entity, on } => Event::Retracted { target, entity, on },
            EventV2::SeatHolderDesignated {
                committee,
                seat,
                person,
                on,
                decision,
            } => Event::SeatHolderDesignated {
                committee,
                seat,
                person,
                on,
                decision,
            },
        }
    }
}
