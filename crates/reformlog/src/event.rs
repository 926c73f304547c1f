//! Domain events (past tense), each carrying its valid time, and the envelope the store adds.

use crate::date::{Date, Timestamp};
use crate::evidence::Evidence;
use crate::ids::{
    CommitteeId, DecisionId, EntityKey, EventId, HoldingId, MembershipId, PersonId, PostId, SeatId,
    TaskId, UnitId,
};
use crate::model::{Assignment, DecisionKind, Role, UnitKind};
use crate::text::Name;
use serde::{Deserialize, Serialize};

/// Something that happened in the domain. Every variant belongs to exactly one entity stream
/// ([`Event::entity`]) and has one valid date ([`Event::valid_from`]).
///
/// Intervals are half-open: a tenure `from` A `ended_on` B covers A up to the day before B,
/// so a decision in force on B ends the old tenure and starts the new one on the same date.
///
/// The codec behind the store encodes fields by position, so variants and fields are only
/// ever appended, never reordered or removed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
// Commands carry events (corrections), so unknown fields are refused here too.
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Event {
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
        /// Set when the end is already known at recording (history entered late).
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
        /// The decision that made the change, if one did.
        decision: Option<DecisionId>,
    },
    TaskReassigned {
        task: TaskId,
        assignment: Assignment,
        on: Date,
        /// The decision that made the change, if one did.
        decision: Option<DecisionId>,
    },
    TaskDeadlineExtended {
        task: TaskId,
        deadline: Date,
        on: Date,
        /// The decision that made the change, if one did.
        decision: Option<DecisionId>,
    },
    TaskProgressReported {
        task: TaskId,
        percent: u8,
        note: String,
        /// What the report cites; empty when nothing (schema 3: documents as well as text).
        #[serde(default)]
        evidence: Evidence,
        on: Date,
        /// The decision that made the change, if one did.
        decision: Option<DecisionId>,
    },
    TaskCompleted {
        task: TaskId,
        on: Date,
        /// The decision that made the change, if one did.
        decision: Option<DecisionId>,
    },
    TaskCancelled {
        task: TaskId,
        on: Date,
        /// The decision that made the change, if one did.
        decision: Option<DecisionId>,
    },
    TaskReopened {
        task: TaskId,
        on: Date,
        /// The decision that made the change, if one did.
        decision: Option<DecisionId>,
    },
    /// Replaces the content of an earlier fact event of the same kind and entity.
    Corrected {
        target: EventId,
        corrected: Box<Event>,
    },
    /// Withdraws an earlier fact event as if it had never been true.
    Retracted {
        target: EventId,
        entity: EntityKey,
        on: Date,
    },
    /// Of the holders of an ex-officio seat's post, `person` is the one who sits, from `on`
    /// (until another designation): for a post several people hold at once.
    SeatHolderDesignated {
        committee: CommitteeId,
        seat: SeatId,
        person: PersonId,
        on: Date,
        decision: DecisionId,
    },
}

impl Event {
    /// The entity whose stream holds this event.
    pub fn entity(&self) -> EntityKey {
        use Event as E;
        match self {
            E::UnitEstablished { unit, .. }
            | E::UnitRenamed { unit, .. }
            | E::UnitMoved { unit, .. }
            | E::UnitMerged { unit, .. }
            | E::UnitDissolved { unit, .. } => EntityKey::Unit(*unit),
            E::PersonRegistered { person, .. } | E::PersonRenamed { person, .. } => {
                EntityKey::Person(*person)
            }
            E::PostCreated { post, .. }
            | E::PostHolderAppointed { post, .. }
            | E::PostHolderLeft { post, .. }
            | E::PostAbolished { post, .. } => EntityKey::Post(*post),
            E::DecisionRecorded { decision, .. } => EntityKey::Decision(*decision),
            E::CommitteeEstablished { committee, .. }
            | E::CommitteeRenamed { committee, .. }
            | E::DutiesSet { committee, .. }
            | E::SeatCreated { committee, .. }
            | E::SeatAbolished { committee, .. }
            | E::MembershipStarted { committee, .. }
            | E::MembershipEnded { committee, .. }
            | E::SeatHolderDesignated { committee, .. }
            | E::CommitteeDissolved { committee, .. } => EntityKey::Committee(*committee),
            E::TaskCreated { task, .. }
            | E::TaskAssigned { task, .. }
            | E::TaskReassigned { task, .. }
            | E::TaskDeadlineExtended { task, .. }
            | E::TaskProgressReported { task, .. }
            | E::TaskCompleted { task, .. }
            | E::TaskCancelled { task, .. }
            | E::TaskReopened { task, .. } => EntityKey::Task(*task),
            E::Corrected { corrected, .. } => corrected.entity(),
            E::Retracted { entity, .. } => *entity,
        }
    }

