//! Format 2's `[[changes]]`: dated entries, each citing its decision where the domain records
//! one, applied in file order, one for every kind of command the domain takes.

use super::{SeedSeat, SeedSubBody};
use crate::date::Date;
use crate::event::Event;
use crate::evidence::EvidenceDocument;
use crate::ids::EventId;
use crate::model::{Role, UnitKind};
use serde::Deserialize;

/// A sub-unit that moves to another parent as part of a merger.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMove {
    /// The sub-unit (slug).
    pub unit: String,
    /// Its new parent (slug); absent for a unit that becomes independent.
    pub to: Option<String>,
}

/// One entry of `[[changes]]`; `type` names it. See `docs/import-format.md`.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum SeedChange {
    EstablishUnit {
        unit: String,
        name: String,
        kind: UnitKind,
        parent: Option<String>,
        on: Date,
        decision: Option<String>,
    },
    RenameUnit {
        unit: String,
        name: String,
        on: Date,
        decision: Option<String>,
    },
    MoveUnit {
        unit: String,
        /// The new parent; absent to make the unit top-level.
        parent: Option<String>,
        on: Date,
        decision: Option<String>,
    },
    /// The unit merges into `into`; `move_sub_units` move first, the same day.
    MergeUnit {
        unit: String,
        into: String,
        on: Date,
        decision: Option<String>,
        #[serde(default)]
        move_sub_units: Vec<SeedMove>,
    },
    DissolveUnit {
        unit: String,
        on: Date,
        decision: Option<String>,
    },
    RegisterPerson {
        person: String,
        name: String,
        on: Date,
    },
    RenamePerson {
        person: String,
        name: String,
        on: Date,
    },
    CreatePost {
        post: String,
        title: String,
        unit: Option<String>,
        #[serde(default = "super::one")]
        max_holders: u16,
        on: Date,
        decision: Option<String>,
    },
    AppointToPost {
        post: String,
        person: String,
        on: Date,
        ended_on: Option<Date>,
        decision: Option<String>,
    },
    EndPostHolding {
        post: String,
        person: String,
        on: Date,
        decision: Option<String>,
    },
    AbolishPost {
        post: String,
        on: Date,
        decision: Option<String>,
    },
    EstablishCommittee {
        committee: String,
        name: String,
        parent: Option<String>,
        unit: Option<String>,
        on: Date,
        decision: String,
        #[serde(default)]
        duties: Vec<String>,
    },
    RenameCommittee {
        committee: String,
        name: String,
        on: Date,
        decision: String,
    },
    SetDuties {
        committee: String,
        duties: Vec<String>,
        on: Date,
        decision: String,
    },
    DissolveCommittee {
        committee: String,
        on: Date,
        decision: String,
    },
    CreateSeat {
        committee: String,
        seat: String,
        role: Role,
        holder: Option<String>,
        on_behalf_of: Option<String>,
        ex_officio: Option<String>,
        label: Option<String>,
        on: Date,
        decision: String,
    },
    AbolishSeat {
        committee: String,
        seat: String,
        on: Date,
        decision: String,
    },
    /// A person is appointed to an empty seat.
    Appoint {
        committee: String,
        seat: String,
        person: String,
        on: Date,
        ended_on: Option<Date>,
        decision: String,
    },
    /// Another person takes a seat: its holder's membership ends that day.
    ReplaceSeatHolder {
        committee: String,
        seat: String,
        person: String,
        on: Date,
        decision: String,
    },
    /// The membership open in the seat ends.
    EndMembership {
        committee: String,
        seat: String,
        on: Date,
        decision: String,
    },
    /// Of the holders of an ex-officio seat's post ("a Deputy Minister"), `person` sits.
    Designate {
        committee: String,
        seat: String,
        person: String,
        on: Date,
        decision: String,
    },
    /// A member moves to another seat (another role) of the same committee.
    MoveMember {
        committee: String,
        person: String,
        to_seat: String,
        on: Date,
        decision: String,
    },
    /// "Kiện toàn": the whole composition from `on`, as `[[reconstitutions]]` but in file
    /// order.
    Reconstitute {
        committee: String,
        on: Date,
        decision: String,
        #[serde(default)]
        seats: Vec<SeedSeat>,
        #[serde(default)]
        sub_bodies: Vec<SeedSubBody>,
    },
    CreateTask {
        task: String,
        plan: Option<String>,
        title: String,
        product: String,
        on: Date,
        deadline: Date,
        lead: Option<String>,
        #[serde(default)]
        cooperating: Vec<String>,
        responsible: Option<String>,
    },
    AssignTask {
        task: String,
        lead: String,
        #[serde(default)]
        cooperating: Vec<String>,
        responsible: Option<String>,
        on: Date,
        decision: Option<String>,
    },
    ExtendDeadline {
        task: String,
        deadline: Date,
        on: Date,
        decision: Option<String>,
    },
    ReportProgress {
        task: String,
        percent: u8,
        note: String,
        /// Free text: the report's evidence note.
        evidence: Option<String>,
        /// The documents cited (`[[changes.documents]]`), each with a number or a title; a
        /// `sha256` in capitals is taken in lowercase.
        #[serde(default)]
        documents: Vec<EvidenceDocument>,
        on: Date,
        decision: Option<String>,
    },
    CompleteTask {
        task: String,
        on: Date,
        decision: Option<String>,
    },
    CancelTask {
        task: String,
        on: Date,
        decision: Option<String>,
    },
    ReopenTask {
        task: String,
        on: Date,
        decision: Option<String>,
    },
    /// Replaces what an earlier event said. `target` is the event's id as `reformctl
    /// history` and `decision show` print it; `corrected` is the event as it should have
    /// been, in the API's form.
    Correct {
        target: EventId,
        corrected: Box<Event>,
    },
    /// Withdraws an earlier event entirely.
    Retract { target: EventId },
}

impl SeedChange {
    /// The slug this entry defines, if it brings an entity into being.
    pub(crate) fn defines(&self) -> Option<(&'static str, &str)> {
        Some(match self {
            Self::EstablishUnit { unit, .. } => ("unit", unit),
            Self::RegisterPerson { person, .. } => ("person", person),
            Self::CreatePost { post, .. } => ("post", post),
            Self::EstablishCommittee { committee, .. } => ("committee", committee),
            Self::CreateTask { task, .. } => ("task", task),
            _ => return None,
        })
    }
}
