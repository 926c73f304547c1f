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
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
        /// The new unit's id.
        unit: UnitId,
        /// Its name from `on` (NFC).
        name: Name,
        /// What kind of body it is.
        kind: UnitKind,
        /// Its parent unit; `None` for a top-level unit.
        parent: Option<UnitId>,
        /// The day it is established (`YYYY-MM-DD`).
        on: Date,
        /// The decision that establishes it, if recorded.
        decision: Option<DecisionId>,
    }

    /// A unit's new name.
    UnitRenaming in Unit(unit) from on cites decision {
        /// The unit renamed.
        unit: UnitId,
        /// Its name from `on`.
        name: Name,
        /// The first day the new name holds.
        on: Date,
        /// The decision that renames it, if recorded.
        decision: Option<DecisionId>,
    }

    /// A unit placed under another parent, or under none.
    UnitMove in Unit(unit) from on cites decision {
        /// The unit that moves.
        unit: UnitId,
        /// Its new parent; `None` to make it top-level.
        parent: Option<UnitId>,
        /// The first day under the new parent.
        on: Date,
        /// The decision that moves it, if recorded.
        decision: Option<DecisionId>,
    }

    /// A unit ending by merging into another.
    UnitMerger in Unit(unit) from on cites decision {
        /// The unit that ends by merging.
        unit: UnitId,
        /// The unit that succeeds it.
        into: UnitId,
        /// The day the merger takes effect: the first day the unit no longer exists.
        on: Date,
        /// The decision that merges it, if recorded.
        decision: Option<DecisionId>,
    }

    /// A unit ending without a successor.
    UnitDissolution in Unit(unit) from on cites decision {
        /// The unit dissolved.
        unit: UnitId,
        /// The day the dissolution takes effect: the first day the unit no longer exists.
        on: Date,
        /// The decision that dissolves it, if recorded.
        decision: Option<DecisionId>,
    }

    /// A person's name from a date: the one registered with, or a new one.
    PersonName in Person(person) from on {
        /// The person.
        person: PersonId,
        /// The name from `on` (NFC).
        name: Name,
        /// The first day the name holds.
        on: Date,
    }

    /// A post's creation.
    PostCreation in Post(post) from on cites decision {
        /// The new post's id.
        post: PostId,
        /// The post's title, e.g. "Thứ trưởng Bộ Thông tin và Truyền thông".
        title: Name,
        /// The unit the post belongs to, if any.
        unit: Option<UnitId>,
        /// How many people may hold it at once (at least 1).
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 65535))]
        max_holders: u16,
        /// The day it is created.
        on: Date,
        /// The decision that creates it, if recorded.
        decision: Option<DecisionId>,
    }

    /// A person's appointment to a post: one holding.
    PostAppointment in Post(post) from from cites decision {
        /// The post.
        post: PostId,
        /// The new holding's id, chosen by the caller.
        holding: HoldingId,
        /// The person appointed.
        person: PersonId,
        /// The first day of the holding.
        from: Date,
        /// Set when the end is already known at recording (history entered late).
        ended_on: Option<Date>,
        /// The appointing decision, if recorded.
        decision: Option<DecisionId>,
    }

    /// A holding of a post coming to its end.
    PostDeparture in Post(post) from ended_on cites decision {
        /// The post.
        post: PostId,
        /// The holding that ends.
        holding: HoldingId,
        /// The first day the person no longer holds the post.
        ended_on: Date,
        /// The decision that ends the holding, if recorded.
        decision: Option<DecisionId>,
    }

    /// A post's abolition.
    PostAbolition in Post(post) from on cites decision {
        /// The post abolished.
        post: PostId,
        /// The first day the post no longer exists.
        on: Date,
        /// The decision that abolishes it, if recorded.
        decision: Option<DecisionId>,
    }

    /// A decision's record: number, kind, issuer, signer, dates, title and what it changes.
    DecisionRecord in Decision(decision) from in_force_on {
        /// The decision's id.
        decision: DecisionId,
        /// The document's number as written, e.g. `34/QĐ-BTTTT`.
        number: String,
        /// The document's kind (decision, plan, decree, …).
        kind: DecisionKind,
        /// The issuing unit.
        issuer: UnitId,
        /// The signer, if recorded.
        signer: Option<PersonId>,
        /// The day it was signed.
        signed_on: Date,
        /// The day it takes effect; may be before `signed_on` (retroactive effect).
        in_force_on: Date,
        /// The document's title.
        title: String,
        /// The decisions it amends.
        amends: Vec<DecisionId>,
        /// The decisions it replaces.
        replaces: Vec<DecisionId>,
        /// The decisions it repeals.
        repeals: Vec<DecisionId>,
    }

    /// A committee coming into being (its duties travel in their own event).
    CommitteeEstablishment in Committee(committee) from on cites decision {
        /// The new committee's id.
        committee: CommitteeId,
        /// Its name from `on`.
        name: Name,
        /// The committee it is a sub-body of, if any.
        parent: Option<CommitteeId>,
        /// The unit that owns it, if any.
        unit: Option<UnitId>,
        /// The day it is established.
        on: Date,
        /// The establishing decision.
        decision: DecisionId,
    }

    /// A committee to establish, with the duties it starts with (its command's payload).
    CommitteeCharter in Committee(committee) from on cites decision {
        /// The new committee's id.
        committee: CommitteeId,
        /// Its name from `on`.
        name: Name,
        /// The committee it is a sub-body of, if any.
        parent: Option<CommitteeId>,
        /// The unit that owns it, if any.
        unit: Option<UnitId>,
        /// The day it is established.
        on: Date,
        /// The establishing decision.
        decision: DecisionId,
        /// Its standing duties from `on`, one text each.
        duties: Vec<String>,
    }

    /// A committee's new name.
    CommitteeRenaming in Committee(committee) from on cites decision {
        /// The committee renamed.
        committee: CommitteeId,
        /// Its name from `on`.
        name: Name,
        /// The first day the new name holds.
        on: Date,
        /// The renaming decision.
        decision: DecisionId,
    }

    /// A committee's duties from a date.
    CommitteeDuties in Committee(committee) from on cites decision {
        /// The committee.
        committee: CommitteeId,
        /// The whole list of duties from `on`, one text each.
        duties: Vec<String>,
        /// The first day the list holds.
        on: Date,
        /// The decision that sets it.
        decision: DecisionId,
    }

    /// A seat's creation in a committee.
    SeatCreation in Committee(committee) from from cites decision {
        /// The committee the seat belongs to.
        committee: CommitteeId,
        /// The new seat's id.
        seat: SeatId,
        /// The seat's role (head, deputy head, member, …).
        role: Role,
        /// The unit the seat represents ("a leader representing unit U"), if any.
        on_behalf_of: Option<UnitId>,
        /// The post whose holders sit ex officio, for a seat held through a post.
        ex_officio: Option<PostId>,
        /// A free-text description of the seat as the decision words it.
        label: Option<String>,
        /// The first day the seat exists.
        from: Date,
        /// Set when the seat's end is already known at recording.
        ended_on: Option<Date>,
        /// The decision that creates it.
        decision: DecisionId,
    }

    /// A seat's abolition.
    SeatAbolition in Committee(committee) from ended_on cites decision {
        /// The seat's committee.
        committee: CommitteeId,
        /// The seat abolished.
        seat: SeatId,
        /// The first day the seat no longer exists.
        ended_on: Date,
        /// The decision that abolishes it.
        decision: DecisionId,
    }

    /// A person taking up a seat: one membership.
    MembershipStart in Committee(committee) from from cites decision {
        /// The seat's committee.
        committee: CommitteeId,
        /// The new membership's id, chosen by the caller.
        membership: MembershipId,
        /// The seat taken.
        seat: SeatId,
        /// The person who takes it.
        person: PersonId,
        /// The first day of the membership.
        from: Date,
        /// Set when the end is already known at recording (history entered late).
        ended_on: Option<Date>,
        /// The appointing decision.
        decision: DecisionId,
    }

    /// A membership coming to its end.
    MembershipEnd in Committee(committee) from ended_on cites decision {
        /// The seat's committee.
        committee: CommitteeId,
        /// The membership that ends.
        membership: MembershipId,
        /// The first day the person no longer holds the seat.
        ended_on: Date,
        /// The decision that ends it.
        decision: DecisionId,
    }

    /// A committee's dissolution.
    CommitteeDissolution in Committee(committee) from on cites decision {
        /// The committee dissolved, with its sub-bodies.
        committee: CommitteeId,
        /// The first day it no longer exists.
        on: Date,
        /// The dissolving decision.
        decision: DecisionId,
    }

    /// A task's creation; `plan` is the decision whose plan lists it.
    TaskCreation in Task(task) from on {
        /// The new task's id.
        task: TaskId,
        /// The plan (a decision of kind plan) that lists the task, if any.
        plan: Option<DecisionId>,
        /// What is to be done.
        title: String,
        /// The expected product (a report, a plan, a regulation).
        product: String,
        /// The day it is due; not before `on`.
        deadline: Date,
        /// The lead unit, cooperating units and responsible person, if assigned at creation.
        assignment: Option<Assignment>,
        /// The day the task is created.
        on: Date,
    }

    /// A task's assignment (a reassignment once it has a lead unit).
    TaskAssignment in Task(task) from on cites decision {
        /// The task.
        task: TaskId,
        /// The new lead unit, cooperating units and responsible person.
        assignment: Assignment,
        /// The day the assignment takes effect.
        on: Date,
        /// The decision behind the change, if one is cited.
        decision: Option<DecisionId>,
    }

    /// A task's later deadline.
    DeadlineExtension in Task(task) from on cites decision {
        /// The task.
        task: TaskId,
        /// The new deadline; later than the current one.
        deadline: Date,
        /// The day the extension is made.
        on: Date,
        /// The decision behind the change, if one is cited.
        decision: Option<DecisionId>,
    }

    /// A report of a task's progress.
    TaskProgress in Task(task) from on cites decision {
        /// The task.
        task: TaskId,
        /// The share done, 0 to 100.
        #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
        percent: u8,
        /// What the report says.
        note: String,
        /// What the report cites; empty when nothing, and may be left out (schema 3:
        /// documents as well as text).
        #[serde(default)]
        evidence: Evidence,
        /// The day the report speaks for.
        on: Date,
        /// The decision behind the change, if one is cited.
        decision: Option<DecisionId>,
    }

    /// A task completed, cancelled or reopened.
    TaskStatusChange in Task(task) from on cites decision {
        /// The task.
        task: TaskId,
        /// The day the change takes effect.
        on: Date,
        /// The decision behind the change, if one is cited.
        decision: Option<DecisionId>,
    }

    /// Which holder of an ex-officio seat's post sits in the seat from `on`.
    SeatHolderDesignation in Committee(committee) from on cites decision {
        /// The seat's committee.
        committee: CommitteeId,
        /// The ex-officio seat.
        seat: SeatId,
        /// The holder of the seat's post who sits, from `on`.
        person: PersonId,
        /// The first day the designation holds.
        on: Date,
        /// The designating decision.
        decision: DecisionId,
    }

    /// Where a decision's text is published (a ministry's site, vbpl.vn): often found after
    /// the decision is recorded, so it travels in its own event; a decision may have several.
    DecisionLink in Decision(decision) from on {
        /// The decision linked.
        decision: DecisionId,
        /// The published text: an absolute `http` or `https` URL with a host.
        url: String,
        /// What the link is, e.g. "Cổng thông tin Bộ TT&TT".
        note: Option<String>,
        /// The day the link is filed under: the text's publication, usually the signing day.
        on: Date,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Retraction {
    /// The id of the event withdrawn.
    pub target: EventId,
    /// The entity the withdrawn event is about (whose stream holds the retraction).
    pub entity: EntityKey,
    /// The valid date the retraction is filed under: that of the event withdrawn.
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
