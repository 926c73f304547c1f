//! Domain events (past tense), each carrying its valid time, and the envelope the store adds.

use crate::date::{Date, Timestamp};
use crate::ids::{DecisionId, EntityKey, EventId};
use crate::model::Assignment;
use crate::payload::{
    CommitteeDissolution, CommitteeDuties, CommitteeEstablishment, CommitteeRenaming,
    DeadlineExtension, DecisionLink, DecisionRecord, MembershipEnd, MembershipStart, Payload,
    PersonName, PostAbolition, PostAppointment, PostCreation, PostDeparture, Retraction,
    SeatAbolition, SeatCreation, SeatHolderDesignation, TaskAssignment, TaskCreation, TaskProgress,
    TaskStatusChange, UnitDissolution, UnitEstablishment, UnitMerger, UnitMove, UnitRenaming,
};
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// Commands carry events (corrections), so unknown fields are refused here too.
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Event {
    /// A unit came into being.
    UnitEstablished(UnitEstablishment),
    /// A unit took a new name from a date.
    UnitRenamed(UnitRenaming),
    /// A unit moved under another parent (or became top-level).
    UnitMoved(UnitMove),
    /// A unit ended by merging into its successor.
    UnitMerged(UnitMerger),
    /// A unit ended without a successor.
    UnitDissolved(UnitDissolution),
    /// A person was put on record.
    PersonRegistered(PersonName),
    /// A person's name changed from a date.
    PersonRenamed(PersonName),
    /// A post was created.
    PostCreated(PostCreation),
    /// A person started holding a post.
    PostHolderAppointed(PostAppointment),
    /// A person's holding of a post ended.
    PostHolderLeft(PostDeparture),
    /// A post was abolished.
    PostAbolished(PostAbolition),
    /// A legal document (decision, plan, decree, …) was recorded.
    DecisionRecorded(DecisionRecord),
    /// A committee or sub-body was established.
    CommitteeEstablished(CommitteeEstablishment),
    /// A committee took a new name from a date.
    CommitteeRenamed(CommitteeRenaming),
    /// A committee's standing duties were replaced by a new list.
    DutiesSet(CommitteeDuties),
    /// A seat was added to a committee.
    SeatCreated(SeatCreation),
    /// A seat was removed from a committee.
    SeatAbolished(SeatAbolition),
    /// A person started holding a seat.
    MembershipStarted(MembershipStart),
    /// A membership ended.
    MembershipEnded(MembershipEnd),
    /// A committee was dissolved.
    CommitteeDissolved(CommitteeDissolution),
    /// A reform task was created.
    TaskCreated(TaskCreation),
    /// A task got its first lead unit.
    TaskAssigned(TaskAssignment),
    /// A task that had a lead unit was given another.
    TaskReassigned(TaskAssignment),
    /// A task's deadline moved later.
    TaskDeadlineExtended(DeadlineExtension),
    /// Progress on a task was reported.
    TaskProgressReported(TaskProgress),
    /// A task was completed.
    TaskCompleted(TaskStatusChange),
    /// A task was cancelled.
    TaskCancelled(TaskStatusChange),
    /// A completed or cancelled task was opened again.
    TaskReopened(TaskStatusChange),
    /// Replaces the content of an earlier fact event of the same kind and entity.
    Corrected {
        /// The id of the event corrected.
        target: EventId,
        /// The event as it should have been.
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        corrected: Box<Event>,
    },
    /// Withdraws an earlier fact event as if it had never been true.
    Retracted(Retraction),
    /// Of the holders of an ex-officio seat's post, `person` is the one who sits, from `on`
    /// (until another designation): for a post several people hold at once.
    SeatHolderDesignated(SeatHolderDesignation),
    /// A link to a decision's published text was recorded.
    DecisionLinked(DecisionLink),
}

impl Event {
    /// What states this event's facts: its payload, or a correction's corrected event's.
    fn payload(&self) -> &dyn Payload {
        use Event as E;
        match self {
            E::UnitEstablished(p) => p,
            E::UnitRenamed(p) => p,
            E::UnitMoved(p) => p,
            E::UnitMerged(p) => p,
            E::UnitDissolved(p) => p,
            E::PersonRegistered(p) | E::PersonRenamed(p) => p,
            E::PostCreated(p) => p,
            E::PostHolderAppointed(p) => p,
            E::PostHolderLeft(p) => p,
            E::PostAbolished(p) => p,
            E::DecisionRecorded(p) => p,
            E::CommitteeEstablished(p) => p,
            E::CommitteeRenamed(p) => p,
            E::DutiesSet(p) => p,
            E::SeatCreated(p) => p,
            E::SeatAbolished(p) => p,
            E::MembershipStarted(p) => p,
            E::MembershipEnded(p) => p,
            E::CommitteeDissolved(p) => p,
            E::TaskCreated(p) => p,
            E::TaskAssigned(p) | E::TaskReassigned(p) => p,
            E::TaskDeadlineExtended(p) => p,
            E::TaskProgressReported(p) => p,
            E::TaskCompleted(p) | E::TaskCancelled(p) | E::TaskReopened(p) => p,
            E::Corrected { corrected, .. } => corrected.payload(),
            E::Retracted(p) => p,
            E::SeatHolderDesignated(p) => p,
            E::DecisionLinked(p) => p,
        }
    }

    /// The entity whose stream holds this event.
    pub fn entity(&self) -> EntityKey {
        self.payload().entity()
    }

    /// The date from which what this event says is true in the world.
    pub fn valid_from(&self) -> Date {
        self.payload().valid_from()
    }

