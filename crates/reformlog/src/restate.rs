//! The command that records exactly a given event: how a log exported from one store is
//! replayed into another, one event at a time, with the same domain rules checking each.

use crate::command::{Command, SeatSpec};
use crate::error::Error;
use crate::event::Event;
use crate::idempotency::derived_event_id;
use crate::ids::EventId;
use crate::payload::{CommitteeCharter, CommitteeEstablishment, SeatCreation};

impl Command {
    /// The command that, decided on the state the events before `event` leave, records
    /// `event` and nothing else. A correction or retraction keeps the target it names; a
    /// caller replaying into another store maps it to the target's id there first.
    pub fn restating(event: &Event) -> Command {
        use Command as C;
        use Event as E;
        match event.clone() {
            E::UnitEstablished(p) => C::EstablishUnit(p),
            E::UnitRenamed(p) => C::RenameUnit(p),
            E::UnitMoved(p) => C::MoveUnit(p),
            E::UnitMerged(p) => C::MergeUnit(p),
            E::UnitDissolved(p) => C::DissolveUnit(p),
            E::PersonRegistered(p) => C::RegisterPerson(p),
            E::PersonRenamed(p) => C::RenamePerson(p),
            E::PostCreated(p) => C::CreatePost(p),
            E::PostHolderAppointed(p) => C::AppointToPost(p),
            E::PostHolderLeft(p) => C::EndPostHolding(p),
            E::PostAbolished(p) => C::AbolishPost(p),
            E::DecisionRecorded(p) => C::RecordDecision(p),
            E::CommitteeEstablished(CommitteeEstablishment {
                committee,
                name,
                parent,
                unit,
                on,
                decision,
            }) => C::EstablishCommittee(CommitteeCharter {
                committee,
                name,
                parent,
                unit,
                on,
                decision,
                // Duties travel in their own event.
                duties: Vec::new(),
            }),
            E::CommitteeRenamed(p) => C::RenameCommittee(p),
            E::DutiesSet(p) => C::SetDuties(p),
            E::SeatCreated(SeatCreation {
                committee,
                seat,
                role,
                on_behalf_of,
                ex_officio,
                label,
                from,
                ended_on: _,
                decision,
            }) => C::CreateSeat {
                committee,
                spec: SeatSpec {
                    seat,
                    role,
                    on_behalf_of,
                    ex_officio,
                    label,
                    // The first holder travels in its own event.
                    holder: None,
                },
                on: from,
                decision,
            },
            E::SeatAbolished(p) => C::AbolishSeat(p),
            E::MembershipStarted(p) => C::StartMembership(p),
            E::MembershipEnded(p) => C::EndMembership(p),
            E::CommitteeDissolved(p) => C::DissolveCommittee(p),
            E::TaskCreated(p) => C::CreateTask(p),
            E::TaskAssigned(p) | E::TaskReassigned(p) => C::AssignTask(p),
            E::TaskDeadlineExtended(p) => C::ExtendDeadline(p),
            E::TaskProgressReported(p) => C::ReportProgress(p),
            E::TaskCompleted(p) => C::CompleteTask(p),
            E::TaskCancelled(p) => C::CancelTask(p),
            E::TaskReopened(p) => C::ReopenTask(p),
            E::Corrected { target, corrected } => C::Correct {
                target,
                corrected: *corrected,
            },
            E::Retracted(r) => C::Retract { target: r.target },
            E::SeatHolderDesignated(p) => C::DesignateSeatHolder(p),
        }
    }

    /// The id the `index`-th event of this command gets when it is recorded with change
    /// keys ([`crate::Context::with_change_keys`]), whichever write records it.
    pub fn change_event_id(&self, index: u64) -> Result<EventId, Error> {
        Ok(derived_event_id(&self.change_key()?, index))
    }
}
