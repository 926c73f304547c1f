//! Commands: what a caller asks the domain to do, in the imperative. Ids of new things are
//! chosen by the caller, so that `decide` stays a pure function of state and command.

use crate::date::Date;
use crate::event::Event;
use crate::ids::{
    CommitteeId, DecisionId, EntityKey, EventId, MembershipId, PersonId, PostId, SeatId, UnitId,
};
use crate::model::{Role, SeatHolder};
use crate::payload::{
    CommitteeDissolution, CommitteeDuties, CommitteeRenaming, DeadlineExtension, DecisionRecord,
    MembershipEnd, MembershipStart, PersonName, PostAbolition, PostAppointment, PostCreation,
    PostDeparture, SeatAbolition, SeatHolderDesignation, TaskAssignment, TaskCreation,
    TaskProgress, TaskStatusChange, UnitDissolution, UnitEstablishment, UnitMerger, UnitMove,
    UnitRenaming,
};
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
    EstablishUnit(UnitEstablishment),
    RenameUnit(UnitRenaming),
    MoveUnit(UnitMove),
    MergeUnit(UnitMerger),
    DissolveUnit(UnitDissolution),
    RegisterPerson(PersonName),
    RenamePerson(PersonName),
    CreatePost(PostCreation),
    AppointToPost(PostAppointment),
    EndPostHolding(PostDeparture),
    AbolishPost(PostAbolition),
    RecordDecision(DecisionRecord),
    EstablishCommittee {
        committee: CommitteeId,
        name: Name,
        parent: Option<CommitteeId>,
        unit: Option<UnitId>,
        on: Date,
        decision: DecisionId,
        duties: Vec<String>,
    },
    RenameCommittee(CommitteeRenaming),
    SetDuties(CommitteeDuties),
    CreateSeat {
        committee: CommitteeId,
        spec: SeatSpec,
        on: Date,
        decision: DecisionId,
    },
    /// Ends the seat and any membership still open in it.
    AbolishSeat(SeatAbolition),
    StartMembership(MembershipStart),
    EndMembership(MembershipEnd),
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
    DissolveCommittee(CommitteeDissolution),
    CreateTask(TaskCreation),
    /// Assigns a task; a task that already has a lead unit on `on` is reassigned.
    AssignTask(TaskAssignment),
    ExtendDeadline(DeadlineExtension),
    ReportProgress(TaskProgress),
    CompleteTask(TaskStatusChange),
    CancelTask(TaskStatusChange),
    ReopenTask(TaskStatusChange),
    /// Replaces what an earlier fact event said; `corrected` must be the same kind of event
    /// about the same entity.
    Correct {
        target: EventId,
        corrected: Event,
    },
    /// Withdraws an earlier fact event entirely.
    Retract {
        target: EventId,
    },
    /// Names which holder of an ex-officio seat's post sits in it from `on`, when the post
    /// has several holders at once ("a Deputy Minister"); a later designation names another.
    DesignateSeatHolder(SeatHolderDesignation),
}