    /// The decision this event cites, if any: besides the one behind the change, a recorded
    /// decision cites itself and a task the plan that lists it.
    pub fn decision(&self) -> Option<DecisionId> {
        match self {
            Event::DecisionRecorded(d) => Some(d.decision),
            Event::TaskCreated(t) => t.plan,
            Event::Corrected { corrected, .. } => corrected.decision(),
            other => other.payload().decision(),
        }
    }

    /// The event type name the store records; stable, snake_case.
    pub fn type_name(&self) -> &'static str {
        use Event as E;
        match self {
            E::UnitEstablished(_) => "unit_established",
            E::UnitRenamed(_) => "unit_renamed",
            E::UnitMoved(_) => "unit_moved",
            E::UnitMerged(_) => "unit_merged",
            E::UnitDissolved(_) => "unit_dissolved",
            E::PersonRegistered(_) => "person_registered",
            E::PersonRenamed(_) => "person_renamed",
            E::PostCreated(_) => "post_created",
            E::PostHolderAppointed(_) => "post_holder_appointed",
            E::PostHolderLeft(_) => "post_holder_left",
            E::PostAbolished(_) => "post_abolished",
            E::DecisionRecorded(_) => "decision_recorded",
            E::CommitteeEstablished(_) => "committee_established",
            E::CommitteeRenamed(_) => "committee_renamed",
            E::DutiesSet(_) => "duties_set",
            E::SeatCreated(_) => "seat_created",
            E::SeatAbolished(_) => "seat_abolished",
            E::MembershipStarted(_) => "membership_started",
            E::MembershipEnded(_) => "membership_ended",
            E::CommitteeDissolved(_) => "committee_dissolved",
            E::TaskCreated(_) => "task_created",
            E::TaskAssigned(_) => "task_assigned",
            E::TaskReassigned(_) => "task_reassigned",
            E::TaskDeadlineExtended(_) => "task_deadline_extended",
            E::TaskProgressReported(_) => "task_progress_reported",
            E::TaskCompleted(_) => "task_completed",
            E::TaskCancelled(_) => "task_cancelled",
            E::TaskReopened(_) => "task_reopened",
            E::Corrected { .. } => "corrected",
            E::Retracted(_) => "retracted",
            E::SeatHolderDesignated(_) => "seat_holder_designated",
            E::DecisionLinked(_) => "decision_linked",
        }
    }

    /// Whether this event states a fact (as opposed to correcting or retracting one).
    pub fn is_fact(&self) -> bool {
        !matches!(self, Self::Corrected { .. } | Self::Retracted(_))
    }

    /// Other entities this event names; they must exist when it is decided.
    pub(crate) fn references(&self) -> Vec<EntityKey> {
        use Event as E;
        let mut out = Vec::new();
        if let Some(d) = self.decision() {
            if !matches!(self, E::DecisionRecorded(_)) {
                out.push(EntityKey::Decision(d));
            }
        }
        let assignment_refs = |a: &Assignment, out: &mut Vec<EntityKey>| {
            out.push(EntityKey::Unit(a.lead));
            out.extend(a.cooperating.iter().map(|u| EntityKey::Unit(*u)));
            out.extend(a.responsible.map(EntityKey::Person));
        };
        match self {
            E::UnitEstablished(UnitEstablishment { parent, .. })
            | E::UnitMoved(UnitMove { parent, .. }) => {
                out.extend(parent.map(EntityKey::Unit));
            }
            E::UnitMerged(UnitMerger { into, .. }) => out.push(EntityKey::Unit(*into)),
            E::PostCreated(PostCreation { unit, .. }) => out.extend(unit.map(EntityKey::Unit)),
            E::PostHolderAppointed(PostAppointment { person, .. }) => {
                out.push(EntityKey::Person(*person))
            }
            E::DecisionRecorded(DecisionRecord {
                issuer,
                signer,
                amends,
                replaces,
                repeals,
                ..
            }) => {
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
            E::CommitteeEstablished(CommitteeEstablishment { parent, unit, .. }) => {
                out.extend(parent.map(EntityKey::Committee));
                out.extend(unit.map(EntityKey::Unit));
            }
            E::SeatCreated(SeatCreation {
                on_behalf_of,
                ex_officio,
                ..
            }) => {
                out.extend(on_behalf_of.map(EntityKey::Unit));
                out.extend(ex_officio.map(EntityKey::Post));
            }
            E::MembershipStarted(MembershipStart { person, .. })
            | E::SeatHolderDesignated(SeatHolderDesignation { person, .. }) => {
                out.push(EntityKey::Person(*person))
            }
            E::TaskCreated(TaskCreation {
                assignment: Some(a),
                ..
            }) => assignment_refs(a, &mut out),
            E::TaskAssigned(t) | E::TaskReassigned(t) => assignment_refs(&t.assignment, &mut out),
            E::Corrected { corrected, .. } => out.extend(corrected.references()),
            _ => {}
        }
        out
    }
}

/// What the store knows about an event besides its payload.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventMeta {
    /// Global log position (1-based, gap-free, in commit order).
    pub position: u64,
    /// The commit (one atomic append) the event was recorded in; every event of a commit is
    /// known from the same moment on.
    pub commit: u64,
    /// The event's own id, unique in the log (derived from idempotency keys when given).
    pub event_id: EventId,
    /// When the log recorded the event (UTC; every event of a commit shares it).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub recorded_at: Timestamp,
    /// Who recorded the event, as the writer named them.
    pub actor: String,
    /// Why it was recorded, if the writer said.
    pub reason: Option<String>,
}

/// An event as read back from the log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recorded {
    /// Where and when the log recorded the event, and by whom.
    pub meta: EventMeta,
    /// What the event says.
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
