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
    /// A new unit comes into being (`establish_unit`).
    EstablishUnit {
        /// The slug that names the new unit in this import.
        unit: String,
        /// The unit's name from `on` (NFC-normalised).
        name: String,
        /// What kind of body the unit is (ministry, department, …).
        kind: UnitKind,
        /// The parent unit's slug; absent for a top-level unit.
        parent: Option<String>,
        /// The day the unit is established (`YYYY-MM-DD`).
        on: Date,
        /// The slug of the decision that establishes it, if recorded.
        decision: Option<String>,
    },
    /// A unit takes a new name (`rename_unit`); answers about earlier dates keep the old one.
    RenameUnit {
        /// The slug of the unit renamed.
        unit: String,
        /// The unit's name from `on`.
        name: String,
        /// The first day the new name holds.
        on: Date,
        /// The slug of the decision that renames it, if recorded.
        decision: Option<String>,
    },
    /// A unit moves under another parent (`move_unit`).
    MoveUnit {
        /// The slug of the unit that moves.
        unit: String,
        /// The new parent; absent to make the unit top-level.
        parent: Option<String>,
        /// The first day under the new parent.
        on: Date,
        /// The slug of the decision that moves it, if recorded.
        decision: Option<String>,
    },
    /// The unit merges into `into`; `move_sub_units` move first, the same day.
    MergeUnit {
        /// The slug of the unit that ends by merging.
        unit: String,
        /// The slug of the unit that succeeds it.
        into: String,
        /// The day the merger takes effect.
        on: Date,
        /// The slug of the decision that merges it, if recorded.
        decision: Option<String>,
        /// Sub-units of the merged unit moved elsewhere first, the same day.
        #[serde(default)]
        move_sub_units: Vec<SeedMove>,
    },
    /// A unit ends without a successor (`dissolve_unit`).
    DissolveUnit {
        /// The slug of the unit dissolved.
        unit: String,
        /// The day the dissolution takes effect.
        on: Date,
        /// The slug of the decision that dissolves it, if recorded.
        decision: Option<String>,
    },
    /// A person is recorded (`register_person`).
    RegisterPerson {
        /// The slug that names the new person in this import.
        person: String,
        /// The person's name (any Unicode form; stored as NFC).
        name: String,
        /// The day from which the person is on record.
        on: Date,
    },
    /// A person's name changes, or a misspelling is fixed from a date (`rename_person`).
    RenamePerson {
        /// The slug of the person renamed.
        person: String,
        /// The name from `on`.
        name: String,
        /// The first day the new name holds.
        on: Date,
    },
    /// A post (a position such as "Thứ trưởng") comes into being (`create_post`).
    CreatePost {
        /// The slug that names the new post in this import.
        post: String,
        /// The post's title, e.g. "Vụ trưởng Vụ Mới".
        title: String,
        /// The slug of the unit the post belongs to, if any.
        unit: Option<String>,
        /// How many people may hold the post at once (default 1).
        #[serde(default = "super::sections::one")]
        max_holders: u16,
        /// The day the post is created.
        on: Date,
        /// The slug of the decision that creates it, if recorded.
        decision: Option<String>,
    },
    /// A person starts holding a post (`appoint_to_post`).
    AppointToPost {
        /// The slug of the post.
        post: String,
        /// The slug of the person appointed.
        person: String,
        /// The first day of the holding.
        on: Date,
        /// The holding's end, when already known as it is recorded (history entered late).
        ended_on: Option<Date>,
        /// The slug of the appointing decision, if recorded.
        decision: Option<String>,
    },
    /// The holding this person has of the post ends (`end_post_holding`).
    EndPostHolding {
        /// The slug of the post.
        post: String,
        /// The slug of the person who leaves it.
        person: String,
        /// The day the holding ends.
        on: Date,
        /// The slug of the decision that ends it, if recorded.
        decision: Option<String>,
    },
    /// A post ends; nobody holds it from `on` (`abolish_post`).
    AbolishPost {
        /// The slug of the post abolished.
        post: String,
        /// The day the post ends.
        on: Date,
        /// The slug of the decision that abolishes it, if recorded.
        decision: Option<String>,
    },
    /// A committee (or, with a parent, a sub-body such as a working group) is established
    /// (`establish_committee`).
    EstablishCommittee {
        /// The slug that names the new committee in this import.
        committee: String,
        /// The committee's name from `on`.
        name: String,
        /// The slug of the committee this one is a sub-body of, if any.
        parent: Option<String>,
        /// The slug of the unit that owns the committee, if any.
        unit: Option<String>,
        /// The day the committee is established.
        on: Date,
        /// The slug of the establishing decision (required).
        decision: String,
        /// The committee's standing duties, one text each.
        #[serde(default)]
        duties: Vec<String>,
    },
    /// A committee takes a new name (`rename_committee`).
    RenameCommittee {
        /// The slug of the committee renamed.
        committee: String,
        /// The name from `on`.
        name: String,
        /// The first day the new name holds.
        on: Date,
        /// The slug of the renaming decision.
        decision: String,
    },
    /// A committee's duties are replaced by a new list (`set_duties`).
    SetDuties {
        /// The slug of the committee.
        committee: String,
        /// The whole list of duties from `on`, one text each.
        duties: Vec<String>,
        /// The first day the new duties hold.
        on: Date,
        /// The slug of the decision that sets them.
        decision: String,
    },
    /// A committee ends, with its sub-bodies (`dissolve_committee`).
    DissolveCommittee {
        /// The slug of the committee dissolved.
        committee: String,
        /// The day the dissolution takes effect.
        on: Date,
        /// The slug of the dissolving decision.
        decision: String,
    },
    /// A seat is added to a committee (`create_seat`).
    CreateSeat {
        /// The slug of the committee the seat belongs to.
        committee: String,
        /// The seat's slug, scoped by its committee.
        seat: String,
        /// The seat's role (head, deputy head, member, …).
        role: Role,
        /// The slug of the person who takes the seat on `on`, if any.
        holder: Option<String>,
        /// The slug of the unit the seat represents ("a leader representing unit U"), if any.
        on_behalf_of: Option<String>,
        /// The slug of the post whose holder sits ex officio, if the seat is held through a post.
        ex_officio: Option<String>,
        /// A free-text description of the seat as the decision words it.
        label: Option<String>,
        /// The day the seat is created.
        on: Date,
        /// The slug of the decision that creates it.
        decision: String,
    },
    /// A seat is removed from a committee, ending its open membership (`abolish_seat`).
    AbolishSeat {
        /// The slug of the seat's committee.
        committee: String,
        /// The seat's slug within its committee.
        seat: String,
        /// The day the seat ends.
        on: Date,
        /// The slug of the decision that abolishes it.
        decision: String,
    },
    /// A person is appointed to an empty seat.
    Appoint {
        /// The slug of the seat's committee.
        committee: String,
        /// The seat's slug within its committee.
        seat: String,
        /// The slug of the person appointed.
        person: String,
        /// The first day of the membership.
        on: Date,
        /// The membership's end, when already known as it is recorded.
        ended_on: Option<Date>,
        /// The slug of the appointing decision.
        decision: String,
    },
    /// Another person takes a seat: its holder's membership ends that day.
    ReplaceSeatHolder {
        /// The slug of the seat's committee.
        committee: String,
        /// The seat's slug within its committee.
        seat: String,
        /// The slug of the person who takes the seat.
        person: String,
        /// The day the new holder starts and the old one leaves.
        on: Date,
        /// The slug of the decision that makes the replacement.
        decision: String,
    },
    /// The membership open in the seat ends.
    EndMembership {
        /// The slug of the seat's committee.
        committee: String,
        /// The seat's slug within its committee.
        seat: String,
        /// The day the membership ends; the seat stays.
        on: Date,
        /// The slug of the decision that ends it.
        decision: String,
    },
    /// Of the holders of an ex-officio seat's post ("a Deputy Minister"), `person` sits.
    Designate {
        /// The slug of the seat's committee.
        committee: String,
        /// The slug of the ex-officio seat, whose post several people hold.
        seat: String,
        /// The slug of the post holder who sits.
        person: String,
        /// The first day the designation holds.
        on: Date,
        /// The slug of the designating decision.
        decision: String,
    },
    /// A member moves to another seat (another role) of the same committee.
    MoveMember {
        /// The slug of the committee.
        committee: String,
        /// The slug of the member who moves.
        person: String,
        /// The slug of the seat the member moves to.
        to_seat: String,
        /// The day of the move: the old membership ends and the new one starts.
        on: Date,
        /// The slug of the decision that moves the member.
        decision: String,
    },
    /// "Kiện toàn": the whole composition from `on`, as `[[reconstitutions]]` but in file
    /// order.
    Reconstitute {
        /// The slug of the committee reconstituted.
        committee: String,
        /// The day the new composition starts; whatever is open ends then.
        on: Date,
        /// The slug of the reconstituting decision.
        decision: String,
        /// The committee's seats from `on`, each with its holder.
        #[serde(default)]
        seats: Vec<SeedSeat>,
        /// The sub-bodies' seats from `on`.
        #[serde(default)]
        sub_bodies: Vec<SeedSubBody>,
    },
    /// A reform task is created (`create_task`).
    CreateTask {
        /// The slug that names the new task in this import.
        task: String,
        /// The slug of the plan (a decision of kind plan) the task belongs to, if any.
        plan: Option<String>,
        /// What is to be done.
        title: String,
        /// The expected product (a report, a plan, a regulation).
        product: String,
        /// The day the task is created.
        on: Date,
        /// The day the task is due; not before `on`.
        deadline: Date,
        /// The slug of the lead unit, if assigned at creation.
        lead: Option<String>,
        /// The slugs of the cooperating units.
        #[serde(default)]
        cooperating: Vec<String>,
        /// The slug of the responsible person (needs a lead).
        responsible: Option<String>,
    },
    /// A task is given a lead unit, or reassigned (`assign_task`).
    AssignTask {
        /// The slug of the task.
        task: String,
        /// The slug of the new lead unit.
        lead: String,
        /// The slugs of the cooperating units.
        #[serde(default)]
        cooperating: Vec<String>,
        /// The slug of the responsible person, if any.
        responsible: Option<String>,
        /// The day the assignment takes effect.
        on: Date,
        /// The slug of the decision that assigns it, if recorded.
        decision: Option<String>,
    },
    /// A task's deadline moves later (`extend_deadline`).
    ExtendDeadline {
        /// The slug of the task.
        task: String,
        /// The new deadline; it must be later than the current one.
        deadline: Date,
        /// The day the extension is made.
        on: Date,
        /// The slug of the decision that extends it, if recorded.
        decision: Option<String>,
    },
    /// A unit reports a task's progress (`report_progress`).
    ReportProgress {
        /// The slug of the task.
        task: String,
        /// The share done, 0 to 100.
        percent: u8,
        /// What the report says.
        note: String,
        /// Free text: the report's evidence note.
        evidence: Option<String>,
        /// The documents cited (`[[changes.documents]]`), each with a number or a title; a
        /// `sha256` in capitals is taken in lowercase.
        #[serde(default)]
        documents: Vec<EvidenceDocument>,
        /// The day of the report.
        on: Date,
        /// The slug of the decision the report cites, if any.
        decision: Option<String>,
    },
    /// A task is done (`complete_task`); it needs an earlier progress report.
    CompleteTask {
        /// The slug of the task.
        task: String,
        /// The day the task is completed.
        on: Date,
        /// The slug of the decision recording it, if any.
        decision: Option<String>,
    },
    /// A task is called off (`cancel_task`).
    CancelTask {
        /// The slug of the task.
        task: String,
        /// The day the task is cancelled.
        on: Date,
        /// The slug of the decision that cancels it, if any.
        decision: Option<String>,
    },
    /// A completed or cancelled task is opened again (`reopen_task`).
    ReopenTask {
        /// The slug of the task.
        task: String,
        /// The day the task reopens.
        on: Date,
        /// The slug of the decision that reopens it, if any.
        decision: Option<String>,
    },
    /// Replaces what an earlier event said. `target` is the event's id as `reformctl
    /// history` and `decision show` print it; `corrected` is the event as it should have
    /// been, in the API's form.
    Correct {
        /// The id of the event corrected.
        target: EventId,
        /// The event as it should have been.
        corrected: Box<Event>,
    },
    /// Withdraws an earlier event entirely.
    Retract {
        /// The id of the event retracted.
        target: EventId,
    },
    /// Where a recorded decision's text is published (`link_decision`), found after the
    /// decision was entered.
    LinkDecision {
        /// The slug of the decision.
        decision: String,
        /// The published text: an absolute `http` or `https` URL.
        url: String,
        /// What the link is, e.g. "Cổng thông tin Bộ TT&TT".
        note: Option<String>,
        /// The day the link is filed under: the text's publication, usually the signing day.
        on: Date,
    },
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
