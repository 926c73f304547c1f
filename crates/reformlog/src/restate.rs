//! The command that records exactly a given event: how a log exported from one store is
//! replayed into another, one event at a time, with the same domain rules checking each.

use crate::command::{Command, SeatSpec};
use crate::error::Error;
use crate::event::Event;
use crate::idempotency::derived_event_id;
use crate::ids::EventId;

/// The commands that record their payload unchanged as one event, each beside that event:
/// the one list both directions read. `$m! { $args pairs }` is expanded with the pairs
/// appended, each `Command variant, Event variant;`.
macro_rules! same_facts {
    ($m:ident! $args:tt) => {
        $m! { $args
            EstablishUnit, UnitEstablished;
            RenameUnit, UnitRenamed;
            MoveUnit, UnitMoved;
            MergeUnit, UnitMerged;
            DissolveUnit, UnitDissolved;
            RegisterPerson, PersonRegistered;
            RenamePerson, PersonRenamed;
            CreatePost, PostCreated;
            AppointToPost, PostHolderAppointed;
            EndPostHolding, PostHolderLeft;
            AbolishPost, PostAbolished;
            RenameCommittee, CommitteeRenamed;
            SetDuties, DutiesSet;
            StartMembership, MembershipStarted;
            EndMembership, MembershipEnded;
            ExtendDeadline, TaskDeadlineExtended;
            ReportProgress, TaskProgressReported;
            CompleteTask, TaskCompleted;
            CancelTask, TaskCancelled;
            ReopenTask, TaskReopened;
            DesignateSeatHolder, SeatHolderDesignated;
            LinkDecision, DecisionLinked;
        }
    };
}

/// `match $event`, each event of [`same_facts`] restated as its command, then the arms given.
macro_rules! restate_same_facts {
    ({ $event:expr, { $($arms:tt)* } } $($command:ident, $recorded:ident;)*) => {
        match $event {
            $( Event::$recorded(p) => Command::$command(p), )*
            $($arms)*
        }
    };
}

/// The event a command of [`same_facts`] records, `None` for any other command.
macro_rules! record_same_facts {
    ({ $command:expr } $($variant:ident, $recorded:ident;)*) => {
        match $command {
            $( Command::$variant(p) => Some(Event::$recorded(p.clone())), )*
            _ => None,
        }
    };
}

impl Command {
    /// The command that, decided on the state the events before `event` leave, records
    /// `event` and nothing else. A correction or retraction keeps the target it names; a
    /// caller replaying into another store maps it to the target's id there first.
    pub fn restating(event: &Event) -> Command {
        use Command as C;
        use Event as E;
        same_facts!(restate_same_facts! { event.clone(), {
            E::DecisionRecorded(p) => C::RecordDecision(p),
            // Duties travel in their own event.
            E::CommitteeEstablished(p) => C::EstablishCommittee(p.into()),
            E::SeatCreated(s) => C::CreateSeat {
                committee: s.committee,
                spec: SeatSpec {
                    seat: s.seat,
                    role: s.role,
                    on_behalf_of: s.on_behalf_of,
                    ex_officio: s.ex_officio,
                    label: s.label,
                    // The first holder travels in its own event.
                    holder: None,
                },
                on: s.from,
                decision: s.decision,
            },
            E::SeatAbolished(p) => C::AbolishSeat(p),
            E::CommitteeDissolved(p) => C::DissolveCommittee(p),
            E::TaskCreated(p) => C::CreateTask(p),
            E::TaskAssigned(p) | E::TaskReassigned(p) => C::AssignTask(p),
            E::Corrected { target, corrected } => C::Correct {
                target,
                corrected: *corrected,
            },
            E::Retracted(r) => C::Retract { target: r.target },
        }})
    }

    /// The one event this command records with its payload unchanged, for a command whose
    /// event says no more than it (`None` for one whose aggregate works its events out).
    pub(crate) fn recorded_unchanged(&self) -> Option<Event> {
        same_facts!(record_same_facts! { self })
    }

    /// The id the `index`-th event of this command gets when it is recorded with change
    /// keys ([`crate::Context::with_change_keys`]), whichever write records it.
    pub fn change_event_id(&self, index: u64) -> Result<EventId, Error> {
        Ok(derived_event_id(&self.change_key()?, index))
    }
}
