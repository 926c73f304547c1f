//! The facts an event and the command that records it carry alike: one struct per change,
//! shared by the event variant and the command variant, and what each tells of itself.
//!
//! The codec lays a newtype variant holding a struct out exactly as a struct variant with the
//! same fields in the same order (serde's JSON too), so moving a variant's fields into one of
//! these structs moves no stored byte. Fields are only ever appended, never reordered: the
//! frozen schemas in `codec/` read old bytes into these same structs.

use crate::date::Date;
use crate::evidence::Evidence;
use crate::ids::{
    CommitteeId, DecisionId, EntityKey, EventId, HoldingId, MembershipId, PersonId, PostId, SeatId,
    TaskId, UnitId,
};
use crate::model::{Assignment, DecisionKind, Role, UnitKind};
use crate::text::Name;
use serde::{Deserialize, Serialize};

/// What a payload tells of itself: the entity whose stream holds it, the date it holds from,
/// and the decision behind the change, where it has room for one.
pub(crate) trait Payload {
    fn entity(&self) -> EntityKey;

    fn valid_from(&self) -> Date;

    /// The decision the payload says made the change, if it names one.
    fn decision(&self) -> Option<DecisionId> {
        None
    }

    /// Makes the payload cite `decision` (see [`crate::Command::cite`]); one with no room for
    /// a decision is left as it is.
    fn cite(&mut self, decision: DecisionId) -> Result<(), DecisionId> {
        let _ = decision;
        Ok(())
    }
}

/// A decision field, optional or required, as a payload cites it.
pub(crate) trait Citation {
    fn cited(&self) -> Option<DecisionId>;

    /// An absent optional decision becomes `decision`; a present one must be it (`Err` gives
    /// the one named).
    fn cite(&mut self, decision: DecisionId) -> Result<(), DecisionId>;
}

impl Citation for Option<DecisionId> {
    fn cited(&self) -> Option<DecisionId> {
        *self
    }

    fn cite(&mut self, decision: DecisionId) -> Result<(), DecisionId> {
        match self {
            Some(other) if *other != decision => Err(*other),
            _ => {
                *self = Some(decision);
                Ok(())
            }
        }
    }
}

impl Citation for DecisionId {
    fn cited(&self) -> Option<DecisionId> {
        Some(*self)
    }

    fn cite(&mut self, decision: DecisionId) -> Result<(), DecisionId> {
        if *self == decision {
            Ok(())
        } else {
            Err(*self)
        }
    }
}

