//! Commands: what a caller asks the domain to do, in the imperative. Ids of new things are
//! chosen by the caller, so that `decide` stays a pure function of state and command.

use crate::date::Date;
use crate::event::Event;
use crate::evidence::Evidence;
use crate::ids::{
    CommitteeId, DecisionId, EntityKey, EventId, HoldingId, MembershipId, PersonId, PostId, SeatId,
    TaskId, UnitId,
};
use crate::model::{Assignment, DecisionKind, Role, SeatHolder, UnitKind};
use crate::source::Source;
use crate::text::Name;
use serde::{Deserialize, Serialize};

/// A seat to create, with its first holder if it is held personally.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SeatSpec {
    pub seat: SeatId,
    pub role: Role,
    pub on_behalf_of: Option<UnitId>,
    /// Held by whoever holds this post on the date asked about.
    pub ex_officio: Option<PostId>,
    pub label: Option<String>,
    pub holder: Option<SeatHolder>,
}

/// The new composition of one sub-body in a reconstitution.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SubBodySpec {
    pub committee: CommitteeId,
    pub seats: Vec<SeatSpec>,
}

/// Everything the domain can be asked to do.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
// On an externally tagged enum, `deny_unknown_fields` applies to every struct variant.
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Command {
    EstablishUnit {
        unit: UnitId,
        name: Name,
        kind: UnitKind,
        parent: Option<UnitId>,
        on: Date,
        decision: Option<DecisionId>,
    },
    RenameUnit {
        unit: UnitId,
        name: Name,
        on: Date,
        decision: Option<DecisionId>,
    },
    MoveUnit {
        unit: UnitId,
        parent: Option<UnitId>,
        on: Date,
        decision: Option<DecisionId>,
    },
    MergeUnit {
        unit: UnitId,
        into: UnitId,
        on: Date,
        decision: Option<DecisionId>,
    },
    DissolveUnit {
        unit: UnitId,
        on: Date,
        decision: Option<DecisionId>,
    },
    RegisterPerson {
        person: PersonId,
        name: Name,
        on: Date,
    },
    RenamePerson {
        person: PersonId,
        name: Name,
        on: Date,
    },
    CreatePost {
        post: PostId,
        title: Name,
        unit: Option<UnitId>,
        max_holders: u16,
        on: Date,
        decision: Option<DecisionId>,
    },
    AppointToPost {
        post: PostId,
        holding: HoldingId,
        person: PersonId,
        from: Date,
        ended_on: Option<Date>,
        decision: Option<DecisionId>,
    },
    EndPostHolding {
        post: PostId,
        holding: HoldingId,
        ended_on: Date,
        decision: Option<DecisionId>,
    },
    AbolishPost {
        post: PostId,
        on: Date,
        decision: Option<DecisionId>,
    },
    RecordDecision {
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
    EstablishCommittee {
        committee: CommitteeId,
        name: Name,
        parent: Option<CommitteeId>,
        unit: Option<UnitId>,
        on: Date,
        decision: DecisionId,
        duties: Vec<String>,
    },
    RenameCommittee {
        committee: CommitteeId,
        name: Name,
        on: Date,
        decision: DecisionId,
    },
    SetDuties {
        committee: CommitteeId,
        duties: Vec<String>,
        on: Date,
        decision: DecisionId,
    },
    CreateSeat {
        committee: CommitteeId,
        spec: SeatSpec,
        on: Date,
        decision: DecisionId,
    },
    /// Ends the seat and any membership still open in it.
    AbolishSeat {
        committee: CommitteeId,
        seat: SeatId,
        ended_on: Date,
        decision: DecisionId,
    },
    StartMembership {
        committee: CommitteeId,
        membership: MembershipId,
        seat: SeatId,
        person: PersonId,
        from: Date,
        ended_on: Option<Date>,
        decision: DecisionId,
    },
    EndMembership {
        committee: CommitteeId,
        membership: MembershipId,
        ended_on: Date,
        decision: DecisionId,
    },
    /// The unit behind a seat names a new person: the current holder's membership ends on
    /// `on` and the new one starts that day.
    ReplaceSeatHolder {
        committee: CommitteeId,
        seat: SeatId,
        membership: MembershipId,
        person: PersonId,
        on: Date,
        decision: DecisionId,
    },
    /// A promotion or move: one membership ends on `on` and the same person's new one, in
    /// another seat, starts that day.
    MoveMember {
        committee: CommitteeId,
        from_membership: MembershipId,
        to_seat: SeatId,
        membership: MembershipId,
        on: Date,
        decision: DecisionId,
    },
    /// "Kiện toàn": every seat (and membership) open on `on` in the committee and in the
    /// listed sub-bodies ends that day, and the given composition starts.
    Reconstitute {
        committee: CommitteeId,
        on: Date,
        decision: DecisionId,
        seats: Vec<SeatSpec>,
        sub_bodies: Vec<SubBodySpec>,
    },
    /// Ends the committee with all its open seats and memberships.
    DissolveCommittee {
        committee: CommitteeId,
        on: Date,
        decision: DecisionId,
    },
    CreateTask {
        task: TaskId,
        plan: Option<DecisionId>,
        title: String,
        product: String,
        deadline: Date,
        assignment: Option<Assignment>,
        on: Date,
    },
    /// Assigns a task; a task that already has a lead unit on `on` is reassigned.
    AssignTask {
        task: TaskId,
        assignment: Assignment,
        on: Date,
        /// The decision that orders the change, if one does.
        decision: Option<DecisionId>,
    },
    ExtendDeadline {
        task: TaskId,
        deadline: Date,
        on: Date,
        /// The decision that orders the change, if one does.
        decision: Option<DecisionId>,
    },
    ReportProgress {
        task: TaskId,
        percent: u8,
        note: String,
        /// The documents (and free text) the report cites; may be left out.
        #[serde(default)]
        evidence: Evidence,
        on: Date,
        /// The decision that orders the change, if one does.
        decision: Option<DecisionId>,
    },
    CompleteTask {
        task: TaskId,
        on: Date,
        /// The decision that orders the change, if one does.
        decision: Option<DecisionId>,
    },
    CancelTask {
        task: TaskId,
        on: Date,
        /// The decision that orders the change, if one does.
        decision: Option<DecisionId>,
    },
    ReopenTask {
        task: TaskId,
        on: Date,
        /// The decision that orders the change, if one does.
        decision: Option<DecisionId>,
    },
    /// Replaces what an earlier fact event said; `corrected` must be the same kind of event
    /// about the same entity.
    Correct { target: EventId, corrected: Event },
    /// Withdraws an earlier fact event entirely.
    Retract { target: EventId },
    /// Names which holder of an ex-officio seat's post sits in it from `on`, when the post
    /// has several holders at once ("a Deputy Minister"); a later designation names another.
    DesignateSeatHolder {
        committee: CommitteeId,
        seat: SeatId,
        person: PersonId,
        on: Date,
        decision: DecisionId,
    },
}

impl Command {
    /// The decision this command says made the change, if it names one.
    pub fn decision(&self) -> Option<DecisionId> {
        use Command as C;
        match self {
            C::EstablishUnit { decision, .. }
            | C::RenameUnit { decision, .. }
            | C::MoveUnit { decision, .. }
            | C::MergeUnit { decision, .. }
            | C::DissolveUnit { decision, .. }
            | C::CreatePost { decision, .. }
            | C::AppointToPost { decision, .. }
            | C::EndPostHolding { decision, .. }
            | C::AbolishPost { decision, .. }
            | C::AssignTask { decision, .. }
            | C::ExtendDeadline { decision, .. }
            | C::ReportProgress { decision, .. }
            | C::CompleteTask { decision, .. }
            | C::CancelTask { decision, .. }
            | C::ReopenTask { decision, .. } => *decision,
            C::EstablishCommittee { decision, .. }
            | C::RenameCommittee { decision, .. }
            | C::SetDuties { decision, .. }
            | C::CreateSeat { decision, .. }
            | C::AbolishSeat { decision, .. }
            | C::StartMembership { decision, .. }
            | C::EndMembership { decision, .. }
            | C::ReplaceSeatHolder { decision, .. }
            | C::MoveMember { decision, .. }
            | C::Reconstitute { decision, .. }
            | C::DissolveCommittee { decision, .. }
            | C::DesignateSeatHolder { decision, .. } => Some(*decision),
            C::RegisterPerson { .. }
            | C::RenamePerson { .. }
            | C::RecordDecision { .. }
            | C::CreateTask { .. }
            | C::Correct { .. }
            | C::Retract { .. } => None,
        }
    }

    /// Makes this command cite `decision`, as a change a decision makes: a command whose
    /// decision is optional and absent gets it; one that names a decision must name this one
    /// (`Err` gives the one it names). Commands that record no decision are left as they are.
    pub fn cite(&mut self, decision: DecisionId) -> Result<(), DecisionId> {
        use Command as C;
        match self {
            C::EstablishUnit { decision: d, .. }
            | C::RenameUnit { decision: d, .. }
            | C::MoveUnit { decision: d, .. }
            | C::MergeUnit { decision: d, .. }
            | C::DissolveUnit { decision: d, .. }
            | C::CreatePost { decision: d, .. }
            | C::AppointToPost { decision: d, .. }
            | C::EndPostHolding { decision: d, .. }
            | C::AbolishPost { decision: d, .. }
            | C::AssignTask { decision: d, .. }
            | C::ExtendDeadline { decision: d, .. }
            | C::ReportProgress { decision: d, .. }
            | C::CompleteTask { decision: d, .. }
            | C::CancelTask { decision: d, .. }
            | C::ReopenTask { decision: d, .. } => match d {
                Some(other) if *other != decision => Err(*other),
                _ => {
                    *d = Some(decision);
                    Ok(())
                }
            },
            C::EstablishCommittee { decision: d, .. }
            | C::RenameCommittee { decision: d, .. }
            | C::SetDuties { decision: d, .. }
            | C::CreateSeat { decision: d, .. }
            | C::AbolishSeat { decision: d, .. }
            | C::StartMembership { decision: d, .. }
            | C::EndMembership { decision: d, .. }
            | C::ReplaceSeatHolder { decision: d, .. }
            | C::MoveMember { decision: d, .. }
            | C::Reconstitute { decision: d, .. }
            | C::DissolveCommittee { decision: d, .. }
            | C::DesignateSeatHolder { decision: d, .. } => {
                if *d == decision {
                    Ok(())
                } else {
                    Err(*d)
                }
            }
            C::RegisterPerson { .. }
            | C::RenamePerson { .. }
            | C::RecordDecision { .. }
            | C::CreateTask { .. }
            | C::Correct { .. }
            | C::Retract { .. } => Ok(()),
        }
    }

    /// The entity the command is chiefly about (the one `If-Match` refers to), as the command
    /// alone tells it: `None` for a correction or retraction, whose entity is that of the event
    /// it targets (see [`Command::main_entity`]). Like [`Event::entity`], it names the aggregate
    /// whose rules decide the command.
    pub(crate) fn entity(&self) -> Option<EntityKey> {
        use Command as C;
        Some(match self {
            C::EstablishUnit { unit, .. }
            | C::RenameUnit { unit, .. }
            | C::MoveUnit { unit, .. }
            | C::MergeUnit { unit, .. }
            | C::DissolveUnit { unit, .. } => EntityKey::Unit(*unit),
            C::RegisterPerson { person, .. } | C::RenamePerson { person, .. } => {
                EntityKey::Person(*person)
            }
            C::CreatePost { post, .. }
            | C::AppointToPost { post, .. }
            | C::EndPostHolding { post, .. }
            | C::AbolishPost { post, .. } => EntityKey::Post(*post),
            C::RecordDecision { decision, .. } => EntityKey::Decision(*decision),
            C::EstablishCommittee { committee, .. }
            | C::RenameCommittee { committee, .. }
            | C::SetDuties { committee, .. }
            | C::CreateSeat { committee, .. }
            | C::AbolishSeat { committee, .. }
            | C::StartMembership { committee, .. }
            | C::EndMembership { committee, .. }
            | C::ReplaceSeatHolder { committee, .. }
            | C::MoveMember { committee, .. }
            | C::Reconstitute { committee, .. }
            | C::DesignateSeatHolder { committee, .. }
            | C::DissolveCommittee { committee, .. } => EntityKey::Committee(*committee),
            C::CreateTask { task, .. }
            | C::AssignTask { task, .. }
            | C::ExtendDeadline { task, .. }
            | C::ReportProgress { task, .. }
            | C::CompleteTask { task, .. }
            | C::CancelTask { task, .. }
            | C::ReopenTask { task, .. } => EntityKey::Task(*task),
            C::Correct { .. } | C::Retract { .. } => return None,
        })
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