    /// The date from which what this event says is true in the world.
    pub fn valid_from(&self) -> Date {
        use Event as E;
        match self {
            E::UnitEstablished { on, .. }
            | E::UnitRenamed { on, .. }
            | E::UnitMoved { on, .. }
            | E::UnitMerged { on, .. }
            | E::UnitDissolved { on, .. }
            | E::PersonRegistered { on, .. }
            | E::PersonRenamed { on, .. }
            | E::PostCreated { on, .. }
            | E::PostAbolished { on, .. }
            | E::CommitteeEstablished { on, .. }
            | E::CommitteeRenamed { on, .. }
            | E::DutiesSet { on, .. }
            | E::CommitteeDissolved { on, .. }
            | E::TaskCreated { on, .. }
            | E::TaskAssigned { on, .. }
            | E::TaskReassigned { on, .. }
            | E::TaskDeadlineExtended { on, .. }
            | E::TaskProgressReported { on, .. }
            | E::TaskCompleted { on, .. }
            | E::TaskCancelled { on, .. }
            | E::TaskReopened { on, .. }
            | E::SeatHolderDesignated { on, .. }
            | E::Retracted { on, .. } => *on,
            E::PostHolderAppointed { from, .. }
            | E::SeatCreated { from, .. }
            | E::MembershipStarted { from, .. } => *from,
            E::PostHolderLeft { ended_on, .. }
            | E::SeatAbolished { ended_on, .. }
            | E::MembershipEnded { ended_on, .. } => *ended_on,
            E::DecisionRecorded { in_force_on, .. } => *in_force_on,
            E::Corrected { corrected, .. } => corrected.valid_from(),
        }
    }

    /// The decision this event cites, if any.
    pub fn decision(&self) -> Option<DecisionId> {
        use Event as E;
        match self {
            E::UnitEstablished { decision, .. }
            | E::UnitRenamed { decision, .. }
            | E::UnitMoved { decision, .. }
            | E::UnitMerged { decision, .. }
            | E::UnitDissolved { decision, .. }
            | E::PostCreated { decision, .. }
            | E::PostHolderAppointed { decision, .. }
            | E::PostHolderLeft { decision, .. }
            | E::PostAbolished { decision, .. } => *decision,
            E::CommitteeEstablished { decision, .. }
            | E::CommitteeRenamed { decision, .. }
            | E::DutiesSet { decision, .. }
            | E::SeatCreated { decision, .. }
            | E::SeatAbolished { decision, .. }
            | E::MembershipStarted { decision, .. }
            | E::MembershipEnded { decision, .. }
            | E::SeatHolderDesignated { decision, .. }
            | E::CommitteeDissolved { decision, .. } => Some(*decision),
            E::DecisionRecorded { decision, .. } => Some(*decision),
            E::TaskCreated { plan, .. } => *plan,
            E::TaskAssigned { decision, .. }
            | E::TaskReassigned { decision, .. }
            | E::TaskDeadlineExtended { decision, .. }
            | E::TaskProgressReported { decision, .. }
            | E::TaskCompleted { decision, .. }
            | E::TaskCancelled { decision, .. }
            | E::TaskReopened { decision, .. } => *decision,
            E::Corrected { corrected, .. } => corrected.decision(),
            _ => None,
        }
    }

