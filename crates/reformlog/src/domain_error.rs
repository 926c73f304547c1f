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
    /// The command names a unit that is not on record.
    #[error("unknown unit {0}")]
    UnknownUnit(UnitId),
    /// The command names a person who is not on record.
    #[error("unknown person {0}")]
    UnknownPerson(PersonId),
    /// The command names a post that is not on record.
    #[error("unknown post {0}")]
    UnknownPost(PostId),
    /// The command names a committee that is not on record.
    #[error("unknown committee {0}")]
    UnknownCommittee(CommitteeId),
    /// The command cites a decision that is not on record.
    #[error("unknown decision {0}")]
    UnknownDecision(DecisionId),
    /// The command names a task that is not on record.
    #[error("unknown task {0}")]
    UnknownTask(TaskId),
    /// The command names a seat its committee does not have.
    #[error("unknown seat {seat} in committee {committee}")]
    UnknownSeat {
        /// The committee named.
        committee: CommitteeId,
        /// The seat not found in it.
        seat: SeatId,
    },
    /// The command names a membership its committee does not have.
    #[error("unknown membership {membership} in committee {committee}")]
    UnknownMembership {
        /// The committee named.
        committee: CommitteeId,
        /// The membership not found in it.
        membership: MembershipId,
    },
    /// The command names a holding its post does not have.
    #[error("unknown holding {holding} of post {post}")]
    UnknownHolding {
        /// The post named.
        post: PostId,
        /// The holding not found in it.
        holding: HoldingId,
    },
    /// A correction or retraction targets an event that is not in the log.
    #[error("unknown event {0}")]
    UnknownEvent(EventId),
    /// A creation uses the id of an entity already on record.
    #[error("{0} already exists")]
    AlreadyExists(EntityKey),
    /// A new seat uses the id of a seat already on record.
    #[error("seat {0} already exists")]
    SeatExists(SeatId),
    /// A new membership uses the id of one already on record.
    #[error("membership {0} already exists")]
    MembershipExists(MembershipId),
    /// A new post holding uses the id of one already on record.
    #[error("holding {0} already exists")]
    HoldingExists(HoldingId),
    /// The change is dated before the entity (`entity`) starts; `on` is the change's date.
    #[error("{entity} does not exist yet on {on}")]
    BeforeStart {
        /// The entity changed.
        entity: EntityKey,
        /// The date of the change.
        on: Date,
    },
    /// The change is dated when the entity (`entity`) no longer exists; `on` is the change's date.
    #[error("{entity} no longer exists on {on}")]
    Ended {
        /// The entity changed.
        entity: EntityKey,
        /// The date of the change.
        on: Date,
    },
    /// The entity (`entity`) already has an end and cannot be ended again.
    #[error("{entity} has already ended")]
    AlreadyEnded {
        /// The entity already ended.
        entity: EntityKey,
    },
    /// Ending the entity on `on` would leave its changes dated later standing after its end.
    #[error("{entity} has changes dated after {on}; correct or retract them first")]
    LaterChanges {
        /// The entity that would end.
        entity: EntityKey,
        /// The date it would end.
        on: Date,
    },
    /// Placing `unit` under `parent` would make a unit its own ancestor.
    #[error("unit {unit} cannot be placed under {parent}: that would make a cycle")]
    UnitCycle {
        /// The unit that would move.
        unit: UnitId,
        /// The parent asked for, a descendant of `unit`.
        parent: UnitId,
    },
    /// A unit cannot be merged into itself.
    #[error("unit {0} cannot be merged into itself")]
    MergeIntoSelf(UnitId),
    /// The post (`post`) would have more than `max` holders at once on some date from `from`.
    #[error("post {post} would have more than {max} holder(s) on some date from {from}")]
    PostFull {
        /// The post.
        post: PostId,
        /// How many holders it allows at once.
        max: u16,
        /// The start of the holding that would overfill it.
        from: Date,
    },
    /// The person already holds the post in an overlapping period.
    #[error("person {person} already holds post {post} in an overlapping period")]
    AlreadyHoldsPost {
        /// The person appointed.
        person: PersonId,
        /// The post they already hold.
        post: PostId,
    },
    /// A post was given room for zero holders.
    #[error("a post needs room for at least one holder")]
    NoHolders,
    /// The seat is not open on `on` (not yet created, or abolished).
    #[error("seat {seat} does not exist on {on}")]
    SeatNotActive {
        /// The seat named.
        seat: SeatId,
        /// The date of the change.
        on: Date,
    },
    /// A sole role (one head, one standing deputy head, …) would have two seats at once.
    #[error(
        "committee {committee} already has a {role:?} seat in a period overlapping one from {from}"
    )]
    SoleRoleTaken {
        /// The committee that already has the role.
        committee: CommitteeId,
        /// The sole role taken.
        role: Role,
        /// The start of the period that overlaps the existing seat.
        from: Date,
    },
    /// A personal member was named for a seat held ex officio through a post.
    #[error("seat {seat} is held ex officio and takes no personal member")]
    ExOfficioSeat {
        /// The ex-officio seat.
        seat: SeatId,
    },
    /// A holder was designated to a seat that is not held ex officio.
    #[error("seat {seat} is not held ex officio, so no holder of a post is designated to it")]
    NotExOfficio {
        /// The seat, held by personal members.
        seat: SeatId,
    },
    /// The person does not hold the ex-officio seat's post on the date, so cannot sit for it.
    #[error("person {person} does not hold post {post} on {on}, so cannot sit for it")]
    NotPostHolder {
        /// The person designated.
        person: PersonId,
        /// The seat's post.
        post: PostId,
        /// The date of the designation.
        on: Date,
    },
    /// The ex-officio seat already has a holder designated from `on`.
    #[error("seat {seat} already has a holder designated from {on}")]
    AlreadyDesignated {
        /// The ex-officio seat.
        seat: SeatId,
        /// The date the existing designation starts.
        on: Date,
    },
    /// The seat already has a holder (`holder`) in an overlapping period.
    #[error("seat {seat} is already held by {holder} in an overlapping period")]
    SeatOccupied {
        /// The seat.
        seat: SeatId,
        /// The person who holds it then.
        holder: PersonId,
    },
    /// The person already holds this seat in an overlapping period.
    #[error("person {person} already holds seat {seat} in an overlapping period")]
    OverlappingMembership {
        /// The person appointed.
        person: PersonId,
        /// The seat they already hold.
        seat: SeatId,
    },
    /// The person already sits on the committee in an overlapping period, in another seat.
    #[error("person {person} already sits on committee {committee} in an overlapping period")]
    PersonAlreadySeated {
        /// The person named.
        person: PersonId,
        /// The committee they already sit on.
        committee: CommitteeId,
    },
    /// A period's end (`ended_on`) is on or before its start (`from`).
    #[error("a period cannot end ({ended_on}) on or before the day it starts ({from})")]
    EndsBeforeStart {
        /// The period's first day.
        from: Date,
        /// The end given.
        ended_on: Date,
    },
    /// The seat cannot end on `ended_on` while a membership of it stays open later.
    #[error("seat {seat} still has a membership open after {ended_on}")]
    SeatStillHeld {
        /// The seat that would end.
        seat: SeatId,
        /// The end given for the seat.
        ended_on: Date,
    },
    /// A sub-body was named that is not a sub-body of the committee.
    #[error("committee {committee} is not a sub-body of {parent}")]
    NotASubBody {
        /// The committee whose sub-body was expected.
        parent: CommitteeId,
        /// The committee named as its sub-body.
        committee: CommitteeId,
    },
    /// One command uses the same new id twice; the text names the id.
    #[error("the same id is used twice in one command: {0}")]
    DuplicateId(String),
    /// The unit cannot end on `on` while sub-units, committees or open tasks it leads depend on it.
    #[error(
        "unit {unit} cannot end on {on} while {} depend on it: move each sub-unit (merge_unit's move_sub_units), dissolve each committee and reassign each task it leads first",
        dependants(sub_units, committees, tasks)
    )]
    UnitHasDependants {
        /// The unit that would end.
        unit: UnitId,
        /// The date it would end.
        on: Date,
        /// Its sub-units still attached on that date.
        sub_units: Vec<UnitId>,
        /// The committees it owns that are still open on that date.
        committees: Vec<CommitteeId>,
        /// The open tasks it leads on that date.
        tasks: Vec<TaskId>,
    },
    /// A required text field is empty; the text names the field.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// A text field holds a control or invisible formatting character.
    #[error("{field} holds a control or invisible formatting character (U+{code:04X})")]
    BadCharacter {
        /// The field, by its name in the command.
        field: &'static str,
        /// The offending character's code point.
        code: u32,
    },
    /// The field, by its name in the command.
    /// A name or title holds no letter or digit; `field` names it.
    #[error("{field} has no letter or digit")]
    NoVisibleCharacter {
        /// The field, by its name in the command.
        field: &'static str,
    },
    /// A task's deadline is before the day it was created.
    #[error("task {task}'s deadline {deadline} is before the task was created ({created})")]
    DeadlineBeforeCreation {
        /// The task.
        task: TaskId,
        /// The deadline given (`YYYY-MM-DD`).
        deadline: Date,
        /// The day the task was created.
        created: Date,
    },
    /// A task names as its plan a decision that is not of the plan kind.
    #[error("decision {decision} is a {kind:?}, not a plan: tasks belong to plans")]
    NotAPlan {
        /// The decision named as the plan.
        decision: DecisionId,
        /// The decision's actual kind.
        kind: crate::model::DecisionKind,
    },
    /// A task of a plan would start before the plan is in force.
    #[error("plan {plan} is in force from {in_force_on}; a task of it cannot start on {on}")]
    PlanNotInForce {
        /// The plan.
        plan: DecisionId,
        /// The day the plan takes effect.
        in_force_on: Date,
        /// The task's start date.
        on: Date,
    },
    /// A progress report is dated after the task's completion.
    #[error(
        "task {task} has progress reported on {reported}, after its completion on {completed}"
    )]
    ProgressAfterCompletion {
        /// The task.
        task: TaskId,
        /// The date of the report.
        reported: Date,
        /// The date of the completion.
        completed: Date,
    },
    /// The responsible person has left every post of the lead unit by the assignment's date.
    #[error(
        "person {person} left their post in unit {unit} on {left_on}, so cannot be responsible for a task it leads from {on}"
    )]
    ResponsibleLeftUnit {
        /// The person named responsible.
        person: PersonId,
        /// The lead unit.
        unit: UnitId,
        /// The day the person's last post in the unit ended.
        left_on: Date,
        /// The date of the assignment.
        on: Date,
    },
    /// A unit is both the lead of a task and listed as cooperating.
    #[error("unit {0} leads the task and cannot also be listed as cooperating")]
    LeadAlsoCooperating(UnitId),
    /// A progress percentage above 100.
    #[error("progress must be between 0 and 100 percent, not {0}")]
    InvalidPercent(u8),
    /// A progress report's evidence is not valid.
    #[error(transparent)]
    Evidence(#[from] crate::evidence::EvidenceError),
    /// A decision link is not an absolute `http` or `https` URL with a host.
    #[error("the decision link {url:?} is not an http(s) URL: {reason}")]
    BadDecisionLink {
        /// The link given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The decision already has this link.
    #[error("decision {decision} already links to {url}")]
    DuplicateDecisionLink {
        /// The decision.
        decision: DecisionId,
        /// The link it already has.
        url: String,
    },
    /// The change needs an open task, but the task is completed or cancelled on `on`.
    #[error("task {task} is {status:?} on {on}")]
    TaskNotOpen {
        /// The task.
        task: TaskId,
        /// Its status on that date.
        status: TaskStatus,
        /// The date of the change.
        on: Date,
    },
    /// A reopening names a task that is still open on `on`.
    #[error("task {task} is still open on {on}")]
    TaskNotClosed {
        /// The task.
        task: TaskId,
        /// The date of the reopening.
        on: Date,
    },
    /// A deadline extension does not move the deadline (`current`) later.
    #[error("the new deadline {deadline} is not later than the current {current}")]
    DeadlineNotLater {
        /// The deadline asked for.
        deadline: Date,
        /// The deadline the task has.
        current: Date,
    },
    /// A correction or retraction targets another correction or retraction rather than the original
    /// event.
    #[error("event {0} corrects or retracts another; correct the original event instead")]
    NotAFact(EventId),
    /// The event targeted has already been retracted.
    #[error("event {0} has been retracted")]
    AlreadyRetracted(EventId),
    /// A correction is a different kind of event from the event it corrects.
    #[error("a correction must be the same kind of event as its target ({expected}, not {found})")]
    KindMismatch {
        /// The kind of the event corrected.
        expected: &'static str,
        /// The kind of the correction given.
        found: &'static str,
    },
    /// A correction is about a different entity from the event it corrects.
    #[error("a correction must be about the same entity as its target ({expected}, not {found})")]
    EntityMismatch {
        /// The entity of the event corrected.
        expected: EntityKey,
        /// The entity of the correction given.
        found: EntityKey,
    },
    /// A correction identical to the event it corrects.
    #[error("the correction changes nothing")]
    NoChange,
    /// With the correction or retraction in place, an event of the entity's stream would break a
    /// rule.
    #[error("after this change the record of {entity} would be inconsistent: {cause}")]
    Inconsistent {
        /// The entity whose record would break.
        entity: EntityKey,
        /// The rule that would break.
        cause: Box<DomainError>,
    },
}

fn dependants(sub_units: &[UnitId], committees: &[CommitteeId], tasks: &[TaskId]) -> String {
    let mut parts: Vec<String> = sub_units.iter().map(|u| format!("sub-unit {u}")).collect();
    parts.extend(committees.iter().map(|c| format!("committee {c}")));
    parts.extend(tasks.iter().map(|t| format!("task {t}")));
    parts.join(", ")
}
