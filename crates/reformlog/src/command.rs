//! Commands: what a caller asks the domain to do, in the imperative. Ids of new things are
//! chosen by the caller, so that `decide` stays a pure function of state and command.

use crate::date::Date;
use crate::event::Event;
use crate::ids::{
    CommitteeId, DecisionId, EntityKey, EventId, MembershipId, PersonId, PostId, SeatId, UnitId,
};
use crate::model::{Role, SeatHolder};
use crate::payload::{
    Citation, CommitteeCharter, CommitteeDissolution, CommitteeDuties, CommitteeRenaming,
    DeadlineExtension, DecisionLink, DecisionRecord, MembershipEnd, MembershipStart, Payload,
    PersonName, PostAbolition, PostAppointment, PostCreation, PostDeparture, SeatAbolition,
    SeatHolderDesignation, TaskAssignment, TaskCreation, TaskProgress, TaskStatusChange,
    UnitDissolution, UnitEstablishment, UnitMerger, UnitMove, UnitRenaming,
};
use crate::source::Source;
use serde::{Deserialize, Serialize};

/// A seat to create, with its first holder if it is held personally.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SeatSpec {
    /// The new seat's id, chosen by the caller.
    pub seat: SeatId,
    /// The seat's role (head, deputy head, member, …).
    pub role: Role,
    /// The unit the seat represents ("a leader representing unit U"), if any.
    pub on_behalf_of: Option<UnitId>,
    /// Held by whoever holds this post on the date asked about.
    pub ex_officio: Option<PostId>,
    /// A free-text description of the seat as the decision words it.
    pub label: Option<String>,
    /// The first holder of a personal seat, with the membership id to give them.
    pub holder: Option<SeatHolder>,
}

/// The new composition of one sub-body in a reconstitution.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubBodySpec {
    /// The sub-body (a committee whose parent is the one reconstituted).
    pub committee: CommitteeId,
    /// Its seats from the reconstitution's date.
    pub seats: Vec<SeatSpec>,
}

/// Everything the domain can be asked to do.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// On an externally tagged enum, `deny_unknown_fields` applies to every struct variant.
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Command {
    /// Establishes a unit (a ministry, a department, …).
    EstablishUnit(UnitEstablishment),
    /// Renames a unit from a date; earlier dates keep the old name.
    RenameUnit(UnitRenaming),
    /// Moves a unit under another parent, or makes it top-level.
    MoveUnit(UnitMove),
    /// Merges a unit into its successor; its sub-units must have moved away first.
    MergeUnit(UnitMerger),
    /// Dissolves a unit without a successor.
    DissolveUnit(UnitDissolution),
    /// Records a new person with their name.
    RegisterPerson(PersonName),
    /// Changes a person's name from a date (or fixes a misspelling).
    RenamePerson(PersonName),
    /// Creates a post (a position such as "Thứ trưởng"), with how many may hold it at once.
    CreatePost(PostCreation),
    /// Appoints a person to a post from a date.
    AppointToPost(PostAppointment),
    /// Ends a person's holding of a post.
    EndPostHolding(PostDeparture),
    /// Abolishes a post.
    AbolishPost(PostAbolition),
    /// Records a legal document (decision, plan, decree, …) that later changes cite.
    RecordDecision(DecisionRecord),
    /// Establishes a committee or, with a parent, a sub-body.
    EstablishCommittee(CommitteeCharter),
    /// Renames a committee from a date.
    RenameCommittee(CommitteeRenaming),
    /// Replaces a committee's list of standing duties from a date.
    SetDuties(CommitteeDuties),
    /// Adds a seat to a committee, with its first holder if it is held personally.
    CreateSeat {
        /// The committee the seat belongs to.
        committee: CommitteeId,
        /// The seat: id, role, how it is held.
        spec: SeatSpec,
        /// The day the seat is created (`YYYY-MM-DD`).
        on: Date,
        /// The decision that creates it.
        decision: DecisionId,
    },
    /// Ends the seat and any membership still open in it.
    AbolishSeat(SeatAbolition),
    /// Appoints a person to an empty seat: a new membership.
    StartMembership(MembershipStart),
    /// Ends a membership; the seat stays, empty.
    EndMembership(MembershipEnd),
    /// The unit behind a seat names a new person: the current holder's membership ends on
    /// `on` and the new one starts that day.
    ReplaceSeatHolder {
        /// The seat's committee.
        committee: CommitteeId,
        /// The seat whose holder changes.
        seat: SeatId,
        /// The id of the new holder's membership, chosen by the caller.
        membership: MembershipId,
        /// The new holder.
        person: PersonId,
        /// The day the change takes effect.
        on: Date,
        /// The decision that makes it.
        decision: DecisionId,
    },
    /// A promotion or move: one membership ends on `on` and the same person's new one, in
    /// another seat, starts that day.
    MoveMember {
        /// The committee.
        committee: CommitteeId,
        /// The membership that ends.
        from_membership: MembershipId,
        /// The seat the member moves to.
        to_seat: SeatId,
        /// The id of the new membership, chosen by the caller.
        membership: MembershipId,
        /// The day of the move.
        on: Date,
        /// The decision that makes it.
        decision: DecisionId,
    },
    /// "Kiện toàn": every seat (and membership) open on `on` in the committee and in the
    /// listed sub-bodies ends that day, and the given composition starts.
    Reconstitute {
        /// The committee reconstituted.
        committee: CommitteeId,
        /// The first day of the new composition.
        on: Date,
        /// The reconstituting decision.
        decision: DecisionId,
        /// The committee's seats from `on`, with their holders.
        seats: Vec<SeatSpec>,
        /// The listed sub-bodies' new seats; sub-bodies not listed keep theirs.
        sub_bodies: Vec<SubBodySpec>,
    },
    /// Ends the committee with all its open seats and memberships.
    DissolveCommittee(CommitteeDissolution),
    /// Creates a reform task, in a plan or on its own.
    CreateTask(TaskCreation),
    /// Assigns a task; a task that already has a lead unit on `on` is reassigned.
    AssignTask(TaskAssignment),
    /// Moves a task's deadline later.
    ExtendDeadline(DeadlineExtension),
    /// Records a progress report on a task (a percentage, a note, evidence).
    ReportProgress(TaskProgress),
    /// Marks a task completed; it needs an earlier progress report.
    CompleteTask(TaskStatusChange),
    /// Cancels a task.
    CancelTask(TaskStatusChange),
    /// Reopens a completed or cancelled task.
    ReopenTask(TaskStatusChange),
    /// Replaces what an earlier fact event said; `corrected` must be the same kind of event
    /// about the same entity.
    Correct {
        /// The id of the event corrected.
        target: EventId,
        /// The event as it should have been.
        corrected: Event,
    },
    /// Withdraws an earlier fact event entirely.
    Retract {
        /// The id of the event retracted.
        target: EventId,
    },
    /// Names which holder of an ex-officio seat's post sits in it from `on`, when the post
    /// has several holders at once ("a Deputy Minister"); a later designation names another.
    DesignateSeatHolder(SeatHolderDesignation),
    /// Records where a recorded decision's text is published; each link once.
    LinkDecision(DecisionLink),
}

