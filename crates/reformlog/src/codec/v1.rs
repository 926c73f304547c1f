//! Payload schema 1, as builds before task events cited decisions wrote it: read and turned
//! into schema 2's events (and through them into today's), each task event citing no decision.
//!
//! The layout is frozen: this enum lists schema 1's variants and fields in their stored order
//! and is never changed again.

use super::v2::EventV2;
use crate::date::Date;
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

impl From<EventV1> for EventV2 {
    fn from(e: EventV1) -> Self {
        match e {
            EventV1::UnitEstablished {
                unit,
                name,
                kind,
                parent,
                on,
                decision,
            } => EventV2::UnitEstablished {
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
            } => EventV2::UnitRenamed {
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
            } => EventV2::UnitMoved {
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
            } => EventV2::UnitMerged {
                unit,
                into,
                on,
                decision,
            },
            EventV1::UnitDissolved { unit, on, decision } => {
                EventV2::UnitDissolved { unit, on, decision }
            }
            EventV1::PersonRegistered { person, name, on } => {
                EventV2::PersonRegistered { person, name, on }
            }
            EventV1::PersonRenamed { person, name, on } => {
                EventV2::PersonRenamed { person, name, on }
            }
            EventV1::PostCreated {
                post,
                title,
                unit,
                max_holders,
                on,
                decision,
            } => EventV2::PostCreated {
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
            } => EventV2::PostHolderAppointed {
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
            } => EventV2::PostHolderLeft {
                post,
                holding,
                ended_on,
                decision,
            },
            EventV1::PostAbolished { post, on, decision } => {
                EventV2::PostAbolished { post, on, decision }
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
            } => EventV2::DecisionRecorded {
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
            } => EventV2::CommitteeEstablished {
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
            } => EventV2::CommitteeRenamed {
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
            } => EventV2::DutiesSet {
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
            } => EventV2::SeatCreated {
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
            } => EventV2::SeatAbolished {
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
            } => EventV2::MembershipStarted {
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
            } => EventV2::MembershipEnded {
                committee,
                membership,
                ended_on,
                decision,
            },
            EventV1::CommitteeDissolved {
                committee,
                on,
                decision,
            } => EventV2::CommitteeDissolved {
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
            } => EventV2::TaskCreated {
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
            } => EventV2::TaskAssigned {
                task,
                assignment,
                on,
                decision: None,
            },
            EventV1::TaskReassigned {
                task,
                assignment,
                on,
            } => EventV2::TaskReassigned {
                task,
                assignment,
                on,
                decision: None,
            },
            EventV1::TaskDeadlineExtended { task, deadline, on } => EventV2::TaskDeadlineExtended {
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
            } => EventV2::TaskProgressReported {
                task,
                percent,
                note,
                evidence,
                on,
                decision: None,
            },
            EventV1::TaskCompleted { task, on } => EventV2::TaskCompleted {
                task,
                on,
                decision: None,
            },
            EventV1::TaskCancelled { task, on } => EventV2::TaskCancelled {
                task,
                on,
                decision: None,
            },
            EventV1::TaskReopened { task, on } => EventV2::TaskReopened {
                task,
                on,
                decision: None,
            },
            EventV1::Corrected { target, corrected } => EventV2::Corrected {
                target,
                corrected: Box::new(EventV2::from(*corrected)),
            },
            EventV1::Retracted { target, entity, on } => EventV2::Retracted { target, entity, on },
            EventV1::SeatHolderDesignated {
                committee,
                seat,
                person,
                on,
                decision,
            } => EventV2::SeatHolderDesignated {
                committee,
                seat,
                person,
                on,
                decision,
            },
        }
    }
}
