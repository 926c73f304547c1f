//! The command that records exactly a given event: how a log exported from one store is
//! replayed into another, one event at a time, with the same domain rules checking each.

use crate::command::{Command, SeatSpec};
use crate::error::Error;
use crate::event::Event;
use crate::idempotency::derived_event_id;
use crate::ids::EventId;

impl Command {
    /// The command that, decided on the state the events before `event` leave, records
    /// `event` and nothing else. A correction or retraction keeps the target it names; a
    /// caller replaying into another store maps it to the target's id there first.
    pub fn restating(event: &Event) -> Command {
        use Command as C;
        use Event as E;
        match event.clone() {
            E::UnitEstablished {
                unit,
                name,
                kind,
                parent,
                on,
                decision,
            } => C::EstablishUnit {
                unit,
                name,
                kind,
                parent,
                on,
                decision,
            },
            E::UnitRenamed {
                unit,
                name,
                on,
                decision,
            } => C::RenameUnit {
                unit,
                name,
                on,
                decision,
            },
            E::UnitMoved {
                unit,
                parent,
                on,
                decision,
            } => C::MoveUnit {
                unit,
                parent,
                on,
                decision,
            },
            E::UnitMerged {
                unit,
                into,
                on,
                decision,
            } => C::MergeUnit {
                unit,
                into,
                on,
                decision,
            },
            E::UnitDissolved { unit, on, decision } => C::DissolveUnit { unit, on, decision },
            E::PersonRegistered { person, name, on } => C::RegisterPerson { person, name, on },
            E::PersonRenamed { person, name, on } => C::RenamePerson { person, name, on },
            E::PostCreated {
                post,
                title,
                unit,
                max_holders,
                on,
                decision,
            } => C::CreatePost {
                post,
                title,
                unit,
                max_holders,
                on,
                decision,
            },
            E::PostHolderAppointed {
                post,
                holding,
                person,
                from,
                ended_on,
                decision,
            } => C::AppointToPost {
                post,
                holding,
                person,
                from,
                ended_on,
                decision,
            },
            E::PostHolderLeft {
                post,
                holding,
                ended_on,
                decision,
            } => C::EndPostHolding {
                post,
                holding,
                ended_on,
                decision,
            },
            E::PostAbolished { post, on, decision } => C::AbolishPost { post, on, decision },
            E::DecisionRecorded {
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
            } => C::RecordDecision {
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
            E::CommitteeEstablished {
                committee,
                name,
                parent,
                unit,
                on,
                decision,
            } => C::EstablishCommittee {
                committee,
                name,
                parent,
                unit,
                on,
                decision,
                // Duties travel in their own event.
                duties: Vec::new(),
            },
            E::CommitteeRenamed {
                committee,
                name,
                on,
                decision,
            } => C::RenameCommittee {
                committee,
                name,
                on,
                decision,
            },
            E::DutiesSet {
                committee,
                duties,
                on,
                decision,
            } => C::SetDuties {
                committee,
                duties,
                on,
                decision,
            },
            E::SeatCreated {
                committee,
                seat,
                role,
                on_behalf_of,
                ex_officio,
                label,
                from,
                ended_on: _,
                decision,
            } => C::CreateSeat {
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
            E::SeatAbolished {
                committee,
                seat,
                ended_on,
                decision,
            } => C::AbolishSeat {
                committee,
                seat,
                ended_on,
                decision,
            },
            E::MembershipStarted {
                committee,
                membership,
                seat,
                person,
                from,
                ended_on,
                decision,
            } => C::StartMembership {
                committee,
                membership,
                seat,
                person,
                from,
                ended_on,
                decision,
            },
            E::MembershipEnded {
                committee,
                membership,
                ended_on,
                decision,
            } => C::EndMembership {
                committee,
                membership,
                ended_on,
                decision,
            },
            E::CommitteeDissolved {
                committee,
                on,
                decision,
            } => C::DissolveCommittee {
                committee,
                on,
                decision,
            },
            E::TaskCreated {
                task,
                plan,
                title,
                product,
                deadline,
                assignment,
                on,
            } => C::CreateTask {
                task,
                plan,
                title,
                product,
                deadline,
                assignment,
                on,
            },
            E::TaskAssigned {
                task,
                assignment,
                on,
                decision,
            }
            | E::TaskReassigned {
                task,
                assignment,
                on,
                decision,
            } => C::AssignTask {
                task,
                assignment,
                on,
                decision,
            },
            E::TaskDeadlineExtended {
                task,
                deadline,
                on,
                decision,
            } => C::ExtendDeadline {
                task,
                deadline,
                on,
                decision,
            },
            E::TaskProgressReported {
                task,
                percent,
                note,
                evidence,
                on,
                decision,
            } => C::ReportProgress {
                task,
                percent,
                note,
                evidence,
                on,
                decision,
            },
            E::TaskCompleted { task, on, decision } => C::CompleteTask { task, on, decision },
            E::TaskCancelled { task, on, decision } => C::CancelTask { task, on, decision },
            E::TaskReopened { task, on, decision } => C::ReopenTask { task, on, decision },
            E::Corrected { target, corrected } => C::Correct {
                target,
                corrected: *corrected,
            },
            E::Retracted { target, .. } => C::Retract { target },
            E::SeatHolderDesignated {
                committee,
                seat,
                person,
                on,
                decision,
            } => C::DesignateSeatHolder {
                committee,
                seat,
                person,
                on,
                decision,
            },
        }
    }

    /// The id the `index`-th event of this command gets when it is recorded with change
    /// keys ([`crate::Context::with_change_keys`]), whichever write records it.
    pub fn change_event_id(&self, index: u64) -> Result<EventId, Error> {
        Ok(derived_event_id(&self.change_key()?, index))
    }
}