/// A match on `$command`: `$found` with `$p` bound to its payload when it holds one of the
/// payload structs it shares with its event, the arms given after it for the other variants.
/// The one list of those variants, for the lookups that borrow the payload either way; the
/// match has no wildcard, so a new variant must be placed.
macro_rules! match_payload {
    ($command:expr, $p:ident => $found:expr, $($rest:tt)*) => {
        match $command {
            Command::EstablishUnit($p) => $found,
            Command::RenameUnit($p) => $found,
            Command::MoveUnit($p) => $found,
            Command::MergeUnit($p) => $found,
            Command::DissolveUnit($p) => $found,
            Command::RegisterPerson($p) | Command::RenamePerson($p) => $found,
            Command::CreatePost($p) => $found,
            Command::AppointToPost($p) => $found,
            Command::EndPostHolding($p) => $found,
            Command::AbolishPost($p) => $found,
            Command::RecordDecision($p) => $found,
            Command::EstablishCommittee($p) => $found,
            Command::RenameCommittee($p) => $found,
            Command::SetDuties($p) => $found,
            Command::AbolishSeat($p) => $found,
            Command::StartMembership($p) => $found,
            Command::EndMembership($p) => $found,
            Command::DissolveCommittee($p) => $found,
            Command::CreateTask($p) => $found,
            Command::AssignTask($p) => $found,
            Command::ExtendDeadline($p) => $found,
            Command::ReportProgress($p) => $found,
            Command::CompleteTask($p) | Command::CancelTask($p) | Command::ReopenTask($p) => $found,
            Command::DesignateSeatHolder($p) => $found,
            Command::LinkDecision($p) => $found,
            $($rest)*
        }
    };
}

impl Command {
    /// The decision this command says made the change, if it names one.
    pub fn decision(&self) -> Option<DecisionId> {
        use Command as C;
        match_payload!(self, p => p.decision(),
            C::CreateSeat { decision, .. }
            | C::ReplaceSeatHolder { decision, .. }
            | C::MoveMember { decision, .. }
            | C::Reconstitute { decision, .. } => Some(*decision),
            C::Correct { .. } | C::Retract { .. } => None,
        )
    }

    /// Makes this command cite `decision`, as a change a decision makes: a command whose
    /// decision is optional and absent gets it; one that names a decision must name this one
    /// (`Err` gives the one it names). Commands that record no decision are left as they are.
    pub fn cite(&mut self, decision: DecisionId) -> Result<(), DecisionId> {
        use Command as C;
        match_payload!(self, p => p.cite(decision),
            C::CreateSeat { decision: d, .. }
            | C::ReplaceSeatHolder { decision: d, .. }
            | C::MoveMember { decision: d, .. }
            | C::Reconstitute { decision: d, .. } => d.cite(decision),
            C::Correct { .. } | C::Retract { .. } => Ok(()),
        )
    }

    /// The entity the command is chiefly about (the one `If-Match` refers to), as the command
    /// alone tells it: `None` for a correction or retraction, whose entity is that of the event
    /// it targets (see [`Command::main_entity`]). Like [`Event::entity`], it names the aggregate
    /// whose rules decide the command.
    pub(crate) fn entity(&self) -> Option<EntityKey> {
        use Command as C;
        match_payload!(self, p => Some(p.entity()),
            C::CreateSeat { committee, .. }
            | C::ReplaceSeatHolder { committee, .. }
            | C::MoveMember { committee, .. }
            | C::Reconstitute { committee, .. } => Some(EntityKey::Committee(*committee)),
            C::Correct { .. } | C::Retract { .. } => None,
        )
    }

    /// The entity the command is chiefly about: the one `If-Match` refers to; a correction's or
    /// retraction's is that of the event it targets, as `s` knows it.
    pub(crate) fn main_entity(&self, s: &dyn Source) -> Option<EntityKey> {
        match self {
            Command::Correct { target, .. } | Command::Retract { target } => {
                s.entity_of_event(*target)
            }
            other => other.entity(),
        }
    }
}