/// Payload structs, each with its [`Payload`] answers: `in Kind(field)` names the entity,
/// `from field` the valid date, `cites field` the decision behind the change.
macro_rules! payloads {
    ($(
        $(#[$meta:meta])*
        $name:ident in $kind:ident($id:ident) from $from:ident $(cites $cites:ident)? {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    )*) => {$(
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl Payload for $name {
            fn entity(&self) -> EntityKey {
                EntityKey::$kind(self.$id)
            }

            fn valid_from(&self) -> Date {
                self.$from
            }

            $(
                fn decision(&self) -> Option<DecisionId> {
                    Citation::cited(&self.$cites)
                }

                fn cite(&mut self, decision: DecisionId) -> Result<(), DecisionId> {
                    Citation::cite(&mut self.$cites, decision)
                }
            )?
        }
    )*};
}

payloads! {
    /// A unit coming into being.
    UnitEstablishment in Unit(unit) from on cites decision {
        unit: UnitId,
        name: Name,
        kind: UnitKind,
        parent: Option<UnitId>,
        on: Date,
        decision: Option<DecisionId>,
    }

    /// A unit's new name.
    UnitRenaming in Unit(unit) from on cites decision {
        unit: UnitId,
        name: Name,
        on: Date,
        decision: Option<DecisionId>,
    }

    /// A unit placed under another parent, or under none.
    UnitMove in Unit(unit) from on cites decision {
        unit: UnitId,
        parent: Option<UnitId>,
        on: Date,
        decision: Option<DecisionId>,
    }

    /// A unit ending by merging into another.
    UnitMerger in Unit(unit) from on cites decision {
        unit: UnitId,
        into: UnitId,
        on: Date,
        decision: Option<DecisionId>,
    }

    /// A unit ending without a successor.
    UnitDissolution in Unit(unit) from on cites decision {
        unit: UnitId,
        on: Date,
        decision: Option<DecisionId>,
    }

    /// A person's name from a date: the one registered with, or a new one.
    PersonName in Person(person) from on {
        person: PersonId,
        name: Name,
        on: Date,
    }

    /// A post's creation.
    PostCreation in Post(post) from on cites decision {
        post: PostId,
        title: Name,
        unit: Option<UnitId>,
        max_holders: u16,
        on: Date,
        decision: Option<DecisionId>,
    }

    /// A person's appointment to a post: one holding.
    PostAppointment in Post(post) from from cites decision {
        post: PostId,
        holding: HoldingId,
        person: PersonId,
        from: Date,
        /// Set when the end is already known at recording (history entered late).
        ended_on: Option<Date>,
        decision: Option<DecisionId>,
    }

    /// A holding of a post coming to its end.
    PostDeparture in Post(post) from ended_on cites decision {
        post: PostId,
        holding: HoldingId,
        ended_on: Date,
        decision: Option<DecisionId>,
    }

    /// A post's abolition.
    PostAbolition in Post(post) from on cites decision {
        post: PostId,
        on: Date,
        decision: Option<DecisionId>,
    }

    /// A decision's record: number, kind, issuer, signer, dates, title and what it changes.
    DecisionRecord in Decision(decision) from in_force_on {
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
    }

    /// A committee coming into being (its duties travel in their own event).
    CommitteeEstablishment in Committee(committee) from on cites decision {
        committee: CommitteeId,
        name: Name,
        parent: Option<CommitteeId>,
        unit: Option<UnitId>,
        on: Date,
        decision: DecisionId,
    }

    /// A committee to establish, with the duties it starts with (its command's payload).
    CommitteeCharter in Committee(committee) from on cites decision {
        committee: CommitteeId,
        name: Name,
        parent: Option<CommitteeId>,
        unit: Option<UnitId>,
        on: Date,
        decision: DecisionId,
        duties: Vec<String>,
    }

    /// A committee's new name.
    CommitteeRenaming in Committee(committee) from on cites decision {
        committee: CommitteeId,
        name: Name,
        on: Date,
        decision: DecisionId,
    }

    /// A committee's duties from a date.
    CommitteeDuties in Committee(committee) from on cites decision {
        committee: CommitteeId,
        duties: Vec<String>,
        on: Date,
        decision: DecisionId,
    }

    /// A seat's creation in a committee.
    SeatCreation in Committee(committee) from from cites decision {
        committee: CommitteeId,
        seat: SeatId,
        role: Role,
        on_behalf_of: Option<UnitId>,
        ex_officio: Option<PostId>,
        label: Option<String>,
        from: Date,
        ended_on: Option<Date>,
        decision: DecisionId,
    }

    /// A seat's abolition.
    SeatAbolition in Committee(committee) from ended_on cites decision {
        committee: CommitteeId,
        seat: SeatId,
        ended_on: Date,
        decision: DecisionId,
    }

    /// A person taking up a seat: one membership.
    MembershipStart in Committee(committee) from from cites decision {
        committee: CommitteeId,
        membership: MembershipId,
        seat: SeatId,
        person: PersonId,
        from: Date,
        ended_on: Option<Date>,
        decision: DecisionId,
    }

    /// A membership coming to its end.
    MembershipEnd in Committee(committee) from ended_on cites decision {
        committee: CommitteeId,
        membership: MembershipId,
        ended_on: Date,
        decision: DecisionId,
    }

    /// A committee's dissolution.
    CommitteeDissolution in Committee(committee) from on cites decision {
        committee: CommitteeId,
        on: Date,
        decision: DecisionId,
    }

    /// A task's creation; `plan` is the decision whose plan lists it.
    TaskCreation in Task(task) from on {
        task: TaskId,
        plan: Option<DecisionId>,
        title: String,
        product: String,
        deadline: Date,
        assignment: Option<Assignment>,
        on: Date,
    }

    /// A task's assignment (a reassignment once it has a lead unit).
    TaskAssignment in Task(task) from on cites decision {
        task: TaskId,
        assignment: Assignment,
        on: Date,
        /// The decision behind the change, if one is cited.
        decision: Option<DecisionId>,
    }

    /// A task's later deadline.
    DeadlineExtension in Task(task) from on cites decision {
        task: TaskId,
        deadline: Date,
        on: Date,
        /// The decision behind the change, if one is cited.
        decision: Option<DecisionId>,
    }

    /// A report of a task's progress.
    TaskProgress in Task(task) from on cites decision {
        task: TaskId,
        percent: u8,
        note: String,
        /// What the report cites; empty when nothing, and may be left out (schema 3:
        /// documents as well as text).
        #[serde(default)]
        evidence: Evidence,
        on: Date,
        /// The decision behind the change, if one is cited.
        decision: Option<DecisionId>,
    }

    /// A task completed, cancelled or reopened.
    TaskStatusChange in Task(task) from on cites decision {
        task: TaskId,
        on: Date,
        /// The decision behind the change, if one is cited.
        decision: Option<DecisionId>,
    }

    /// Which holder of an ex-officio seat's post sits in the seat from `on`.
    SeatHolderDesignation in Committee(committee) from on cites decision {
        committee: CommitteeId,
        seat: SeatId,
        person: PersonId,
        on: Date,
        decision: DecisionId,
    }
}

impl CommitteeCharter {
    /// The establishment the charter records, and the duties that travel in their own event.
    pub(crate) fn split(self) -> (CommitteeEstablishment, Vec<String>) {
        let established = CommitteeEstablishment {
            committee: self.committee,
            name: self.name,
            parent: self.parent,
            unit: self.unit,
            on: self.on,
            decision: self.decision,
        };
        (established, self.duties)
    }
}

impl From<CommitteeEstablishment> for CommitteeCharter {
    /// The charter that records `e` alone, its duties left to an event of their own.
    fn from(e: CommitteeEstablishment) -> Self {
        CommitteeCharter {
            committee: e.committee,
            name: e.name,
            parent: e.parent,
            unit: e.unit,
            on: e.on,
            decision: e.decision,
            duties: Vec::new(),
        }
    }
}

/// An earlier fact event withdrawn as if it had never been true.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Retraction {
    pub target: EventId,
    pub entity: EntityKey,
    pub on: Date,
}

impl Payload for Retraction {
    fn entity(&self) -> EntityKey {
        self.entity
    }

    fn valid_from(&self) -> Date {
        self.on
    }
}