impl Command {
    /// The decision this command says made the change, if it names one.
    pub fn decision(&self) -> Option<DecisionId> {
        use Command as C;
        match self {
            C::EstablishUnit(UnitEstablishment { decision, .. })
            | C::RenameUnit(UnitRenaming { decision, .. })
            | C::MoveUnit(UnitMove { decision, .. })
            | C::MergeUnit(UnitMerger { decision, .. })
            | C::DissolveUnit(UnitDissolution { decision, .. })
            | C::CreatePost(PostCreation { decision, .. })
            | C::AppointToPost(PostAppointment { decision, .. })
            | C::EndPostHolding(PostDeparture { decision, .. })
            | C::AbolishPost(PostAbolition { decision, .. })
            | C::AssignTask(TaskAssignment { decision, .. })
            | C::ExtendDeadline(DeadlineExtension { decision, .. })
            | C::ReportProgress(TaskProgress { decision, .. })
            | C::CompleteTask(TaskStatusChange { decision, .. })
            | C::CancelTask(TaskStatusChange { decision, .. })
            | C::ReopenTask(TaskStatusChange { decision, .. }) => *decision,
            C::EstablishCommittee { decision, .. }
            | C::RenameCommittee(CommitteeRenaming { decision, .. })
            | C::SetDuties(CommitteeDuties { decision, .. })
            | C::CreateSeat { decision, .. }
            | C::AbolishSeat(SeatAbolition { decision, .. })
            | C::StartMembership(MembershipStart { decision, .. })
            | C::EndMembership(MembershipEnd { decision, .. })
            | C::ReplaceSeatHolder { decision, .. }
            | C::MoveMember { decision, .. }
            | C::Reconstitute { decision, .. }
            | C::DissolveCommittee(CommitteeDissolution { decision, .. })
            | C::DesignateSeatHolder(SeatHolderDesignation { decision, .. }) => Some(*decision),
            C::RegisterPerson(_)
            | C::RenamePerson(_)
            | C::RecordDecision(_)
            | C::CreateTask(_)
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
            C::EstablishUnit(UnitEstablishment { decision: d, .. })
            | C::RenameUnit(UnitRenaming { decision: d, .. })
            | C::MoveUnit(UnitMove { decision: d, .. })
            | C::MergeUnit(UnitMerger { decision: d, .. })
            | C::DissolveUnit(UnitDissolution { decision: d, .. })
            | C::CreatePost(PostCreation { decision: d, .. })
            | C::AppointToPost(PostAppointment { decision: d, .. })
            | C::EndPostHolding(PostDeparture { decision: d, .. })
            | C::AbolishPost(PostAbolition { decision: d, .. })
            | C::AssignTask(TaskAssignment { decision: d, .. })
            | C::ExtendDeadline(DeadlineExtension { decision: d, .. })
            | C::ReportProgress(TaskProgress { decision: d, .. })
            | C::CompleteTask(TaskStatusChange { decision: d, .. })
            | C::CancelTask(TaskStatusChange { decision: d, .. })
            | C::ReopenTask(TaskStatusChange { decision: d, .. }) => match d {
                Some(other) if *other != decision => Err(*other),
                _ => {
                    *d = Some(decision);
                    Ok(())
                }
            },
            C::EstablishCommittee { decision: d, .. }
            | C::RenameCommittee(CommitteeRenaming { decision: d, .. })
            | C::SetDuties(CommitteeDuties { decision: d, .. })
            | C::CreateSeat { decision: d, .. }
            | C::AbolishSeat(SeatAbolition { decision: d, .. })
            | C::StartMembership(MembershipStart { decision: d, .. })
            | C::EndMembership(MembershipEnd { decision: d, .. })
            | C::ReplaceSeatHolder { decision: d, .. }
            | C::MoveMember { decision: d, .. }
            | C::Reconstitute { decision: d, .. }
            | C::DissolveCommittee(CommitteeDissolution { decision: d, .. })
            | C::DesignateSeatHolder(SeatHolderDesignation { decision: d, .. }) => {
                if *d == decision {
                    Ok(())
                } else {
                    Err(*d)
                }
            }
            C::RegisterPerson(_)
            | C::RenamePerson(_)
            | C::RecordDecision(_)
            | C::CreateTask(_)
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
            C::EstablishUnit(UnitEstablishment { unit, .. })
            | C::RenameUnit(UnitRenaming { unit, .. })
            | C::MoveUnit(UnitMove { unit, .. })
            | C::MergeUnit(UnitMerger { unit, .. })
            | C::DissolveUnit(UnitDissolution { unit, .. }) => EntityKey::Unit(*unit),
            C::RegisterPerson(PersonName { person, .. })
            | C::RenamePerson(PersonName { person, .. }) => EntityKey::Person(*person),
            C::CreatePost(PostCreation { post, .. })
            | C::AppointToPost(PostAppointment { post, .. })
            | C::EndPostHolding(PostDeparture { post, .. })
            | C::AbolishPost(PostAbolition { post, .. }) => EntityKey::Post(*post),
            C::RecordDecision(DecisionRecord { decision, .. }) => EntityKey::Decision(*decision),
            C::EstablishCommittee { committee, .. }
            | C::RenameCommittee(CommitteeRenaming { committee, .. })
            | C::SetDuties(CommitteeDuties { committee, .. })
            | C::CreateSeat { committee, .. }
            | C::AbolishSeat(SeatAbolition { committee, .. })
            | C::StartMembership(MembershipStart { committee, .. })
            | C::EndMembership(MembershipEnd { committee, .. })
            | C::ReplaceSeatHolder { committee, .. }
            | C::MoveMember { committee, .. }
            | C::Reconstitute { committee, .. }
            | C::DesignateSeatHolder(SeatHolderDesignation { committee, .. })
            | C::DissolveCommittee(CommitteeDissolution { committee, .. }) => {
                EntityKey::Committee(*committee)
            }
            C::CreateTask(TaskCreation { task, .. })
            | C::AssignTask(TaskAssignment { task, .. })
            | C::ExtendDeadline(DeadlineExtension { task, .. })
            | C::ReportProgress(TaskProgress { task, .. })
            | C::CompleteTask(TaskStatusChange { task, .. })
            | C::CancelTask(TaskStatusChange { task, .. })
            | C::ReopenTask(TaskStatusChange { task, .. }) => EntityKey::Task(*task),
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
