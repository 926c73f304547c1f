//! Payload schema 1, as builds before task events cited decisions wrote it: read and turned
//! into today's events, each task event citing no decision.
//!
//! The layout is frozen: this enum lists schema 1's variants and fields in their stored order
//! and is never changed again.

use crate::date::Date;
use crate::event::Event;
use crate::ids::{
    CommitteeId, DecisionId, EntityKey, EventId, HoldingId, MembershipId, PersonId, PostId, SeatId,
    TaskId, UnitId,
};
use crate::model::{Assignment, DecisionKind, Role, UnitKind};
use crate::text::Name;
use serde::Deserialize;

/// An event as payload schema 1 stores it.
#[derive(Deserialize)]
pub(crate) enum EventV1 {
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
    },
    TaskReassigned {
        task: TaskId,
        assignment: Assignment,
        on: Date,
    },
    TaskDeadlineExtended {
        task: TaskId,
        deadline: Date,
        on: Date,
    },
    TaskProgressReported {
        task: TaskId,
        percent: u8,
        note: String,
        evidence: Option<String>,
        on: Date,
    },
    TaskCompleted {
        task: TaskId,
        on: Date,
    },
    TaskCancelled {
        task: TaskId,
        on: Date,
    },
    TaskReopened {
        task: TaskId,
        on: Date,
    },
    Corrected {
        target: EventId,
        corrected: Box<EventV1>,
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

impl From<EventV1> for Event {
    fn from(e: EventV1) -> Self {
        match e {
            EventV1::UnitEstablished {
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
            EventV1::UnitRenamed {
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
            EventV1::UnitMoved {
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
            EventV1::UnitMerged {
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
            EventV1::UnitDissolved { unit, on, decision } => {
                Event::UnitDissolved { unit, on, decision }
            }
            EventV1::PersonRegistered { person, name, on } => {
                Event::PersonRegistered { person, name, on }
            }
            EventV1::PersonRenamed { person, name, on } => {
                Event::PersonRenamed { person, name, on }
            }
            EventV1::PostCreated {
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
            EventV1::PostHolderAppointed {
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
            EventV1::PostHolderLeft {
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
            EventV1::PostAbolished { post, on, decision } => {
                Event::PostAbolished { post, on, decision }
            }
            EventV1::DecisionRecorded {
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
            EventV1::CommitteeEstablished {
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
            EventV1::CommitteeRenamed {
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
            EventV1::DutiesSet {
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
            EventV1::SeatCreated {
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
            EventV1::SeatAbolished {
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
            EventV1::MembershipStarted {
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
            EventV1::MembershipEnded {
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
            EventV1::CommitteeDissolved {
                committee,
                on,
                decision,
            } => Event::CommitteeDissolved {
                committee,
                on,
                decision,
            },
            EventV1::TaskCreated {
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
            EventV1::TaskAssigned {
                task,
                assignment,
                on,
            } => Event::TaskAssigned {
                task,
                assignment,
                on,
                decision: None,
            },
            EventV1::TaskReassigned {
                task,
                assignment,
                on,
            } => Event::TaskReassigned {
                task,
                assignment,
                on,
                decision: None,
            },
            EventV1::TaskDeadlineExtended { task, deadline, on } => Event::TaskDeadlineExtended {
                task,
                deadline,
                on,
                decision: None,
            },
            EventV1::TaskProgressReported {
                task,
                percent,
                note,
                evidence,
                on,
            } => Event::TaskProgressReported {
                task,
                percent,
                note,
                evidence,
                on,
                decision: None,
            },
            EventV1::TaskCompleted { task, on } => Event::TaskCompleted {
                task,
                on,
                decision: None,
            },
            EventV1::TaskCancelled { task, on } => Event::TaskCancelled {
                task,
                on,
                decision: None,
            },
            EventV1::TaskReopened { task, on } => Event::TaskReopened {
                task,
                on,
                decision: None,
            },
            EventV1::Corrected { target, corrected } => Event::Corrected {
                target,
                corrected: Box::new(Event::from(*corrected)),
            },
            EventV1::Retracted { target, entity, on } => Event::Retracted { target, entity, on },
            EventV1::SeatHolderDesignated {
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