    /// The event type name the store records; stable, snake_case.
    pub fn type_name(&self) -> &'static str {
        use Event as E;
        match self {
            E::UnitEstablished { .. } => "unit_established",
            E::UnitRenamed { .. } => "unit_renamed",
            E::UnitMoved { .. } => "unit_moved",
            E::UnitMerged { .. } => "unit_merged",
            E::UnitDissolved { .. } => "unit_dissolved",
            E::PersonRegistered { .. } => "person_registered",
            E::PersonRenamed { .. } => "person_renamed",
            E::PostCreated { .. } => "post_created",
            E::PostHolderAppointed { .. } => "post_holder_appointed",
            E::PostHolderLeft { .. } => "post_holder_left",
            E::PostAbolished { .. } => "post_abolished",
            E::DecisionRecorded { .. } => "decision_recorded",
            E::CommitteeEstablished { .. } => "committee_established",
            E::CommitteeRenamed { .. } => "committee_renamed",
            E::DutiesSet { .. } => "duties_set",
            E::SeatCreated { .. } => "seat_created",
            E::SeatAbolished { .. } => "seat_abolished",
            E::MembershipStarted { .. } => "membership_started",
            E::MembershipEnded { .. } => "membership_ended",
            E::CommitteeDissolved { .. } => "committee_dissolved",
            E::TaskCreated { .. } => "task_created",
            E::TaskAssigned { .. } => "task_assigned",
            E::TaskReassigned { .. } => "task_reassigned",
            E::TaskDeadlineExtended { .. } => "task_deadline_extended",
            E::TaskProgressReported { .. } => "task_progress_reported",
            E::TaskCompleted { .. } => "task_completed",
            E::TaskCancelled { .. } => "task_cancelled",
            E::TaskReopened { .. } => "task_reopened",
            E::Corrected { .. } => "corrected",
            E::Retracted { .. } => "retracted",
            E::SeatHolderDesignated { .. } => "seat_holder_designated",
        }
    }

    /// Whether this event states a fact (as opposed to correcting or retracting one).
    pub fn is_fact(&self) -> bool {
        !matches!(self, Self::Corrected { .. } | Self::Retracted { .. })
    }

    /// Other entities this event names; they must exist when it is decided.
    pub(crate) fn references(&self) -> Vec<EntityKey> {
        use Event as E;
        let mut out = Vec::new();
        if let Some(d) = self.decision() {
            if !matches!(self, E::DecisionRecorded { .. }) {
                out.push(EntityKey::Decision(d));
            }
        }
        let assignment_refs = |a: &Assignment, out: &mut Vec<EntityKey>| {
            out.push(EntityKey::Unit(a.lead));
            out.extend(a.cooperating.iter().map(|u| EntityKey::Unit(*u)));
            out.extend(a.responsible.map(EntityKey::Person));
        };
        match self {
            E::UnitEstablished { parent, .. } | E::UnitMoved { parent, .. } => {
                out.extend(parent.map(EntityKey::Unit));
            }
            E::UnitMerged { into, .. } => out.push(EntityKey::Unit(*into)),
            E::PostCreated { unit, .. } => out.extend(unit.map(EntityKey::Unit)),
            E::PostHolderAppointed { person, .. } => out.push(EntityKey::Person(*person)),
            E::DecisionRecorded {
                issuer,
                signer,
                amends,
                replaces,
                repeals,
                ..
            } => {
                out.push(EntityKey::Unit(*issuer));
                out.extend(signer.map(EntityKey::Person));
                out.extend(
                    amends
                        .iter()
                        .chain(replaces)
                        .chain(repeals)
                        .map(|d| EntityKey::Decision(*d)),
                );
            }
            E::CommitteeEstablished { parent, unit, .. } => {
                out.extend(parent.map(EntityKey::Committee));
                out.extend(unit.map(EntityKey::Unit));
            }
            E::SeatCreated {
                on_behalf_of,
                ex_officio,
                ..
            } => {
                out.extend(on_behalf_of.map(EntityKey::Unit));
                out.extend(ex_officio.map(EntityKey::Post));
            }
            E::MembershipStarted { person, .. } | E::SeatHolderDesignated { person, .. } => {
                out.push(EntityKey::Person(*person))
            }
            E::TaskCreated {
                assignment: Some(a),
                ..
            } => assignment_refs(a, &mut out),
            E::TaskAssigned { assignment, .. } | E::TaskReassigned { assignment, .. } => {
                assignment_refs(assignment, &mut out);
            }
            E::Corrected { corrected, .. } => out.extend(corrected.references()),
            _ => {}
        }
        out
    }
}

/// What the store knows about an event besides its payload.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct EventMeta {
    /// Global log position (1-based, gap-free, in commit order).
    pub position: u64,
    /// The commit (one atomic append) the event was recorded in; every event of a commit is
    /// known from the same moment on.
    pub commit: u64,
    pub event_id: EventId,
    pub recorded_at: Timestamp,
    pub actor: String,
    pub reason: Option<String>,
}

/// An event as read back from the log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
pub struct Recorded {
    pub meta: EventMeta,
    pub event: Event,
}

impl Recorded {
    /// Whether the event was known at `known_at` (always, when no bound is given), judged by
    /// its own position: [`Knowledge::from_log`](crate::Knowledge::from_log) widens a position
    /// to the whole commit holding it.
    pub fn known_at(&self, known_at: Option<crate::date::KnownAt>) -> bool {
        use crate::date::KnownAt;
        match known_at {
            None => true,
            Some(KnownAt::Position(p)) => self.meta.position <= p,
            Some(KnownAt::Timestamp(t)) => self.meta.recorded_at <= t,
        }
    }
}
