//! Format 2's `[[changes]]`: dated entries, each citing its decision where the domain records
//! one, applied in file order, one for every kind of command the domain takes.

use super::context::Translation;
use super::{Refs, SeedError, SeedSeat, SeedSubBody};
use crate::command::Command;
use crate::date::Date;
use crate::event::Event;
use crate::ids::EventId;
use crate::model::{Role, UnitKind};
use crate::text::Name;
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
        evidence: Option<String>,
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

    /// The commands this entry stands for, on what `t` has followed so far.
    pub(crate) fn commands(&self, refs: &Refs, t: &Translation) -> Result<Vec<Command>, SeedError> {
        use SeedChange as S;
        let opt = |d: &Option<String>| d.as_deref().map(|s| refs.decision(s)).transpose();
        let out = match self {
            S::EstablishUnit {
                unit,
                name,
                kind,
                parent,
                on,
                decision,
            } => vec![Command::EstablishUnit {
                unit: refs.unit(unit)?,
                name: Name::new(name)?,
                kind: *kind,
                parent: parent.as_deref().map(|p| refs.unit(p)).transpose()?,
                on: *on,
                decision: opt(decision)?,
            }],
            S::RenameUnit {
                unit,
                name,
                on,
                decision,
            } => vec![Command::RenameUnit {
                unit: refs.unit(unit)?,
                name: Name::new(name)?,
                on: *on,
                decision: opt(decision)?,
            }],
            S::MoveUnit {
                unit,
                parent,
                on,
                decision,
            } => vec![Command::MoveUnit {
                unit: refs.unit(unit)?,
                parent: parent.as_deref().map(|p| refs.unit(p)).transpose()?,
                on: *on,
                decision: opt(decision)?,
            }],
            S::MergeUnit {
                unit,
                into,
                on,
                decision,
                move_sub_units,
            } => {
                let decision = opt(decision)?;
                let mut out = Vec::new();
                for m in move_sub_units {
                    out.push(Command::MoveUnit {
                        unit: refs.unit(&m.unit)?,
                        parent: m.to.as_deref().map(|p| refs.unit(p)).transpose()?,
                        on: *on,
                        decision,
                    });
                }
                out.push(Command::MergeUnit {
                    unit: refs.unit(unit)?,
                    into: refs.unit(into)?,
                    on: *on,
                    decision,
                });
                out
            }
            S::DissolveUnit { unit, on, decision } => vec![Command::DissolveUnit {
                unit: refs.unit(unit)?,
                on: *on,
                decision: opt(decision)?,
            }],
            S::RegisterPerson { person, name, on } => vec![Command::RegisterPerson {
                person: refs.person(person)?,
                name: Name::new(name)?,
                on: *on,
            }],
            S::RenamePerson { person, name, on } => vec![Command::RenamePerson {
                person: refs.person(person)?,
                name: Name::new(name)?,
                on: *on,
            }],
            S::CreatePost {
                post,
                title,
                unit,
                max_holders,
                on,
                decision,
            } => vec![Command::CreatePost {
                post: refs.post(post)?,
                title: Name::new(title)?,
                unit: unit.as_deref().map(|u| refs.unit(u)).transpose()?,
                max_holders: *max_holders,
                on: *on,
                decision: opt(decision)?,
            }],
            S::AppointToPost {
                post,
                person,
                on,
                ended_on,
                decision,
            } => vec![Command::AppointToPost {
                post: refs.post(post)?,
                holding: t.new_holding(post, person, *on)?,
                person: refs.person(person)?,
                from: *on,
                ended_on: *ended_on,
                decision: opt(decision)?,
            }],
            S::EndPostHolding {
                post,
                person,
                on,
                decision,
            } => {
                let (post_id, person_id) = (refs.post(post)?, refs.person(person)?);
                let holding =
                    t.holding_of(post_id, person_id)
                        .ok_or_else(|| SeedError::NothingOpen {
                            what: format!(
                                "person {person:?} holds no post {post:?} in these files"
                            ),
                        })?;
                vec![Command::EndPostHolding {
                    post: post_id,
                    holding,
                    ended_on: *on,
                    decision: opt(decision)?,
                }]
            }
            S::AbolishPost { post, on, decision } => vec![Command::AbolishPost {
                post: refs.post(post)?,
                on: *on,
                decision: opt(decision)?,
            }],
            S::EstablishCommittee {
                committee,
                name,
                parent,
                unit,
                on,
                decision,
                duties,
            } => vec![Command::EstablishCommittee {
                committee: refs.committee(committee)?,
                name: Name::new(name)?,
                parent: parent.as_deref().map(|p| refs.committee(p)).transpose()?,
                unit: unit.as_deref().map(|u| refs.unit(u)).transpose()?,
                on: *on,
                decision: refs.decision(decision)?,
                duties: duties.clone(),
            }],
            S::RenameCommittee {
                committee,
                name,
                on,
                decision,
            } => vec![Command::RenameCommittee {
                committee: refs.committee(committee)?,
                name: Name::new(name)?,
                on: *on,
                decision: refs.decision(decision)?,
            }],
            S::SetDuties {
                committee,
                duties,
                on,
                decision,
            } => vec![Command::SetDuties {
                committee: refs.committee(committee)?,
                duties: duties.clone(),
                on: *on,
                decision: refs.decision(decision)?,
            }],
            S::DissolveCommittee {
                committee,
                on,
                decision,
            } => vec![Command::DissolveCommittee {
                committee: refs.committee(committee)?,
                on: *on,
                decision: refs.decision(decision)?,
            }],
            S::CreateSeat {
                committee,
                seat,
                role,
                holder,
                on_behalf_of,
                ex_officio,
                label,
                on,
                decision,
            } => {
                let spec = refs.seat_spec(
                    committee,
                    decision,
                    &SeedSeat {
                        slug: seat.clone(),
                        role: *role,
                        holder: holder.clone(),
                        on_behalf_of: on_behalf_of.clone(),
                        ex_officio: ex_officio.clone(),
                        label: label.clone(),
                    },
                )?;
                vec![Command::CreateSeat {
                    committee: refs.committee(committee)?,
                    spec,
                    on: *on,
                    decision: refs.decision(decision)?,
                }]
            }
            S::AbolishSeat {
                committee,
                seat,
                on,
                decision,
            } => vec![Command::AbolishSeat {
                committee: refs.committee(committee)?,
                seat: super::Seed::seat_id(committee, seat)?,
                ended_on: *on,
                decision: refs.decision(decision)?,
            }],
            S::Appoint {
                committee,
                seat,
                person,
                on,
                ended_on,
                decision,
            } => vec![Command::StartMembership {
                committee: refs.committee(committee)?,
                membership: t.new_membership(committee, seat, decision, *on, person)?,
                seat: super::Seed::seat_id(committee, seat)?,
                person: refs.person(person)?,
                from: *on,
                ended_on: *ended_on,
                decision: refs.decision(decision)?,
            }],
            S::Designate {
                committee,
                seat,
                person,
                on,
                decision,
            } => vec![Command::DesignateSeatHolder {
                committee: refs.committee(committee)?,
                seat: super::Seed::seat_id(committee, seat)?,
                person: refs.person(person)?,
                on: *on,
                decision: refs.decision(decision)?,
            }],
            S::ReplaceSeatHolder {
                committee,
                seat,
                person,
                on,
                decision,
            } => vec![Command::ReplaceSeatHolder {
                committee: refs.committee(committee)?,
                seat: super::Seed::seat_id(committee, seat)?,
                membership: t.new_membership(committee, seat, decision, *on, person)?,
                person: refs.person(person)?,
                on: *on,
                decision: refs.decision(decision)?,
            }],
            S::EndMembership {
                committee,
                seat,
                on,
                decision,
            } => {
                let committee_id = refs.committee(committee)?;
                let membership = t
                    .holder_of(committee_id, super::Seed::seat_id(committee, seat)?)
                    .ok_or_else(|| SeedError::NothingOpen {
                        what: format!(
                            "seat {seat:?} of committee {committee:?} has no holder in these files"
                        ),
                    })?;
                vec![Command::EndMembership {
                    committee: committee_id,
                    membership,
                    ended_on: *on,
                    decision: refs.decision(decision)?,
                }]
            }
            S::MoveMember {
                committee,
                person,
                to_seat,
                on,
                decision,
            } => {
                let committee_id = refs.committee(committee)?;
                let (_, from_membership) = t
                    .membership_of(committee_id, refs.person(person)?)
                    .ok_or_else(|| SeedError::NothingOpen {
                        what: format!(
                            "person {person:?} holds no seat of committee {committee:?} in these files"
                        ),
                    })?;
                vec![Command::MoveMember {
                    committee: committee_id,
                    from_membership,
                    to_seat: super::Seed::seat_id(committee, to_seat)?,
                    membership: t.new_membership(committee, to_seat, decision, *on, person)?,
                    on: *on,
                    decision: refs.decision(decision)?,
                }]
            }
            S::Reconstitute {
                committee,
                on,
                decision,
                seats,
                sub_bodies,
            } => vec![refs.reconstitution(committee, decision, *on, seats, sub_bodies)?],
            S::CreateTask {
                task,
                plan,
                title,
                product,
                on,
                deadline,
                lead,
                cooperating,
                responsible,
            } => vec![Command::CreateTask {
                task: refs.task(task)?,
                plan: opt(plan)?,
                title: title.clone(),
                product: product.clone(),
                deadline: *deadline,
                assignment: match lead {
                    Some(lead) => Some(refs.assignment(lead, cooperating, responsible)?),
                    None => None,
                },
                on: *on,
            }],
            S::AssignTask {
                task,
                lead,
                cooperating,
                responsible,
                on,
                decision,
            } => vec![Command::AssignTask {
                task: refs.task(task)?,
                assignment: refs.assignment(lead, cooperating, responsible)?,
                on: *on,
                decision: opt(decision)?,
            }],
            S::ExtendDeadline {
                task,
                deadline,
                on,
                decision,
            } => vec![Command::ExtendDeadline {
                task: refs.task(task)?,
                deadline: *deadline,
                on: *on,
                decision: opt(decision)?,
            }],
            S::ReportProgress {
                task,
                percent,
                note,
                evidence,
                on,
                decision,
            } => vec![Command::ReportProgress {
                task: refs.task(task)?,
                percent: *percent,
                note: note.clone(),
                evidence: evidence.clone(),
                on: *on,
                decision: opt(decision)?,
            }],
            S::CompleteTask { task, on, decision } => vec![Command::CompleteTask {
                task: refs.task(task)?,
                on: *on,
                decision: opt(decision)?,
            }],
            S::CancelTask { task, on, decision } => vec![Command::CancelTask {
                task: refs.task(task)?,
                on: *on,
                decision: opt(decision)?,
            }],
            S::ReopenTask { task, on, decision } => vec![Command::ReopenTask {
                task: refs.task(task)?,
                on: *on,
                decision: opt(decision)?,
            }],
            S::Correct { target, corrected } => vec![Command::Correct {
                target: *target,
                corrected: (**corrected).clone(),
            }],
            S::Retract { target } => vec![Command::Retract { target: *target }],
        };
        Ok(out)
    }
}
