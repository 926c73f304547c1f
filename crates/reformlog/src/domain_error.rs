//! Why `decide` refused a command: the domain's invariants, as typed errors.

use crate::date::Date;
use crate::ids::{
    CommitteeId, DecisionId, EntityKey, EventId, HoldingId, MembershipId, PersonId, PostId, SeatId,
    TaskId, UnitId,
};
use crate::model::{Role, TaskStatus};

/// A command that would break an invariant or names something unknown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainError {
    #[error("unknown unit {0}")]
    UnknownUnit(UnitId),
    #[error("unknown person {0}")]
    UnknownPerson(PersonId),
    #[error("unknown post {0}")]
    UnknownPost(PostId),
    #[error("unknown committee {0}")]
    UnknownCommittee(CommitteeId),
    #[error("unknown decision {0}")]
    UnknownDecision(DecisionId),
    #[error("unknown task {0}")]
    UnknownTask(TaskId),
    #[error("unknown seat {seat} in committee {committee}")]
    UnknownSeat {
        committee: CommitteeId,
        seat: SeatId,
    },
    #[error("unknown membership {membership} in committee {committee}")]
    UnknownMembership {
        committee: CommitteeId,
        membership: MembershipId,
    },
    #[error("unknown holding {holding} of post {post}")]
    UnknownHolding { post: PostId, holding: HoldingId },
    #[error("unknown event {0}")]
    UnknownEvent(EventId),
    #[error("{0} already exists")]
    AlreadyExists(EntityKey),
    #[error("seat {0} already exists")]
    SeatExists(SeatId),
    #[error("membership {0} already exists")]
    MembershipExists(MembershipId),
    #[error("holding {0} already exists")]
    HoldingExists(HoldingId),
    #[error("{entity} does not exist yet on {on}")]
    BeforeStart { entity: EntityKey, on: Date },
    #[error("{entity} no longer exists on {on}")]
    Ended { entity: EntityKey, on: Date },
    #[error("{entity} has already ended")]
    AlreadyEnded { entity: EntityKey },
    #[error("{entity} has changes dated after {on}; correct or retract them first")]
    LaterChanges { entity: EntityKey, on: Date },
    #[error("unit {unit} cannot be placed under {parent}: that would make a cycle")]
    UnitCycle { unit: UnitId, parent: UnitId },
    #[error("unit {0} cannot be merged into itself")]
    MergeIntoSelf(UnitId),
    #[error("post {post} would have more than {max} holder(s) on some date from {from}")]
    PostFull { post: PostId, max: u16, from: Date },
    #[error("person {person} already holds post {post} in an overlapping period")]
    AlreadyHoldsPost { person: PersonId, post: PostId },
    #[error("a post needs room for at least one holder")]
    NoHolders,
    #[error("seat {seat} does not exist on {on}")]
    SeatNotActive { seat: SeatId, on: Date },
    #[error(
        "committee {committee} already has a {role:?} seat in a period overlapping one from {from}"
    )]
    SoleRoleTaken {
        committee: CommitteeId,
        role: Role,
        from: Date,
    },
    #[error("seat {seat} is held ex officio and takes no personal member")]
    ExOfficioSeat { seat: SeatId },
    #[error("seat {seat} is not held ex officio, so no holder of a post is designated to it")]
    NotExOfficio { seat: SeatId },
    #[error("person {person} does not hold post {post} on {on}, so cannot sit for it")]
    NotPostHolder {
        person: PersonId,
        post: PostId,
        on: Date,
    },
    #[error("seat {seat} already has a holder designated from {on}")]
    AlreadyDesignated { seat: SeatId, on: Date },
    #[error("seat {seat} is already held by {holder} in an overlapping period")]
    SeatOccupied { seat: SeatId, holder: PersonId },
    #[error("person {person} already holds seat {seat} in an overlapping period")]
    OverlappingMembership { person: PersonId, seat: SeatId },
    #[error("person {person} already sits on committee {committee} in an overlapping period")]
    PersonAlreadySeated {
        person: PersonId,
        committee: CommitteeId,
    },
    #[error("a period cannot end ({ended_on}) on or before the day it starts ({from})")]
    EndsBeforeStart { from: Date, ended_on: Date },
    #[error("seat {seat} still has a membership open after {ended_on}")]
    SeatStillHeld { seat: SeatId, ended_on: Date },
    #[error("committee {committee} is not a sub-body of {parent}")]
    NotASubBody {
        parent: CommitteeId,
        committee: CommitteeId,
    },
    #[error("the same id is used twice in one command: {0}")]
    DuplicateId(String),
    #[error(
        "unit {unit} cannot end on {on} while {} depend on it: move each sub-unit (merge_unit's move_sub_units), dissolve each committee and reassign each task it leads first",
        dependants(sub_units, committees, tasks)
    )]
    UnitHasDependants {
        unit: UnitId,
        on: Date,
        sub_units: Vec<UnitId>,
        committees: Vec<CommitteeId>,
        tasks: Vec<TaskId>,
    },
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("{field} holds a control or invisible formatting character (U+{code:04X})")]
    BadCharacter { field: &'static str, code: u32 },
    #[error("{field} has no letter or digit")]
    NoVisibleCharacter { field: &'static str },
    #[error("task {task}'s deadline {deadline} is before the task was created ({created})")]
    DeadlineBeforeCreation {
        task: TaskId,
        deadline: Date,
        created: Date,
    },
    #[error("decision {decision} is a {kind:?}, not a plan: tasks belong to plans")]
    NotAPlan {
        decision: DecisionId,
        kind: crate::model::DecisionKind,
    },
    #[error("plan {plan} is in force from {in_force_on}; a task of it cannot start on {on}")]
    PlanNotInForce {
        plan: DecisionId,
        in_force_on: Date,
        on: Date,
    },
    #[error(
        "task {task} has progress reported on {reported}, after its completion on {completed}"
    )]
    ProgressAfterCompletion {
        task: TaskId,
        reported: Date,
        completed: Date,
    },
    #[error(
        "person {person} left their post in unit {unit} on {left_on}, so cannot be responsible for a task it leads from {on}"
    )]
    ResponsibleLeftUnit {
        person: PersonId,
        unit: UnitId,
        left_on: Date,
        on: Date,
    },
    #[error("unit {0} leads the task and cannot also be listed as cooperating")]
    LeadAlsoCooperating(UnitId),
    #[error("progress must be between 0 and 100 percent, not {0}")]
    InvalidPercent(u8),
    #[error(transparent)]
    Evidence(#[from] crate::evidence::EvidenceError),
    #[error("task {task} is {status:?} on {on}")]
    TaskNotOpen {
        task: TaskId,
        status: TaskStatus,
        on: Date,
    },
    #[error("task {task} is still open on {on}")]
    TaskNotClosed { task: TaskId, on: Date },
    #[error("the new deadline {deadline} is not later than the current {current}")]
    DeadlineNotLater { deadline: Date, current: Date },
    #[error("event {0} corrects or retracts another; correct the original event instead")]
    NotAFact(EventId),
    #[error("event {0} has been retracted")]
    AlreadyRetracted(EventId),
    #[error("a correction must be the same kind of event as its target ({expected}, not {found})")]
    KindMismatch {
        expected: &'static str,
        found: &'static str,
    },
    #[error("a correction must be about the same entity as its target ({expected}, not {found})")]
    EntityMismatch {
        expected: EntityKey,
        found: EntityKey,
    },
    #[error("the correction changes nothing")]
    NoChange,
    #[error("after this change the record of {entity} would be inconsistent: {cause}")]
    Inconsistent {
        entity: EntityKey,
        cause: Box<DomainError>,
    },
}

fn dependants(sub_units: &[UnitId], committees: &[CommitteeId], tasks: &[TaskId]) -> String {
    let mut parts: Vec<String> = sub_units.iter().map(|u| format!("sub-unit {u}")).collect();
    parts.extend(committees.iter().map(|c| format!("committee {c}")));
    parts.extend(tasks.iter().map(|t| format!("task {t}")));
    parts.join(", ")
}
