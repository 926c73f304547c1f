//! The command that records exactly a given event: how a log exported from one store is
//! replayed into another, one event at a time, with the same domain rules checking each.

use crate::command::{Command, SeatSpec};
use crate::error::Error;
use crate::event::Event;
use crate::idempotency::derived_event_id;
use crate::ids::EventId;
use crate::payload::{
    CommitteeDissolution, CommitteeDuties, CommitteeEstablishment, CommitteeRenaming,
    DeadlineExtension, DecisionRecord, MembershipEnd, MembershipStart, PersonName, PostAbolition,
    PostAppointment, PostCreation, PostDeparture, Retraction, SeatAbolition, SeatCreation,
    SeatHolderDesignation, TaskAssignment, TaskCreation, TaskProgress, TaskStatusChange,
    UnitDissolution, UnitEstablishment, UnitMerger, UnitMove, UnitRenaming,
};

impl Command {
    /// The command that, decided on the state the events before `event` leave, records
    /// `event` and nothing else. A correction or retraction keeps the target it names; a
    /// caller replaying into another store maps it to the target's id there first.
    pub fn restating(event: &Event) -> Command {
        use Command as C;
        use Event as E;
        match event.clone() {
            E::UnitEstablished(UnitEstablishment {
                unit,
                name,
                kind,
                parent,
                on,
                decision,
            }) => C::EstablishUnit(UnitEstablishment {
                unit,
                name,
                kind,
                parent,
                on,
                decision,
            }),
            E::UnitRenamed(UnitRenaming {
                unit,
                name,
                on,
                decision,
            }) => C::RenameUnit(UnitRenaming {
                unit,
                name,
                on,
                decision,
            }),
            E::UnitMoved(UnitMove {
                unit,
                parent,
                on,
                decision,
            }) => C::MoveUnit(UnitMove {
                unit,
                parent,
                on,
                decision,
            }),
            E::UnitMerged(UnitMerger {
                unit,
                into,
                on,
                decision,
            }) => C::MergeUnit(UnitMerger {
                unit,
                into,
                on,
                decision,
            }),
            E::UnitDissolved(UnitDissolution { unit, on, decision }) => {
                C::DissolveUnit(UnitDissolution { unit, on, decision })
            }
            E::PersonRegistered(PersonName { person, name, on }) => {
                C::RegisterPerson(PersonName { person, name, on })
            }
            E::PersonRenamed(PersonName { person, name, on }) => {
                C::RenamePerson(PersonName { person, name, on })
            }
            E::PostCreated(PostCreation {
                post,
                title,
                unit,
                max_holders,
                on,
                decision,
            }) => C::CreatePost(PostCreation {
                post,
                title,
                unit,
                max_holders,
                on,
                decision,
            }),
            E::PostHolderAppointed(PostAppointment {
                post,
                holding,
                person,
                from,
                ended_on,
                decision,
            }) => C::AppointToPost(PostAppointment {
                post,
                holding,
                person,
                from,
                ended_on,
                decision,
            }),
            E::PostHolderLeft(PostDeparture {
                post,
                holding,
                ended_on,
                decision,
            }) => C::EndPostHolding(PostDeparture {
                post,
                holding,
                ended_on,
                decision,
            }),
            E::PostAbolished(PostAbolition { post, on, decision }) => {
                C::AbolishPost(PostAbolition { post, on, decision })
            }
            E::DecisionRecorded(DecisionRecord {
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
            }) => C::RecordDecision(DecisionRecord {
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
            }),
            E::CommitteeEstablished(CommitteeEstablishment {
                committee,
                name,
                parent,
                unit,
                on,
                decision,
            }) => C::EstablishCommittee {
                committee,
                name,
                parent,
                unit,
                on,
                decision,
                // Duties travel in their own event.
                duties: Vec::new(),
            },
            E::CommitteeRenamed(CommitteeRenaming {
                committee,
                name,
                on,
                decision,
            }) => C::RenameCommittee(CommitteeRenaming {
                committee,
                name,
                on,
                decision,
            }),
            E::DutiesSet(CommitteeDuties {
                committee,
                duties,
                on,
                decision,
            }) => C::SetDuties(CommitteeDuties {
                committee,
                duties,
                on,
                decision,
            }),
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
            E::SeatAbolished(SeatAbolition {
                committee,
                seat,
                ended_on,
                decision,
            }) => C::AbolishSeat(SeatAbolition {
                committee,
                seat,
                ended_on,
                decision,
            }),
            E::MembershipStarted(MembershipStart {
                committee,
                membership,
                seat,
                person,
                from,
                ended_on,
                decision,
            }) => C::StartMembership(MembershipStart {
                committee,
                membership,
                seat,
                person,
                from,
                ended_on,
                decision,
            }),
            E::MembershipEnded(MembershipEnd {
                committee,
                membership,
                ended_on,
                decision,
            }) => C::EndMembership(MembershipEnd {
                committee,
                membership,
                ended_on,
                decision,
            }),
            E::CommitteeDissolved(CommitteeDissolution {
                committee,
                on,
                decision,
            }) => C::DissolveCommittee(CommitteeDissolution {
                committee,
                on,
                decision,
            }),
            E::TaskCreated(TaskCreation {
                task,
                plan,
                title,
                product,
                deadline,
                assignment,
                on,
            }) => C::CreateTask(TaskCreation {
                task,
                plan,
                title,
                product,
                deadline,
                assignment,
                on,
            }),
            E::TaskAssigned(TaskAssignment {
                task,
                assignment,
                on,
                decision,
            })
            | E::TaskReassigned(TaskAssignment {
                task,
                assignment,
                on,
                decision,
            }) => C::AssignTask(TaskAssignment {
                task,
                assignment,
                on,
                decision,
            }),
            E::TaskDeadlineExtended(DeadlineExtension {
                task,
                deadline,
                on,
                decision,
            }) => C::ExtendDeadline(DeadlineExtension {
                task,
                deadline,
                on,
                decision,
            }),
            E::TaskProgressReported(TaskProgress {
                task,
                percent,
                note,
                evidence,
                on,
                decision,
            }) => C::ReportProgress(TaskProgress {
                task,
                percent,
                note,
                evidence,
                on,
                decision,
            }),
            E::TaskCompleted(TaskStatusChange { task, on, decision }) => {
                C::CompleteTask(TaskStatusChange { task, on, decision })
            }
            E::TaskCancelled(TaskStatusChange { task, on, decision }) => {
                C::CancelTask(TaskStatusChange { task, on, decision })
            }
            E::TaskReopened(TaskStatusChange { task, on, decision }) => {
                C::ReopenTask(TaskStatusChange { task, on, decision })
            }
            E::Corrected { target, corrected } => C::Correct {
                target,
                corrected: *corrected,
            },
            E::Retracted(Retraction { target, .. }) => C::Retract { target },
            E::SeatHolderDesignated(SeatHolderDesignation {
                committee,
                seat,
                person,
                on,
                decision,
            }) => C::DesignateSeatHolder(SeatHolderDesignation {
                committee,
                seat,
                person,
                on,
                decision,
            }),
        }
    }

    /// The id the `index`-th event of this command gets when it is recorded with change
    /// keys ([`crate::Context::with_change_keys`]), whichever write records it.
    pub fn change_event_id(&self, index: u64) -> Result<EventId, Error> {
        Ok(derived_event_id(&self.change_key()?, index))
    }
}
