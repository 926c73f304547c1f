//! Each `[[changes]]` entry translated into the commands it stands for, slugs resolved and
//! seats, memberships and holdings named by what the translation has followed.

use super::changes::SeedChange;
use super::context::Translation;
use super::{Refs, SeedError, SeedSeat};
use crate::command::Command;
use crate::evidence::{Evidence, EvidenceDocument};
use crate::payload::{
    CommitteeCharter, CommitteeDissolution, CommitteeDuties, CommitteeRenaming, DeadlineExtension,
    DecisionLink, MembershipEnd, MembershipStart, PersonName, PostAbolition, PostAppointment,
    PostCreation, PostDeparture, SeatAbolition, SeatHolderDesignation, TaskAssignment,
    TaskCreation, TaskProgress, TaskStatusChange, UnitDissolution, UnitEstablishment, UnitMerger,
    UnitMove, UnitRenaming,
};
use crate::text::Name;

impl SeedChange {
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
            } => vec![Command::EstablishUnit(UnitEstablishment {
                unit: refs.unit(unit)?,
                name: Name::new(name)?,
                kind: *kind,
                parent: parent.as_deref().map(|p| refs.unit(p)).transpose()?,
                on: *on,
                decision: opt(decision)?,
            })],
            S::RenameUnit {
                unit,
                name,
                on,
                decision,
            } => vec![Command::RenameUnit(UnitRenaming {
                unit: refs.unit(unit)?,
                name: Name::new(name)?,
                on: *on,
                decision: opt(decision)?,
            })],
            S::MoveUnit {
                unit,
                parent,
                on,
                decision,
            } => vec![Command::MoveUnit(UnitMove {
                unit: refs.unit(unit)?,
                parent: parent.as_deref().map(|p| refs.unit(p)).transpose()?,
                on: *on,
                decision: opt(decision)?,
            })],
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
                    out.push(Command::MoveUnit(UnitMove {
                        unit: refs.unit(&m.unit)?,
                        parent: m.to.as_deref().map(|p| refs.unit(p)).transpose()?,
                        on: *on,
                        decision,
                    }));
                }
                out.push(Command::MergeUnit(UnitMerger {
                    unit: refs.unit(unit)?,
                    into: refs.unit(into)?,
                    on: *on,
                    decision,
                }));
                out
            }
            S::DissolveUnit { unit, on, decision } => {
                vec![Command::DissolveUnit(UnitDissolution {
                    unit: refs.unit(unit)?,
                    on: *on,
                    decision: opt(decision)?,
                })]
            }
            S::RegisterPerson { person, name, on } => vec![Command::RegisterPerson(PersonName {
                person: refs.person(person)?,
                name: Name::new(name)?,
                on: *on,
            })],
            S::RenamePerson { person, name, on } => vec![Command::RenamePerson(PersonName {
                person: refs.person(person)?,
                name: Name::new(name)?,
                on: *on,
            })],
            S::CreatePost {
                post,
                title,
                unit,
                max_holders,
                on,
                decision,
            } => vec![Command::CreatePost(PostCreation {
                post: refs.post(post)?,
                title: Name::new(title)?,
                unit: unit.as_deref().map(|u| refs.unit(u)).transpose()?,
                max_holders: *max_holders,
                on: *on,
                decision: opt(decision)?,
            })],
            S::AppointToPost {
                post,
                person,
                on,
                ended_on,
                decision,
            } => vec![Command::AppointToPost(PostAppointment {
                post: refs.post(post)?,
                holding: t.new_holding(post, person, *on)?,
                person: refs.person(person)?,
                from: *on,
                ended_on: *ended_on,
                decision: opt(decision)?,
            })],
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
                vec![Command::EndPostHolding(PostDeparture {
                    post: post_id,
                    holding,
                    ended_on: *on,
                    decision: opt(decision)?,
                })]
            }
            S::AbolishPost { post, on, decision } => vec![Command::AbolishPost(PostAbolition {
                post: refs.post(post)?,
                on: *on,
                decision: opt(decision)?,
            })],
            S::EstablishCommittee {
                committee,
                name,
                parent,
                unit,
                on,
                decision,
                duties,
            } => vec![Command::EstablishCommittee(CommitteeCharter {
                committee: refs.committee(committee)?,
                name: Name::new(name)?,
                parent: parent.as_deref().map(|p| refs.committee(p)).transpose()?,
                unit: unit.as_deref().map(|u| refs.unit(u)).transpose()?,
                on: *on,
                decision: refs.decision(decision)?,
                duties: duties.clone(),
            })],
            S::RenameCommittee {
                committee,
                name,
                on,
                decision,
            } => vec![Command::RenameCommittee(CommitteeRenaming {
                committee: refs.committee(committee)?,
                name: Name::new(name)?,
                on: *on,
                decision: refs.decision(decision)?,
            })],
            S::SetDuties {
                committee,
                duties,
                on,
                decision,
            } => vec![Command::SetDuties(CommitteeDuties {
                committee: refs.committee(committee)?,
                duties: duties.clone(),
                on: *on,
                decision: refs.decision(decision)?,
            })],
            S::DissolveCommittee {
                committee,
                on,
                decision,
            } => vec![Command::DissolveCommittee(CommitteeDissolution {
                committee: refs.committee(committee)?,
                on: *on,
                decision: refs.decision(decision)?,
            })],
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
            } => vec![Command::AbolishSeat(SeatAbolition {
                committee: refs.committee(committee)?,
                seat: super::Seed::seat_id(committee, seat)?,
                ended_on: *on,
                decision: refs.decision(decision)?,
            })],
            S::Appoint {
                committee,
                seat,
                person,
                on,
                ended_on,
                decision,
            } => vec![Command::StartMembership(MembershipStart {
                committee: refs.committee(committee)?,
                membership: t.new_membership(committee, seat, decision, *on, person)?,
                seat: super::Seed::seat_id(committee, seat)?,
                person: refs.person(person)?,
                from: *on,
                ended_on: *ended_on,
                decision: refs.decision(decision)?,
            })],
            S::LinkDecision {
                decision,
                url,
                note,
                on,
            } => vec![Command::LinkDecision(DecisionLink {
                decision: refs.decision(decision)?,
                url: url.clone(),
                note: note.clone(),
                on: *on,
            })],
            S::Designate {
                committee,
                seat,
                person,
                on,
                decision,
            } => vec![Command::DesignateSeatHolder(SeatHolderDesignation {
                committee: refs.committee(committee)?,
                seat: super::Seed::seat_id(committee, seat)?,
                person: refs.person(person)?,
                on: *on,
                decision: refs.decision(decision)?,
            })],
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
                vec![Command::EndMembership(MembershipEnd {
                    committee: committee_id,
                    membership,
                    ended_on: *on,
                    decision: refs.decision(decision)?,
                })]
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
            } => vec![Command::CreateTask(TaskCreation {
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
            })],
            S::AssignTask {
                task,
                lead,
                cooperating,
                responsible,
                on,
                decision,
            } => vec![Command::AssignTask(TaskAssignment {
                task: refs.task(task)?,
                assignment: refs.assignment(lead, cooperating, responsible)?,
                on: *on,
                decision: opt(decision)?,
            })],
            S::ExtendDeadline {
                task,
                deadline,
                on,
                decision,
            } => vec![Command::ExtendDeadline(DeadlineExtension {
                task: refs.task(task)?,
                deadline: *deadline,
                on: *on,
                decision: opt(decision)?,
            })],
            S::ReportProgress {
                task,
                percent,
                note,
                evidence,
                documents,
                on,
                decision,
            } => vec![Command::ReportProgress(TaskProgress {
                task: refs.task(task)?,
                percent: *percent,
                note: note.clone(),
                evidence: Evidence {
                    note: evidence.clone(),
                    documents: documents
                        .iter()
                        .map(|d| EvidenceDocument {
                            // Hashes are often copied from tools that print them in capitals.
                            sha256: d.sha256.as_ref().map(|h| h.to_ascii_lowercase()),
                            ..d.clone()
                        })
                        .collect(),
                },
                on: *on,
                decision: opt(decision)?,
            })],
            S::CompleteTask { task, on, decision } => {
                vec![Command::CompleteTask(TaskStatusChange {
                    task: refs.task(task)?,
                    on: *on,
                    decision: opt(decision)?,
                })]
            }
            S::CancelTask { task, on, decision } => vec![Command::CancelTask(TaskStatusChange {
                task: refs.task(task)?,
                on: *on,
                decision: opt(decision)?,
            })],
            S::ReopenTask { task, on, decision } => vec![Command::ReopenTask(TaskStatusChange {
                task: refs.task(task)?,
                on: *on,
                decision: opt(decision)?,
            })],
            S::Correct { target, corrected } => vec![Command::Correct {
                target: *target,
                corrected: (**corrected).clone(),
            }],
            S::Retract { target } => vec![Command::Retract { target: *target }],
        };
        Ok(out)
    }
}
